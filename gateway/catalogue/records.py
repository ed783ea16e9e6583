"""The catalogue interchange format: JSON Lines, one record per line.

Each line is one JSON object whose `"kind"` is "category", "brand" or "product":

    {"kind":"category","id":"c-shoes","parent":null,"names":{"en":"Shoes","pl":"Buty"},"slug":"shoes"}
    {"kind":"brand","id":"b-nordvik","name":"Nordvik","slug":"nordvik"}
    {"kind":"product","id":"p-00001","sku":"NOR-1","brand":"b-nordvik","categories":["c-shoes"],
     "price":{"amount":"349.00","currency":"PLN"},"compareAtPrice":null,"stock":12,
     "images":[{"url":"https://…/1.jpg","alt":"…","width":800,"height":800}],
     "attributes":{"colour":"navy"},"translations":{"en":{"name":"…","description":"…","slug":"…"}},
     "tags":["new"]}

(a product is one line in a file; it is wrapped here for reading). The pydantic models
below are the schema: unknown fields are rejected, and every failure names the field by
its dotted location (`price.amount`) with a message a person can act on. Referential
checks (does the brand exist?) need the store and live in `gateway.catalogue.importer`;
this module converts between records and domain values and reads/writes whole files.
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Annotated, Any, Literal, TypeAlias
from urllib.parse import urlsplit

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
)
from pydantic_core import ErrorDetails, PydanticCustomError

from gateway.catalogue.values import (
    SUPPORTED_LOCALES,
    Attribute,
    Brand,
    BrandId,
    CatalogueContents,
    Category,
    CategoryId,
    Image,
    Money,
    Product,
    ProductId,
    Translation,
)
from gateway.kernel import InputError

CURRENCIES: tuple[str, ...] = ("PLN", "EUR", "USD", "GBP", "CZK", "SEK")
KINDS: tuple[str, ...] = ("category", "brand", "product")
MAX_AMOUNT = Decimal("1000000000")
MAX_IMAGES = 20
MAX_ATTRIBUTES = 50
MAX_TAGS = 20
MAX_CATEGORIES = 10

_CENT = Decimal("0.01")
_SLUG_EXAMPLE = "trail-runner-navy"
# Error types raised here already quote the offending value in their message.
_OWN_ERROR_PREFIX = "vitrine_"
_DECIMAL_TEXT = re.compile(r"-?[0-9]+(?:\.[0-9]+)?")
_SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_ATTRIBUTE_NAME = re.compile(r"[a-z][a-z0-9_]{0,63}")


class RecordError(InputError):
    """A line that is not a valid record. `reason` is the text shown to the person importing.

    `record_id` is the line's "id" when it could be read, so that later lines referring
    to it can say "was rejected" instead of "unknown".
    """

    def __init__(self, reason: str, *, record_id: str | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.record_id = record_id


class CategoryTreeError(InputError):
    """A category that cannot be placed in the tree."""


class UnknownCategory(CategoryTreeError):
    """An ancestor (possibly the parent itself) is neither in the file nor in the store."""

    def __init__(self, category_id: CategoryId) -> None:
        super().__init__(f'unknown category "{category_id}"')
        self.category_id = category_id


class CategoryCycle(CategoryTreeError):
    """Following parents loops. `cycle` lists child -> parent -> … back to the first."""

    def __init__(self, cycle: tuple[CategoryId, ...]) -> None:
        super().__init__(f"the parent chain loops back: {' -> '.join(cycle)}")
        self.cycle = cycle


# --- field types -------------------------------------------------------------------------


def _shown(value: object) -> str:
    """The offending value as JSON (strings quoted), shortened so a message stays one line."""
    try:
        text = json.dumps(value, ensure_ascii=False, default=str)
    except (TypeError, ValueError):
        text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def _error(kind: str, message: str, value: object) -> PydanticCustomError:
    return PydanticCustomError(_OWN_ERROR_PREFIX + kind, message + " (got {got})", {"got": _shown(value)})


def _id_validator(letter: str, what: str) -> Callable[[object], str]:
    """`^[a-z]-[A-Za-z0-9_-]{1,64}$` with the kind's own letter: c- category, b- brand, p- product."""
    pattern = re.compile(rf"{letter}-[A-Za-z0-9_-]{{1,64}}")

    def check(value: object) -> str:
        if not isinstance(value, str) or not pattern.fullmatch(value):
            raise _error("id", f'must be a {what} id: "{letter}-" then 1-64 letters, digits, "_" or "-"', value)
        return value

    return check


