"""The real channel service and CRM on loopback, as the end-to-end and fault tests run them: settings
that play behaviour fast and retry quickly, and the channel service's event log (its ground truth)."""

from __future__ import annotations

from typing import Any

import httpx

from channel_service.config import Settings as ChannelSettings
from crm.config import DEV_WEBHOOK_SECRET, Settings


def fast_channel_settings(**overrides: Any) -> ChannelSettings:
    """Customer behaviour at 1,000,000× (a two-day lifecycle in well under a second), callbacks
    batched for 20 ms and retried within a fraction of a second."""
    values: dict[str, Any] = {
        "webhook_secret": DEV_WEBHOOK_SECRET,
        "sim_time_scale": 1_000_000.0,
        "callback_linger_ms": 20.0,
        "callback_retry_base_delay": 0.05,
        "callback_retry_max_delay": 0.2,
    }
    return ChannelSettings(_env_file=None, **(values | overrides))


def loopback_crm_settings(database_url: str, channel_url: str, public_url: str, **overrides: Any) -> Settings:
    """A CRM on a migrated test database that dispatches promptly, with no send policies (they have
    their own tests) and no web build."""
    values: dict[str, Any] = {
        "database_url": database_url,
        "channel_service_url": channel_url,
        "crm_public_url": public_url,
        "run_migrations_on_startup": False,
        "dispatch_poll_seconds": 0.05,
        "quiet_hours": "",
        "frequency_cap": 0,
        "web_dist_dir": "/nonexistent",
    }
    return Settings(**(values | overrides))


async def channel_events(channel: httpx.AsyncClient, uid: str | None = None) -> list[dict[str, Any]]:
    """The channel service's log of unique events, all pages, in log order; with `uid`, only the
    messages of that campaign or sequence (communication ids `<uid>-…`). `channel` must carry the
    admin token."""
    events: list[dict[str, Any]] = []
    after = -1
    while True:
        page = (await channel.get("/v1/events", params={"after": after, "limit": 10_000})).json()
        if not page["events"]:
            return events
        events += [e for e in page["events"] if uid is None or e["communication_id"].startswith(f"{uid}-")]
        after = page["next_after"]
