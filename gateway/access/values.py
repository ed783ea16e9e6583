"""Admin API keys and roles (pure).

A key is shown once, when it is created: `vk_<id>_<secret>`. Only its SHA-256 digest is
stored, so a leaked database does not leak usable keys. Keys are long random tokens, so a
fast hash is enough (there is nothing to brute-force); lookups are by digest.

Admin roles are ordered: viewer (read everything) < editor (slots, variants, audiences,
experiments, segments) < admin (also API keys). Two roles only send events and read nothing
of the admin API:
- `ingest`: a server's key (a shop backend, a till, a loyalty system, a Segment source's server
  write key) for `POST /v1/events` and the Segment API: it vouches for the identifiers its
  events name. Keep it secret.
- `browser`: a public write key for the Segment API, shipped in web pages and apps
  (analytics.js): its events are accepted, but the identities they claim are never proven.
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
    BROWSER = "browser"

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

    @property
    def sends_events(self) -> bool:
        """A write key of the Segment API: public (browser) or secret (ingest, admin)."""
        return self in (Role.BROWSER, Role.INGEST, Role.ADMIN)


_RANKS = {Role.BROWSER: -2, Role.INGEST: -1, Role.VIEWER: 0, Role.EDITOR: 1, Role.ADMIN: 2}


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
