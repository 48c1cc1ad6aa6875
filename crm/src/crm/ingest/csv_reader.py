"""Reads an uploaded CSV line by line so that no line can hide another.

Python's csv module lets a quoted cell run over line breaks (Shopify exports do that for
addresses), so a stray quote used to swallow every later line into one cell. Here a record that
runs over several lines is kept only if it parses cleanly and has the header's number of cells;
otherwise its first line is reported as malformed and reading resumes on the line after it.
Each line is decoded on its own, so an encoding error names its real line and costs only that
line. The delimiter (comma, semicolon or tab) is detected from the header unless stated; the
encoding is UTF-8 (with or without a BOM), UTF-16 when the file starts with its BOM, or stated.
"""

from __future__ import annotations

import codecs
import csv
import io
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO

from crm.errors import InvalidInput

MAX_FIELD_BYTES = 64 * 1024
MAX_LINES_PER_RECORD = 50  # a quoted cell may hold line breaks, but not this many
DELIMITERS = {",": "comma", ";": "semicolon", "\t": "tab"}

csv.field_size_limit(MAX_FIELD_BYTES)

Row = dict[str, str]


@dataclass(frozen=True)
class BadLine:
    """A line that could not be read as a record (it is reported; the next lines are still read)."""

    line: int
    reason: str
    first_cell: str | None = None


class RecordTooLong(Exception):
    pass


def encoding_of(head: bytes, stated: str | None) -> tuple[str, int]:
    """(codec name, bytes of BOM to skip): a stated encoding wins, else the BOM, else UTF-8."""
    if stated:
        try:
            name = codecs.lookup(stated).name
        except LookupError:
            raise InvalidInput(["body", "encoding"], f"unknown encoding {stated!r}") from None
        if name.startswith("utf-16") or name.startswith("utf-32"):
            return name, 0
        bom = len(codecs.BOM_UTF8) if name == "utf-8" and head.startswith(codecs.BOM_UTF8) else 0
        return name, bom
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8", len(codecs.BOM_UTF8)
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16", 0
    return "utf-8", 0


def detect_delimiter(header_line: str) -> str:
    """The candidate that splits the header into the most cells (a comma on a tie)."""
    best, best_cells = ",", 0
    for delimiter in DELIMITERS:
        cells = len(next(csv.reader([header_line], delimiter=delimiter), []))
        if cells > best_cells:
            best, best_cells = delimiter, cells
    return best


def describe_decode_error(exc: UnicodeDecodeError, encoding: str) -> str:
    byte = exc.object[exc.start : exc.start + 1].hex() if isinstance(exc.object, bytes) else "?"
    return (
        f"not valid {encoding} (byte 0x{byte} at position {exc.start + 1}); if the file uses another "
        "encoding, name it in the `encoding` form field (for example cp1252 or latin-1)"
    )


