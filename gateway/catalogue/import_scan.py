"""What the import's first pass keeps of a file: a few dozen bytes per product, not the products.

`read_lines` streams a file's lines exactly as `bytes.splitlines` would split the whole file
(so a lone CR still ends a line, and CRLF is one line end), holding one chunk at a time.

`Scan` is fed every line in order. Categories and brands are kept whole (a catalogue has
thousands at most); a product that passes the schema is kept as its line number, a 16-byte
digest of its id, and small integer codes for its brand and categories: about 40 bytes. The
second pass re-reads and re-parses only the products that were accepted.

Duplicate product ids are found by their digest (BLAKE2b, 128 bits: at a million products,
the chance that two different ids share one is about 10^-27).
"""

from __future__ import annotations

import hashlib
from array import array
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from gateway.catalogue.import_report import RejectedLine
from gateway.catalogue.records import BrandRecord, CategoryRecord, ProductRecord, RecordError, parse_line

CHUNK = 1 << 20
_UTF8_BOM = b"\xef\xbb\xbf"


def read_lines(path: Path) -> Iterator[bytes]:
    """The lines of the file without their line ends; a UTF-8 byte order mark is dropped."""
    first = True
    pending = b""
    with path.open("rb") as source:
        while chunk := source.read(CHUNK):
            parts = (pending + chunk).splitlines(keepends=True)
            # The last part may continue in the next chunk (no line end yet, or a CR whose LF follows).
            pending = b"" if parts[-1].endswith(b"\n") else parts.pop()
            for part in parts:
                line = _without_end(part)
                if first:
                    line, first = line.removeprefix(_UTF8_BOM), False
                yield line
    if pending:
        line = _without_end(pending)
        yield line.removeprefix(_UTF8_BOM) if first else line


def _without_end(part: bytes) -> bytes:
    if part.endswith(b"\r\n"):
        return part[:-2]
    return part[:-1] if part.endswith((b"\n", b"\r")) else part


def id_digest(record_id: str) -> bytes:
    return hashlib.blake2b(record_id.encode(), digest_size=16).digest()


class Codes:
    """Small integer codes for ids that many products share (brands, categories), first seen first."""

    def __init__(self) -> None:
        self.ids: list[str] = []
        self._code: dict[str, int] = {}

    def code(self, value: str) -> int:
        found = self._code.get(value)
        if found is None:
            found = self._code[value] = len(self.ids)
            self.ids.append(value)
        return found


@dataclass
class ProductRefs:
    """Per product that passed the schema, in file order: its line, id digest, brand and categories."""

    lines: array[int] = field(default_factory=lambda: array("Q"))
    digests: bytearray = field(default_factory=bytearray)
    brands: array[int] = field(default_factory=lambda: array("I"))
    category_ends: array[int] = field(default_factory=lambda: array("Q"))
    categories: array[int] = field(default_factory=lambda: array("I"))
    brand_codes: Codes = field(default_factory=Codes)
    category_codes: Codes = field(default_factory=Codes)

    def add(self, number: int, record: ProductRecord) -> None:
        self.lines.append(number)
        self.digests += id_digest(record.id)
        self.brands.append(self.brand_codes.code(record.brand))
        self.categories.extend(self.category_codes.code(c) for c in record.categories)
        self.category_ends.append(len(self.categories))

    def __len__(self) -> int:
        return len(self.lines)

    def brand_of(self, n: int) -> str:
        return self.brand_codes.ids[self.brands[n]]

    def categories_of(self, n: int) -> list[str]:
        start = self.category_ends[n - 1] if n else 0
        return [self.category_codes.ids[c] for c in self.categories[start : self.category_ends[n]]]

    def first_of_each_id(self) -> dict[int, int]:
        """{product ordinal: the ordinal of the first product with the same id} for every repeat."""
        n = len(self.lines)
        if n == 0:
            return {}
        halves = np.frombuffer(self.digests, dtype="<u8").reshape(n, 2)
        order = np.lexsort((halves[:, 1], halves[:, 0]))  # by digest; stable, so file order among equals
        ordered = halves[order]
        new = np.ones(n, dtype=np.bool_)
        new[1:] = np.any(ordered[1:] != ordered[:-1], axis=1)
        run_start = np.maximum.accumulate(np.where(new, np.arange(n), 0))
        return {int(order[p]): int(order[run_start[p]]) for p in np.flatnonzero(~new).tolist()}


@dataclass
class Scan:
    """Everything the first pass learned: kept records, rejected lines, ids of failed lines."""

    categories: list[tuple[int, CategoryRecord]] = field(default_factory=list)
    brands: list[tuple[int, BrandRecord]] = field(default_factory=list)
    products: ProductRefs = field(default_factory=ProductRefs)
    rejected: list[RejectedLine] = field(default_factory=list)
    first_line: dict[str, int] = field(default_factory=dict)  # category or brand id -> line of its record
    failed_ids: dict[str, int] = field(default_factory=dict)  # id -> first line that failed the schema
    lines: int = 0

    def add(self, number: int, raw: bytes) -> None:
        self.lines = number
        if not raw.strip():
            return
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            self.rejected.append(RejectedLine(number, f"not valid UTF-8 (byte {exc.start + 1})"))
            return
        try:
            record = parse_line(text)
        except RecordError as exc:
            self.rejected.append(RejectedLine(number, exc.reason))
            if exc.record_id is not None:
                self.failed_ids.setdefault(exc.record_id, number)
            return
        if isinstance(record, ProductRecord):  # repeated product ids are found at the end (`first_of_each_id`)
            self.products.add(number, record)
            return
        earlier = self.first_line.get(record.id)
        if earlier is not None:
            self.rejected.append(RejectedLine(number, f'id: duplicate of line {earlier} ("{record.id}")'))
            return
        self.first_line[record.id] = number
        if isinstance(record, CategoryRecord):
            self.categories.append((number, record))
        else:
            self.brands.append((number, record))

    def rejected_line(self, record_id: str) -> int | None:
        """The first line carrying this id that failed the schema; callers ask only after
        finding no accepted record with the id."""
        return self.failed_ids.get(record_id)
