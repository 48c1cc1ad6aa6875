"""Sequences with a fake clock on the shared send queue: conditions on engagement, exits,
versions pinned per contact, rollback, policies that defer, and no doubles across a restart."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from reach_auth import TEST_EMAIL
from reach_dispatch import Clock, FakeChannel
from reach_factories import customer
from reach_receipts import ingest
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from crm.db import utcnow
from crm.dispatch.channel_client import OutboundMessage
from crm.dispatch.dispatcher import Dispatcher
from crm.dispatch.policies import SendPolicy, parse_quiet_hours
from crm.models import Communication, Enrollment, Sequence
from crm.sequences.enrollment import enroll_live_sequences
from crm.sequences.service import SequenceService
from crm.webhooks.schemas import ReceiptBatch

DAY = timedelta(days=1)
PUNE = {"match": "all", "conditions": [{"field": "city", "op": "eq", "value": "Pune"}]}
WINBACK_STEPS = [
    {"channel": "whatsapp", "delay": {"value": 0, "unit": "days"}, "body": "Hi {{ first_name }}, we miss you!"},
    {
        "channel": "email",
        "delay": {"value": 2, "unit": "days"},
        "condition": "if_not_opened_or_read",
        "subject": "Still thinking, {{ first_name }}?",
        "body": "Your favourites are waiting.",
    },
    {
        "channel": "sms",
        "delay": {"value": 3, "unit": "days"},
        "condition": "if_not_converted",
        "body": "20% off today only: SUGAR20",
    },
]
EVERYONE_CONSENTS = {"email": True, "sms": True, "whatsapp": True, "rcs": True}

C = Communication


async def people(client: httpx.AsyncClient, n: int, city: str = "Pune", first: int = 0) -> list[str]:
    records = [customer(city=city, name=f"P{first + i} Test", consent=EVERYONE_CONSENTS) for i in range(n)]
    assert (await client.post("/api/ingest", json={"customers": records})).status_code == 200
    return [r["external_id"] for r in records]


async def create(client: httpx.AsyncClient, steps: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    response = await client.post(
        "/api/sequences", json={"name": "Win-back", "filter": PUNE, "steps": steps or WINBACK_STEPS}
    )
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


def worker(maker: async_sessionmaker[AsyncSession], channel: FakeChannel, clock: Clock, **kw: Any) -> Dispatcher:
    return Dispatcher(
        maker=maker,
        client=channel,
        callback_url="http://crm.test/api/webhooks/receipts",
        clock=clock,
        batch_size=50,
        **kw,
    )


async def receipt(session: AsyncSession, communication_id: str, kind: str, at: datetime, **extra: Any) -> None:
    event = {
        "event_id": f"{communication_id}:{kind}",
        "communication_id": communication_id,
        "type": kind,
        "occurred_at": at.isoformat(),
        **extra,
    }
    await ingest(session, ReceiptBatch.model_validate({"events": [event]}))


@dataclass(frozen=True)
class Row:
    communication_id: str
    state: str
    channel: str
    due_at: datetime
    deferred_reason: str | None


async def step_rows(session: AsyncSession, index: int) -> list[Row]:
    """A step's sends as plain values (no ORM objects that could expire under the test)."""
    result = await session.execute(
        select(C.communication_id, C.state, C.channel, C.due_at, C.deferred_reason)
        .where(C.step_index == index)
        .order_by(C.customer_id)
    )
    return [Row(*r) for r in result]


