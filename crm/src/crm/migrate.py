"""Run Alembic migrations programmatically (start-up, tests, `python -m crm.migrate`)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config

from crm.config import get_settings

CRM_ROOT = Path(__file__).resolve().parents[2]


def alembic_config(database_url: str) -> Config:
    config = Config(str(CRM_ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(CRM_ROOT / "migrations"))
    config.attributes["database_url"] = database_url
    return config


def upgrade_to_head(database_url: str) -> None:
    """Blocking: call from a thread when an event loop is running."""
    command.upgrade(alembic_config(database_url), "head")


if __name__ == "__main__":
    upgrade_to_head(get_settings().database_url)
