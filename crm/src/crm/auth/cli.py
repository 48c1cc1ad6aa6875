"""`python -m crm.auth.cli`: operators from the command line.

ensure-admin   create the first operator if there is none, and print how to sign in
set-password   set an operator's password (prompted unless --password is given) and end their
               sessions; this replaces the install-time password, so production mode can start
create-token   print a new API token for an operator (for scripts)
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from crm.auth.service import AuthService, generate_password
from crm.config import get_settings
from crm.db import create_engine, create_sessionmaker
from crm.errors import InvalidInput
from crm.migrate import upgrade_to_head
from crm.models import Operator


@asynccontextmanager
async def transaction() -> AsyncIterator[AsyncSession]:
    """One transaction on the configured database, for one command."""
    engine = create_engine(get_settings().database_url)
    try:
        async with create_sessionmaker(engine)() as session, session.begin():
            yield session
    finally:
        await engine.dispose()


async def ensure_admin(email: str, password: str | None) -> str:
    settings = get_settings()
    await asyncio.to_thread(upgrade_to_head, settings.database_url)
    async with transaction() as session:
        auth = AuthService(session)
        if await auth.any_operator():
            return "An operator already exists; sign in with your credentials."
        chosen = password or generate_password()
        await auth.create_operator(email, "Admin", chosen, default_password=True)
        return (
            f"Created the first operator. Sign in at {settings.crm_public_url} as {email} "
            f"with password: {chosen}\n(Change it under Settings → Password, or with `python -m crm.auth.cli "
            "set-password`; production mode refuses to start until you do.)"
        )


async def set_password(email: str, password: str) -> str:
    async with transaction() as session:
        operator = await find_operator(session, email)
        try:
            ended = await AuthService(session).reset_password(operator, password)
        except InvalidInput as exc:
            raise SystemExit(f"password not changed: {exc.detail[0]['msg']}") from None
        return f"Password set for {operator.email}; {ended} sign-in session(s) ended (API tokens still work)."


def prompted_password() -> str:
    first = getpass.getpass("New password: ")
    if getpass.getpass("Again: ") != first:
        raise SystemExit("the passwords differ; nothing changed")
    return first


async def find_operator(session: AsyncSession, email: str) -> Operator:
    operator = await session.scalar(select(Operator).where(Operator.email == email.strip().lower()))
    if operator is None:
        raise SystemExit(f"no operator {email!r}")
    return operator


async def create_token(email: str, name: str) -> str:
    async with transaction() as session:
        operator = await find_operator(session, email)
        _, secret = await AuthService(session).issue_token(operator, name)
        return secret


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    admin = commands.add_parser("ensure-admin")
    admin.add_argument("--email", default=get_settings().admin_email)
    admin.add_argument("--password", default=get_settings().admin_password)
    reset = commands.add_parser("set-password")
    reset.add_argument("--email", default=get_settings().admin_email)
    reset.add_argument("--password", help="the new password (prompted when left out, so it stays out of the history)")
    token = commands.add_parser("create-token")
    token.add_argument("--email", default=get_settings().admin_email)
    token.add_argument("--name", default="script")
    args = parser.parse_args(argv)
    if args.command == "ensure-admin":
        print(asyncio.run(ensure_admin(args.email, args.password)), flush=True)
    elif args.command == "set-password":
        print(asyncio.run(set_password(args.email, args.password or prompted_password())), flush=True)
    else:
        print(asyncio.run(create_token(args.email, args.name)), flush=True)


if __name__ == "__main__":
    main()
