"""When a variant may be shown: a window in an IANA time zone, optionally recurring (pure).

    {"start": "2026-11-27T00:00", "end": "2026-12-01T00:00", "timeZone": "Europe/Warsaw",
     "daysOfWeek": ["friday", "saturday"], "hours": {"from": "18:00", "to": "22:00"}}

`start`/`end` are wall-clock times in `timeZone` (editors think in shop time); an explicit
offset (`...+01:00`) is honoured as written. The window is start-inclusive, end-exclusive.
Conversions go through zoneinfo, so DST is handled: a local time that does not exist (the
spring-forward gap) is refused with a suggestion, and an ambiguous one (the autumn repeat)
means its first occurrence. `daysOfWeek` and `hours` are checked in local time, so "18:00 to
22:00" stays 18:00 to 22:00 on both sides of a DST change. `hours.to` may be before `from`
(overnight, e.g. 22:00 to 02:00).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from gateway.audiences import ConditionError as DefinitionError

DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


@dataclass(frozen=True, slots=True)
class Schedule:
    time_zone: str = "UTC"
    start: datetime | None = None  # aware (UTC)
    end: datetime | None = None
    days: frozenset[int] = frozenset()  # 0 = Monday; empty = every day
    hours: tuple[time, time] | None = None

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)

    def is_active(self, now: datetime) -> bool:
        if self.start is not None and now < self.start:
            return False
        if self.end is not None and now >= self.end:
            return False
        if not self.days and self.hours is None:
            return True
        local = now.astimezone(self.zone)
        if self.hours is not None:
            lo, hi = self.hours
            t = local.time().replace(tzinfo=None)
            overnight = hi <= lo
            inside = (lo <= t or t < hi) if overnight else (lo <= t < hi)
            if not inside:
                return False
            # An overnight window after midnight belongs to the previous day's schedule.
            day = (local - timedelta(days=1)).weekday() if overnight and t < hi else local.weekday()
        else:
            day = local.weekday()
        return not self.days or day in self.days

    def overlaps(self, other: Schedule) -> bool:
        """Whether both could be active at some instant (a conservative check on the recurrences)."""
        lo = max(self.start or _MIN, other.start or _MIN)
        hi = min(self.end or _MAX, other.end or _MAX)
        if lo >= hi:
            return False
        if self.days and other.days and not (self.days & other.days):
            return False
        if self.hours and other.hours and self.time_zone == other.time_zone:
            return _hours_meet(self.hours, other.hours)
        return True


_MIN = datetime(1970, 1, 1, tzinfo=UTC)
_MAX = datetime(9999, 1, 1, tzinfo=UTC)


def _minutes(window: tuple[time, time]) -> set[int]:
    lo, hi = (t.hour * 60 + t.minute for t in window)
    return set(range(lo, hi)) if hi > lo else set(range(lo, 1440)) | set(range(0, hi))


def _hours_meet(a: tuple[time, time], b: tuple[time, time]) -> bool:
    return bool(_minutes(a) & _minutes(b))


def parse_zone(raw: Any, path: str) -> ZoneInfo:
    """An IANA zone, or a definition error naming the field."""
    if not isinstance(raw, str) or not raw:
        raise DefinitionError(path, "an IANA time zone such as 'Europe/Warsaw' or 'UTC'")
    try:
        return ZoneInfo(raw)
    except (ZoneInfoNotFoundError, ValueError):
        raise DefinitionError(path, f"unknown time zone {raw!r}; use an IANA name such as 'Europe/Warsaw'") from None


def local_to_utc(raw: Any, zone: ZoneInfo, path: str) -> datetime:
    """A wall-clock time in `zone` (or with an explicit offset) as an aware UTC datetime."""
    if not isinstance(raw, str):
        raise DefinitionError(path, "an ISO 8601 date-time such as '2026-11-27T00:00'")
    try:
        parsed = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        raise DefinitionError(path, f"{raw!r} is not an ISO 8601 date-time such as '2026-11-27T00:00'") from None
    if parsed.tzinfo is not None:
        return parsed.astimezone(UTC)
    local = parsed.replace(tzinfo=zone, fold=0)
    # A time in the spring-forward gap does not survive a round trip through UTC.
    if local.astimezone(UTC).astimezone(zone).replace(tzinfo=None) != parsed:
        after = (local.astimezone(UTC)).astimezone(zone)
        raise DefinitionError(
            path,
            f"{raw} does not exist in {zone.key} (clocks go forward that night); "
            f"use {after.strftime('%Y-%m-%dT%H:%M')} instead",
        )
    return local.astimezone(UTC)


def _clock(raw: Any, path: str) -> time:
    try:
        if not isinstance(raw, str):
            raise ValueError
        return time.fromisoformat(raw)
    except ValueError:
        raise DefinitionError(path, f"{raw!r} is not a time of day such as '18:00'") from None


def parse_schedule(raw: Any, path: str, default_zone: str = "UTC") -> Schedule:
    if not isinstance(raw, Mapping):
        raise DefinitionError(path, "a schedule is an object with start, end, timeZone, daysOfWeek, hours")
    unknown = sorted(set(raw) - {"start", "end", "timeZone", "daysOfWeek", "hours"})
    if unknown:
        raise DefinitionError(path, f"unknown key(s) {unknown}; a schedule has start, end, timeZone, daysOfWeek, hours")
    zone = parse_zone(raw.get("timeZone", default_zone), f"{path}.timeZone")
    start = local_to_utc(raw["start"], zone, f"{path}.start") if raw.get("start") is not None else None
    end = local_to_utc(raw["end"], zone, f"{path}.end") if raw.get("end") is not None else None
    if start is not None and end is not None and end <= start:
        raise DefinitionError(f"{path}.end", "must be after start")
    days: set[int] = set()
    raw_days = raw.get("daysOfWeek", [])
    if not isinstance(raw_days, list):
        raise DefinitionError(f"{path}.daysOfWeek", "a list of day names such as ['friday', 'saturday']")
    for i, day in enumerate(raw_days):
        if day not in DAYS:
            raise DefinitionError(f"{path}.daysOfWeek[{i}]", f"{day!r} is not a day; use one of {', '.join(DAYS)}")
        days.add(DAYS.index(day))
    hours = None
    if raw.get("hours") is not None:
        spec = raw["hours"]
        if not isinstance(spec, Mapping) or set(spec) != {"from", "to"}:
            raise DefinitionError(f"{path}.hours", "an object {'from': '18:00', 'to': '22:00'} in local time")
        hours = (_clock(spec["from"], f"{path}.hours.from"), _clock(spec["to"], f"{path}.hours.to"))
        if hours[0] == hours[1]:
            raise DefinitionError(f"{path}.hours", "from and to are equal: leave hours out to mean all day")
    return Schedule(zone.key, start, end, frozenset(days), hours)
