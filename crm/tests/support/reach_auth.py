"""Signed-in callers for tests: an operator and a bearer token, without paying for Argon2 in
every test (the password hash is computed once per run)."""

from __future__ import annotations

from functools import cache

from sqlalchemy.ext.asyncio import AsyncSession

from crm.auth.service import HASHER, AuthService
from crm.db import create_engine, create_sessionmaker
from crm.models import Operator

TEST_EMAIL = "tester@sugar.local"
TEST_PASSWORD = "correct-horse-battery"


@cache
def test_password_hash() -> str:
    return HASHER.hash(TEST_PASSWORD)


async def operator_with_token(session: AsyncSession, email: str = TEST_EMAIL) -> tuple[Operator, str]:
    operator = Operator(email=email, name="Tester", password_hash=test_password_hash())
    session.add(operator)
    await session.flush()
    _, secret = await AuthService(session).issue_token(operator, "tests")
    await session.flush()
    return operator, secret


async def bearer_for(database_url: str, email: str = TEST_EMAIL) -> dict[str, str]:
    """An Authorization header for a server running on this (migrated) database."""
    engine = create_engine(database_url)
    try:
        async with create_sessionmaker(engine)() as session, session.begin():
            _, secret = await operator_with_token(session, email)
        return {"Authorization": f"Bearer {secret}"}
    finally:
        await engine.dispose()
