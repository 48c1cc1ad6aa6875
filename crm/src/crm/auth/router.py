from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response
from pydantic import BaseModel, Field, StringConstraints
from sqlalchemy.ext.asyncio import AsyncSession

from crm.api_types import RowId
from crm.auth.dependencies import CSRF_COOKIE, SESSION_COOKIE, Caller, CurrentOperator
from crm.auth.service import AuthService
from crm.config import Settings
from crm.db import SessionDep
from crm.errors import NotFound
from crm.http_guards import RateLimit
from crm.models import Operator

router = APIRouter(prefix="/api/auth", tags=["auth"])
login_limit = RateLimit("10/minute", "sign-in")
password_limit = RateLimit("10/minute", "password change")


class LoginRequest(BaseModel):
    email: Annotated[str, StringConstraints(strip_whitespace=True, min_length=3, max_length=320)]
    password: Annotated[str, StringConstraints(min_length=1, max_length=200)]


class OperatorRead(BaseModel):
    id: int
    email: str
    name: str
    default_password: bool


class SignedIn(BaseModel):
    operator: OperatorRead
    csrf_token: str = Field(description="send back as X-CSRF-Token on POST/PATCH/DELETE")


class TokenCreate(BaseModel):
    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]


class TokenRead(BaseModel):
    id: int
    name: str
    prefix: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


class TokenCreated(TokenRead):
    token: str = Field(description="shown once; keep it safe")


class PasswordChange(BaseModel):
    current_password: Annotated[str, StringConstraints(min_length=1, max_length=200)]
    new_password: Annotated[str, StringConstraints(min_length=1, max_length=200)]


def operator_read(operator: object) -> OperatorRead:
    return OperatorRead.model_validate(operator, from_attributes=True)


async def load(session: AsyncSession, caller: Caller) -> Operator:
    operator = await session.get(Operator, caller.id)
    if operator is None:
        raise NotFound("operator not found")
    return operator


@router.post("/login", response_model=SignedIn, dependencies=[Depends(login_limit)])
async def login(payload: LoginRequest, request: Request, response: Response, session: SessionDep) -> SignedIn:
    """Signs in: an HttpOnly, SameSite=Strict session cookie plus a CSRF token for unsafe requests."""
    settings: Settings = request.app.state.settings
    auth = AuthService(session)
    operator = await auth.authenticate(payload.email, payload.password)
    started = await auth.start_session(operator, timedelta(hours=settings.session_hours))
    secure = settings.environment == "production"
    max_age = int(settings.session_hours * 3600)
    response.set_cookie(
        SESSION_COOKIE, started.token, max_age=max_age, httponly=True, samesite="strict", secure=secure, path="/"
    )
    response.set_cookie(
        CSRF_COOKIE, started.csrf_token, max_age=max_age, httponly=False, samesite="strict", secure=secure, path="/"
    )
    return SignedIn(operator=operator_read(operator), csrf_token=started.csrf_token)


@router.post("/logout", status_code=204)
async def logout(request: Request, session: SessionDep, _: CurrentOperator) -> Response:
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        await AuthService(session).end_session(token)
    response = Response(status_code=204)
    response.delete_cookie(SESSION_COOKIE, path="/")
    response.delete_cookie(CSRF_COOKIE, path="/")
    return response


@router.get("/me", response_model=OperatorRead)
async def me(operator: CurrentOperator) -> OperatorRead:
    return operator_read(operator)


@router.post("/password", status_code=204, dependencies=[Depends(password_limit)])
async def change_password(
    payload: PasswordChange, request: Request, session: SessionDep, operator: CurrentOperator
) -> Response:
    """Ends every other sign-in session of this operator (this one stays); API tokens stay valid."""
    await AuthService(session).change_password(
        await load(session, operator),
        payload.current_password,
        payload.new_password,
        keep_session=request.cookies.get(SESSION_COOKIE),
    )
    return Response(status_code=204)


@router.post("/tokens", response_model=TokenCreated, status_code=201)
async def create_token(payload: TokenCreate, session: SessionDep, operator: CurrentOperator) -> TokenCreated:
    """A bearer token for scripts: `Authorization: Bearer <token>`."""
    token, secret = await AuthService(session).issue_token(await load(session, operator), payload.name)
    return TokenCreated(**TokenRead.model_validate(token, from_attributes=True).model_dump(), token=secret)


@router.get("/tokens", response_model=list[TokenRead])
async def list_tokens(session: SessionDep, operator: CurrentOperator) -> list[TokenRead]:
    tokens = await AuthService(session).tokens(await load(session, operator))
    return [TokenRead.model_validate(t, from_attributes=True) for t in tokens]


@router.delete("/tokens/{token_id}", status_code=204)
async def revoke_token(token_id: RowId, session: SessionDep, operator: CurrentOperator) -> Response:
    await AuthService(session).revoke_token(await load(session, operator), token_id)
    return Response(status_code=204)
