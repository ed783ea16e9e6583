"""A deterministic demo catalogue: brands, a three-level category tree, and products.

`generate_catalog(count, seed)` returns the same `CatalogueContents` for the same arguments on
every run and machine: all randomness comes from one `random.Random(seed)`, consumed in a
fixed order, and nothing iterates a set or depends on hashing or the clock. The words
come from `gateway.demo.vocabulary`; this module only combines them.
"""

from __future__ import annotations

import random
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from gateway.catalogue import (
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
    fold,
)
from gateway.demo.vocabulary import (
    ADJECTIVES,
    BRANDS,
    CLOSINGS,
    COLOURS,
    CROSS_LISTINGS,
    IMAGE_VIEWS,
    INGREDIENT_SENTENCES,
    INTROS,
    MATERIAL_SENTENCES,
    MATERIALS,
    MODEL_NAMES,
    MODEL_SUFFIXES,
    PL_POSLUZY,
    PL_SPRAWDZI,
    PL_WYKONANY,
    RANDOM_TAGS,
    SIZE_SYSTEMS,
    TAG_ECO,
    TAG_NEW,
    TAG_SALE,
    THEMES,
    TREE,
    Adjective,
    BrandSpec,
    ExtraAttribute,
    Leaf,
    Material,
    Noun,
    Term,
    all_leaves,
    pl_from,
)

DEFAULT_COUNT = 2400
DEFAULT_SEED = 20261122
IMAGE_HOST = "https://img.vitrine.example"

# Shares of the catalogue, chosen to look like a real shop's long tail.
_EUR_SHARE = 0.15
_ON_SALE_SHARE = 0.25
_OUT_OF_STOCK_SHARE = 0.10
_NEW_SHARE = 0.15
_SECOND_CATEGORY_SHARE = 0.20
_ADJECTIVE_SHARE = 0.45
_NAME_ATTEMPTS = 40

_CENT = Decimal("0.01")
# Amounts are whole units minus one of these, so prices end in .00, .99 or (EUR) .95.
_ENDINGS: Mapping[str, tuple[Decimal, ...]] = {
    "PLN": (Decimal("0.00"), Decimal("0.01")),
    "EUR": (Decimal("0.00"), Decimal("0.01"), Decimal("0.05")),
}
_NON_SLUG = re.compile(r"[^a-z0-9]+")


def slugify(text: str) -> str:
    """ASCII, lower-case, hyphen-separated: 'Żuraw Świt — beżowe' -> 'zuraw-swit-bezowe'."""
    folded = fold(text).replace("'", "").replace("’", "")
    return _NON_SLUG.sub("-", folded).strip("-") or "item"


def build_categories() -> tuple[Category, ...]:
    """The category tree from the vocabulary, roots first, each parent before its children."""
    out: list[Category] = []
    for root in TREE:
        root_id = CategoryId(f"c-{root.key}")
        out.append(Category(root_id, None, _names(root.name), root.key, (root_id,)))
        for branch in root.branches:
            branch_id = CategoryId(f"c-{branch.key}")
            out.append(Category(branch_id, root_id, _names(branch.name), branch.key, (root_id, branch_id)))
            for leaf in branch.leaves:
                leaf_id = CategoryId(f"c-{leaf.key}")
                path = (root_id, branch_id, leaf_id)
                out.append(Category(leaf_id, branch_id, _names(leaf.name), leaf.key, path))
    return tuple(out)


def build_brands() -> tuple[Brand, ...]:
    return tuple(_brand(spec) for spec in BRANDS)


def generate_catalog(count: int = DEFAULT_COUNT, seed: int = DEFAULT_SEED) -> CatalogueContents:
    """`count` products with brands and categories; identical output for identical arguments."""
    if count < 0:
        raise ValueError(f"count must be >= 0, got {count}")
    rng = random.Random(seed)
    state = _State(width=max(5, len(str(count))))
    products = tuple(_product(rng, n, state) for n in range(1, count + 1))
    return CatalogueContents(brands=build_brands(), categories=build_categories(), products=products)


# --- internals -------------------------------------------------------------------------


def _names(term: Term) -> dict[str, str]:
    return {"en": term.en, "pl": term.pl}


def _brand(spec: BrandSpec) -> Brand:
    slug = slugify(spec.name)
    return Brand(BrandId(f"b-{slug}"), spec.name, slug)


def _related() -> dict[str, list[str]]:
    related: dict[str, list[str]] = {}
    for a, b in CROSS_LISTINGS:
        related.setdefault(a, []).append(b)
        related.setdefault(b, []).append(a)
    return related


class _State:
    """What one generation run remembers: names and slugs already used, lookup tables."""

    def __init__(self, width: int) -> None:
        self.width = width
        self.leaves: tuple[tuple[str, Leaf], ...] = tuple((root.key, leaf) for root, _, leaf in all_leaves())
        self.related = _related()
        self.brands_by_root: dict[str, list[BrandSpec]] = {}
        for spec in BRANDS:
            for root_key in spec.roots:
                self.brands_by_root.setdefault(root_key, []).append(spec)
        self.names: set[str] = set()  # only membership is asked, never iteration order
        self.slugs: dict[str, set[str]] = {"en": set(), "pl": set()}

    def unique_slug(self, locale: str, name: str) -> str:
        used = self.slugs[locale]
        base = slugify(name)
        slug, n = base, 2
        while slug in used:
            slug, n = f"{base}-{n}", n + 1
        used.add(slug)
        return slug


