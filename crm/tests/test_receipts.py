from __future__ import annotations

import asyncio
import random
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from reach_databases import fresh_database_url
from reach_receipts import ingest, make_communications, post_signed
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from crm.analytics.service import AnalyticsService
from crm.db import create_engine, create_sessionmaker
from crm.errors import Conflict
from crm.messages.group_commit import GroupCommitter
from crm.messages.lifecycle import FUNNEL_STAGES, status_of
from crm.models import Campaign, Communication, ReceiptEvent
from crm.models.communication import LIFECYCLE_TYPES
from crm.webhooks.schemas import ReceiptBatch, ReceiptResult
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


async def test_time_series_counts_each_message_once_per_stage_at_its_first_receipt(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    first, second = await make_communications(session, 2)
    a, b = first.communication_id, second.communication_id
    events = [
        event(a, "sent", 0),
        event(a, "delivered", 1),
        event(a, "clicked", 70),  # a second click, arriving first: the message was clicked at minute 9
        event(a, "clicked", 9),
        event(b, "sent", 2),
        event(b, "delivered", 80),  # reordered: minute 65 is the earliest delivery receipt
        event(b, "delivered", 65),
    ]
    assert (await post_signed(client, {"events": events})).json()["applied"] == 7
    stats = (await client.get(f"/api/campaigns/{first.campaign_id}/stats")).json()
    assert stats["bucket_seconds"] == 60  # minutes 0 to 65 fit in 72 one-minute buckets
    series = {p["at"]: p["counts"] for p in stats["timeseries"]}
    at = {minute: (T0 + timedelta(minutes=minute)).isoformat().replace("+00:00", "Z") for minute in (0, 1, 2, 9, 65)}
    assert series == {
        at[0]: {"sent": 1},
        at[1]: {"delivered": 1},
        at[2]: {"sent": 1},
        at[9]: {"clicked": 1},
        at[65]: {"delivered": 1},
    }
    totals = Counter[str]()
    for counts in series.values():
        totals.update(counts)
    # The running totals end where the lifecycle timestamps are: a message counted once per stage.
    assert totals == {"sent": 2, "delivered": 2, "clicked": 1}


async def test_invalid_batches_are_422_naming_the_field(client: httpx.AsyncClient) -> None:
    empty = await post_signed(client, {"events": []})
    assert empty.status_code == 422 and empty.json()["detail"][0]["loc"] == ["body", "events"]
    bad_type = await post_signed(client, {"events": [event("x", "bounced-ish", 0)]})
    assert bad_type.status_code == 422 and bad_type.json()["detail"][0]["loc"][:3] == ["body", "events", 0]
    naive = await post_signed(client, {"events": [{**event("x", "sent", 0), "occurred_at": "2026-01-01T00:00:00"}]})
    assert naive.status_code == 422


PATHS = {
    "email": ("sent", "delivered", "opened", "clicked", "converted"),
    "whatsapp": ("sent", "delivered", "read", "clicked", "converted"),
    "rcs": ("sent", "delivered", "read", "clicked", "converted"),
    "sms": ("sent", "delivered", "clicked", "converted"),
}
ORDER = ("converted", "clicked", "read", "opened", "delivered", "failed", "sent")


@dataclass
class Lifecycle:
    """One message's true path, the receipts that reach the CRM (some lost), and their times."""

    channel: str
    path: tuple[str, ...]
    received: dict[str, int]  # event type -> minutes after T0 of its first report

    def reached(self) -> set[str]:
        """Ground truth for the funnel: every stage up to the furthest one reported."""
        furthest = max(self.path.index(kind) for kind in self.received)
        return set(self.path[: furthest + 1])

    def status(self) -> str:
        return next(kind for kind in ORDER if kind in self.received)


@st.composite
def lifecycles(draw: st.DrawFn) -> Lifecycle:
    channel = draw(st.sampled_from(sorted(PATHS)))
    full = PATHS[channel]
    if draw(st.booleans()) and draw(st.booleans()):
        path: tuple[str, ...] = ("sent", "failed")
    else:
        path = full[: draw(st.integers(1, len(full)))]
    minutes = sorted(draw(st.lists(st.integers(0, 600), min_size=len(path), max_size=len(path), unique=True)))
    # Receipts may be lost upstream, but the furthest stage is always reported.
    kept = [kind for kind in path[:-1] if draw(st.integers(0, 4)) > 0] + [path[-1]]
    return Lifecycle(channel, path, {kind: minutes[path.index(kind)] for kind in kept})


def reports(draw: st.DrawFn, cid: str, life: Lifecycle) -> list[dict[str, Any]]:
    """Each received event 1-3 times (same event_id), sometimes also a later second report."""
    extra = {"converted": {"value": 799.0}, "failed": {"reason": "blocked"}}
    later = {"converted": {"value": 5.0}, "failed": {"reason": "invalid_number"}}
    events: list[dict[str, Any]] = []
    for kind, minutes in life.received.items():
        events += [event(cid, kind, minutes, **extra.get(kind, {}))] * draw(st.integers(1, 3))
        if draw(st.booleans()):
            events.append(event(cid, kind, minutes + draw(st.integers(1, 50)), **later.get(kind, {})))
    return events


@st.composite
def deliveries(draw: st.DrawFn) -> tuple[list[Lifecycle], list[list[dict[str, Any]]]]:
    """Lifecycles of 1-4 messages; all their reports shuffled together and split into batches.
    Communication ids are placeholders (CID0, CID1, …) replaced by real ones in the test."""
    lives = draw(st.lists(lifecycles(), min_size=1, max_size=4))
    events = [e for i, life in enumerate(lives) for e in reports(draw, f"CID{i}", life)]
    order = draw(st.permutations(events))
    cuts = sorted(draw(st.lists(st.integers(1, max(1, len(order) - 1)), max_size=3, unique=True)))
    batches, start = [], 0
    for cut in [*cuts, len(order)]:
        if cut > start:
            batches.append(order[start:cut])
            start = cut
    return lives, batches


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(case=deliveries())
async def test_any_permutation_with_duplicates_gives_the_same_final_state_and_funnel(
    session: AsyncSession, case: tuple[list[Lifecycle], list[list[dict[str, Any]]]]
) -> None:
    lives, batches = case
    savepoint = await session.begin_nested()
    try:
        rows = await make_communications(session, len(lives))
        for row, life in zip(rows, lives, strict=True):
            row.channel = life.channel
        await session.flush()
        cids = {f"CID{i}": row.communication_id for i, row in enumerate(rows)}
        row_ids, campaign_id = [row.id for row in rows], rows[0].campaign_id

        def real(value: str) -> str:
            placeholder = value.split(":", 1)[0]
            return value.replace(placeholder, cids[placeholder], 1)

        for batch in batches:
            fixed = [
                {**e, "communication_id": real(e["communication_id"]), "event_id": real(e["event_id"])} for e in batch
            ]
            await ingest(session, ReceiptBatch.model_validate({"events": fixed}))
        session.expire_all()
        for row_id, life in zip(row_ids, lives, strict=True):
            stored = await session.get(Communication, row_id)
            assert stored is not None
            for kind in LIFECYCLE_TYPES:  # each timestamp is its type's earliest report, or unset
                expected = T0 + timedelta(minutes=life.received[kind]) if kind in life.received else None
                assert getattr(stored, f"{kind}_at") == expected, kind
            converted = "converted" in life.received
            assert stored.conversion_value_minor == (79900 if converted else None)  # the earliest value, once
            assert stored.failure_reason == ("blocked" if "failed" in life.received else None)
            assert status_of(stored) == life.status()
        campaign = await session.get(Campaign, campaign_id)
        assert campaign is not None
        stats = await AnalyticsService(session).campaign_stats(campaign)
        truth = {stage: sum(stage in life.reached() for life in lives) for stage in FUNNEL_STAGES}
        assert stats.funnel.model_dump() == truth
        assert stats.revenue == 799.0 * sum("converted" in life.received for life in lives)
        statuses = Counter(life.status() for life in lives)
        assert stats.statuses == dict(statuses)
        for channel in stats.per_channel:  # monotone on every channel
            f = channel.funnel
            seen = {"email": f.opened, "whatsapp": f.read, "rcs": f.read, "sms": f.clicked}[channel.channel]
            assert f.sent >= f.delivered >= seen >= f.clicked >= f.converted
        unique_ids = {real(e["event_id"]) for batch in batches for e in batch}
        stored_events = await session.scalar(
            select(func.count()).select_from(ReceiptEvent).where(ReceiptEvent.communication_id.in_(cids.values()))
        )
        assert stored_events == len(unique_ids)
    finally:
        await savepoint.rollback()


async def test_a_customers_communications_show_the_furthest_stage_each_reached(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    clicked, failed, _never_heard_of = await make_communications(session, 3)
    customer_id, campaign_id = clicked.customer_id, clicked.campaign_id
    events = [
        event(clicked.communication_id, "sent", 0),
        event(clicked.communication_id, "clicked", 9),  # its delivered/read receipts were lost
        event(failed.communication_id, "sent", 0),
        event(failed.communication_id, "failed", 1, reason="blocked"),
    ]
    assert (await post_signed(client, {"events": events})).status_code == 200
    history = await client.get(f"/api/customers/{customer_id}/communications")
    assert history.status_code == 200
    (only,) = history.json()
    assert (only["communication_id"], only["status"]) == (clicked.communication_id, "clicked")
    assert only["sent_at"] is not None and only["read_at"] is None
    assert only["status_at"] == only["clicked_at"]  # when it reached its status
    stats = (await client.get(f"/api/campaigns/{campaign_id}/stats")).json()
    assert stats["statuses"] == {"clicked": 1, "failed": 1, "dispatched": 1}
    assert stats["funnel"] == {
        "sent": 2,
        "delivered": 1,
        "opened": 0,
        "read": 1,
        "clicked": 1,
        "converted": 0,
        "failed": 1,
    }
    assert (await client.get("/api/customers/999999/communications")).status_code == 404
    too_many = await client.get(f"/api/customers/{customer_id}/communications", params={"limit": 501})
    assert too_many.status_code == 422 and too_many.json()["detail"][0]["loc"] == ["query", "limit"]


async def test_a_replayed_webhook_id_writes_nothing_even_in_the_same_transaction(session: AsyncSession) -> None:
    """The delivery record gates the whole statement: a replay is refused before any event is
    stored, not only undone by the request's rollback."""
    (row,) = await make_communications(session, 1)
    cid, row_id = row.communication_id, row.id
    first = ReceiptBatch.model_validate({"events": [event(cid, "sent", 0)]})
    assert (await ingest(session, first, webhook_id="msg_once")).applied == 1
    replay = ReceiptBatch.model_validate({"events": [event(cid, "delivered", 1), event(cid, "read", 2)]})
    with pytest.raises(Conflict):
        await ingest(session, replay, webhook_id="msg_once")
    stored = await session.scalar(
        select(func.count()).select_from(ReceiptEvent).where(ReceiptEvent.communication_id == cid)
    )
    assert stored == 1
    session.expire_all()
    communication = await session.get(Communication, row_id)
    assert communication is not None and communication.delivered_at is None and communication.read_at is None


async def test_concurrent_overlapping_batches_neither_deadlock_nor_lose_the_earliest_time(
    backend: str, tmp_path: Path
) -> None:
    """Eight batches at once, each touching every communication in its own shuffled order: each
    batch locks its rows in one order, so none deadlocks, and every row ends with the earliest
    time (and that event's value) of all the batches."""
    engine = create_engine(await fresh_database_url(backend, tmp_path, name="receipts_race"))
    maker = create_sessionmaker(engine)
    try:
        async with maker() as session, session.begin():
            cids = [row.communication_id for row in await make_communications(session, 40)]
        rng = random.Random(5)
        minutes = {(cid, kind): rng.sample(range(1000), 8) for cid in cids for kind in ("delivered", "converted")}
        batches: list[list[dict[str, Any]]] = []
        for b in range(8):
            events = [
                event(cid, kind, at[b], value=float(b + 1)) | {"event_id": f"{cid}:{kind}:{b}"}
                for (cid, kind), at in minutes.items()
            ]
            rng.shuffle(events)
            batches.append(events)

        async def post(b: int) -> ReceiptResult:
            # A committer each: eight transactions at once, not one group.
            batch = ReceiptBatch.model_validate({"events": batches[b]})
            return await ReceiptService(GroupCommitter(maker)).ingest(batch, webhook_id=f"msg_race_{b}")

        results = await asyncio.gather(*(post(b) for b in range(len(batches))))
        assert sum(r.applied for r in results) == 8 * 80
        async with maker() as session:
            rows = {c.communication_id: c for c in await session.scalars(select(Communication))}
        for cid in cids:
            for kind in ("delivered", "converted"):
                first = min(range(8), key=lambda b: minutes[cid, kind][b])  # the batch with the earliest time
                assert getattr(rows[cid], f"{kind}_at") == T0 + timedelta(minutes=minutes[cid, kind][first])
                if kind == "converted":
                    assert rows[cid].conversion_value_minor == (first + 1) * 100
    finally:
        await engine.dispose()
