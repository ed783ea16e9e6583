"""Embedding throughput of the gateway's embedder: CPU fp32 vs CPU bf16 autocast, and CUDA when present.

    PYTHONPATH=. python -m bench.embedding_throughput [--texts 1024] [--batch 64]

Embeds the demo catalogue's product texts (the recipe `python -m gateway index` uses) with
each available setting, side by side in one run, and prints texts/second plus the worst
cosine distance from the CPU fp32 vectors (bf16 must stay within 1e-3).
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from gateway.demo.catalog_generator import generate_catalog
from gateway.recommendations.vectors.embedder import (
    BF16_TOLERANCE,
    SentenceTransformerEmbedder,
    bf16_supported,
    product_text,
)


def texts(n: int) -> list[str]:
    catalog = generate_catalog()
    brands = {b.id: b.name for b in catalog.brands}
    names = {c.id: c.name("en") for c in catalog.categories}
    out = []
    for p in catalog.products[:n]:
        tr = p.text("en")
        out.append(
            product_text(tr.name, brands.get(p.brand_id, ""), [names[c] for c in p.category_ids], tr.description)
        )
    return out


def measure(
    embedder: SentenceTransformerEmbedder, batch: list[str], size: int, repeats: int
) -> tuple[float, np.ndarray]:
    embedder.encode(batch[:size], batch_size=size)  # warm-up
    best = float("inf")
    vectors = np.zeros((0, 0), dtype=np.float32)
    for _ in range(repeats):
        t = time.perf_counter()
        vectors = embedder.encode(batch, batch_size=size)
        best = min(best, time.perf_counter() - t)
    return len(batch) / best, vectors


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--texts", type=int, default=1024)
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    import torch

    batch = texts(args.texts)
    cpu = SentenceTransformerEmbedder(device="cpu", precision="fp32")
    print(f"torch {torch.__version__}, {torch.get_num_threads()} CPU threads, bf16 CPU support: {bf16_supported()}")
    rate, reference = measure(cpu, batch, args.batch, args.repeats)
    print(f"cpu  fp32: {rate:8.1f} texts/s")
    if bf16_supported():
        cpu.bf16 = True
        rate16, fast = measure(cpu, batch, args.batch, args.repeats)
        worst = float(np.max(1.0 - np.sum(reference * fast, axis=1)))
        verdict = "ok" if worst <= BF16_TOLERANCE else "TOO FAR"
        print(
            f"cpu  bf16: {rate16:8.1f} texts/s ({rate16 / rate:.2f}x fp32), worst cosine distance {worst:.2e} {verdict}"
        )
    else:
        print("cpu  bf16: not measurable here (no AVX512-BF16/AMX); the gateway embeds in fp32")
    if torch.cuda.is_available():
        gpu = SentenceTransformerEmbedder(device="cuda", precision="fp32")
        rate_gpu, on_gpu = measure(gpu, batch, args.batch * 4, args.repeats)
        worst = float(np.max(1.0 - np.sum(reference * on_gpu, axis=1)))
        print(f"cuda fp32: {rate_gpu:8.1f} texts/s ({torch.cuda.get_device_name()}), worst cosine distance {worst:.2e}")
        gpu.bf16 = True
        rate_gpu16, _ = measure(gpu, batch, args.batch * 4, args.repeats)
        print(f"cuda bf16: {rate_gpu16:8.1f} texts/s")
    else:
        print("cuda: not measurable here (no GPU visible to torch)")


if __name__ == "__main__":
    main()