@dataclass(frozen=True, slots=True)
class _Facts:
    """The choices that make one product; both translations are rendered from them."""

    brand: str
    model: str
    noun: Noun
    adjective: Adjective | None
    colour: Adjective | None
    material: Material
    size: str
    extras: tuple[tuple[ExtraAttribute, Term], ...]


def _product(rng: random.Random, n: int, state: _State) -> Product:
    root_key, leaf = rng.choice(state.leaves)
    brands = state.brands_by_root[root_key]
    spec = rng.choices(brands, weights=[b.popularity for b in brands])[0]
    brand = _brand(spec)
    noun = rng.choice(leaf.nouns)
    adjective = rng.choice(ADJECTIVES[leaf.adjectives]) if rng.random() < _ADJECTIVE_SHARE else None
    colour = rng.choice(COLOURS) if leaf.suffix == "colour" else None
    material = MATERIALS[rng.choice(leaf.materials)]
    size = rng.choice(SIZE_SYSTEMS[leaf.sizes].values)
    extras = tuple((extra, rng.choice(extra.values)) for extra in leaf.extras)

    facts = _name_facts(rng, state, leaf, _Facts(spec.name, "", noun, adjective, colour, material, size, extras))
    name_en, name_pl = _name(leaf, facts)

    pid = ProductId(f"p-{n:0{state.width}d}")
    categories = [CategoryId(f"c-{leaf.key}")]
    related = state.related.get(leaf.key, [])
    if related and rng.random() < _SECOND_CATEGORY_SHARE:
        categories.append(CategoryId(f"c-{rng.choice(related)}"))

    currency = "EUR" if rng.random() < _EUR_SHARE else "PLN"
    low, high = leaf.price.bounds(currency)
    price = _nice_amount(rng, rng.uniform(low, high), currency)
    compare_at = None
    if rng.random() < _ON_SALE_SHARE:
        compare_at = Money(_compare_at(rng, price, currency), currency)
    stock = _stock(rng)

    en_text, pl_text = _describe(rng, leaf, facts)
    width, height = leaf.image
    images = tuple(
        Image(
            url=f"{IMAGE_HOST}/products/{pid}/{i}.jpg",
            alt=f"{name_en}, {IMAGE_VIEWS[i - 1]}" if IMAGE_VIEWS[i - 1] else name_en,
            width=width,
            height=height,
        )
        for i in range(1, rng.randint(1, len(IMAGE_VIEWS)) + 1)
    )
    return Product(
        id=pid,
        sku=f"{brand.slug.replace('-', '')[:3].upper()}-{_leaf_code(leaf)}-{n:0{state.width}d}",
        brand_id=brand.id,
        category_ids=tuple(categories),
        price=Money(price, currency),
        compare_at_price=compare_at,
        stock=stock,
        images=images,
        attributes=_attributes(leaf, facts),
        translations={
            "en": Translation(name_en, en_text, state.unique_slug("en", name_en)),
            "pl": Translation(name_pl, pl_text, state.unique_slug("pl", name_pl)),
        },
        tags=_tags(rng, material, compare_at is not None),
    )


def _name_facts(rng: random.Random, state: _State, leaf: Leaf, facts: _Facts) -> _Facts:
    """Pick a model name that gives a product name not used yet (the last try is kept anyway)."""
    chosen = facts
    for _ in range(_NAME_ATTEMPTS):
        model = rng.choice(MODEL_NAMES) + rng.choice(MODEL_SUFFIXES)
        chosen = _Facts(
            facts.brand, model, facts.noun, facts.adjective, facts.colour, facts.material, facts.size, facts.extras
        )
        name_en, name_pl = _name(leaf, chosen)
        if name_en not in state.names and name_pl not in state.names:
            break
    name_en, name_pl = _name(leaf, chosen)
    state.names.update((name_en, name_pl))
    return chosen


def _name(leaf: Leaf, facts: _Facts) -> tuple[str, str]:
    """('Nordvik Ridgeline lightweight trail runners — navy', 'Lekkie buty trailowe Nordvik Ridgeline — granatowe')."""
    gender = facts.noun.gender
    noun_en = f"{facts.adjective.en} {facts.noun.en}" if facts.adjective else facts.noun.en
    noun_pl = f"{facts.adjective.pl_for(gender)} {facts.noun.pl}" if facts.adjective else facts.noun.pl
    if leaf.suffix == "colour" and facts.colour is not None:
        tail_en, tail_pl = facts.colour.en, facts.colour.pl_for(gender)
    elif leaf.suffix == "material":
        tail_en, tail_pl = facts.material.en, facts.material.pl
    elif leaf.suffix == "size":
        tail_en = tail_pl = facts.size
    else:
        return f"{facts.brand} {facts.model} {noun_en}", f"{_cap(noun_pl)} {facts.brand} {facts.model}"
    return (
        f"{facts.brand} {facts.model} {noun_en} — {tail_en}",
        f"{_cap(noun_pl)} {facts.brand} {facts.model} — {tail_pl}",
    )


