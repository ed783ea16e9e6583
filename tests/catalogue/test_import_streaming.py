"""The import streams its file: memory does not follow the file's size, lines split as before,
progress shows as lines where there is no terminal."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tracemalloc
from collections.abc import Sequence
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gateway.catalogue import import_scan
from gateway.catalogue.import_scan import read_lines
from gateway.catalogue.importer import import_jsonl
from gateway.catalogue.values import Brand, Category, Product
from tests.catalogue.test_catalog_import import RecordingCatalogStore, brand, category, product


class DiscardingStore(RecordingCatalogStore):
    """Counts what it is given and keeps nothing, so only the import's own memory is measured."""

    def __init__(self) -> None:
        super().__init__()
        self.written = 0

    async def upsert(
        self, products: Sequence[Product], brands: Sequence[Brand], categories: Sequence[Category]
    ) -> None:
        self.written += len(products)


def catalogue_file(path: Path, products: int) -> Path:
    lines = [category("c-trail", None), brand("b-nordvik", "Nordvik")]
    lines += [product(f"p-{n}") for n in range(products)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


async def peak_bytes(path: Path) -> int:
    store = DiscardingStore()
    tracemalloc.start()
    try:
        report = await import_jsonl(store, path, batch_size=200)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert report.clean and store.written == report.accepted["product"]
    return peak


async def test_peak_memory_does_not_follow_the_file_size(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(import_scan, "CHUNK", 1 << 16)  # both files span many chunks (a chunk is a constant)
    small, big = catalogue_file(tmp_path / "small.jsonl", 1_000), catalogue_file(tmp_path / "big.jsonl", 8_000)
    grew_per_line = (await peak_bytes(big) - await peak_bytes(small)) / 7_000
    line_size = (big.stat().st_size - small.stat().st_size) / 7_000
    # The first pass keeps about 40 bytes per product; holding the lines would cost their size (~800 bytes).
    assert grew_per_line < 100 < line_size, (grew_per_line, line_size)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from([b"a", b"{}", b" ", b"\r", b"\n", b"\r\n", b"\xef\xbb\xbf", b"\xff"]), max_size=60))
def test_lines_split_as_the_whole_file_would(parts: list[bytes]) -> None:
    data = b"".join(parts)
    expected = data.splitlines()
    if expected and expected[0].startswith(b"\xef\xbb\xbf"):
        expected[0] = expected[0][3:]
    path = Path(os.environ.get("TMPDIR", "/tmp")) / f"lines-{os.getpid()}.jsonl"
    path.write_bytes(data)
    original = import_scan.CHUNK
    try:
        for chunk in (1, 2, 3, 7, 1 << 20):
            import_scan.CHUNK = chunk
            assert list(read_lines(path)) == expected, chunk
    finally:
        import_scan.CHUNK = original
        path.unlink()


async def test_a_file_changed_between_the_passes_stops_the_import(tmp_path: Path) -> None:
    path = catalogue_file(tmp_path / "moving.jsonl", 5)

    class Rewriting(RecordingCatalogStore):
        async def all_categories(self) -> list[Category]:  # runs between the validating and the writing pass
            path.write_text(path.read_text().replace('"p-3"', '"p-9"'))
            return await super().all_categories()

    store = Rewriting()
    report = await import_jsonl(store, path, batch_size=2)
    assert not report.ok
    assert report.error == "the file changed while it was imported (line 6 is not what it was)"
    assert (report.applied_batches, report.failed_batch, report.total_batches) == (1, 2, 3)
    assert set(store.products) == {"p-0", "p-1"}


def test_cli_prints_progress_lines_when_not_on_a_terminal(tmp_path: Path) -> None:
    path = catalogue_file(tmp_path / "catalog.jsonl", 300)
    env = {**os.environ, "VITRINE_MONGODB_URL": "memory://"}
    done = subprocess.run(
        [sys.executable, "-m", "gateway", "catalog", "import", str(path), "--batch-size", "50"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    progress = [line for line in done.stderr.splitlines() if line.startswith("importing: ")]
    total = 2 * 302
    assert progress[0].startswith(f"importing: 1 of {total} (0%)")
    assert progress[-1].startswith(f"importing: {total} of {total} (100%)")
    assert 10 <= len(progress) <= 15  # a line per tenth (and one per 10 s): not one per line
    assert "accepted 1 brand, 1 category, 300 product" in done.stderr


@pytest.mark.parametrize("blank", ["", "   "])
async def test_blank_lines_count_as_lines_not_items(tmp_path: Path, blank: str) -> None:
    path = tmp_path / "blank.jsonl"
    path.write_text("\n".join([category("c-a", None), blank, json.dumps({"kind": "brand"})]) + "\n")
    calls: list[tuple[int, int]] = []
    report = await import_jsonl(RecordingCatalogStore(), path, progress=lambda d, t: calls.append((d, t)))
    assert report.lines_read == 3 and [r.line_number for r in report.rejected] == [3]
    assert calls[-1] == (5, 5)
