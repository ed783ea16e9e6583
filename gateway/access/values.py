"""Admin API keys and roles (pure).

A key is shown once, when it is created: `vk_<id>_<secret>`. Only its SHA-256 digest is
stored, so a leaked database does not leak usable keys. Keys are long random tokens, so a
fast hash is enough (there is nothing to brute-force); lookups are by digest.

Admin roles are ordered: viewer (read everything) < editor (slots, variants, audiences,
experiments, segments) < admin (also API keys). `ingest` is a server's key for `POST
/v1/events` (a shop backend, a till, a loyalty system): it vouches for the identifiers its
events name and may read nothing of the admin API.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime
from enum import Enum

KEY_PREFIX = "vk_"
BOOTSTRAP_KEY_ID = "bootstrap"


class Role(Enum):
    VIEWER = "viewer"
    EDITOR = "editor"
    ADMIN = "admin"
    INGEST = "ingest"

    @property
    def rank(self) -> int:
        return _RANKS[self]

    def allows(self, required: Role) -> bool:
        """True if a key with this role may do what `required` guards."""
        return self.rank >= required.rank

    @property
    def vouches_for_identities(self) -> bool:
        """Events sent with this key may link the identifiers they name (servers only)."""
        return self in (Role.INGEST, Role.ADMIN)


_RANKS = {Role.INGEST: -1, Role.VIEWER: 0, Role.EDITOR: 1, Role.ADMIN: 2}


@dataclass(frozen=True, slots=True)
class ApiKey:
    id: str
    name: str
    role: Role
    digest: str  # sha256 hex of the whole key
    created_at: datetime
    created_by: str
    revoked: bool = False


@dataclass(frozen=True, slots=True)
class Principal:
    """Who is calling the admin API. Never holds the key itself."""

    key_id: str
    name: str
    role: Role


def digest(raw_key: str) -> str:
    return hashlib.sha256(raw_key.encode()).hexdigest()


def new_key() -> tuple[str, str]:
    """A fresh (key id, full key). The id is public (listings, audit); the key is secret."""
    key_id = secrets.token_hex(6)
    return key_id, f"{KEY_PREFIX}{key_id}_{secrets.token_urlsafe(32)}"
