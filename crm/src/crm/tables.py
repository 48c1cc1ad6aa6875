"""Core Table handles for set-based statements (bulk upserts, INSERT … SELECT)."""

from __future__ import annotations

from typing import cast

from sqlalchemy import Table

from crm.models import (
    Communication,
    Customer,
    CustomerStats,
    Order,
    OrderItem,
    Product,
    ReceiptEvent,
    WebhookDelivery,
)

customers_table = cast(Table, Customer.__table__)
customer_stats_table = cast(Table, CustomerStats.__table__)
orders_table = cast(Table, Order.__table__)
order_items_table = cast(Table, OrderItem.__table__)
products_table = cast(Table, Product.__table__)
communications_table = cast(Table, Communication.__table__)
receipt_events_table = cast(Table, ReceiptEvent.__table__)
webhook_deliveries_table = cast(Table, WebhookDelivery.__table__)
