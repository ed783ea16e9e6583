"""docs/editors.md stays true: every definition and condition it shows passes validation."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from gateway.audiences.values.conditions import parse_condition
from gateway.slots.values.experiments import parse_experiment
from gateway.slots.values.slots import parse_audience, parse_slot, parse_variant

DOC = Path(__file__).resolve().parents[2] / "docs" / "editors.md"


def blocks() -> list[dict[str, Any]]:
    found: list[Any] = []
    for block in re.findall(r"```json\n(.*?)```", DOC.read_text(), re.S):
        try:
            found.append(json.loads(block))
        except json.JSONDecodeError:  # one small object per line (e.g. problem messages)
            found += [json.loads(line) for line in block.splitlines() if line.strip()]
    return [b for b in found if isinstance(b, dict)]


def test_every_definition_in_the_guide_is_valid() -> None:
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
        elif "behaviour" in block or "field" in block:
            parse_condition(block)
    assert all(kinds.values()), kinds  # the guide shows one of each
    slots = {s.key: s for s in (parse_slot(b) for b in kinds["slot"])}
    for b in kinds["audience"]:
        parse_audience(b)
    for b in kinds["variant"]:
        parse_variant(b, slots[b["slot"]])
    assert {parse_experiment(b).type.value for b in kinds["experiment"]} == {"ab", "multivariate"}


def test_every_condition_snippet_parses() -> None:
    found = re.findall(r"`(\{\"(?:field|behaviour)\".*?\})`", DOC.read_text())
    snippets = [s for s in found if "..." not in s]  # skip the schematic one
    assert len(snippets) >= 8
    for snippet in snippets:
        parse_condition(json.loads(snippet))
