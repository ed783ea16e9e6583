"""HTTP caching of GraphQL answers: shared caches (CDNs) may keep what reads no visitor data.

A GET that names its document by hash (APQ or a trusted document: the URL is short and stable)
and whose document reads only the catalogue is the same for every visitor, so it answers

    Cache-Control: public, max-age=<VITRINE_PUBLIC_CACHE_SECONDS>
    Vary: Accept, Accept-Language, X-Vitrine-Locale

with no `Set-Cookie` and no `X-Vitrine-Visitor` (a shared answer must not hand every visitor
one visitor's id). Everything else (POSTs, mutations, anything that reads `viewer`, slots or
recommendations, errors) answers `Cache-Control: private, no-store`.

What reads no visitor data is decided from the schema, once per document: every field the
document selects (in every operation and fragment) must be a *catalogue field*: a root field in
`PUBLIC_ROOTS`, or a field of a type in `CATALOGUE_TYPES` whose type is a scalar, an enum or
another catalogue type (so `Product.recommendations`, a `RecommendationList`, is not), minus
`PERSONAL_FIELDS`. A new type is personal until it is listed here; a new scalar field of a
catalogue type that reads the visitor must be added to `PERSONAL_FIELDS`
(tests/http/test_caching.py lists the catalogue fields so such a change is seen).
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from graphql import (
    FieldNode,
    GraphQLEnumType,
    GraphQLError,
    GraphQLObjectType,
    GraphQLScalarType,
    GraphQLSchema,
    OperationDefinitionNode,
    OperationType,
    TypeInfo,
    TypeInfoVisitor,
    Visitor,
    get_named_type,
    parse,
    visit,
)
from starlette.responses import Response

PUBLIC_ROOTS = frozenset({"product", "products", "categories"})
CATALOGUE_TYPES = frozenset(
    {"Product", "ProductConnection", "ProductEdge", "PageInfo", "Money", "Image", "Attribute", "Brand", "Category"}
)
PERSONAL_FIELDS: frozenset[str] = frozenset()  # catalogue-typed fields that read the visitor: none today
PUBLIC = "public, max-age={seconds}"
PRIVATE = "private, no-store"
VARY = "Accept, Accept-Language, X-Vitrine-Locale"
DOCUMENTS_KEPT = 1024


def catalogue_fields(schema: GraphQLSchema) -> frozenset[str]:
    """Every `Type.field` a document may select and still be the same for every visitor."""
    query = schema.query_type
    found = {f"{query.name}.{name}" for name in PUBLIC_ROOTS if query and name in query.fields}
    for type_name in CATALOGUE_TYPES:
        graphql_type = schema.get_type(type_name)
        if not isinstance(graphql_type, GraphQLObjectType):
            continue
        for name, field in graphql_type.fields.items():
            named = get_named_type(field.type)
            if isinstance(named, GraphQLScalarType | GraphQLEnumType) or named.name in CATALOGUE_TYPES:
                found.add(f"{type_name}.{name}")
    return frozenset(found - PERSONAL_FIELDS)


class _Selected(Visitor):
    """Collects `Type.field` for every field selected in a document (fragments included)."""

    def __init__(self, type_info: TypeInfo) -> None:
        super().__init__()
        self.type_info = type_info
        self.fields: set[str] = set()

    def enter_field(self, node: FieldNode, *_: Any) -> None:
        parent = self.type_info.get_parent_type()
        if node.name.value != "__typename":
            self.fields.add(f"{parent.name if parent else '?'}.{node.name.value}")


class CachePolicy:
    def __init__(self, schema: GraphQLSchema) -> None:
        self._schema = schema
        self._public_fields = catalogue_fields(schema)
        self.is_public = lru_cache(maxsize=DOCUMENTS_KEPT)(self._is_public)

    def _is_public(self, document: str) -> bool:
        """True when `document` holds only queries of catalogue fields (see the module docstring)."""
        try:
            ast = parse(document)
        except GraphQLError:
            return False
        operations = [d for d in ast.definitions if isinstance(d, OperationDefinitionNode)]
        if not operations or any(op.operation is not OperationType.QUERY for op in operations):
            return False
        type_info = TypeInfo(self._schema)
        selected = _Selected(type_info)
        visit(ast, TypeInfoVisitor(type_info, selected))
        return bool(selected.fields) and selected.fields <= self._public_fields

    def apply(
        self,
        response: Response,
        *,
        method: str,
        extensions: Mapping[str, Any] | None,
        document: str | None,
        succeeded: bool,
        max_age: int,
    ) -> None:
        """Set the caching headers on `response` (the one the operation's answer is built on)."""
        shared = (
            max_age > 0
            and method == "GET"
            and bool(extensions)
            and "persistedQuery" in (extensions or {})
            and succeeded
            and document is not None
            and self.is_public(document)
        )
        if not shared:
            response.headers["cache-control"] = PRIVATE
            return
        response.headers["cache-control"] = PUBLIC.format(seconds=max_age)
        response.headers["vary"] = VARY
        for header in ("set-cookie", "x-vitrine-visitor"):
            del response.headers[header]
