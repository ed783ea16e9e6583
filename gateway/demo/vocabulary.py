"""Hand-written vocabulary for the demo catalogue, in English and Polish.

Everything here is original text written for Vitrine: the brand and model names are
invented (any resemblance to a real trademark is accidental), and no third-party data
set was used. The generator in `gateway.demo.catalog_generator` combines these words;
this module holds data only, plus the tiny helpers that pick Polish grammatical forms.

Polish agreement: adjectives and participles agree with the noun's gender. `Gender`
"pl" marks a non-virile plural noun (buty, jeansy, grabie): it takes the same adjective
ending as the neuter singular and a plural verb. Templates therefore get the correct
form from `Adjective.pl_for(gender)` and the verb tables `PL_SPRAWDZI` / `PL_POSLUZY`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

Gender = Literal["m", "f", "n", "pl"]
NameSuffix = Literal["colour", "size", "material", "none"]


@dataclass(frozen=True, slots=True)
class Term:
    """One piece of text in both locales."""

    en: str
    pl: str


@dataclass(frozen=True, slots=True)
class Noun:
    """What a product is called. `en_plural` drives English verbs (the shoes are)."""

    en: str
    pl: str
    gender: Gender
    en_plural: bool = False


@dataclass(frozen=True, slots=True)
class Adjective:
    """An adjective (also a colour) with its Polish masculine, feminine and neuter forms."""

    en: str
    pl_m: str
    pl_f: str
    pl_n: str

    def pl_for(self, gender: Gender) -> str:
        """The nominative form agreeing with a noun of `gender` (neuter serves plurals)."""
        if gender == "m":
            return self.pl_m
        if gender == "f":
            return self.pl_f
        return self.pl_n


@dataclass(frozen=True, slots=True)
class Material:
    """A material (or, for cosmetics, a key ingredient). `en` is the attribute value."""

    en: str
    pl: str
    pl_genitive: str
    eco: bool = False


@dataclass(frozen=True, slots=True)
class ExtraAttribute:
    """A category-specific attribute: stored under `name` with the English value."""

    name: str
    label: Term
    values: tuple[Term, ...]


@dataclass(frozen=True, slots=True)
class SizeSystem:
    """How a category is sized. `sentence` has a `{size}` slot; None for one-size goods."""

    key: str
    values: tuple[str, ...]
    sentence: Term | None


@dataclass(frozen=True, slots=True)
class PriceBand:
    """Typical shelf prices of a leaf category, in whole units, per currency."""

    pln: tuple[int, int]
    eur: tuple[int, int]

    def bounds(self, currency: str) -> tuple[int, int]:
        return self.eur if currency == "EUR" else self.pln


@dataclass(frozen=True, slots=True)
class Theme:
    """Copy shared by similar categories: what the goods are for and who buys them.

    `use` completes "made for …" / "sprawdzi się …"; `who` completes "people who …" /
    "osób, które …". Features are whole sentences, written so that they agree with any
    noun of the categories using the theme (no gendered pronouns in Polish).
    """

    use: Term
    who: Term
    features: tuple[Term, ...]


@dataclass(frozen=True, slots=True)
class Leaf:
    """A leaf category and everything the generator needs to invent its products."""

    key: str
    name: Term
    nouns: tuple[Noun, ...]
    theme: str
    adjectives: str
    materials: tuple[str, ...]
    sizes: str
    price: PriceBand
    extras: tuple[ExtraAttribute, ...] = ()
    suffix: NameSuffix = "colour"
    material_attribute: str = "material"
    image: tuple[int, int] = (800, 800)


@dataclass(frozen=True, slots=True)
class Branch:
    key: str
    name: Term
    leaves: tuple[Leaf, ...]


@dataclass(frozen=True, slots=True)
class Root:
    key: str
    name: Term
    branches: tuple[Branch, ...]


@dataclass(frozen=True, slots=True)
class BrandSpec:
    """An invented brand, the root categories it sells in, and a 1-5 popularity weight."""

    name: str
    roots: tuple[str, ...]
    popularity: int


# --- small constructors that keep the tables below readable ---------------------------


def _t(en: str, pl: str) -> Term:
    return Term(en, pl)


def _same(*values: str) -> tuple[Term, ...]:
    """Values written identically in both locales (numbers with units)."""
    return tuple(Term(v, v) for v in values)


def _band(pln_lo: int, pln_hi: int, eur_lo: int, eur_hi: int) -> PriceBand:
    return PriceBand((pln_lo, pln_hi), (eur_lo, eur_hi))


def _n(en: str, pl: str, gender: Gender, en_plural: bool = False) -> Noun:
    return Noun(en, pl, gender, en_plural)


# --- adjectives and colours ------------------------------------------------------------

ADJECTIVES: Mapping[str, tuple[Adjective, ...]] = {
    "wear": (
        Adjective("lightweight", "lekki", "lekka", "lekkie"),
        Adjective("breathable", "oddychający", "oddychająca", "oddychające"),
        Adjective("classic", "klasyczny", "klasyczna", "klasyczne"),
        Adjective("comfortable", "wygodny", "wygodna", "wygodne"),
        Adjective("versatile", "uniwersalny", "uniwersalna", "uniwersalne"),
        Adjective("minimalist", "minimalistyczny", "minimalistyczna", "minimalistyczne"),
    ),
    "gear": (
        Adjective("durable", "wytrzymały", "wytrzymała", "wytrzymałe"),
        Adjective("compact", "kompaktowy", "kompaktowa", "kompaktowe"),
        Adjective("versatile", "uniwersalny", "uniwersalna", "uniwersalne"),
        Adjective("reliable", "niezawodny", "niezawodna", "niezawodne"),
    ),
    "home": (
        Adjective("modern", "nowoczesny", "nowoczesna", "nowoczesne"),
        Adjective("classic", "klasyczny", "klasyczna", "klasyczne"),
        Adjective("elegant", "elegancki", "elegancka", "eleganckie"),
        Adjective("practical", "praktyczny", "praktyczna", "praktyczne"),
        Adjective("timeless", "ponadczasowy", "ponadczasowa", "ponadczasowe"),
    ),
    "garden": (
        Adjective("durable", "wytrzymały", "wytrzymała", "wytrzymałe"),
        Adjective("practical", "praktyczny", "praktyczna", "praktyczne"),
        Adjective("classic", "klasyczny", "klasyczna", "klasyczne"),
        Adjective("sturdy", "solidny", "solidna", "solidne"),
    ),
    "care": (
        Adjective("gentle", "delikatny", "delikatna", "delikatne"),
        Adjective("nourishing", "odżywczy", "odżywcza", "odżywcze"),
        Adjective("moisturising", "nawilżający", "nawilżająca", "nawilżające"),
        Adjective("soothing", "kojący", "kojąca", "kojące"),
        Adjective("vegan", "wegański", "wegańska", "wegańskie"),
    ),
    "toys": (
        Adjective("colourful", "kolorowy", "kolorowa", "kolorowe"),
        Adjective("creative", "kreatywny", "kreatywna", "kreatywne"),
        Adjective("classic", "klasyczny", "klasyczna", "klasyczne"),
        Adjective("educational", "edukacyjny", "edukacyjna", "edukacyjne"),
    ),
    "tech": (
        Adjective("compact", "kompaktowy", "kompaktowa", "kompaktowe"),
        Adjective("durable", "wytrzymały", "wytrzymała", "wytrzymałe"),
        Adjective("lightweight", "lekki", "lekka", "lekkie"),
        Adjective("modern", "nowoczesny", "nowoczesna", "nowoczesne"),
    ),
    "acc": (
        Adjective("elegant", "elegancki", "elegancka", "eleganckie"),
        Adjective("classic", "klasyczny", "klasyczna", "klasyczne"),
        Adjective("minimalist", "minimalistyczny", "minimalistyczna", "minimalistyczne"),
        Adjective("versatile", "uniwersalny", "uniwersalna", "uniwersalne"),
        Adjective("lightweight", "lekki", "lekka", "lekkie"),
    ),
}

COLOURS: tuple[Adjective, ...] = (
    Adjective("navy", "granatowy", "granatowa", "granatowe"),
    Adjective("black", "czarny", "czarna", "czarne"),
    Adjective("white", "biały", "biała", "białe"),
    Adjective("grey", "szary", "szara", "szare"),
    Adjective("charcoal", "grafitowy", "grafitowa", "grafitowe"),
    Adjective("olive", "oliwkowy", "oliwkowa", "oliwkowe"),
    Adjective("forest green", "ciemnozielony", "ciemnozielona", "ciemnozielone"),
    Adjective("sage", "szałwiowy", "szałwiowa", "szałwiowe"),
    Adjective("burgundy", "bordowy", "bordowa", "bordowe"),
    Adjective("red", "czerwony", "czerwona", "czerwone"),
    Adjective("terracotta", "terakotowy", "terakotowa", "terakotowe"),
    Adjective("mustard", "musztardowy", "musztardowa", "musztardowe"),
    Adjective("sand", "piaskowy", "piaskowa", "piaskowe"),
    Adjective("beige", "beżowy", "beżowa", "beżowe"),
    Adjective("cream", "kremowy", "kremowa", "kremowe"),
    Adjective("brown", "brązowy", "brązowa", "brązowe"),
    Adjective("sky blue", "błękitny", "błękitna", "błękitne"),
    Adjective("teal", "morski", "morska", "morskie"),
    Adjective("pink", "różowy", "różowa", "różowe"),
    Adjective("lilac", "liliowy", "liliowa", "liliowe"),
    Adjective("orange", "pomarańczowy", "pomarańczowa", "pomarańczowe"),
    Adjective("yellow", "żółty", "żółta", "żółte"),
)

# --- materials and cosmetic ingredients --------------------------------------------------

_MATERIAL_LIST: tuple[Material, ...] = (
    Material("mesh", "siateczka", "siateczki"),
    Material("engineered knit", "dzianina techniczna", "dzianiny technicznej"),
    Material("recycled polyester", "poliester z recyklingu", "poliestru z recyklingu", eco=True),
    Material("full-grain leather", "skóra licowa", "skóry licowej"),
    Material("suede", "zamsz", "zamszu"),
    Material("nubuck", "nubuk", "nubuku"),
    Material("canvas", "płótno", "płótna"),
    Material("felt", "filc", "filcu"),
    Material("organic cotton", "bawełna organiczna", "bawełny organicznej", eco=True),
    Material("cotton", "bawełna", "bawełny"),
    Material("linen", "len", "lnu", eco=True),
    Material("merino wool", "wełna merino", "wełny merino"),
    Material("viscose", "wiskoza", "wiskozy"),
    Material("denim", "denim", "denimu"),
    Material("cotton twill", "diagonal bawełniany", "diagonalu bawełnianego"),
    Material("fleece", "polar", "polaru"),
    Material("wool blend", "mieszanka wełny", "mieszanki wełny"),
    Material("nylon", "nylon", "nylonu"),
    Material("softshell", "softshell", "softshellu"),
    Material("waxed cotton", "woskowana bawełna", "woskowanej bawełny"),
    Material("ripstop nylon", "nylon ripstop", "nylonu ripstop"),
    Material("down", "puch", "puchu"),
    Material("synthetic insulation", "ocieplina syntetyczna", "ociepliny syntetycznej"),
    Material("TPE foam", "pianka TPE", "pianki TPE"),
    Material("natural rubber", "kauczuk naturalny", "kauczuku naturalnego", eco=True),
    Material("cork", "korek", "korka", eco=True),
    Material("cast iron", "żeliwo", "żeliwa"),
    Material("steel", "stal", "stali"),
    Material("polycarbonate", "poliwęglan", "poliwęglanu"),
    Material("EPS foam", "pianka EPS", "pianki EPS"),
    Material("aluminium", "aluminium", "aluminium"),
    Material("stainless steel", "stal nierdzewna", "stali nierdzewnej"),
    Material("carbon steel", "stal węglowa", "stali węglowej"),
    Material("enamelled cast iron", "żeliwo emaliowane", "żeliwa emaliowanego"),
    Material("Damascus steel", "stal damasceńska", "stali damasceńskiej"),
    Material("borosilicate glass", "szkło borosilikatowe", "szkła borosilikatowego"),
    Material("stoneware", "kamionka", "kamionki"),
    Material("velvet", "welur", "weluru"),
    Material("wool", "wełna", "wełny"),
    Material("jute", "juta", "juty", eco=True),
    Material("brass", "mosiądz", "mosiądzu"),
    Material("oak", "drewno dębowe", "drewna dębowego"),
    Material("rattan", "rattan", "rattanu", eco=True),
    Material("ceramic", "ceramika", "ceramiki"),
    Material("cotton satin", "satyna bawełniana", "satyny bawełnianej"),
    Material("cotton terry", "bawełna frotte", "bawełny frotte"),
    Material("bamboo viscose", "wiskoza bambusowa", "wiskozy bambusowej", eco=True),
    Material("acacia wood", "drewno akacjowe", "drewna akacjowego"),
    Material("teak", "drewno tekowe", "drewna tekowego"),
    Material("powder-coated steel", "stal malowana proszkowo", "stali malowanej proszkowo"),
    Material("synthetic rattan", "technorattan", "technorattanu"),
    Material("terracotta", "terakota", "terakoty"),
    Material("recycled plastic", "tworzywo z recyklingu", "tworzywa z recyklingu", eco=True),
    Material("ash wood", "drewno jesionowe", "drewna jesionowego"),
    Material("beech wood", "drewno bukowe", "drewna bukowego"),
    Material("ABS plastic", "tworzywo ABS", "tworzywa ABS"),
    Material("plush", "plusz", "pluszu"),
    Material("cardboard", "tektura", "tektury", eco=True),
    Material("sterling silver", "srebro próby 925", "srebra próby 925"),
    Material("gold-plated brass", "mosiądz pozłacany", "mosiądzu pozłacanego"),
    Material("surgical steel", "stal chirurgiczna", "stali chirurgicznej"),
    Material("leather", "skóra naturalna", "skóry naturalnej"),
    Material("vegan leather", "skóra wegańska", "skóry wegańskiej", eco=True),
    Material("silicone", "silikon", "silikonu"),
    Material("recycled aluminium", "aluminium z recyklingu", "aluminium z recyklingu", eco=True),
    Material("polyester", "poliester", "poliestru"),
    Material("acrylic", "akryl", "akrylu"),
    Material("cashmere blend", "mieszanka kaszmiru", "mieszanki kaszmiru"),
    Material("glass", "szkło", "szkła"),
    # Cosmetic ingredients share the shape: nominative and genitive.
    Material("hyaluronic acid", "kwas hialuronowy", "kwasu hialuronowego"),
    Material("shea butter", "masło shea", "masła shea"),
    Material("niacinamide", "niacynamid", "niacynamidu"),
    Material("vitamin C", "witamina C", "witaminy C"),
    Material("aloe vera", "aloes", "aloesu"),
    Material("squalane", "skwalan", "skwalanu"),
    Material("oat extract", "ekstrakt z owsa", "ekstraktu z owsa", eco=True),
    Material("ceramides", "ceramidy", "ceramidów"),
    Material("panthenol", "pantenol", "pantenolu"),
    Material("green tea extract", "ekstrakt z zielonej herbaty", "ekstraktu z zielonej herbaty", eco=True),
)

MATERIALS: Mapping[str, Material] = {m.en: m for m in _MATERIAL_LIST}

# --- size systems ------------------------------------------------------------------------

_AVAILABLE = Term("Available in sizes {size}.", "Dostępne rozmiary: {size}.")
_DIMENSIONS = Term("Dimensions: {size}.", "Wymiary: {size}.")
_HEIGHTS = Term("Available for heights {size}.", "Dostępne rozmiary dla wzrostu {size}.")
_VOLUME = Term("Volume: {size}.", "Pojemność: {size}.")

_SIZE_LIST: tuple[SizeSystem, ...] = (
    SizeSystem(
        "shoe-eu",
        ("35–41", "36–42", "38–46", "39–47", "40–46"),
        Term("Available in EU sizes {size}.", "Dostępne rozmiary EU: {size}."),
    ),
    SizeSystem("letter", ("XS–XL", "S–XL", "S–XXL", "M–XXL", "XS–L"), _AVAILABLE),
    SizeSystem(
        "waist",
        ("W28–W36", "W30–W38", "W29–W40"),
        Term("Available in waist sizes {size}.", "Dostępne rozmiary w pasie: {size}."),
    ),
    SizeSystem("baby-height", ("50–62 cm", "56–74 cm", "62–86 cm"), _HEIGHTS),
    SizeSystem("kids-height", ("92–128 cm", "104–140 cm", "110–152 cm"), _HEIGHTS),
    SizeSystem("one-size", ("one size",), None),
    SizeSystem("cushion-cm", ("40 × 40 cm", "45 × 45 cm", "50 × 50 cm", "30 × 50 cm"), _DIMENSIONS),
    SizeSystem("rug-cm", ("80 × 150 cm", "120 × 170 cm", "160 × 230 cm", "200 × 290 cm"), _DIMENSIONS),
    SizeSystem("bedding-cm", ("135 × 200 cm", "140 × 200 cm", "160 × 200 cm", "200 × 220 cm"), _DIMENSIONS),
    SizeSystem("throw-cm", ("130 × 170 cm", "150 × 200 cm", "200 × 220 cm"), _DIMENSIONS),
    SizeSystem("towel-cm", ("30 × 50 cm", "50 × 90 cm", "70 × 140 cm", "100 × 150 cm"), _DIMENSIONS),
    SizeSystem("bathmat-cm", ("50 × 70 cm", "60 × 90 cm", "50 × 120 cm"), _DIMENSIONS),
    SizeSystem(
        "pan-cm",
        ("16 cm", "20 cm", "24 cm", "28 cm"),
        Term("Diameter: {size}.", "Średnica: {size}."),
    ),
    SizeSystem("table-cm", ("80 × 80 cm", "120 × 80 cm", "160 × 90 cm", "Ø 90 cm"), _DIMENSIONS),
    SizeSystem("planter-cm", ("Ø 20 cm", "Ø 30 cm", "Ø 40 cm", "Ø 50 cm"), _DIMENSIONS),
    SizeSystem("face-ml", ("15 ml", "30 ml", "50 ml"), _VOLUME),
    SizeSystem("body-ml", ("200 ml", "250 ml", "400 ml", "500 ml"), _VOLUME),
)

SIZE_SYSTEMS: Mapping[str, SizeSystem] = {s.key: s for s in _SIZE_LIST}

# --- category-specific attributes --------------------------------------------------------

_YES_NO = (_t("yes", "tak"), _t("no", "nie"))
_DROP = ExtraAttribute("drop", _t("Heel-to-toe drop", "Drop"), _same("4 mm", "6 mm", "8 mm", "10 mm"))
_WATERPROOF = ExtraAttribute("waterproof", _t("Waterproof", "Wodoodporność"), _YES_NO)
_FIT = ExtraAttribute(
    "fit", _t("Fit", "Krój"), (_t("slim", "dopasowany"), _t("regular", "regularny"), _t("relaxed", "luźny"))
)
_LENGTH = ExtraAttribute("length", _t("Length", "Długość"), _same("mini", "midi", "maxi"))
_INSULATION = ExtraAttribute(
    "insulation",
    _t("Insulation", "Ocieplenie"),
    (_t("none", "brak"), _t("light", "lekkie"), _t("warm", "ciepłe")),
)
_HOOD = ExtraAttribute("hood", _t("Hood", "Kaptur"), _YES_NO)
_AGE_BLOCKS = ExtraAttribute("age", _t("Age", "Wiek"), _same("3+", "6+", "8+", "12+"))
_AGE_PLUSH = ExtraAttribute("age", _t("Age", "Wiek"), _same("0+", "3+"))
_AGE_GAMES = ExtraAttribute("age", _t("Age", "Wiek"), _same("6+", "8+", "10+", "14+"))
_WEIGHT_KG = ExtraAttribute(
    "weight", _t("Weight", "Waga"), (_t("1.9 kg", "1,9 kg"), _t("2.6 kg", "2,6 kg"), _t("3.8 kg", "3,8 kg"))
)
_SKIN = ExtraAttribute(
    "skin_type",
    _t("Skin type", "Rodzaj skóry"),
    (_t("dry", "sucha"), _t("oily", "tłusta"), _t("combination", "mieszana"), _t("all", "każdy rodzaj")),
)
_BATTERY = ExtraAttribute(
    "battery_life", _t("Battery life", "Czas pracy baterii"), _same("8 h", "12 h", "20 h", "30 h")
)
_CAPACITY_L = ExtraAttribute(
    "capacity",
    _t("Capacity", "Pojemność"),
    (_t("1.5 l", "1,5 l"), _t("2.5 l", "2,5 l"), _t("4 l", "4 l"), _t("6 l", "6 l")),
)

# --- copy themes -----------------------------------------------------------------------

THEMES: Mapping[str, Theme] = {
    "run": Theme(
        _t(
            "daily runs on tarmac, park paths and forest trails",
            "podczas codziennych biegów po asfalcie, parkowych alejkach i leśnych ścieżkach",
        ),
        _t("run several times a week", "biegają kilka razy w tygodniu"),
        (
            _t(
                "A responsive midsole returns energy with every stride.",
                "Sprężysta podeszwa środkowa oddaje energię przy każdym kroku.",
            ),
            _t(
                "The grippy outsole holds well on wet ground.",
                "Przyczepna podeszwa zewnętrzna dobrze trzyma się mokrego podłoża.",
            ),
            _t(
                "A padded heel collar keeps the foot stable over longer distances.",
                "Wyściełany zapiętek stabilizuje stopę na dłuższych dystansach.",
            ),
        ),
    ),
    "outdoor": Theme(
        _t(
            "mountain trails, long walks and summer trips",
            "na górskich szlakach, podczas długich spacerów i letnich wyjazdów",
        ),
        _t("spend their weekends on the trail", "spędzają weekendy na szlaku"),
        (
            _t(
                "A rubber toe cap protects against rocks and roots.",
                "Gumowy nosek chroni przed kamieniami i korzeniami.",
            ),
            _t(
                "A quick-drying lining keeps feet comfortable all day.",
                "Szybkoschnąca wyściółka zapewnia komfort przez cały dzień.",
            ),
            _t(
                "A contoured footbed supports the arch on long walks.",
                "Wyprofilowana wkładka podpiera łuk stopy podczas długich marszów.",
            ),
        ),
    ),
    "street": Theme(
        _t("city streets, the office and weekend plans", "w mieście, w biurze i podczas weekendowych wyjść"),
        _t("want one pair for almost everything", "chcą jednej pary na prawie każdą okazję"),
        (
            _t(
                "A cushioned insole makes long days on your feet easier.",
                "Amortyzująca wkładka ułatwia długie dni na nogach.",
            ),
            _t(
                "The clean silhouette goes with jeans and chinos alike.",
                "Prosta sylwetka pasuje zarówno do jeansów, jak i do chinosów.",
            ),
            _t(
                "Reinforced stitching keeps the shape season after season.",
                "Wzmocnione szwy pomagają zachować fason przez wiele sezonów.",
            ),
        ),
    ),
    "lounge": Theme(
        _t("relaxed evenings at home", "podczas spokojnych wieczorów w domu"),
        _t("value comfort at home", "cenią domowy komfort"),
        (
            _t("A soft lining feels warm from the first minute.", "Miękka podszewka grzeje od pierwszej chwili."),
            _t(
                "The non-slip sole is safe on tiles and wooden floors.",
                "Antypoślizgowa podeszwa jest bezpieczna na płytkach i drewnianej podłodze.",
            ),
        ),
    ),
    "style": Theme(
        _t(
            "the office, weekend outings and everything in between",
            "w biurze, podczas weekendowych wyjść i na co dzień",
        ),
        _t("like simple, well-made clothes", "lubią proste, dobrze uszyte ubrania"),
        (
            _t("The relaxed cut leaves room for layering.", "Luźniejszy krój zostawia miejsce na kolejne warstwy."),
            _t("Flat seams prevent chafing.", "Płaskie szwy nie obcierają skóry."),
            _t(
                "Shape and colour stay put even after many washes.",
                "Fason i kolor pozostają niezmienione nawet po wielu praniach.",
            ),
        ),
    ),
    "outerwear": Theme(
        _t(
            "cold mornings, rainy commutes and autumn walks",
            "w chłodne poranki, w deszczowe dni i podczas jesiennych spacerów",
        ),
        _t("commute whatever the weather", "dojeżdżają do pracy bez względu na pogodę"),
        (
            _t("A water-repellent finish sheds light rain.", "Hydrofobowe wykończenie chroni przed lekkim deszczem."),
            _t(
                "Deep pockets keep your phone and keys safe.",
                "W głębokich kieszeniach bezpiecznie schowasz telefon i klucze.",
            ),
            _t("The adjustable hem keeps the wind out.", "Regulowany dół zatrzymuje wiatr."),
        ),
    ),
    "baby": Theme(
        _t("naps, playtime and first walks", "podczas drzemek, zabawy i pierwszych spacerów"),
        _t(
            "dress their little ones in soft, safe fabrics",
            "ubierają swoje maluchy w miękkie, bezpieczne tkaniny",
        ),
        (
            _t("Snap fastenings make changing quick.", "Zatrzaski ułatwiają szybkie przebieranie."),
            _t("The fabric is gentle on sensitive skin.", "Tkanina jest delikatna dla wrażliwej skóry."),
            _t("Machine washable at 40 °C.", "Można prać w pralce w temperaturze 40 °C."),
        ),
    ),
    "kids-outer": Theme(
        _t(
            "nursery runs, playgrounds and snowy afternoons",
            "w drodze do przedszkola, na placu zabaw i podczas zimowych popołudni",
        ),
        _t("need clothes that survive the playground", "potrzebują ubrań, które przetrwają plac zabaw"),
        (
            _t(
                "Reflective details improve visibility after dark.",
                "Elementy odblaskowe poprawiają widoczność po zmroku.",
            ),
            _t("A fleece lining keeps the cold out.", "Polarowa podszewka chroni przed chłodem."),
            _t("The hood is attached with safe snap fastenings.", "Kaptur jest przypięty na bezpieczne zatrzaski."),
        ),
    ),
    "toys": Theme(
        _t("creative play at home and on holiday", "podczas kreatywnej zabawy w domu i na wakacjach"),
        _t("look for toys that last for years", "szukają zabawek na lata"),
        (
            _t(
                "All parts meet EU toy safety requirements.",
                "Wszystkie elementy spełniają unijne wymogi bezpieczeństwa zabawek.",
            ),
            _t("A thoughtful gift for birthdays and holidays.", "To przemyślany prezent na urodziny i święta."),
            _t("Play builds imagination and teamwork.", "Zabawa rozwija wyobraźnię i uczy współpracy."),
        ),
    ),
    "camp": Theme(
        _t(
            "weekend camping, hiking trips and festivals",
            "na weekendowym biwaku, podczas wędrówek i na festiwalach",
        ),
        _t("sleep outdoors whenever they can", "śpią pod gołym niebem, kiedy tylko mogą"),
        (
            _t(
                "Compression straps keep the packed size small.", "Paski kompresyjne zmniejszają rozmiar po spakowaniu."
            ),
            _t("Seams are taped against rain.", "Szwy są podklejone, więc deszcz nie przecieka."),
            _t(
                "Every component can be repaired rather than replaced.",
                "Każdy element można naprawić zamiast wymieniać.",
            ),
        ),
    ),
    "fitness": Theme(
        _t("home workouts, the gym and yoga classes", "podczas treningów w domu, na siłowni i na zajęciach jogi"),
        _t("train at home", "trenują w domu"),
        (
            _t(
                "The surface is easy to wipe clean after a session.",
                "Powierzchnię łatwo przetrzeć po treningu.",
            ),
            _t("A non-slip finish gives a secure grip.", "Antypoślizgowe wykończenie zapewnia pewny chwyt."),
            _t("Compact enough to store under the bed.", "Łatwo schować pod łóżkiem."),
        ),
    ),
    "cycling": Theme(
        _t("commuting by bike and weekend rides", "podczas dojazdów rowerem i weekendowych wycieczek"),
        _t("ride to work every day", "codziennie dojeżdżają rowerem do pracy"),
        (
            _t("Tool-free mounting takes seconds.", "Montaż bez narzędzi zajmuje kilka sekund."),
            _t(
                "Reflective accents add visibility at dusk.",
                "Odblaskowe akcenty poprawiają widoczność o zmierzchu.",
            ),
            _t(
                "Weather resistance makes year-round riding easy.",
                "Odporność na warunki atmosferyczne pozwala jeździć przez cały rok.",
            ),
        ),
    ),
    "kitchen": Theme(
        _t(
            "everyday cooking and weekend dinners with friends",
            "podczas codziennego gotowania i weekendowych kolacji ze znajomymi",
        ),
        _t("cook at home most days", "gotują w domu prawie codziennie"),
        (
            _t("Balanced weight makes everyday use comfortable.", "Wyważona masa ułatwia codzienne używanie."),
            _t("The manufacturer gives a five-year warranty.", "Producent udziela pięcioletniej gwarancji."),
            _t("A timeless design that suits any kitchen.", "Ponadczasowy wygląd pasuje do każdej kuchni."),
        ),
    ),
    "living": Theme(
        _t(
            "living rooms, reading corners and home offices",
            "w salonie, w kąciku do czytania i w domowym biurze",
        ),
        _t("like a calm, cosy interior", "lubią spokojne, przytulne wnętrza"),
        (
            _t(
                "Muted tones suit both modern and classic interiors.",
                "Stonowany charakter pasuje zarówno do nowoczesnych, jak i klasycznych wnętrz.",
            ),
            _t(
                "Designed in the brand's own studio and made in small batches.",
                "Projekt powstał w studiu marki, a produkcja odbywa się w krótkich seriach.",
            ),
            _t(
                "It looks good next to natural materials such as wood and linen.",
                "Dobrze wygląda w towarzystwie naturalnych materiałów, takich jak drewno i len.",
            ),
        ),
    ),
    "bedbath": Theme(
        _t("everyday comfort in the bedroom and bathroom", "w sypialni i łazience na co dzień"),
        _t("care about good sleep and slow mornings", "dbają o dobry sen i spokojne poranki"),
        (
            _t("Tested for harmful substances.", "Przebadano pod kątem substancji szkodliwych."),
            _t(
                "The fabric gets softer with every wash.",
                "Materiał z każdym praniem staje się coraz bardziej miękki.",
            ),
            _t("Machine washable at 60 °C.", "Można prać w pralce w temperaturze 60 °C."),
        ),
    ),
    "garden": Theme(
        _t(
            "terraces, balconies and summer evenings outdoors",
            "na tarasie, na balkonie i podczas letnich wieczorów na świeżym powietrzu",
        ),
        _t("spend summer evenings outside", "spędzają letnie wieczory na zewnątrz"),
        (
            _t(
                "A UV-resistant finish keeps colours fresh.",
                "Powłoka odporna na promieniowanie UV chroni kolory przed blaknięciem.",
            ),
            _t("Easy to clean with water and mild soap.", "Łatwo wyczyścić wodą z łagodnym mydłem."),
            _t("Spare parts stay available for years.", "Części zamienne są dostępne przez lata."),
        ),
    ),
    "care": Theme(
        _t("morning and evening routines", "w porannej i wieczornej pielęgnacji"),
        _t("keep their routine short and effective", "stawiają na krótką i skuteczną pielęgnację"),
        (
            _t("Dermatologically tested.", "Przebadano dermatologicznie."),
            _t(
                "Absorbs quickly without a sticky feel.",
                "Formuła szybko się wchłania i nie pozostawia lepkiej warstwy.",
            ),
            _t(
                "The bottle is made to be recycled.",
                "Opakowanie nadaje się do recyklingu.",
            ),
        ),
    ),
    "bags": Theme(
        _t(
            "commuting, travel and everyday errands",
            "w drodze do pracy, w podróży i podczas codziennych sprawunków",
        ),
        _t("carry a laptop, a water bottle and a little more", "noszą ze sobą laptopa, bidon i coś jeszcze"),
        (
            _t("Inner pockets keep small things organised.", "Wewnętrzne kieszenie pomagają utrzymać porządek."),
            _t("Adjustable straps spread the weight evenly.", "Regulowane paski równomiernie rozkładają ciężar."),
            _t(
                "Water-repellent fabric protects the contents from drizzle.",
                "Hydrofobowy materiał chroni zawartość przed mżawką.",
            ),
        ),
    ),
    "jewellery": Theme(
        _t("everyday wear and special occasions", "na co dzień i na wyjątkowe okazje"),
        _t("like subtle, lasting details", "lubią subtelne, trwałe detale"),
        (
            _t("Packed in a gift box.", "Pakujemy w pudełko prezentowe."),
            _t(
                "Nickel-free materials are kind to sensitive skin.",
                "Wolne od niklu materiały są przyjazne dla wrażliwej skóry.",
            ),
            _t("Free engraving is available on request.", "Na życzenie wykonamy bezpłatny grawer."),
        ),
    ),
    "winter": Theme(
        _t(
            "frosty mornings and winter weekends in the mountains",
            "w mroźne poranki i podczas zimowych weekendów w górach",
        ),
        _t("don't let the cold keep them indoors", "nie pozwalają, by chłód zatrzymał ich w domu"),
        (
            _t("The knit is soft on the skin and does not itch.", "Dzianina jest miękka w dotyku i nie gryzie."),
            _t("The knit stays warm even when damp.", "Dzianina grzeje nawet wtedy, gdy jest wilgotna."),
        ),
    ),
    "tech": Theme(
        _t("commuting, travel and working from anywhere", "w drodze do pracy, w podróży i podczas pracy zdalnej"),
        _t("are always on the move", "ciągle są w ruchu"),
        (
            _t("The manufacturer gives a two-year warranty.", "Producent zapewnia dwuletnią gwarancję."),
            _t("Drop-tested from 1.2 m.", "Przetestowano pod kątem upadków z wysokości 1,2 m."),
            _t("The packaging is plastic-free.", "Opakowanie nie zawiera plastiku."),
        ),
    ),
}

# --- the category tree -----------------------------------------------------------------

_SHOE_MATERIALS = ("mesh", "engineered knit", "recycled polyester")
_LEATHER_SHOES = ("full-grain leather", "suede", "nubuck", "vegan leather")
_TOPS = ("organic cotton", "cotton", "linen", "viscose", "bamboo viscose")
_KNITS = ("merino wool", "wool blend", "cotton", "cashmere blend")
_OUTER = ("nylon", "recycled polyester", "waxed cotton", "wool blend", "softshell")

TREE: tuple[Root, ...] = (
    Root(
        "footwear",
        _t("Footwear", "Obuwie"),
        (
            Branch(
                "running-shoes",
                _t("Running shoes", "Buty do biegania"),
                (
                    Leaf(
                        "road-running-shoes",
                        _t("Road running shoes", "Buty do biegania po asfalcie"),
                        (
                            _n("running shoes", "buty do biegania", "pl", True),
                            _n("road running shoes", "buty biegowe na asfalt", "pl", True),
                        ),
                        "run",
                        "wear",
                        _SHOE_MATERIALS,
                        "shoe-eu",
                        _band(299, 799, 69, 189),
                        (
                            _DROP,
                            ExtraAttribute(
                                "cushioning",
                                _t("Cushioning", "Amortyzacja"),
                                (_t("light", "lekka"), _t("medium", "średnia"), _t("max", "maksymalna")),
                            ),
                        ),
                    ),
                    Leaf(
                        "trail-running-shoes",
                        _t("Trail running shoes", "Buty do biegania w terenie"),
                        (
                            _n("trail running shoes", "buty do biegania w terenie", "pl", True),
                            _n("trail runners", "buty trailowe", "pl", True),
                        ),
                        "run",
                        "wear",
                        _SHOE_MATERIALS,
                        "shoe-eu",
                        _band(349, 899, 79, 209),
                        (
                            _DROP,
                            ExtraAttribute(
                                "lug_depth",
                                _t("Lug depth", "Wysokość bieżnika"),
                                (_t("3.5 mm", "3,5 mm"), _t("4 mm", "4 mm"), _t("5 mm", "5 mm")),
                            ),
                            _WATERPROOF,
                        ),
                    ),
                ),
            ),
            Branch(
                "outdoor-footwear",
                _t("Outdoor footwear", "Obuwie outdoorowe"),
                (
                    Leaf(
                        "hiking-boots",
                        _t("Hiking boots", "Buty trekkingowe"),
                        (
                            _n("hiking boots", "buty trekkingowe", "pl", True),
                            _n("walking boots", "buty turystyczne", "pl", True),
                        ),
                        "outdoor",
                        "wear",
                        ("full-grain leather", "nubuck", "suede", "recycled polyester"),
                        "shoe-eu",
                        _band(399, 1199, 89, 279),
                        (
                            _WATERPROOF,
                            ExtraAttribute("cut", _t("Cut", "Cholewka"), (_t("mid", "średnia"), _t("high", "wysoka"))),
                        ),
                    ),
                    Leaf(
                        "trekking-sandals",
                        _t("Trekking sandals", "Sandały trekkingowe"),
                        (
                            _n("trekking sandals", "sandały trekkingowe", "pl", True),
                            _n("sport sandals", "sandały sportowe", "pl", True),
                        ),
                        "outdoor",
                        "wear",
                        ("recycled polyester", "nubuck", "natural rubber"),
                        "shoe-eu",
                        _band(129, 449, 29, 109),
                        (
                            ExtraAttribute(
                                "closure",
                                _t("Closure", "Zapięcie"),
                                (_t("hook-and-loop", "rzep"), _t("buckle", "klamra")),
                            ),
                        ),
                    ),
                ),
            ),
            Branch(
                "everyday-shoes",
                _t("Everyday shoes", "Obuwie na co dzień"),
                (
                    Leaf(
                        "sneakers",
                        _t("Sneakers", "Sneakersy"),
                        (
                            _n("sneakers", "sneakersy", "pl", True),
                            _n("retro trainers", "sneakersy w stylu retro", "pl", True),
                        ),
                        "street",
                        "wear",
                        ("canvas", *_LEATHER_SHOES),
                        "shoe-eu",
                        _band(199, 649, 45, 149),
                        (
                            ExtraAttribute(
                                "closure",
                                _t("Closure", "Zapięcie"),
                                (_t("laces", "sznurowadła"), _t("slip-on", "wsuwane")),
                            ),
                        ),
                    ),
                    Leaf(
                        "ankle-boots",
                        _t("Ankle boots", "Botki"),
                        (_n("ankle boots", "botki", "pl", True), _n("Chelsea boots", "sztyblety", "pl", True)),
                        "street",
                        "wear",
                        _LEATHER_SHOES,
                        "shoe-eu",
                        _band(299, 899, 69, 209),
                        (
                            ExtraAttribute(
                                "heel_height", _t("Heel height", "Wysokość obcasa"), _same("2 cm", "4 cm", "6 cm")
                            ),
                        ),
                    ),
                    Leaf(
                        "slippers",
                        _t("Slippers", "Kapcie"),
                        (_n("slippers", "kapcie", "pl", True), _n("house slippers", "pantofle domowe", "pl", True)),
                        "lounge",
                        "wear",
                        ("felt", "wool", "fleece", "cork"),
                        "shoe-eu",
                        _band(59, 199, 14, 45),
                    ),
                ),
            ),
        ),
    ),
    Root(
        "womens-clothing",
        _t("Women's clothing", "Odzież damska"),
        (
            Branch(
                "womens-tops",
                _t("Tops", "Bluzki i koszulki"),
                (
                    Leaf(
                        "womens-t-shirts",
                        _t("T-shirts", "T-shirty"),
                        (_n("T-shirt", "T-shirt", "m"), _n("cropped T-shirt", "krótki T-shirt", "m")),
                        "style",
                        "wear",
                        _TOPS,
                        "letter",
                        _band(39, 149, 9, 35),
                        (_FIT,),
                        image=(800, 1000),
                    ),
                    Leaf(
                        "blouses",
                        _t("Blouses", "Bluzki"),
                        (_n("blouse", "bluzka", "f"), _n("wrap blouse", "bluzka kopertowa", "f")),
                        "style",
                        "wear",
                        ("viscose", "linen", "cotton", "bamboo viscose"),
                        "letter",
                        _band(99, 329, 22, 79),
                        (
                            ExtraAttribute(
                                "sleeve",
                                _t("Sleeve length", "Długość rękawa"),
                                (_t("short", "krótki"), _t("three-quarter", "3/4"), _t("long", "długi")),
                            ),
                        ),
                        image=(800, 1000),
                    ),
                    Leaf(
                        "womens-knitwear",
                        _t("Knitwear", "Swetry"),
                        (_n("jumper", "sweter", "m"), _n("cardigan", "kardigan", "m")),
                        "style",
                        "wear",
                        _KNITS,
                        "letter",
                        _band(149, 499, 35, 119),
                        (_FIT,),
                        image=(800, 1000),
                    ),
                ),
            ),
            Branch(
                "dresses-skirts",
                _t("Dresses & skirts", "Sukienki i spódnice"),
                (
                    Leaf(
                        "dresses",
                        _t("Dresses", "Sukienki"),
                        (_n("dress", "sukienka", "f"), _n("shirt dress", "sukienka koszulowa", "f")),
                        "style",
                        "wear",
                        ("viscose", "linen", "organic cotton", "cotton satin"),
                        "letter",
                        _band(149, 599, 35, 139),
                        (_LENGTH,),
                        image=(800, 1000),
                    ),
                    Leaf(
                        "skirts",
                        _t("Skirts", "Spódnice"),
                        (_n("skirt", "spódnica", "f"), _n("pleated skirt", "spódnica plisowana", "f")),
                        "style",
                        "wear",
                        ("viscose", "wool blend", "denim", "linen"),
                        "letter",
                        _band(119, 399, 27, 95),
                        (_LENGTH,),
                        image=(800, 1000),
                    ),
                ),
            ),
            Branch(
                "womens-outerwear",
                _t("Outerwear", "Odzież wierzchnia"),
                (
                    Leaf(
                        "womens-coats",
                        _t("Coats", "Płaszcze"),
                        (_n("coat", "płaszcz", "m"), _n("trench coat", "trencz", "m")),
                        "outerwear",
                        "wear",
                        ("wool blend", "cotton twill", "waxed cotton", "recycled polyester"),
                        "letter",
                        _band(499, 1499, 115, 349),
                        (_INSULATION,),
                        image=(800, 1000),
                    ),
                    Leaf(
                        "womens-jackets",
                        _t("Jackets", "Kurtki"),
                        (_n("jacket", "kurtka", "f"), _n("quilted jacket", "kurtka pikowana", "f")),
                        "outerwear",
                        "wear",
                        _OUTER,
                        "letter",
                        _band(299, 999, 69, 229),
                        (_INSULATION, _HOOD),
                        image=(800, 1000),
                    ),
                ),
            ),
        ),
    ),
    Root(
        "mens-clothing",
        _t("Men's clothing", "Odzież męska"),
        (
            Branch(
                "mens-tops",
                _t("Tops", "Koszulki i koszule"),
                (
                    Leaf(
                        "mens-t-shirts",
                        _t("T-shirts", "T-shirty"),
                        (
                            _n("T-shirt", "T-shirt", "m"),
                            _n("long-sleeve T-shirt", "koszulka z długim rękawem", "f"),
                        ),
                        "style",
                        "wear",
                        _TOPS,
                        "letter",
                        _band(39, 149, 9, 35),
                        (_FIT,),
                        image=(800, 1000),
                    ),
                    Leaf(
                        "mens-shirts",
                        _t("Shirts", "Koszule"),
                        (_n("shirt", "koszula", "f"), _n("oxford shirt", "koszula oxford", "f")),
                        "style",
                        "wear",
                        ("cotton", "organic cotton", "linen"),
                        "letter",
                        _band(129, 399, 29, 95),
                        (
                            _FIT,
                            ExtraAttribute(
                                "collar",
                                _t("Collar", "Kołnierzyk"),
                                (_t("button-down", "button-down"), _t("classic", "klasyczny")),
                            ),
                        ),
                        image=(800, 1000),
                    ),
                    Leaf(
                        "hoodies",
                        _t("Hoodies & sweatshirts", "Bluzy"),
                        (_n("hoodie", "bluza z kapturem", "f"), _n("sweatshirt", "bluza", "f")),
                        "style",
                        "wear",
                        ("organic cotton", "cotton", "fleece", "recycled polyester"),
                        "letter",
                        _band(149, 399, 35, 95),
                        (_FIT,),
                        image=(800, 1000),
                    ),
                ),
            ),
            Branch(
                "mens-trousers",
                _t("Trousers", "Spodnie"),
                (
                    Leaf(
                        "jeans",
                        _t("Jeans", "Jeansy"),
                        (
                            _n("jeans", "jeansy", "pl", True),
                            _n("straight-leg jeans", "jeansy z prostą nogawką", "pl", True),
                        ),
                        "style",
                        "wear",
                        ("denim", "organic cotton"),
                        "waist",
                        _band(199, 499, 45, 119),
                        (
                            _FIT,
                            ExtraAttribute(
                                "leg_length", _t("Leg length", "Długość nogawki"), _same("L30", "L32", "L34")
                            ),
                        ),
                        image=(800, 1000),
                    ),
                    Leaf(
                        "chinos",
                        _t("Chinos", "Chinosy"),
                        (_n("chinos", "chinosy", "pl", True), _n("chino trousers", "spodnie chino", "pl", True)),
                        "style",
                        "wear",
                        ("cotton twill", "organic cotton", "linen"),
                        "waist",
                        _band(179, 399, 42, 95),
                        (_FIT,),
                        image=(800, 1000),
                    ),
                ),
            ),
            Branch(
                "mens-outerwear",
                _t("Outerwear", "Odzież wierzchnia"),
                (
                    Leaf(
                        "mens-jackets",
                        _t("Jackets", "Kurtki"),
                        (_n("jacket", "kurtka", "f"), _n("softshell jacket", "kurtka softshellowa", "f")),
                        "outerwear",
                        "wear",
                        _OUTER,
                        "letter",
                        _band(299, 999, 69, 229),
                        (_INSULATION, _HOOD),
                        image=(800, 1000),
                    ),
                    Leaf(
                        "parkas",
                        _t("Parkas", "Parki"),
                        (_n("parka", "parka", "f"), _n("winter parka", "parka zimowa", "f")),
                        "outerwear",
                        "wear",
                        ("nylon", "recycled polyester", "waxed cotton", "down"),
                        "letter",
                        _band(499, 1399, 115, 329),
                        (_INSULATION, _HOOD),
                        image=(800, 1000),
                    ),
                ),
            ),
        ),
    ),
    Root(
        "kids",
        _t("Kids", "Dziecko"),
        (
            Branch(
                "kids-clothing",
                _t("Kids' clothing", "Odzież dziecięca"),
                (
                    Leaf(
                        "baby-clothing",
                        _t("Baby clothing", "Ubranka niemowlęce"),
                        (_n("bodysuit", "body", "n"), _n("romper", "pajacyk", "m")),
                        "baby",
                        "wear",
                        ("organic cotton", "cotton", "bamboo viscose"),
                        "baby-height",
                        _band(29, 119, 7, 28),
                        image=(800, 1000),
                    ),
                    Leaf(
                        "kids-outerwear",
                        _t("Kids' outerwear", "Kurtki i kombinezony"),
                        (_n("kids' jacket", "kurtka dziecięca", "f"), _n("snowsuit", "kombinezon zimowy", "m")),
                        "kids-outer",
                        "wear",
                        ("nylon", "recycled polyester", "softshell"),
                        "kids-height",
                        _band(149, 449, 35, 105),
                        (_INSULATION,),
                        image=(800, 1000),
                    ),
                ),
            ),
            Branch(
                "toys",
                _t("Toys", "Zabawki"),
                (
                    Leaf(
                        "building-sets",
                        _t("Building sets", "Klocki"),
                        (
                            _n("building set", "zestaw klocków", "m"),
                            _n("construction blocks", "klocki konstrukcyjne", "pl", True),
                        ),
                        "toys",
                        "toys",
                        ("ABS plastic", "beech wood", "recycled plastic"),
                        "one-size",
                        _band(49, 699, 12, 159),
                        (
                            ExtraAttribute(
                                "pieces", _t("Pieces", "Liczba elementów"), _same("120", "250", "480", "1000")
                            ),
                            _AGE_BLOCKS,
                        ),
                    ),
                    Leaf(
                        "plush-toys",
                        _t("Plush toys", "Maskotki"),
                        (_n("plush toy", "maskotka", "f"), _n("soft toy", "przytulanka", "f")),
                        "toys",
                        "toys",
                        ("plush", "organic cotton"),
                        "one-size",
                        _band(29, 149, 7, 35),
                        (_AGE_PLUSH,),
                    ),
                    Leaf(
                        "board-games",
                        _t("Board games", "Gry planszowe"),
                        (_n("board game", "gra planszowa", "f"), _n("family game", "gra rodzinna", "f")),
                        "toys",
                        "toys",
                        ("cardboard", "beech wood"),
                        "one-size",
                        _band(59, 249, 14, 59),
                        (
                            _AGE_GAMES,
                            ExtraAttribute("players", _t("Players", "Liczba graczy"), _same("2–4", "2–6", "1–5")),
                        ),
                        suffix="none",
                    ),
                ),
            ),
        ),
    ),
    Root(
        "sports-outdoors",
        _t("Sports & outdoors", "Sport i turystyka"),
        (
            Branch(
                "camping",
                _t("Camping", "Kemping"),
                (
                    Leaf(
                        "tents",
                        _t("Tents", "Namioty"),
                        (_n("tent", "namiot", "m"), _n("dome tent", "namiot kopułowy", "m")),
                        "camp",
                        "gear",
                        ("ripstop nylon", "polyester", "recycled polyester"),
                        "one-size",
                        _band(299, 2499, 69, 579),
                        (
                            ExtraAttribute(
                                "capacity",
                                _t("Capacity", "Pojemność"),
                                (
                                    _t("1 person", "1 osoba"),
                                    _t("2 persons", "2 osoby"),
                                    _t("3 persons", "3 osoby"),
                                    _t("4 persons", "4 osoby"),
                                ),
                            ),
                            _WEIGHT_KG,
                        ),
                        image=(1200, 800),
                    ),
                    Leaf(
                        "sleeping-bags",
                        _t("Sleeping bags", "Śpiwory"),
                        (_n("sleeping bag", "śpiwór", "m"), _n("mummy sleeping bag", "śpiwór typu mumia", "m")),
                        "camp",
                        "gear",
                        ("down", "synthetic insulation"),
                        "one-size",
                        _band(199, 1299, 45, 299),
                        (
                            ExtraAttribute(
                                "comfort_temperature",
                                _t("Comfort temperature", "Temperatura komfortu"),
                                _same("+10 °C", "+5 °C", "0 °C", "−5 °C"),
                            ),
                        ),
                        image=(1200, 800),
                    ),
                    Leaf(
                        "hiking-backpacks",
                        _t("Hiking backpacks", "Plecaki turystyczne"),
                        (
                            _n("hiking backpack", "plecak turystyczny", "m"),
                            _n("trekking pack", "plecak trekkingowy", "m"),
                        ),
                        "camp",
                        "gear",
                        ("ripstop nylon", "recycled polyester", "nylon"),
                        "one-size",
                        _band(199, 899, 45, 209),
                        (ExtraAttribute("volume", _t("Volume", "Pojemność"), _same("20 l", "30 l", "45 l", "60 l")),),
                    ),
                ),
            ),
            Branch(
                "fitness",
                _t("Fitness", "Fitness"),
                (
                    Leaf(
                        "yoga-mats",
                        _t("Yoga mats", "Maty do jogi"),
                        (_n("yoga mat", "mata do jogi", "f"), _n("exercise mat", "mata treningowa", "f")),
                        "fitness",
                        "gear",
                        ("TPE foam", "natural rubber", "cork"),
                        "one-size",
                        _band(79, 349, 18, 79),
                        (ExtraAttribute("thickness", _t("Thickness", "Grubość"), _same("4 mm", "6 mm", "8 mm")),),
                        image=(1200, 800),
                    ),
                    Leaf(
                        "dumbbells",
                        _t("Dumbbells", "Hantle"),
                        (
                            _n("dumbbell set", "zestaw hantli", "m"),
                            _n("adjustable dumbbells", "hantle regulowane", "pl", True),
                        ),
                        "fitness",
                        "gear",
                        ("cast iron", "steel"),
                        "one-size",
                        _band(99, 899, 23, 209),
                        (
                            ExtraAttribute(
                                "weight", _t("Weight", "Waga"), _same("2 × 2 kg", "2 × 5 kg", "2 × 10 kg", "2–24 kg")
                            ),
                        ),
                    ),
                ),
            ),
            Branch(
                "cycling",
                _t("Cycling", "Akcesoria rowerowe"),
                (
                    Leaf(
                        "bike-helmets",
                        _t("Bike helmets", "Kaski rowerowe"),
                        (_n("bike helmet", "kask rowerowy", "m"), _n("commuter helmet", "kask miejski", "m")),
                        "cycling",
                        "gear",
                        ("polycarbonate", "EPS foam"),
                        "letter",
                        _band(149, 699, 35, 159),
                        (
                            ExtraAttribute("weight", _t("Weight", "Waga"), _same("240 g", "280 g", "330 g")),
                            ExtraAttribute("vents", _t("Vents", "Otwory wentylacyjne"), _same("12", "18", "24")),
                        ),
                    ),
                    Leaf(
                        "bike-lights",
                        _t("Bike lights", "Lampki rowerowe"),
                        (
                            _n("bike light set", "zestaw lampek rowerowych", "m"),
                            _n("front bike light", "lampka przednia", "f"),
                        ),
                        "cycling",
                        "gear",
                        ("aluminium", "ABS plastic", "recycled aluminium"),
                        "one-size",
                        _band(49, 299, 12, 69),
                        (
                            ExtraAttribute(
                                "brightness", _t("Brightness", "Jasność"), _same("200 lm", "400 lm", "800 lm")
                            ),
                            _BATTERY,
                        ),
                    ),
                ),
            ),
        ),
    ),
    Root(
        "home",
        _t("Home", "Dom"),
        (
            Branch(
                "kitchen",
                _t("Kitchen", "Kuchnia"),
                (
                    Leaf(
                        "cookware",
                        _t("Cookware", "Garnki i patelnie"),
                        (
                            _n("saucepan", "rondel", "m"),
                            _n("frying pan", "patelnia", "f"),
                            _n("stockpot", "garnek", "m"),
                        ),
                        "kitchen",
                        "home",
                        ("stainless steel", "cast iron", "carbon steel", "enamelled cast iron"),
                        "pan-cm",
                        _band(99, 799, 23, 185),
                        (_CAPACITY_L, ExtraAttribute("induction", _t("Induction-ready", "Indukcja"), _YES_NO)),
                        image=(1200, 800),
                    ),
                    Leaf(
                        "kitchen-knives",
                        _t("Kitchen knives", "Noże kuchenne"),
                        (_n("chef's knife", "nóż szefa kuchni", "m"), _n("knife set", "zestaw noży", "m")),
                        "kitchen",
                        "home",
                        ("stainless steel", "carbon steel", "Damascus steel"),
                        "one-size",
                        _band(79, 999, 18, 229),
                        (
                            ExtraAttribute(
                                "blade_length", _t("Blade length", "Długość ostrza"), _same("15 cm", "20 cm", "23 cm")
                            ),
                        ),
                        image=(1200, 800),
                    ),
                    Leaf(
                        "coffee-tea",
                        _t("Coffee & tea", "Kawa i herbata"),
                        (
                            _n("cafetière", "zaparzacz do kawy", "m"),
                            _n("teapot", "dzbanek do herbaty", "m"),
                            _n("stovetop espresso maker", "kawiarka", "f"),
                        ),
                        "kitchen",
                        "home",
                        ("borosilicate glass", "stoneware", "stainless steel", "aluminium"),
                        "one-size",
                        _band(69, 399, 16, 92),
                        (
                            ExtraAttribute(
                                "capacity",
                                _t("Capacity", "Pojemność"),
                                (_t("0.35 l", "0,35 l"), _t("0.6 l", "0,6 l"), _t("1 l", "1 l")),
                            ),
                        ),
                    ),
                ),
            ),
            Branch(
                "living-room",
                _t("Living room", "Salon"),
                (
                    Leaf(
                        "cushions",
                        _t("Cushions", "Poduszki dekoracyjne"),
                        (
                            _n("cushion", "poduszka dekoracyjna", "f"),
                            _n("cushion cover", "poszewka dekoracyjna", "f"),
                        ),
                        "living",
                        "home",
                        ("velvet", "linen", "cotton", "wool"),
                        "cushion-cm",
                        _band(39, 179, 9, 42),
                        (
                            ExtraAttribute(
                                "filling",
                                _t("Filling", "Wypełnienie"),
                                (
                                    _t("polyester fibre", "włókno poliestrowe"),
                                    _t("feather", "pierze"),
                                    _t("buckwheat hulls", "łuska gryki"),
                                ),
                            ),
                        ),
                    ),
                    Leaf(
                        "rugs",
                        _t("Rugs", "Dywany"),
                        (_n("rug", "dywan", "m"), _n("runner", "chodnik", "m")),
                        "living",
                        "home",
                        ("wool", "jute", "cotton", "polyester"),
                        "rug-cm",
                        _band(199, 2499, 45, 579),
                        (
                            ExtraAttribute(
                                "pile_height", _t("Pile height", "Wysokość runa"), _same("5 mm", "12 mm", "20 mm")
                            ),
                        ),
                        image=(1200, 800),
                    ),
                    Leaf(
                        "lamps",
                        _t("Lamps", "Lampy"),
                        (_n("floor lamp", "lampa podłogowa", "f"), _n("table lamp", "lampa stołowa", "f")),
                        "living",
                        "home",
                        ("brass", "oak", "rattan", "ceramic", "glass"),
                        "one-size",
                        _band(149, 1299, 35, 299),
                        (ExtraAttribute("bulb", _t("Bulb", "Trzonek"), _same("E27", "E14", "GU10")),),
                        image=(800, 1000),
                    ),
                ),
            ),
            Branch(
                "bedroom",
                _t("Bedroom", "Sypialnia"),
                (
                    Leaf(
                        "bedding",
                        _t("Bedding", "Pościel"),
                        (_n("bedding set", "komplet pościeli", "m"), _n("duvet cover", "poszwa na kołdrę", "f")),
                        "bedbath",
                        "home",
                        ("cotton satin", "linen", "organic cotton", "bamboo viscose"),
                        "bedding-cm",
                        _band(149, 599, 35, 139),
                        (
                            ExtraAttribute(
                                "thread_count",
                                _t("Thread count", "Gęstość splotu"),
                                _same("200 TC", "300 TC", "400 TC"),
                            ),
                        ),
                        image=(1200, 800),
                    ),
                    Leaf(
                        "throws-blankets",
                        _t("Throws & blankets", "Koce i narzuty"),
                        (_n("throw", "narzuta", "f"), _n("blanket", "koc", "m")),
                        "bedbath",
                        "home",
                        ("wool", "cotton", "acrylic", "merino wool"),
                        "throw-cm",
                        _band(99, 449, 23, 105),
                        image=(1200, 800),
                    ),
                ),
            ),
            Branch(
                "bathroom",
                _t("Bathroom", "Łazienka"),
                (
                    Leaf(
                        "towels",
                        _t("Towels", "Ręczniki"),
                        (_n("bath towel", "ręcznik kąpielowy", "m"), _n("towel set", "komplet ręczników", "m")),
                        "bedbath",
                        "home",
                        ("cotton terry", "organic cotton", "bamboo viscose", "linen"),
                        "towel-cm",
                        _band(39, 249, 9, 58),
                        (
                            ExtraAttribute(
                                "fabric_weight",
                                _t("Fabric weight", "Gramatura"),
                                _same("450 g/m²", "550 g/m²", "650 g/m²"),
                            ),
                        ),
                    ),
                    Leaf(
                        "bath-mats",
                        _t("Bath mats", "Dywaniki łazienkowe"),
                        (_n("bath mat", "dywanik łazienkowy", "m"), _n("bath runner", "chodnik łazienkowy", "m")),
                        "bedbath",
                        "home",
                        ("cotton terry", "organic cotton", "bamboo viscose"),
                        "bathmat-cm",
                        _band(49, 299, 12, 69),
                    ),
                ),
            ),
        ),
    ),
    Root(
        "garden",
        _t("Garden", "Ogród"),
        (
            Branch(
                "garden-furniture",
                _t("Garden furniture", "Meble ogrodowe"),
                (
                    Leaf(
                        "garden-chairs",
                        _t("Garden chairs", "Krzesła ogrodowe"),
                        (_n("garden chair", "krzesło ogrodowe", "n"), _n("folding chair", "krzesło składane", "n")),
                        "garden",
                        "garden",
                        ("acacia wood", "teak", "powder-coated steel", "synthetic rattan"),
                        "one-size",
                        _band(149, 899, 35, 209),
                        (
                            ExtraAttribute(
                                "max_load", _t("Max load", "Maksymalne obciążenie"), _same("110 kg", "130 kg", "150 kg")
                            ),
                        ),
                        image=(1200, 800),
                    ),
                    Leaf(
                        "garden-tables",
                        _t("Garden tables", "Stoły ogrodowe"),
                        (_n("garden table", "stół ogrodowy", "m"), _n("bistro table", "stolik bistro", "m")),
                        "garden",
                        "garden",
                        ("acacia wood", "teak", "powder-coated steel"),
                        "table-cm",
                        _band(399, 2999, 92, 699),
                        (ExtraAttribute("seats", _t("Seats", "Liczba miejsc"), _same("2", "4", "6", "8")),),
                        image=(1200, 800),
                    ),
                ),
            ),
            Branch(
                "gardening",
                _t("Gardening", "Prace ogrodowe"),
                (
                    Leaf(
                        "garden-tools",
                        _t("Garden tools", "Narzędzia ogrodowe"),
                        (
                            _n("pruning shears", "sekator", "m", True),
                            _n("garden spade", "szpadel", "m"),
                            _n("rake", "grabie", "pl"),
                        ),
                        "garden",
                        "garden",
                        ("carbon steel", "stainless steel", "ash wood"),
                        "one-size",
                        _band(39, 299, 9, 69),
                    ),
                    Leaf(
                        "planters",
                        _t("Planters & pots", "Donice i doniczki"),
                        (_n("planter", "donica", "f"), _n("flower pot", "doniczka", "f")),
                        "garden",
                        "garden",
                        ("terracotta", "ceramic", "recycled plastic", "stoneware"),
                        "planter-cm",
                        _band(39, 499, 9, 115),
                        (ExtraAttribute("drainage_hole", _t("Drainage hole", "Otwór odpływowy"), _YES_NO),),
                    ),
                ),
            ),
        ),
    ),
    Root(
        "beauty",
        _t("Beauty", "Uroda"),
        (
            Branch(
                "face-care",
                _t("Face care", "Pielęgnacja twarzy"),
                (
                    Leaf(
                        "face-creams",
                        _t("Face creams", "Kremy do twarzy"),
                        (_n("face cream", "krem do twarzy", "m"), _n("night cream", "krem na noc", "m")),
                        "care",
                        "care",
                        ("hyaluronic acid", "niacinamide", "ceramides", "squalane", "shea butter"),
                        "face-ml",
                        _band(39, 249, 9, 58),
                        (_SKIN,),
                        suffix="size",
                        material_attribute="ingredient",
                    ),
                    Leaf(
                        "face-serums",
                        _t("Serums", "Serum do twarzy"),
                        (_n("face serum", "serum do twarzy", "n"), _n("eye serum", "serum pod oczy", "n")),
                        "care",
                        "care",
                        ("vitamin C", "hyaluronic acid", "niacinamide", "green tea extract"),
                        "face-ml",
                        _band(49, 299, 12, 69),
                        (_SKIN,),
                        suffix="size",
                        material_attribute="ingredient",
                    ),
                ),
            ),
            Branch(
                "body-care",
                _t("Body care", "Pielęgnacja ciała"),
                (
                    Leaf(
                        "body-lotions",
                        _t("Body lotions", "Balsamy do ciała"),
                        (_n("body lotion", "balsam do ciała", "m"), _n("body butter", "masło do ciała", "n")),
                        "care",
                        "care",
                        ("shea butter", "aloe vera", "oat extract", "panthenol"),
                        "body-ml",
                        _band(19, 99, 5, 23),
                        (_SKIN,),
                        suffix="size",
                        material_attribute="ingredient",
                    ),
                    Leaf(
                        "shower-gels",
                        _t("Shower gels", "Żele pod prysznic"),
                        (_n("shower gel", "żel pod prysznic", "m"), _n("body wash", "żel do mycia ciała", "m")),
                        "care",
                        "care",
                        ("aloe vera", "oat extract", "panthenol", "green tea extract"),
                        "body-ml",
                        _band(12, 59, 3, 14),
                        (
                            ExtraAttribute(
                                "scent",
                                _t("Scent", "Zapach"),
                                (
                                    _t("citrus", "cytrusowy"),
                                    _t("lavender", "lawendowy"),
                                    _t("cedar", "cedrowy"),
                                    _t("unscented", "bezzapachowy"),
                                ),
                            ),
                        ),
                        suffix="size",
                        material_attribute="ingredient",
                    ),
                ),
            ),
        ),
    ),
    Root(
        "accessories",
        _t("Accessories", "Akcesoria"),
        (
            Branch(
                "bags",
                _t("Bags & backpacks", "Torby i plecaki"),
                (
                    Leaf(
                        "city-backpacks",
                        _t("City backpacks", "Plecaki miejskie"),
                        (_n("city backpack", "plecak miejski", "m"), _n("laptop backpack", "plecak na laptopa", "m")),
                        "bags",
                        "acc",
                        ("recycled polyester", "waxed cotton", "vegan leather", "canvas"),
                        "one-size",
                        _band(149, 599, 35, 139),
                        (
                            ExtraAttribute("volume", _t("Volume", "Pojemność"), _same("15 l", "20 l", "25 l")),
                            ExtraAttribute(
                                "laptop_sleeve",
                                _t("Laptop sleeve", "Przegroda na laptopa"),
                                (_t("13 in", "13 cali"), _t("15 in", "15 cali"), _t("16 in", "16 cali")),
                            ),
                        ),
                    ),
                    Leaf(
                        "handbags",
                        _t("Handbags", "Torebki"),
                        (_n("handbag", "torebka", "f"), _n("tote bag", "torba shopper", "f")),
                        "bags",
                        "acc",
                        ("leather", "vegan leather", "canvas", "suede"),
                        "one-size",
                        _band(149, 899, 35, 209),
                        (
                            ExtraAttribute(
                                "strap",
                                _t("Strap", "Pasek"),
                                (_t("short", "krótki"), _t("adjustable", "regulowany"), _t("crossbody", "na ramię")),
                            ),
                        ),
                    ),
                ),
            ),
            Branch(
                "watches-jewellery",
                _t("Watches & jewellery", "Zegarki i biżuteria"),
                (
                    Leaf(
                        "watches",
                        _t("Watches", "Zegarki"),
                        (_n("watch", "zegarek", "m"), _n("chronograph", "chronograf", "m")),
                        "jewellery",
                        "acc",
                        ("stainless steel", "recycled aluminium", "leather"),
                        "one-size",
                        _band(299, 2499, 69, 579),
                        (
                            ExtraAttribute(
                                "water_resistance",
                                _t("Water resistance", "Wodoszczelność"),
                                _same("3 ATM", "5 ATM", "10 ATM"),
                            ),
                            ExtraAttribute(
                                "case_diameter",
                                _t("Case diameter", "Średnica koperty"),
                                _same("36 mm", "40 mm", "42 mm"),
                            ),
                        ),
                    ),
                    Leaf(
                        "jewellery",
                        _t("Jewellery", "Biżuteria"),
                        (
                            _n("necklace", "naszyjnik", "m"),
                            _n("bracelet", "bransoletka", "f"),
                            _n("earrings", "kolczyki", "pl", True),
                        ),
                        "jewellery",
                        "acc",
                        ("sterling silver", "gold-plated brass", "surgical steel"),
                        "one-size",
                        _band(79, 899, 18, 209),
                        suffix="material",
                    ),
                ),
            ),
            Branch(
                "winter-accessories",
                _t("Winter accessories", "Akcesoria zimowe"),
                (
                    Leaf(
                        "beanies",
                        _t("Beanies", "Czapki"),
                        (_n("beanie", "czapka", "f"), _n("rib-knit beanie", "czapka w prążki", "f")),
                        "winter",
                        "acc",
                        ("merino wool", "wool blend", "acrylic", "cashmere blend"),
                        "one-size",
                        _band(39, 149, 9, 35),
                    ),
                    Leaf(
                        "scarves",
                        _t("Scarves", "Szaliki i kominy"),
                        (_n("scarf", "szalik", "m"), _n("snood", "komin", "m")),
                        "winter",
                        "acc",
                        ("merino wool", "wool blend", "cashmere blend", "acrylic"),
                        "one-size",
                        _band(59, 299, 14, 69),
                        (ExtraAttribute("length", _t("Length", "Długość"), _same("160 cm", "180 cm", "200 cm")),),
                    ),
                ),
            ),
        ),
    ),
    Root(
        "electronics",
        _t("Electronics", "Elektronika"),
        (
            Branch(
                "audio",
                _t("Audio", "Audio"),
                (
                    Leaf(
                        "headphones",
                        _t("Headphones", "Słuchawki"),
                        (
                            _n("headphones", "słuchawki nauszne", "pl", True),
                            _n("earbuds", "słuchawki douszne", "pl", True),
                        ),
                        "tech",
                        "tech",
                        ("recycled plastic", "aluminium", "ABS plastic"),
                        "one-size",
                        _band(149, 1499, 35, 349),
                        (
                            _BATTERY,
                            ExtraAttribute("noise_cancelling", _t("Noise cancelling", "Redukcja szumów"), _YES_NO),
                        ),
                    ),
                    Leaf(
                        "speakers",
                        _t("Speakers", "Głośniki"),
                        (
                            _n("portable speaker", "głośnik przenośny", "m"),
                            _n("outdoor speaker", "głośnik outdoorowy", "m"),
                        ),
                        "tech",
                        "tech",
                        ("recycled plastic", "aluminium", "silicone"),
                        "one-size",
                        _band(129, 999, 30, 229),
                        (
                            _BATTERY,
                            ExtraAttribute(
                                "water_resistance",
                                _t("Water resistance", "Wodoodporność"),
                                _same("IPX4", "IPX7", "IP67"),
                            ),
                        ),
                    ),
                ),
            ),
            Branch(
                "phone-accessories",
                _t("Phone accessories", "Akcesoria do telefonów"),
                (
                    Leaf(
                        "phone-cases",
                        _t("Phone cases", "Etui na telefon"),
                        (_n("phone case", "etui na telefon", "n"), _n("wallet case", "etui z klapką", "n")),
                        "tech",
                        "tech",
                        ("silicone", "vegan leather", "recycled plastic", "polycarbonate"),
                        "one-size",
                        _band(29, 149, 7, 35),
                        (
                            ExtraAttribute(
                                "drop_protection",
                                _t("Drop protection", "Ochrona przed upadkiem"),
                                (_t("1.2 m", "1,2 m"), _t("2 m", "2 m"), _t("3 m", "3 m")),
                            ),
                        ),
                    ),
                    Leaf(
                        "power-banks",
                        _t("Power banks", "Powerbanki"),
                        (_n("power bank", "powerbank", "m"),),
                        "tech",
                        "tech",
                        ("recycled plastic", "aluminium"),
                        "one-size",
                        _band(79, 349, 18, 79),
                        (
                            ExtraAttribute(
                                "capacity", _t("Capacity", "Pojemność"), _same("10 000 mAh", "20 000 mAh", "27 000 mAh")
                            ),
                        ),
                    ),
                ),
            ),
        ),
    ),
)

# Leaves whose products are sometimes listed in a second, related leaf as well.
CROSS_LISTINGS: tuple[tuple[str, str], ...] = (
    ("road-running-shoes", "trail-running-shoes"),
    ("sneakers", "road-running-shoes"),
    ("hiking-boots", "trekking-sandals"),
    ("hiking-backpacks", "city-backpacks"),
    ("tents", "sleeping-bags"),
    ("yoga-mats", "dumbbells"),
    ("bike-helmets", "bike-lights"),
    ("cookware", "coffee-tea"),
    ("cushions", "throws-blankets"),
    ("towels", "bath-mats"),
    ("garden-chairs", "garden-tables"),
    ("face-creams", "face-serums"),
    ("beanies", "scarves"),
    ("headphones", "speakers"),
    ("phone-cases", "power-banks"),
    ("building-sets", "board-games"),
)

# --- brands and model names --------------------------------------------------------------

BRANDS: tuple[BrandSpec, ...] = (
    BrandSpec("Nordvik", ("footwear", "sports-outdoors", "mens-clothing", "womens-clothing"), 5),
    BrandSpec("Halderun", ("sports-outdoors", "footwear", "accessories"), 4),
    BrandSpec("Korvala", ("home", "garden"), 4),
    BrandSpec("Brisemont", ("womens-clothing", "accessories", "beauty"), 3),
    BrandSpec("Lumora", ("home", "electronics", "garden"), 3),
    BrandSpec("Tarnwick", ("mens-clothing", "footwear", "accessories"), 3),
    BrandSpec("Velmaro", ("womens-clothing", "mens-clothing", "accessories"), 4),
    BrandSpec("Ostrowia", ("home", "kids"), 2),
    BrandSpec("Grynwald", ("garden", "sports-outdoors", "home"), 3),
    BrandSpec("Selvano", ("womens-clothing", "footwear", "accessories", "beauty"), 4),
    BrandSpec("Pawlin & Co.", ("mens-clothing", "womens-clothing", "kids"), 3),
    BrandSpec("Kestrin", ("sports-outdoors", "electronics"), 3),
    BrandSpec("Moravel", ("beauty", "home"), 3),
    BrandSpec("Dunmere", ("mens-clothing", "womens-clothing", "accessories", "footwear"), 4),
    BrandSpec("Quillbrook", ("kids", "home"), 2),
    BrandSpec("Astrell", ("beauty", "accessories"), 3),
    BrandSpec("Wrzosowa", ("home", "beauty", "garden"), 2),
    BrandSpec("Zefiria", ("womens-clothing", "beauty"), 2),
    BrandSpec("Borwick", ("footwear", "mens-clothing", "sports-outdoors"), 3),
    BrandSpec("Miłosz Atelier", ("mens-clothing", "accessories"), 2),
    BrandSpec("Tatrino", ("sports-outdoors", "footwear", "kids"), 4),
    BrandSpec("Lindqvale", ("home", "kids", "womens-clothing"), 3),
    BrandSpec("Orsino Lab", ("electronics", "sports-outdoors"), 3),
    BrandSpec("Peakhollow", ("sports-outdoors", "footwear", "mens-clothing", "womens-clothing"), 4),
    BrandSpec("Żuraw", ("garden", "home"), 3),
    BrandSpec("Solvik", ("kids", "sports-outdoors", "footwear"), 2),
    BrandSpec("Marenne", ("womens-clothing", "home", "beauty"), 3),
    BrandSpec("Cobblestone Row", ("footwear", "mens-clothing", "accessories"), 2),
    BrandSpec("Vestaro", ("electronics", "home"), 3),
    BrandSpec("Bystra", ("sports-outdoors", "kids", "womens-clothing"), 2),
    BrandSpec("Heronfield", ("garden", "home"), 2),
    BrandSpec("Jarzębinka", ("kids", "home"), 3),
    BrandSpec("Quartzline", ("electronics", "accessories"), 3),
    BrandSpec("Tidewell", ("beauty", "home"), 2),
    BrandSpec("Rivenhall", ("mens-clothing", "womens-clothing", "footwear"), 3),
    BrandSpec("Oakendale", ("home", "garden", "kids"), 2),
    BrandSpec("Sarnia Góra", ("sports-outdoors", "footwear", "accessories"), 2),
    BrandSpec("Fennmark", ("mens-clothing", "womens-clothing", "sports-outdoors"), 3),
    BrandSpec("Luneta", ("accessories", "electronics", "womens-clothing"), 2),
    BrandSpec("Wilgo", ("kids", "beauty", "home", "garden", "electronics"), 2),
)

MODEL_NAMES: tuple[str, ...] = (
    "Ridgeline", "Kestrel", "Brzask", "Halny", "Skarpa", "Drift", "Tundra", "Solstice", "Meander", "Fjell",
    "Cirrus", "Ember", "Juniper", "Lark", "Granite", "Harbour", "Willow", "Mistral", "Quarry", "Sable",
    "Thistle", "Vale", "Wren", "Zenith", "Borealis", "Calder", "Dune", "Echo", "Fable", "Glade",
    "Hollow", "Inlet", "Jasper", "Lumen", "Moraine", "Nimbus", "Orchard", "Pike", "Rill", "Saffron",
    "Tarn", "Umber", "Verge", "Yarrow", "Zephyr", "Jodła", "Wydma", "Przełęcz", "Zorza", "Bursztyn",
    "Sokół", "Krokus", "Cis", "Głaz", "Świt", "Żagiel", "Mgła", "Źródło", "Ostoja", "Polana",
    "Kamień", "Basalt", "Cobalt", "Flint", "Heron", "Larch", "Onyx", "Pebble", "Ravine", "Spruce",
    "Talus", "Vireo", "Bryza", "Ćma", "Łąka", "Kres",
)  # fmt: skip

# Empty strings make "no suffix" the most common outcome.
MODEL_SUFFIXES: tuple[str, ...] = (
    "", "", "", "", "", " Pro", " Lite", " 2", " 3", " Max", " Evo", " Plus", " Air", " XT", " Classic", " Mini",
)  # fmt: skip

# --- description templates ---------------------------------------------------------------
#
# Every template is an (English, Polish) pair filled with the same facts, so the two
# translations say the same thing. Slots: {brand} {model} {noun} {Noun} {use} {who}
# {is_are} {it} {It} {it_them} {material} {Material} {sprawdzi} {wykonany} {posluzy}
# {material_genitive} {z_material}.

INTROS: tuple[Term, ...] = (
    Term(
        "The {brand} {model} {noun} {is_are} made for {use}.",
        "{Noun} {brand} {model} {sprawdzi} się {use}.",
    ),
    Term(
        "{brand} designed the {model} {noun} for people who {who}.",
        "Marka {brand} zaprojektowała model {model} dla osób, które {who}.",
    ),
    Term(
        "The {model} {noun} from {brand} {is_are} a good choice for {use}.",
        "{Noun} {model} marki {brand} to dobry wybór {use}.",
    ),
    Term(
        "The {model} by {brand} is for people who {who}.",
        "Model {model} marki {brand} to propozycja dla osób, które {who}.",
    ),
)

MATERIAL_SENTENCES: tuple[Term, ...] = (
    Term("{It} {is_are} made of {material}.", "{wykonany} {z_material}."),
    Term(
        "Made of {material}, {it} will serve you for many seasons.",
        "{wykonany} {z_material}, {posluzy} przez wiele sezonów.",
    ),
    Term(
        "{Material} gives {it_them} a durable, pleasant finish.",
        "{Material} zapewnia trwałość i estetyczne wykończenie.",
    ),
    Term("Main material: {material}.", "Główny materiał: {material}."),
)

INGREDIENT_SENTENCES: tuple[Term, ...] = (
    Term("The formula is enriched with {material}.", "W składzie nie zabrakło {material_genitive}."),
    Term("Its key ingredient is {material}.", "Kluczowy składnik to {material}."),
)

CLOSINGS: tuple[Term, ...] = (
    Term("Pairs well with other pieces from the {brand} range.", "Warto zestawić z innymi produktami marki {brand}."),
    Term("Ships in recyclable packaging.", "Wysyłamy w opakowaniu nadającym się do recyklingu."),
    Term("Free returns within 30 days.", "Bezpłatny zwrot do 30 dni."),
)

# Polish verb and participle forms by the noun's gender (see the module docstring).
PL_SPRAWDZI: Mapping[Gender, str] = {"m": "sprawdzi", "f": "sprawdzi", "n": "sprawdzi", "pl": "sprawdzą"}
PL_POSLUZY: Mapping[Gender, str] = {"m": "posłuży", "f": "posłuży", "n": "posłuży", "pl": "posłużą"}
PL_WYKONANY = Adjective("made", "Wykonany", "Wykonana", "Wykonane")

_PL_VOWELS = frozenset("aąeęioóuy")


def pl_from(genitive: str) -> str:
    """The preposition "z" with a genitive: "ze" before s, z, ś, ź, ż plus a consonant.

    'z bawełny', 'z zamszu', but 'ze stali', 'ze skóry', 'ze szkła', 'ze srebra'.
    """
    word = genitive.lower()
    if len(word) > 1 and word[0] in "szśźż" and word[1] not in _PL_VOWELS:
        return f"ze {genitive}"
    return f"z {genitive}"


IMAGE_VIEWS: tuple[str, ...] = ("", "side view", "detail")

# Storefront tags; "eco" and "sale" are derived from the product, the rest drawn at random.
TAG_NEW = "new"
TAG_ECO = "eco"
TAG_SALE = "sale"
RANDOM_TAGS: tuple[tuple[str, float], ...] = (
    ("bestseller", 0.10),
    ("limited", 0.04),
    ("gift-idea", 0.08),
    ("online-only", 0.05),
)


def all_leaves() -> tuple[tuple[Root, Branch, Leaf], ...]:
    """Every leaf with its ancestors, in tree order."""
    return tuple((root, branch, leaf) for root in TREE for branch in root.branches for leaf in branch.leaves)
