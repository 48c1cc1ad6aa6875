"""Message templates in Liquid (the marketers' convention): `Hi {{ name | default: "there" }}`.

Liquid renders only what it is given — plain values, no attribute access to Python objects, no
file system — and the variables a template may use are this whitelist, checked at draft time.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Any

from liquid import BoundTemplate, Environment
from liquid.exceptions import LiquidError

from crm.customers.service import age_on
from crm.models import Customer, CustomerStats
from crm.money import from_minor

# name -> what it holds (shown to marketers and to the copilot).
TEMPLATE_VARIABLES: dict[str, str] = {
    "name": "full name",
    "first_name": "first name",
    "city": "city",
    "state": "state",
    "last_item": "the product in the customer's latest order",
    "total_spent": "lifetime spend in rupees",
    "order_count": "number of orders",
    "age": "age in years",
    "email": "email address",
    "phone": "phone number",
}

_environment = Environment()


class TemplateProblem(ValueError):
    pass


@dataclass(frozen=True)
class CheckedTemplate:
    source: str
    variables: tuple[str, ...]


def check_template(source: str) -> CheckedTemplate:
    """Parses the template and rejects variables outside the whitelist."""
    try:
        template = _environment.from_string(source)
        used = template.global_variables()
    except LiquidError as exc:
        raise TemplateProblem(f"not a valid template: {exc}") from None
    unknown = sorted(set(used) - set(TEMPLATE_VARIABLES))
    if unknown:
        raise TemplateProblem(f"unknown variable(s) {', '.join(unknown)}; use {', '.join(TEMPLATE_VARIABLES)}")
    return CheckedTemplate(source=source, variables=tuple(dict.fromkeys(used)))


@lru_cache(maxsize=256)
def _parsed(source: str) -> BoundTemplate:
    return _environment.from_string(source)


def render(source: str, context: dict[str, Any]) -> str:
    """Parsed once per distinct template, rendered per recipient."""
    return _parsed(source).render(**context)


def customer_context(customer: Customer, stats: CustomerStats | None) -> dict[str, Any]:
    first_name = customer.name.split()[0] if customer.name else None
    return {
        "name": customer.name,
        "first_name": first_name,
        "city": customer.city,
        "state": customer.state,
        "last_item": stats.last_item if stats else None,
        "total_spent": from_minor(stats.total_spent_minor) if stats else 0,
        "order_count": stats.order_count if stats else 0,
        "age": age_on(customer.birthday, date.today()),
        "email": customer.email,
        "phone": customer.phone,
    }
