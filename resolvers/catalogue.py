"""Products, brands, categories and product lists."""

from __future__ import annotations

import base64
import binascii
import functools
from dataclasses import dataclass
from decimal import Decimal
from enum import Enum
from typing import Annotated, cast

import strawberry

from gateway.catalogue import LocalizedCategory, LocalizedProduct, ProductId, ProductPage, ProductQuery, ProductSort
from gateway.execution.compiler.type_checks import class_only_type_check
from gateway.kernel import InputError
from gateway.recommendations import Strategy
from resolvers.execution.info import Info, expose
from resolvers.recommendations.enums import RecommendationStrategy
from resolvers.recommendations.resolve import resolve_list

MAX_FIRST = 100


@strawberry.type(description="An amount of money; `amount` is a decimal string, exact to the minor unit.")
class Money:
    amount: Decimal
    currency: str


@strawberry.type
class Image:
    url: str
    alt: str
    width: int
    height: int


@strawberry.type(description="A product attribute such as colour, size or material.")
class Attribute:
    name: str
    value: str


@strawberry.type
class Brand:
    id: strawberry.ID
    name: str
    slug: str


def _category_parent(root: LocalizedCategory, info: Info) -> Category | None:
    if root.parent_id is None:
        return None
    found = info.context.services.catalog.get_categories([root.parent_id], info.context.locale)[0]
    return expose(found, Category) if found else None


def _category_path(root: LocalizedCategory, info: Info) -> list[Category]:
    found = info.context.services.catalog.get_categories(root.path, info.context.locale)
    return [expose(c, Category) for c in found if c]


def _category_children(root: LocalizedCategory, info: Info) -> list[Category]:
    return [expose(c, Category) for c in info.context.services.catalog.children(root.id, info.context.locale)]


@strawberry.type(description="A node of the category tree.")
class Category:
    id: strawberry.ID
    slug: str
    name: str = strawberry.field(description="Name in the request's locale.")
    parent: Category | None = strawberry.field(resolver=_category_parent, description="Null for a root.")
    path: list[Category] = strawberry.field(resolver=_category_path, description="From the root down to this one.")
    children: list[Category] = strawberry.field(resolver=_category_children)


# Product <-> RecommendationList refer to each other: strawberry resolves the list type by name from
# its module when the schema is built (and the schema drift test sees it). Importing it here for
# mypy alone would close an import circle, so the name stays unresolved for mypy.
RecommendationListRef = Annotated[
    "RecommendationList",  # type: ignore[name-defined]  # noqa: F821
    strawberry.lazy("resolvers.recommendations.lists"),
]


@dataclass(frozen=True, slots=True)
class ProductReference:
    """A product known by its id alone: what `_entities` answers when another subgraph owns
    Product (contributing mode, resolvers/contributing.py). Vitrine's own fields need nothing more."""

    id: ProductId


async def _product_recommendations(
    root: LocalizedProduct | ProductReference,
    info: Info,
    strategy: RecommendationStrategy,  # type: ignore[valid-type]
    first: int = 10,
) -> RecommendationListRef:
    # A product Vitrine has not imported (an entity another subgraph owns) gets the fallback chain.
    found = await resolve_list(info, strategy, root.id, first, None, anchor_required=False)
    return cast(RecommendationListRef, found)


async def _product_similar(
    root: LocalizedProduct | ProductReference, info: Info, first: int = 10
) -> RecommendationListRef:
    found = await resolve_list(info, Strategy.SIMILAR, root.id, first, None, anchor_required=False)
    return cast(RecommendationListRef, found)


@strawberry.federation.type(keys=["id"], description="A product in the request's locale.")
class Product:
    id: strawberry.ID
    sku: str
    name: str
    description: str
    slug: str
    url: str = strawberry.field(description="Storefront path of the product page in this locale.")
    price: Money
    compare_at_price: Money | None = strawberry.field(description="The price before a discount, if any.")
    in_stock: bool
    stock: int
    images: list[Image]
    attributes: list[Attribute]
    brand: Brand | None
    categories: list[Category] = strawberry.field(description="Leaf categories.")
    recommendations: RecommendationListRef = strawberry.field(
        resolver=_product_recommendations, description="A list starting from this product (e.g. ALSO_VIEWED)."
    )
    similar: RecommendationListRef = strawberry.field(
        resolver=_product_similar, description="Products close to this one in embedding space (SIMILAR)."
    )

    @classmethod
    async def resolve_reference(cls, info: Info, id: strawberry.ID) -> Product | None:
        return await load_product(info, str(id))

    @classmethod
    @class_only_type_check
    def is_type_of(cls, obj: object, info: Info) -> bool:
        # `_entities` returns the `_Entity` union: this tells it a domain product is a Product.
        return isinstance(obj, LocalizedProduct | ProductReference | cls)


async def load_product(info: Info, product_id: str) -> Product | None:
    found = await info.context.loaders.get_product(ProductId(product_id))
    return expose(found, Product) if found else None


