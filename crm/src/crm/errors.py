"""Domain errors raised by services and the single handler that renders them as JSON."""

from __future__ import annotations

import math
from typing import Any

from asyncpg.exceptions import AdminShutdownError, CannotConnectNowError, CrashShutdownError, PostgresConnectionError
from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError

# The same losses as raised by asyncpg itself, for statements run on the driver's connection
# (crm.messages.group_commit): SQLAlchemy wraps these for what it runs.
DRIVER_CONNECTION_LOSS: tuple[type[Exception], ...] = (
    PostgresConnectionError,  # SQLSTATE class 08, and ConnectionDoesNotExistError (a socket gone mid-statement)
    AdminShutdownError,
    CrashShutdownError,
    CannotConnectNowError,
)


class DomainError(Exception):
    status_code = 400

    def __init__(self, detail: Any) -> None:
        super().__init__(str(detail))
        self.detail = detail


class NotFound(DomainError):
    status_code = 404


class Conflict(DomainError):
    status_code = 409


class Unauthorized(DomainError):
    status_code = 401


class InvalidInput(DomainError):
    """Input that passed the schema but breaks a rule; rendered like FastAPI's 422 shape."""

    status_code = 422

    def __init__(self, loc: list[str | int], msg: str, kind: str = "value_error") -> None:
        super().__init__([{"loc": loc, "msg": msg, "type": kind}])


class UpstreamUnavailable(DomainError):
    status_code = 503


def is_connection_loss(exc: BaseException) -> bool:
    """The database went away (restart, failover, network): the transaction was rolled back."""
    if isinstance(exc, (OperationalError, InterfaceError, *DRIVER_CONNECTION_LOSS)):
        return True
    return isinstance(exc, DBAPIError) and bool(exc.connection_invalidated)


SECRET_FIELDS = ("password", "secret", "token", "api_key", "apikey")


def without_secret_inputs(errors: Any) -> list[dict[str, Any]]:
    """Validation errors as FastAPI renders them, minus the value given for a secret field (a 422
    for an over-long password must not echo the password)."""
    out: list[dict[str, Any]] = []
    for error in errors:
        error = dict(error)
        names = [str(part).lower() for part in error.get("loc", ())]
        if any(secret in name for name in names for secret in SECRET_FIELDS):
            error.pop("input", None)
            error.pop("ctx", None)
        out.append(error)
    return out


def finite(value: Any) -> Any:
    """The value with NaN and infinities as text: JSON has no such numbers, and a 422 that echoes
    one must still render."""
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if isinstance(value, dict):
        return {k: finite(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [finite(v) for v in value]
    return value


def install_error_handlers(app: FastAPI) -> None:
    async def handle_validation_error(_: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, RequestValidationError)
        return JSONResponse(
            status_code=422, content={"detail": finite(jsonable_encoder(without_secret_inputs(exc.errors())))}
        )

    async def handle_domain_error(_: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, DomainError)
        return JSONResponse(status_code=exc.status_code, content={"detail": exc.detail})

    async def handle_database_loss(_: Request, exc: Exception) -> JSONResponse:
        if not is_connection_loss(exc):
            raise exc
        return JSONResponse(
            status_code=503,
            headers={"Retry-After": "2"},
            content={"detail": "the database connection was lost; nothing from this request was saved — retry"},
        )

    app.add_exception_handler(DomainError, handle_domain_error)
    app.add_exception_handler(RequestValidationError, handle_validation_error)
    losses: tuple[type[Exception], ...] = (DBAPIError, *DRIVER_CONNECTION_LOSS)
    for loss in losses:
        app.add_exception_handler(loss, handle_database_loss)
