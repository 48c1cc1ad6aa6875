"""Domain errors raised by services and the single handler that renders them as JSON."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse


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


def install_error_handlers(app: FastAPI) -> None:
    async def handle_domain_error(_: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, DomainError)
        return JSONResponse(status_code=exc.status_code, content={"detail": exc.detail})

    app.add_exception_handler(DomainError, handle_domain_error)
