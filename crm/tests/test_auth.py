"""Operator sign-in: every route refuses an unauthenticated call except the public ones; the
session cookie is HttpOnly/SameSite and needs a CSRF header for changes; bearer tokens for
scripts; production refuses development defaults."""

from __future__ import annotations

import asyncio
import getpass
import re
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from fastapi.routing import iter_route_contexts
from reach_auth import TEST_EMAIL, TEST_PASSWORD, operator_with_token
from reach_databases import fresh_database_url
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from crm.auth import cli
from crm.auth.service import AuthService
from crm.auth.startup import UnsafeConfiguration, refuse_unsafe_production
from crm.config import DEV_WEBHOOK_SECRET, Settings, get_settings
from crm.db import create_engine, create_sessionmaker
from crm.errors import Unauthorized
from crm.models import OperatorSession

PUBLIC = {("GET", "/api/health"), ("POST", "/api/webhooks/receipts"), ("POST", "/api/auth/login")}


def api_routes(app: FastAPI) -> list[tuple[str, str]]:
    """Every API route, read from the app's own route table so a new route cannot be forgotten."""
    routes = []
    for route in iter_route_contexts(app.routes):
        if route.path and route.path.startswith("/api/") and route.methods:
            routes += [(method, route.path) for method in sorted(route.methods)]
    return routes


async def test_every_route_refuses_an_unauthenticated_call(app: FastAPI) -> None:
    routes = api_routes(app)
    assert len(routes) > 40
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://crm.test") as anonymous:
        for method, path in routes:
            if (method, path) in PUBLIC:
                continue
            url = re.sub(r"\{[^}]+\}", "1", path)
            response = await anonymous.request(method, url, json={})
            assert response.status_code == 401, (method, path, response.status_code)
            assert "sign in" in response.json()["detail"]


async def test_public_routes_stay_public(app: FastAPI) -> None:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://crm.test") as anonymous:
        assert (await anonymous.get("/api/health")).status_code == 200
        assert (await anonymous.post("/api/webhooks/receipts", json={"events": []})).status_code == 401  # signature
        wrong = await anonymous.post("/api/auth/login", json={"email": "x@y.z", "password": "nope"})
        assert wrong.status_code == 401 and wrong.json()["detail"] == "wrong email or password"


async def test_session_cookie_flow_with_csrf(app: FastAPI, session: AsyncSession) -> None:
    await operator_with_token(session)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://crm.test") as browser:
        login = await browser.post("/api/auth/login", json={"email": TEST_EMAIL, "password": TEST_PASSWORD})
        assert login.status_code == 200
        cookie = login.headers.get_list("set-cookie")
        session_cookie = next(c for c in cookie if c.startswith("reach_session="))
        assert "HttpOnly" in session_cookie and "SameSite=strict" in session_cookie.replace("Strict", "strict")
        csrf = login.json()["csrf_token"]
        assert (await browser.get("/api/customers")).status_code == 200
        forged = await browser.post("/api/segments/preview", json={"filter": {"conditions": []}})
        assert forged.status_code == 403 and "CSRF" in forged.json()["detail"]
        ok = await browser.post(
            "/api/segments/preview", json={"filter": {"conditions": []}}, headers={"X-CSRF-Token": csrf}
        )
        assert ok.status_code == 200
        assert (await browser.get("/api/auth/me")).json()["email"] == TEST_EMAIL
        out = await browser.post("/api/auth/logout", headers={"X-CSRF-Token": csrf})
        assert out.status_code == 204
        assert (await browser.get("/api/customers")).status_code == 401


async def test_bearer_tokens_for_scripts_can_be_revoked(client: httpx.AsyncClient) -> None:
    created = await client.post("/api/auth/tokens", json={"name": "nightly export"})
    assert created.status_code == 201
    token = created.json()["token"]
    assert token.startswith("reach_")
    async with httpx.AsyncClient(transport=client._transport, base_url="http://crm.test") as script:
        headers = {"Authorization": f"Bearer {token}"}
        assert (
            await script.post("/api/segments/preview", json={"filter": {"conditions": []}}, headers=headers)
        ).status_code == 200  # no CSRF for bearer tokens
        listed = (await client.get("/api/auth/tokens")).json()
        assert any(t["name"] == "nightly export" and t["last_used_at"] for t in listed)
        assert (await client.delete(f"/api/auth/tokens/{created.json()['id']}")).status_code == 204
        assert (await script.get("/api/customers", headers=headers)).status_code == 401


