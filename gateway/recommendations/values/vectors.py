"""A product's embedding as stored: which model, from which text (hash), the unit vector."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from gateway.catalogue import ProductId


@dataclass(frozen=True, slots=True)
class ProductVector:
    product_id: ProductId
    model: str
    content_hash: str  # `gateway.catalogue.values.content_hash` of the text embedded
    vector: npt.NDArray[np.float32]


@dataclass(frozen=True, slots=True)
class VectorsVersion:
    """What one `index` run published for a model: instances reload when `revision` moves.

    `digest` identifies the vectors (`graph_digest`: ids in row order and values) and `rows`
    counts them; "" and 0 before anything was published.
    """

    revision: int
    digest: str = ""
    rows: int = 0
