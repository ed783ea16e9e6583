"""What bench/personal_page.py sends: the personalized home page, its parts, and the slots it uses."""

from __future__ import annotations

from typing import Any

CARD = """fragment Card on Product {
  id sku name slug url inStock
  price { amount currency } compareAtPrice { amount currency }
  brand { id name } categories { id name }
  images { url alt width height }
}"""

VIEWER = """viewer {
    visitorId personalized
    session {
      recentlyViewed(first: 4) { ...Card }
      cart { itemCount total { amount currency } lines { quantity product { id name } } }
    }
  }"""
SLOTS = """slots(keys: ["home-hero", "home-promo", "home-for-you"]) {
    __typename
    ... on Banner { slotKey title subtitle imageUrl altText cta link
      decision { id reason variantId experiment { key arm } } }
    ... on ProductCarousel { slotKey title strategy decision { id reason } products(first: 8) { ...Card } }
  }"""
RECOMMENDATIONS = """recommendations(strategy: FOR_YOU, first: 10) {
    recommendationId
    items { score reason { signal sourceIds } product { ...Card } }
  }"""
LIST = """products(first: 20, filter: {category: $category}) { totalCount edges { node { ...Card } } }"""

PAGE = f"""query Home($category: String) {{
  {VIEWER}
  {SLOTS}
  {RECOMMENDATIONS}
  {LIST}
}}
{CARD}"""

PARTS = {  # each alone; only the category list takes the variable (an unused one is invalid GraphQL)
    "category list of 20": f"query List($category: String) {{ {LIST} }}\n{CARD}",
    "viewer": f"query Viewer {{ {VIEWER} }}\n{CARD}",
    "FOR_YOU, 10 items": f"query ForYou {{ {RECOMMENDATIONS} }}\n{CARD}",
    "three slots incl. a FOR_YOU carousel": f"query Slots {{ {SLOTS} }}\n{CARD}",
}

BANNER = {"title": "Welcome", "imageUrl": "/console/img/sample-hero.svg", "altText": "A welcome banner", "link": "/"}


def banner(title: str) -> dict[str, Any]:
    return {**BANNER, "title": title}


# (admin mutation, definition): two banners with audiences and a FOR_YOU carousel.
SLOT_DEFINITIONS: list[tuple[str, dict[str, Any]]] = [
    ("saveSlot", {"key": "home-hero", "contentType": "banner", "default": banner("Welcome")}),
    ("saveSlot", {"key": "home-promo", "contentType": "banner", "default": banner("New this week")}),
    (
        "saveSlot",
        {
            "key": "home-for-you",
            "contentType": "productCarousel",
            "default": {"title": "For you", "strategy": "FOR_YOU"},
        },
    ),
    (
        "saveAudience",
        {
            "key": "shoe-browsers",
            "name": "Looked at shoes this week",
            "conditions": {
                "behaviour": {"event": "Product Viewed", "category": "c-footwear", "withinDays": 7},
                "op": "gte",
                "value": 1,
            },
        },
    ),
    (
        "saveAudience",
        {
            "key": "has-cart",
            "name": "Something in the cart",
            "conditions": {"field": "cart.itemCount", "op": "gte", "value": 1},
        },
    ),
    (
        "saveVariant",
        {
            "id": "hero-shoes",
            "slot": "home-hero",
            "name": "Shoes",
            "status": "published",
            "priority": 30,  # above the demo's hero variants
            "audience": "shoe-browsers",
            "content": banner("New shoes for you"),
        },
    ),
    (
        "saveVariant",
        {
            "id": "promo-cart",
            "slot": "home-promo",
            "name": "Finish your order",
            "status": "published",
            "priority": 10,
            "audience": "has-cart",
            "content": banner("Finish your order: free delivery today"),
        },
    ),
]
