"""The seed data's vocabulary (what `list_fields` shows for a seeded database), for planner tests
that need no database."""

from __future__ import annotations

from datetime import date

from crm.agent.planner import Vocabulary
from crm.seed import CITIES, PRODUCTS, TAG_POOL

TODAY = date(2026, 11, 20)
SEED_VOCABULARY = Vocabulary(
    categories=tuple(dict.fromkeys(category for _, _, category, _ in PRODUCTS)),
    products=tuple(name for _, name, _, _ in PRODUCTS),
    cities=tuple(city for city, _, _ in CITIES),
    states=tuple(dict.fromkeys(state for _, state, _ in CITIES)),
    tags=(*TAG_POOL, "vip", "wholesale"),
)