def _describe(rng: random.Random, leaf: Leaf, facts: _Facts) -> tuple[str, str]:
    """Two to four sentences; the same template choices render both locales."""
    theme = THEMES[leaf.theme]
    templates: list[Term] = [rng.choice(INTROS)]
    if rng.random() < 0.8:
        pool = INGREDIENT_SENTENCES if leaf.material_attribute == "ingredient" else MATERIAL_SENTENCES
        templates.append(rng.choice(pool))
    add_feature = rng.random() < 0.7
    if add_feature or len(templates) == 1:
        templates.append(rng.choice(theme.features))
    if rng.random() < 0.6:
        templates.append(rng.choice(_closings(leaf, facts)))

    noun, gender, material = facts.noun, facts.noun.gender, facts.material
    en_slots = {
        "brand": facts.brand,
        "model": facts.model,
        "noun": noun.en,
        "use": theme.use.en,
        "who": theme.who.en,
        "is_are": "are" if noun.en_plural else "is",
        "it": "they" if noun.en_plural else "it",
        "It": "They" if noun.en_plural else "It",
        "it_them": "them" if noun.en_plural else "it",
        "material": material.en,
        "Material": _cap(material.en),
    }
    pl_slots = {
        "brand": facts.brand,
        "model": facts.model,
        "Noun": _cap(noun.pl),
        "use": theme.use.pl,
        "who": theme.who.pl,
        "sprawdzi": PL_SPRAWDZI[gender],
        "posluzy": PL_POSLUZY[gender],
        "wykonany": PL_WYKONANY.pl_for(gender),
        "material": material.pl,
        "Material": _cap(material.pl),
        "material_genitive": material.pl_genitive,
        "z_material": pl_from(material.pl_genitive),
    }
    en = " ".join(t.en.format(**en_slots) for t in templates)
    pl = " ".join(t.pl.format(**pl_slots) for t in templates)
    return en, pl


def _closings(leaf: Leaf, facts: _Facts) -> Sequence[Term]:
    """Closing sentences that fit this product: its size, a specific attribute, or shop notes."""
    options: list[Term] = list(CLOSINGS)
    sentence = SIZE_SYSTEMS[leaf.sizes].sentence
    if sentence is not None:
        options.append(Term(sentence.en.replace("{size}", facts.size), sentence.pl.replace("{size}", facts.size)))
    for extra, value in facts.extras:
        options.append(Term(f"{extra.label.en}: {value.en}.", f"{extra.label.pl}: {value.pl}."))
    return options


def _attributes(leaf: Leaf, facts: _Facts) -> tuple[Attribute, ...]:
    attributes: list[Attribute] = []
    if facts.colour is not None:
        attributes.append(Attribute("colour", facts.colour.en))
    attributes.append(Attribute("size", facts.size))
    attributes.append(Attribute(leaf.material_attribute, facts.material.en))
    attributes.extend(Attribute(extra.name, value.en) for extra, value in facts.extras)
    return tuple(attributes)


def _tags(rng: random.Random, material: Material, on_sale: bool) -> tuple[str, ...]:
    tags: list[str] = []
    if rng.random() < _NEW_SHARE:
        tags.append(TAG_NEW)
    if material.eco and rng.random() < 0.7:
        tags.append(TAG_ECO)
    if on_sale:
        tags.append(TAG_SALE)
    tags.extend(tag for tag, share in RANDOM_TAGS if rng.random() < share)
    return tuple(tags)


def _stock(rng: random.Random) -> int:
    if rng.random() < _OUT_OF_STOCK_SHARE:
        return 0
    # Most lines are thin (a few dozen units); some are deep.
    return rng.randint(1, 40) if rng.random() < 0.7 else rng.randint(41, 400)


def _step(raw: float) -> int:
    """Price granularity: cheap goods move in single units, expensive ones in tens or fifties."""
    if raw < 50:
        return 1
    if raw < 200:
        return 5
    if raw < 1000:
        return 10
    return 50


def _nice_amount(rng: random.Random, raw: float, currency: str) -> Decimal:
    step = _step(raw)
    base = max(step, round(raw / step) * step)
    return (Decimal(base) - rng.choice(_ENDINGS[currency])).quantize(_CENT)


def _compare_at(rng: random.Random, price: Decimal, currency: str) -> Decimal:
    """A former price 15-60 % above `price`, rounded like a shelf price, always strictly higher."""
    amount = _nice_amount(rng, float(price) * rng.uniform(1.15, 1.6), currency)
    while amount <= price:
        amount += _step(float(amount))
    return amount.quantize(_CENT)


def _leaf_code(leaf: Leaf) -> str:
    return "".join(word[0] for word in leaf.key.split("-"))[:3].upper()


def _cap(text: str) -> str:
    """Upper-case the first character only ('trail runners' -> 'Trail runners', 'TPE foam' stays)."""
    return text[:1].upper() + text[1:]
