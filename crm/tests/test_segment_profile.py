"""customer_stats holds every column a segment filter reads: the copies of the customer
attributes (written by the database triggers of migration 0015) must equal what `customers`
says after every kind of write, and the product rollup must equal the customer's counted items."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import anyio
import pytest
from alembic import command
from reach_databases import PG_URL, recreate_postgres_database
from sqlalchemy import insert, select, text, update
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncSession

from crm.db import create_engine
from crm.ingest.service import IngestService
from crm.migrate import alembic_config
from crm.models import Customer, CustomerStats, OrderItem, Product
from crm.models.customer_stats import CHANNEL_BITS
from crm.models.product import encode_product_keys, product_signature
from crm.segments.compiler import Clock, product_lookups
from crm.segments.dsl import SegmentFilter
from crm.segments.repository import count_statement, match_products
from crm.segments.service import SegmentService
from crm.tables import customer_stats_table, customers_table

CONTACTS = {"email": "email", "sms": "phone", "whatsapp": "phone", "rcs": "phone"}


def lower(value: str | None) -> str | None:
    return None if value is None else value.lower()  # test data is ASCII: SQL lower() agrees


def expected_copy(c: Customer) -> tuple[Any, ...]:
    channels = 0
    for channel, bit in CHANNEL_BITS.items():
        contact = getattr(c, CONTACTS[channel])
        if contact and getattr(c, f"consent_{channel}"):
            channels |= bit
    return (lower(c.city), lower(c.state), lower(c.gender), c.birthday, c.signed_up_at, c.tags, channels)


COPY_COLUMNS = (
    CustomerStats.city_key,
    CustomerStats.state_key,
    CustomerStats.gender_key,
    CustomerStats.birthday,
    CustomerStats.signed_up_at,
    CustomerStats.tags,
    CustomerStats.channels,
)


async def copies_and_customers(session: AsyncSession) -> tuple[dict[int, tuple[Any, ...]], dict[int, tuple[Any, ...]]]:
    """The copied columns by name (not the whole entity: the backfill test reads them at 0017)."""
    session.expire_all()
    rows = await session.execute(select(CustomerStats.customer_id, *COPY_COLUMNS))
    stored = {row[0]: tuple(row[1:]) for row in rows}
    expected = {c.id: expected_copy(c) for c in (await session.scalars(select(Customer))).all()}
    return stored, expected


async def assert_copies_equal_customers(session: AsyncSession) -> dict[int, tuple[Any, ...]]:
    stored, expected = await copies_and_customers(session)
    assert stored == expected
    return stored


async def ingest(session: AsyncSession, customers: list[dict[str, Any]], orders: list[dict[str, Any]] = ()) -> None:  # type: ignore[assignment]
    report = await IngestService(session).ingest(customers, list(orders))
    assert report.rejected == []


ASHA = {
    "external_id": "asha",
    "email": "asha@example.com",
    "phone": "+919812345678",
    "city": "Pune",
    "state": "Maharashtra",
    "gender": "Female",
    "birthday": "1996-04-09",
    "signed_up_at": "2026-10-01T08:00:00Z",
    "tags": ["VIP", "app"],
    "consent": {"email": True, "sms": False, "whatsapp": True, "rcs": False},
}
CHANGES: list[tuple[str, Any]] = [
    ("city", "Navi Mumbai"),
    ("city", ""),
    ("state", "Goa"),
    ("gender", "male"),
    ("gender", ""),
    ("birthday", "1990-02-03"),
    ("birthday", ""),
    ("signed_up_at", "2025-01-02T03:04:05Z"),
    ("signed_up_at", ""),
    ("tags", ["student"]),
    ("tags", []),
    ("email", None),  # ASHA without an email first, then one: the email bit appears
    ("email", ""),
    ("phone", ""),
    ("consent", {"email": False}),
    ("consent", {"sms": True}),
    ("consent", {"whatsapp": False}),
    ("consent", {"rcs": True}),
]


async def test_ingested_customers_get_their_copies(session: AsyncSession) -> None:
    await ingest(session, [ASHA, {"external_id": "bare"}])
    stored = await assert_copies_equal_customers(session)
    asha = await session.scalar(select(Customer.id).where(Customer.external_id == "asha"))
    assert stored[asha] == (
        "pune",
        "maharashtra",
        "female",
        date(1996, 4, 9),
        datetime(2026, 10, 1, 8, tzinfo=UTC),
        "|app|vip|",
        CHANNEL_BITS["email"] | CHANNEL_BITS["whatsapp"],
    )


async def test_new_customers_with_orders_get_their_copies_in_the_same_call(session: AsyncSession) -> None:
    """A new customer with orders gets its rollup row from the rollup refresh itself (no empty row
    first); the row must still carry the copies, on both backends."""
    orders = [
        {"external_id": "o-asha", "customer_external_id": "asha", "ordered_at": "2026-11-01T10:00:00Z", "amount": 499},
        {"external_id": "o-bare", "customer_external_id": "bare", "ordered_at": "2026-11-02T10:00:00Z", "amount": 99},
    ]
    await ingest(
        session, [ASHA, {"external_id": "bare", "city": "Goa"}, {"external_id": "none", "city": "Agra"}], orders
    )
    stored = await assert_copies_equal_customers(session)
    assert {row[0] for row in stored.values()} == {"pune", "goa", "agra"}
    counts = dict((await session.execute(select(CustomerStats.city_key, CustomerStats.order_count))).all())
    assert counts == {"pune": 1, "goa": 1, "agra": 0}


@pytest.mark.parametrize(("field", "value"), CHANGES, ids=[f"{f}={v!r}" for f, v in CHANGES])
async def test_changing_a_copied_attribute_updates_the_copy(session: AsyncSession, field: str, value: Any) -> None:
    if value is None:
        await ingest(session, [{k: v for k, v in ASHA.items() if k != field}])
        value = "asha.k@example.com"
    else:
        await ingest(session, [ASHA])
    before = await assert_copies_equal_customers(session)
    await ingest(session, [{"external_id": "asha", field: value}])
    after = await assert_copies_equal_customers(session)
    assert after != before  # the change reached the copy (not a vacuous comparison)


async def test_replaying_an_ingest_keeps_the_copies(session: AsyncSession) -> None:
    people = [ASHA, {**ASHA, "external_id": "ravi", "city": "Delhi", "consent": {"sms": True}}]
    await ingest(session, people)
    first = await assert_copies_equal_customers(session)
    await ingest(session, people)
    assert await assert_copies_equal_customers(session) == first


async def test_rows_written_without_the_ingest_service_get_their_copies(session: AsyncSession) -> None:
    """Bulk loaders and fixtures insert customers and customer_stats rows directly."""
    now = datetime(2026, 11, 1, tzinfo=UTC)
    rows = [
        {
            "id": 900_001 + n,
            "external_id": f"bulk-{n}",
            "city": city,
            "phone": "+919800000000" if n % 2 else None,
            "email": "" if n == 2 else f"b{n}@example.com",
            "consent_email": True,
            "consent_whatsapp": True,
            "tags": "|vip|" if n == 1 else "",
            "created_at": now,
            "updated_at": now,
        }
        for n, city in enumerate(["Pune", "MUMBAI", None])
    ]
    await session.execute(insert(customers_table), rows)
    await session.execute(insert(customer_stats_table), [{"customer_id": r["id"]} for r in rows])
    stored = await assert_copies_equal_customers(session)
    assert stored[900_002][0] == "mumbai" and stored[900_002][6] == CHANNEL_BITS["email"] | CHANNEL_BITS["whatsapp"]
    await session.execute(
        update(customers_table)
        .where(customers_table.c.id == 900_002)
        .values(city="Jaipur", consent_whatsapp=False, birthday=date(2001, 1, 1))
    )
    stored = await assert_copies_equal_customers(session)
    assert stored[900_002][:4] == ("jaipur", None, None, date(2001, 1, 1))


def order(external_id: str, customer: str, status: str, *names: str) -> dict[str, Any]:
    return {
        "external_id": external_id,
        "customer_external_id": customer,
        "ordered_at": "2026-11-01T10:00:00Z",
        "amount": 100,
        "status": status,
        "items": [{"name": name, "category": "Kajal"} for name in names],
    }


async def recomputed_products(session: AsyncSession) -> dict[int, tuple[str, int]]:
    keys = {name: key for key, name in await session.execute(select(Product.id, Product.name_key))}
    bought: dict[int, set[int]] = defaultdict(set)
    for item in (await session.scalars(select(OrderItem))).all():
        if item.counted:
            bought[item.customer_id].add(keys[item.name.lower()])
    customers = (await session.scalars(select(Customer.id))).all()
    return {cid: (encode_product_keys(bought[cid]), product_signature(bought[cid])) for cid in customers}


async def stored_products(session: AsyncSession) -> dict[int, tuple[str, int]]:
    session.expire_all()
    rows = await session.execute(select(CustomerStats.customer_id, CustomerStats.products, CustomerStats.product_bits))
    return {customer_id: (products, bits) for customer_id, products, bits in rows}


async def test_the_product_rollup_follows_counted_items(session: AsyncSession) -> None:
    await ingest(
        session,
        [{"external_id": "a"}, {"external_id": "b"}],
        [
            order("o1", "a", "paid", "Kohl Kajal", "Sun Serum"),
            order("o2", "a", "cancelled", "Matte Lipstick"),
            order("o3", "b", "paid", "KOHL KAJAL"),
        ],
    )
    names = set((await session.scalars(select(Product.name_key))).all())
    assert names == {"kohl kajal", "sun serum", "matte lipstick"}  # one key per lower-cased name
    assert await stored_products(session) == await recomputed_products(session)
    kohl = await session.scalar(select(Product.id).where(Product.name_key == "kohl kajal"))
    b = await session.scalar(select(Customer.id).where(Customer.external_id == "b"))
    assert (await stored_products(session))[b] == (f"|{kohl}|", 1 << (kohl % 63))
    # Cancelling, un-cancelling, replacing items and moving an order keep it equal.
    for changed in (
        [order("o1", "a", "cancelled", "Kohl Kajal", "Sun Serum")],
        [order("o2", "a", "paid", "Matte Lipstick")],
        [order("o3", "b", "paid", "Wingman Liner")],
        [order("o3", "a", "paid", "Wingman Liner")],
    ):
        await ingest(session, [], changed)
        assert await stored_products(session) == await recomputed_products(session)
    assert (await stored_products(session))[b] == ("", 0)


@pytest.mark.parametrize(
    "raw",
    [
        {"match": "all", "conditions": [{"field": "city", "op": "eq", "value": "Pune"}]},
        {
            "match": "all",
            "conditions": [
                {"field": "age", "op": "between", "value": [25, 34]},
                {"field": "reachable_on", "op": "in", "value": ["whatsapp", "sms"]},
                {"field": "tags", "op": "contains", "value": "vip"},
                {"field": "signed_up_days_ago", "op": "lte", "value": 30},
                {"field": "category", "op": "eq", "value": "Kajal"},
            ],
        },
    ],
)
def test_counts_of_customer_conditions_read_customer_stats_alone(raw: dict[str, Any]) -> None:
    sql = str(count_statement(SegmentFilter.model_validate(raw), Clock()))
    assert "customer_stats" in sql
    assert "customers" not in sql.replace("customer_stats", "") and "order_items" not in sql


async def test_the_migration_backfills_copies_and_products(backend: str, tmp_path: Path) -> None:
    """Migrations 0015 and 0017 on a database that already has customers, orders and a rollup;
    then down to 0014 and up again."""
    if backend == "sqlite":
        url = f"sqlite+aiosqlite:///{tmp_path / 'backfill.db'}"
    else:
        url = make_url(PG_URL).set(database="reach_test_backfill").render_as_string(hide_password=False)
        await recreate_postgres_database(url)
    config = alembic_config(url)
    await anyio.to_thread.run_sync(command.upgrade, config, "0014")
    engine = create_engine(url)
    try:
        async with engine.begin() as conn:
            for statement in BEFORE_0015:
                await conn.execute(text(statement))
        for _ in range(2):
            await anyio.to_thread.run_sync(command.upgrade, config, "0017")
            async with AsyncSession(engine) as session:
                await assert_copies_equal_customers(session)
                assert await stored_products(session) == await recomputed_products(session)
                assert set((await session.scalars(select(Product.name_key))).all()) == {"kohl kajal", "sun serum"}
                stored = await stored_products(session)
                assert stored[1] == ("|1|2|", 0b110) and stored[2] == ("", 0) and stored[3] == ("|1|", 0b10)
            await engine.dispose()
            await anyio.to_thread.run_sync(command.downgrade, config, "0014")
    finally:
        await engine.dispose()


# Rows as a 0014 database holds them (SQL true/false: both backends read the literals).
BEFORE_0015 = (
    "INSERT INTO customers (id, external_id, city, state, gender, birthday, signed_up_at, tags, email, phone,"
    " consent_email, consent_sms, consent_whatsapp, consent_rcs, created_at, updated_at) VALUES"
    " (1, 'a', 'Pune', 'MH', 'Female', '1996-04-09', '2026-10-01 08:00:00', '|vip|', 'a@example.com', '+919800000001',"
    "  true, false, true, false, '2026-10-01 08:00:00', '2026-10-01 08:00:00'),"
    " (2, 'b', NULL, NULL, NULL, NULL, NULL, '', '', '+919800000002',"
    "  true, true, false, true, '2026-10-01 08:00:00', '2026-10-01 08:00:00'),"
    " (3, 'c', 'MUMBAI', NULL, NULL, NULL, NULL, '', NULL, NULL,"
    "  true, true, true, true, '2026-10-01 08:00:00', '2026-10-01 08:00:00')",
    "INSERT INTO customer_stats (customer_id) VALUES (1), (2), (3)",
    "INSERT INTO orders (id, external_id, customer_id, ordered_at, amount_minor, currency, status, created_at,"
    " updated_at) VALUES (1, 'o1', 1, '2026-11-01 10:00:00', 100, 'INR', 'paid', '2026-11-01 10:00:00',"
    " '2026-11-01 10:00:00'), (2, 'o2', 2, '2026-11-01 10:00:00', 100, 'INR', 'cancelled', '2026-11-01 10:00:00',"
    " '2026-11-01 10:00:00'), (3, 'o3', 3, '2026-11-01 10:00:00', 100, 'INR', 'paid', '2026-11-01 10:00:00',"
    " '2026-11-01 10:00:00')",
    "INSERT INTO order_items (order_id, customer_id, ordered_at, name, quantity, unit_price_minor, counted) VALUES"
    " (1, 1, '2026-11-01 10:00:00', 'Kohl Kajal', 1, 100, true),"
    " (1, 1, '2026-11-01 10:00:00', 'Sun Serum', 1, 100, true),"
    " (2, 2, '2026-11-01 10:00:00', 'Sun Serum', 1, 100, false),"
    " (3, 3, '2026-11-01 10:00:00', 'KOHL KAJAL', 1, 100, true)",
)


async def test_products_sharing_a_signature_bit_are_told_apart(session: AsyncSession) -> None:
    """Keys 63 apart share a bit: the signature alone would count both buyers."""
    await ingest(session, [{"external_id": "a"}], [order("o1", "a", "paid", "Kohl Kajal")])
    kohl = await session.scalar(select(Product.id).where(Product.name_key == "kohl kajal"))
    assert kohl is not None
    await session.execute(insert(Product).values(id=kohl + 63, name_key="zzz serum"))
    await ingest(session, [{"external_id": "b"}], [order("o2", "b", "paid", "ZZZ Serum")])
    service = SegmentService(session)
    for text_, external_id in (("kohl", "a"), ("serum", "b")):
        audience = SegmentFilter.model_validate(
            {"conditions": [{"field": "product", "op": "contains", "value": text_}]}
        )
        matches = await match_products(session, product_lookups(audience))
        assert [m.bits_exact for m in matches.values()] == [False]
        preview = await service.preview(audience, sample_size=5)
        assert preview.count == 1 and [c.external_id for c in preview.sample] == [external_id]
