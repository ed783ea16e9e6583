"""`python -m gateway catalog import` against the real MongoDB-protocol server."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from pymongo import MongoClient

GOOD = [
    {"kind": "category", "id": "c-shoes", "parent": None, "names": {"en": "Shoes", "pl": "Buty"}, "slug": "shoes"},
    {"kind": "brand", "id": "b-nordvik", "name": "Nordvik", "slug": "nordvik"},
    {
        "kind": "product",
        "id": "p-00001",
        "sku": "NOR-1",
        "brand": "b-nordvik",
        "categories": ["c-shoes"],
        "price": {"amount": "349.00", "currency": "PLN"},
        "compareAtPrice": None,
        "stock": 3,
        "images": [],
        "attributes": {"colour": "navy"},
        "translations": {"en": {"name": "Trail Runner", "description": "Light.", "slug": "trail-runner"}},
        "tags": [],
    },
]


def test_import_reports_rejected_lines_and_stores_the_rest(tmp_path: Path, mongodb_url: str, unique: str) -> None:
    bad = {**GOOD[2], "id": "p-00002", "price": {"amount": "3.999", "currency": "PLN"}}
    lines = [json.dumps(r) for r in GOOD] + ["{not json", json.dumps(bad)]
    path = tmp_path / "catalog.jsonl"
    path.write_text("\n".join(lines) + "\n")
    env = {**os.environ, "VITRINE_MONGODB_URL": mongodb_url, "VITRINE_MONGODB_DATABASE": f"cli_{unique}"}
    done = subprocess.run(
        [sys.executable, "-m", "gateway", "catalog", "import", str(path)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 1, done.stderr
    assert "line 4" in done.stderr and "line 5" in done.stderr
    assert "price.amount: must have at most 2 decimal places" in done.stderr
    with MongoClient(mongodb_url) as client:
        db = client[f"cli_{unique}"]
        assert [d["_id"] for d in db.products.find({}, {"_id": 1})] == ["p-00001"]
        assert db.brands.count_documents({}) == 1 and db.categories.count_documents({}) == 1
