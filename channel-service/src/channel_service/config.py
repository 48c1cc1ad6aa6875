"""Every setting of the channel service, read from the environment (or `.env`).

This is the only module that reads the environment. Each field's description is the
documentation of its environment variable (the upper-cased field name).
"""

from __future__ import annotations

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict
from standardwebhooks.webhooks import EmptyWebhookSecretError, Webhook

from channel_service.lifecycle import ChannelRates
from channel_service.retry_policy import RetryPolicy

DEV_WEBHOOK_SECRET = "whsec_ZGV2LW9ubHktcmVhY2gtd2ViaG9vay1zZWNyZXQ="
"""Development-only signing secret (the same as the CRM's); start-up warns while in use."""


class Settings(BaseSettings):
    """Channel service settings; env names are the field names upper-cased."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore", frozen=True)

    webhook_secret: str = Field(
        default=DEV_WEBHOOK_SECRET,
        description="Standard Webhooks secret (`whsec_` + base64) used to verify /v1/send and "
        "to sign callbacks. The default is a development value and logs a warning at start-up.",
    )
    webhook_previous_secrets: str = Field(
        default="",
        description="During a secret rotation: older `whsec_` secrets (comma-separated) still accepted on "
        "/v1/send and the admin endpoints, and also used to sign callbacks (one signature per secret, as "
        "Standard Webhooks allows), so either service can be rotated first.",
    )
    sim_time_scale: float = Field(
        default=60.0,
        gt=0,
        description="Simulated seconds per real second (60: a 2-day lifecycle plays in ~48 min; tests use 100000+).",
    )
    sim_duplicate_rate: float = Field(
        default=0.05,
        ge=0,
        le=1,
        description="Probability that an emitted event is emitted a second time (same event_id).",
    )
    sim_seed: int | None = Field(
        default=None,
        description="Seed of the outcome model; the same seed gives every communication_id the "
        "same outcome, timings and value. Unset: a random seed, reported by /v1/stats.",
    )
    sim_event_log: bool = Field(
        default=True,
        description="Keep the ground-truth log of unique emitted events (GET /v1/events).",
    )
    sim_event_log_size: int = Field(
        default=200_000,
        ge=1,
        description="How many of the most recent unique events the ground-truth log keeps.",
    )
    sim_rates_email: ChannelRates = Field(
        default=ChannelRates(failure=0.04, engaged=0.30, clicked=0.15, converted=0.10),
        description="Email outcome rates as JSON: failure; engaged = opened given delivered; "
        "clicked given opened; converted given clicked.",
    )
    sim_rates_whatsapp: ChannelRates = Field(
        default=ChannelRates(failure=0.03, engaged=0.75, clicked=0.25, converted=0.12),
        description="WhatsApp outcome rates as JSON (engaged = read given delivered).",
    )
    sim_rates_rcs: ChannelRates = Field(
        default=ChannelRates(failure=0.08, engaged=0.55, clicked=0.18, converted=0.10),
        description="RCS outcome rates as JSON (engaged = read given delivered).",
    )
    sim_rates_sms: ChannelRates = Field(
        default=ChannelRates(failure=0.06, engaged=0.0, clicked=0.05, converted=0.08),
        description="SMS outcome rates as JSON (SMS has no open/read: engaged is ignored, clicked is given delivered).",
    )
    intake_queue_size: int = Field(
        default=200_000,
        ge=1,
        description="Capacity of the intake queue in messages; a batch that does not fit is "
        "refused whole with 429 and Retry-After.",
    )
    intake_dedupe_window: int = Field(
        default=1_000_000,
        ge=1,
        description="Idempotent intake remembers at least this many of the most recently accepted "
        "communication_ids (at most twice as many, ~60 bytes each); a message re-sent after that many "
        "newer ones is played again.",
    )
    intake_dedupe_path: str = Field(
        default="channel-intake.sqlite3",
        description="SQLite file that remembers accepted communication_ids across restarts, so a re-send "
        "after a restart is not played twice; empty: remember in memory only.",
    )
    intake_dedupe_retention_seconds: float = Field(
        default=86_400.0,
        gt=0,
        description="How long the file remembers an accepted communication_id; keep it longer than the "
        "CRM's claim expiry (DISPATCH_CLAIM_TTL_SECONDS, 60 s) and its retry horizon.",
    )
    intake_retry_after_seconds: int = Field(default=1, ge=1, description="Retry-After sent with a 429 from /v1/send.")
    workers: int = Field(default=4, ge=1, description="Intake workers draining the queue into the scheduler.")
    callback_concurrency: int = Field(default=32, ge=1, description="Maximum concurrent outbound callback requests.")
    callback_batch_size: int = Field(default=1000, ge=1, le=1000, description="Maximum events in one callback request.")
    callback_linger_ms: float = Field(
        default=200.0,
        ge=0,
        description="Real milliseconds a partial batch waits for more events before it is sent.",
    )
    callback_retry_base_delay: float = Field(
        default=0.5,
        gt=0,
        description="Wait in seconds before the first callback retry; doubles per retry (the upper half of "
        "each wait is random jitter).",
    )
    callback_retry_max_delay: float = Field(
        default=300.0, gt=0, description="Cap of one retry wait in seconds (also caps a receiver's Retry-After)."
    )
    callback_retry_window: float = Field(
        default=86_400.0,
        gt=0,
        description="Seconds a failing callback batch keeps being retried (from its first attempt) before it "
        "goes to the dead-letter list; a day by default, as Standard Webhooks advises, so a receiver "
        "that is down for minutes or hours loses nothing.",
    )
    callback_max_attempts: int | None = Field(
        default=None,
        ge=1,
        description="Optional cap on attempts per callback batch as well (unset: as many as fit in the window).",
    )
    callback_timeout: float = Field(default=10.0, gt=0, description="Timeout in seconds of one callback request.")
    shutdown_flush_timeout: float = Field(
        default=5.0,
        ge=0,
        description="Seconds the service waits at shutdown for pending callback batches.",
    )

    @model_validator(mode="after")
    def _check_secrets(self) -> Settings:
        secrets = self.webhook_secrets()
        names = ["webhook_secret", *["webhook_previous_secrets"] * (len(secrets) - 1)]
        for name, secret in zip(names, secrets, strict=True):
            try:
                Webhook(secret)
            except (ValueError, EmptyWebhookSecretError) as exc:
                raise ValueError(f"{name}: not a whsec_ + base64 secret ({exc})") from exc
        return self

    @model_validator(mode="after")
    def _check_delays(self) -> Settings:
        if self.callback_retry_max_delay < self.callback_retry_base_delay:
            raise ValueError("callback_retry_max_delay must be >= callback_retry_base_delay")
        return self

    def webhook_secrets(self) -> list[str]:
        """The current secret first, then any still accepted during a rotation."""
        previous = [s.strip() for s in self.webhook_previous_secrets.replace(" ", ",").split(",") if s.strip()]
        return [self.webhook_secret, *previous]

    def callback_retry_policy(self) -> RetryPolicy:
        """When failed callback batches are retried and when they are given up."""
        return RetryPolicy(
            base_delay=self.callback_retry_base_delay,
            max_delay=self.callback_retry_max_delay,
            window=self.callback_retry_window,
            max_attempts=self.callback_max_attempts,
        )

    def channel_rates(self) -> dict[str, ChannelRates]:
        """Outcome rates keyed by channel name."""
        return {
            "email": self.sim_rates_email,
            "whatsapp": self.sim_rates_whatsapp,
            "rcs": self.sim_rates_rcs,
            "sms": self.sim_rates_sms,
        }
