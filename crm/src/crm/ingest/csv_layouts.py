"""CSV header layouts we accept and how one row (or a group of rows) becomes an ingest record.

Layouts: this project's own customers and orders columns, Shopify's customers export (the
current layout with "Customer ID" and the older one with "Accepts Marketing"), and Shopify's
orders export (one row per line item; order-level fields only on an order's first row).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from crm.catalog import INDIAN_STATE_CODES, infer_category
from crm.errors import InvalidInput

CsvKind = Literal["customers", "orders"]
Row = dict[str, str]

OWN_CUSTOMER_COLUMNS = (
    "external_id",
    "name",
    "email",
    "phone",
    "city",
    "state",
    "gender",
    "birthday",
    "signed_up_at",
    "tags",
    "consent_email",
    "consent_sms",
    "consent_whatsapp",
    "consent_rcs",
)
OWN_ORDER_COLUMNS = (
    "external_id",
    "customer_external_id",
    "ordered_at",
    "amount",
    "currency",
    "status",
    "item_sku",
    "item_name",
    "item_category",
    "item_quantity",
    "item_unit_price",
)


def cell(row: Row, column: str) -> str | None:
    """A cell's text with Shopify's leading apostrophe removed; blank cells are None."""
    value = row.get(column)
    if value is None:
        return None
    value = value.strip()
    if value.startswith("'"):
        value = value[1:].strip()
    return value or None


def without_blanks(record: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in record.items() if v is not None}


def csv_datetime(value: str | None) -> str | None:
    """Shopify writes '2024-03-01 10:15:22 +0530'; pass anything else through for validation."""
    if value is None:
        return None
    for fmt in ("%Y-%m-%d %H:%M:%S %z", "%Y-%m-%d %H:%M %z", "%Y-%m-%d %H:%M:%S"):
        try:
            return datetime.strptime(value, fmt).isoformat()
        except ValueError:
            continue
    return value


def csv_bool(value: str | None) -> str | None:
    return value.lower() if value is not None else None


def split_tags(value: str | None) -> list[str] | None:
    if value is None:
        return None
    separator = ";" if ";" in value else ","
    return [t.strip() for t in value.split(separator) if t.strip()]


def state_name(value: str | None) -> str | None:
    if value is None:
        return None
    return INDIAN_STATE_CODES.get(value.upper(), value)


# ---------------------------------------------------------------- customers


def own_customer(row: Row) -> dict[str, Any]:
    consent = without_blanks({ch: csv_bool(cell(row, f"consent_{ch}")) for ch in ("email", "sms", "whatsapp", "rcs")})
    record = without_blanks(
        {
            "external_id": cell(row, "external_id"),
            "name": cell(row, "name"),
            "email": cell(row, "email"),
            "phone": cell(row, "phone"),
            "city": cell(row, "city"),
            "state": cell(row, "state"),
            "gender": cell(row, "gender"),
            "birthday": cell(row, "birthday"),
            "signed_up_at": csv_datetime(cell(row, "signed_up_at")),
            "tags": split_tags(cell(row, "tags")),
        }
    )
    if consent:
        record["consent"] = consent
    return record


def shopify_customer_external_id(email: str | None, shopify_id: str | None) -> str | None:
    if email:
        return f"shopify:{email.lower()}"
    if shopify_id:
        return f"shopify-id:{shopify_id}"
    return None


def shopify_customer(row: Row) -> dict[str, Any]:
    new_layout = "Customer ID" in row or "Default Address City" in row
    prefix = "Default Address " if new_layout else ""
    first, last = cell(row, "First Name"), cell(row, "Last Name")
    name = " ".join(p for p in (first, last) if p) or None
    email = cell(row, "Email")
    email_ok = cell(row, "Accepts Email Marketing" if new_layout else "Accepts Marketing")
    sms_ok = cell(row, "Accepts SMS Marketing")
    consent = without_blanks({"email": csv_bool(email_ok), "sms": csv_bool(sms_ok)})
    record = without_blanks(
        {
            "external_id": shopify_customer_external_id(email, cell(row, "Customer ID")),
            "name": name,
            "email": email,
            "phone": cell(row, "Phone") or cell(row, f"{prefix}Phone"),
            "city": cell(row, f"{prefix}City"),
            "state": state_name(
                cell(row, "Default Address Province Code")
                if new_layout
                else (cell(row, "Province") or cell(row, "Province Code"))
            ),
            "tags": split_tags(cell(row, "Tags")),
        }
    )
    if consent:
        record["consent"] = consent
    return record


# ---------------------------------------------------------------- orders


@dataclass
class OrderGroup:
    """Rows of one order: the first carries order-level fields, each carries one item."""

    key: str
    first_line: int
    record: dict[str, Any]
    item_lines: list[int] = field(default_factory=list)
    customer_email: str | None = None
    customer_hint: dict[str, Any] = field(default_factory=dict)


def own_order_key(row: Row) -> str | None:
    return cell(row, "external_id")


def own_order_start(row: Row, line: int) -> OrderGroup:
    record = without_blanks(
        {
            "external_id": cell(row, "external_id"),
            "customer_external_id": cell(row, "customer_external_id"),
            "ordered_at": csv_datetime(cell(row, "ordered_at")),
            "amount": cell(row, "amount"),
            "currency": cell(row, "currency"),
            "status": cell(row, "status"),
        }
    )
    return OrderGroup(key=str(record.get("external_id")), first_line=line, record=record)


def own_order_item(row: Row) -> dict[str, Any] | None:
    name = cell(row, "item_name")
    if name is None and cell(row, "item_sku") is None:
        return None
    return without_blanks(
        {
            "sku": cell(row, "item_sku"),
            "name": name,
            "category": cell(row, "item_category") or (infer_category(name) if name else None),
            "quantity": cell(row, "item_quantity"),
            "unit_price": cell(row, "item_unit_price"),
        }
    )


def shopify_order_key(row: Row) -> str | None:
    return cell(row, "Name")


def shopify_order_status(row: Row) -> str | None:
    if cell(row, "Cancelled at"):
        return "cancelled"
    financial = (cell(row, "Financial Status") or "").lower()
    return {
        "paid": "paid",
        "pending": "pending",
        "authorized": "pending",
        "refunded": "refunded",
        "partially_refunded": "partially_refunded",
        "partially_paid": "pending",
        "voided": "voided",
    }.get(financial, financial or "paid")


def shopify_order_start(row: Row, line: int) -> OrderGroup:
    order_name = cell(row, "Name") or ""
    shopify_id = cell(row, "Id")
    email = cell(row, "Email")
    record = without_blanks(
        {
            "external_id": f"shopify-order:{shopify_id or order_name}",
            "ordered_at": csv_datetime(cell(row, "Paid at") or cell(row, "Created at")),
            "amount": cell(row, "Total"),
            "currency": cell(row, "Currency"),
            "status": shopify_order_status(row),
        }
    )
    hint = without_blanks(
        {
            "name": cell(row, "Billing Name") or cell(row, "Shipping Name"),
            "email": email,
            "phone": cell(row, "Phone") or cell(row, "Billing Phone") or cell(row, "Shipping Phone"),
            "city": cell(row, "Billing City") or cell(row, "Shipping City"),
            "state": state_name(cell(row, "Billing Province Name") or cell(row, "Billing Province")),
        }
    )
    accepts = cell(row, "Accepts Marketing") or cell(row, "Accepts Email Marketing")
    if accepts:
        hint["consent"] = {"email": accepts.lower()}
    return OrderGroup(
        key=order_name,
        first_line=line,
        record=record,
        customer_email=email.lower() if email else None,
        customer_hint=hint,
    )


def shopify_order_item(row: Row) -> dict[str, Any] | None:
    name = cell(row, "Lineitem name")
    if name is None:
        return None
    return without_blanks(
        {
            "sku": cell(row, "Lineitem sku"),
            "name": name,
            "category": infer_category(name),
            "quantity": cell(row, "Lineitem quantity"),
            "unit_price": cell(row, "Lineitem price"),
        }
    )


@dataclass(frozen=True)
class CsvLayout:
    name: str
    kind: CsvKind
    required: tuple[str, ...]
    customer: Callable[[Row], dict[str, Any]] | None = None
    order_key: Callable[[Row], str | None] | None = None
    order_start: Callable[[Row, int], OrderGroup] | None = None
    order_item: Callable[[Row], dict[str, Any] | None] | None = None


LAYOUTS = (
    CsvLayout(
        "shopify_orders",
        "orders",
        ("Name", "Email", "Total", "Lineitem name"),
        order_key=shopify_order_key,
        order_start=shopify_order_start,
        order_item=shopify_order_item,
    ),
    CsvLayout("shopify_customers", "customers", ("First Name", "Last Name", "Email"), customer=shopify_customer),
    CsvLayout(
        "reach_orders",
        "orders",
        ("external_id", "customer_external_id", "ordered_at", "amount"),
        order_key=own_order_key,
        order_start=own_order_start,
        order_item=own_order_item,
    ),
    CsvLayout("reach_customers", "customers", ("external_id",), customer=own_customer),
)


def detect_layout(header: list[str], kind: CsvKind | None) -> CsvLayout:
    columns = {h.strip() for h in header}
    candidates = [layout for layout in LAYOUTS if kind is None or layout.kind == kind]
    for layout in candidates:
        if all(c in columns for c in layout.required):
            return layout
    # Name what is missing for the closest layout of the requested (or likeliest) kind.
    best = max(candidates, key=lambda layout: sum(c in columns for c in layout.required))
    missing = [c for c in best.required if c not in columns]
    raise InvalidInput(
        ["body", "file"],
        f"unrecognised CSV header: for {best.name} the column(s) {', '.join(missing)} are missing",
    )
