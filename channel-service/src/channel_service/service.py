"""Wires the channel service's parts together and runs their start-up and shutdown."""

from __future__ import annotations

import asyncio
import logging
import secrets
from typing import Any

from channel_service.callbacks import CallbackDispatcher, RetryPolicy
from channel_service.config import DEV_WEBHOOK_SECRET, Settings
from channel_service.event_log import GroundTruthLog
from channel_service.intake import Admission, IntakeQueue, WorkerPool
from channel_service.lifecycle import Channel, OutcomeModel
from channel_service.playback import LifecyclePlayer
from channel_service.stats import ServiceStats

log = logging.getLogger(__name__)


class ChannelService:
    """Everything one running channel service owns."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.seed = settings.sim_seed if settings.sim_seed is not None else secrets.randbits(32)
        self.stats = ServiceStats()
        self.event_log = GroundTruthLog(settings.sim_event_log_size, settings.sim_event_log)
        self.model = OutcomeModel(self.seed, settings.channel_rates(), settings.sim_duplicate_rate)
        self.player = LifecyclePlayer(
            model=self.model,
            time_scale=settings.sim_time_scale,
            event_log=self.event_log,
            stats=self.stats,
        )
        self.callbacks = CallbackDispatcher(
            secret=settings.webhook_secret,
            stats=self.stats,
            batch_size=settings.callback_batch_size,
            linger=settings.callback_linger_ms / 1000,
            concurrency=settings.callback_concurrency,
            timeout=settings.callback_timeout,
            retry=RetryPolicy(
                max_attempts=settings.callback_max_attempts,
                base_delay=settings.callback_retry_base_delay,
                max_delay=settings.callback_retry_max_delay,
            ),
        )
        self.intake = IntakeQueue(settings.intake_queue_size, self.stats)
        self.workers = WorkerPool(self.intake, self.player, settings.workers)

    def admit(self, callback_url: str, messages: list[tuple[str, Channel]]) -> Admission:
        return self.intake.admit(messages, self.callbacks.outbox_for(callback_url))

    async def start(self) -> None:
        if self.settings.webhook_secret == DEV_WEBHOOK_SECRET:
            log.warning("WEBHOOK_SECRET is the development default; set your own in production")
        log.info(
            "channel service starting: seed=%d time_scale=%s duplicate_rate=%s",
            self.seed,
            self.settings.sim_time_scale,
            self.settings.sim_duplicate_rate,
        )
        await self.callbacks.start()
        self.player.start(asyncio.get_running_loop())
        self.workers.start()

    async def stop(self) -> None:
        """Stop intake and timers, then give pending callbacks a short time to go out."""
        self.intake.close()
        await self.workers.stop()
        self.player.stop()
        left_batches, left_events = await self.callbacks.drain(self.settings.shutdown_flush_timeout)
        await self.callbacks.close()
        unfinished = len(self.intake) + self.player.in_flight + left_batches
        log.log(
            logging.WARNING if unfinished else logging.INFO,
            "channel service stopped: %d queued messages and %d lifecycles not played; "
            "%d callback batches (%d events) undelivered; %d dead letters",
            len(self.intake),
            self.player.in_flight,
            left_batches,
            left_events,
            len(self.callbacks.dead_letters),
        )

    def snapshot(self) -> dict[str, Any]:
        stats = self.stats
        by_type = dict(stats.events_emitted_by_type)
        return {
            "queue_depth": len(self.intake),
            "queue_capacity": self.intake.capacity,
            "in_flight": self.player.in_flight,
            "timers_pending": len(self.player.scheduler),
            "timer_firings": self.player.scheduler.firings,
            "accepted": stats.accepted,
            "duplicate_messages": stats.duplicate_messages,
            "events_emitted": sum(by_type.values()),
            "events_emitted_by_type": by_type,
            "duplicates_injected": stats.duplicates_injected,
            "callbacks_sent": stats.callbacks_sent,
            "callback_events_sent": stats.callback_events_sent,
            "callbacks_pending": {
                "batches": self.callbacks.pending_batches,
                "events": self.callbacks.pending_events,
            },
            "retries": stats.retries,
            "permanent_failures": stats.permanent_failures,
            "dead_letters": {
                "batches": len(self.callbacks.dead_letters),
                "events": self.callbacks.dead_letter_events,
            },
            "redriven_batches": stats.redriven_batches,
            "callback_latency_ms": stats.callback_latency_ms(),
            "event_log_size": len(self.event_log),
            "seed": self.seed,
            "time_scale": self.settings.sim_time_scale,
        }