class CsvReader:
    """(line number, row) pairs and BadLines from a binary file, read lazily."""

    def __init__(self, binary: IO[bytes], encoding: str | None = None, delimiter: str | None = None) -> None:
        if delimiter is not None and delimiter not in DELIMITERS:
            named = {v: k for k, v in DELIMITERS.items()}
            if delimiter not in named:
                raise InvalidInput(
                    ["body", "delimiter"], f"unknown delimiter {delimiter!r}; use comma, semicolon or tab"
                )
            delimiter = named[delimiter]
        self.binary = binary
        self.stated_encoding = encoding
        self.delimiter = delimiter or ","
        self.delimiter_stated = delimiter is not None
        self.encoding = "utf-8"
        self.bom = False
        self.header: list[str] = []
        self.width = 0
        self._lines: Iterator[tuple[int, str | BadLine]] = iter(())
        self._pushback: deque[tuple[int, str]] = deque()
        self._records: Iterator[tuple[int, list[str]] | BadLine] = iter(())

    # -------------------------------------------------------------- physical lines

    def _physical_lines(self, skip: int) -> Iterator[tuple[int, str | BadLine]]:
        if self.encoding.startswith(("utf-16", "utf-32")):
            text = io.TextIOWrapper(self.binary, encoding=self.encoding, errors="strict", newline="")
            number = 0
            try:
                for number, line in enumerate(text, start=1):
                    yield number, line
            except UnicodeDecodeError as exc:
                raise InvalidInput(
                    ["body", "file"], f"near line {number + 1}: {describe_decode_error(exc, self.encoding)}"
                ) from None
            return
        self.binary.read(skip)
        for number, raw in enumerate(self.binary, start=1):
            try:
                yield number, raw.decode(self.encoding)
            except UnicodeDecodeError as exc:
                yield number, BadLine(number, describe_decode_error(exc, self.encoding))

    def _feed(self, consumed: list[tuple[int, str]], bad: list[BadLine]) -> Iterator[str]:
        """Lines for csv.reader: pushed-back ones first; undecodable ones are set aside in `bad`."""
        while True:
            if self._pushback:
                number, line = self._pushback.popleft()
            else:
                item = next(self._lines, None)
                if item is None:
                    return
                number, decoded = item
                if isinstance(decoded, BadLine):
                    bad.append(decoded)
                    continue
                line = decoded
            consumed.append((number, line))
            if len(consumed) > MAX_LINES_PER_RECORD:
                raise RecordTooLong
            yield line

    # -------------------------------------------------------------- header

    def read_header(self) -> list[str]:
        head = self.binary.read(4)
        self.binary.seek(0)
        self.encoding, skip = encoding_of(head, self.stated_encoding)
        self.bom = skip > 0 or (self.encoding.startswith("utf-16") and self.stated_encoding is None)
        self._lines = self._physical_lines(skip)
        first: tuple[int, str] | None = None
        for number, decoded in self._lines:
            if isinstance(decoded, BadLine):
                raise InvalidInput(["body", "file"], f"line {number} (the header): {decoded.reason}")
            if decoded.strip():
                first = (number, decoded.lstrip("\ufeff"))
                break
        if first is None:
            raise InvalidInput(["body", "file"], "the CSV file is empty")
        if not self.delimiter_stated:
            self.delimiter = detect_delimiter(first[1])
        self._pushback.append(first)
        consumed: list[tuple[int, str]] = []
        try:
            header = next(csv.reader(self._feed(consumed, []), delimiter=self.delimiter, strict=True))
        except (csv.Error, RecordTooLong, StopIteration):
            raise InvalidInput(["body", "file"], f"line {first[0]}: the header is not readable as CSV") from None
        self._pushback.extendleft(reversed(consumed[1:] if len(consumed) > 1 else []))
        # Trailing unnamed columns (a spreadsheet's stray separators) are not columns.
        while header and not header[-1].strip():
            header.pop()
        self.header = [h.strip() for h in header]
        self.width = len(header)
        self._records = self._parse()
        return self.header

    # -------------------------------------------------------------- records

    def _parse(self) -> Iterator[tuple[int, list[str]] | BadLine]:
        while True:
            consumed: list[tuple[int, str]] = []
            bad: list[BadLine] = []
            reader = csv.reader(self._feed(consumed, bad), delimiter=self.delimiter, strict=True)
            while True:
                try:
                    values = next(reader)
                except StopIteration:
                    yield from bad
                    return
                except (csv.Error, RecordTooLong):
                    yield from bad
                    yield self._malformed(consumed)
                    break  # a fresh reader resumes on the line after the malformed one
                yield from bad
                bad.clear()
                lines = consumed[:]
                consumed.clear()
                if len(lines) > 1 and not self._plausible(values, lines):
                    yield self._malformed(lines)
                    break
                yield (lines[0][0], values)

    def _plausible(self, values: list[str], lines: list[tuple[int, str]]) -> bool:
        """Whether a record that runs over several lines is one (a quoted cell holding line breaks)
        rather than a stray quote that swallowed whole records: it has the header's width and no
        line after its first holds a whole record's worth of cells by itself."""
        if len(values) != self.width:
            return False
        literal = csv.reader([text for _, text in lines[1:]], delimiter=self.delimiter, quoting=csv.QUOTE_NONE)
        return all(len(cells) < self.width for cells in literal)

    def _malformed(self, lines: list[tuple[int, str]]) -> BadLine:
        """The first line of a record that did not parse; the lines after it are read again."""
        self._pushback.extendleft(reversed(lines[1:]))
        number, text = lines[0]
        first_cell = next(csv.reader([text], delimiter=self.delimiter), [""])[0].strip() or None
        reason = (
            "an unbalanced quote: a quoted cell does not close on this line; the line was not read, "
            "and the lines after it were read on their own"
        )
        return BadLine(number, reason, first_cell)

    def next_chunk(self, size: int) -> list[tuple[int, Row] | BadLine]:
        out: list[tuple[int, Row] | BadLine] = []
        for item in self._records:
            if isinstance(item, BadLine):
                out.append(item)
            else:
                number, values = item
                if not any(v.strip() for v in values):
                    continue
                if len(values) != self.width:
                    extra = values[self.width :]
                    if len(values) > self.width and not any(v.strip() for v in extra):
                        values = values[: self.width]  # trailing empty cells are only stray separators
                    else:
                        reason = f"{len(values)} cells where the header has {self.width} columns"
                        out.append(BadLine(number, reason, values[0].strip() or None))
                        continue
                out.append((number, dict(zip(self.header, values, strict=True))))
            if len(out) >= size:
                break
        return out

    @property
    def delimiter_name(self) -> str:
        return DELIMITERS[self.delimiter]

    @property
    def encoding_name(self) -> str:
        return f"{self.encoding} with BOM" if self.bom else self.encoding
