"""`python -m crm.seed`: realistic, deterministic SUGAR-style customers and orders.

The same seed and the same day give the same data. Customers follow repeat-purchase personas
(one-time, occasional, loyal, VIP, lapsed) so win-back, VIP and new-customer goals have real
audiences. Everything goes through the ingest service, like any other import.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from crm.config import get_settings
from crm.db import create_engine, create_sessionmaker
from crm.ingest.service import IngestService
from crm.migrate import upgrade_to_head
from crm.models import Customer

FIRST_NAMES_F = [
    "Aanya",
    "Aditi",
    "Ananya",
    "Anjali",
    "Asha",
    "Bhavna",
    "Deepika",
    "Diya",
    "Divya",
    "Gauri",
    "Isha",
    "Ishita",
    "Kavya",
    "Khushi",
    "Kriti",
    "Lakshmi",
    "Meera",
    "Neha",
    "Nikita",
    "Pooja",
    "Priya",
    "Radhika",
    "Riya",
    "Sakshi",
    "Sana",
    "Shreya",
    "Simran",
    "Sneha",
    "Tanvi",
    "Trisha",
    "Vaishnavi",
    "Zoya",
    "Fatima",
    "Harini",
    "Janani",
    "Mitali",
]
FIRST_NAMES_M = [
    "Aarav",
    "Arjun",
    "Dev",
    "Ishaan",
    "Kabir",
    "Karan",
    "Rahul",
    "Rohan",
    "Sahil",
    "Vikram",
    "Aditya",
    "Nikhil",
    "Siddharth",
    "Varun",
    "Yash",
]
LAST_NAMES = [
    "Sharma",
    "Verma",
    "Iyer",
    "Nair",
    "Reddy",
    "Rao",
    "Patel",
    "Shah",
    "Mehta",
    "Gupta",
    "Singh",
    "Kaur",
    "Khan",
    "Das",
    "Banerjee",
    "Chatterjee",
    "Mukherjee",
    "Joshi",
    "Kulkarni",
    "Deshpande",
    "Pillai",
    "Menon",
    "Agarwal",
    "Bose",
    "Ghosh",
    "Saxena",
    "Malhotra",
    "Kapoor",
    "Chopra",
    "Fernandes",
    "D'Souza",
    "Naidu",
    "Hegde",
    "Jain",
]
# (city, state, weight)
CITIES = [
    ("Mumbai", "Maharashtra", 14),
    ("Delhi", "Delhi", 13),
    ("Bengaluru", "Karnataka", 12),
    ("Hyderabad", "Telangana", 8),
    ("Chennai", "Tamil Nadu", 7),
    ("Kolkata", "West Bengal", 7),
    ("Pune", "Maharashtra", 7),
    ("Ahmedabad", "Gujarat", 5),
    ("Jaipur", "Rajasthan", 4),
    ("Lucknow", "Uttar Pradesh", 4),
    ("Chandigarh", "Chandigarh", 3),
    ("Kochi", "Kerala", 3),
    ("Indore", "Madhya Pradesh", 3),
    ("Gurugram", "Haryana", 4),
    ("Noida", "Uttar Pradesh", 3),
    ("Surat", "Gujarat", 2),
    ("Bhopal", "Madhya Pradesh", 2),
    ("Guwahati", "Assam", 2),
    ("Bhubaneswar", "Odisha", 2),
    ("Nagpur", "Maharashtra", 2),
]
# (sku, name, category, price)
PRODUCTS = [
    ("LIP-MAH-01", "Matte As Hell Crayon Lipstick - Scarlett O'Hara", "Lipstick", 999),
    ("LIP-MAH-07", "Matte As Hell Crayon Lipstick - Poison Ivy", "Lipstick", 999),
    ("LIP-SMN-03", "Smudge Me Not Liquid Lipstick - Brazen Raisin", "Lipstick", 899),
    ("LIP-SMN-10", "Smudge Me Not Liquid Lipstick - Drop Dead Red", "Lipstick", 899),
    ("LIP-MAT-05", "Mettle Satin Lipstick - Vega", "Lipstick", 1099),
    ("LIP-BAL-01", "Tipsy Lips Moisturising Balm - Cranberry", "Lip Care", 499),
    ("KAJ-KOH-01", "Kohl Of Honour Intense Kajal - Black Out", "Kajal", 399),
    ("KAJ-KOH-02", "Kohl Of Honour Intense Kajal - Brown Beauty", "Kajal", 399),
    ("EYE-ARC-01", "Arch Arrival Brow Definer", "Eyeliner", 599),
    ("EYE-WNG-01", "Wingman Waterproof Microliner - Black", "Eyeliner", 599),
    ("MAS-LSH-01", "Lash Swag Volumising Mascara", "Mascara", 799),
    ("FND-ACE-20", "Ace Of Face Foundation Stick - 20 Cappuccino", "Foundation", 1299),
    ("FND-ACE-30", "Ace Of Face Foundation Stick - 30 Latte", "Foundation", 1299),
    ("FND-CDP-25", "Goddess Of Flawless SPF30 BB Cream", "Foundation", 899),
    ("CON-MAG-15", "Magic Wand Waterproof Concealer - 15 Cortado", "Concealer", 599),
    ("CMP-MAT-01", "Mattifying Compact - 10 Latte", "Compact", 699),
    ("PRM-AQU-01", "Aquaholic Priming Moisturiser", "Skincare", 499),
    ("SKN-CIT-01", "Citrus Got Real Face Wash", "Skincare", 349),
    ("SKN-SUN-50", "Drop The Shade Sunscreen SPF 50", "Skincare", 599),
    ("SKN-SER-01", "Bling Leader Illuminating Serum", "Skincare", 799),
    ("BLS-CON-01", "Contour De Force Blush - Peach Peak", "Blush", 799),
    ("HIL-GLW-01", "Glow Gettin' Highlighter - Moonshine", "Highlighter", 899),
    ("NAI-POP-01", "Pop Nail Lacquer - Red Haute", "Nail Polish", 249),
    ("REM-MIC-01", "Micellar Makeup Remover", "Makeup Remover", 399),
    ("BRU-BLE-01", "Blend The Rules Beauty Blender", "Brushes & Tools", 399),
]
TAG_POOL = ["newsletter", "influencer", "app-user", "birthday-club", "student", "offline-store"]
PERSONAS = [("none", 8), ("one_time", 32), ("occasional", 30), ("loyal", 20), ("vip", 5), ("lapsed", 15)]


@dataclass
class SeedPlan:
    customers: int
    seed: int
    today: date


def weighted(rng: random.Random, pairs: list[tuple[Any, int]]) -> Any:
    return rng.choices([p for p, _ in pairs], weights=[w for _, w in pairs])[0]


def generate(plan: SeedPlan) -> Iterator[tuple[list[dict[str, Any]], list[dict[str, Any]]]]:
    """Yields (customers, orders) batches of about 1,000 customers."""
    rng = random.Random(plan.seed)
    now = datetime(plan.today.year, plan.today.month, plan.today.day, 12, tzinfo=UTC)
    city_pairs = [((c, s), w) for c, s, w in CITIES]
    by_category: dict[str, list[tuple[str, str, str, int]]] = {}
    for product in PRODUCTS:
        by_category.setdefault(product[2], []).append(product)
    categories = list(by_category)
    customers: list[dict[str, Any]] = []
    orders: list[dict[str, Any]] = []
    order_seq = 0
    for n in range(1, plan.customers + 1):
        female = rng.random() < 0.82
        first = rng.choice(FIRST_NAMES_F if female else FIRST_NAMES_M)
        last = rng.choice(LAST_NAMES)
        city, state = weighted(rng, city_pairs)
        persona = weighted(rng, PERSONAS)
        signup_days = rng.randint(1, 30) if persona == "none" else rng.randint(30, 720)
        if persona == "one_time" and rng.random() < 0.35:
            signup_days = rng.randint(3, 45)  # new customers who just bought once
        signed_up = now - timedelta(days=signup_days, minutes=rng.randint(0, 1439))
        age = min(55, max(18, int(rng.gauss(28, 6))))
        birthday = date(plan.today.year - age, rng.randint(1, 12), rng.randint(1, 28))
        handle = f"{first}.{last}".lower().replace("'", "")
        customer: dict[str, Any] = {
            "external_id": f"sugar-{n:07d}",
            "name": f"{first} {last}",
            "email": f"{handle}{n}@example.com" if rng.random() < 0.93 else None,
            "phone": f"+91{rng.choice('6789')}{rng.randint(0, 999_999_999):09d}" if rng.random() < 0.9 else None,
            "city": city,
            "state": state,
            "gender": "female" if female else ("male" if rng.random() < 0.95 else "other"),
            "birthday": birthday.isoformat() if rng.random() < 0.7 else None,
            "signed_up_at": signed_up.isoformat(),
            "tags": rng.sample(TAG_POOL, k=rng.choice([0, 0, 1, 1, 2])),
            "consent": {
                "email": rng.random() < 0.85,
                "sms": rng.random() < 0.7,
                "whatsapp": rng.random() < 0.75,
                "rcs": rng.random() < 0.3,
            },
        }
        favourite = rng.choice(categories[:6] if rng.random() < 0.7 else categories)
        count = {
            "none": 0,
            "one_time": 1,
            "occasional": rng.randint(2, 6),
            "loyal": rng.randint(6, 14),
            "vip": rng.randint(10, 24),
            "lapsed": rng.randint(2, 6),
        }[persona]
        active_until = now - timedelta(days=rng.randint(75, 300)) if persona == "lapsed" else now
        window = max(1.0, (active_until - signed_up).total_seconds())
        for _ in range(count):
            order_seq += 1
            at = signed_up + timedelta(seconds=rng.random() * window)
            n_items = rng.choices([1, 2, 3, 4], weights=[50, 30, 15, 5])[0]
            items: list[dict[str, Any]] = []
            for _ in range(n_items):
                category = favourite if rng.random() < 0.55 else rng.choice(categories)
                sku, name, cat, price = rng.choice(by_category[category])
                quantity = 1 if rng.random() < 0.85 else 2
                items.append({"sku": sku, "name": name, "category": cat, "quantity": quantity, "unit_price": price})
            amount = sum(i["unit_price"] * i["quantity"] for i in items)
            status = rng.choices(["paid", "fulfilled", "cancelled", "refunded"], weights=[30, 62, 5, 3])[0]
            orders.append(
                {
                    "external_id": f"SUG-{order_seq:08d}",
                    "customer_external_id": customer["external_id"],
                    "ordered_at": at.isoformat(),
                    "amount": amount,
                    "currency": "INR",
                    "status": status,
                    "items": items,
                }
            )
        if persona == "vip":
            customer["tags"] = [*customer["tags"], "vip"]
        customers.append({k: v for k, v in customer.items() if v is not None})
        if len(customers) >= 1000:
            yield customers, orders
            customers, orders = [], []
    if customers:
        yield customers, orders


async def seed_database(maker: async_sessionmaker[AsyncSession], plan: SeedPlan) -> tuple[int, int]:
    total_customers = total_orders = 0
    for customers, orders in generate(plan):
        async with maker() as session, session.begin():
            report = await IngestService(session).ingest(customers, orders)
        if report.rejected:
            raise RuntimeError(f"seed data rejected: {report.rejected[:3]}")
        total_customers += len(customers)
        total_orders += len(orders)
    return total_customers, total_orders


async def is_empty(maker: async_sessionmaker[AsyncSession]) -> bool:
    async with maker() as session:
        return not await session.scalar(select(func.count()).select_from(Customer))


async def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--customers", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--today", type=date.fromisoformat, default=datetime.now(UTC).date())
    parser.add_argument("--if-empty", action="store_true", help="do nothing when customers exist")
    args = parser.parse_args(argv)
    settings = get_settings()
    await asyncio.to_thread(upgrade_to_head, settings.database_url)
    engine = create_engine(settings.database_url)
    maker = create_sessionmaker(engine)
    try:
        if args.if_empty and not await is_empty(maker):
            print("seed: database already has customers; nothing to do")
            return
        started = time.perf_counter()
        customers, orders = await seed_database(maker, SeedPlan(args.customers, args.seed, args.today))
        print(f"seed: {customers} customers, {orders} orders in {time.perf_counter() - started:.1f}s")
    finally:
        await engine.dispose()


if __name__ == "__main__":
    asyncio.run(main())
