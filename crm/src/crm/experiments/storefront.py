"""`python -m crm.experiments.storefront`: the simulated shop behind the demo (started by `make up`).

It places orders through the CRM's own ingest API, as a real store's integration would:

- organic orders for every customer at STOREFRONT_ORGANIC_RATE per simulated day;
- for every message the channel service delivered (its ground-truth event log, `GET /v1/events`),
  maybe one extra order, per `storefront_model` (STOREFRONT_UPLIFT, STOREFRONT_RESPONSE_DAYS).

So a campaign with a holdout shows a real, measurable lift, and with STOREFRONT_UPLIFT=0 none.
Time follows the other simulated durations: a simulated day lasts 86,400 / SIM_TIME_SCALE real
seconds, and orders carry the real time at which they fall. Order ids are derived from the seed,
customer and day (or the message), so a replay after a restart creates nothing twice; with
SIM_SEED the same customers place the same orders.
"""

from __future__ import annotations

import asyncio
import contextlib
import heapq
import logging
import random
import signal
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Final

import httpx
import numpy as np

from crm.config import Settings, get_settings
from crm.dispatch.channel_client import admin_headers
from crm.experiments.storefront_model import StorefrontModel

log = logging.getLogger("crm.storefront")

DAY_SECONDS: Final = 86_400.0
INGEST_BATCH: Final = 1000
EVENTS_PAGE: Final = 10_000
CUSTOMER_REFRESH_TICKS: Final = 12


def iso(epoch_seconds: float) -> str:
    return datetime.fromtimestamp(epoch_seconds, UTC).isoformat(timespec="seconds")


def customer_of(communication_id: str) -> int | None:
    """The CRM customer id inside a communication id: '<campaign uid>-<customer id>' or
    '<sequence uid>-<customer id>-s<step>'."""
    parts = communication_id.split("-")
    if len(parts) >= 3 and parts[-1].startswith("s"):
        parts = parts[:-1]
    return int(parts[-1]) if len(parts) >= 2 and parts[-1].isdigit() else None


@dataclass(order=True)
class PendingOrder:
    due: float
    payload: dict[str, Any] = field(compare=False)


