"""Item vectors for the offline evaluation: the gateway's embedder over the items' text."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from gateway.catalogue import ProductId
from gateway.recommendations.vectors.embedder import SentenceTransformerEmbedder, product_text
from gateway.recommendations.vectors.service import StaticVectors


def item_vectors(items: Sequence[Any]) -> StaticVectors:
    """`items` are `gateway.recommendations.evaluation.protocol.Item`s; same text recipe as the indexer."""
    embedder = SentenceTransformerEmbedder()
    texts = [product_text(i.title, i.brand, [i.category] if i.category else [], i.description) for i in items]
    return StaticVectors([ProductId(i.item_id) for i in items], embedder.encode(texts))
