"""The field types of the catalogue interchange format (`gateway.catalogue.records`).

Each `...Field` is an `Annotated` type whose validator states one rule of the format and,
when a value breaks it, raises an error whose message a person importing a file can act
on, quoting the offending value (see `shown`).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Annotated
from urllib.parse import urlsplit

from pydantic import BeforeValidator, Field
from pydantic_core import PydanticCustomError

from gateway.catalogue.values import SUPPORTED_LOCALES

CURRENCIES: tuple[str, ...] = ("PLN", "EUR", "USD", "GBP", "CZK", "SEK")
MAX_AMOUNT = Decimal("1000000000")
MAX_IMAGES = 20
MAX_ATTRIBUTES = 50
MAX_TAGS = 20
MAX_CATEGORIES = 10

CENT = Decimal("0.01")
_SLUG_EXAMPLE = "trail-runner-navy"
# Error types raised here already quote the offending value in their message.
OWN_ERROR_PREFIX = "vitrine_"
_DECIMAL_TEXT = re.compile(r"-?[0-9]+(?:\.[0-9]+)?")
_SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_ATTRIBUTE_NAME = re.compile(r"[a-z][a-z0-9_]{0,63}")


def shown(value: object) -> str:
    """The offending value as JSON (strings quoted), shortened so a message stays one line."""
    try:
        text = json.dumps(value, ensure_ascii=False, default=str)
    except (TypeError, ValueError):
        text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def field_error(kind: str, message: str, value: object) -> PydanticCustomError:
    return PydanticCustomError(OWN_ERROR_PREFIX + kind, message + " (got {got})", {"got": shown(value)})


def _id_validator(letter: str, what: str) -> Callable[[object], str]:
    """`^[a-z]-[A-Za-z0-9_-]{1,64}$` with the kind's own letter: c- category, b- brand, p- product."""
    pattern = re.compile(rf"{letter}-[A-Za-z0-9_-]{{1,64}}")

    def check(value: object) -> str:
        if not isinstance(value, str) or not pattern.fullmatch(value):
            raise field_error("id", f'must be a {what} id: "{letter}-" then 1-64 letters, digits, "_" or "-"', value)
        return value

    return check


def _amount(value: object) -> Decimal:
    """A non-negative decimal with at most two places, from a string ("349.00") or a JSON number."""
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise field_error("amount_type", 'must be a decimal string such as "349.00" or a number', value)
    if isinstance(value, str) and not _DECIMAL_TEXT.fullmatch(value):
        raise field_error("amount_format", 'must be a decimal number such as "349.00"', value)
    try:
        # repr() of a float is its shortest round-tripping text, so 3.999 stays 3.999.
        amount = Decimal(value if isinstance(value, str) else repr(value))
    except InvalidOperation:
        raise field_error("amount_format", 'must be a decimal number such as "349.00"', value) from None
    if not amount.is_finite():
        raise field_error("amount_format", "must be a finite number", value)
    if amount < 0:
        raise field_error("amount_range", "must be at least 0", value)
    if amount > MAX_AMOUNT:
        raise field_error("amount_range", f"must be at most {MAX_AMOUNT}", value)
    if amount != amount.quantize(CENT):
        raise field_error("amount_places", "must have at most 2 decimal places", value)
    return amount.quantize(CENT)


def _currency(value: object) -> str:
    if not isinstance(value, str) or value not in CURRENCIES:
        hint = " (currency codes are upper-case)" if isinstance(value, str) and value.upper() in CURRENCIES else ""
        raise field_error("currency", f"must be one of {', '.join(CURRENCIES)}{hint}", value)
    return value


def _slug(value: object) -> str:
    if not isinstance(value, str) or len(value) > 200 or not _SLUG.fullmatch(value):
        raise field_error(
            "slug",
            f'must be 1-200 lower-case ASCII letters and digits joined by single hyphens, e.g. "{_SLUG_EXAMPLE}"',
            value,
        )
    return value


def _locale(value: object) -> str:
    if not isinstance(value, str) or value not in SUPPORTED_LOCALES:
        raise field_error("locale", f"unsupported locale; supported: {', '.join(SUPPORTED_LOCALES)}", value)
    return value


def _text(max_length: int, *, blank_ok: bool) -> Callable[[object], str]:
    def check(value: object) -> str:
        if not isinstance(value, str):
            raise field_error("text_type", "must be a string", value)
        if not blank_ok and not value.strip():
            raise field_error("text_blank", "must not be empty", value)
        if len(value) > max_length:
            raise PydanticCustomError(
                OWN_ERROR_PREFIX + "text_length",
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
    raise field_error("url", "must be an absolute http(s) URL of at most 2048 characters", value)


def _attribute_name(value: object) -> str:
    if not isinstance(value, str) or not _ATTRIBUTE_NAME.fullmatch(value):
        raise field_error(
            "attribute_name", 'must be 1-64 lower-case letters, digits or "_", starting with a letter', value
        )
    return value


def _tag(value: object) -> str:
    if not isinstance(value, str) or len(value) > 40:
        raise field_error("tag", 'must be a slug of at most 40 characters, e.g. "bestseller"', value)
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
