"""docker-compose.yml and .env.example must name only settings the code really reads, and compose
must give the CRM everything a working first run needs."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from channel_service.config import Settings as ChannelSettings
from crm.config import Settings

ROOT = Path(__file__).resolve().parents[2]
CRM_SETTINGS = {name.upper() for name in Settings.model_fields}
CHANNEL_SETTINGS = {name.upper() for name in ChannelSettings.model_fields}


def compose_services() -> dict[str, Any]:
    services: dict[str, Any] = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]
    return services


def command_line(service: dict[str, Any]) -> str:
    command = service["command"]
    return command if isinstance(command, str) else " ".join(command)


def test_compose_wires_the_three_services_with_health_checks() -> None:
    services = compose_services()
    assert set(services) == {"postgres", "crm", "channel-service"}
    for service in services.values():
        assert "healthcheck" in service
    crm = services["crm"]
    assert set(crm["environment"]) <= CRM_SETTINGS
    assert crm["environment"]["DATABASE_URL"].startswith("postgresql+asyncpg://")
    assert "@postgres:5432/" in crm["environment"]["DATABASE_URL"]
    assert crm["environment"]["CHANNEL_SERVICE_URL"] == "http://channel-service:8001"
    assert crm["depends_on"]["postgres"]["condition"] == "service_healthy"
    assert "/api/health" in " ".join(crm["healthcheck"]["test"])
    channel = services["channel-service"]
    assert "channel_service.main:app" in channel["command"]
    assert set(channel["environment"]) <= CHANNEL_SETTINGS
    assert channel["environment"]["WEBHOOK_SECRET"] == crm["environment"]["WEBHOOK_SECRET"]


def test_env_example_lists_every_setting_of_both_services() -> None:
    lines = (ROOT / ".env.example").read_text().splitlines()
    named = {line.lstrip("# ").split("=", 1)[0] for line in lines if "=" in line}
    everything = CRM_SETTINGS | CHANNEL_SETTINGS
    assert named >= everything, everything - named


def test_compose_creates_the_first_operator_before_the_crm_serves() -> None:
    crm = compose_services()["crm"]
    command = command_line(crm)
    steps = [step.strip() for step in command.split("&&")]
    assert any(step.startswith("python -m crm.auth.cli ensure-admin") for step in steps), command
    ensure = next(i for i, step in enumerate(steps) if "crm.auth.cli ensure-admin" in step)
    serve = next(i for i, step in enumerate(steps) if "uvicorn crm.main:app" in step)
    assert ensure < serve, "the operator must exist before the CRM starts (production refuses to start without one)"
    environment = crm["environment"]
    assert {"ADMIN_EMAIL", "ADMIN_PASSWORD", "ENVIRONMENT"} <= set(environment)
    assert environment["ADMIN_PASSWORD"] == "${ADMIN_PASSWORD:-}"  # unset: generated and printed once


def test_compose_wires_every_crm_setting_whose_default_only_suits_one_machine() -> None:
    """Defaults that point at this machine (loopback URLs, a SQLite file) are wrong in a container."""
    environment = compose_services()["crm"]["environment"]
    local = {
        name.upper()
        for name, field in Settings.model_fields.items()
        if isinstance(field.default, str) and ("127.0.0.1" in field.default or field.default.startswith("sqlite"))
    }
    assert local >= {"DATABASE_URL", "CHANNEL_SERVICE_URL", "CRM_PUBLIC_URL"}
    assert local <= set(environment), local - set(environment)


def test_settings_both_services_read_are_wired_to_both_alike() -> None:
    services = compose_services()
    shared = CRM_SETTINGS & CHANNEL_SETTINGS
    assert {"WEBHOOK_SECRET", "WEBHOOK_PREVIOUS_SECRETS", "SIM_TIME_SCALE"} <= shared
    for name in shared:
        crm, channel = services["crm"]["environment"].get(name), services["channel-service"]["environment"].get(name)
        assert crm is not None and crm == channel, (name, crm, channel)


def test_env_example_shows_the_real_defaults_of_the_shared_settings() -> None:
    """A value shared by both services is the default of both, or its line says what each defaults to."""
    lines = {
        line.split("=", 1)[0]: line.split("=", 1)[1]
        for line in (ROOT / ".env.example").read_text().splitlines()
        if line[:1].isalpha()
    }
    for name in CRM_SETTINGS & CHANNEL_SETTINGS:
        value, _, comment = lines[name].partition(" #")
        crm_default = Settings.model_fields[name.lower()].default
        channel_default = ChannelSettings.model_fields[name.lower()].default
        if crm_default == channel_default:
            assert value.strip() == str(crm_default) or float(value) == crm_default, (name, value, crm_default)
        else:
            for default in (channel_default, crm_default):
                assert re.search(rf"\b{default:g}\b", comment), (name, lines[name], default)
