"""Records accepted by ingestion, validated one at a time so one bad record never sinks a batch."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo

import phonenumbers
from email_validator import EmailNotValidError, validate_email
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError, field_validator

from crm.money import to_minor

BRAND_TZ = ZoneInfo("Asia/Kolkata")
ORDER_STATUSES = ("paid", "pending", "fulfilled", "partially_refunded", "refunded", "cancelled", "voided")
GENDERS = {
    "female": "female",
    "f": "female",
    "woman": "female",
    "male": "male",
    "m": "male",
    "man": "male",
    "other": "other",
    "non-binary": "other",
    "nonbinary": "other",
}

MAX_TAGS = 32
ExternalId = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=128)]
ShortText = Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)]


def as_aware(value: datetime) -> datetime:
    """Naive times in an import are read as the brand's local time (India)."""
    return (value.replace(tzinfo=BRAND_TZ) if value.tzinfo is None else value).astimezone(UTC)


def blank_to_none(value: Any) -> Any:
    if isinstance(value, str) and not value.strip():
        return None
    return value


class Consent(BaseModel):
    model_config = ConfigDict(extra="forbid")
    email: bool | None = None
    sms: bool | None = None
    whatsapp: bool | None = None
    rcs: bool | None = None


class CustomerIn(BaseModel):
    model_config = ConfigDict(extra="ignore")

    external_id: ExternalId
    name: ShortText | None = None
    email: str | None = Field(None, max_length=320)
    phone: str | None = Field(None, max_length=40)
    city: ShortText | None = None
    state: ShortText | None = None
    gender: str | None = None
    birthday: date | None = None
    signed_up_at: datetime | None = None
    # Bounded: the tags are copied into an index of customer_stats (segments), and a B-tree entry
    # holds at most ~2.7 kB on Postgres; 32 tags of 50 characters fit.
    tags: list[Annotated[str, StringConstraints(strip_whitespace=True, max_length=50)]] | None = Field(
        None, max_length=MAX_TAGS
    )
    consent: Consent | None = None

    @field_validator("name", "email", "phone", "city", "state", "gender", "birthday", "signed_up_at", mode="before")
    @classmethod
    def _blank_is_missing(cls, value: Any) -> Any:
        return blank_to_none(value)

    @field_validator("email")
    @classmethod
    def _valid_email(cls, value: str | None) -> str | None:
        if value is None:
            return None
        try:
            return validate_email(value, check_deliverability=False).normalized.lower()
        except EmailNotValidError as exc:
            raise ValueError(f"not a valid email address ({exc})") from None

    @field_validator("phone")
    @classmethod
    def _e164_phone(cls, value: str | None) -> str | None:
        return None if value is None else normalise_phone(value)

    @field_validator("gender")
    @classmethod
    def _known_gender(cls, value: str | None) -> str | None:
        if value is None:
            return None
        key = value.strip().lower()
        if key not in GENDERS:
            raise ValueError(f"unknown gender {value!r}; use female, male or other")
        return GENDERS[key]

    @field_validator("birthday")
    @classmethod
    def _past_birthday(cls, value: date | None) -> date | None:
        if value is not None and (value > date.today() or value.year < 1900):
            raise ValueError("birthday must be a past date after 1900")
        return value

    @field_validator("signed_up_at")
    @classmethod
    def _aware_signup(cls, value: datetime | None) -> datetime | None:
        return None if value is None else as_aware(value)


def normalise_phone(value: str) -> str:
    try:
        parsed = phonenumbers.parse(value, "IN")
    except phonenumbers.NumberParseException:
        raise ValueError(f"not a phone number: {value!r}") from None
    if not phonenumbers.is_valid_number(parsed):
        raise ValueError(f"not a valid phone number: {value!r}")
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


class OrderItemIn(BaseModel):
    model_config = ConfigDict(extra="ignore")

    sku: Annotated[str, StringConstraints(strip_whitespace=True, max_length=64)] | None = None
    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]
    category: Annotated[str, StringConstraints(strip_whitespace=True, max_length=100)] | None = None
    quantity: int = Field(1, ge=1, le=10_000)
    unit_price: Decimal = Field(Decimal(0), ge=0, le=Decimal("10000000"), decimal_places=2)


class OrderIn(BaseModel):
    model_config = ConfigDict(extra="ignore")

    external_id: ExternalId
    customer_external_id: ExternalId
    ordered_at: datetime
    amount: Decimal = Field(ge=0, le=Decimal("100000000"), decimal_places=2)
    currency: Annotated[str, StringConstraints(strip_whitespace=True, to_upper=True, pattern=r"^[A-Z]{3}$")] = "INR"
    status: Literal[ORDER_STATUSES] = "paid"  # type: ignore[valid-type]
    items: list[OrderItemIn] | None = None

    @field_validator("status", mode="before")
    @classmethod
    def _lower_status(cls, value: Any) -> Any:
        return value.strip().lower() if isinstance(value, str) else value

    @field_validator("ordered_at")
    @classmethod
    def _aware_order_time(cls, value: datetime) -> datetime:
        return as_aware(value)

    @property
    def amount_minor(self) -> int:
        return to_minor(self.amount)


def describe_errors(exc: ValidationError) -> list[str]:
    """'field.sub: reason' strings, one per problem."""
    out = []
    for err in exc.errors(include_url=False):
        where = ".".join(str(p) for p in err["loc"]) or "record"
        msg = err["msg"].removeprefix("Value error, ")
        out.append(f"{where}: {msg}")
    return out


class RejectedRecord(BaseModel):
    kind: Literal["customer", "order"]
    index: int
    line: int | None = None
    external_id: str | None = None
    errors: list[str]


class UpsertCounts(BaseModel):
    created: int = 0
    updated: int = 0


class IngestReport(BaseModel):
    customers: UpsertCounts = Field(default_factory=UpsertCounts)
    orders: UpsertCounts = Field(default_factory=UpsertCounts)
    rejected: list[RejectedRecord] = Field(default_factory=list)

    def merge(self, other: IngestReport) -> None:
        self.customers.created += other.customers.created
        self.customers.updated += other.customers.updated
        self.orders.created += other.orders.created
        self.orders.updated += other.orders.updated
        self.rejected.extend(other.rejected)


MAX_RECORDS_PER_REQUEST = 50_000


class IngestPayload(BaseModel):
    """The JSON body: records are kept raw here and validated one by one by the service."""

    customers: list[dict[str, Any]] = Field(default_factory=list, max_length=MAX_RECORDS_PER_REQUEST)
    orders: list[dict[str, Any]] = Field(default_factory=list, max_length=MAX_RECORDS_PER_REQUEST)
