"""A strawberry schema with every shape the compiler must get right, and resolvers that misbehave.

Interfaces, unions, enums, custom scalars (Decimal, DateTime, JSON), nested lists, non-null at
every level, sync and async resolvers, awaitable list items, and fields that raise, time out,
return None for non-null types, return the wrong object type, an out-of-range Int, a NaN
Float or an Exception instance. Sources are plain objects read by attribute, like the
storefront's domain values.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from decimal import Decimal
from enum import Enum
from typing import Annotated, Any

import strawberry
from strawberry.extensions import FieldExtension
from strawberry.permission import BasePermission
from strawberry.scalars import JSON


@strawberry.enum
class Color(Enum):
    RED = "red"
    GREEN = "green"
    BLUE = "blue"


@strawberry.interface
class Node:
    id: strawberry.ID


class RawItem:
    """A source object whose attribute reads can fail, as a domain object's property might."""

    def __init__(self, name: str | None, fail: bool = False, weight: Any = 3, ratio: Any = 0.5) -> None:
        self._name = name
        self._fail = fail
        self.weight = weight
        self.ratio = ratio

    @property
    def name(self) -> str | None:
        if self._fail:
            raise KeyError(f"no name for {self._name}")
        return self._name


@strawberry.type
class Item:
    name: str
    weight: int
    ratio: float | None = None
    label: str | None = None


@strawberry.type
class Book(Node):
    title: str
    pages: int | None
    price: Decimal
    published: datetime
    meta: JSON
    color: Color
    tags: list[str]
    matrix: list[list[int | None]]
    author_id: strawberry.Private[str]

    @strawberry.field
    async def author(self) -> Author:
        await asyncio.sleep(0)
        return AUTHORS[self.author_id]

    @strawberry.field
    def related(self, first: int = 2) -> list[Book]:
        return [b for b in BOOKS if b.id != self.id][:first]

    @strawberry.field
    async def score(self, boost: float = 1.0) -> float:
        await asyncio.sleep(0)
        return len(self.title) * boost


@strawberry.type
class Author(Node):
    name: str
    born: datetime | None

    @strawberry.field
    def books(self) -> list[Book]:
        return [b for b in BOOKS if b.author_id == self.id]


SearchResult = Annotated[Book | Author, strawberry.union("SearchResult")]


async def _boom_later() -> str:
    await asyncio.sleep(0)
    raise ValueError("late item")


async def _value_later(value: str) -> str:
    await asyncio.sleep(0)
    return value


@strawberry.type
class Failing:
    ok: str = "ok"

    @strawberry.field
    def boom(self) -> str | None:
        raise ValueError("boom")

    @strawberry.field
    def boom_nn(self) -> str:
        raise ValueError("boom nn")

    @strawberry.field
    async def aboom(self) -> str | None:
        await asyncio.sleep(0)
        raise RuntimeError("async boom")

    @strawberry.field
    async def aboom_nn(self) -> str:
        await asyncio.sleep(0)
        raise RuntimeError("async boom nn")

    @strawberry.field
    def none_nn(self) -> str:
        return None  # type: ignore[return-value]

    @strawberry.field
    async def anone_nn(self) -> int:
        await asyncio.sleep(0)
        return None  # type: ignore[return-value]

    @strawberry.field
    async def slow(self, ms: int = 1) -> str | None:
        await asyncio.wait_for(asyncio.sleep(5), timeout=ms / 1000)
        return "never"

    @strawberry.field
    async def slow_nn(self, ms: int = 1) -> str:
        await asyncio.wait_for(asyncio.sleep(5), timeout=ms / 1000)
        return "never"

    @strawberry.field
    def big_int(self) -> int:
        return 2**40

    @strawberry.field
    def nan(self) -> float | None:
        return float("nan")

    @strawberry.field
    def int_as_string(self) -> str:
        return 42  # type: ignore[return-value]

    @strawberry.field
    def returned_exception(self) -> str | None:
        return ValueError("returned, not raised")  # type: ignore[return-value]

    @strawberry.field
    def wrong_type(self) -> Book | None:
        return Item(name="not a book", weight=0)  # type: ignore[return-value]

    @strawberry.field
    def wrong_items(self) -> list[Book | None]:
        return [BOOKS[0], Item(name="not a book", weight=0), BOOKS[1]]  # type: ignore[list-item]

    @strawberry.field
    def items(self) -> list[Item]:
        return [RawItem("a"), RawItem("b", fail=True), RawItem(None), RawItem("d")]  # type: ignore[list-item]

    @strawberry.field
    def maybe_items(self) -> list[Item | None] | None:
        return [  # type: ignore[list-item]
            RawItem("a"),
            RawItem("b", fail=True),
            RawItem(None),
            RawItem("big", weight=2**40),
            RawItem("true", weight=True, ratio=3),
            RawItem("nan", ratio=float("nan")),
            RawItem(7, weight="12", ratio=None),  # type: ignore[arg-type]
        ]

    @strawberry.field
    def async_items(self) -> list[str | None]:
        return [_value_later("x"), "y", _boom_later(), _value_later("z")]  # type: ignore[list-item]

    @strawberry.field
    def strings_with_null(self) -> list[str]:
        return ["a", None, "c"]  # type: ignore[list-item]

    @strawberry.field
    def not_a_list(self) -> list[str] | None:
        return 7  # type: ignore[return-value]

    @strawberry.field
    def tuple_list(self) -> list[int]:
        return (1, 2, 3)  # type: ignore[return-value]

    @strawberry.field
    def nested(self) -> Failing:
        return Failing()

    @strawberry.field
    def nested_nullable(self) -> Failing | None:
        return Failing()

    @strawberry.field
    def bad_enum(self) -> Color | None:
        return "purple"  # type: ignore[return-value]

    @strawberry.field
    def bad_decimal(self) -> Decimal | None:
        return "not a number"  # type: ignore[return-value]


