"""HTTP endpoints of the channel service (shape only; the work is in `service`)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query, Request, status
from fastapi.exceptions import RequestValidationError
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import ValidationError
from standardwebhooks.webhooks import Webhook

from channel_service.intake import IntakeClosedError, IntakeFullError
from channel_service.lifecycle import Channel
from channel_service.schemas import (
    DeadLetterSummary,
    EventsPage,
    RedriveResult,
    SendAccepted,
    SendRequest,
)
from channel_service.service import ChannelService
from channel_service.signatures import InvalidSignatureError, is_admin_token, verify_signature

router = APIRouter()


def get_service(request: Request) -> ChannelService:
    service: ChannelService = request.app.state.channel_service
    return service


def get_webhooks(request: Request) -> tuple[Webhook, ...]:
    webhooks: tuple[Webhook, ...] = request.app.state.webhooks
    return webhooks


ServiceDep = Annotated[ChannelService, Depends(get_service)]

_bearer = HTTPBearer(
    auto_error=False,
    scheme_name="AdminToken",
    description="base64url(HMAC-SHA256(key of WEBHOOK_SECRET, 'reach channel-service admin token v1')), unpadded",
)


def require_admin(
    request: Request, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
) -> None:
    """Admin endpoints need `Authorization: Bearer <token derived from the shared secret>`."""
    presented = credentials.credentials if credentials is not None else None
    if not is_admin_token(request.app.state.admin_tokens, presented):
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            "admin endpoints need Authorization: Bearer <token derived from WEBHOOK_SECRET>",
            headers={"WWW-Authenticate": "Bearer"},
        )


admin_router = APIRouter(
    dependencies=[Depends(require_admin)],
    responses={401: {"description": "Missing or wrong admin token"}},
)
"""The operator's endpoints: stats, ground-truth events, dead letters and their redrive."""

_SEND_BODY_SCHEMA = SendRequest.model_json_schema(ref_template="#/components/schemas/{model}")


@router.post(
    "/v1/send",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=SendAccepted,
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": _SEND_BODY_SCHEMA}},
        }
    },
    responses={401: {"description": "Bad signature"}, 429: {"description": "Queue full"}},
)
async def send_messages(
    request: Request,
    service: ServiceDep,
    webhooks: Annotated[tuple[Webhook, ...], Depends(get_webhooks)],
) -> SendAccepted:
    """Accept a signed batch of messages; their lifecycles play asynchronously."""
    body = await request.body()
    try:
        verify_signature(webhooks, body, request.headers)
    except InvalidSignatureError as exc:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, f"invalid signature: {exc}") from exc
    try:
        payload = SendRequest.model_validate_json(body)
    except ValidationError as exc:
        raise RequestValidationError(
            [{**error, "loc": ("body", *error["loc"])} for error in exc.errors(include_url=False)]
        ) from exc
    messages: list[tuple[str, Channel]] = [(message.communication_id, message.channel) for message in payload.messages]
    try:
        admission = service.admit(str(payload.callback_url), messages)
    except IntakeFullError as exc:
        raise HTTPException(
            status.HTTP_429_TOO_MANY_REQUESTS,
            str(exc),
            headers={"Retry-After": str(service.settings.intake_retry_after_seconds)},
        ) from exc
    except IntakeClosedError as exc:
        raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, str(exc)) from exc
    return SendAccepted(accepted=len(messages), queued=admission.queued, duplicates=admission.duplicates)


@admin_router.get("/v1/stats")
async def read_stats(service: ServiceDep) -> dict[str, Any]:
    """Queue depth, lifecycles in flight, events, callbacks, retries and dead letters."""
    return service.snapshot()


@admin_router.get("/v1/events", response_model=EventsPage)
async def list_events(
    service: ServiceDep,
    communication_id: str | None = None,
    after: Annotated[int, Query(ge=-1)] = -1,
    limit: Annotated[int, Query(ge=1, le=10_000)] = 1000,
) -> EventsPage:
    """Ground truth: the unique events emitted (duplicates excluded), oldest first."""
    if not service.event_log.enabled:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "the event log is off (SIM_EVENT_LOG)")
    if communication_id is not None:
        return EventsPage(events=service.event_log.for_communication(communication_id), next_after=after)
    events, next_after = service.event_log.page(after, limit)
    return EventsPage(events=events, next_after=next_after)


@admin_router.get("/v1/dead-letters", response_model=list[DeadLetterSummary])
async def list_dead_letters(service: ServiceDep) -> list[DeadLetterSummary]:
    return [
        DeadLetterSummary(
            webhook_id=letter.batch.webhook_id,
            url=letter.batch.url,
            events=len(letter.batch.events),
            attempts=letter.attempts,
            error=letter.error,
            failed_at=letter.failed_at,
        )
        for letter in service.callbacks.dead_letters
    ]


@admin_router.post("/v1/dead-letters/redrive", response_model=RedriveResult)
async def redrive_dead_letters(service: ServiceDep) -> RedriveResult:
    """Queue every dead-lettered batch for delivery again."""
    batches, events = service.callbacks.redrive()
    return RedriveResult(batches=batches, events=events)


@router.get("/health")
async def health(service: ServiceDep) -> dict[str, Any]:
    return {
        "status": "ok",
        "in_flight": service.player.in_flight,
        "queue_depth": len(service.intake),
    }