def _amount(value: object) -> Decimal:
    """A non-negative decimal with at most two places, from a string ("349.00") or a JSON number."""
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise _error("amount_type", 'must be a decimal string such as "349.00" or a number', value)
    if isinstance(value, str) and not _DECIMAL_TEXT.fullmatch(value):
        raise _error("amount_format", 'must be a decimal number such as "349.00"', value)
    try:
        # repr() of a float is its shortest round-tripping text, so 3.999 stays 3.999.
        amount = Decimal(value if isinstance(value, str) else repr(value))
    except InvalidOperation:
        raise _error("amount_format", 'must be a decimal number such as "349.00"', value) from None
    if not amount.is_finite():
        raise _error("amount_format", "must be a finite number", value)
    if amount < 0:
        raise _error("amount_range", "must be at least 0", value)
    if amount > MAX_AMOUNT:
        raise _error("amount_range", f"must be at most {MAX_AMOUNT}", value)
    if amount != amount.quantize(_CENT):
        raise _error("amount_places", "must have at most 2 decimal places", value)
    return amount.quantize(_CENT)


def _currency(value: object) -> str:
    if not isinstance(value, str) or value not in CURRENCIES:
        hint = " (currency codes are upper-case)" if isinstance(value, str) and value.upper() in CURRENCIES else ""
        raise _error("currency", f"must be one of {', '.join(CURRENCIES)}{hint}", value)
    return value


def _slug(value: object) -> str:
    if not isinstance(value, str) or len(value) > 200 or not _SLUG.fullmatch(value):
        raise _error(
            "slug",
            f'must be 1-200 lower-case ASCII letters and digits joined by single hyphens, e.g. "{_SLUG_EXAMPLE}"',
            value,
        )
    return value


def _locale(value: object) -> str:
    if not isinstance(value, str) or value not in SUPPORTED_LOCALES:
        raise _error("locale", f"unsupported locale; supported: {', '.join(SUPPORTED_LOCALES)}", value)
    return value


def _text(max_length: int, *, blank_ok: bool) -> Callable[[object], str]:
    def check(value: object) -> str:
        if not isinstance(value, str):
            raise _error("text_type", "must be a string", value)
        if not blank_ok and not value.strip():
            raise _error("text_blank", "must not be empty", value)
        if len(value) > max_length:
            raise PydanticCustomError(
                _OWN_ERROR_PREFIX + "text_length",
                "must be at most {limit} characters (got {length})",
                {"limit": max_length, "length": len(value)},
            )
        return value

    return check


def _url(value: object) -> str:
    if isinstance(value, str) and len(value) <= 2048:
        parts = urlsplit(value)
        if parts.scheme in ("http", "https") and parts.netloc and " " not in value:
            return value
    raise _error("url", "must be an absolute http(s) URL of at most 2048 characters", value)


def _attribute_name(value: object) -> str:
    if not isinstance(value, str) or not _ATTRIBUTE_NAME.fullmatch(value):
        raise _error("attribute_name", 'must be 1-64 lower-case letters, digits or "_", starting with a letter', value)
    return value


def _tag(value: object) -> str:
    if not isinstance(value, str) or len(value) > 40:
        raise _error("tag", 'must be a slug of at most 40 characters, e.g. "bestseller"', value)
    return _slug(value)


CategoryIdField = Annotated[str, BeforeValidator(_id_validator("c", "category"))]
BrandIdField = Annotated[str, BeforeValidator(_id_validator("b", "brand"))]
ProductIdField = Annotated[str, BeforeValidator(_id_validator("p", "product"))]
AmountField = Annotated[Decimal, BeforeValidator(_amount)]
CurrencyField = Annotated[str, BeforeValidator(_currency)]
SlugField = Annotated[str, BeforeValidator(_slug)]
LocaleField = Annotated[str, BeforeValidator(_locale)]
NameField = Annotated[str, BeforeValidator(_text(200, blank_ok=False))]
DescriptionField = Annotated[str, BeforeValidator(_text(5000, blank_ok=True))]
AltField = Annotated[str, BeforeValidator(_text(300, blank_ok=True))]
SkuField = Annotated[str, BeforeValidator(_text(64, blank_ok=False))]
UrlField = Annotated[str, BeforeValidator(_url)]
AttributeNameField = Annotated[str, BeforeValidator(_attribute_name)]
AttributeValueField = Annotated[str, BeforeValidator(_text(200, blank_ok=False))]
TagField = Annotated[str, BeforeValidator(_tag)]
PixelsField = Annotated[int, Field(strict=True, ge=1, le=10_000)]


