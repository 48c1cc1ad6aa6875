"""Tracked links: `{{ link }}` renders as a short signed per-message URL; following it records the
click once (the same exactly-once rule as receipts), sets the message's `clicked` stage — the one
stage provider click receipts set too — and redirects with UTM parameters to the campaign's
destination (the brand's default when unset)."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from reach_receipts import make_communications, post_signed
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from crm.config import DEV_WEBHOOK_SECRET
from crm.dispatch.dispatcher import render_message
from crm.links.tokens import LinkSigner
from crm.messages.claimed import CampaignMessage, ClaimedSend, QueueRow, Recipient
from crm.models import Campaign, Communication, LinkClick

SIGNER = LinkSigner(DEV_WEBHOOK_SECRET, "http://127.0.0.1:8000")


def test_tokens_round_trip_and_refuse_tampering() -> None:
    token = SIGNER.token_for_message(123456)
    target = SIGNER.read(token)
    assert target is not None and target.kind == "m" and target.message_id == 123456
    assert len(SIGNER.url(token)) <= 45
    other = SIGNER.token_for_message(123457)
    assert SIGNER.read(other.split(".")[0] + "." + token.split(".")[1]) is None
    assert SIGNER.read(token[:-1] + ("A" if token[-1] != "A" else "B")) is None
    assert LinkSigner("whsec_other", "http://x").read(token) is None
    test = SIGNER.read(SIGNER.token_for_test(7, 42))
    assert test is not None and (test.kind, test.campaign_id, test.customer_id) == ("t", 7, 42)
    assert SIGNER.read("nonsense") is None


def test_dispatch_renders_the_recipients_link_and_the_campaign_variables() -> None:
    queue = QueueRow(99, "uid-5", 3, None, None, None, 5, "sms", "+919800000000", 0)
    person = Recipient(5, "Asha Rao", None, "+919800000000", "Pune", None, None, False, True, False, False, None)
    body = 'Hi {{ first_name | default: "there" }}! {{ offer }} with {{ coupon_code }}: {{ link }}'
    send = ClaimedSend(queue, person, CampaignMessage(None, body, "10% off", "GLOW10"))
    message = render_message(send, links=SIGNER)
    assert message.body == f"Hi Asha! 10% off with GLOW10: {SIGNER.url(SIGNER.token_for_message(99))}"


async def test_a_click_is_recorded_once_and_redirects_with_utm(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    (row,) = await make_communications(session, 1, channel="sms")
    campaign = await session.get(Campaign, row.campaign_id)
    assert campaign is not None
    campaign.name, campaign.destination_url = "Diwali Lipstick", "https://shop.example.in/diwali?ref=x"
    await session.commit()
    row_id, communication_id, campaign_id = row.id, row.communication_id, campaign.id
    token = SIGNER.token_for_message(row_id)
    for _ in range(3):
        response = await client.get(f"/r/{token}", headers={"Authorization": ""})
        assert response.status_code == 302
    location = urlsplit(response.headers["location"])
    assert (location.netloc, location.path) == ("shop.example.in", "/diwali")
    query = parse_qs(location.query)
    assert query["utm_source"] == ["reach"] and query["utm_medium"] == ["sms"] and query["ref"] == ["x"]
    assert query["utm_campaign"] == [f"diwali-lipstick-{campaign_id}"]
    session.expire_all()
    clicks = (await session.scalars(select(LinkClick))).all()
    assert [(c.token, c.clicks, c.test) for c in clicks] == [(token, 3, False)]
    message = await session.get(Communication, row_id)
    assert message is not None and message.clicked_at is not None
    first_click = message.clicked_at
    # the provider's click receipt for the same message is the same funnel stage, counted once
    receipt = {
        "event_id": "prov-click-1",
        "communication_id": communication_id,
        "type": "clicked",
        "occurred_at": "2099-01-01T00:00:00+00:00",
    }
    assert (await post_signed(client, {"events": [receipt]})).status_code == 200
    stats = (await client.get(f"/api/campaigns/{campaign_id}/stats")).json()
    assert stats["funnel"]["clicked"] == 1
    session.expire_all()
    again = await session.get(Communication, row_id)
    assert again is not None and again.clicked_at == first_click
    links = (await client.get(f"/api/campaigns/{campaign_id}/links")).json()
    assert links == {"clicked": 1, "clicks": 3, "test_clicked": 0, "test_clicks": 0}


async def test_a_link_without_a_campaign_destination_goes_to_the_brand_default(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    (row,) = await make_communications(session, 1)
    await session.commit()
    put = await client.put("/api/settings/brand", json={"destination_url": "https://brand.example.in/"})
    assert put.status_code == 200
    response = await client.get(f"/r/{SIGNER.token_for_message(row.id)}")
    assert response.headers["location"].startswith("https://brand.example.in/?utm_source=reach")


@pytest.mark.parametrize("token", ["m1.AAAAAAAA", "zzz", "t1-1.12345678"])
async def test_a_made_up_link_is_404(client: httpx.AsyncClient, token: str) -> None:
    assert (await client.get(f"/r/{token}")).status_code == 404
