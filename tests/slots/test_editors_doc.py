"""docs/editors.md stays true: every definition and condition it shows passes validation, names
only what the demo catalogue holds, and the problems it shows are what a save answers."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from gateway.audiences import ReferenceCheck, condition_references
from gateway.audiences.values.conditions import parse_condition
from gateway.catalogue import CatalogService, MemoryCatalogStore
from gateway.demo.catalog_generator import generate_catalog
from gateway.slots.values.experiments import parse_experiment
from gateway.slots.values.references import definition_references
from gateway.slots.values.slots import parse_audience, parse_slot, parse_variant
from tests.support.appclient import running_gateway
from tests.support.settings import make_settings

DOC = Path(__file__).resolve().parents[2] / "docs" / "editors.md"


def blocks() -> list[dict[str, Any]]:
    found: list[Any] = []
    for block in re.findall(r"```json\n(.*?)```", DOC.read_text(), re.S):
        try:
            found.append(json.loads(block))
        except json.JSONDecodeError:  # one small object per line (e.g. problem messages)
            found += [json.loads(line) for line in block.splitlines() if line.strip()]
    return [b for b in found if isinstance(b, dict)]


def definitions() -> dict[str, list[dict[str, Any]]]:
    kinds: dict[str, list[dict[str, Any]]] = {"slot": [], "audience": [], "variant": [], "experiment": []}
    for block in blocks():
        if "contentType" in block:
            kinds["slot"].append(block)
        elif "arms" in block or "factors" in block:
            kinds["experiment"].append(block)
        elif "slot" in block and "id" in block:
            kinds["variant"].append(block)
        elif "conditions" in block and "key" in block:
            kinds["audience"].append(block)
    return kinds


def test_every_definition_in_the_guide_is_valid() -> None:
    for block in blocks():
        if "behaviour" in block or "field" in block:
            parse_condition(block)
    kinds = definitions()
    assert all(kinds.values()), kinds  # the guide shows one of each
    slots = {s.key: s for s in (parse_slot(b) for b in kinds["slot"])}
    for b in kinds["audience"]:
        parse_audience(b)
    for b in kinds["variant"]:
        parse_variant(b, slots[b["slot"]])
    assert {parse_experiment(b).type.value for b in kinds["experiment"]} == {"ab", "multivariate"}


def test_every_condition_snippet_parses() -> None:
    snippets = condition_snippets()  # without the schematic one ("...")
    assert len(snippets) >= 8
    for snippet in snippets:
        parse_condition(snippet)


def condition_snippets() -> list[dict[str, Any]]:
    found = re.findall(r"`(\{\"(?:field|behaviour)\".*?\})`", DOC.read_text())
    return [json.loads(s) for s in found if "..." not in s]


async def test_the_guide_names_only_what_the_demo_catalogue_holds() -> None:
    demo = generate_catalog()
    store = MemoryCatalogStore()
    await store.upsert(demo.products, demo.brands, demo.categories)
    catalog = CatalogService(store)
    await catalog.refresh()
    check = ReferenceCheck(catalog)
    for kind, items in definitions().items():
        for block in items:
            assert await check.problems(definition_references(f"{kind}s", block)) == [], block
    for snippet in [b for b in blocks() if "behaviour" in b or "field" in b] + condition_snippets():
        assert await check.problems(condition_references(snippet)) == [], snippet


async def test_the_name_problems_the_guide_shows_are_what_a_save_answers() -> None:
    shown = [b for b in blocks() if set(b) == {"path", "message"} and "behaviour" in b["path"]]
    assert len(shown) == 2
    (audience,) = definitions()["audience"]
    leaf = audience["conditions"]["any"][1]["behaviour"]
    mistaken = {**leaf, "event": "Product Viewd", "category": "c-runing"}
    audience = {
        **audience,
        "conditions": {
            "any": [audience["conditions"]["any"][0], {**audience["conditions"]["any"][1], "behaviour": mistaken}]
        },
    }
    demo = generate_catalog()
    key = "editors-doc-key-0123456789-abcdefghijklmnop"
    async with running_gateway(
        make_settings(admin_api_key=key), demo.products[:20], demo.brands, demo.categories
    ) as gw:
        body = await gw.admin(
            "mutation($d: JSON!) { saveAudience(definition: $d) { ok problems { path message } } }",
            {"d": audience},
            key=key,
        )
    assert body["data"]["saveAudience"] == {"ok": False, "problems": shown}
