"""HTTP endpoints of the channel service (shape only; the work is in `service`)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query, Request, status
from fastapi.exceptions import RequestValidationError
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
from channel_service.signatures import InvalidSignatureError, verify_signature

router = APIRouter()


def get_service(request: Request) -> ChannelService:
    service: ChannelService = request.app.state.channel_service
    return service


def get_webhook(request: Request) -> Webhook:
    webhook: Webhook = request.app.state.webhook
    return webhook


ServiceDep = Annotated[ChannelService, Depends(get_service)]

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
    webhook: Annotated[Webhook, Depends(get_webhook)],
) -> SendAccepted:
    """Accept a signed batch of messages; their lifecycles play asynchronously."""
    body = await request.body()
    try:
        verify_signature(webhook, body, request.headers)
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


@router.get("/v1/stats")
async def read_stats(service: ServiceDep) -> dict[str, Any]:
    """Queue depth, lifecycles in flight, events, callbacks, retries and dead letters."""
    return service.snapshot()


@router.get("/v1/events", response_model=EventsPage)
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


@router.get("/v1/dead-letters", response_model=list[DeadLetterSummary])
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


@router.post("/v1/dead-letters/redrive", response_model=RedriveResult)
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
