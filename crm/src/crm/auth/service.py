"""Operators, their sign-in sessions and API tokens. Secrets are random (`secrets`), stored only
as SHA-256; passwords are hashed with Argon2 (pwdlib)."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta

from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher
from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from crm.db import utcnow
from crm.errors import Conflict, InvalidInput, NotFound, Unauthorized
from crm.models import ApiToken, Operator, OperatorSession

HASHER = PasswordHash((Argon2Hasher(),))
# Verified against when the email is unknown, so a wrong email costs as much as a wrong password.
_DUMMY_HASH = HASHER.hash("not-a-real-password")
MIN_PASSWORD_LENGTH = 10
TOKEN_PREFIX = "reach_"


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def checked_hash(password: str, field: str) -> str:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInput(["body", field], f"use at least {MIN_PASSWORD_LENGTH} characters")
    return HASHER.hash(password)


def generate_password() -> str:
    return secrets.token_urlsafe(12)


@dataclass(frozen=True)
class NewSession:
    token: str
    csrf_token: str
    operator: Operator


class AuthService:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def create_operator(self, email: str, name: str, password: str, default_password: bool = False) -> Operator:
        operator = Operator(
            email=email.strip().lower(),
            name=name,
            password_hash=checked_hash(password, "password"),
            default_password=default_password,
        )
        try:
            async with self.session.begin_nested():
                self.session.add(operator)
        except IntegrityError:
            raise Conflict(f"an operator {email!r} already exists") from None
        return operator

    async def any_operator(self) -> bool:
        return (await self.session.scalar(select(Operator.id).limit(1))) is not None

    async def operators_with_default_passwords(self) -> list[str]:
        return list((await self.session.scalars(select(Operator.email).where(Operator.default_password))).all())

    async def authenticate(self, email: str, password: str) -> Operator:
        operator = await self.session.scalar(select(Operator).where(Operator.email == email.strip().lower()))
        if operator is None:
            HASHER.verify(password, _DUMMY_HASH)
            raise Unauthorized("wrong email or password")
        if not HASHER.verify(password, operator.password_hash):
            raise Unauthorized("wrong email or password")
        operator.last_login_at = utcnow()
        return operator

    async def start_session(self, operator: Operator, ttl: timedelta) -> NewSession:
        token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(24)
        self.session.add(
            OperatorSession(
                token_hash=digest(token), operator_id=operator.id, csrf_token=csrf, expires_at=utcnow() + ttl
            )
        )
        await self.session.flush()
        return NewSession(token, csrf, operator)

    async def session_operator(self, token: str) -> tuple[Operator, OperatorSession] | None:
        row = (
            await self.session.execute(
                select(Operator, OperatorSession)
                .join(OperatorSession, OperatorSession.operator_id == Operator.id)
                .where(OperatorSession.token_hash == digest(token), OperatorSession.expires_at > utcnow())
            )
        ).first()
        return (row[0], row[1]) if row is not None else None

    async def end_session(self, token: str) -> None:
        found = await self.session.get(OperatorSession, digest(token))
        if found is not None:
            await self.session.delete(found)

    async def issue_token(self, operator: Operator, name: str) -> tuple[ApiToken, str]:
        secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
        token = ApiToken(operator_id=operator.id, name=name, token_hash=digest(secret), prefix=secret[:12])
        self.session.add(token)
        await self.session.flush()
        return token, secret

    async def token_operator(self, secret: str) -> Operator | None:
        row = (
            await self.session.execute(
                select(Operator, ApiToken)
                .join(ApiToken, ApiToken.operator_id == Operator.id)
                .where(ApiToken.token_hash == digest(secret), ApiToken.revoked_at.is_(None))
            )
        ).first()
        if row is None:
            return None
        row[1].last_used_at = utcnow()
        return row[0]

    async def tokens(self, operator: Operator) -> list[ApiToken]:
        return list(
            (
                await self.session.scalars(
                    select(ApiToken).where(ApiToken.operator_id == operator.id).order_by(ApiToken.id)
                )
            ).all()
        )

    async def revoke_token(self, operator: Operator, token_id: int) -> None:
        result = await self.session.execute(
            update(ApiToken)
            .where(ApiToken.id == token_id, ApiToken.operator_id == operator.id, ApiToken.revoked_at.is_(None))
            .values(revoked_at=utcnow())
            .execution_options(synchronize_session=False)
        )
        if not getattr(result, "rowcount", 0):
            raise NotFound(f"token {token_id} not found")

    async def change_password(self, operator: Operator, current: str, new: str, keep_session: str | None) -> int:
        """Sets the new password and ends the operator's other sign-in sessions (whoever may know
        the old password); `keep_session` — the caller's own — stays. API tokens are not touched:
        they are listed with their last use and revoked one by one. Returns the sessions ended."""
        if not HASHER.verify(current, operator.password_hash):
            # 422 naming the field, not 401: the caller is signed in, and a 401 would sign the app out.
            raise InvalidInput(["body", "current_password"], "the current password is wrong")
        self.set_password(operator, new)
        return await self.end_sessions(operator, keep_session)

    async def reset_password(self, operator: Operator, new: str) -> int:
        """From the command line (no current password): the new password, and every session ends."""
        self.set_password(operator, new, field="password")
        return await self.end_sessions(operator, keep=None)

    async def end_sessions(self, operator: Operator, keep: str | None) -> int:
        ended = delete(OperatorSession).where(OperatorSession.operator_id == operator.id)
        if keep:
            ended = ended.where(OperatorSession.token_hash != digest(keep))
        result = await self.session.execute(ended.execution_options(synchronize_session=False))
        await self.session.flush()
        return int(getattr(result, "rowcount", 0) or 0)

    def set_password(self, operator: Operator, new: str, field: str = "new_password") -> None:
        operator.password_hash = checked_hash(new, field)
        operator.default_password = False


def same(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())
