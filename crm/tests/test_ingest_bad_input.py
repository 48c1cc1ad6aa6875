"""Bad input to ingestion (issue 18): every CSV line and every JSON record is stored or reported
with its line or index and the reason; one bad record never costs the others; a bad header is a
422 that names the problem and stores nothing."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from crm.models import Customer, Order, OrderItem

HEADER = "external_id,name,email,city"


async def upload(client: httpx.AsyncClient, content: bytes, kind: str | None = None, **form: str) -> httpx.Response:
    data = {"kind": kind} if kind else {}
    return await client.post("/api/ingest/csv", files={"file": ("f.csv", content, "text/csv")}, data=data | form)


async def upload_ok(client: httpx.AsyncClient, content: bytes, kind: str | None = None, **form: str) -> dict[str, Any]:
    response = await upload(client, content, kind, **form)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def count(session: AsyncSession, model: type[Any]) -> int:
    return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def names(session: AsyncSession) -> dict[str, str | None]:
    session.expire_all()
    return {ext: name for ext, name in await session.execute(select(Customer.external_id, Customer.name))}


def customers_csv(rows: list[str], header: str = HEADER, newline: str = "\n") -> bytes:
    return newline.join([header, *rows, ""]).encode()


def lines_of(body: dict[str, Any]) -> list[int]:
    return [r["line"] for r in body["rejected"]]


# ------------------------------------------------------------------ malformed lines


async def test_a_stray_quote_costs_only_its_own_line(client: httpx.AsyncClient, session: AsyncSession) -> None:
    rows = ["c-1,Asha,asha@example.com,Pune", 'c-2,"Dev Patel,dev@example.com,Surat']
    rows += [f"c-{n},Person {n},p{n}@example.com,Pune" for n in range(3, 103)]
    body = await upload_ok(client, customers_csv(rows))
    assert body["customers"] == {"created": 101, "updated": 0, "unchanged": 0}
    assert lines_of(body) == [3]
    assert "unbalanced quote" in body["rejected"][0]["errors"][0]
    assert body["rejected"][0]["external_id"] == "c-2"
    stored = await names(session)
    assert len(stored) == 101 and "c-2" not in stored
    assert stored["c-3"] == "Person 3" and stored["c-102"] == "Person 102"


async def test_a_stray_quote_on_the_last_line_and_one_that_closes_lines_later(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    rows = [
        'c-1,"Asha,asha@example.com,Pune',  # closes on line 4, mid-cell: not a record
        "c-2,Dev,dev@example.com,Surat",
        'c-3,Meera",m@example.com,Pune',
        "c-4,Kabir,k@example.com,Delhi",
        'c-5,"Rohan,r@example.com,Mumbai',  # never closes
    ]
    body = await upload_ok(client, customers_csv(rows))
    assert lines_of(body) == [2, 6]
    stored = await names(session)
    assert set(stored) == {"c-2", "c-3", "c-4"}
    assert stored["c-3"] == 'Meera"'  # a quote inside an unquoted cell is only a character


async def test_a_quoted_cell_may_still_hold_a_line_break(client: httpx.AsyncClient, session: AsyncSession) -> None:
    content = b'external_id,name,city,tags\nc-1,Asha,"Pune",vip\nc-2,Dev,Surat,"a,\nb"\n'
    body = await upload_ok(client, content)
    assert body["customers"]["created"] == 2 and body["rejected"] == []
    stored = await session.scalar(select(Customer.tags).where(Customer.external_id == "c-2"))
    assert stored == "|a|b|"


async def test_too_many_or_too_few_cells_are_rejected_lines(client: httpx.AsyncClient, session: AsyncSession) -> None:
    rows = [
        "c-1,Asha,asha@example.com,Pune",
        "c-2,Dev,dev@example.com,Surat,extra",
        "c-3,Meera,m@example.com",
        "c-4,Kabir,k@example.com,Delhi,,",  # trailing empty cells are only stray separators
    ]
    body = await upload_ok(client, customers_csv(rows))
    assert lines_of(body) == [3, 4]
    assert "5 cells where the header has 4 columns" in body["rejected"][0]["errors"][0]
    assert "3 cells where the header has 4 columns" in body["rejected"][1]["errors"][0]
    assert set(await names(session)) == {"c-1", "c-4"}


async def test_a_nul_or_control_character_in_a_cell_rejects_that_line_only(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    rows = ["c-1,Asha,asha@example.com,Pune", "c-2,De\x00v,dev@example.com,Surat", "c-3,Meera,m@example.com,Pu\x07ne"]
    body = await upload_ok(client, customers_csv(rows))
    assert lines_of(body) == [3, 4]
    assert body["rejected"][0]["errors"] == [
        "name: contains a control character (U+0000) at position 3; this field takes one line of text without "
        "control characters"
    ]
    assert set(await names(session)) == {"c-1"}


# ------------------------------------------------------------------ encodings and delimiters


async def test_an_encoding_error_names_its_own_line_and_costs_only_it(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    # Many multi-byte characters before the bad byte: a decoder reading ahead reported it far off.
    rows = [f"c-{n},Ānanyā {n},a{n}@example.com,Pune".encode() for n in range(1, 80)]
    rows[74] = b"c-75,Jos\xe9,j@example.com,Pune"  # cp1252, on line 76
    content = HEADER.encode() + b"\n" + b"\n".join(rows) + b"\n"
    body = await upload_ok(client, content)
    assert lines_of(body) == [76]
    assert body["rejected"][0]["errors"][0].startswith("line 76: not valid utf-8 (byte 0xe9")
    assert "encoding" in body["rejected"][0]["errors"][0]
    assert await count(session, Customer) == 78
    assert body["encoding"] == "utf-8"


async def test_a_stated_encoding_reads_a_legacy_file(client: httpx.AsyncClient, session: AsyncSession) -> None:
    content = customers_csv(["c-1,José,j@example.com,Pune"]).decode().encode("cp1252")
    body = await upload_ok(client, content, encoding="cp1252")
    assert body["encoding"] == "cp1252" and body["rejected"] == []
    assert (await names(session))["c-1"] == "José"
    unknown = await upload(client, content, encoding="klingon")
    assert unknown.status_code == 422 and unknown.json()["detail"][0]["loc"] == ["body", "encoding"]


@pytest.mark.parametrize(
    ("codec", "bom", "reported"),
    [
        ("utf-8", b"\xef\xbb\xbf", "utf-8 with BOM"),
        ("utf-16-le", b"\xff\xfe", "utf-16 with BOM"),
        ("utf-16-be", b"\xfe\xff", "utf-16 with BOM"),
    ],
)
async def test_byte_order_marks(
    client: httpx.AsyncClient, session: AsyncSession, codec: str, bom: bytes, reported: str
) -> None:
    text = customers_csv(["c-1,Ānanyā,a@example.com,Pune", "c-2,Dev,d@example.com,Surat"], newline="\r\n").decode()
    body = await upload_ok(client, bom + text.encode(codec))
    assert (body["encoding"], body["customers"]["created"], body["rejected"]) == (reported, 2, [])
    assert (await names(session))["c-1"] == "Ānanyā"


@pytest.mark.parametrize(("delimiter", "name"), [(";", "semicolon"), ("\t", "tab"), (",", "comma")])
async def test_the_delimiter_is_detected_and_reported(
    client: httpx.AsyncClient, session: AsyncSession, delimiter: str, name: str
) -> None:
    rows = [delimiter.join(["c-1", "Rao, Asha", "a@example.com", "Pune"]).replace("Rao, Asha", '"Rao, Asha"')]
    body = await upload_ok(client, customers_csv(rows, header=HEADER.replace(",", delimiter)))
    assert (body["delimiter"], body["layout"], body["customers"]["created"]) == (name, "reach_customers", 1)
    assert (await names(session))["c-1"] == "Rao, Asha"


async def test_a_stated_delimiter_is_used(client: httpx.AsyncClient, session: AsyncSession) -> None:
    body = await upload_ok(client, b"external_id;name\nc-1;Asha\n", delimiter="semicolon")
    assert body["delimiter"] == "semicolon" and (await names(session)) == {"c-1": "Asha"}


# ------------------------------------------------------------------ headers


async def test_headers_match_ignoring_case(client: httpx.AsyncClient, session: AsyncSession) -> None:
    body = await upload_ok(client, b"External_ID,NAME,Email\nc-1,Asha,a@example.com\n")
    assert body["layout"] == "reach_customers" and body["customers"]["created"] == 1
    assert (await names(session)) == {"c-1": "Asha"}


@pytest.mark.parametrize(
    ("header", "kind", "expected"),
    [
        ("name,email,city", None, "for reach_customers the column(s) external_id are missing"),
        ("external_id,ordered_at,amount", "orders", "for reach_orders the column(s) customer_external_id are missing"),
        ("foo,bar", None, "unrecognised CSV header (foo, bar) (read as comma-separated utf-8)"),
        ("name,name,external_id", None, "duplicate column(s) in the header: 'name' (columns 1 and 2)"),
        ("external_id,name,External_Id", None, "'External_Id' (columns 1 and 3)"),
        ("external_id,name,emial", None, "unknown column(s) for reach_customers: emial"),
        ("external_id,,name", None, "column(s) 2 of the header have no name"),
    ],
)
async def test_a_bad_header_is_a_422_naming_it_and_stores_nothing(
    client: httpx.AsyncClient, session: AsyncSession, header: str, kind: str | None, expected: str
) -> None:
    response = await upload(client, f"{header}\nc-1,Asha,x\n".encode(), kind)
    assert response.status_code == 422, response.text
    detail = response.json()["detail"][0]
    assert detail["loc"] == ["body", "file"] and expected in detail["msg"], detail["msg"]
    assert "shopify_orders" not in detail["msg"]
    assert await count(session, Customer) == 0


# ------------------------------------------------------------------ orders and re-uploads


ORDERS_HEADER = "external_id,customer_external_id,ordered_at,amount,item_name,item_unit_price"


async def test_an_orders_rows_are_grouped_wherever_they_are(client: httpx.AsyncClient, session: AsyncSession) -> None:
    await client.post("/api/ingest", json={"customers": [{"external_id": "c-1"}]})
    rows = [
        "o-1,c-1,2026-01-01T00:00:00Z,30,Lipstick,10",
        "o-2,c-1,2026-01-02T00:00:00Z,5,Kajal,5",
        "o-1,,,,Primer,10",
        "o-3,c-1,2026-01-03T00:00:00Z,7,Toner,7",
        "o-1,,,,Serum,10",
    ]
    body = await upload_ok(client, customers_csv(rows, header=ORDERS_HEADER))
    assert body["orders"] == {"created": 3, "updated": 0, "unchanged": 0} and body["rejected"] == []
    o1 = await session.scalar(select(Order.id).where(Order.external_id == "o-1"))
    items = (await session.scalars(select(OrderItem.name).where(OrderItem.order_id == o1))).all()
    assert sorted(items) == ["Lipstick", "Primer", "Serum"]
    assert await count(session, OrderItem) == 5
    again = await upload_ok(client, customers_csv(rows, header=ORDERS_HEADER))
    assert again["orders"] == {"created": 0, "updated": 0, "unchanged": 3}
    rows[4] = "o-1,,,,Serum,12"
    changed = await upload_ok(client, customers_csv(rows, header=ORDERS_HEADER))
    assert changed["orders"] == {"created": 0, "updated": 1, "unchanged": 2}
    assert await count(session, OrderItem) == 5


async def test_an_unchanged_reupload_reports_unchanged(client: httpx.AsyncClient, session: AsyncSession) -> None:
    rows = [f"c-{n},Person {n},p{n}@example.com,Pune" for n in range(30)]
    first = await upload_ok(client, customers_csv(rows))
    assert first["customers"] == {"created": 30, "updated": 0, "unchanged": 0}
    again = await upload_ok(client, customers_csv(rows))
    assert again["customers"] == {"created": 0, "updated": 0, "unchanged": 30}
    rows[3] = "c-3,Someone Else,p3@example.com,Pune"
    changed = await upload_ok(client, customers_csv(rows))
    assert changed["customers"] == {"created": 0, "updated": 1, "unchanged": 29}


# ------------------------------------------------------------------ JSON records


BAD_CUSTOMERS: list[tuple[dict[str, Any], str]] = [
    ({"external_id": "bad\x00id"}, "external_id: contains a control character (U+0000)"),
    ({"external_id": "j-1", "name": "A\x00sha"}, "name: contains a control character (U+0000)"),
    ({"external_id": "j-2", "tags": ["vip", "x\x00"]}, "tags.1: contains a control character (U+0000)"),
    ({"external_id": "j-3", "city": "Pu\nne"}, "city: contains a control character (U+000A)"),
    ({"external_id": "j-4", "email": "a\x00@example.com"}, "email:"),
    ({"external_id": "j-5", "signed_up_at": "9999-12-31T23:00:00-14:00"}, "signed_up_at: must be between"),
    ({"external_id": "j-6", "signed_up_at": "0001-01-01T00:00:00+14:00"}, "signed_up_at: must be between"),
    ({"external_id": "j-7", "state": "\u009b"}, "state: contains a control character (U+009B)"),
]


async def test_one_bad_customer_never_sinks_the_batch(client: httpx.AsyncClient, session: AsyncSession) -> None:
    good = [{"external_id": f"ok-{n}", "name": f"Person {n}"} for n in range(50)]
    records = good[:20] + [raw for raw, _ in BAD_CUSTOMERS] + good[20:]
    response = await client.post("/api/ingest", json={"customers": records})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["customers"]["created"] == 50
    found = {r["index"]: r["errors"] for r in body["rejected"]}
    assert sorted(found) == list(range(20, 20 + len(BAD_CUSTOMERS)))
    for index, (_, expected) in enumerate(BAD_CUSTOMERS, start=20):
        assert found[index][0].startswith(expected), found[index]
    assert await count(session, Customer) == 50


async def test_one_bad_order_never_sinks_the_batch(client: httpx.AsyncClient, session: AsyncSession) -> None:
    def order(n: int, **overrides: Any) -> dict[str, Any]:
        record = {"external_id": f"o-{n}", "customer_external_id": "c-1", "ordered_at": "2026-01-01T10:00:00Z"}
        return record | {"amount": 10, "items": [{"name": "Lipstick", "unit_price": 10}]} | overrides

    bad = [
        order(90, ordered_at="9999-12-31T23:00:00-14:00"),
        order(91, ordered_at="0001-01-01T00:00:00+14:00"),
        order(92, external_id="o-\x00"),
        order(93, items=[{"name": "Lip\x00stick"}]),
        order(94, items=[{"name": "Lipstick", "quantity": 2**63}]),
        order(95, amount=1e30),
        order(96, currency="IN\x00"),
    ]
    orders = [order(n) for n in range(10)] + bad
    response = await client.post("/api/ingest", json={"customers": [{"external_id": "c-1"}], "orders": orders})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["orders"]["created"] == 10
    assert sorted(r["index"] for r in body["rejected"]) == list(range(10, 10 + len(bad)))
    assert await count(session, Order) == 10 and await count(session, OrderItem) == 10
