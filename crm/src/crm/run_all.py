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
from crm.auth.cli import ensure_admin
from crm.config import get_settings


def main() -> int:
    settings = get_settings()
    settings.warn_on_dev_defaults()
    asyncio.run(seed.main(["--if-empty"]))
    print(asyncio.run(ensure_admin(settings.admin_email, settings.admin_password)), flush=True)
    crm_url = urlparse(settings.crm_public_url)
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
        subprocess.Popen(
            [
                *uvicorn,
                "crm.main:app",
                "--host",
                crm_url.hostname or "127.0.0.1",
                "--port",
                str(crm_url.port or 8000),
            ],
            env=env,
        ),
    ]
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
