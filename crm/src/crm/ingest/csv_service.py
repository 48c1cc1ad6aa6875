"""Streams an uploaded CSV through the ingest service in chunks, keeping CSV line numbers."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from typing import IO, Any

import anyio
from sqlalchemy.ext.asyncio import AsyncSession

from crm.errors import InvalidInput
from crm.ingest import repository as repo
from crm.ingest.csv_layouts import (
    CsvKind,
    CsvLayout,
    OrderGroup,
    Row,
    detect_layout,
    shopify_customer_external_id,
)
from crm.ingest.schemas import IngestReport
from crm.ingest.service import IngestService

ROWS_PER_CHUNK = 2000
MAX_FIELD_BYTES = 64 * 1024
ITEM_ERROR = re.compile(r"^items\.(\d+)\.")

csv.field_size_limit(MAX_FIELD_BYTES)


class CsvRows:
    """(line number, row) pairs from a binary file, read lazily; tolerates a UTF-8 BOM."""

    def __init__(self, binary: IO[bytes]) -> None:
        self.text = io.TextIOWrapper(binary, encoding="utf-8-sig", errors="strict", newline="")
        self.reader = csv.reader(self.text)
        self.header: list[str] = []

    def read_header(self) -> list[str]:
        try:
            self.header = [h.strip() for h in next(self.reader)]
        except StopIteration:
            raise InvalidInput(["body", "file"], "the CSV file is empty") from None
        except (UnicodeDecodeError, csv.Error) as exc:
            raise InvalidInput(["body", "file"], f"not a readable UTF-8 CSV file: {exc}") from None
        return self.header

    def next_chunk(self, size: int) -> list[tuple[int, Row]]:
        rows: list[tuple[int, Row]] = []
        try:
            for values in self.reader:
                if not any(v.strip() for v in values):
                    continue
                rows.append((self.reader.line_num, dict(zip(self.header, values, strict=False))))
                if len(rows) >= size:
                    break
        except (UnicodeDecodeError, csv.Error) as exc:
            raise InvalidInput(["body", "file"], f"line {self.reader.line_num}: not readable as CSV ({exc})") from None
        return rows


class CsvIngestService:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.ingest = IngestService(session)

    async def ingest_csv(self, binary: IO[bytes], kind: CsvKind | None) -> tuple[CsvLayout, IngestReport]:
        rows = CsvRows(binary)
        header = await anyio.to_thread.run_sync(rows.read_header)
        layout = detect_layout(header, kind)
        report = IngestReport()
        offset = 0
        pending: list[OrderGroup] = []
        while True:
            chunk = await anyio.to_thread.run_sync(rows.next_chunk, ROWS_PER_CHUNK)
            if layout.kind == "customers":
                if not chunk:
                    break
                offset = await self._ingest_customers(layout, chunk, offset, report)
                continue
            groups = pending + list(self._group_orders(layout, chunk, pending))
            # The last group may continue in the next chunk; hold it back until then.
            pending = groups[-1:] if chunk else []
            ready = groups[:-1] if chunk else groups
            if ready:
                offset = await self._ingest_orders(layout, ready, offset, report)
            if not chunk:
                break
        return layout, report

    async def _ingest_customers(
        self, layout: CsvLayout, chunk: list[tuple[int, Row]], offset: int, report: IngestReport
    ) -> int:
        assert layout.customer is not None
        records = [layout.customer(row) for _, row in chunk]
        if layout.name == "shopify_customers":
            await self._reuse_customers_with_same_email(records)
        lines = {("customer", i): line for i, (line, _) in enumerate(chunk)}
        part = await self.ingest.ingest(records, [], lines)
        self._shift(part, offset)
        report.merge(part)
        return offset + len(records)

    def _group_orders(
        self, layout: CsvLayout, chunk: list[tuple[int, Row]], pending: list[OrderGroup]
    ) -> Iterator[OrderGroup]:
        assert layout.order_key and layout.order_start and layout.order_item
        current = pending[-1] if pending else None
        for line, row in chunk:
            key = layout.order_key(row)
            if current is None or (key is not None and key != current.key):
                current = layout.order_start(row, line)
                current.record["items"] = []
                yield current
            item = layout.order_item(row)
            if item is not None:
                current.record["items"].append(item)
                current.item_lines.append(line)

    async def _ingest_orders(
        self, layout: CsvLayout, groups: list[OrderGroup], offset: int, report: IngestReport
    ) -> int:
        customers: list[dict[str, Any]] = []
        unlinkable: list[tuple[int, OrderGroup]] = []
        if layout.name == "shopify_orders":
            emails = sorted({g.customer_email for g in groups if g.customer_email})
            known = await repo.external_ids_by_email(self.session, emails)
            new_customers: dict[str, dict[str, Any]] = {}
            for index, group in enumerate(groups):
                if not group.customer_email:
                    unlinkable.append((index, group))
                    continue
                external_id = known.get(group.customer_email)
                if external_id is None:
                    external_id = shopify_customer_external_id(group.customer_email, None)
                    assert external_id is not None
                    new_customers.setdefault(external_id, {"external_id": external_id, **group.customer_hint})
                group.record["customer_external_id"] = external_id
            customers = list(new_customers.values())
        orders = [g.record for g in groups]
        lines = {("order", i): g.first_line for i, g in enumerate(groups)}
        part = await self.ingest.ingest(customers, orders, lines)
        # A customer made from an order's billing details is not what the user uploaded:
        # report its problems against the order instead.
        part.rejected = [r for r in part.rejected if r.kind == "order"]
        unlinkable_indexes = {index for index, _ in unlinkable}
        for rejected in part.rejected:
            if rejected.index in unlinkable_indexes:
                rejected.errors = ["Email: needed to link the order to a customer"]
        for rejected in part.rejected:
            group = groups[rejected.index]
            rejected.errors = [self._item_line(err, group) for err in rejected.errors]
        self._shift(part, offset)
        report.merge(part)
        return offset + len(groups)

    async def _reuse_customers_with_same_email(self, records: list[dict[str, Any]]) -> None:
        """A Shopify customer whose email we already hold updates that customer, not a twin."""
        emails = [str(r["email"]).lower() for r in records if r.get("email")]
        known = await repo.external_ids_by_email(self.session, emails)
        for record in records:
            email = str(record.get("email", "")).lower()
            if email in known:
                record["external_id"] = known[email]

    @staticmethod
    def _item_line(error: str, group: OrderGroup) -> str:
        match = ITEM_ERROR.match(error)
        if match and int(match.group(1)) < len(group.item_lines):
            return f"line {group.item_lines[int(match.group(1))]}: {error}"
        return error

    @staticmethod
    def _shift(report: IngestReport, offset: int) -> None:
        for rejected in report.rejected:
            rejected.index += offset
