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
from typing import Any, Protocol

from liquid import BoundTemplate, Environment
from liquid.builtin.content import ContentNode
from liquid.builtin.expressions import FilteredExpression, Path, PositionalArgument, StringLiteral
from liquid.builtin.filters.misc import default as liquid_default
from liquid.builtin.output import OutputNode
from liquid.exceptions import LiquidError, ResourceLimitError
from liquid.output import LimitedStringIO
from liquid.stringify import to_liquid_string

from crm.customers.service import age_on
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
    # campaign variables: one value for the whole campaign, set on it (an edit changes every message)
    "offer": "the campaign's offer, e.g. 10% off",
    "coupon_code": "the campaign's coupon code",
    "link": "a tracked link to the campaign's destination, one per recipient",
}
CAMPAIGN_VARIABLES = ("offer", "coupon_code", "link")

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
    "offer": "up to 50% off + free shipping + a free gift",
    "coupon_code": "FESTIVEGLAMOUR2026",
    "link": "https://reach.example.in/r/Ab3dE5gH7jK9",
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


@dataclass(frozen=True)
class Output:
    """`{{ variable }}`, or `{{ variable | default: "text" }}` when `default` is set."""

    variable: str
    default: str | None = None

    def value(self, context: dict[str, Any]) -> str:
        value = context.get(self.variable)  # a missing variable is undefined, which renders like nil
        if self.default is not None:
            value = liquid_default(value, self.default)
        return to_liquid_string(value, autoescape=False)


@dataclass(frozen=True)
class CompiledTemplate:
    """A parsed template; `parts` is set when it is only text and plain outputs (most message
    templates), which are written straight to Liquid's own output buffer instead of running its
    interpreter: the same newline translation per write and the same output bound."""

    liquid: BoundTemplate
    parts: tuple[str | Output, ...] | None

    def render(self, context: dict[str, Any]) -> str:
        if self.parts is None:
            return self.liquid.render(**context)
        buffer = LimitedStringIO(limit=OUTPUT_CHARACTER_LIMIT)
        for part in self.parts:
            buffer.write(part if isinstance(part, str) else part.value(context))
        return buffer.getvalue()


def plain_parts(template: BoundTemplate) -> tuple[str | Output, ...] | None:
    """The template as text and outputs of whitelisted variables, with at most a string
    `default`; None when it uses anything else (tags, other filters, paths, literals)."""
    parts: list[str | Output] = []
    for node in template.nodes:
        if type(node) is ContentNode:
            parts.append(node.text)
            continue
        if type(node) is not OutputNode or type(node.expression) is not FilteredExpression:
            return None
        left, filters = node.expression.left, node.expression.filters or []
        if type(left) is not Path or len(left.path) != 1 or left.path[0] not in TEMPLATE_VARIABLES:
            return None
        variable = str(left.path[0])
        if not filters:
            parts.append(Output(variable))
            continue
        if len(filters) != 1 or filters[0].name != "default":
            return None
        args = filters[0].args
        if not args:
            parts.append(Output(variable, ""))
        elif len(args) == 1 and type(args[0]) is PositionalArgument and type(args[0].value) is StringLiteral:
            parts.append(Output(variable, args[0].value.value))
        else:
            return None
    return tuple(parts)


@lru_cache(maxsize=256)
def compiled(source: str) -> CompiledTemplate:
    template = _environment.from_string(source)
    return CompiledTemplate(template, plain_parts(template))


def render(source: str, context: dict[str, Any]) -> str:
    """Parsed once per distinct template, rendered per recipient; raises ResourceLimitError past
    the bounds (a loop driven by a customer's data can still reach them)."""
    return compiled(source).render(context)


class Contact(Protocol):
    """The customer fields templates read (a Customer, or a claimed send's recipient)."""

    @property
    def name(self) -> str | None: ...
    @property
    def city(self) -> str | None: ...
    @property
    def state(self) -> str | None: ...
    @property
    def birthday(self) -> date | None: ...
    @property
    def email(self) -> str | None: ...
    @property
    def phone(self) -> str | None: ...


class Purchases(Protocol):
    """The customer_stats fields templates read."""

    @property
    def last_item(self) -> str | None: ...
    @property
    def total_spent_minor(self) -> int: ...
    @property
    def order_count(self) -> int: ...


def campaign_values(offer: str | None, coupon_code: str | None, link: str | None) -> dict[str, Any]:
    """The campaign variables' values for a render (the link is per recipient once tracked)."""
    return {"offer": offer, "coupon_code": coupon_code, "link": link}


def customer_context(
    customer: Contact, stats: Purchases | None, today: date | None = None, campaign: dict[str, Any] | None = None
) -> dict[str, Any]:
    first_name = customer.name.split()[0] if customer.name else None
    return {
        **(campaign or {}),
        "name": customer.name,
        "first_name": first_name,
        "city": customer.city,
        "state": customer.state,
        "last_item": stats.last_item if stats else None,
        "total_spent": from_minor(stats.total_spent_minor) if stats else 0,
        "order_count": stats.order_count if stats else 0,
        "age": age_on(customer.birthday, today or date.today()),
        "email": customer.email,
        "phone": customer.phone,
    }
