"""Test data factories: plain functions returning API-shaped records, with overrides."""

from __future__ import annotations

import itertools
from typing import Any

_ids = itertools.count(1)


def unique(prefix: str) -> str:
    return f"{prefix}-{next(_ids)}"


def customer(**overrides: Any) -> dict[str, Any]:
    n = next(_ids)
    record: dict[str, Any] = {
        "external_id": f"c-{n}",
        "name": f"Customer {n}",
        "email": f"customer{n}@example.com",
        "phone": f"+9198{n:08d}",
        "city": "Pune",
        "state": "Maharashtra",
        "gender": "female",
        "birthday": "1996-04-02",
        "signed_up_at": "2025-01-02T10:00:00+05:30",
        "tags": ["vip"],
        "consent": {"email": True, "sms": True, "whatsapp": True, "rcs": False},
    }
    record.update(overrides)
    return record


def order(customer_external_id: str, **overrides: Any) -> dict[str, Any]:
    n = next(_ids)
    record: dict[str, Any] = {
        "external_id": f"o-{n}",
        "customer_external_id": customer_external_id,
        "ordered_at": "2026-09-01T12:00:00+05:30",
        "amount": 1299.0,
        "currency": "INR",
        "status": "paid",
        "items": [
            {
                "sku": "LIP-01",
                "name": "Matte Lipstick - Rose",
                "category": "Lipstick",
                "quantity": 1,
                "unit_price": 1299.0,
            }
        ],
    }
    record.update(overrides)
    return record