# --- records -----------------------------------------------------------------------------


class _Record(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _require_en(names: Mapping[str, object]) -> None:
    if "en" not in names:
        raise PydanticCustomError(
            _OWN_ERROR_PREFIX + "en_missing",
            'must include "en" (got {got})',
            {"got": ", ".join(f'"{k}"' for k in names) or "none"},
        )


class MoneyRecord(_Record):
    amount: AmountField
    currency: CurrencyField


class ImageRecord(_Record):
    url: UrlField
    alt: AltField = ""
    width: PixelsField
    height: PixelsField


class TranslationRecord(_Record):
    name: NameField
    description: DescriptionField = ""
    slug: SlugField


class CategoryRecord(_Record):
    kind: Literal["category"]
    id: CategoryIdField
    parent: CategoryIdField | None = None
    names: dict[LocaleField, NameField]
    slug: SlugField

    @field_validator("names")
    @classmethod
    def _names_have_en(cls, names: dict[str, str]) -> dict[str, str]:
        _require_en(names)
        return names


class BrandRecord(_Record):
    kind: Literal["brand"]
    id: BrandIdField
    name: NameField
    slug: SlugField


class ProductRecord(_Record):
    kind: Literal["product"]
    id: ProductIdField
    sku: SkuField
    brand: BrandIdField
    categories: Annotated[list[CategoryIdField], Field(min_length=1, max_length=MAX_CATEGORIES)]
    price: MoneyRecord
    compare_at_price: MoneyRecord | None = Field(default=None, alias="compareAtPrice")
    stock: Annotated[int, Field(strict=True, ge=0)]
    images: Annotated[list[ImageRecord], Field(max_length=MAX_IMAGES)] = Field(default_factory=list)
    attributes: Annotated[dict[AttributeNameField, AttributeValueField], Field(max_length=MAX_ATTRIBUTES)] = Field(
        default_factory=dict
    )
    translations: dict[LocaleField, TranslationRecord]
    tags: Annotated[list[TagField], Field(max_length=MAX_TAGS)] = Field(default_factory=list)

    @field_validator("compare_at_price")
    @classmethod
    def _compare_at_above_price(cls, value: MoneyRecord | None, info: ValidationInfo) -> MoneyRecord | None:
        # Fields validate in declaration order, so a valid price is already in info.data.
        price = info.data.get("price")
        if value is None or not isinstance(price, MoneyRecord):
            return value
        if value.currency != price.currency:
            raise PydanticCustomError(
                _OWN_ERROR_PREFIX + "compare_currency",
                "must be in the same currency as price ({expected}, got {got})",
                {"expected": price.currency, "got": value.currency},
            )
        if value.amount <= price.amount:
            raise PydanticCustomError(
                _OWN_ERROR_PREFIX + "compare_amount",
                "must be greater than price ({got} is not above {price})",
                {"got": str(value.amount), "price": str(price.amount)},
            )
        return value

    @field_validator("translations")
    @classmethod
    def _translations_have_en(cls, value: dict[str, TranslationRecord]) -> dict[str, TranslationRecord]:
        _require_en(value)
        return value


CatalogRecord: TypeAlias = CategoryRecord | BrandRecord | ProductRecord
"""One line of the file; `kind` tells which (a discriminated union)."""

# Annotated form for pydantic users (e.g. a TypeAdapter); parse_record dispatches by hand
# so that error locations do not start with the union tag.
CatalogRecordField = Annotated[CatalogRecord, Field(discriminator="kind")]

_MODELS: Mapping[str, type[CategoryRecord] | type[BrandRecord] | type[ProductRecord]] = {
    "category": CategoryRecord,
    "brand": BrandRecord,
    "product": ProductRecord,
}


def _field_names() -> list[str]:
    models: list[type[BaseModel]] = [*_MODELS.values(), MoneyRecord, ImageRecord, TranslationRecord]
    names = {field.alias or name for model in models for name, field in model.model_fields.items()}
    return sorted(names)


_FIELD_NAMES = _field_names()


# --- parsing -----------------------------------------------------------------------------


def parse_record(data: object) -> CatalogRecord:
    """Validate one decoded JSON value. Raises RecordError with a human-readable reason."""
    if not isinstance(data, dict):
        raise RecordError(f'must be a JSON object with a "kind", not {_json_type(data)}')
    record_id = data.get("id") if isinstance(data.get("id"), str) else None
    allowed = ", ".join(f'"{k}"' for k in KINDS)
    if "kind" not in data:
        raise RecordError(f"kind: required; expected one of {allowed}", record_id=record_id)
    kind = data["kind"]
    model = _MODELS.get(kind) if isinstance(kind, str) else None
    if model is None:
        raise RecordError(f"kind: unknown kind {_shown(kind)}; expected one of {allowed}", record_id=record_id)
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise RecordError(format_validation_error(exc), record_id=record_id) from None


def parse_line(text: str) -> CatalogRecord:
    """Decode and validate one line of the file."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise RecordError(f"invalid JSON: {exc.msg} at column {exc.colno}") from None
    except RecursionError:
        raise RecordError("invalid JSON: nested too deeply") from None
    return parse_record(data)


def format_validation_error(exc: ValidationError) -> str:
    """'price.amount: must have at most 2 decimal places (got "3.999")' for each error, joined by '; '."""
    return "; ".join(_format_error(err) for err in exc.errors(include_url=False))


def _format_error(err: ErrorDetails) -> str:
    loc = [str(part) for part in err["loc"]]
    if loc and loc[-1] == "[key]":
        loc.pop()  # a bad dict key: the key itself is already the last part
    where = ".".join(loc) or "record"
    kind = err["type"]
    if kind == "extra_forbidden":
        name = loc[-1] if loc else ""
        close = difflib.get_close_matches(name, _FIELD_NAMES, n=1)
        hint = f'; did you mean "{close[0]}"?' if close else ""
        return f"{where}: unknown field{hint}"
    if kind == "missing":
        return f"{where}: required"
    message = err["msg"]
    if not kind.startswith(_OWN_ERROR_PREFIX):
        value = err.get("input")
        if not isinstance(value, dict | list):
            message = f"{message} (got {_shown(value)})"
    return f"{where}: {message}"


def _json_type(value: object) -> str:
    if isinstance(value, list):
        return "an array"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    return "null"


# --- records <-> domain ------------------------------------------------------------------


def category_path(category_id: CategoryId, parent_of: Mapping[CategoryId, CategoryId | None]) -> tuple[CategoryId, ...]:
    """Root..`category_id` inclusive, following `parent_of`.

    Raises UnknownCategory when `category_id` or an ancestor is not in `parent_of`, and
    CategoryCycle when the parents loop (instead of looping forever).
    """
    path = [category_id]  # child first; reversed at the end
    seen = {category_id}
    current = category_id
    while True:
        if current not in parent_of:
            raise UnknownCategory(current)
        parent = parent_of[current]
        if parent is None:
            return tuple(reversed(path))
        if parent in seen:
            raise CategoryCycle((*path[path.index(parent) :], parent))
        path.append(parent)
        seen.add(parent)
        current = parent


def category_from_record(record: CategoryRecord, path: tuple[CategoryId, ...]) -> Category:
    """`path` runs root..this category inclusive (see `category_path`)."""
    parent = CategoryId(record.parent) if record.parent is not None else None
    return Category(CategoryId(record.id), parent, dict(record.names), record.slug, path)


def categories_from_records(records: Sequence[CategoryRecord], existing: Iterable[Category] = ()) -> list[Category]:
    """Domain categories with computed paths; parents may be in `records` or in `existing`.

    Raises CategoryTreeError naming the first category whose parent is unknown or that
    sits on a cycle.
    """
    parent_of: dict[CategoryId, CategoryId | None] = {c.id: c.parent_id for c in existing}
    for rec in records:
        parent_of[CategoryId(rec.id)] = CategoryId(rec.parent) if rec.parent is not None else None
    out = []
    for rec in records:
        try:
            path = category_path(CategoryId(rec.id), parent_of)
        except CategoryTreeError as exc:
            raise CategoryTreeError(f"category {rec.id}: {exc.message}") from None
        out.append(category_from_record(rec, path))
    return out


def brand_from_record(record: BrandRecord) -> Brand:
    return Brand(BrandId(record.id), record.name, record.slug)


def _money(record: MoneyRecord) -> Money:
    return Money(record.amount, record.currency)


def product_from_record(record: ProductRecord) -> Product:
    """The domain product. `embedding_text_hash` stays empty: the embedder fills it."""
    return Product(
        id=ProductId(record.id),
        sku=record.sku,
        brand_id=BrandId(record.brand),
        category_ids=tuple(CategoryId(c) for c in record.categories),
        price=_money(record.price),
        compare_at_price=_money(record.compare_at_price) if record.compare_at_price is not None else None,
        stock=record.stock,
        images=tuple(Image(i.url, i.alt, i.width, i.height) for i in record.images),
        attributes=tuple(Attribute(name, value) for name, value in record.attributes.items()),
        translations={loc: Translation(t.name, t.description, t.slug) for loc, t in record.translations.items()},
        tags=tuple(record.tags),
    )


def category_to_record(category: Category) -> CategoryRecord:
    return CategoryRecord.model_validate(
        {
            "kind": "category",
            "id": category.id,
            "parent": category.parent_id,
            "names": dict(category.names),
            "slug": category.slug,
        }
    )


def brand_to_record(brand: Brand) -> BrandRecord:
    return BrandRecord.model_validate({"kind": "brand", "id": brand.id, "name": brand.name, "slug": brand.slug})


def _money_json(money: Money) -> dict[str, Any]:
    return {"amount": str(money.amount.quantize(_CENT)), "currency": money.currency}


def product_to_record(product: Product) -> ProductRecord:
    """The export form. Validated like an import, so an export can always be read back.

    Raises RecordError if the product breaks a rule of the format (for example two
    attributes with the same name, which the format cannot express).
    """
    names = [a.name for a in product.attributes]
    if len(set(names)) != len(names):
        raise RecordError(f"attributes: duplicate attribute names in {product.id}", record_id=product.id)
    data = {
        "kind": "product",
        "id": product.id,
        "sku": product.sku,
        "brand": product.brand_id,
        "categories": list(product.category_ids),
        "price": _money_json(product.price),
        "compareAtPrice": _money_json(product.compare_at_price) if product.compare_at_price else None,
        "stock": product.stock,
        "images": [{"url": i.url, "alt": i.alt, "width": i.width, "height": i.height} for i in product.images],
        "attributes": {a.name: a.value for a in product.attributes},
        "translations": {
            loc: {"name": t.name, "description": t.description, "slug": t.slug}
            for loc, t in product.translations.items()
        },
        "tags": list(product.tags),
    }
    try:
        return ProductRecord.model_validate(data)
    except ValidationError as exc:
        raise RecordError(f"{product.id}: {format_validation_error(exc)}", record_id=product.id) from None


def to_json_line(record: CatalogRecord) -> str:
    """One compact JSON object, non-ASCII kept as is, without the trailing newline."""
    data = record.model_dump(mode="json", by_alias=True)
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


# --- files -------------------------------------------------------------------------------


def catalog_records(catalog: CatalogueContents) -> Iterator[CatalogRecord]:
    """Categories (parents first, as in the catalogue), then brands, then products."""
    yield from (category_to_record(c) for c in catalog.categories)
    yield from (brand_to_record(b) for b in catalog.brands)
    yield from (product_to_record(p) for p in catalog.products)


def write_jsonl(catalog: CatalogueContents, path: Path) -> int:
    """Write the catalogue as UTF-8 JSONL, one record per line. Returns the number of lines."""
    lines = 0
    with path.open("w", encoding="utf-8", newline="\n") as out:
        for record in catalog_records(catalog):
            out.write(to_json_line(record))
            out.write("\n")
            lines += 1
    return lines


def load_jsonl(path: Path) -> CatalogueContents:
    """Read a whole file strictly: the first bad line raises RecordError ("line N: …").

    No store is consulted, so every parent and reference must be in the file. For
    importing with per-line rejection, use `gateway.catalogue.importer.import_jsonl`.
    """
    categories: list[CategoryRecord] = []
    brands: list[Brand] = []
    products: list[Product] = []
    with path.open(encoding="utf-8-sig") as source:
        for number, line in enumerate(source, start=1):
            if not line.strip():
                continue
            try:
                record = parse_line(line)
            except RecordError as exc:
                raise RecordError(f"line {number}: {exc.reason}", record_id=exc.record_id) from None
            if isinstance(record, CategoryRecord):
                categories.append(record)
            elif isinstance(record, BrandRecord):
                brands.append(brand_from_record(record))
            else:
                products.append(product_from_record(record))
    return CatalogueContents(
        brands=tuple(brands), categories=tuple(categories_from_records(categories)), products=tuple(products)
    )
