from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from crm.db import Base


class Product(Base):
    """The products dimension: one small key per distinct lower-cased item name. The rollup keeps
    each customer's products as these keys (customer_stats.products), so "bought a product whose
    name contains X" becomes a predicate on one narrow row instead of a probe of their items.
    Rows are added by the ingest rollup as new names arrive and are never removed."""

    __tablename__ = "products"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    # lower(order_items.name) as the database computes it (the same lower() the item index uses).
    name_key: Mapped[str] = mapped_column(String(300), unique=True)


# customer_stats.product_bits: a 63-bit signature of the products bought, bit (key mod 63) per
# product. Exact while the catalogue has at most 63 products; above that a cheap prefilter that
# the exact `products` test follows (two products can share a bit, none is ever missed).
PRODUCT_BITS = 63


def product_bit(key: int) -> int:
    return 1 << (key % PRODUCT_BITS)


def product_signature(keys: Iterable[int]) -> int:
    signature = 0
    for key in keys:
        signature |= product_bit(key)
    return signature


def encode_product_keys(keys: Iterable[int]) -> str:
    """A customer's products as stored in customer_stats.products: "|3|17|" (numeric order)."""
    ordered = sorted(set(keys))
    return f"|{'|'.join(str(k) for k in ordered)}|" if ordered else ""
