"""The shared kernel: the error tree and who is asking (visitor ids, channels). Every area may use it."""

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
from gateway.kernel.visitor import Channel, Visitor, VisitorId

__all__ = [
    "Channel",
    "ConfigError",
    "ErrorCode",
    "Forbidden",
    "InputError",
    "NotFound",
    "PersistedQueryError",
    "StoreUnavailable",
    "Unauthenticated",
    "Visitor",
    "VisitorId",
    "VitrineError",
]
