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
from gateway.kernel.visitor import CHANNEL_NAME, Channel, Visitor, VisitorId

__all__ = [
    "CHANNEL_NAME",
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
