"""ORM models, one module per table. Importing this package registers every table on Base."""

from crm.models.customer import Customer
from crm.models.customer_stats import CustomerStats
from crm.models.order import Order, OrderItem
from crm.models.segment import Segment

__all__ = ["Customer", "CustomerStats", "Order", "OrderItem", "Segment"]
