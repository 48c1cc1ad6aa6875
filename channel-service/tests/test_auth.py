"""Who may call what: signed sends (with secret rotation), admin endpoints behind a token derived
from the shared secret, GET /health public. Clients sign with the `standardwebhooks` library."""

from __future__ import annotations

import base64
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
import pytest_asyncio
from fastapi.routing import iter_route_contexts
from standardwebhooks.webhooks import Webhook

from channel_service.config import Settings
from channel_service.main import create_app
from channel_service.signatures import admin_token

CALLBACK = "http://127.0.0.1:9/receipts"
OLD_SECRET = "whsec_" + base64.b64encode(b"channel-service-old-secret-00001").decode()
OTHER_SECRET = "whsec_" + base64.b64encode(b"channel-service-unrelated-secret").decode()
PUBLIC_ROUTES = {("GET", "/health"), ("POST", "/v1/send")}
"""/v1/send is authenticated by its body signature instead of the admin token."""


def bearer(secret: str) -> dict[str, str]:
    return {"authorization": f"Bearer {admin_token(secret)}"}


@pytest_asyncio.fixture
async def rotating(make_settings: Callable[..., Settings]) -> AsyncIterator[httpx.AsyncClient]:
    """A service in the middle of a rotation: the test secret is current, OLD_SECRET previous."""
    app = create_app(make_settings(webhook_previous_secrets=f" {OLD_SECRET} "))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://channel") as client:
        yield client


def admin_routes() -> list[tuple[str, str]]:
    """Every route but the public ones, read from the app's route table so none is forgotten."""
    app = create_app(Settings(_env_file=None))
    routes = [
        (method, route.path)
        for route in iter_route_contexts(app.routes)
        if route.path.startswith("/v1/") or route.path == "/health"
        for method in sorted(route.methods or ())
        if (method, route.path) not in PUBLIC_ROUTES
    ]
    assert {("GET", "/v1/stats"), ("GET", "/v1/events"), ("POST", "/v1/dead-letters/redrive")} <= set(routes)
    return routes


@pytest.mark.parametrize(("method", "path"), admin_routes())
async def test_every_admin_route_needs_the_token(
    method: str, path: str, rotating: httpx.AsyncClient, secret: str
) -> None:
    for headers in (
        {},
        {"authorization": "Bearer "},
        {"authorization": f"Basic {admin_token(secret)}"},
        {"authorization": f"Bearer {admin_token(secret)}x"},
        bearer(OTHER_SECRET),
        {"authorization": f"Bearer {secret}"},  # the secret itself is not the token
    ):
        response = await rotating.request(method, path, headers=headers)
        assert response.status_code == 401, (headers, response.text)
        assert "Authorization: Bearer" in response.json()["detail"]
        assert response.headers["www-authenticate"] == "Bearer"
    for accepted in (secret, OLD_SECRET):
        response = await rotating.request(method, path, headers=bearer(accepted))
        assert response.status_code == 200, response.text


async def test_health_and_docs_stay_public(rotating: httpx.AsyncClient) -> None:
    assert (await rotating.get("/health")).json()["status"] == "ok"
    schema = (await rotating.get("/openapi.json")).json()
    assert schema["paths"]["/v1/stats"]["get"]["security"] == [{"AdminToken": []}]
    assert "security" not in schema["paths"]["/health"]["get"]


async def test_sends_signed_with_a_previous_secret_are_accepted_during_a_rotation(
    rotating: httpx.AsyncClient, sign: Any, send_body: Any, secret: str
) -> None:
    accepted = []
    for n, key in enumerate((secret, OLD_SECRET)):
        body = send_body(CALLBACK, [f"rot-{n}"])
        response = await rotating.post("/v1/send", content=body, headers=sign(body, key=key))
        accepted.append(response.status_code)
    body = send_body(CALLBACK, ["rot-x"])
    refused = await rotating.post("/v1/send", content=body, headers=sign(body, key=OTHER_SECRET))
    assert accepted == [202, 202]
    assert refused.status_code == 401
    stats = (await rotating.get("/v1/stats", headers=bearer(secret))).json()
    assert stats["accepted"] == 2


async def test_a_header_carrying_several_signatures_is_accepted_if_one_matches(
    rotating: httpx.AsyncClient, sign: Any, send_body: Any
) -> None:
    """A sender mid-rotation may sign with its new and old secrets (space-separated, per the spec)."""
    body = send_body(CALLBACK, ["multi-1"])
    headers = sign(body, key=OTHER_SECRET)
    signed_at = datetime.fromtimestamp(int(headers["webhook-timestamp"]), UTC)
    old_signature = Webhook(OLD_SECRET).sign(headers["webhook-id"], signed_at, body.decode())
    headers["webhook-signature"] = f"{headers['webhook-signature']} {old_signature}"
    response = await rotating.post("/v1/send", content=body, headers=headers)
    assert response.status_code == 202


async def test_without_previous_secrets_an_old_signature_is_refused(
    make_settings: Callable[..., Settings], sign: Any, send_body: Any
) -> None:
    app = create_app(make_settings())
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://channel") as client:
        body = send_body(CALLBACK, ["old-1"])
        assert (await client.post("/v1/send", content=body, headers=sign(body, key=OLD_SECRET))).status_code == 401
        assert (await client.get("/v1/stats", headers=bearer(OLD_SECRET))).status_code == 401


def test_a_malformed_previous_secret_is_refused_at_start_up() -> None:
    with pytest.raises(ValueError, match="webhook_previous_secrets"):
        Settings(_env_file=None, webhook_previous_secrets="whsec_!!!!")


async def test_callbacks_from_a_rotated_service_verify_with_either_secret(
    channel_service: Any, receiver: Any, wait_until: Any, secret: str
) -> None:
    """The service was rotated first (new current secret, the receiver's as previous): its
    callbacks carry both signatures, so a receiver still on the old secret accepts them."""
    new_secret = "whsec_" + base64.b64encode(b"channel-service-new-secret-00002").decode()
    svc = await channel_service(webhook_secret=new_secret, webhook_previous_secrets=secret, sim_duplicate_rate=0.0)
    svc.client.headers.update(bearer(new_secret))
    response = await svc.send(receiver.url, ["rotated-1", "rotated-2"])  # signed with the old secret
    assert response.status_code == 202
    await wait_until(svc.settled)
    assert receiver.bad_signatures == 0
    assert {e["communication_id"] for e in receiver.events} == {"rotated-1", "rotated-2"}
    body, headers = receiver.raw[0]
    assert len(headers["webhook-signature"].split(" ")) == 2
    Webhook(new_secret).verify(body, headers)  # and one made with the new secret