class Denied(BasePermission):
    message = "not allowed here"

    def has_permission(self, source: Any, info: strawberry.Info, **kwargs: Any) -> bool:
        return False


class Shout(FieldExtension):
    def resolve(self, next_: Any, source: Any, info: strawberry.Info, **kwargs: Any) -> Any:
        return str(next_(source, info, **kwargs)).upper()


@strawberry.type
class Guarded:
    @strawberry.field(permission_classes=[Denied])
    def secret(self) -> str | None:
        return "secret"

    @strawberry.field(extensions=[Shout()])
    def shout(self) -> str:
        return "quiet"

    @strawberry.field
    def plain(self, info: strawberry.Info) -> str:
        return f"{info.field_name}@{'/'.join(str(k) for k in info.path.as_list())}"

    @strawberry.field
    def with_root(self, root: Any) -> bool:
        return root is self


@strawberry.input
class EchoInput:
    text: str
    times: int = 1
    color: Color = Color.RED
    amount: Decimal | None = None


@strawberry.input
class NestedInput:
    items: list[EchoInput]
    inner: EchoInput | None = None
    tags: list[str | None] | None = None
    weights: list[list[int]] = strawberry.field(default_factory=lambda: [[1]])
    note: str | None = strawberry.UNSET


@strawberry.type
class Query:
    @strawberry.field
    def nested(self, input: NestedInput, ids: list[strawberry.ID] | None = None, color: Color = Color.GREEN) -> str:
        """Echoes exactly what the resolver received (types, UNSET, defaults), so the
        compiled argument conversion must hand it the same values as strawberry's."""
        received = {
            "items": [(type(i).__name__, i.text, i.times, i.color, i.amount) for i in input.items],
            "inner": None if input.inner is None else (input.inner.text, input.inner.times),
            "tags": input.tags,
            "weights": input.weights,
            "note": "UNSET" if input.note is strawberry.UNSET else input.note,
            "ids": ids,
            "ids_type": type(ids).__name__,
            "color": color,
        }
        return repr(received)

    @strawberry.field
    def maybe(self, value: strawberry.Maybe[int | None] = None) -> str:
        return repr(value)

    @strawberry.field
    def books(self) -> list[Book]:
        return BOOKS

    @strawberry.field
    async def book(self, id: strawberry.ID) -> Book | None:
        await asyncio.sleep(0)
        return next((b for b in BOOKS if b.id == id), None)

    @strawberry.field
    def node(self, id: strawberry.ID) -> Node | None:
        return next((b for b in BOOKS if b.id == id), None) or AUTHORS.get(str(id))

    @strawberry.field
    def nodes(self) -> list[Node]:
        return [*BOOKS, *AUTHORS.values()]

    @strawberry.field
    async def search(self, text: str = "") -> list[SearchResult]:
        await asyncio.sleep(0)
        found: list[Any] = [b for b in BOOKS if text.lower() in b.title.lower()]
        found += [a for a in AUTHORS.values() if text.lower() in a.name.lower()]
        return found

    @strawberry.field
    def failing(self) -> Failing | None:
        return Failing()

    @strawberry.field
    def failing_nn(self) -> Failing:
        return Failing()

    @strawberry.field
    def echo(
        self,
        input: EchoInput,
        when: datetime | None = None,
        colors: list[Color] | None = None,
        data: JSON | None = None,
    ) -> str:
        # Bounded: generated operations ask for times up to 2**31 (a 2 GB string per run).
        parts = [
            input.text * min(input.times, 5),
            input.color.value,
            str(input.amount),
            str(when),
            str(colors),
            repr(data),
        ]
        return "|".join(parts)

    @strawberry.field
    def items(self) -> list[Item]:
        return [Item(name="x", weight=1, label="l"), Item(name="y", weight=2)]

    @strawberry.field
    def guarded(self) -> list[Guarded]:
        return [Guarded(), Guarded()]


@strawberry.type
class Counter:
    value: int


COUNTER = {"value": 0}


@strawberry.type
class Mutation:
    @strawberry.mutation
    async def bump(self, by: int = 1) -> Counter:
        await asyncio.sleep(0)
        COUNTER["value"] += by
        return Counter(value=COUNTER["value"])

    @strawberry.mutation
    def fail(self) -> Counter | None:
        raise ValueError("mutation failed")


def _book(i: int, author: str, **kw: Any) -> Book:
    return Book(
        id=strawberry.ID(f"b{i}"),
        title=kw.get("title", f"Book {i}"),
        pages=kw.get("pages", 100 + i),
        price=Decimal(f"{i}9.90"),
        published=datetime(2020, 1, i, 12, 30, tzinfo=UTC),
        meta={"i": i, "nested": [1, "two", None]},
        color=list(Color)[i % 3],
        tags=[f"t{i}", "common"],
        matrix=[[i, None], [], [i * 2]],
        author_id=author,
    )


BOOKS = [_book(1, "a1", title="Dune"), _book(2, "a1", pages=None), _book(3, "a2", title="Emma")]
AUTHORS = {
    "a1": Author(id=strawberry.ID("a1"), name="Frank", born=datetime(1920, 10, 8, tzinfo=UTC)),
    "a2": Author(id=strawberry.ID("a2"), name="Jane", born=None),
}

schema = strawberry.Schema(query=Query, mutation=Mutation, types=[Book, Author])
