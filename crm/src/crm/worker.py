"""`python -m crm.worker`: extra dispatcher workers (Postgres: they claim with SKIP LOCKED), and the
periodic sequence enrollment (safe next to the CRM's own: each person is enrolled once), and the
start of scheduled campaigns (safe too: a campaign moves from scheduled to running once)."""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal

from crm.campaigns.scheduler import CampaignScheduler
from crm.config import get_settings
from crm.db import create_engine, create_sessionmaker
from crm.dispatch.channel_client import ChannelClient, build_http_client
from crm.dispatch.dispatcher import Dispatcher
from crm.dispatch.policies import SendPolicy
from crm.sequences.enrollment import Enroller


async def run(workers: int) -> None:
    settings = get_settings()
    engine = create_engine(settings.database_url)
    maker = create_sessionmaker(engine)
    http = build_http_client(settings.channel_service_url)
    client = ChannelClient(http, settings.webhook_secret)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    dispatchers = [
        Dispatcher(
            maker=maker,
            client=client,
            callback_url=f"{settings.crm_public_url.rstrip('/')}/api/webhooks/receipts",
            batch_size=settings.dispatch_batch_size,
            claim_ttl_seconds=settings.dispatch_claim_ttl_seconds,
            poll_seconds=settings.dispatch_poll_seconds,
            policy=SendPolicy.from_settings(settings),
            time_scale=settings.sim_time_scale,
            retry_base_seconds=settings.dispatch_retry_base_seconds,
        )
        for _ in range(workers)
    ]
    try:
        await asyncio.gather(
            *(d.run(stop) for d in dispatchers),
            Enroller.from_settings(maker, settings).run(stop),
            CampaignScheduler(maker).run(stop),
        )
    finally:
        await http.aclose()
        await engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--workers", type=int, default=1)
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO)
    asyncio.run(run(args.workers))


if __name__ == "__main__":
    main()
