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
its dotted location (`price.amount`) with a message a person can act on; the field types
and their rules are in `gateway.catalogue.record_fields`. Referential checks (does the brand
exist?) need the store and live in `gateway.catalogue.importer`; records become domain values
in `gateway.catalogue.record_conversion`, and whole files are read and written in
`gateway.catalogue.jsonl`.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Mapping
from typing import Annotated, Literal, TypeAlias

from pydantic import BaseModel, ConfigDict, Field, ValidationError, ValidationInfo, field_validator
from pydantic_core import ErrorDetails, PydanticCustomError

from gateway.catalogue.record_fields import (
    MAX_ATTRIBUTES,
    MAX_CATEGORIES,
    MAX_IMAGES,
    MAX_TAGS,
    OWN_ERROR_PREFIX,
    AltField,
    AmountField,
    AttributeNameField,
    AttributeValueField,
    BrandIdField,
    CategoryIdField,
    CurrencyField,
    DescriptionField,
    LocaleField,
    NameField,
    PixelsField,
    ProductIdField,
    SkuField,
    SlugField,
    TagField,
    UrlField,
    shown,
)
from gateway.kernel import InputError

KINDS: tuple[str, ...] = ("category", "brand", "product")


class RecordError(InputError):
    """A line that is not a valid record. `reason` is the text shown to the person importing.

    `record_id` is the line's "id" when it could be read, so that later lines referring
    to it can say "was rejected" instead of "unknown".
    """

    def __init__(self, reason: str, *, record_id: str | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.record_id = record_id


# --- records -----------------------------------------------------------------------------


class _Record(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _require_en(names: Mapping[str, object]) -> None:
    if "en" not in names:
        raise PydanticCustomError(
            OWN_ERROR_PREFIX + "en_missing",
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
                OWN_ERROR_PREFIX + "compare_currency",
                "must be in the same currency as price ({expected}, got {got})",
                {"expected": price.currency, "got": value.currency},
            )
        if value.amount <= price.amount:
            raise PydanticCustomError(
                OWN_ERROR_PREFIX + "compare_amount",
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
        raise RecordError(f"kind: unknown kind {shown(kind)}; expected one of {allowed}", record_id=record_id)
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
    if not kind.startswith(OWN_ERROR_PREFIX):
        value = err.get("input")
        if not isinstance(value, dict | list):
            message = f"{message} (got {shown(value)})"
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
