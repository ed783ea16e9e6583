"""Visitor identity values."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import NewType

VisitorId = NewType("VisitorId", str)


class Channel(Enum):
    WEB = "web"
    APP = "app"
    KIOSK = "kiosk"
    POS = "pos"
    BEACON = "beacon"


@dataclass(frozen=True, slots=True)
class Visitor:
    """Who is asking. `is_new` is True when the request carried no valid id; `refresh` when it
    carried one whose token should be signed again (it is getting old, or was signed with a
    previous key or in the first format)."""

    id: VisitorId
    is_new: bool
    channel: Channel = Channel.WEB
    refresh: bool = False
