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


SHOPIFY_CUSTOMER_COLUMNS = (
    "Customer ID",
    "First Name",
    "Last Name",
    "Email",
    "Phone",
    "Accepts Email Marketing",
    "Accepts Marketing",
    "Accepts SMS Marketing",
    "City",
    "Province",
    "Province Code",
    "Default Address City",
    "Default Address Phone",
    "Default Address Province Code",
    "Tags",
)
SHOPIFY_ORDER_COLUMNS = (
    "Name",
    "Id",
    "Email",
    "Phone",
    "Financial Status",
    "Paid at",
    "Created at",
    "Cancelled at",
    "Currency",
    "Total",
    "Accepts Marketing",
    "Accepts Email Marketing",
    "Billing Name",
    "Billing Phone",
    "Billing City",
    "Billing Province",
    "Billing Province Name",
    "Shipping Name",
    "Shipping Phone",
    "Shipping City",
    "Lineitem name",
    "Lineitem sku",
    "Lineitem quantity",
    "Lineitem price",
)


@dataclass(frozen=True)
class CsvLayout:
    name: str
    kind: CsvKind
    required: tuple[str, ...]
    # The columns this layout reads. Our own layouts refuse any other column (a misspelt column
    # would otherwise be dropped without a word); a Shopify export carries dozens we do not read.
    columns: tuple[str, ...]
    strict_columns: bool
    customer: Callable[[Row], dict[str, Any]] | None = None
    order_key: Callable[[Row], str | None] | None = None
    order_start: Callable[[Row, int], OrderGroup] | None = None
    order_item: Callable[[Row], dict[str, Any] | None] | None = None

    def canonical(self, header: list[str]) -> list[str]:
        """The header with each known column spelt as this layout spells it (matching ignores case)."""
        known = {c.casefold(): c for c in self.columns}
        return [known.get(h.casefold(), h) for h in header]


LAYOUTS = (
    CsvLayout(
        "shopify_orders",
        "orders",
        ("Name", "Email", "Total", "Lineitem name"),
        SHOPIFY_ORDER_COLUMNS,
        strict_columns=False,
        order_key=shopify_order_key,
        order_start=shopify_order_start,
        order_item=shopify_order_item,
    ),
    CsvLayout(
        "shopify_customers",
        "customers",
        ("First Name", "Last Name", "Email"),
        SHOPIFY_CUSTOMER_COLUMNS,
        strict_columns=False,
        customer=shopify_customer,
    ),
    CsvLayout(
        "reach_orders",
        "orders",
        ("external_id", "customer_external_id", "ordered_at", "amount"),
        OWN_ORDER_COLUMNS,
        strict_columns=True,
        order_key=own_order_key,
        order_start=own_order_start,
        order_item=own_order_item,
    ),
    CsvLayout(
        "reach_customers",
        "customers",
        ("external_id",),
        OWN_CUSTOMER_COLUMNS,
        strict_columns=True,
        customer=own_customer,
    ),
)


def _refuse(msg: str) -> InvalidInput:
    return InvalidInput(["body", "file"], msg)


def refuse_duplicate_columns(header: list[str]) -> None:
    seen: dict[str, int] = {}
    duplicates: list[str] = []
    for position, column in enumerate(header, start=1):
        key = column.casefold()
        if not key:
            continue
        if key in seen:
            duplicates.append(f"{column!r} (columns {seen[key]} and {position})")
        else:
            seen[key] = position
    if duplicates:
        raise _refuse(f"duplicate column(s) in the header: {', '.join(duplicates)}; each column may appear once")


def detect_layout(header: list[str], kind: CsvKind | None, read_as: str = "") -> tuple[CsvLayout, list[str]]:
    """The layout the header matches (column names compared ignoring case) and the header spelt
    as that layout spells its columns. 422 naming the problem: duplicate columns, a required
    column missing, or (for this project's own layouts) a column we do not know."""
    refuse_duplicate_columns(header)
    unnamed = [str(i) for i, h in enumerate(header, start=1) if not h]
    if unnamed:
        raise _refuse(f"column(s) {', '.join(unnamed)} of the header have no name")
    columns = {h.casefold() for h in header}
    candidates = [layout for layout in LAYOUTS if kind is None or layout.kind == kind]
    for layout in candidates:
        if all(c.casefold() in columns for c in layout.required):
            return layout, _known_columns(layout, header)

    def closeness(layout: CsvLayout) -> tuple[int, int]:
        known = {c.casefold() for c in layout.columns}
        return (sum(h in known for h in columns), sum(c.casefold() in columns for c in layout.required))

    best = max(candidates, key=closeness)
    shown = ", ".join(header[:8]) + (", …" if len(header) > 8 else "")
    if closeness(best) == (0, 0):
        raise _refuse(
            f"unrecognised CSV header ({shown}){read_as}: expected this project's customers columns "
            f"({', '.join(OWN_CUSTOMER_COLUMNS[:4])}, …) or orders columns ({', '.join(OWN_ORDER_COLUMNS[:4])}, …), "
            "or a Shopify customers or orders export"
        )
    missing = [c for c in best.required if c.casefold() not in columns]
    raise _refuse(
        f"unrecognised CSV header ({shown}){read_as}: for {best.name} the column(s) {', '.join(missing)} are missing"
    )


def _known_columns(layout: CsvLayout, header: list[str]) -> list[str]:
    canonical = layout.canonical(header)
    if layout.strict_columns:
        unknown = [c for c in canonical if c not in layout.columns]
        if unknown:
            raise _refuse(
                f"unknown column(s) for {layout.name}: {', '.join(unknown)}; the columns are "
                f"{', '.join(layout.columns)} (in any order and case)"
            )
    return canonical
