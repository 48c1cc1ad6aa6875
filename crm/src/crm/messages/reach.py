"""Who a message can reach: the channel list, each channel's contact detail and consent, and
"reachable on a channel" — in SQL (audiences, launches, sequence scheduling) and in Python (a
claimed send's recipient). Every caller reads these; nothing else defines them.

customer_stats.channels holds the same test as bits (crm.models.customer_stats.CHANNEL_BITS),
kept by database triggers for the segment filter's `reachable_on` field.
"""

from __future__ import annotations

from typing import Any, Final, Literal, Protocol, get_args

from sqlalchemy import ColumnElement, and_
from sqlalchemy.orm import InstrumentedAttribute

from crm.models import Customer

Channel = Literal["whatsapp", "sms", "email", "rcs"]
CHANNELS: Final[tuple[Channel, ...]] = get_args(Channel)

# channel -> (the customers column holding its address, the customers column holding its consent)
CONTACT: Final[dict[str, tuple[InstrumentedAttribute[Any], InstrumentedAttribute[bool]]]] = {
    "email": (Customer.email, Customer.consent_email),
    "sms": (Customer.phone, Customer.consent_sms),
    "whatsapp": (Customer.phone, Customer.consent_whatsapp),
    "rcs": (Customer.phone, Customer.consent_rcs),
}


def contact_column(channel: str) -> InstrumentedAttribute[Any]:
    """SQL: the customer's address on the channel (email, or phone for the others)."""
    return CONTACT[channel][0]


def has_contact(channel: str) -> ColumnElement[bool]:
    """SQL: the customer has an address on the channel."""
    contact = contact_column(channel)
    return and_(contact.is_not(None), contact != "")


def reachable(channel: str) -> ColumnElement[bool]:
    """SQL: reachable on the channel — an address and consent, from the customers row."""
    contact, consent = CONTACT[channel]
    return and_(contact.is_not(None), contact != "", consent.is_(True))


class Contactable(Protocol):
    """What the Python checks read: a Customer, or a claimed send's Recipient."""

    @property
    def email(self) -> str | None: ...
    @property
    def phone(self) -> str | None: ...
    @property
    def consent_email(self) -> bool: ...
    @property
    def consent_sms(self) -> bool: ...
    @property
    def consent_whatsapp(self) -> bool: ...
    @property
    def consent_rcs(self) -> bool: ...


def address_of(customer: Contactable, channel: str) -> str | None:
    """Python: the customer's address on the channel (contact_column's value)."""
    return customer.email if channel == "email" else customer.phone


def consents_to(customer: Contactable, channel: str) -> bool:
    """Python: the customer's consent for the channel (CONTACT's consent column)."""
    return bool(getattr(customer, CONTACT[channel][1].key))


def has_address_for(customer: Contactable, channel: str) -> bool:
    """Python: has_contact for a loaded customer."""
    return bool(address_of(customer, channel))
