"""`make up` runs `python -m crm.run_all`: it migrates, seeds an empty database, creates the first
operator, and serves both services. This starts it for real (as a user would, in a subprocess) on
a fresh SQLite file and free ports, signs in as the operator it created, and reads the seed data."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import httpx
from reach_servers import free_url, wait_for_health

ADMIN_EMAIL = "owner@sugar.local"
ADMIN_PASSWORD = "make-up-test-password"


def test_make_up_serves_the_seeded_crm_and_the_channel_service(tmp_path: Path) -> None:
    crm_url, channel_url = free_url(), free_url()
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'reach.db'}",
        "CRM_PUBLIC_URL": crm_url,
        "CHANNEL_SERVICE_URL": channel_url,
        "ADMIN_EMAIL": ADMIN_EMAIL,
        "ADMIN_PASSWORD": ADMIN_PASSWORD,
        "LLM_PROVIDER": "offline",
        "WEB_DIST_DIR": str(tmp_path / "no-web-build"),
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "crm.run_all"],
        env=env,
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        health = wait_for_health(f"{crm_url}/api/health", process)
        assert health["status"] == "ok" and health["database"] == "sqlite"
        assert wait_for_health(f"{channel_url}/health", process)["status"] == "ok"

        with httpx.Client(base_url=crm_url, timeout=10) as http:
            assert http.get("/api/customers").status_code == 401  # nothing without signing in
            signed_in = http.post("/api/auth/login", json={"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD})
            assert signed_in.status_code == 200, signed_in.text
            customers = http.get("/api/customers", params={"limit": 5})
            assert customers.status_code == 200, customers.text
            assert len(customers.json()["items"]) == 5
            fields = http.get("/api/segments/fields").json()["fields"]
            categories = next(f for f in fields if f["name"] == "category")["values"]
            assert {"Lipstick", "Kajal"} <= {v["value"] for v in categories}
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            output, _ = process.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            output, _ = process.communicate()
    text = output.decode(errors="replace")
    assert "Created the first operator" in text and ADMIN_EMAIL in text
    assert process.returncode is not None
