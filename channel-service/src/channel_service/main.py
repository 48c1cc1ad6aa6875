"""FastAPI application of the channel service: `uvicorn channel_service.main:app --port 8001`."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from standardwebhooks.webhooks import Webhook

from channel_service.config import Settings
from channel_service.router import admin_router, router
from channel_service.service import ChannelService
from channel_service.signatures import admin_token

logging.getLogger("channel_service").setLevel(logging.INFO)


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the app; the lifespan starts the workers and timers and drains on shutdown."""
    service = ChannelService(settings or Settings())

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        await service.start()
        try:
            yield
        finally:
            await service.stop()

    app = FastAPI(
        title="Reach channel service",
        description="Simulated WhatsApp / SMS / email / RCS provider with signed, batched, "
        "retried, unordered and duplicated delivery callbacks.",
        version="0.1.0",
        lifespan=lifespan,
    )
    app.state.channel_service = service
    secrets = service.settings.webhook_secrets()
    app.state.webhooks = tuple(Webhook(secret) for secret in secrets)
    app.state.admin_tokens = tuple(admin_token(secret) for secret in secrets)
    app.include_router(router)
    app.include_router(admin_router)
    return app


app = create_app()