async def sign_in(app: FastAPI) -> tuple[httpx.AsyncClient, str]:
    browser = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://crm.test")
    login = await browser.post("/api/auth/login", json={"email": TEST_EMAIL, "password": TEST_PASSWORD})
    assert login.status_code == 200
    return browser, str(login.json()["csrf_token"])


async def test_a_password_change_ends_the_other_sessions_but_not_this_one_or_api_tokens(
    app: FastAPI, session: AsyncSession
) -> None:
    _, token = await operator_with_token(session)
    laptop, csrf = await sign_in(app)
    phone, _ = await sign_in(app)
    try:
        assert (await phone.get("/api/auth/me")).status_code == 200
        changed = await laptop.post(
            "/api/auth/password",
            json={"current_password": TEST_PASSWORD, "new_password": "an-entirely-new-passphrase"},
            headers={"X-CSRF-Token": csrf},
        )
        assert changed.status_code == 204, changed.text
        assert (await laptop.get("/api/auth/me")).status_code == 200  # the session that changed it stays
        assert (await phone.get("/api/auth/me")).status_code == 401  # whoever else was signed in is out
        script = await laptop.get("/api/auth/me", headers={"Authorization": f"Bearer {token}"})
        assert script.status_code == 200  # API tokens are revoked one by one, not by a password change
        old = await phone.post("/api/auth/login", json={"email": TEST_EMAIL, "password": TEST_PASSWORD})
        assert old.status_code == 401
    finally:
        await laptop.aclose()
        await phone.aclose()


async def test_a_password_change_by_api_token_ends_every_session(app: FastAPI, session: AsyncSession) -> None:
    _, token = await operator_with_token(session)
    browser, _ = await sign_in(app)
    script_headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://crm.test") as script:
        changed = await script.post(
            "/api/auth/password",
            json={"current_password": TEST_PASSWORD, "new_password": "an-entirely-new-passphrase"},
            headers=script_headers,
        )
        assert changed.status_code == 204, changed.text
    try:
        assert (await browser.get("/api/auth/me")).status_code == 401
    finally:
        await browser.aclose()


async def test_sign_in_is_rate_limited(app: FastAPI) -> None:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://crm.test") as attacker:
        codes = [
            (await attacker.post("/api/auth/login", json={"email": "a@b.c", "password": "guess"})).status_code
            for _ in range(12)
        ]
    assert codes[:10] == [401] * 10 and codes[10:] == [429, 429]


async def test_the_launch_is_audited_as_the_signed_in_operator(client: httpx.AsyncClient) -> None:
    # Someone to reach: a launch that would reach nobody is refused.
    await client.post(
        "/api/ingest", json={"customers": [{"external_id": "a-1", "phone": "+919800000001", "consent": {"sms": True}}]}
    )
    campaign = (
        await client.post(
            "/api/campaigns",
            json={"name": "x", "channel": "sms", "filter": {"conditions": []}, "message": {"body": "hi"}},
        )
    ).json()
    await client.post(f"/api/campaigns/{campaign['id']}/launch")
    entries = (await client.get("/api/audit", params={"entity_type": "campaign"})).json()
    assert entries[0]["action"] == "approved_and_launched" and entries[0]["actor"] == TEST_EMAIL


async def test_production_refuses_development_defaults(
    settings: Settings, sessionmaker: async_sessionmaker[AsyncSession], session: AsyncSession
) -> None:
    production = settings.model_copy(update={"environment": "production"})
    with pytest.raises(UnsafeConfiguration, match="development default"):
        await refuse_unsafe_production(production, sessionmaker)
    safe_secret = production.model_copy(update={"webhook_secret": "whsec_" + "c2FmZS1zZWNyZXQtZm9yLXByb2R1Y3Rpb24h"})
    await AuthService(session).create_operator("admin@sugar.local", "Admin", "generated-1234", default_password=True)
    with pytest.raises(UnsafeConfiguration, match="install-time password"):
        await refuse_unsafe_production(safe_secret, sessionmaker)
    admin = await AuthService(session).authenticate("admin@sugar.local", "generated-1234")
    await AuthService(session).change_password(admin, "generated-1234", "a-much-better-passphrase", None)
    await refuse_unsafe_production(safe_secret, sessionmaker)
    assert DEV_WEBHOOK_SECRET not in safe_secret.webhook_secrets


