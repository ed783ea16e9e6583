"""Every example and claim in docs/ that a machine can check is checked here.

- Every GraphQL example (```graphql blocks, inline `query {...}` / `mutation {...}` / `{ ... }`
  code, and `"query"` strings in JSON payloads) validates against the storefront schema
  (`gateway.app.document_errors`, limits included) or the admin schema; a block holding several
  anonymous operations is checked one operation at a time. Every storefront query among them
  also runs without errors against a gateway holding the demo catalogue, for a visitor who has
  viewed a product (so an id or a category the demo lacks is caught).
- Every JSON event example (an object with a `messageId`, or a batch `{"events": [...]}`, in a
  json block, an inline snippet or a curl payload) is accepted by the intake's validator, sent
  at the time it names, and names only products of the demo catalogue.
- Every `VITRINE_*` variable named is read by gateway/settings.py, or by the test suite (the
  test-only ones).
- Every file path (gateway/, resolvers/, tests/, docs/, bench/, scripts/, docker/, research/,
  the schemas) and every relative link exists, and every dotted name of ours in code spans
  (`gateway.identity.tokens`, `gateway.http.caching.PUBLIC_ROOTS`) imports.

federation.md, console.md and triggers.md are left out while colleagues rewrite them (they
carry tests of their own). `PARTIAL` lists the few fragments that are partial on purpose.
"""

from __future__ import annotations

import importlib
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from graphql import GraphQLError, OperationDefinitionNode, OperationType, parse, validate

from gateway.app import document_errors
from gateway.demo.catalog_generator import generate_catalog
from gateway.kernel import Channel, VisitorId
from gateway.visitors import Rejection
from gateway.visitors.validation import parse_event, product_ids
from resolvers.admin_schema import build_admin_schema
from tests.support.appclient import running_gateway
from tests.support.settings import make_settings

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
SKIPPED = {"federation.md", "console.md", "triggers.md"}  # being rewritten, tested by their owners
PAGES = sorted(p for p in DOCS.glob("*.md") if p.name not in SKIPPED)

# Fragments that are partial on purpose, by the text that starts them, and why. Examples that
# look like an event but do not parse as one must be listed here.
PARTIAL: dict[str, str] = {}
TRACK = "mutation($events: [EventInput!]!) { track(events: $events) { accepted } }"
VIEW = {"messageId": "docs-1", "name": "Product Viewed", "properties": {"product_id": "p-00001"}}
# Files named that live beside the repository, not in it.
OUTSIDE = {"STYLE.md": "the team's style guide, which architecture.md compares itself with"}
OUR_FOLDERS = ("gateway", "resolvers", "tests", "docs", "bench", "scripts", "docker", "research")
ROOT_FILES = ("schema.graphql", "schema-contributing.graphql", "pyproject.toml", "README.md", "constraints.txt")


@dataclass(frozen=True)
class Example:
    page: str
    line: int
    text: str

    def __str__(self) -> str:
        return f"docs/{self.page}:{self.line}: {self.text[:80]!r}"


def _line(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) + 1


def fenced(language: str) -> Iterator[Example]:
    """Fenced blocks of `language`, also those indented under a list item."""
    for page in PAGES:
        text = page.read_text()
        for found in re.finditer(rf"^([ \t]*)```{language}\n(.*?)^[ \t]*```", text, re.S | re.M):
            indent = len(found.group(1))
            body = "\n".join(line[indent:] for line in found.group(2).splitlines())
            yield Example(page.name, _line(text, found.start()), body)


def inline() -> Iterator[Example]:
    """Inline code spans (one backtick), outside fenced blocks."""
    for page in PAGES:
        text = page.read_text()
        prose = re.sub(r"^[ \t]*```.*?^[ \t]*```", lambda m: "\n" * m.group(0).count("\n"), text, flags=re.S | re.M)
        for found in re.finditer(r"(?<!`)`([^`]+?)`(?!`)", prose, re.S):
            if "\n\n" in found.group(1):
                continue  # a stray backtick, not a span
            yield Example(page.name, _line(prose, found.start()), found.group(1))


