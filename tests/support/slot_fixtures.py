"""Editor definitions used by the slot, experiment and admin tests (the JSON editors send)."""

from __future__ import annotations

from typing import Any

BANNER = {
    "title": "Autumn sale",
    "imageUrl": "https://cdn.example/autumn.jpg",
    "altText": "Leaves and shoes",
    "link": "/sale",
}


def banner(title: str) -> dict[str, Any]:
    return {**BANNER, "title": title}


HERO: dict[str, Any] = {
    "key": "home-hero",
    "description": "Top of the home page",
    "channels": ["web", "app"],
    "contentType": "banner",
    "timeZone": "Europe/Warsaw",
    "default": banner("Welcome"),
}

STRIP: dict[str, Any] = {
    "key": "home-strip",
    "contentType": "productCarousel",
    "default": {"title": "Bestsellers", "productIds": ["p-00001", "p-00002"]},
}

RUNNERS: dict[str, Any] = {
    "key": "runners",
    "name": "Runners",
    "conditions": {
        "any": [
            {"field": "profile.traits.sport", "op": "equals", "value": "running"},
            {
                "behaviour": {"event": "Product Viewed", "category": "c-running", "withinDays": 7},
                "op": "gte",
                "value": 3,
            },
        ]
    },
}


def variant(vid: str, title: str, priority: int = 10, slot: str = "home-hero", **extra: Any) -> dict[str, Any]:
    return {
        "id": vid,
        "slot": slot,
        "name": title,
        "status": "published",
        "priority": priority,
        "content": banner(title),
        **extra,
    }


def definitions(**extra: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    base: dict[str, list[dict[str, Any]]] = {
        "slots": [HERO, STRIP],
        "audiences": [RUNNERS],
        "variants": [
            variant("vip", "For our VIPs", 30, conditions={"field": "segments", "op": "contains", "value": "vip"}),
            variant("runners", "New running shoes", 20, audience="runners"),
            variant("capped", "Once a day", 5, frequencyCap={"max": 1, "windowHours": 24}),
        ],
        "experiments": [],
    }
    for kind, items in extra.items():
        base[kind] = base.get(kind, []) + items
    return base
