"""Schedules in editors' time zones: window edges, DST gaps and repeats, recurring hours."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from gateway.audiences import ConditionError
from gateway.slots.values.schedule import parse_schedule

WARSAW = "Europe/Warsaw"


def at(iso: str) -> datetime:
    return datetime.fromisoformat(iso).astimezone(UTC)


def test_window_is_local_start_inclusive_end_exclusive() -> None:
    s = parse_schedule({"start": "2026-11-27T00:00", "end": "2026-11-30T00:00", "timeZone": WARSAW}, "s")
    # Midnight in Warsaw (UTC+1 in November) is 23:00 UTC the day before.
    assert s.start == datetime(2026, 11, 26, 23, 0, tzinfo=UTC)
    assert not s.is_active(at("2026-11-26T22:59:59+00:00"))
    assert s.is_active(at("2026-11-26T23:00:00+00:00"))
    assert s.is_active(at("2026-11-29T22:59:59+00:00"))
    assert not s.is_active(at("2026-11-29T23:00:00+00:00"))


def test_same_wall_clock_time_is_a_different_utc_instant_across_dst() -> None:
    summer = parse_schedule({"start": "2026-07-01T09:00", "timeZone": WARSAW}, "s")
    winter = parse_schedule({"start": "2026-12-01T09:00", "timeZone": WARSAW}, "s")
    assert summer.start is not None and summer.start.hour == 7  # UTC+2
    assert winter.start is not None and winter.start.hour == 8  # UTC+1


def test_a_time_in_the_spring_forward_gap_is_refused_with_a_fix() -> None:
    with pytest.raises(ConditionError) as caught:
        parse_schedule({"start": "2026-03-29T02:30", "timeZone": WARSAW}, "variant.schedule")
    assert caught.value.path == "variant.schedule.start"
    assert "does not exist in Europe/Warsaw" in caught.value.message and "2026-03-29T03:30" in caught.value.message


def test_an_ambiguous_autumn_time_means_its_first_occurrence() -> None:
    s = parse_schedule({"start": "2026-10-25T02:30", "timeZone": WARSAW}, "s")
    # 02:30 happens twice on 25 Oct 2026 in Warsaw: first at 00:30 UTC (CEST), then 01:30 UTC (CET).
    assert s.start == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)


def test_daily_hours_stay_local_on_both_sides_of_dst() -> None:
    s = parse_schedule({"hours": {"from": "18:00", "to": "22:00"}, "timeZone": WARSAW}, "s")
    # Saturday before the change (CEST, UTC+2) and Monday after it (CET, UTC+1).
    assert s.is_active(at("2026-10-24T16:00:00+00:00")) and not s.is_active(at("2026-10-24T15:59:00+00:00"))
    assert s.is_active(at("2026-10-26T17:00:00+00:00")) and not s.is_active(at("2026-10-26T16:59:00+00:00"))
    assert not s.is_active(at("2026-10-26T21:00:00+00:00"))  # 22:00 local: the end is exclusive


def test_overnight_hours_belong_to_the_day_they_start() -> None:
    s = parse_schedule({"daysOfWeek": ["friday"], "hours": {"from": "22:00", "to": "02:00"}, "timeZone": "UTC"}, "s")
    assert s.is_active(at("2026-11-27T23:00:00+00:00"))  # Friday 23:00
    assert s.is_active(at("2026-11-28T01:30:00+00:00"))  # Saturday 01:30, still Friday night
    assert not s.is_active(at("2026-11-28T23:00:00+00:00"))  # Saturday night
    assert not s.is_active(at("2026-11-27T01:30:00+00:00"))  # Friday 01:30 is Thursday night


def test_explicit_offsets_are_honoured() -> None:
    s = parse_schedule({"start": "2026-11-27T00:00:00-05:00", "timeZone": WARSAW}, "s")
    assert s.start == datetime(2026, 11, 27, 5, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("raw", "path", "fragment"),
    [
        ({"timeZone": "Europe/Warsw"}, "s.timeZone", "unknown time zone"),
        ({"start": "2026-11-30", "end": "2026-11-27"}, "s.end", "must be after start"),
        ({"start": "next friday"}, "s.start", "not an ISO 8601"),
        ({"daysOfWeek": ["fri"]}, "s.daysOfWeek[0]", "is not a day"),
        ({"hours": {"from": "18:00", "to": "18:00"}}, "s.hours", "leave hours out"),
        ({"begin": "2026-11-27"}, "s", "unknown key(s) ['begin']"),
    ],
)
def test_invalid_schedules(raw: dict[str, object], path: str, fragment: str) -> None:
    with pytest.raises(ConditionError) as caught:
        parse_schedule(raw, "s")
    assert caught.value.path == path and fragment in caught.value.message
