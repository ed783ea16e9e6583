"""Every example in docs/federation.md is one the tests run.

- GraphQL operations are the ones the federation tests send through both gateways; SDL
  excerpts are parts of the published SDL files.
- JavaScript is quoted from the gateway files the tests run (apollo-gateway.mjs, gateway.config.mjs).
- Shell commands: the offline compositions are run here (Node), the others take the arguments
  the tests give the same scripts.
- YAML and Rhai (Apollo Router, Rover) may appear only under "Apollo's tooling (not run by our
  tests)"; they are checked for the header and versions they name.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass
from pathlib import Path

from gateway.visitors.tokens import HEADER_NAME
from resolvers.schema import FEDERATION_VERSION
from tests.external import test_federation, test_federation_contributing
from tests.support.federation import LIBRARIES, apollo_args, compose, hive_args
from tests.support.nodetools import NODE_DIR, requires_node

ROOT = Path(__file__).parent.parent.parent
DOC = ROOT / "docs" / "federation.md"
NOT_RUN = "Apollo's tooling (not run by our tests)"

OPERATIONS = {
    test_federation.FORWARD,
    test_federation.REVERSE,
    test_federation_contributing.SESSION,
    test_federation_contributing.OWNER_LIST,
    test_federation_contributing.OWNER_ONLY,
}
SDL_FILES = (ROOT / "schema.graphql", ROOT / "schema-contributing.graphql")
JS_FILES = (NODE_DIR / "apollo-gateway.mjs", NODE_DIR / "gateway.config.mjs")


@dataclass(frozen=True)
class Block:
    section: str
    language: str
    text: str


def blocks() -> list[Block]:
    found, section, fence, lines = [], "", None, []
    for line in DOC.read_text().splitlines():
        if fence is None and line.startswith("#"):
            section = line.lstrip("#").strip()
        elif fence is None and line.startswith("```"):
            fence, lines = line[3:].strip(), []
        elif fence is not None and line.startswith("```"):
            found.append(Block(section, fence, "\n".join(lines)))
            fence = None
        elif fence is not None:
            lines.append(line)
    return found


def flat(text: str) -> str:
    return " ".join(text.split())


def of(language: str, *, run: bool = True) -> list[Block]:
    return [b for b in blocks() if b.language == language and (b.section != NOT_RUN) == run]


def commands() -> list[list[str]]:
    out = []
    for block in of("bash"):
        for line in block.text.splitlines():
            words = shlex.split(line, comments=True)
            if words:
                out.append(words)
    return out


def test_every_block_is_of_a_checked_kind() -> None:
    assert {b.language for b in blocks()} <= {"graphql", "js", "bash", "yaml", "rhai"}
    assert all(b.section == NOT_RUN for b in blocks() if b.language in {"yaml", "rhai"})


def test_graphql_examples_are_the_tests_operations_or_the_published_sdl() -> None:
    operations = {flat(o) for o in OPERATIONS}
    sdl = [flat(f.read_text()) for f in SDL_FILES]
    examples = of("graphql")
    assert len(examples) >= 6
    for block in examples:
        text = flat(block.text)
        assert text in operations or any(text in s for s in sdl), block.text


def test_javascript_examples_are_quoted_from_the_gateways_the_tests_run() -> None:
    sources = [flat(f.read_text()) for f in JS_FILES]
    examples = of("js")
    assert len(examples) == 2
    for block in examples:
        assert any(flat(block.text) in s for s in sources), block.text


def test_gateway_commands_take_the_arguments_the_tests_give() -> None:
    ran = set()
    for words in commands():
        if words[:2] == ["node", "apollo-gateway.mjs"]:
            assert words[2:] == apollo_args(words[2], int(words[3]))
            ran.add("apollo")
        elif words[:2] == ["npx", "hive-gateway"]:
            assert words[2:] == hive_args(words[3], int(words[-1]))
            ran.add("hive")
        else:
            assert words[:2] in (["node", "compose.mjs"], ["cd", "tests/external/node"]), words
    assert ran == {"apollo", "hive"}


@requires_node
async def test_composition_commands_run(tmp_path: Path) -> None:
    composed = 0
    for words in commands():
        if words[:2] != ["node", "compose.mjs"]:
            continue
        library, sources = words[2], dict(w.split("=", 1) for w in words[4:])
        assert library in LIBRARIES
        if any(s.startswith("http") for s in sources.values()):
            # Live composition from `_service { sdl }`: what the gateway tests do with these names.
            assert set(sources) in ({"vitrine", "commerce"}, {"vitrine", "products"})
            continue
        files = {name: NODE_DIR / source for name, source in sources.items()}
        assert await compose(library, tmp_path / f"{composed}.graphql", **files) == {"ok": True, "errors": []}
        composed += 1
    assert composed == 4


def test_apollo_tooling_names_our_header_and_federation_version() -> None:
    router, rover = (flat(b.text) for b in of("yaml", run=False))
    assert f"subgraphs: vitrine: request: - propagate: named: {HEADER_NAME}" in router
    assert f"federation_version: ={FEDERATION_VERSION}.0" in rover
    files = re.findall(r"file: \./(\S+) }", rover)
    assert files == ["schema-contributing.graphql", "commerce.graphql"]
    assert (ROOT / files[0]).is_file() and (NODE_DIR / files[1]).is_file()
    (rhai,) = of("rhai", run=False)
    assert rhai.text.count(f'"{HEADER_NAME}"') == 3 and 'subgraph == "vitrine"' in rhai.text
