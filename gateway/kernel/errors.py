"""The one exception tree of the gateway, and the error codes clients see.

    VitrineError                 base; carries a machine-readable `code`
     ├── ConfigError             invalid configuration: fails startup with one line
     ├── InputError              bad public input (GraphQL arguments, events, files)
     ├── NotFound                a referenced thing does not exist
     ├── Unauthenticated         no API key, or one the gateway does not know (HTTP 401)
     ├── Forbidden               a known API key whose role does not allow the action (HTTP 403)
     ├── PersistedQueryError     a persisted-query request that cannot be served (code says why)
     └── StoreUnavailable        a backing store (MongoDB, Redis) failed or timed out

Stores and connectors translate driver exceptions into `StoreUnavailable` at their
boundary; nothing above them sees a pymongo or redis exception. GraphQL exposes a
`VitrineError`'s message and code; anything else is masked (details go to the log).
"""

from __future__ import annotations

from enum import Enum


class ErrorCode(Enum):
    CONFIG_INVALID = "CONFIG_INVALID"
    BAD_USER_INPUT = "BAD_USER_INPUT"
    NOT_FOUND = "NOT_FOUND"
    STORE_UNAVAILABLE = "STORE_UNAVAILABLE"
    BATCH_TOO_LARGE = "BATCH_TOO_LARGE"
    UNAUTHENTICATED = "UNAUTHENTICATED"
    FORBIDDEN = "FORBIDDEN"
    PERSISTED_QUERY_NOT_FOUND = "PERSISTED_QUERY_NOT_FOUND"
    PERSISTED_QUERY_NOT_SUPPORTED = "PERSISTED_QUERY_NOT_SUPPORTED"
    PERSISTED_QUERY_NOT_IN_LIST = "PERSISTED_QUERY_NOT_IN_LIST"
    INTERNAL = "INTERNAL_SERVER_ERROR"


class VitrineError(Exception):
    code: ErrorCode = ErrorCode.INTERNAL

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class ConfigError(VitrineError):
    code = ErrorCode.CONFIG_INVALID

    def __init__(self, variable: str, message: str) -> None:
        super().__init__(f"{variable}: {message}")
        self.variable = variable


class InputError(VitrineError):
    code = ErrorCode.BAD_USER_INPUT

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(f"{field}: {message}" if field else message)
        self.field = field


class NotFound(VitrineError):
    code = ErrorCode.NOT_FOUND


class Unauthenticated(VitrineError):
    code = ErrorCode.UNAUTHENTICATED


class Forbidden(VitrineError):
    code = ErrorCode.FORBIDDEN


class PersistedQueryError(VitrineError):
    """APQ / trusted-document protocol errors; the message is the protocol's own wording."""

    def __init__(self, code: ErrorCode, message: str) -> None:
        super().__init__(message)
        self.code = code


class StoreUnavailable(VitrineError):
    code = ErrorCode.STORE_UNAVAILABLE

    def __init__(self, store: str, operation: str, cause: BaseException | None = None) -> None:
        detail = f" ({type(cause).__name__})" if cause is not None else ""
        super().__init__(f"{store} is unavailable during {operation}{detail}")
        self.store = store
        self.operation = operation
