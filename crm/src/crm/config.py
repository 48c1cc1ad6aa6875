"""All CRM settings. Nothing else in the package reads ``os.environ``."""

from __future__ import annotations

import logging
from functools import lru_cache
from typing import Literal

from pydantic import AliasChoices, Field
from pydantic_settings import BaseSettings, SettingsConfigDict

DEV_WEBHOOK_SECRET = "whsec_ZGV2LW9ubHktcmVhY2gtd2ViaG9vay1zZWNyZXQ="

LlmProviderName = Literal["offline", "groq", "gemini", "openai"]

log = logging.getLogger(__name__)


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    database_url: str = Field(
        "sqlite+aiosqlite:///./reach.db",
        description="SQLAlchemy async URL: sqlite+aiosqlite:///path or postgresql+asyncpg://...",
    )
    webhook_secret: str = Field(
        DEV_WEBHOOK_SECRET, description="Standard Webhooks secret (whsec_...) shared with the channel service"
    )
    webhook_previous_secrets: str = Field(
        "", description="during a secret rotation: older whsec_ secrets still accepted (comma-separated)"
    )
    max_json_bytes: int = Field(10 * 1024 * 1024, description="largest JSON request body")
    max_upload_bytes: int = Field(200 * 1024 * 1024, description="largest CSV upload")
    forwarded_allow_ips: str = Field(
        "",
        description="proxies (addresses or networks, comma-separated) whose X-Forwarded-For is believed; "
        "default none. The CRM reads the header itself: serve it with uvicorn --no-proxy-headers",
    )
    channel_service_url: str = "http://127.0.0.1:8001"
    crm_public_url: str = "http://127.0.0.1:8000"
    environment: Literal["development", "production"] = Field(
        "development", description="production: secure cookies, and start-up refuses development defaults"
    )
    admin_email: str = Field("admin@sugar.local", description="the first operator, created by `make up`")
    admin_password: str | None = Field(None, description="its password (generated and printed when unset)")
    session_hours: float = Field(12.0, gt=0, description="how long a dashboard sign-in lasts")
    llm_provider: LlmProviderName = "offline"
    llm_model: str | None = None
    groq_api_key: str | None = None
    gemini_api_key: str | None = None
    openai_api_key: str | None = None
    openai_base_url: str | None = None

    crm_workers: int = Field(
        1,
        ge=1,
        le=64,
        description="CRM worker processes serving the API (uvicorn --workers); Postgres only, SQLite serves one."
        " Each runs its own dispatcher when RUN_DISPATCHER is on; rate limits count per process",
    )
    run_migrations_on_startup: bool = True
    run_dispatcher: bool = Field(True, description="run the scheduled-send dispatcher in the CRM process")
    # Sends claimed per round trip; 1,000 (the channel service's batch limit) dispatched ~37 % more
    # per second than 500 in bench/launch.py.
    dispatch_batch_size: int = Field(1000, ge=1, le=1000)
    dispatch_poll_seconds: float = Field(0.5, gt=0)
    dispatch_claim_ttl_seconds: float = Field(60.0, gt=0)
    dispatch_retry_base_seconds: float = Field(1.0, gt=0, description="first backoff after a channel error")
    ingest_batch_size: int = Field(2000, ge=1, le=20000)
    brand_timezone: str = "Asia/Kolkata"
    quiet_hours: str = Field(
        "21:00-09:00", description="no sends in this local window (brand time zone); empty turns it off"
    )
    frequency_cap: int = Field(1, ge=0, le=100, description="messages per contact per window; 0 turns it off")
    frequency_window_hours: float = Field(24.0, gt=0)
    sim_time_scale: float = Field(
        1.0,
        gt=0,
        description="sequence delays and the frequency window are divided by this, and quiet hours follow a clock"
        " this much faster (demo speed-up)",
    )
    sequence_enroll_interval_seconds: float = Field(
        60.0, gt=0, description="how often people who newly match a live sequence's audience are enrolled"
    )
    default_currency: str = "INR"
    attribution_window_days: float = Field(
        5.0,
        gt=0,
        le=90,
        description="orders within this many days after a message (or a launch, for holdout lift) are credited to it;"
        " divided by SIM_TIME_SCALE like the other simulated durations",
    )
    storefront_seed: int | None = Field(
        None,
        validation_alias=AliasChoices("storefront_seed", "sim_seed"),
        description="seed of the storefront simulator; SIM_SEED (the channel service's) when unset; else random",
    )
    storefront_enabled: bool = Field(True, description="`make up` runs the storefront simulator (organic orders)")
    storefront_organic_rate: float = Field(
        0.01, ge=0, le=5, description="organic orders per customer per simulated day, for every customer"
    )
    storefront_uplift: float = Field(
        0.05,
        ge=0,
        le=1,
        description="probability that a delivered message brings its customer one extra order"
        " (0: messages cause nothing)",
    )
    storefront_response_days: float = Field(
        3.0, gt=0, description="an extra order lands within this many simulated days after its message's delivery"
    )
    storefront_api_token: str | None = Field(
        None, description="the API token the storefront ingests with (`make up` creates one and passes it)"
    )
    storefront_tick_seconds: float = Field(
        5.0, gt=0, description="how often (real seconds) the storefront places orders"
    )
    web_dist_dir: str | None = Field(None, description="built web app to serve at / (defaults to web/dist)")

    @property
    def webhook_secrets(self) -> list[str]:
        """The current secret first, then any still accepted during a rotation."""
        previous = [s.strip() for s in self.webhook_previous_secrets.replace(" ", ",").split(",") if s.strip()]
        return [self.webhook_secret, *previous]

    @property
    def database_kind(self) -> Literal["sqlite", "postgresql"]:
        return "postgresql" if self.database_url.startswith("postgresql") else "sqlite"

    @property
    def serving_processes(self) -> int:
        """How many CRM processes serve: CRM_WORKERS on Postgres; one on SQLite, whose single
        writer (and single dispatcher claimer) several processes would only queue behind."""
        return self.crm_workers if self.database_kind == "postgresql" else 1

    def warn_on_dev_defaults(self) -> None:
        if self.webhook_secret == DEV_WEBHOOK_SECRET:
            log.warning("WEBHOOK_SECRET is the development default; set your own in production")
        if self.crm_workers != self.serving_processes:
            log.warning("CRM_WORKERS=%d is ignored on SQLite: one process serves", self.crm_workers)


@lru_cache
def get_settings() -> Settings:
    return Settings()
