"""Message templates in Liquid (the marketers' convention): `Hi {{ name | default: "there" }}`.

Liquid renders only what it is given — plain values, no attribute access to Python objects, no
file system — and the variables a template may use are this whitelist, checked at draft time.
Rendering is bounded (loop iterations, output size, assigned values), so a template such as
`{% for i in (1..1000000000) %}` fails fast instead of tying up a preview or the dispatcher; a
draft whose template exceeds the bounds on sample data is refused.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Any

from liquid import BoundTemplate, Environment
from liquid.exceptions import LiquidError, ResourceLimitError

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

LOOP_ITERATION_LIMIT = 1_000
OUTPUT_CHARACTER_LIMIT = 100_000


class BoundedEnvironment(Environment):
    """Per render: at most this many loop iterations in all, this much output, and this much
    assigned (a doubling `assign` in a loop would otherwise grow without bound)."""

    loop_iteration_limit = LOOP_ITERATION_LIMIT
    output_stream_limit = OUTPUT_CHARACTER_LIMIT
    local_namespace_limit = OUTPUT_CHARACTER_LIMIT


_environment = BoundedEnvironment()
# A customer with long values, for the draft-time trial render.
SAMPLE_CONTEXT: dict[str, Any] = {
    "name": "Anantharamakrishnan Venkatasubramanian",
    "first_name": "Anantharamakrishnan",
    "city": "Thiruvananthapuram",
    "state": "Kerala",
    "last_item": "Matte As Hell Crayon Lipstick - Poison Ivy, Intense Green, Long-Wear",
    "total_spent": 125000.5,
    "order_count": 42,
    "age": 34,
    "email": "anantharamakrishnan.venkatasubramanian@example.com",
    "phone": "+919876543210",
}


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
    try:
        template.render(**SAMPLE_CONTEXT)
    except ResourceLimitError:
        raise TemplateProblem(
            f"the template is too expensive to render: at most {LOOP_ITERATION_LIMIT:,} loop iterations and "
            f"{OUTPUT_CHARACTER_LIMIT:,} characters of output"
        ) from None
    except LiquidError:
        pass  # other render errors depend on a customer's data; the dispatcher reports those per send
    return CheckedTemplate(source=source, variables=tuple(dict.fromkeys(used)))


@lru_cache(maxsize=256)
def _parsed(source: str) -> BoundTemplate:
    return _environment.from_string(source)


def render(source: str, context: dict[str, Any]) -> str:
    """Parsed once per distinct template, rendered per recipient; raises ResourceLimitError past
    the bounds (a loop driven by a customer's data can still reach them)."""
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
