"""Write the deterministic demo catalogue as JSONL (the catalogue import format).

    python scripts/generate_demo_catalog.py OUT.jsonl [--count N] [--seed S]

The same count and seed always give a byte-identical file. `python -m gateway catalog
generate` does the same from the installed package; this script runs from a checkout.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("output", type=Path, help="where to write the JSONL file")
    parser.add_argument("--count", type=int, default=2400, help="number of products (default 2400)")
    parser.add_argument("--seed", type=int, default=20261122, help="random seed (default 20261122)")
    args = parser.parse_args(argv)
    if args.count < 0:
        parser.error("--count must be >= 0")

    # Run from a plain checkout: make the repository root importable without installing.
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from gateway.catalogue.jsonl import write_jsonl
    from gateway.demo.catalog_generator import generate_catalog

    catalog = generate_catalog(count=args.count, seed=args.seed)
    lines = write_jsonl(catalog, args.output)
    print(
        f"wrote {lines} lines to {args.output}: {len(catalog.categories)} categories, "
        f"{len(catalog.brands)} brands, {len(catalog.products)} products"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
