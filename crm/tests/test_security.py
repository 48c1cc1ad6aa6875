"""Hostile input and webhook hardening: size limits, headers, rate limits, replays, rotation,
and the audit trail of who drafted, edited, approved and launched."""

from __future__ import annotations

import base64
import csv
import io
import json
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from liquid.exceptions import ResourceLimitError
from reach_auth import TEST_EMAIL, operator_with_token
from reach_factories import customer
from reach_receipts import make_communications
from sqlalchemy.ext.asyncio import AsyncSession

from crm.config import DEV_WEBHOOK_SECRET, Settings
from crm.csv_safety import FORMULA_PREFIXES, safe_cell
from crm.main import create_app, use_sessionmaker
from crm.signing import signed_headers
from crm.templating import SAMPLE_CONTEXT, check_template, render

NEW_SECRET = "whsec_" + base64.b64encode(b"a-brand-new-webhook-secret-2026!").decode()


async def test_security_headers_on_api_responses(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/health")
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["x-frame-options"] == "DENY"
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]


async def test_api_docs_get_a_looser_policy_that_still_forbids_framing(client: httpx.AsyncClient) -> None:
    docs = await client.get("/docs")
    assert docs.status_code == 200
    assert docs.headers["x-content-type-options"] == "nosniff" and docs.headers["x-frame-options"] == "DENY"
    policy = docs.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in policy
    assert "https://cdn.jsdelivr.net" in policy  # where Swagger UI's script and styles come from
    assert "https://cdn.jsdelivr.net" not in (await client.get("/api/health")).headers["content-security-policy"]
    assert "https://fonts.googleapis.com" in (await client.get("/redoc")).headers["content-security-policy"]


async def test_the_served_web_app_carries_the_security_headers(
    settings: Settings, sessionmaker: object, tmp_path: Path
) -> None:
    (tmp_path / "assets").mkdir()
    (tmp_path / "index.html").write_text("<!doctype html><title>Reach</title>")
    (tmp_path / "assets" / "app.js").write_text("console.log('reach')")
    served = create_app(settings.model_copy(update={"web_dist_dir": str(tmp_path)}))
    use_sessionmaker(served, sessionmaker)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=served), base_url="http://crm.test") as browser:
        for path in ("/", "/campaigns/7", "/assets/app.js"):
            page = await browser.get(path)
            assert page.status_code == 200, path
            assert page.headers["x-frame-options"] == "DENY", path
            assert page.headers["referrer-policy"] == "no-referrer", path
            assert "script-src 'self';" in page.headers["content-security-policy"], path
        assert "<title>Reach</title>" in (await browser.get("/campaigns/7")).text


@pytest.fixture
async def small_limits(
    settings: Settings, sessionmaker: object, session: AsyncSession
) -> AsyncIterator[httpx.AsyncClient]:
    """A signed-in client of a CRM whose limits are 2,000 bytes of JSON and 3,000 of upload."""
    small = create_app(settings.model_copy(update={"max_json_bytes": 2_000, "max_upload_bytes": 3_000}))
    use_sessionmaker(small, sessionmaker)
    _, token = await operator_with_token(session)
    auth = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=small), base_url="http://crm.test", headers=auth
    ) as http:
        yield http


async def test_oversized_bodies_are_refused_before_anything_is_stored(small_limits: httpx.AsyncClient) -> None:
    http = small_limits
    big = {"customers": [customer() for _ in range(30)]}
    response = await http.post("/api/ingest", json=big)
    assert response.status_code == 413 and "2,000-byte limit" in response.json()["detail"]
    csv = ("external_id,name\n" + "".join(f"c-{n},Name {n}\n" for n in range(400))).encode()
    upload = await http.post("/api/ingest/csv", files={"file": ("c.csv", csv, "text/csv")})
    assert upload.status_code == 413
    ok = await http.post("/api/ingest", json={"customers": [customer()]})
    assert ok.status_code == 200
    assert len((await http.get("/api/customers")).json()["items"]) == 1


def in_chunks(body: bytes, size: int = 500) -> AsyncIterator[bytes]:
    """A request body with no Content-Length (Transfer-Encoding: chunked), as a streaming client sends it."""

    async def chunks() -> AsyncIterator[bytes]:
        for start in range(0, len(body), size):
            yield body[start : start + size]

    return chunks()


