"""Production mode refuses to start with development defaults."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from crm.auth.service import AuthService
from crm.config import DEV_WEBHOOK_SECRET, Settings


class UnsafeConfiguration(RuntimeError):
    pass


async def refuse_unsafe_production(settings: Settings, maker: async_sessionmaker[AsyncSession]) -> None:
    if settings.environment != "production":
        return
    problems = []
    if DEV_WEBHOOK_SECRET in settings.webhook_secrets:
        problems.append("WEBHOOK_SECRET is the development default")
    async with maker() as session:
        auth = AuthService(session)
        if not await auth.any_operator():
            problems.append("there is no operator yet (run `python -m crm.auth.cli ensure-admin`)")
        unchanged = await auth.operators_with_default_passwords()
        if unchanged:
            problems.append(f"operator(s) {', '.join(unchanged)} still have their install-time password")
    if problems:
        raise UnsafeConfiguration("refusing to start in production mode: " + "; ".join(problems))
