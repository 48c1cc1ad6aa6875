from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel


class ConsentRead(BaseModel):
    email: bool
    sms: bool
    whatsapp: bool
    rcs: bool


class CustomerStatsRead(BaseModel):
    total_spent: float
    order_count: int
    avg_order_value: float
    first_order_at: datetime | None
    last_order_at: datetime | None
    categories: list[str]
    last_item: str | None


class CustomerRead(BaseModel):
    id: int
    external_id: str
    name: str | None
    email: str | None
    phone: str | None
    city: str | None
    state: str | None
    gender: str | None
    birthday: date | None
    age: int | None
    signed_up_at: datetime | None
    tags: list[str]
    consent: ConsentRead
    stats: CustomerStatsRead


class OrderItemRead(BaseModel):
    sku: str | None
    name: str
    category: str | None
    quantity: int
    unit_price: float


class OrderRead(BaseModel):
    id: int
    external_id: str
    ordered_at: datetime
    amount: float
    currency: str
    status: str
    items: list[OrderItemRead]


class CustomerPage(BaseModel):
    items: list[CustomerRead]
    next_cursor: str | None


class CustomerProfile(CustomerRead):
    orders: list[OrderRead]
