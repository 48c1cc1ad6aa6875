"""ORM models, one module per table. Importing this package registers every table on Base."""

from crm.models.audit import AuditEntry, WebhookDelivery
from crm.models.brand_setting import BrandSetting
from crm.models.campaign import Campaign
from crm.models.communication import Communication
from crm.models.conversation import Conversation, ConversationMessage
from crm.models.customer import Customer
from crm.models.customer_stats import CustomerStats
from crm.models.experiment_member import ExperimentMember
from crm.models.link_click import LinkClick
from crm.models.operator import ApiToken, Operator, OperatorSession
from crm.models.order import Order, OrderItem
from crm.models.product import Product
from crm.models.receipt_event import ReceiptEvent
from crm.models.segment import Segment
from crm.models.sequence import Enrollment, Sequence, SequenceVersion

__all__ = [
    "ApiToken",
    "AuditEntry",
    "BrandSetting",
    "Campaign",
    "Communication",
    "Conversation",
    "ConversationMessage",
    "Customer",
    "CustomerStats",
    "Enrollment",
    "ExperimentMember",
    "LinkClick",
    "Operator",
    "OperatorSession",
    "Order",
    "OrderItem",
    "Product",
    "ReceiptEvent",
    "Segment",
    "Sequence",
    "SequenceVersion",
    "WebhookDelivery",
]
