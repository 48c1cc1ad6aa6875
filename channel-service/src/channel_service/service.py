"""Wires the channel service's parts together and runs their start-up and shutdown."""

from __future__ import annotations

import asyncio
import logging
import secrets
from dataclasses import dataclass
from typing import Any

from channel_service.accepted_store import AcceptedStore
from channel_service.callbacks import CallbackDispatcher
from channel_service.config import DEV_WEBHOOK_SECRET, Settings
from channel_service.event_log import GroundTruthLog
from channel_service.intake import Admission, IntakeQueue, WorkerPool
from channel_service.lifecycle import Channel, OutcomeModel
from channel_service.playback import LifecyclePlayer
from channel_service.stats import ServiceStats

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class ShutdownReport:
    """What a stopping service leaves unfinished."""

    queued_messages: int
    lifecycles_unfinished: int
    """Accepted messages whose lifecycle had events still to come."""
    callback_batches_undelivered: int
    callback_events_undelivered: int
    dead_letter_batches: int
    dead_letter_events: int

    @property
    def pending(self) -> bool:
        return any(
            (
                self.queued_messages,
                self.lifecycles_unfinished,
                self.callback_events_undelivered,
                self.dead_letter_events,
            )
        )

    def __str__(self) -> str:
        return (
            f"{self.queued_messages} queued messages and {self.lifecycles_unfinished} lifecycles not played "
            f"to the end; {self.callback_batches_undelivered} callback batches "
            f"({self.callback_events_undelivered} events) undelivered; {self.dead_letter_batches} dead letters "
            f"({self.dead_letter_events} events)"
        )


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
            secrets=settings.webhook_secrets(),
            stats=self.stats,
            batch_size=settings.callback_batch_size,
            linger=settings.callback_linger_ms / 1000,
            concurrency=settings.callback_concurrency,
            timeout=settings.callback_timeout,
            retry=settings.callback_retry_policy(),
        )
        self.intake = IntakeQueue(
            settings.intake_queue_size, self.stats, settings.intake_dedupe_window, self.model.key_for
        )
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
        if self.settings.intake_dedupe_path:
            store = AcceptedStore(self.settings.intake_dedupe_path, self.settings.intake_dedupe_retention_seconds)
            self.intake.remember_across_restarts(store)
            log.info("remembering accepted messages in %s (%d known)", self.settings.intake_dedupe_path, len(store))
        await self.callbacks.start()
        self.player.start(asyncio.get_running_loop())
        self.workers.start()

    async def stop(self) -> ShutdownReport:
        """Stop intake and timers, give pending callbacks a short time to go out, and report
        (log, and return) everything that did not finish: it is lost with the process."""
        self.intake.close()
        await self.workers.stop()
        self.player.stop()
        left_batches, left_events = await self.callbacks.drain(self.settings.shutdown_flush_timeout)
        await self.callbacks.close()
        if self.intake.store is not None:
            self.intake.store.close()
        report = ShutdownReport(
            queued_messages=len(self.intake),
            lifecycles_unfinished=self.player.in_flight,
            callback_batches_undelivered=left_batches,
            callback_events_undelivered=left_events,
            dead_letter_batches=len(self.callbacks.dead_letters),
            dead_letter_events=self.callbacks.dead_letter_events,
        )
        log.log(logging.WARNING if report.pending else logging.INFO, "channel service stopped: %s", report)
        return report

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
            "intake_ids_remembered": len(self.intake.seen),
            "seed": self.seed,
            "time_scale": self.settings.sim_time_scale,
        }