async def load_products(info: Info, ids: list[ProductId]) -> list[Product]:
    found = await info.context.loaders.get_products(ids)
    return [expose(p, Product) for p in found if p is not None]


@strawberry.input
class PriceRangeInput:
    min: Decimal | None = None
    max: Decimal | None = None


@strawberry.input(description="All given conditions must hold.")
class ProductFilterInput:
    category: str | None = strawberry.field(default=None, description="Category id or slug; includes subcategories.")
    brand: strawberry.ID | None = None
    search: str | None = strawberry.field(
        default=None, description="Words that must all appear (prefix match, diacritics ignored)."
    )
    in_stock: bool | None = None
    price_range: PriceRangeInput | None = None


@strawberry.enum
class ProductSortOrder(Enum):
    RELEVANCE = "relevance"
    PRICE_ASC = "price_asc"
    PRICE_DESC = "price_desc"
    NAME = "name"


@strawberry.type
class PageInfo:
    has_next_page: bool
    has_previous_page: bool
    start_cursor: str | None
    end_cursor: str | None


@strawberry.type
class ProductEdge:
    cursor: str
    node: Product


@strawberry.type(description="A Relay-style page of products.")
class ProductConnection:
    edges: list[ProductEdge]
    page_info: PageInfo
    total_count: int

    @strawberry.field(description="The products of `edges`, without cursors.")
    def nodes(self) -> list[Product]:
        return [e.node for e in self.edges]


@functools.lru_cache(maxsize=4096)
def encode_cursor(offset: int) -> str:
    return base64.urlsafe_b64encode(f"o:{offset}".encode()).decode()


def decode_cursor(cursor: str) -> int:
    try:
        kind, _, value = base64.urlsafe_b64decode(cursor.encode()).decode().partition(":")
        if kind == "o" and value.isdigit():
            return int(value)
    except (binascii.Error, UnicodeDecodeError, ValueError):
        pass
    raise InputError("is not a cursor returned by this API (use pageInfo.endCursor)", field="after")


@dataclass(frozen=True, slots=True)
class EdgeView:
    cursor: str
    node: LocalizedProduct


@dataclass(frozen=True, slots=True)
class PageInfoView:
    has_next_page: bool
    has_previous_page: bool
    start_cursor: str | None
    end_cursor: str | None


@dataclass(frozen=True, slots=True)
class ConnectionView:
    """A page of products as `ProductConnection` reads it: immutable, so a page the catalogue
    mirror answers again (the same `ProductPage` object) is answered with the same view,
    which compiled plans complete once (see SNAPSHOT_TYPES in resolvers/schema.py)."""

    edges: tuple[EdgeView, ...]
    page_info: PageInfoView
    total_count: int


def page_view(page: ProductPage, products: list[LocalizedProduct | None]) -> ConnectionView:
    edges = tuple(EdgeView(encode_cursor(page.offset + i), p) for i, p in enumerate(products) if p is not None)
    return ConnectionView(
        edges,
        PageInfoView(
            has_next_page=page.offset + len(page.ids) < page.total,
            has_previous_page=page.offset > 0,
            start_cursor=edges[0].cursor if edges else None,
            end_cursor=edges[-1].cursor if edges else None,
        ),
        page.total,
    )


@strawberry.type
class CatalogQuery:
    @strawberry.field(description="A product by id; null if there is none.")
    async def product(self, info: Info, id: strawberry.ID) -> Product | None:
        if len(id) > 128:
            raise InputError("is longer than 128 characters", field="id")
        return await load_product(info, str(id))

    @strawberry.field(description="Products matching a filter, a page at a time.")
    async def products(
        self,
        info: Info,
        filter: ProductFilterInput | None = None,
        sort: ProductSortOrder = ProductSortOrder.RELEVANCE,
        first: Annotated[int, strawberry.argument(description=f"Page size, 0-{MAX_FIRST}.")] = 20,
        after: str | None = None,
    ) -> ProductConnection:
        flt = filter or ProductFilterInput()
        price = flt.price_range or PriceRangeInput()
        query = ProductQuery(
            category=flt.category,
            brand=str(flt.brand) if flt.brand is not None else None,
            search=flt.search,
            in_stock=flt.in_stock,
            min_price=str(price.min) if price.min is not None else None,
            max_price=str(price.max) if price.max is not None else None,
        )
        offset = decode_cursor(after) + 1 if after else 0
        ctx = info.context
        page = await ctx.services.catalog.find(query, ProductSort(sort.value), ctx.locale, offset, first)
        cached = ctx.services.page_views.get(page)
        if isinstance(cached, ConnectionView):
            return expose(cached, ProductConnection)
        products = await ctx.loaders.get_products(page.ids)
        connection = page_view(page, products)
        if ctx.services.catalog.mirrored and all(p is not None for p in products):
            # The mirror answers this same page object until its snapshot changes.
            ctx.services.page_views.keep(page, connection)
        return expose(connection, ProductConnection)

    @strawberry.field(description="Root categories of the tree.")
    def categories(self, info: Info) -> list[Category]:
        return [expose(c, Category) for c in info.context.services.catalog.roots(info.context.locale)]
