"""Peak memory and time of `catalog import` for files of any size.

    python -m gateway catalog generate /tmp/cat1m.jsonl --count 1000000      # ~1,000,138 lines
    PYTHONPATH=. python -m bench.catalogue_import /tmp/cat100k.jsonl /tmp/cat1m.jsonl [--old REV] [--mongo]

Each import runs in a fresh child process, whose peak resident memory (`ru_maxrss`, from
`wait4`) is printed with its wall time:

- `streaming`: `import_jsonl` into a store that checks what it is given and keeps nothing, so
  the figure is the import's own memory (a real store keeps the data in another process);
- `old` (with `--old REV`): the same with the importer of git revision REV, which read the
  whole file first (for comparison; give a revision from before the streaming import);
- `cli + mongodb` (with `--mongo`): `python -m gateway catalog import FILE` against a real
  MongoDB-protocol server (SecantusDB, started here); slow (every batch is a transaction).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CHILD = """
import asyncio, sys
from collections.abc import Sequence
sys.path.insert(0, {root!r})
if {old!r}:
    import importlib.util
    spec = importlib.util.spec_from_file_location("old_importer", {old!r})
    module = importlib.util.module_from_spec(spec)
    sys.modules["old_importer"] = module
    spec.loader.exec_module(module)
    import_jsonl = module.import_jsonl
else:
    from gateway.catalogue.importer import import_jsonl
from pathlib import Path
from gateway.catalogue.values import Brand, BrandId, Category, Product

class Discarding:
    written = 0
    async def get_brands(self, ids: Sequence[BrandId]) -> list[Brand | None]:
        return [None for _ in ids]
    async def all_categories(self) -> list[Category]:
        return []
    async def upsert(self, products, brands, categories) -> None:
        self.written += len(products)

store = Discarding()
report = asyncio.run(import_jsonl(store, Path({path!r}), batch_size=500))
print(report.lines_read, len(report.rejected), store.written)
"""


def run_child(argv: list[str], env: dict[str, str] | None = None) -> tuple[float, float, str]:
    """(peak RSS in MiB, seconds, last output line) of a child process, reaped with wait4 for its own peak."""
    started = time.perf_counter()
    child = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    assert child.stdout is not None and child.stderr is not None
    out = child.stdout.read().decode()
    err = child.stderr.read().decode()
    _, status, usage = os.wait4(child.pid, 0)
    child.returncode = os.waitstatus_to_exitcode(status)
    took = time.perf_counter() - started
    if child.returncode not in (0, 1):  # 1: lines were rejected
        raise SystemExit(f"{' '.join(argv[:4])} failed ({child.returncode}): {err[-2000:]}")
    last = out.strip() or (err.strip().splitlines() or [""])[-1]
    return usage.ru_maxrss / 1024, took, last


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("files", nargs="+", type=Path)
    parser.add_argument("--old", help="git revision whose importer read whole files, for comparison")
    parser.add_argument("--mongo", action="store_true", help="also run the CLI against a real MongoDB-protocol server")
    args = parser.parse_args()
    root = str(Path(__file__).resolve().parents[1])
    old_path = ""
    if args.old:
        source = subprocess.run(
            ["git", "show", f"{args.old}:gateway/catalogue/importer.py"], check=True, capture_output=True, text=True
        ).stdout
        with tempfile.NamedTemporaryFile("w", suffix="_importer.py", delete=False) as handle:
            handle.write(source)
        old_path = handle.name
    server = None
    if args.mongo:
        from gateway.testing.servers import start_mongo

        server = start_mongo(cache_size="2G")
    try:
        for path in args.files:
            size = path.stat().st_size / 2**20
            print(f"{path} ({size:.0f} MiB):")
            variants = [("streaming", "")] + ([("old", old_path)] if old_path else [])
            for name, old in variants:
                code = CHILD.format(root=root, old=old, path=str(path))
                peak, took, out = run_child([sys.executable, "-c", code])
                print(f"  {name:>9}: peak RSS {peak:7.0f} MiB, {took:6.0f} s  (lines, rejected, written: {out})")
            if server is not None:
                env = {**os.environ, "VITRINE_MONGODB_URL": server.url, "VITRINE_MONGODB_DATABASE": f"b{os.getpid()}"}
                argv = [sys.executable, "-m", "gateway", "catalog", "import", str(path)]
                peak, took, out = run_child(argv, env)
                print(f"  cli + mongodb: peak RSS {peak:7.0f} MiB, {took:6.0f} s  ({out})")
    finally:
        if server is not None:
            server.stop()
        if old_path:
            os.unlink(old_path)


if __name__ == "__main__":
    main()
