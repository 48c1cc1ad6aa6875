"""docker-compose.yml and .env.example must name only settings the code really reads."""

from __future__ import annotations

from pathlib import Path

import yaml

from channel_service.config import Settings as ChannelSettings
from crm.config import Settings

ROOT = Path(__file__).resolve().parents[2]
CRM_SETTINGS = {name.upper() for name in Settings.model_fields}
CHANNEL_SETTINGS = {name.upper() for name in ChannelSettings.model_fields}


def test_compose_wires_the_three_services_with_health_checks() -> None:
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    services = compose["services"]
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