# --- GraphQL -------------------------------------------------------------------------------


def graphql_examples() -> Iterator[Example]:
    yield from fenced("graphql")
    for snippet in inline():
        if re.match(r"^(query|mutation)\b[^{]*\{|^\{ [A-Za-z_]", snippet.text):
            yield snippet
    for payload in json_payloads():
        if isinstance(payload.value, dict) and isinstance(payload.value.get("query"), str):
            yield Example(payload.example.page, payload.example.line, payload.value["query"])


def operations(document: str) -> list[str]:
    """Each operation of a document with every fragment it has (so several anonymous ones, one
    per line in a doc, are each checked on their own)."""
    ast = parse(document)
    assert ast.loc is not None
    ops = [d for d in ast.definitions if isinstance(d, OperationDefinitionNode)]
    fragments = [document[d.loc.start : d.loc.end] for d in ast.definitions if d not in ops and d.loc]
    if len(ops) < 2:
        return [document]
    return ["\n".join([document[op.loc.start : op.loc.end], *fragments]) for op in ops if op.loc]


@cache
def admin_schema() -> Any:
    return build_admin_schema()._schema


def graphql_problems(document: str) -> list[str]:
    try:
        pieces = operations(document)
    except GraphQLError as exc:
        return [f"does not parse: {exc.message}"]
    problems: list[str] = []
    for piece in pieces:
        storefront = document_errors(piece)
        if storefront and validate(admin_schema(), parse(piece)):
            problems.append(f"{piece.strip()[:60]!r}: {storefront}")
    return problems


def is_partial(example: Example) -> bool:
    return any(example.text.startswith(start) for start in PARTIAL)


def test_every_graphql_example_validates() -> None:
    examples = [e for e in graphql_examples() if not is_partial(e)]
    assert len(examples) >= 20  # the extraction still finds them
    failures = [f"{e}: {p}" for e in examples for p in graphql_problems(e.text)]
    assert failures == []


def is_query(document: str) -> bool:
    ops = [d for d in parse(document).definitions if isinstance(d, OperationDefinitionNode)]
    return len(ops) == 1 and ops[0].operation is OperationType.QUERY


async def test_every_storefront_query_example_runs_on_the_demo_catalogue() -> None:
    demo = generate_catalog()
    queries = [
        piece
        for example in graphql_examples()
        if not is_partial(example)
        for piece in operations(example.text)
        if is_query(piece) and not document_errors(piece)
    ]
    assert len(queries) >= 4
    async with running_gateway(make_settings(), demo.products, demo.brands, demo.categories) as gw:
        first = await gw.client.post("/graphql", json={"query": TRACK, "variables": {"events": [VIEW]}})
        headers = {"x-vitrine-visitor": first.headers["x-vitrine-visitor"]}
        gw.client.cookies.clear()
        failures = [(q, body["errors"]) for q in queries if "errors" in (body := await gw.gql(q, headers=headers))]
    assert failures == []


# --- events --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Payload:
    example: Example
    value: Any


def _json_objects(text: str) -> Iterator[Any]:
    """Every JSON value in a block: the whole block, else one per line (a list of answers)."""
    try:
        yield json.loads(text)
        return
    except json.JSONDecodeError:
        pass
    for line in text.splitlines():
        if line.strip().startswith("{"):
            try:
                yield json.loads(line)
            except json.JSONDecodeError:
                continue


def json_payloads() -> Iterator[Payload]:
    for block in fenced("json"):
        for value in _json_objects(block.text):
            yield Payload(block, value)
    for block in fenced("bash"):
        for found in re.finditer(r"-d '(.*?)'", block.text, re.S):
            for value in _json_objects(found.group(1)):
                yield Payload(block, value)
    for snippet in inline():
        if snippet.text.startswith("{"):
            for value in _json_objects(snippet.text):
                yield Payload(snippet, value)


def event_examples() -> Iterator[tuple[Example, dict[str, Any]]]:
    for payload in json_payloads():
        value = payload.value
        if isinstance(value, dict) and "messageId" in value:
            yield payload.example, value
        elif isinstance(value, dict) and isinstance(value.get("events"), list):
            yield from ((payload.example, e) for e in value["events"])


