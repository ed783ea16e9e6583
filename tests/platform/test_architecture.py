"""The rule of imports (docs/architecture.md), checked on the source text of gateway/ and resolvers/.

- No import circles anywhere, counting imports inside functions and under TYPE_CHECKING too.
- Areas (gateway/<area>/) use each other only through their public face, `gateway.<area>`.
- An area's pure values import nothing of ours but their own area's values, the shared kernel,
  and values that other areas' faces re-export from their values.
- Areas never import strawberry, Starlette or the layers above them (HTTP, execution, the
  composition root, resolvers); neither does the kernel or the platform.
- Resolvers call services only: no stores, settings, runtime or wiring.
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
AREAS = ("access", "audiences", "catalogue", "identity", "privacy", "recommendations", "slots", "triggers", "visitors")
KERNEL = "gateway.kernel"
FRAMEWORKS = ("strawberry", "starlette", "graphql", "uvicorn")
DRIVERS = ("pymongo", "redis", "httpx")
ABOVE_AREAS = (
    "gateway.http",
    "gateway.execution",
    "gateway.app",
    "gateway.runtime",
    "gateway.wiring",
    "gateway.demo",
    "gateway.__main__",
    "resolvers",
)


@dataclass(frozen=True)
class Import:
    source: str  # the importing module
    target: str  # the imported module
    names: tuple[str, ...]  # names taken from it (empty for `import x`)
    line: int

    def __str__(self) -> str:
        return f"{self.source}:{self.line} imports {self.target} {', '.join(self.names)}".rstrip()


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


@cache
def modules() -> dict[str, Path]:
    files = [*(ROOT / "gateway").rglob("*.py"), *(ROOT / "resolvers").rglob("*.py")]
    return {module_name(p): p for p in files}


def _ours(name: str) -> bool:
    return name.split(".")[0] in ("gateway", "resolvers")


@cache
def imports_of(module: str) -> tuple[Import, ...]:
    """Every import of ours in a module, wherever it stands (functions, TYPE_CHECKING blocks)."""
    found: list[Import] = []
    path = modules()[module]
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found += [Import(module, a.name, (), node.lineno) for a in node.names if _ours(a.name)]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0 and _ours(node.module):
            names = tuple(a.name for a in node.names)
            found.append(Import(module, node.module, names, node.lineno))
            # `from package import submodule` depends on the submodule too.
            found += [
                Import(module, f"{node.module}.{n}", (), node.lineno)
                for n in names
                if f"{node.module}.{n}" in modules()
            ]
    return tuple(found)


def third_party_imports(module: str) -> Iterator[tuple[str, int]]:
    path = modules()[module]
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            yield from ((a.name, node.lineno) for a in node.names if not _ours(a.name))
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0 and not _ours(node.module):
            yield node.module, node.lineno


def area_of(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if parts[0] == "gateway" and len(parts) > 1 and parts[1] in AREAS else None


def is_values(module: str) -> bool:
    parts = module.split(".")
    return area_of(module) is not None and len(parts) > 2 and parts[2] == "values"


def face_sources(area: str) -> dict[str, str]:
    """Name -> the module the face of `area` re-exports it from."""
    return {name: imp.target for imp in imports_of(f"gateway.{area}") for name in imp.names}


def cycles() -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan), plus self-imports."""
    graph = {m: sorted({i.target for i in imports_of(m) if i.target in modules() and i.target != m}) for m in modules()}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    sys.setrecursionlimit(10_000)

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def test_no_import_cycles_anywhere() -> None:
    assert cycles() == []


def test_areas_use_each_other_only_through_their_faces() -> None:
    wrong = []
    for module in modules():
        own = area_of(module)
        for imp in imports_of(module):
            target_area = area_of(imp.target)
            reaches_in = target_area is not None and imp.target != f"gateway.{target_area}"
            into_kernel = imp.target.startswith(KERNEL + ".")
            if (reaches_in and target_area != own) or (into_kernel and not module.startswith(KERNEL)):
                wrong.append(str(imp))
    assert wrong == []


def test_values_import_only_values() -> None:
    wrong = []
    for module in filter(is_values, modules()):
        own = area_of(module)
        for imp in imports_of(module):
            if imp.target == KERNEL or (area_of(imp.target) == own and is_values(imp.target)):
                continue
            other = area_of(imp.target)
            if other is not None and imp.target == f"gateway.{other}":
                sources = face_sources(other)
                if all(n in sources and is_values(sources[n]) for n in imp.names):
                    continue
            wrong.append(str(imp))
        wrong += [
            f"{module}:{line} imports {name}"
            for name, line in third_party_imports(module)
            if name.split(".")[0] in (*FRAMEWORKS, *DRIVERS)
        ]
    assert wrong == []


def test_areas_kernel_and_platform_stay_below_http_and_graphql() -> None:
    wrong = []
    below = [m for m in modules() if area_of(m) or m.startswith((KERNEL, "gateway.platform"))]
    for module in below:
        wrong += [str(i) for i in imports_of(module) if i.target.startswith(ABOVE_AREAS)]
        wrong += [
            f"{module}:{line} imports {name}"
            for name, line in third_party_imports(module)
            if name.split(".")[0] in FRAMEWORKS
        ]
    assert wrong == []


def test_resolvers_call_services_only() -> None:
    forbidden = ("gateway.settings", "gateway.runtime", "gateway.wiring", "gateway.platform", "gateway.app")
    wrong = []
    for module in (m for m in modules() if m.startswith("resolvers")):
        for imp in imports_of(module):
            if imp.target.startswith(forbidden) or ".stores" in imp.target or any("Store" in n for n in imp.names):
                wrong.append(str(imp))
        source = modules()[module].read_text()
        wrong += [
            f"{module} reads the container" for token in ("container", ".stores.", "settings.") if token in source
        ]
    assert wrong == []


def test_the_rules_see_every_module() -> None:
    # A guard on the guard: the checks above would pass vacuously if nothing were found.
    assert len(modules()) > 150
    assert sum(1 for m in modules() if is_values(m)) > 20
    assert {area_of(m) for m in modules()} >= set(AREAS)
