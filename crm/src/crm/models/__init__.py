"""ORM models, one module per table. Importing this package registers every table on Base."""

from crm.models.customer import Customer
from crm.models.customer_stats import CustomerStats
from crm.models.order import Order, OrderItem

__all__ = ["Customer", "CustomerStats", "Order", "OrderItem"]
