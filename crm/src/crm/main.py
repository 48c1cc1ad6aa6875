"""The CRM application: `uvicorn crm.main:app`."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import partial
from typing import Any

import anyio
from fastapi import Depends, FastAPI
from fastapi.openapi.utils import get_openapi
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from crm.agent.provider_choice import choose_provider
from crm.agent.router import router as agent_router
from crm.audit.router import router as audit_router
from crm.auth.dependencies import require_operator
from crm.auth.router import router as auth_router
from crm.auth.startup import refuse_unsafe_production
from crm.brand.router import router as brand_router
from crm.campaigns.router import router as campaigns_router
from crm.campaigns.scheduler import CampaignScheduler
from crm.config import Settings, get_settings
from crm.customers.router import router as customers_router
from crm.db import create_engine, create_sessionmaker
from crm.dispatch.channel_client import ChannelClient, build_http_client
from crm.dispatch.dispatcher import Dispatcher, render_message
from crm.dispatch.policies import SendPolicy
from crm.dispatch.router import router as delivery_router
from crm.errors import install_error_handlers
from crm.experiments.router import router as experiments_router
from crm.health import router as health_router
from crm.http_guards import GuardMiddleware
from crm.ingest.router import router as ingest_router
from crm.links.router import link_signer
from crm.links.router import public_router as links_public_router
from crm.links.router import router as links_router
from crm.messages.group_commit import GroupCommitter, statement_engine
from crm.messages.router import router as communications_router
from crm.migrate import upgrade_to_head
from crm.segments.router import router as segments_router
from crm.sequences.enrollment import Enroller
from crm.sequences.router import router as sequences_router
from crm.web_static import mount_web_app
from crm.webhooks.router import receipt_schemas
from crm.webhooks.router import router as webhooks_router

log = logging.getLogger("crm")

# Open to anyone: health, the signed webhook, and sign-in itself (the auth router guards its others).
PUBLIC_ROUTERS = (health_router, webhooks_router, auth_router, links_public_router)
ROUTERS = (
    ingest_router,
    experiments_router,
    customers_router,
    communications_router,
    segments_router,
    campaigns_router,
    delivery_router,
    sequences_router,
    agent_router,
    audit_router,
    brand_router,
    links_router,
)


def build_dispatcher(app: FastAPI, settings: Settings) -> Dispatcher:
    return Dispatcher(
        maker=app.state.sessionmaker,
        client=app.state.channel_client,
        callback_url=f"{settings.crm_public_url.rstrip('/')}/api/webhooks/receipts",
        batch_size=settings.dispatch_batch_size,
        claim_ttl_seconds=settings.dispatch_claim_ttl_seconds,
        poll_seconds=settings.dispatch_poll_seconds,
        policy=SendPolicy.from_settings(settings),
        time_scale=settings.sim_time_scale,
        retry_base_seconds=settings.dispatch_retry_base_seconds,
        renderer=partial(render_message, links=link_signer(settings)),
    )


def use_sessionmaker(
    app: FastAPI, maker: async_sessionmaker[AsyncSession], statements: AsyncEngine | None = None
) -> GroupCommitter:
    """Gives the app its sessionmaker and the one receipt committer that applies its receipt
    deliveries (on `statements` when given: crm.messages.group_commit.statement_engine). The startup
    calls this; so does a test that serves the app from its own sessionmaker."""
    app.state.sessionmaker = maker
    committer = app.state.receipt_committer = GroupCommitter(maker, statements)
    return committer


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        settings.warn_on_dev_defaults()
        if settings.run_migrations_on_startup:
            await anyio.to_thread.run_sync(upgrade_to_head, settings.database_url)
        engine = create_engine(settings.database_url)
        app.state.engine = engine
        committer = use_sessionmaker(app, create_sessionmaker(engine), statement_engine(settings.database_url))
        await refuse_unsafe_production(settings, app.state.sessionmaker)
        http = build_http_client(settings.channel_service_url)
        app.state.channel_client = ChannelClient(http, settings.webhook_secret)
        stop = asyncio.Event()
        worker: asyncio.Task[None] | None = None
        enroller: asyncio.Task[None] | None = None
        scheduler: asyncio.Task[None] | None = None
        if settings.run_dispatcher:
            worker = asyncio.create_task(build_dispatcher(app, settings).run(stop), name="dispatcher")
            enroller = asyncio.create_task(
                Enroller.from_settings(app.state.sessionmaker, settings).run(stop), name="sequence-enroller"
            )
            scheduler = asyncio.create_task(
                CampaignScheduler(app.state.sessionmaker).run(stop), name="campaign-scheduler"
            )
        try:
            yield
        finally:
            stop.set()
            for task in (worker, enroller, scheduler):
                if task is not None:
                    with contextlib.suppress(asyncio.CancelledError):
                        await asyncio.wait_for(task, timeout=15)
            await http.aclose()
            await committer.aclose()  # the one made here, even if a test replaced app.state's
            await engine.dispose()

    app = FastAPI(
        title="Reach CRM",
        version="0.1.0",
        description='AI-copilot marketing CRM. Every error is JSON: {"detail": ...}.',
        lifespan=lifespan,
    )
    app.state.settings = settings
    choice = choose_provider(settings)
    app.state.agent_provider = choice.provider
    app.state.llm_warning = choice.warning
    install_error_handlers(app)
    app.add_middleware(
        GuardMiddleware,
        max_json_bytes=settings.max_json_bytes,
        max_upload_bytes=settings.max_upload_bytes,
        upload_paths=("/api/ingest/csv",),
        trusted_proxies=settings.forwarded_allow_ips,
    )
    for router in PUBLIC_ROUTERS:
        app.include_router(router)
    for router in ROUTERS:
        app.include_router(router, dependencies=[Depends(require_operator)])
    mount_web_app(app, settings.web_dist_dir)
    install_openapi(app)
    return app


def install_openapi(app: FastAPI) -> None:
    """FastAPI's schema plus the schemas of bodies we parse by hand (signed webhooks)."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = get_openapi(title=app.title, version=app.version, description=app.description, routes=app.routes)
            schema.setdefault("components", {}).setdefault("schemas", {}).update(receipt_schemas())
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


app = create_app()
