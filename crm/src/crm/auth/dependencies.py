"""Who is calling: an operator with a bearer API token (scripts) or a signed-in session cookie
(the dashboard; unsafe methods must echo the session's CSRF token in X-CSRF-Token)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from crm.auth.service import AuthService, same
from crm.errors import DomainError, Unauthorized
from crm.models import Operator

SESSION_COOKIE = "reach_session"
CSRF_COOKIE = "reach_csrf"
CSRF_HEADER = "x-csrf-token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class CsrfRejected(DomainError):
    status_code = 403


@dataclass(frozen=True)
class Caller:
    """The authenticated operator of this request (plain values, no database session attached)."""

    id: int
    email: str
    name: str
    default_password: bool

    @classmethod
    def of(cls, operator: Operator) -> Caller:
        return cls(operator.id, operator.email, operator.name, operator.default_password)


async def require_operator(request: Request) -> Caller:
    """Checked in its own short transaction, finished before the endpoint runs (streams included)."""
    maker: async_sessionmaker[AsyncSession] = request.app.state.sessionmaker
    async with maker() as session, session.begin():
        caller = await identify(request, AuthService(session))
    request.state.caller = caller
    return caller


async def identify(request: Request, auth: AuthService) -> Caller:
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        operator = await auth.token_operator(header[7:].strip())
        if operator is None:
            raise Unauthorized("the API token is unknown or revoked")
        return Caller.of(operator)
    cookie = request.cookies.get(SESSION_COOKIE)
    if cookie:
        found = await auth.session_operator(cookie)
        if found is None:
            raise Unauthorized("your session has expired; sign in again")
        operator, signed_in = found
        if request.method not in SAFE_METHODS and not same(request.headers.get(CSRF_HEADER, ""), signed_in.csrf_token):
            raise CsrfRejected("missing or wrong X-CSRF-Token header for a signed-in session")
        return Caller.of(operator)
    raise Unauthorized("sign in first (session cookie) or send Authorization: Bearer <API token>")


CurrentOperator = Annotated[Caller, Depends(require_operator)]


def actor(request: Request) -> str:
    """The signed-in operator's email, for the audit trail."""
    caller: Caller | None = getattr(request.state, "caller", None)
    return caller.email if caller is not None else "operator"
