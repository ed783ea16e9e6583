"""What starts a rule or a journey, and what definitions may name (pure).

`when` is one of: `event` (names, optionally `channel`), `segmentEntered` / `segmentExited`,
`tierChanged` (`from`, `to`), `absence` (after an `after` event, no `of` event `for` a delay;
either list left out means any event), `promotion` (a catalogue change made a product the person
likes cheaper), `followUp` (only when another rule's `followUp` action schedules it).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any, TypeAlias

from gateway.audiences import KEY
from gateway.triggers.values.durations import AutomationError, format_duration, only_keys, parse_duration, suggest
from gateway.visitors import TRACK_EVENT_NAMES, Tier, Vocabulary

TRIGGERS = ("event", "segmentEntered", "segmentExited", "tierChanged", "absence", "promotion", "followUp")
TIERS = tuple(t.value for t in Tier)


@dataclass(frozen=True, slots=True)
class OnEvent:
    names: frozenset[str]
    channels: frozenset[str] = frozenset()  # empty: any channel


@dataclass(frozen=True, slots=True)
class OnSegment:
    key: str
    entered: bool


@dataclass(frozen=True, slots=True)
class OnTier:
    old: str | None = None  # None: any
    new: str | None = None


@dataclass(frozen=True, slots=True)
class OnAbsence:
    delay: timedelta
    after: frozenset[str] | None = None  # None: any event starts (or restarts) the wait
    of: frozenset[str] | None = None  # None: any event ends it

    def starts(self, name: str) -> bool:
        return self.after is None or name in self.after

    def ends(self, name: str) -> bool:
        return self.of is None or name in self.of


@dataclass(frozen=True, slots=True)
class OnPromotion:
    affinity_score: float
    wishlist: bool = True


@dataclass(frozen=True, slots=True)
class OnFollowUp:
    pass


Trigger: TypeAlias = OnEvent | OnSegment | OnTier | OnAbsence | OnPromotion | OnFollowUp


@dataclass(frozen=True, slots=True)
class Cap:
    count: int
    window: timedelta


@dataclass(frozen=True, slots=True)
class RuleDefaults:
    """What a rule that says nothing about them gets (the VITRINE_TRIGGER_* settings)."""

    holdout_percent: float = 10.0
    cap: Cap = Cap(1, timedelta(days=7))
    goal: str = "Order Completed"


@dataclass(frozen=True, slots=True)
class Context:
    """What the vocabulary lets a definition name, and the defaults it gets."""

    vocabulary: Vocabulary
    defaults: RuleDefaults = RuleDefaults()

    def event_names(self) -> list[str]:
        return sorted({*TRACK_EVENT_NAMES, *self.vocabulary.events, "Segment Entered", "Segment Exited"})

    def event(self, raw: Any, path: str) -> str:
        names = self.event_names()
        if not isinstance(raw, str) or raw not in names:
            hint = suggest(str(raw), names)
            raise AutomationError(path, f"unknown event {raw!r}{hint} (a shop's own event: declare it under events)")
        return raw

    def events(self, raw: Any, path: str) -> frozenset[str]:
        items = [raw] if isinstance(raw, str) else raw
        if not isinstance(items, list) or not items:
            raise AutomationError(path, "an event name or a non-empty list of names")
        return frozenset(self.event(n, f"{path}[{i}]" if isinstance(raw, list) else path) for i, n in enumerate(items))

    def channel(self, raw: Any, path: str) -> str:
        names = self.vocabulary.channel_names()
        if not isinstance(raw, str) or raw not in names:
            hint = suggest(str(raw), names) or f"; use one of {', '.join(names)} or declare it under channels"
            raise AutomationError(path, f"unknown channel {raw!r}{hint}")
        return raw


def segment_key(raw: Any, path: str) -> str:
    if not isinstance(raw, str) or not KEY.match(raw):
        raise AutomationError(path, "a segment key: 1-64 lower-case letters, digits, '-' or '_'")
    return raw


def parse_trigger(raw: Any, path: str, ctx: Context) -> Trigger:
    if not isinstance(raw, dict) or len(raw) != 1:
        raise AutomationError(path, f"'when' is an object with one of {', '.join(TRIGGERS)}")
    kind, spec = next(iter(raw.items()))
    where = f"{path}.{kind}"
    if kind == "event":
        if isinstance(spec, dict):
            only_keys(spec, ("name", "channel"), where, "an event trigger")
            names = ctx.events(spec.get("name"), f"{where}.name")
            chans = spec.get("channel", [])
            listed = [chans] if isinstance(chans, str) else chans
            if not isinstance(listed, list):
                raise AutomationError(f"{where}.channel", "a channel or a list of channels")
            return OnEvent(names, frozenset(ctx.channel(c, f"{where}.channel") for c in listed))
        return OnEvent(ctx.events(spec, where))
    if kind in ("segmentEntered", "segmentExited"):
        return OnSegment(segment_key(spec, where), kind == "segmentEntered")
    if kind == "tierChanged":
        only_keys(spec, ("from", "to"), where, "tierChanged")
        tiers = {}
        for end in ("from", "to"):
            value = spec.get(end)
            if value is not None and value not in TIERS:
                raise AutomationError(f"{where}.{end}", f"a tier: {', '.join(TIERS)}{suggest(str(value), TIERS)}")
            tiers[end] = value
        return OnTier(tiers["from"], tiers["to"])
    if kind == "absence":
        only_keys(spec, ("after", "of", "for"), where, "absence")
        after = ctx.events(spec["after"], f"{where}.after") if "after" in spec else None
        of = ctx.events(spec["of"], f"{where}.of") if "of" in spec else None
        return OnAbsence(parse_duration(spec.get("for"), f"{where}.for"), after, of)
    if kind == "promotion":
        only_keys(spec, ("affinityScore", "wishlist"), where, "promotion")
        score = spec.get("affinityScore", 5.0)
        if isinstance(score, bool) or not isinstance(score, int | float) or score <= 0:
            raise AutomationError(f"{where}.affinityScore", "a positive number (interest score)")
        wishlist = spec.get("wishlist", True)
        if not isinstance(wishlist, bool):
            raise AutomationError(f"{where}.wishlist", "true or false")
        return OnPromotion(float(score), wishlist)
    if kind == "followUp":
        only_keys(spec, (), where, "followUp")
        return OnFollowUp()
    raise AutomationError(
        path, f"unknown trigger {kind!r}{suggest(str(kind), TRIGGERS) or '; use ' + ', '.join(TRIGGERS)}"
    )


def describe(when: Trigger) -> str:
    """One line for operators and the console: 'event Order Refunded', 'absence 60m after ...'."""
    if isinstance(when, OnEvent):
        return f"event {', '.join(sorted(when.names))}" + (
            f" on {', '.join(sorted(when.channels))}" if when.channels else ""
        )
    if isinstance(when, OnSegment):
        return f"segment {'entered' if when.entered else 'exited'} {when.key}"
    if isinstance(when, OnTier):
        return f"engagement tier {when.old or 'any'} -> {when.new or 'any'}"
    if isinstance(when, OnAbsence):
        after = ", ".join(sorted(when.after)) if when.after else "any event"
        of = ", ".join(sorted(when.of)) if when.of else "any event"
        return f"no {of} for {format_duration(when.delay)} after {after}"
    if isinstance(when, OnPromotion):
        return f"promotion of a liked product (affinity {when.affinity_score:g})"
    return "follow-up"
