"""Group commit of receipt deliveries (crm.messages.group_commit): concurrent deliveries share one
transaction, and each still gets exactly the outcome it would get alone."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from reach_databases import fresh_database_url
from reach_receipts import make_communications
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from crm.config import DEV_WEBHOOK_SECRET
from crm.db import create_engine, create_sessionmaker
from crm.messages import receipts as repository
from crm.messages.group_commit import GroupCommitter, statement_engine
from crm.messages.receipts import REPLAYED, Applied, Delivery, Events
from crm.models import Communication, ReceiptEvent, WebhookDelivery
from crm.signing import signed_headers
from crm.sql import asyncpg_connection
from crm.webhooks.schemas import ReceiptBatch
from crm.webhooks.service import as_columns

T0 = datetime(2026, 11, 1, 10, 0, tzinfo=UTC)


def event(cid: str, kind: str, minutes: int) -> dict[str, Any]:
    return {
        "event_id": f"{cid}:{kind}:{minutes}",
        "communication_id": cid,
        "type": kind,
        "occurred_at": (T0 + timedelta(minutes=minutes)).isoformat(),
    }


def delivery(webhook_id: str | None, *events: dict[str, Any]) -> Delivery:
    return Delivery(webhook_id, as_columns(ReceiptBatch.model_validate({"events": list(events)}).events))


@pytest.fixture
def groups(monkeypatch: pytest.MonkeyPatch) -> list[list[str | None]]:
    """The webhook-ids of each group transaction, in order (the real apply runs underneath)."""
    seen: list[list[str | None]] = []
    real = repository.apply_deliveries

    async def spy(db: AsyncSession, deliveries: Sequence[Delivery], now: datetime) -> list[Applied]:
        seen.append([d.webhook_id for d in deliveries])
        return await real(db, deliveries, now)

    monkeypatch.setattr(repository, "apply_deliveries", spy)
    return seen


async def stored_event_ids(session: AsyncSession) -> set[str]:
    return set(await session.scalars(select(ReceiptEvent.event_id)))


async def test_concurrent_single_event_requests_share_one_transaction(
    client: httpx.AsyncClient, session: AsyncSession, groups: list[list[str | None]]
) -> None:
    rows = await make_communications(session, 8)
    ids = [row.id for row in rows]
    bodies = [json.dumps({"events": [event(row.communication_id, "delivered", 3)]}).encode() for row in rows]

    async def post(body: bytes) -> httpx.Response:
        return await client.post(
            "/api/webhooks/receipts", content=body, headers=signed_headers(DEV_WEBHOOK_SECRET, body)
        )

    responses = await asyncio.gather(*(post(body) for body in bodies))
    assert [r.status_code for r in responses] == [200] * 8
    assert all(r.json() == {"received": 1, "applied": 1, "duplicates": 0, "unmatched": 0} for r in responses)
    assert sum(len(group) for group in groups) == 8
    assert len(groups) < 8, f"every request had its own transaction: {groups}"
    session.expire_all()
    delivered = list(await session.scalars(select(Communication.delivered_at).where(Communication.id.in_(ids))))
    assert len(delivered) == 8 and all(at is not None for at in delivered)


async def test_a_replay_inside_a_group_gets_its_409_and_changes_nothing_while_the_others_apply(
    session: AsyncSession, sessionmaker: async_sessionmaker[AsyncSession], groups: list[list[str | None]]
) -> None:
    a, b, c = (row.communication_id for row in await make_communications(session, 3))
    committer = GroupCommitter(sessionmaker)
    assert await committer.apply(delivery("msg_before", event(a, "sent", 0))) == Applied(True, 1, 1)
    outcomes = await asyncio.gather(
        committer.apply(delivery("msg_1", event(a, "delivered", 1), event(b, "sent", 0))),
        committer.apply(delivery("msg_before", event(c, "sent", 0))),  # replays an earlier transaction's id
        committer.apply(delivery("msg_1", event(c, "delivered", 1))),  # replays the first of this group
        committer.apply(delivery("msg_2", event(b, "sent", 0), event(c, "read", 9), event("unknown", "sent", 0))),
        committer.apply(delivery(None, event(a, "read", 4))),
    )
    assert groups[1:] == [["msg_1", "msg_before", "msg_1", "msg_2", None]], "the five were not one group"
    assert list(outcomes) == [
        Applied(True, new=2, applied=2),
        REPLAYED,
        REPLAYED,
        Applied(True, new=2, applied=1),  # b's sent came with msg_1 already; the unknown id is kept aside
        Applied(True, new=1, applied=1),
    ]
    assert await stored_event_ids(session) == {
        f"{a}:sent:0",
        f"{a}:delivered:1",
        f"{b}:sent:0",
        f"{c}:read:9",
        "unknown:sent:0",
        f"{a}:read:4",
    }
    session.expire_all()
    communication = (await session.scalars(select(Communication).where(Communication.communication_id == c))).one()
    assert communication.sent_at is None and communication.delivered_at is None and communication.read_at is not None


async def test_a_failing_delivery_fails_alone_and_the_rest_of_its_group_is_applied(
    session: AsyncSession, sessionmaker: async_sessionmaker[AsyncSession], monkeypatch: pytest.MonkeyPatch
) -> None:
    a, b = (row.communication_id for row in await make_communications(session, 2))
    real = repository.apply_deliveries
    tried: list[int] = []

    async def poisoned(db: AsyncSession, deliveries: Sequence[Delivery], now: datetime) -> list[Applied]:
        tried.append(len(deliveries))
        outcomes = await real(db, deliveries, now)  # written, then undone by the rollback
        if any("poison" in d.events.event_id for d in deliveries):
            raise RuntimeError("this delivery cannot be applied")
        return outcomes

    monkeypatch.setattr(repository, "apply_deliveries", poisoned)
    committer = GroupCommitter(sessionmaker)
    outcomes = await asyncio.gather(
        committer.apply(delivery("msg_a", event(a, "sent", 0))),
        committer.apply(delivery("msg_poison", event(a, "delivered", 1) | {"event_id": "poison"})),
        committer.apply(delivery("msg_b", event(b, "sent", 0))),
        return_exceptions=True,
    )
    assert tried == [3, 1, 1, 1], "the group was not retried delivery by delivery"
    assert outcomes[0] == Applied(True, 1, 1) and outcomes[2] == Applied(True, 1, 1)
    assert isinstance(outcomes[1], RuntimeError)
    assert await stored_event_ids(session) == {f"{a}:sent:0", f"{b}:sent:0"}
    session.expire_all()
    row = (await session.scalars(select(Communication).where(Communication.communication_id == a))).one()
    assert row.sent_at is not None and row.delivered_at is None
    # The poisoned delivery's webhook-id was not recorded: the channel service's retry is applied.
    monkeypatch.setattr(repository, "apply_deliveries", real)
    assert await committer.apply(delivery("msg_poison", event(a, "delivered", 1))) == Applied(True, 1, 1)


async def test_two_requests_with_one_webhook_id_at_once_apply_once(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    (row,) = await make_communications(session, 1)
    body = json.dumps({"events": [event(row.communication_id, "sent", 0)]}).encode()
    headers = signed_headers(DEV_WEBHOOK_SECRET, body)
    responses = await asyncio.gather(
        *(client.post("/api/webhooks/receipts", content=body, headers=headers) for _ in range(3))
    )
    assert sorted(r.status_code for r in responses) == [200, 409, 409]
    assert await stored_event_ids(session) == {f"{row.communication_id}:sent:0"}


async def test_a_delivery_queued_as_the_last_group_finishes_is_still_applied(
    session: AsyncSession, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    """The caller of the first apply resumes before the finished group's task is cleaned up; its
    next delivery must start a new group, not wait for the one that has ended."""
    (row,) = await make_communications(session, 1)
    committer = GroupCommitter(sessionmaker)
    assert await committer.apply(delivery("msg_first", event(row.communication_id, "sent", 0))) == Applied(True, 1, 1)
    async with asyncio.timeout(10):  # in this task: a new task would only start after the cleanup
        second = await committer.apply(delivery("msg_second", event(row.communication_id, "delivered", 1)))
    assert second == Applied(True, 1, 1)


async def test_the_served_committer_applies_each_group_committed_and_a_failed_delivery_records_nothing(
    backend: str, tmp_path: Path
) -> None:
    """The committer the app makes at startup: on Postgres each group is one statement,
    autocommitted on the committer's own connections. A group that fails part-way (a NULL that the
    receipts table refuses, after the webhook-ids were recorded in the same statement) leaves
    nothing behind; each delivery is then tried alone."""
    database_url = await fresh_database_url(backend, tmp_path, name="served_committer")
    engine = create_engine(database_url)
    maker = create_sessionmaker(engine)
    async with maker() as session, session.begin():
        a, b = (row.communication_id for row in await make_communications(session, 2))
    committer = GroupCommitter(maker, statement_engine(database_url))
    assert (committer.statements is not None) == (backend == "postgresql")
    unrecordable = Delivery(
        "msg_bad",
        Events(
            event_id=["bad"],
            communication_id=[None],  # type: ignore[list-item]  # what validation would have refused
            type=["sent"],
            occurred_at=[T0],
            value_minor=[None],
            reason=[None],
        ),
    )
    try:
        outcomes = await asyncio.gather(
            committer.apply(delivery("msg_1", event(a, "sent", 0))),
            committer.apply(delivery("msg_1", event(b, "sent", 0))),
            committer.apply(unrecordable),
            committer.apply(delivery("msg_2", event(b, "sent", 0), event("unknown", "sent", 0))),
            return_exceptions=True,
        )
        assert outcomes[0] == Applied(True, 1, 1) and outcomes[1] == REPLAYED
        assert isinstance(outcomes[2], Exception) and "null" in str(outcomes[2]).lower()
        assert outcomes[3] == Applied(True, 2, 1)
        async with maker() as session:  # committed: seen from a connection of the app's own pool
            recorded = set(await session.scalars(select(WebhookDelivery.webhook_id)))
            assert recorded == {"msg_1", "msg_2"}
            assert await stored_event_ids(session) == {f"{a}:sent:0", f"{b}:sent:0", "unknown:sent:0"}
        # Nothing of the failed delivery was kept, its webhook-id included: a corrected retry applies.
        assert await committer.apply(delivery("msg_bad", event(a, "delivered", 1))) == Applied(True, 1, 1)
    finally:
        await committer.aclose()
        await engine.dispose()


async def test_the_served_committer_replaces_a_connection_that_died_while_idle(tmp_path: Path, backend: str) -> None:
    """Its connections are not pinged before use: one the server closed between groups (a
    restart) is replaced at checkout, and the next group applies as if nothing had happened."""
    if backend != "postgresql":
        pytest.skip("an embedded SQLite file has no connection to lose")
    database_url = await fresh_database_url(backend, tmp_path, name="idle_committer")
    engine = create_engine(database_url)
    maker = create_sessionmaker(engine)
    async with maker() as session, session.begin():
        (cid,) = (row.communication_id for row in await make_communications(session, 1))
    committer = GroupCommitter(maker, statement_engine(database_url))
    assert committer.statements is not None
    try:
        assert await committer.apply(delivery("msg_1", event(cid, "sent", 0))) == Applied(True, 1, 1)
        async with committer.statements.connect() as connection:
            idle = await asyncpg_connection(connection)
        closed = asyncio.Event()
        idle.add_termination_listener(lambda _: closed.set())
        async with engine.connect() as admin:
            terminate = text("SELECT pg_terminate_backend(:pid)")
            assert (await admin.execute(terminate, {"pid": idle.get_server_pid()})).scalar()
        async with asyncio.timeout(10):
            await closed.wait()  # the server's goodbye has reached the idle connection
        assert await committer.apply(delivery("msg_2", event(cid, "delivered", 1))) == Applied(True, 1, 1)
        async with committer.statements.connect() as connection:
            assert await asyncpg_connection(connection) is not idle
    finally:
        await committer.aclose()
        await engine.dispose()