@cache
def demo_product_ids() -> frozenset[str]:
    return frozenset(p.id for p in generate_catalog().products)


def event_problems(raw: dict[str, Any]) -> list[str]:
    stamp = raw.get("timestamp")
    sent = datetime.fromisoformat(stamp.replace("Z", "+00:00")) if isinstance(stamp, str) else datetime.now(UTC)
    parsed = parse_event(raw, 0, VisitorId("v_docs"), Channel.WEB, sent + timedelta(seconds=1))
    if isinstance(parsed, Rejection):
        return [f"{parsed.code.value}: {parsed.reason}"]
    return [f"product {p!r} is not in the demo catalogue" for p in product_ids(parsed) if p not in demo_product_ids()]


def test_every_event_example_parses() -> None:
    """Text that names a messageId but is not JSON would be skipped unchecked: none may be."""
    candidates = [
        *(e for e in fenced("json") if '"messageId"' in e.text),
        *(e for e in inline() if e.text.startswith("{") and '"messageId"' in e.text),
    ]
    unchecked = [str(e) for e in candidates if not list(_json_objects(e.text)) and not is_partial(e)]
    assert unchecked == []


def test_every_event_example_is_accepted() -> None:
    examples = list(event_examples())
    assert len(examples) >= 5  # the extraction still finds them
    failures = [f"{e}: {p}" for e, raw in examples for p in event_problems(raw)]
    assert failures == []


# --- settings and paths -----------------------------------------------------------------------


def test_every_variable_named_is_a_setting() -> None:
    readers = [ROOT / "gateway" / "settings.py", *(ROOT / "tests").rglob("*.py")]
    read = "\n".join(path.read_text() for path in readers if path != Path(__file__))
    named = {(p.name, v) for p in PAGES for v in re.findall(r"\bVITRINE_[A-Z0-9_]*[A-Z0-9]", p.read_text())}
    assert sorted((page, v) for page, v in named if f'"{v}"' not in read) == []


def _exists(target: str, page: Path) -> bool:
    target = target.split("#")[0].rstrip(".,:;)")
    if not target or "<" in target or "*" in target or "…" in target or target in OUTSIDE:
        return True  # placeholders and patterns, not paths; or named as outside the repository
    return (ROOT / target).exists() or (page.parent / target).exists()


def paths_named(page: Path) -> Iterator[str]:
    text = page.read_text()
    folders = "|".join(OUR_FOLDERS)
    yield from re.findall(rf"(?<![\w./-])((?:{folders})/[\w./<>*-]*)", text)
    yield from re.findall(r"\]\(([^)#:]+\.md)(?:#[^)]*)?\)", text)  # relative links
    yield from (f for f in ROOT_FILES if f in text)
    yield from (m for m in re.findall(r"`([\w-]+\.md)`", text))


def test_every_path_named_exists() -> None:
    missing = sorted({(p.name, t) for p in PAGES for t in paths_named(p) if not _exists(t, p)})
    assert missing == []


def resolves(dotted: str) -> bool:
    """`gateway.a.b.name`: the longest importable module, then attributes for the rest."""
    parts = dotted.split(".")
    for i in range(len(parts), 0, -1):
        try:
            found: Any = importlib.import_module(".".join(parts[:i]))
        except ImportError:
            continue
        for name in parts[i:]:
            if not hasattr(found, name):
                return False
            found = getattr(found, name)
        return True
    return False


def test_every_dotted_name_of_ours_imports() -> None:
    named = {
        (p.name, m)
        for p in PAGES
        for m in re.findall(r"`((?:gateway|resolvers|bench|tests)(?:\.\w+)+)`", p.read_text())
    }
    assert named  # the extraction still finds them
    assert sorted((page, m) for page, m in named if not resolves(m)) == []


@pytest.mark.parametrize("page", [p.name for p in PAGES])
def test_pages_are_read(page: str) -> None:
    assert (DOCS / page).read_text().strip()
