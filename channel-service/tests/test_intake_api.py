"""POST /v1/send: signatures, validation, the bounded queue, idempotency.

The app runs over ASGI without its lifespan, so no worker drains the queue and its depth shows
exactly what each request queued.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest_asyncio

from channel_service.config import Settings
from channel_service.main import create_app

CALLBACK = "http://127.0.0.1:9/receipts"
WRONG_SECRET = "whsec_d3Jvbmctc2VjcmV0LXdyb25nLXNlY3JldC0wMTIz"


@pytest_asyncio.fixture
async def api(
    make_settings: Callable[..., Settings], admin_headers: dict[str, str]
) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(make_settings(intake_queue_size=10))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://channel", headers=admin_headers) as client:
        yield client


async def queue_depth(api: httpx.AsyncClient) -> int:
    depth: int = (await api.get("/v1/stats")).json()["queue_depth"]
    return depth


async def test_signed_batch_is_accepted_and_queued(api: Any, sign: Any, send_body: Any) -> None:
    body = send_body(CALLBACK, ["a-1", "a-2", "a-3"])
    response = await api.post("/v1/send", content=body, headers=sign(body))
    assert response.status_code == 202
    assert response.json() == {"accepted": 3, "queued": 3, "duplicates": 0}
    assert await queue_depth(api) == 3


async def test_tampered_body_is_rejected(api: Any, sign: Any, send_body: Any) -> None:
    body = send_body(CALLBACK, ["b-1"])
    headers = sign(body)
    tampered = body.replace(b"b-1", b"b-2")
    response = await api.post("/v1/send", content=tampered, headers=headers)
    assert response.status_code == 401
    assert "signature" in response.json()["detail"]
    assert await queue_depth(api) == 0


async def test_wrong_secret_is_rejected(api: Any, sign: Any, send_body: Any) -> None:
    body = send_body(CALLBACK, ["c-1"])
    response = await api.post("/v1/send", content=body, headers=sign(body, key=WRONG_SECRET))
    assert response.status_code == 401
    assert await queue_depth(api) == 0


async def test_stale_timestamp_is_rejected(api: Any, sign: Any, send_body: Any) -> None:
    body = send_body(CALLBACK, ["d-1"])
    stale = datetime.now(UTC) - timedelta(minutes=6)
    response = await api.post("/v1/send", content=body, headers=sign(body, at=stale))
    assert response.status_code == 401
    assert "old" in response.json()["detail"]
    assert await queue_depth(api) == 0


async def test_missing_or_malformed_signature_is_rejected(api: Any, sign: Any, send_body: Any) -> None:
    body = send_body(CALLBACK, ["e-1"])
    response = await api.post("/v1/send", content=body, headers={"content-type": "x"})
    assert response.status_code == 401
    headers = sign(body) | {"webhook-signature": "garbage"}
    response = await api.post("/v1/send", content=body, headers=headers)
    assert response.status_code == 401
    # the signature is checked before the body is even parsed
    junk = b"{not json"
    response = await api.post("/v1/send", content=junk, headers=sign(body))
    assert response.status_code == 401
    assert await queue_depth(api) == 0


async def test_invalid_payload_is_422_naming_the_field(api: Any, sign: Any, send_body: Any) -> None:
    payload = json.loads(send_body(CALLBACK, ["f-1", "f-2"]))
    payload["messages"][1]["channel"] = "fax"
    body = json.dumps(payload).encode()
    response = await api.post("/v1/send", content=body, headers=sign(body))
    assert response.status_code == 422
    (error,) = response.json()["detail"]
    assert error["loc"] == ["body", "messages", 1, "channel"]

    for broken in (
        {"callback_url": "not a url", "messages": payload["messages"][:1]},
        {"callback_url": CALLBACK, "messages": []},
        {"callback_url": CALLBACK, "messages": payload["messages"][:1] * 1001},
    ):
        body = json.dumps(broken).encode()
        response = await api.post("/v1/send", content=body, headers=sign(body))
        assert response.status_code == 422, broken
        assert response.json()["detail"][0]["loc"][1] in ("callback_url", "messages")
    assert await queue_depth(api) == 0


async def test_full_queue_refuses_the_whole_batch(api: Any, sign: Any, send_body: Any) -> None:
    first = send_body(CALLBACK, [f"g-{n}" for n in range(8)])
    assert (await api.post("/v1/send", content=first, headers=sign(first))).status_code == 202
    overflow = send_body(CALLBACK, [f"h-{n}" for n in range(3)])
    response = await api.post("/v1/send", content=overflow, headers=sign(overflow))
    assert response.status_code == 429
    assert int(response.headers["retry-after"]) >= 1
    assert "detail" in response.json()
    assert await queue_depth(api) == 8
    # nothing of the refused batch was remembered: it is accepted in full once it fits
    fits = send_body(CALLBACK, ["h-0", "h-1"])
    response = await api.post("/v1/send", content=fits, headers=sign(fits))
    assert response.json() == {"accepted": 2, "queued": 2, "duplicates": 0}


async def test_resent_messages_are_acknowledged_but_not_queued_again(api: Any, sign: Any, send_body: Any) -> None:
    body = send_body(CALLBACK, ["i-1", "i-2"])
    await api.post("/v1/send", content=body, headers=sign(body))
    again = send_body(CALLBACK, ["i-2", "i-3", "i-3"])
    response = await api.post("/v1/send", content=again, headers=sign(again))
    assert response.status_code == 202
    assert response.json() == {"accepted": 3, "queued": 1, "duplicates": 2}
    assert await queue_depth(api) == 3
    stats = (await api.get("/v1/stats")).json()
    assert stats["accepted"] == 3 and stats["duplicate_messages"] == 2


async def test_health(api: Any) -> None:
    response = await api.get("/health")
    assert response.status_code == 200 and response.json()["status"] == "ok"


async def test_the_dedupe_window_is_bounded_and_remembers_the_most_recent_ids(
    make_settings: Callable[..., Settings], sign: Any, send_body: Any, admin_headers: dict[str, str]
) -> None:
    window = 4
    app = create_app(make_settings(intake_queue_size=1000, intake_dedupe_window=window))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://channel", headers=admin_headers) as api:

        async def send(ids: list[str]) -> dict[str, int]:
            body = send_body(CALLBACK, ids)
            result: dict[str, int] = (await api.post("/v1/send", content=body, headers=sign(body))).json()
            return result

        remembered: list[int] = []
        for n in range(30):
            await send([f"w-{n}"])
            remembered.append((await api.get("/v1/stats")).json()["intake_ids_remembered"])
            recent = [f"w-{k}" for k in range(max(0, n - window + 1), n + 1)]
            assert await send(recent) == {"accepted": len(recent), "queued": 0, "duplicates": len(recent)}
        assert max(remembered) <= 2 * window
        assert await send(["w-0"]) == {"accepted": 1, "queued": 1, "duplicates": 0}, "long forgotten"
