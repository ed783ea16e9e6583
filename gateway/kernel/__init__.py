"""The shared kernel: the error tree, who is asking (visitor ids, channels) and the values every
store can hold. Every area may use it."""

from gateway.kernel.errors import (
    ConfigError,
    ErrorCode,
    Forbidden,
    InputError,
    NotFound,
    PersistedQueryError,
    StoreUnavailable,
    Unauthenticated,
    VitrineError,
)
from gateway.kernel.storable import INT_MAX, INT_MIN, StorableRules, unstorable
from gateway.kernel.visitor import CHANNEL_NAME, Channel, Visitor, VisitorId

__all__ = [
    "CHANNEL_NAME",
    "INT_MAX",
    "INT_MIN",
    "Channel",
    "ConfigError",
    "ErrorCode",
    "Forbidden",
    "InputError",
    "NotFound",
    "PersistedQueryError",
    "StorableRules",
    "StoreUnavailable",
    "Unauthenticated",
    "Visitor",
    "VisitorId",
    "VitrineError",
    "unstorable",
]
