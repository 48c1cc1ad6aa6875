"""The CRM application: `uvicorn crm.main:app`."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import anyio
from fastapi import FastAPI

from crm.config import Settings, get_settings
from crm.customers.router import router as customers_router
from crm.db import create_engine, create_sessionmaker
from crm.errors import install_error_handlers
from crm.health import router as health_router
from crm.ingest.router import router as ingest_router
from crm.migrate import upgrade_to_head
from crm.segments.router import router as segments_router
from crm.web_static import mount_web_app

log = logging.getLogger("crm")


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        settings.warn_on_dev_defaults()
        if settings.run_migrations_on_startup:
            await anyio.to_thread.run_sync(upgrade_to_head, settings.database_url)
        engine = create_engine(settings.database_url)
        app.state.engine = engine
        app.state.sessionmaker = create_sessionmaker(engine)
        try:
            yield
        finally:
            await engine.dispose()

    app = FastAPI(
        title="Reach CRM",
        version="0.1.0",
        description='AI-copilot marketing CRM. Every error is JSON: {"detail": ...}.',
        lifespan=lifespan,
    )
    app.state.settings = settings
    install_error_handlers(app)
    for router in (health_router, ingest_router, customers_router, segments_router):
        app.include_router(router)
    mount_web_app(app, settings.web_dist_dir)
    return app


app = create_app()
