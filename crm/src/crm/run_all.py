"""`make up`: migrate, seed an empty database, then serve the channel service and the CRM.

The CRM serves the built web app (web/dist) at the same origin when it exists. Stop with Ctrl-C.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from urllib.parse import urlparse

from crm import seed
from crm.auth.cli import create_token, ensure_admin
from crm.config import Settings, get_settings


def crm_server_command(settings: Settings) -> list[str]:
    """uvicorn serving the CRM, with CRM_WORKERS processes on Postgres (one on SQLite)."""
    url = urlparse(settings.crm_public_url)
    workers = settings.serving_processes
    return [
        sys.executable,
        "-m",
        "uvicorn",
        "crm.main:app",
        "--host",
        url.hostname or "127.0.0.1",
        "--port",
        str(url.port or 8000),
        "--no-proxy-headers",  # the CRM believes X-Forwarded-For only from FORWARDED_ALLOW_IPS
        *(["--workers", str(workers)] if workers > 1 else []),
    ]


def storefront_environment(settings: Settings, env: dict[str, str]) -> dict[str, str] | None:
    """The storefront simulator's environment, with an API token of its own to ingest with (None
    when STOREFRONT_ENABLED is off, or there is no operator ADMIN_EMAIL to issue the token for)."""
    if not settings.storefront_enabled:
        return None
    token = settings.storefront_api_token
    if not token:
        try:
            token = asyncio.run(create_token(settings.admin_email, "storefront simulator"))
        except SystemExit as exc:
            print(f"The storefront simulator does not start: {exc}", flush=True)
            return None
    return {**env, "STOREFRONT_API_TOKEN": token}


def main() -> int:
    settings = get_settings()
    settings.warn_on_dev_defaults()
    asyncio.run(seed.main(["--if-empty"]))
    print(asyncio.run(ensure_admin(settings.admin_email, settings.admin_password)), flush=True)
    channel_url = urlparse(settings.channel_service_url)
    env = dict(os.environ)
    uvicorn = [sys.executable, "-m", "uvicorn"]
    processes = [
        subprocess.Popen(
            [
                *uvicorn,
                "channel_service.main:app",
                "--host",
                channel_url.hostname or "127.0.0.1",
                "--port",
                str(channel_url.port or 8001),
            ],
            env=env,
        ),
        subprocess.Popen(crm_server_command(settings), env=env),
    ]
    storefront_env = storefront_environment(settings, env)
    if storefront_env is not None:
        processes.append(subprocess.Popen([sys.executable, "-m", "crm.experiments.storefront"], env=storefront_env))
    print(f"Reach is starting: open {settings.crm_public_url}  (API docs at /docs; Ctrl-C stops)", flush=True)

    def stop(*_: object) -> None:
        for process in processes:
            if process.poll() is None:
                process.send_signal(signal.SIGINT)

    signal.signal(signal.SIGTERM, stop)
    try:
        while all(p.poll() is None for p in processes):
            try:
                processes[0].wait(timeout=1)
            except subprocess.TimeoutExpired:
                continue
    except KeyboardInterrupt:
        pass
    finally:
        stop()
        for process in processes:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
    return max((p.returncode or 0) for p in processes)


if __name__ == "__main__":
    raise SystemExit(main())
