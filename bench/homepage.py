"""The home-page-shaped query the load benchmark sends: viewer + two product lists of 20."""

from __future__ import annotations

QUERY = """query Home($featured: String, $deals: String) {
  viewer {
    visitorId personalized
    session {
      recentlyViewed(first: 6) { ...Card }
      cart { itemCount total { amount currency } lines { quantity product { id name } } }
    }
    profile { interests(first: 5) { kind key } counters { name count } }
  }
  featured: products(first: 20, filter: {category: $featured}) { totalCount edges { node { ...Card } } }
  deals: products(first: 20, filter: {category: $deals, inStock: true}, sort: PRICE_ASC) { edges { node { ...Card } } }
}
fragment Card on Product {
  id sku name slug url inStock
  price { amount currency } compareAtPrice { amount currency }
  brand { id name } categories { id name }
  images { url alt width height }
}"""


def count_fields(value: object) -> int:
    """Output fields in a response (each key of each object counts once)."""
    if isinstance(value, dict):
        return len(value) + sum(count_fields(v) for v in value.values())
    if isinstance(value, list):
        return sum(count_fields(v) for v in value)
    return 0
