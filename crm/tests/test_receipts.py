from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from reach_receipts import make_communications, post_signed
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from crm.models import Communication, ReceiptEvent
from crm.webhooks.schemas import ReceiptBatch
from crm.webhooks.service import ReceiptService

T0 = datetime(2026, 11, 1, 10, 0, tzinfo=UTC)


def event(cid: str, kind: str, minutes: int, **extra: Any) -> dict[str, Any]:
    return {
        "event_id": f"{cid}:{kind}:{minutes}",
        "communication_id": cid,
        "type": kind,
        "occurred_at": (T0 + timedelta(minutes=minutes)).isoformat(),
        **extra,
    }


async def test_bad_or_stale_signatures_are_refused_and_store_nothing(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    (row,) = await make_communications(session, 1)
    payload = {"events": [event(row.communication_id, "sent", 0)]}
    wrong_secret = await post_signed(client, payload, secret="whsec_" + "d3Jvbmctc2VjcmV0LXZhbHVlLWZvcmJpZGRlbg==")
    assert wrong_secret.status_code == 401 and "signature" in wrong_secret.json()["detail"]
    stale = await post_signed(client, payload, **{"webhook-timestamp": str(int(T0.timestamp()) - 3600)})
    assert stale.status_code == 401
    unsigned = await client.post("/api/webhooks/receipts", json=payload)
    assert unsigned.status_code == 401
    assert await session.scalar(select(func.count()).select_from(ReceiptEvent)) == 0
    ok = await post_signed(client, payload)
    assert ok.status_code == 200 and ok.json() == {
        "received": 1,
        "applied": 1,
        "duplicates": 0,
        "unmatched": 0,
    }


async def test_duplicates_count_once_unknown_ids_are_kept_aside_revenue_once(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    (row,) = await make_communications(session, 1)
    cid, row_id, campaign_id = row.communication_id, row.id, row.campaign_id
    events = [
        event(cid, "sent", 0),
        event(cid, "delivered", 1),
        event(cid, "read", 5),
        event(cid, "clicked", 9),
        event(cid, "converted", 30, value=1299.5),
        event("nobody-knows", "delivered", 2),
    ]
    first = (await post_signed(client, {"events": events + events[:2]})).json()
    assert first == {"received": 8, "applied": 5, "duplicates": 2, "unmatched": 1}
    replay = (await post_signed(client, {"events": events})).json()
    assert replay == {"received": 6, "applied": 0, "duplicates": 6, "unmatched": 0}
    session.expire_all()
    stored = await session.get(Communication, row_id)
    assert stored is not None
    assert stored.read_at == T0 + timedelta(minutes=5) and stored.conversion_value_minor == 129950
    stats = (await client.get(f"/api/campaigns/{campaign_id}/stats")).json()
    assert stats["funnel"] == {
        "sent": 1,
        "delivered": 1,
        "opened": 0,
        "read": 1,
        "clicked": 1,
        "converted": 1,
        "failed": 0,
    }
    assert stats["revenue"] == 1299.5
    assert sum(sum(p["counts"].values()) for p in stats["timeseries"]) == 5
    unmatched = await session.get(ReceiptEvent, "nobody-knows:delivered:2")
    assert unmatched is not None and unmatched.matched is False


async def test_invalid_batches_are_422_naming_the_field(client: httpx.AsyncClient) -> None:
    empty = await post_signed(client, {"events": []})
    assert empty.status_code == 422 and empty.json()["detail"][0]["loc"] == ["body", "events"]
    bad_type = await post_signed(client, {"events": [event("x", "bounced-ish", 0)]})
    assert bad_type.status_code == 422 and bad_type.json()["detail"][0]["loc"][:3] == ["body", "events", 0]
    naive = await post_signed(client, {"events": [{**event("x", "sent", 0), "occurred_at": "2026-01-01T00:00:00"}]})
    assert naive.status_code == 422


LIFECYCLE = [("sent", 0), ("delivered", 2), ("read", 30), ("clicked", 45), ("converted", 300)]


@st.composite
def deliveries(draw: st.DrawFn) -> list[list[dict[str, Any]]]:
    """A lifecycle's events, some duplicated, some with a later second report of the same type,
    shuffled and split into batches."""
    events: list[dict[str, Any]] = []
    for kind, minutes in LIFECYCLE:
        base = event("CID", kind, minutes, **({"value": 799.0} if kind == "converted" else {}))
        events += [base] * draw(st.integers(1, 3))
        if draw(st.booleans()):
            late = event(
                "CID",
                kind,
                minutes + draw(st.integers(1, 50)),
                **({"value": 5.0} if kind == "converted" else {}),
            )
            events.append(late)
    order = draw(st.permutations(events))
    cuts = sorted(draw(st.lists(st.integers(1, max(1, len(order) - 1)), max_size=3, unique=True)))
    batches, start = [], 0
    for cut in [*cuts, len(order)]:
        if cut > start:
            batches.append(order[start:cut])
            start = cut
    return batches


@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(batches=deliveries())
async def test_any_permutation_with_duplicates_gives_the_same_final_state(
    session: AsyncSession, batches: list[list[dict[str, Any]]]
) -> None:
    savepoint = await session.begin_nested()
    try:
        (row,) = await make_communications(session, 1)
        cid, row_id = row.communication_id, row.id
        for batch in batches:
            fixed = [{**e, "communication_id": cid, "event_id": e["event_id"].replace("CID", cid)} for e in batch]
            await ReceiptService(session).ingest(ReceiptBatch.model_validate({"events": fixed}))
        session.expire_all()
        stored = await session.get(Communication, row_id)
        assert stored is not None
        expected = {kind: T0 + timedelta(minutes=minutes) for kind, minutes in LIFECYCLE}
        assert stored.sent_at == expected["sent"]
        assert stored.delivered_at == expected["delivered"]
        assert stored.read_at == expected["read"]
        assert stored.clicked_at == expected["clicked"]
        assert stored.converted_at == expected["converted"]
        assert stored.conversion_value_minor == 79900  # the earliest conversion's value, once
        assert stored.opened_at is None and stored.failed_at is None
        unique_ids = {e["event_id"] for batch in batches for e in batch}
        stored_events = await session.scalar(
            select(func.count()).select_from(ReceiptEvent).where(ReceiptEvent.communication_id == cid)
        )
        assert stored_events == len(unique_ids)
    finally:
        await savepoint.rollback()
