"""Streams an uploaded CSV through the ingest service in chunks, keeping CSV line numbers: every
line is either stored or reported, never dropped."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO, Any, Literal

import anyio
from sqlalchemy.ext.asyncio import AsyncSession

from crm.ingest import repository as repo
from crm.ingest.csv_layouts import (
    CsvKind,
    CsvLayout,
    OrderGroup,
    Row,
    detect_layout,
    shopify_customer_external_id,
)
from crm.ingest.csv_reader import BadLine, CsvReader
from crm.ingest.schemas import IngestReport, RejectedRecord
from crm.ingest.service import IngestService

ROWS_PER_CHUNK = 2000
ITEM_ERROR = re.compile(r"^items\.(\d+)\.")


@dataclass(frozen=True)
class CsvOutcome:
    layout: CsvLayout
    delimiter: str
    encoding: str
    report: IngestReport


class CsvIngestService:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.ingest = IngestService(session)

    async def ingest_csv(
        self, binary: IO[bytes], kind: CsvKind | None, encoding: str | None = None, delimiter: str | None = None
    ) -> CsvOutcome:
        reader = CsvReader(binary, encoding, delimiter)
        header = await anyio.to_thread.run_sync(reader.read_header)
        read_as = f" (read as {reader.delimiter_name}-separated {reader.encoding_name})"
        layout, reader.header = detect_layout(header, kind, read_as)
        report = IngestReport()
        if layout.kind == "customers":
            await self._ingest_customer_file(layout, reader, report)
        else:
            await self._ingest_order_file(layout, binary, reader, report)
        report.rejected.sort(key=lambda r: (r.line or 0, r.index))
        return CsvOutcome(layout, reader.delimiter_name, reader.encoding_name, report)

    async def _ingest_customer_file(self, layout: CsvLayout, reader: CsvReader, report: IngestReport) -> None:
        offset = 0
        while chunk := await anyio.to_thread.run_sync(reader.next_chunk, ROWS_PER_CHUNK):
            rows: list[tuple[int, Row]] = []
            for item in chunk:
                if isinstance(item, BadLine):
                    report.rejected.append(self._bad_line("customer", offset, item))
                    offset += 1
                else:
                    rows.append(item)
            if rows:
                offset = await self._ingest_customers(layout, rows, offset, report)

    async def _ingest_order_file(
        self, layout: CsvLayout, binary: IO[bytes], reader: CsvReader, report: IngestReport
    ) -> None:
        """An order's rows need not be next to each other: a first pass finds the orders whose rows
        are split up; the second streams the others in chunks and holds those back to the end."""
        assert layout.order_key is not None
        split = await anyio.to_thread.run_sync(self._split_order_keys, layout, reader)
        binary.seek(0)
        reader = CsvReader(binary, reader.stated_encoding, reader.delimiter)
        await anyio.to_thread.run_sync(reader.read_header)
        reader.header = layout.canonical(reader.header)
        offset = 0
        pending: list[OrderGroup] = []
        held: dict[str, OrderGroup] = {}
        while True:
            chunk = await anyio.to_thread.run_sync(reader.next_chunk, ROWS_PER_CHUNK)
            rows: list[tuple[int, Row]] = []
            for item in chunk:
                if isinstance(item, BadLine):
                    report.rejected.append(self._bad_line("order", offset, item))
                    offset += 1
                else:
                    rows.append(item)
            groups = pending + list(self._group_orders(layout, rows, pending, split, held))
            # The last group may continue in the next chunk; hold it back until then.
            pending = groups[-1:] if chunk else []
            ready = groups[:-1] if chunk else groups
            if ready:
                offset = await self._ingest_orders(layout, ready, offset, report)
            if not chunk:
                break
        if held:
            await self._ingest_orders(layout, list(held.values()), offset, report)

    @staticmethod
    def _split_order_keys(layout: CsvLayout, reader: CsvReader) -> set[str]:
        """Keys of orders whose rows are not all next to each other."""
        assert layout.order_key is not None
        closed: set[str] = set()
        split: set[str] = set()
        current: str | None = None
        while chunk := reader.next_chunk(ROWS_PER_CHUNK):
            for item in chunk:
                if isinstance(item, BadLine):
                    continue
                key = layout.order_key(item[1])
                if key is None or key == current:
                    continue
                if key in closed:
                    split.add(key)
                if current is not None:
                    closed.add(current)
                current = key
        return split

    @staticmethod
    def _bad_line(kind: Literal["customer", "order"], index: int, bad: BadLine) -> RejectedRecord:
        return RejectedRecord(
            kind=kind, index=index, line=bad.line, external_id=bad.first_cell, errors=[f"line {bad.line}: {bad.reason}"]
        )

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
        self,
        layout: CsvLayout,
        rows: list[tuple[int, Row]],
        pending: list[OrderGroup],
        split: set[str],
        held: dict[str, OrderGroup],
    ) -> Iterator[OrderGroup]:
        """Groups of adjacent rows; rows of a split order go to its one group in `held` instead."""
        assert layout.order_key and layout.order_start and layout.order_item
        current = pending[-1] if pending else None
        for line, row in rows:
            key = layout.order_key(row)
            if key is not None and key in split:
                group = held.get(key)
                if group is None:
                    group = held[key] = layout.order_start(row, line)
                    group.record["items"] = []
                current = group
            elif current is None or (key is not None and key != current.key):
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