async def test_oversized_chunked_bodies_get_413_not_a_parse_error(small_limits: httpx.AsyncClient) -> None:
    http = small_limits
    big = json.dumps({"customers": [customer() for _ in range(30)]}).encode()
    response = await http.post("/api/ingest", content=in_chunks(big), headers={"content-type": "application/json"})
    assert "content-length" not in response.request.headers
    assert response.status_code == 413, response.text
    assert "2,000-byte limit" in response.json()["detail"]
    csv = ("external_id,name\n" + "".join(f"c-{n},Name {n}\n" for n in range(400))).encode()
    boundary = "reach-test-boundary"
    multipart = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="c.csv"\r\n'
            "Content-Type: text/csv\r\n\r\n"
        ).encode()
        + csv
        + f"\r\n--{boundary}--\r\n".encode()
    )
    upload = await http.post(
        "/api/ingest/csv",
        content=in_chunks(multipart),
        headers={"content-type": f"multipart/form-data; boundary={boundary}"},
    )
    assert upload.status_code == 413, upload.text
    assert "3,000-byte limit" in upload.json()["detail"]
    small_csv = b"external_id,name\nc-1,Asha\n"
    fits = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="c.csv"\r\n'
            "Content-Type: text/csv\r\n\r\n"
        ).encode()
        + small_csv
        + f"\r\n--{boundary}--\r\n".encode()
    )
    ok = await http.post(
        "/api/ingest/csv",
        content=in_chunks(fits, 7),
        headers={"content-type": f"multipart/form-data; boundary={boundary}"},
    )
    assert ok.status_code == 200, ok.text
    assert len((await http.get("/api/customers")).json()["items"]) == 1


async def test_copilot_chat_is_rate_limited(client: httpx.AsyncClient) -> None:
    codes = [(await client.post("/api/agent/chat", json={"message": "hi"})).status_code for _ in range(32)]
    assert codes[:30] == [200] * 30 and codes[30:] == [429, 429]


async def test_a_replayed_webhook_id_is_refused_and_changes_nothing(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    (row,) = await make_communications(session, 1)
    body = json.dumps(
        {
            "events": [
                {
                    "event_id": "e-1",
                    "communication_id": row.communication_id,
                    "type": "sent",
                    "occurred_at": "2026-11-01T10:00:00+00:00",
                }
            ]
        }
    ).encode()
    headers = signed_headers(DEV_WEBHOOK_SECRET, body)
    first = await client.post("/api/webhooks/receipts", content=body, headers=headers)
    assert first.status_code == 200 and first.json()["applied"] == 1
    replay = await client.post("/api/webhooks/receipts", content=body, headers=headers)
    assert replay.status_code == 409 and "already applied" in replay.json()["detail"]


@pytest.mark.parametrize("previous", [DEV_WEBHOOK_SECRET, ""])
async def test_secret_rotation_accepts_the_previous_secret_only_while_configured(
    settings: Settings, sessionmaker: object, session: AsyncSession, previous: str
) -> None:
    rotated = create_app(
        settings.model_copy(update={"webhook_secret": NEW_SECRET, "webhook_previous_secrets": previous})
    )
    use_sessionmaker(rotated, sessionmaker)
    (row,) = await make_communications(session, 1)
    body = json.dumps(
        {
            "events": [
                {
                    "event_id": "e-r",
                    "communication_id": row.communication_id,
                    "type": "sent",
                    "occurred_at": "2026-11-01T10:00:00+00:00",
                }
            ]
        }
    ).encode()
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=rotated), base_url="http://crm.test") as http:
        new = await http.post("/api/webhooks/receipts", content=body, headers=signed_headers(NEW_SECRET, body))
        assert new.status_code == 200
        old = await http.post("/api/webhooks/receipts", content=body, headers=signed_headers(DEV_WEBHOOK_SECRET, body))
        assert old.status_code == (200 if previous else 401)


async def test_the_audit_log_names_the_drafter_and_the_approver(app: FastAPI, client: httpx.AsyncClient) -> None:
    await client.post("/api/ingest", json={"customers": [customer(city="Pune")]})
    staged = (await client.post("/api/agent/chat", json={"message": "say hello to everyone in Pune"})).json()
    campaign_id = staged["staged_campaign_id"]
    await client.patch(f"/api/campaigns/{campaign_id}", json={"name": "Hello Pune"})
    await client.post(f"/api/campaigns/{campaign_id}/launch", json={"launched_by": "priya@sugar"})
    entries = (await client.get("/api/audit", params={"entity_type": "campaign", "entity_id": campaign_id})).json()
    assert [(e["actor"], e["action"]) for e in reversed(entries)] == [
        ("agent", "created"),
        (TEST_EMAIL, "edited"),
        (TEST_EMAIL, "approved_and_launched"),
    ]
    assert entries[0]["details"]["drafted_by"] == "agent"
    assert entries[-1]["details"]["asked_by"] == TEST_EMAIL  # the copilot drafted for this operator


async def test_a_request_cannot_pass_its_draft_off_as_the_copilots(client: httpx.AsyncClient) -> None:
    """`created_by` is set by the server: a direct API draft is the signed-in operator's."""
    campaign = await client.post(
        "/api/campaigns",
        json={
            "name": "Claims to be the agent",
            "filter": {"conditions": []},
            "channel": "sms",
            "message": {"body": "Hi {{ name }}"},
            "created_by": "agent",
        },
    )
    assert campaign.status_code == 201, campaign.text
    assert campaign.json()["created_by"] == "user"
    step = {"channel": "sms", "body": "Hi", "delay": {"value": 0, "unit": "hours"}, "condition": "always"}
    sequence = await client.post(
        "/api/sequences",
        json={"name": "Also claims", "filter": {"conditions": []}, "steps": [step], "created_by": "agent"},
    )
    assert sequence.status_code == 201, sequence.text
    assert sequence.json()["created_by"] == "user"
    for kind, created in (("campaign", campaign), ("sequence", sequence)):
        entries = (
            await client.get("/api/audit", params={"entity_type": kind, "entity_id": created.json()["id"]})
        ).json()
        assert [(e["actor"], e["action"]) for e in entries] == [(TEST_EMAIL, "created")]