class Storefront:
    def __init__(
        self, settings: Settings, crm: httpx.AsyncClient, channel: httpx.AsyncClient, seed: int, started_at: float
    ) -> None:
        self.settings = settings
        self.crm = crm
        self.channel = channel
        self.model = StorefrontModel(
            seed=seed,
            organic_rate=settings.storefront_organic_rate,
            uplift=settings.storefront_uplift,
            response_days=settings.storefront_response_days,
        )
        self.seed = seed
        self.day_seconds = DAY_SECONDS / settings.sim_time_scale
        self.covered_until = started_at
        self.events_after = -1
        self.external_ids: dict[int, str] = {}
        self.customer_ids: list[int] = []
        self.keys = np.zeros(0, dtype=np.uint64)
        self.pending: list[PendingOrder] = []
        self.ticks = 0
        self.placed = 0

    async def refresh_customers(self) -> None:
        """Every customer's CRM id and external id (the ingest API names customers by the latter)."""
        found: dict[int, str] = {}
        cursor: str | None = None
        while True:
            params: dict[str, Any] = {"limit": 500, **({"cursor": cursor} if cursor else {})}
            response = await self.crm.get("/api/customers", params=params)
            response.raise_for_status()
            page = response.json()
            found.update({int(c["id"]): str(c["external_id"]) for c in page["items"]})
            cursor = page.get("next_cursor")
            if not cursor:
                break
        if found.keys() != self.external_ids.keys():
            self.external_ids = found
            self.customer_ids = sorted(found)
            self.keys = self.model.keys(found[c] for c in self.customer_ids)

    def organic(self, start: float, end: float) -> list[dict[str, Any]]:
        """Organic orders of every customer falling in [start, end) real time."""
        orders: list[dict[str, Any]] = []
        for day in range(int(start // self.day_seconds), int(end // self.day_seconds) + 1):
            drawn = self.model.organic_orders(self.keys, day)
            at = (day + drawn.day_fraction) * self.day_seconds
            for i in np.flatnonzero((at >= start) & (at < end)):
                external_id = self.external_ids[self.customer_ids[int(drawn.customer[i])]]
                orders.append(
                    self.order(
                        f"sim-{self.seed}-{external_id}-d{day}-{int(drawn.number[i])}",
                        external_id,
                        at[i],
                        drawn.amount[i],
                    )
                )
        return orders

    def order(self, order_id: str, customer: str, at: float, amount: float) -> dict[str, Any]:
        return {
            "external_id": order_id,
            "customer_external_id": customer,
            "ordered_at": iso(float(at)),
            "amount": float(amount),
            "currency": self.settings.default_currency,
            "status": "paid",
        }

    async def collect_responses(self) -> None:
        """Reads newly delivered messages and schedules the extra orders they bring."""
        while True:
            response = await self.channel.get(
                "/v1/events",
                params={"after": self.events_after, "limit": EVENTS_PAGE},
                headers=admin_headers(self.settings.webhook_secret),
            )
            response.raise_for_status()
            page = response.json()
            self.events_after = int(page["next_after"])
            delivered = [
                (e["communication_id"], datetime.fromisoformat(e["occurred_at"]).timestamp())
                for e in page["events"]
                if e["type"] == "delivered"
            ]
            if delivered:
                self.schedule_responses(delivered)
            if len(page["events"]) < EVENTS_PAGE:
                return

    def schedule_responses(self, delivered: list[tuple[str, float]]) -> None:
        responses = self.model.responses(self.model.keys(cid for cid, _ in delivered))
        for index, delay, amount in zip(responses.message, responses.delay_days, responses.amount, strict=True):
            communication_id, delivered_at = delivered[int(index)]
            customer = customer_of(communication_id)
            external_id = self.external_ids.get(customer) if customer is not None else None
            if external_id is None:
                continue
            due = delivered_at + float(delay) * self.day_seconds
            heapq.heappush(
                self.pending,
                PendingOrder(due, self.order(f"sim-{self.seed}-msg-{communication_id}", external_id, due, amount)),
            )

    def due_responses(self, now: float) -> list[dict[str, Any]]:
        orders = []
        while self.pending and self.pending[0].due <= now:
            orders.append(heapq.heappop(self.pending).payload)
        return orders

    async def ingest(self, orders: list[dict[str, Any]]) -> None:
        for start in range(0, len(orders), INGEST_BATCH):
            response = await self.crm.post("/api/ingest", json={"orders": orders[start : start + INGEST_BATCH]})
            response.raise_for_status()
            rejected = response.json().get("rejected", [])
            if rejected:
                log.warning("storefront: %d orders rejected, e.g. %s", len(rejected), rejected[0])
            self.placed += len(orders[start : start + INGEST_BATCH]) - len(rejected)

    async def tick(self, now: float) -> int:
        """Places the orders due by `now`; returns how many it sent."""
        if self.ticks % CUSTOMER_REFRESH_TICKS == 0 or not self.customer_ids:
            await self.refresh_customers()
        self.ticks += 1
        await self.collect_responses()
        orders = self.organic(self.covered_until, now) + self.due_responses(now)
        self.covered_until = now
        await self.ingest(orders)
        return len(orders)


async def run(settings: Settings, token: str, stop: asyncio.Event) -> None:
    seed = settings.storefront_seed if settings.storefront_seed is not None else random.randrange(1 << 31)
    log.warning(
        "storefront: seed %d, %.3g organic orders per customer per simulated day",
        seed,
        settings.storefront_organic_rate,
    )
    timeout = httpx.Timeout(30.0, connect=3.0)
    async with (
        httpx.AsyncClient(
            base_url=settings.crm_public_url, headers={"authorization": f"Bearer {token}"}, timeout=timeout
        ) as crm,
        httpx.AsyncClient(base_url=settings.channel_service_url, timeout=timeout) as channel,
    ):
        storefront = Storefront(settings, crm, channel, seed, time.time())
        while not stop.is_set():
            try:
                await storefront.tick(time.time())
            except httpx.HTTPError as exc:
                log.warning("storefront: %r; trying again next tick", exc)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), settings.storefront_tick_seconds)


async def serve(settings: Settings, token: str) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    await run(settings, token, stop)


def main() -> None:
    logging.basicConfig(level=logging.WARNING, format="%(message)s")
    settings = get_settings()
    if not settings.storefront_api_token:
        raise SystemExit("STOREFRONT_API_TOKEN (an API token: python -m crm.auth.cli create-token) is required")
    asyncio.run(serve(settings, settings.storefront_api_token))


if __name__ == "__main__":
    main()
