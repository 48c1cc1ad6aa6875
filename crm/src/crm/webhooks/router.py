from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError

from crm.config import Settings
from crm.errors import Unauthorized
from crm.signing import WebhookVerificationError, verify
from crm.webhooks.schemas import ReceiptBatch, ReceiptResult
from crm.webhooks.service import ReceiptService

router = APIRouter(prefix="/api/webhooks", tags=["webhooks"])


@router.post(
    "/receipts",
    response_model=ReceiptResult,
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ReceiptBatch"}}},
        }
    },
    responses={
        401: {"description": "missing, bad or stale Standard Webhooks signature"},
        409: {"description": "this webhook-id was already applied (a replay); nothing changed"},
    },
)
async def receive_receipts(request: Request) -> Response:
    """Delivery receipts from the channel service, signed per Standard Webhooks. A delivery is
    applied all or nothing, possibly in one transaction with deliveries that arrived alongside it;
    the answer is its own outcome, sent once that transaction has committed."""
    settings: Settings = request.app.state.settings
    body = await request.body()
    try:
        verify(settings.webhook_secrets, body, dict(request.headers))
    except WebhookVerificationError as exc:
        raise Unauthorized(f"invalid webhook signature: {exc}") from None
    try:
        batch = ReceiptBatch.model_validate_json(body)
    except ValidationError as exc:
        raise RequestValidationError(
            [{**error, "loc": ("body", *error["loc"])} for error in exc.errors(include_url=False)]
        ) from None
    webhook_id = request.headers["webhook-id"]
    # The app's one committer (crm.main.use_sessionmaker), so every receipt request of the process
    # joins the same groups.
    result = await ReceiptService(request.app.state.receipt_committer).ingest(batch, webhook_id)
    # Serialised here: FastAPI would validate the model against response_model again first (~30 us
    # of a one-event request's ~100 us in the app); the declared response_model still documents it.
    return Response(result.model_dump_json(), media_type="application/json")


def receipt_schemas() -> dict[str, Any]:
    """The request body's schemas, for the app's OpenAPI components (the body is parsed by hand,
    after the signature check, so FastAPI does not register them itself)."""
    schema = ReceiptBatch.model_json_schema(ref_template="#/components/schemas/{model}")
    definitions: dict[str, Any] = schema.pop("$defs", {})
    return {**definitions, "ReceiptBatch": schema}
