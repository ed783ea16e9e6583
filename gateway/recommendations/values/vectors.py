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