async def test_three_step_winback_branches_on_engagement_and_exits_converters(
    client: httpx.AsyncClient, session: AsyncSession, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    await people(client, 4)
    sequence = await create(client)
    assert sequence["status"] == "draft" and sequence["version"] == 1 and sequence["audience_count"] == 4
    assert sequence["timeline"][1] == "Step 2: email 2 days later, if they haven't opened or read anything yet"
    assert (await client.post(f"/api/sequences/{sequence['id']}/launch")).status_code == 200
    again = await client.post(f"/api/sequences/{sequence['id']}/launch")
    assert again.status_code == 409

    channel, clock = FakeChannel(), Clock()
    dispatcher = worker(sessionmaker, channel, clock)
    assert (await dispatcher.dispatch_once()).dispatched == 4
    first = await step_rows(session, 0)
    assert [r.state for r in first] == ["dispatched"] * 4 and {r.channel for r in first} == {"whatsapp"}
    second = await step_rows(session, 1)
    assert len(second) == 4 and all(r.due_at == clock.now + 2 * DAY for r in second)

    # Two contacts read the WhatsApp message before step 2 comes due.
    for row in first[:2]:
        await receipt(session, row.communication_id, "read", clock.now + timedelta(hours=1))
    clock.now += DAY
    assert (await dispatcher.dispatch_once()).claimed == 0  # step 2 is not due yet
    clock.now += DAY + timedelta(seconds=1)
    outcome = await dispatcher.dispatch_once()
    assert (outcome.dispatched, outcome.skipped) == (2, 2)
    second = await step_rows(session, 1)
    assert [r.state for r in second] == ["skipped", "skipped", "dispatched", "dispatched"]
    assert {m.channel for m in channel.played.values()} == {"whatsapp", "email"}
    assert next(m for m in channel.played.values() if m.channel == "email").subject == "Still thinking, P2?"

    # The third contact buys after the email; exit_on_conversion takes them out before the SMS.
    await receipt(session, second[2].communication_id, "converted", clock.now + timedelta(hours=3), value=999.0)
    clock.now += 3 * DAY + timedelta(seconds=1)
    outcome = await dispatcher.dispatch_once()
    assert (outcome.dispatched, outcome.cancelled) == (3, 1)
    third = await step_rows(session, 2)
    assert [r.state for r in third] == ["dispatched", "dispatched", "cancelled", "dispatched"]

    stats = (await client.get(f"/api/sequences/{sequence['id']}/stats")).json()
    assert stats["enrollments"] == {"completed": 3, "exited_converted": 1}
    steps = stats["steps"]
    assert [(s["entered"], s["sent"], s["skipped"], s["cancelled"]) for s in steps] == [
        (4, 4, 0, 0),
        (4, 2, 2, 0),
        (4, 3, 0, 1),
    ]
    assert steps[1]["funnel"]["converted"] == 1 and stats["revenue"] == 999.0
    assert steps[0]["funnel"]["read"] == 2


async def test_edit_while_live_keeps_contacts_on_their_version_and_rollback_restores(
    client: httpx.AsyncClient, session: AsyncSession, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    await people(client, 2)
    sequence = await create(client)
    await client.post(f"/api/sequences/{sequence['id']}/launch")
    channel, clock = FakeChannel(), Clock()
    dispatcher = worker(sessionmaker, channel, clock)
    await dispatcher.dispatch_once()

    edited = [dict(s) for s in (await client.get(f"/api/sequences/{sequence['id']}")).json()["steps"]]
    edited[1] = {**edited[1], "delay": {"value": 1, "unit": "days"}, "channel": "sms", "subject": None}
    patched = await client.patch(f"/api/sequences/{sequence['id']}", json={"steps": edited, "edited_by": "meera"})
    assert patched.status_code == 200, patched.text
    assert patched.json()["version"] == 2
    versions = (await client.get(f"/api/sequences/{sequence['id']}/versions")).json()
    assert [v["version"] for v in versions] == [1, 2]
    assert versions[1]["created_by"] == TEST_EMAIL  # the signed-in operator
    assert versions[1]["changes"] == [
        "step 2 delay: 2 days → 1 day",
        "step 2 channel: email → SMS",
        "step 2 subject: “Still thinking, {{ first_name }}?” → “”",
    ]
    assert versions[0]["contacts"] == 2 and versions[1]["contacts"] == 0
    diff = (await client.get(f"/api/sequences/{sequence['id']}/diff", params={"from": 1, "to": 2})).json()
    assert diff["changes"] == versions[1]["changes"]

    # A new entrant joins on the latest version; the two already inside stay on version 1.
    await people(client, 1)
    live = await session.get(Sequence, sequence["id"])
    assert live is not None
    await SequenceService(session).enroll_new(live)
    await session.flush()
    clock.now = utcnow()
    await dispatcher.dispatch_once()
    enrollments = (await session.scalars(select(Enrollment).order_by(Enrollment.id))).all()
    assert [e.version for e in enrollments] == [1, 1, 2]
    second = await step_rows(session, 1)
    assert [r.channel for r in second] == ["email", "email", "sms"]
    assert second[2].due_at == clock.now + DAY
    rolled = (await client.post(f"/api/sequences/{sequence['id']}/rollback", json={"version": 1})).json()
    assert rolled["version"] == 3
    assert [s["channel"] for s in rolled["steps"]] == ["whatsapp", "email", "sms"]
    assert rolled["steps"][1]["delay"] == {"value": 2, "unit": "days"}
    history = (await client.get(f"/api/sequences/{sequence['id']}/versions")).json()
    assert history[2]["changes"][0] == "rolled back to version 1"
    bad = await client.post(f"/api/sequences/{sequence['id']}/rollback", json={"version": 9})
    assert bad.status_code == 404


async def test_quiet_hours_and_the_frequency_cap_defer_and_never_drop(
    client: httpx.AsyncClient, session: AsyncSession, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    await people(client, 2)
    sequence = await create(client, WINBACK_STEPS[:1])
    await client.post(f"/api/sequences/{sequence['id']}/launch")
    ist = ZoneInfo("Asia/Kolkata")
    policy = SendPolicy(timezone=ist, quiet=parse_quiet_hours("21:00-09:00"), cap=1, window=DAY)
    channel, clock = FakeChannel(), Clock()
    clock.now = datetime(2026, 11, 21, 22, 30, tzinfo=ist).astimezone(UTC) + timedelta(days=365)
    dispatcher = worker(sessionmaker, channel, clock, policy=policy)
    outcome = await dispatcher.dispatch_once()
    assert (outcome.deferred, outcome.dispatched) == (2, 0)
    rows = await step_rows(session, 0)
    morning = datetime(2027, 11, 22, 9, 0, tzinfo=ist)
    assert all(r.state == "queued" and r.due_at == morning and r.deferred_reason == "quiet_hours" for r in rows)
    clock.now = morning.astimezone(UTC) + timedelta(seconds=1)
    assert (await dispatcher.dispatch_once()).dispatched == 2

    # A campaign to the same people an hour later waits for the cap's window to pass.
    campaign = (
        await client.post(
            "/api/campaigns",
            json={"name": "flash sale", "filter": PUNE, "channel": "sms", "message": {"body": "Flash sale!"}},
        )
    ).json()
    await client.post(f"/api/campaigns/{campaign['id']}/launch")
    await session.execute(
        update(Communication).where(Communication.campaign_id == campaign["id"]).values(due_at=clock.now)
    )
    clock.now += timedelta(hours=1)
    outcome = await dispatcher.dispatch_once()
    assert (outcome.deferred, outcome.dispatched) == (2, 0)
    stats = (await client.get(f"/api/sequences/{sequence['id']}/stats")).json()
    assert stats["steps"][0]["deferred"] == 2 and stats["steps"][0]["sent"] == 2
    clock.now += DAY
    assert (await dispatcher.dispatch_once()).dispatched == 2
    assert len(channel.played) == 4


async def test_no_step_is_sent_or_scheduled_twice_across_a_worker_restart(
    client: httpx.AsyncClient, session: AsyncSession, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    await people(client, 3)
    sequence = await create(client)
    await client.post(f"/api/sequences/{sequence['id']}/launch")
    channel, clock = FakeChannel(), Clock()

    class DiesAfterSending(FakeChannel):
        async def send(self, callback_url: str, messages: list[OutboundMessage]) -> dict[str, Any]:
            await channel.send(callback_url, messages)
            raise asyncio.CancelledError

    with pytest.raises(asyncio.CancelledError):
        await worker(sessionmaker, DiesAfterSending(), clock, claim_ttl_seconds=30).dispatch_once()
    assert await step_rows(session, 1) == []  # nothing acknowledged, so nothing advanced
    clock.now += timedelta(seconds=31)
    survivor = worker(sessionmaker, channel, clock, claim_ttl_seconds=30)
    assert (await survivor.dispatch_once()).dispatched == 3
    assert (await survivor.dispatch_once()).claimed == 0
    assert len(channel.played) == 3 and sum(len(b) for b in channel.batches) == 6
    second = await step_rows(session, 1)
    assert len(second) == 3 and len({r.communication_id for r in second}) == 3


async def test_bad_sequences_are_rejected_with_the_field(client: httpx.AsyncClient) -> None:
    no_steps = await client.post("/api/sequences", json={"name": "x", "filter": PUNE, "steps": []})
    assert no_steps.status_code == 422
    bad_var = await client.post(
        "/api/sequences", json={"name": "x", "filter": PUNE, "steps": [{"channel": "sms", "body": "Hi {{ nickname }}"}]}
    )
    assert bad_var.status_code == 422 and bad_var.json()["detail"][0]["loc"] == ["body", "steps", 0, "body"]
    no_subject = await client.post(
        "/api/sequences", json={"name": "x", "filter": PUNE, "steps": [{"channel": "email", "body": "Hi"}]}
    )
    assert no_subject.status_code == 422 and no_subject.json()["detail"][0]["loc"][-1] == "subject"
    bad_condition = await client.post(
        "/api/sequences",
        json={"name": "x", "filter": PUNE, "steps": [{"channel": "sms", "body": "Hi", "condition": "if_bored"}]},
    )
    assert bad_condition.status_code == 422


async def enrollment_rows(session: AsyncSession) -> list[tuple[int, int, str]]:
    """(customer id, version, status) of every enrollment, in order of joining."""
    result = await session.execute(
        select(Enrollment.customer_id, Enrollment.version, Enrollment.status).order_by(Enrollment.id)
    )
    return [(int(c), int(v), str(s)) for c, v, s in result]


async def edit_step_2_to_sms_next_day(client: httpx.AsyncClient, sequence_id: int) -> None:
    steps = [dict(s) for s in (await client.get(f"/api/sequences/{sequence_id}")).json()["steps"]]
    steps[1] = {**steps[1], "delay": {"value": 1, "unit": "days"}, "channel": "sms", "subject": None}
    assert (await client.patch(f"/api/sequences/{sequence_id}", json={"steps": steps})).status_code == 200


async def test_an_enrollment_pass_adds_newcomers_on_the_current_version_and_nobody_twice(
    client: httpx.AsyncClient, session: AsyncSession, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    await people(client, 2)
    sequence = await create(client)
    await client.post(f"/api/sequences/{sequence['id']}/launch")
    await edit_step_2_to_sms_next_day(client, sequence["id"])  # version 2
    await people(client, 1, first=2)  # matches the audience after launch
    await people(client, 1, city="Mumbai")  # does not match

    assert await enroll_live_sequences(sessionmaker, 1.0) == {sequence["id"]: 1}
    assert await enroll_live_sequences(sessionmaker, 1.0) == {sequence["id"]: 0}
    enrolled = await enrollment_rows(session)
    assert [(v, s) for _, v, s in enrolled] == [(1, "active"), (1, "active"), (2, "active")]
    assert len({c for c, _, _ in enrolled}) == 3
    first = await step_rows(session, 0)
    assert len(first) == 3 and len({r.communication_id for r in first}) == 3

    # The newcomer gets version 2's steps; a finished contact is not enrolled again either.
    channel, clock = FakeChannel(), Clock()
    dispatcher = worker(sessionmaker, channel, clock)
    assert (await dispatcher.dispatch_once()).dispatched == 3
    assert [r.channel for r in await step_rows(session, 1)] == ["email", "email", "sms"]
    await session.execute(update(Enrollment).values(status="completed"))
    assert await enroll_live_sequences(sessionmaker, 1.0) == {sequence["id"]: 0}
    draft = await create(client)
    assert draft["id"] not in await enroll_live_sequences(sessionmaker, 1.0)  # drafts enroll nobody

    # A live sequence that lost its audience is logged and passed over; the others still enroll.
    broken = await create(client)
    await client.post(f"/api/sequences/{broken['id']}/launch")
    await session.execute(update(Sequence).where(Sequence.id == broken["id"]).values(filter=None))
    await people(client, 1, first=3)
    assert await enroll_live_sequences(sessionmaker, 1.0) == {sequence["id"]: 1}


async def test_withdrawing_consent_for_a_later_steps_channel_exits_without_sending(
    client: httpx.AsyncClient, session: AsyncSession, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    ids = await people(client, 2)
    sequence = await create(client)
    await client.post(f"/api/sequences/{sequence['id']}/launch")
    channel, clock = FakeChannel(), Clock()
    dispatcher = worker(sessionmaker, channel, clock)
    assert (await dispatcher.dispatch_once()).dispatched == 2
    clock.now += 2 * DAY + timedelta(seconds=1)
    assert (await dispatcher.dispatch_once()).dispatched == 2  # nobody read: both get the email

    # P0 replies STOP to SMS (their record is re-ingested without SMS consent) before step 3 is due.
    withdrawn = customer(external_id=ids[0], city="Pune", name="P0 Test", consent={**EVERYONE_CONSENTS, "sms": False})
    assert (await client.post("/api/ingest", json={"customers": [withdrawn]})).status_code == 200
    clock.now += 3 * DAY + timedelta(seconds=1)
    outcome = await dispatcher.dispatch_once()
    assert (outcome.dispatched, outcome.cancelled, outcome.skipped) == (1, 1, 0)
    third = await step_rows(session, 2)
    assert [r.state for r in third] == ["cancelled", "dispatched"]
    assert third[0].communication_id not in channel.played
    assert [s for _, _, s in await enrollment_rows(session)] == ["exited_no_consent", "completed"]
    stats = (await client.get(f"/api/sequences/{sequence['id']}/stats")).json()
    assert stats["enrollments"] == {"completed": 1, "exited_no_consent": 1}
    assert (stats["steps"][2]["sent"], stats["steps"][2]["cancelled"]) == (1, 1)


async def test_after_a_rollback_a_new_entrant_gets_the_restored_steps(
    client: httpx.AsyncClient, session: AsyncSession, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    await people(client, 1)
    sequence = await create(client)
    await client.post(f"/api/sequences/{sequence['id']}/launch")
    await edit_step_2_to_sms_next_day(client, sequence["id"])  # version 2
    await people(client, 1, first=1)
    await enroll_live_sequences(sessionmaker, 1.0)  # joins on version 2
    rolled = await client.post(f"/api/sequences/{sequence['id']}/rollback", json={"version": 1})
    assert rolled.json()["version"] == 3
    await people(client, 1, first=2)
    assert await enroll_live_sequences(sessionmaker, 1.0) == {sequence["id"]: 1}
    assert [v for _, v, _ in await enrollment_rows(session)] == [1, 2, 3]

    channel, clock = FakeChannel(), Clock()
    dispatcher = worker(sessionmaker, channel, clock)
    assert (await dispatcher.dispatch_once()).dispatched == 3
    second = await step_rows(session, 1)
    assert [(r.channel, r.due_at - clock.now) for r in second] == [("email", 2 * DAY), ("sms", DAY), ("email", 2 * DAY)]
    clock.now += 2 * DAY + timedelta(seconds=1)
    await dispatcher.dispatch_once()
    restored = channel.played[second[2].communication_id]
    assert (restored.channel, restored.subject) == ("email", "Still thinking, P2?")


async def test_an_if_not_clicked_step_skips_whoever_clicked_and_sends_the_rest(
    client: httpx.AsyncClient, session: AsyncSession, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    steps = [
        {"channel": "whatsapp", "delay": {"value": 0, "unit": "days"}, "body": "New arrivals, {{ first_name }}"},
        {"channel": "sms", "delay": {"value": 1, "unit": "days"}, "condition": "if_not_clicked", "body": "Last call"},
    ]
    await people(client, 3)
    sequence = await create(client, steps)
    assert (await client.post(f"/api/sequences/{sequence['id']}/launch")).status_code == 200
    channel, clock = FakeChannel(), Clock()
    dispatcher = worker(sessionmaker, channel, clock)
    assert (await dispatcher.dispatch_once()).dispatched == 3
    first = await step_rows(session, 0)
    await receipt(session, first[0].communication_id, "clicked", clock.now + timedelta(hours=1))
    await receipt(session, first[1].communication_id, "read", clock.now + timedelta(hours=1))  # read, no click
    clock.now += DAY + timedelta(seconds=1)  # the third contact did nothing at all
    outcome = await dispatcher.dispatch_once()
    assert (outcome.dispatched, outcome.skipped) == (2, 1)
    assert [r.state for r in await step_rows(session, 1)] == ["skipped", "dispatched", "dispatched"]
