"""communications has no foreign keys (migration 0016): the application keeps every send's
customer, campaign, sequence and enrollment in existence. After a launch, its dispatch and a
sequence playing out, no send points at a missing row."""

from __future__ import annotations

from datetime import timedelta

import httpx
from reach_dispatch import Clock, FakeChannel
from reach_factories import customer
from sqlalchemy import exists, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from crm.db import utcnow
from crm.dispatch.dispatcher import Dispatcher
from crm.models import Campaign, Communication, Customer, Enrollment, Sequence

C = Communication
PUNE = {"match": "all", "conditions": [{"field": "city", "op": "eq", "value": "Pune"}]}
CONSENTS = {"email": True, "sms": True, "whatsapp": True, "rcs": True}
STEPS = [
    {"channel": "whatsapp", "delay": {"value": 0, "unit": "days"}, "body": "Hi {{ first_name }}"},
    {"channel": "email", "delay": {"value": 1, "unit": "days"}, "subject": "Still there?", "body": "Hello again"},
]


async def orphaned_sends(session: AsyncSession) -> int:
    """Sends whose customer, campaign, sequence or enrollment does not exist."""
    missing = or_(
        ~exists().where(Customer.id == C.customer_id),
        C.campaign_id.is_not(None) & ~exists().where(Campaign.id == C.campaign_id),
        C.sequence_id.is_not(None) & ~exists().where(Sequence.id == C.sequence_id),
        C.enrollment_id.is_not(None) & ~exists().where(Enrollment.id == C.enrollment_id),
    )
    return int(await session.scalar(select(func.count()).select_from(C).where(missing)) or 0)


async def test_no_send_is_orphaned_after_launch_dispatch_and_a_sequence(
    client: httpx.AsyncClient, session: AsyncSession, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    people = [customer(city="Pune", name=f"P{i} Test", consent=CONSENTS) for i in range(6)]
    assert (await client.post("/api/ingest", json={"customers": people})).status_code == 200
    campaign = (
        await client.post(
            "/api/campaigns",
            json={"name": "integrity", "filter": PUNE, "channel": "sms", "message": {"body": "Hi {{ name }}"}},
        )
    ).json()
    assert (await client.post(f"/api/campaigns/{campaign['id']}/launch")).status_code == 200
    sequence = (await client.post("/api/sequences", json={"name": "journey", "filter": PUNE, "steps": STEPS})).json()
    assert (await client.post(f"/api/sequences/{sequence['id']}/launch")).status_code == 200

    clock = Clock()
    dispatcher = Dispatcher(
        maker=sessionmaker, client=FakeChannel(), callback_url="http://crm.test/receipts", clock=clock, batch_size=5
    )
    for _ in range(2):
        while (await dispatcher.dispatch_once()).claimed:
            pass
        clock.now += timedelta(days=1, seconds=1)

    kinds = dict(
        (await session.execute(select(C.campaign_id.is_(None), func.count()).group_by(C.campaign_id.is_(None)))).all()
    )
    assert kinds == {False: 6, True: 12}  # six campaign sends, two steps for six contacts
    assert await orphaned_sends(session) == 0


async def test_the_orphan_check_sees_a_send_without_its_customer(session: AsyncSession) -> None:
    """Also: nothing in the database refuses such a row any more, so the check is the guard."""
    orphan = C(communication_id="orphan-1", customer_id=987_654_321, channel="sms", to_address="+1", due_at=utcnow())
    session.add(orphan)
    await session.flush()
    assert await orphaned_sends(session) == 1