@pytest.fixture
def cli_database(backend: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A migrated database of its own, which the command-line tool finds through DATABASE_URL."""
    url = asyncio.run(fresh_database_url(backend, tmp_path, name="sec_cli"))
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("ADMIN_EMAIL", "owner@sugar.local")
    monkeypatch.delenv("ADMIN_PASSWORD", raising=False)
    get_settings.cache_clear()
    yield url
    get_settings.cache_clear()


async def production_check(url: str) -> None:
    engine = create_engine(url)
    try:
        production = Settings(
            database_url=url, environment="production", webhook_secret="whsec_c2FmZS1zZWNyZXQtZm9yLXByb2R1Y3Rpb24h"
        )
        await refuse_unsafe_production(production, create_sessionmaker(engine))
    finally:
        await engine.dispose()


async def signed_in_sessions(url: str, password: str | None = None) -> int:
    """Signs in with `password` when given; returns how many sign-in sessions the database holds."""
    engine = create_engine(url)
    try:
        async with create_sessionmaker(engine)() as session, session.begin():
            auth = AuthService(session)
            if password is not None:
                await auth.start_session(await auth.authenticate("owner@sugar.local", password), timedelta(hours=1))
            return len((await session.scalars(select(OperatorSession))).all())
    finally:
        await engine.dispose()


def test_set_password_from_the_command_line_lets_production_start(
    cli_database: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    cli.main(["ensure-admin"])
    generated = capsys.readouterr().out.split("with password: ")[1].split()[0]
    assert asyncio.run(signed_in_sessions(cli_database, generated)) == 1
    with pytest.raises(UnsafeConfiguration, match="install-time password"):
        asyncio.run(production_check(cli_database))
    with pytest.raises(SystemExit, match="at least 10 characters"):
        cli.main(["set-password", "--password", "short"])
    typed = iter(["a-production-passphrase", "a-typo-passphrase"])
    monkeypatch.setattr(getpass, "getpass", lambda prompt: next(typed))
    with pytest.raises(SystemExit, match="differ"):
        cli.main(["set-password"])
    monkeypatch.setattr(getpass, "getpass", lambda prompt: "a-production-passphrase")
    cli.main(["set-password"])
    assert "Password set for owner@sugar.local; 1 sign-in session(s) ended" in capsys.readouterr().out
    asyncio.run(production_check(cli_database))  # no install-time password left
    assert asyncio.run(signed_in_sessions(cli_database)) == 0
    with pytest.raises(Unauthorized):
        asyncio.run(signed_in_sessions(cli_database, generated))
    assert asyncio.run(signed_in_sessions(cli_database, "a-production-passphrase")) == 1
    with pytest.raises(SystemExit, match="no operator"):
        cli.main(["set-password", "--email", "nobody@sugar.local", "--password", "long-enough-passphrase"])


async def test_a_wrong_current_password_names_the_field_and_keeps_the_session(
    app: FastAPI, session: AsyncSession
) -> None:
    """422 naming `current_password`, not 401: a 401 would tell the app its operator was signed out."""
    await operator_with_token(session)
    browser, csrf = await sign_in(app)
    try:
        refused = await browser.post(
            "/api/auth/password",
            json={"current_password": "not-the-password", "new_password": "an-entirely-new-passphrase"},
            headers={"X-CSRF-Token": csrf},
        )
        assert refused.status_code == 422
        assert refused.json()["detail"][0]["loc"] == ["body", "current_password"]
        assert (await browser.get("/api/auth/me")).status_code == 200
        again = await browser.post("/api/auth/login", json={"email": TEST_EMAIL, "password": TEST_PASSWORD})
        assert again.status_code == 200  # the password did not change
    finally:
        await browser.aclose()
