"""Contributing mode: another subgraph owns Product, Vitrine adds only what is personal.

In a supergraph where a commerce subgraph owns products and prices
(`VITRINE_FEDERATION_MODE=contributing`, docs/federation.md), Vitrine's subgraph is built from
the same resolvers as the owning one (resolvers/schema.py) but shows less:

- `Product` keeps its key and the fields only Vitrine can answer (`PRODUCT_FIELDS`); names,
  prices, images, brands, categories and stock are the owner's, so the router fetches them
  there. No personal field needs the owner's data (Vitrine ranks from its own imported copy
  of the catalogue), so nothing is `@external` or `@requires`.
- No catalogue root fields (`product`, `products`, `categories`): the owner has its own.
- No prices anywhere (`OWNER_FIELDS`): a cart line is a product and a quantity; the owner
  prices it. Money, Image, Brand and Category are then absent from this subgraph, so they
  cannot clash with the owner's types of the same names.
- `_entities` answers a Product from its id alone (`reference`): one Vitrine has never
  imported still gets its personal fields (fallback lists), never null.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from gateway.catalogue import ProductId
from gateway.kernel import InputError
from resolvers.catalogue import ProductReference

MODES = ("owning", "contributing")

# Python names of the fields Vitrine contributes to the owner's Product: the key and the
# personal fields. A field added to Product later stays the owner's until it is listed here.
PRODUCT_FIELDS = frozenset({"id", "recommendations", "similar"})

# Python names of catalogue data on Vitrine's own types that the owner answers instead.
OWNER_FIELDS: Mapping[str, frozenset[str]] = {
    "Cart": frozenset({"total", "totals"}),
    "CartLine": frozenset({"unit_price", "line_total"}),
}

MAX_ID_LENGTH = 128


def contributes(type_name: str, python_name: str) -> bool:
    """Whether field `python_name` of GraphQL type `type_name` is in the contributing subgraph."""
    if type_name == "Product":
        return python_name in PRODUCT_FIELDS
    return python_name not in OWNER_FIELDS.get(type_name, frozenset())


def reference(representation: Mapping[str, Any]) -> ProductReference | InputError:
    """The entity a router's representation names, without reading the catalogue; an error
    (reported at that entity's index of `_entities`) when it is not a Product with an id."""
    typename = representation.get("__typename")
    if typename != "Product":
        return InputError(f"{typename!r} is not an entity of this subgraph (Product is)", field="representations")
    product_id = representation.get("id")
    if not isinstance(product_id, str) or not product_id:
        return InputError("a Product representation needs its id", field="representations")
    if len(product_id) > MAX_ID_LENGTH:
        return InputError(f"is longer than {MAX_ID_LENGTH} characters", field="id")
    return ProductReference(ProductId(product_id))