ENDLESS_LOOP = "{% for i in (1..1000000000) %}Hi {{ first_name }} {% endfor %}"
DOUBLING = "{% assign s = name %}{% for i in (1..40) %}{% assign s = s | append: s %}{% endfor %}{{ s | size }}"


@pytest.mark.parametrize(
    "template", [ENDLESS_LOOP, DOUBLING, "{% for i in (1..999) %}{{ last_item }} {{ email }} {% endfor %}"]
)
async def test_a_template_too_expensive_to_render_is_refused_at_draft_time(
    client: httpx.AsyncClient, template: str
) -> None:
    campaign = await client.post(
        "/api/campaigns",
        json={"name": "loop", "channel": "sms", "filter": {"conditions": []}, "message": {"body": template}},
    )
    assert campaign.status_code == 422, campaign.text
    (problem,) = campaign.json()["detail"]
    assert problem["loc"] == ["body", "message", "body"] and "too expensive to render" in problem["msg"]
    email_step = {
        "channel": "email",
        "subject": template,
        "body": "Hello",
        "delay": {"value": 0, "unit": "hours"},
        "condition": "always",
    }
    sequence = await client.post(
        "/api/sequences", json={"name": "loop", "filter": {"conditions": []}, "steps": [email_step]}
    )
    assert sequence.status_code == 422, sequence.text
    assert sequence.json()["detail"][0]["loc"] == ["body", "steps", 0, "subject"]


def test_rendering_stays_bounded_when_a_customers_data_drives_the_loop() -> None:
    template = "{% for i in (1..order_count) %}*{% endfor %}"
    check_template(template)  # fine for the sample customer
    assert render(template, SAMPLE_CONTEXT | {"order_count": 3}) == "***"
    with pytest.raises(ResourceLimitError):
        render(template, SAMPLE_CONTEXT | {"order_count": 1_000_000_000})
    with pytest.raises(ResourceLimitError):
        render("{{ name }}" * 10, SAMPLE_CONTEXT | {"name": "x" * 20_000})


FORMULAS = ["=1+2", "+1+2", "-1+2", "@SUM(A1:A2)", "\t=1+2", "\r=1+2"]


async def test_csv_exports_neutralise_every_formula_prefix(client: httpx.AsyncClient) -> None:
    """OWASP's CSV injection list: cells starting with =, +, -, @, tab or carriage return."""
    people = [
        customer(name=f"{formula} name", city=f"{formula} city", tags=[f"{formula}tag"], external_id=f"x{n}")
        for n, formula in enumerate(FORMULAS)
    ]
    stored = await client.post("/api/ingest", json={"customers": people})
    assert stored.status_code == 200, stored.text
    segment = (await client.post("/api/segments", json={"name": "All", "filter": {"conditions": []}})).json()
    as_json = (await client.get(f"/api/segments/{segment['id']}/customers", params={"format": "json"})).json()
    exported = await client.get(f"/api/segments/{segment['id']}/customers", params={"format": "csv"})
    rows = {row["external_id"]: row for row in csv.DictReader(io.StringIO(exported.text, newline=""))}
    checked = 0
    for original in as_json:
        row = rows[original["external_id"]]
        for column in ("name", "city"):
            value = original[column]
            if value.startswith(FORMULA_PREFIXES):
                assert row[column] == "'" + value, (column, value, row[column])
                checked += 1
            else:
                assert row[column] == value
        tags = ";".join(original["tags"])
        assert row["tags"] == ("'" + tags if tags.startswith(FORMULA_PREFIXES) else tags)
        assert not row["tags"].startswith(FORMULA_PREFIXES)
    stored_prefixes = {original["name"][0] for original in as_json} & set(FORMULA_PREFIXES)
    assert {"=", "+", "-", "@"} <= stored_prefixes
    assert checked == 2 * len(FORMULAS), "every stored name and city should begin with a formula prefix"
    assert all(not cell.startswith(FORMULA_PREFIXES) for row in rows.values() for cell in row.values())


def test_numbers_stay_numbers_and_every_prefix_is_quoted() -> None:
    assert [safe_cell(f) for f in FORMULAS] == ["'" + f for f in FORMULAS]
    assert safe_cell(-12.5) == "-12.5" and safe_cell(-3) == "-3" and safe_cell(None) == ""
    assert safe_cell("Asha") == "Asha" and safe_cell("a=b") == "a=b"
