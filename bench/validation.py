"""Validation cost of hostile documents: before any rule walks them, and through the whole pipeline.

    python -m bench.validation [--max-levels 30]

For the fragment bomb (fragments on Query, each spreading the previous one three times) at
3^k expanded spreads, it prints the CPU time of: parsing; measuring the expanded shape
(resolvers.execution.document_shape: one visit per selection node, however large the
expansion); and the whole storefront pipeline (`Schema.execute` of text it has not seen: parse,
token limit, the shape check, which refuses it). For comparison it runs strawberry's depth and alias limiters, which
follow every spread, on the small sizes only (they double or triple with each level).

Then, for documents within the limits, the validation time of the personalized home page and
of the worst cases found for graphql-core's OverlappingFieldsCanBeMerged rule under the token
limit, which the CPU budget (VITRINE_VALIDATION_BUDGET_MS) guards.
"""

from __future__ import annotations

import argparse
import asyncio
import time
from collections.abc import Callable
from functools import partial

from graphql import parse, validate
from strawberry.extensions import MaxAliasesLimiter, QueryDepthLimiter

from bench.homepage import QUERY as HOME_PAGE_QUERY
from resolvers.execution.document_shape import measure
from resolvers.execution.limits import MAX_TOKENS
from resolvers.schema import build_schema


def bomb(levels: int, fanout: int = 3) -> str:
    fragments = ["fragment F0 on Query { __typename }"]
    for k in range(1, levels + 1):
        fragments.append(f"fragment F{k} on Query {{ " + " ".join([f"...F{k - 1}"] * fanout) + " }")
    return f"{{ ...F{levels} }} " + " ".join(fragments)


def cpu_ms(work: Callable[[], object], repeat: int = 5) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.process_time()
        work()
        best = min(best, time.process_time() - start)
    return best * 1000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--max-levels", type=int, default=30)
    args = parser.parse_args()
    schema = build_schema(compiled_execution="off")
    graphql_schema = schema._schema
    strawberry_rules = [
        *QueryDepthLimiter(max_depth=12).validation_rules,
        *MaxAliasesLimiter(max_alias_count=50).validation_rules,
    ]
    print(f"{'levels':>6} {'bytes':>6} {'parse ms':>9} {'shape ms':>9} {'visits':>7} {'pipeline ms':>12}", end="")
    print(" strawberry's limiters ms")
    runs = iter(range(1_000_000))  # a new comment on each pipeline run: no cache hit
    for levels in (6, 8, 10, 12, 16, 20, 24, args.max_levels):
        text = bomb(levels)
        document = parse(text, max_tokens=MAX_TOKENS)
        _, visits = measure(document)
        parsing = cpu_ms(partial(parse, text, max_tokens=MAX_TOKENS))
        shape = cpu_ms(partial(measure, document))
        pipeline = cpu_ms(lambda text=text: asyncio.run(schema.execute(f"{text} # {next(runs)}")), 3)  # type: ignore[misc]
        limiters = (
            f"{cpu_ms(partial(validate, graphql_schema, document, strawberry_rules), 1):.1f}"
            if levels <= 12
            else "(not run: minutes to hours)"
        )
        print(f"{levels:>6} {len(text):>6} {parsing:>9.2f} {shape:>9.3f} {visits:>7} {pipeline:>12.2f} {limiters}")

    print("\nwithin the limits: full validation (graphql-core's rules, strawberry's, ours), CPU ms")
    cases = {
        "home page": HOME_PAGE_QUERY,
        "300 x product(id) { id name }": "{ " + 'product(id: "x") { id name } ' * 300 + "}",
        "1300 x __typename": "{ " + "__typename " * 1300 + "}",
    }
    for name, text in cases.items():
        document = parse(text, max_tokens=MAX_TOKENS)
        print(f"  {name:<34} {cpu_ms(partial(validate, graphql_schema, document)):8.2f}")


if __name__ == "__main__":
    main()
