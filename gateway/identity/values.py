"""Identifiers that can point at one customer profile, and the record of a merge (pure).

An identifier is written `kind:value`: `visitor:v_...` (a signed device/browser id),
`customer:<shop customer id>`, `email:<sha256 of the normalised address>` (or `email:<address>`
when the operator opts out of hashing), `loyalty:<card id>` (POS and beacons).
Every identifier belongs to at most one profile; when one request names identifiers owned
by several profiles, those profiles merge.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from enum import Enum

from gateway.kernel import VisitorId

MAX_VALUE_LENGTH = 128


class IdKind(Enum):
    VISITOR = "visitor"
    CUSTOMER = "customer"
    EMAIL = "email"
    LOYALTY = "loyalty"


class IdentifierError(ValueError):
    pass


# Per kind: how many identifiers one profile may hold, most trusted kind first. A link that
# would pass a limit is refused as a whole; two profiles with different customer ids are two
# known people and never merge (IDENTITY_CONFLICT).
DEFAULT_KIND_LIMITS: dict[IdKind, int] = {IdKind.CUSTOMER: 1, IdKind.LOYALTY: 5, IdKind.EMAIL: 5, IdKind.VISITOR: 50}


def identifier(kind: IdKind, value: str) -> str:
    """`kind:value`, validated: 1-128 printable characters."""
    value = value.strip()
    if not 1 <= len(value) <= MAX_VALUE_LENGTH or not value.isprintable():
        raise IdentifierError(f"{kind.value} id must be 1-{MAX_VALUE_LENGTH} printable characters")
    return f"{kind.value}:{value}"


def normalise_email(email: str) -> str:
    address = email.strip().lower()
    local, at, domain = address.partition("@")
    if not at or not local or "." not in domain or len(address) > 254 or any(c.isspace() for c in address):
        raise IdentifierError("email is not a valid address (name@example.com)")
    return address


def email_hash(email: str) -> str:
    """SHA-256 hex of the trimmed, lower-cased address: the form ad platforms match on too."""
    return hashlib.sha256(normalise_email(email).encode()).hexdigest()


def kind_of(ident: str) -> IdKind:
    return IdKind(ident.partition(":")[0])


@dataclass(frozen=True, slots=True)
class MergeRecord:
    """Which profiles merged into which, when and why (`identify`, `alias`, `pos`...)."""

    target: VisitorId
    sources: tuple[VisitorId, ...]
    identifiers: tuple[str, ...]  # the identifiers that tied them together
    reason: str
    at: datetime
    refused: str | None = None  # a code (IDENTITY_CONFLICT...) when the merge was refused and nothing merged
