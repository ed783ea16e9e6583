"""What a slot can show: typed content kinds, parsed from editors' JSON (pure).

    banner            title*, subtitle, imageUrl*, altText* (with an image), cta, link*, textColour, backgroundColour
    productCarousel   title*, strategy (a recommendation strategy name) and/or productIds (a fixed list)
    htmlBlock         html*
    json              data* (any JSON object)

(* required). `parse_content` raises `ConditionError` (the shared definition error, with a
JSON path; `Problems` when several fields are wrong) naming the missing or wrong field, e.g.
`variant.content.altText: required for a banner with an image (screen readers read it)`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum
from typing import Any, TypeAlias

from gateway.audiences import Collector
from gateway.audiences import ConditionError as DefinitionError
from gateway.recommendations import PRODUCT_STRATEGIES, Strategy

MAX_TEXT = 500
MAX_HTML = 64 * 1024
MAX_PRODUCTS = 50
COLOUR = re.compile(r"^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6}|[0-9a-fA-F]{8})$")
# Carousel strategies a slot can name: product-anchored ones (SIMILAR...) need a product a slot
# cannot give, so they are not offered here.
CAROUSEL_STRATEGIES = tuple(s.value for s in Strategy if s not in PRODUCT_STRATEGIES)


def _strategy(raw: Any, path: str) -> str | None:
    """A recommendation strategy name, case-insensitive ('for-you' -> 'FOR_YOU')."""
    if raw is None:
        return None
    canonical = raw.strip().upper().replace("-", "_") if isinstance(raw, str) else None
    if canonical not in CAROUSEL_STRATEGIES:
        allowed = ", ".join(CAROUSEL_STRATEGIES)
        raise DefinitionError(path, f"unknown strategy {raw!r}; a carousel can use {allowed}")
    return canonical


class ContentKind(Enum):
    BANNER = "banner"
    PRODUCT_CAROUSEL = "productCarousel"
    HTML_BLOCK = "htmlBlock"
    JSON = "json"


@dataclass(frozen=True, slots=True)
class Banner:
    title: str
    image_url: str
    alt_text: str
    link: str
    subtitle: str | None = None
    cta: str | None = None
    text_colour: str | None = None
    background_colour: str | None = None


@dataclass(frozen=True, slots=True)
class ProductCarousel:
    title: str
    strategy: str | None
    product_ids: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class HtmlBlock:
    html: str


@dataclass(frozen=True, slots=True)
class JsonContent:
    data: Mapping[str, Any]


Content: TypeAlias = Banner | ProductCarousel | HtmlBlock | JsonContent

KIND_OF: Mapping[type, ContentKind] = {
    Banner: ContentKind.BANNER,
    ProductCarousel: ContentKind.PRODUCT_CAROUSEL,
    HtmlBlock: ContentKind.HTML_BLOCK,
    JsonContent: ContentKind.JSON,
}


def kind_of(content: Content) -> ContentKind:
    return KIND_OF[type(content)]


def parse_kind(raw: Any, path: str) -> ContentKind:
    for kind in ContentKind:
        if kind.value == raw:
            return kind
    options = ", ".join(k.value for k in ContentKind)
    raise DefinitionError(path, f"unknown content type {raw!r}; use one of {options}")


def _text(raw: Mapping[str, Any], name: str, path: str, *, required: bool, why: str = "") -> str | None:
    value = raw.get(name)
    if value is None or value == "":
        if required:
            raise DefinitionError(f"{path}.{name}", f"required{why}")
        return None
    if not isinstance(value, str):
        raise DefinitionError(f"{path}.{name}", "must be a string")
    if len(value) > MAX_TEXT:
        raise DefinitionError(f"{path}.{name}", f"at most {MAX_TEXT} characters")
    return value


def _url(raw: Mapping[str, Any], name: str, path: str, *, required: bool, why: str = "") -> str | None:
    value = _text(raw, name, path, required=required, why=why)
    if value is not None and not (value.startswith(("https://", "http://", "/"))):
        raise DefinitionError(f"{path}.{name}", "must be an absolute URL (https://...) or a site path (/...)")
    return value


def _colour(raw: Mapping[str, Any], name: str, path: str) -> str | None:
    value = _text(raw, name, path, required=False)
    if value is not None and not COLOUR.match(value):
        raise DefinitionError(f"{path}.{name}", f"{value!r} is not a hex colour such as '#1a2b3c'")
    return value


def _allowed(raw: Mapping[str, Any], keys: set[str], path: str, kind: ContentKind) -> None:
    unknown = sorted(set(raw) - keys)
    if unknown:
        raise DefinitionError(path, f"unknown field(s) {unknown} for {kind.value}; it has {sorted(keys)}")


def parse_content(kind: ContentKind, raw: Any, path: str) -> Content:
    """Parse content of `kind`; every problem of its fields is reported at once."""
    if not isinstance(raw, Mapping):
        raise DefinitionError(path, f"content must be an object with the fields of a {kind.value}")
    found = Collector()
    if kind is ContentKind.BANNER:
        keys = {"title", "subtitle", "imageUrl", "altText", "cta", "link", "textColour", "backgroundColour"}
        found.attempt(lambda: _allowed(raw, keys, path, kind))
        why_alt = " for a banner image (screen readers read it)"
        title = found.attempt(lambda: _text(raw, "title", path, required=True, why=" for a banner"))
        image = found.attempt(lambda: _url(raw, "imageUrl", path, required=True, why=" for a banner"))
        alt = found.attempt(lambda: _text(raw, "altText", path, required=True, why=why_alt))
        link = found.attempt(lambda: _url(raw, "link", path, required=True, why=": where the banner leads"))
        subtitle = found.attempt(lambda: _text(raw, "subtitle", path, required=False))
        cta = found.attempt(lambda: _text(raw, "cta", path, required=False))
        text_colour = found.attempt(lambda: _colour(raw, "textColour", path))
        background = found.attempt(lambda: _colour(raw, "backgroundColour", path))
        banner = Banner(title or "", image or "", alt or "", link or "", subtitle, cta, text_colour, background)
        found.check()
        return banner
    if kind is ContentKind.PRODUCT_CAROUSEL:
        found.attempt(lambda: _allowed(raw, {"title", "strategy", "productIds"}, path, kind))
        title = found.attempt(lambda: _text(raw, "title", path, required=True, why=" for a product carousel"))
        strategy = found.attempt(lambda: _strategy(raw.get("strategy"), f"{path}.strategy"))
        ids = raw.get("productIds", [])
        if not isinstance(ids, list) or not all(isinstance(i, str) and i for i in ids):
            found.add(f"{path}.productIds", "must be a list of product ids")
            ids = []
        elif len(ids) > MAX_PRODUCTS:
            found.add(f"{path}.productIds", f"at most {MAX_PRODUCTS} products")
        if strategy is None and raw.get("strategy") is None and not ids and not found.failed:
            found.add(path, "a product carousel needs a strategy or a fixed list of productIds (or both)")
        found.check()
        return ProductCarousel(title or "", strategy, tuple(dict.fromkeys(ids)))
    if kind is ContentKind.HTML_BLOCK:
        found.attempt(lambda: _allowed(raw, {"html"}, path, kind))
        html = raw.get("html")
        if not isinstance(html, str) or not html.strip():
            found.add(f"{path}.html", "required for an HTML block")
        elif len(html) > MAX_HTML:
            found.add(f"{path}.html", f"at most {MAX_HTML} characters")
        found.check()
        assert isinstance(html, str)
        return HtmlBlock(html)
    found.attempt(lambda: _allowed(raw, {"data"}, path, kind))
    data = raw.get("data")
    if not isinstance(data, Mapping):
        found.add(f"{path}.data", "required: a JSON object")
    found.check()
    assert isinstance(data, Mapping)
    return JsonContent(dict(data))
