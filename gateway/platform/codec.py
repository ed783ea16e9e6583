"""Field conversions every store codec shares (datetimes kept as BSON dates or ISO text)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any


def dt_out(value: datetime | None, as_text: bool) -> Any:
    if value is None:
        return None
    return value.isoformat() if as_text else value


def dt_in(value: Any) -> datetime | None:
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    assert isinstance(value, datetime)
    return value if value.tzinfo else value.replace(tzinfo=UTC)
