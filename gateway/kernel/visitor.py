"""Visitor identity values."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum
from typing import NewType, cast

VisitorId = NewType("VisitorId", str)

CHANNEL_NAME = re.compile(r"[a-z][a-z0-9_]{0,31}")


class Channel(Enum):
    """Where an event happened. The five members are built in; a shop declares more (email,
    sms, push, voice) in its automation release (docs/triggers.md).

    A declared channel is a member made on first use, one object per name: `Channel("email")`
    works wherever `Channel.WEB` does (`.value`, comparisons, storage), while iterating the
    class still lists the built-in five. Whether a name may be *sent* is the intake's check
    against the declarations, not this class's: it only insists on a well-formed name.
    """

    WEB = "web"
    APP = "app"
    KIOSK = "kiosk"
    POS = "pos"
    BEACON = "beacon"

    @classmethod
    def _missing_(cls, value: object) -> Channel | None:
        if not isinstance(value, str) or not CHANNEL_NAME.fullmatch(value):
            return None
        member = object.__new__(cls)
        member._name_ = value.upper()
        member._value_ = value
        return cast(Channel, cls._value2member_map_.setdefault(value, member))

    @property
    def builtin(self) -> bool:
        return self.name in type(self).__members__


@dataclass(frozen=True, slots=True)
class Visitor:
    """Who is asking. `is_new` is True when the request carried no valid id; `refresh` when it
    carried one whose token should be signed again (it is getting old, or was signed with a
    previous key or in the first format)."""

    id: VisitorId
    is_new: bool
    channel: Channel = Channel.WEB
    refresh: bool = False
