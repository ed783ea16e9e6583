"""Identity: identifiers (customer id, email hash, loyalty card, device), the intake's identity
gate, linking identifiers to one profile and merging profiles, and reading who is who.

Public face of the area: other areas and the resolvers import only what is listed here.
"""

from gateway.identity.directory import IdentityDirectory, is_visitor_identifier
from gateway.identity.gate import IdentityAttribution, IdentityRules, IntakeGate
from gateway.identity.listener import IdentityListener
from gateway.identity.service import IdentityService, LinkResult
from gateway.identity.stores import IdentityStore, create_indexes, open_store
from gateway.identity.tokens import IdentityClaims, IdentityTokenVerifier, TokenRefused, mint_identity_token
from gateway.identity.values import (
    IdentifierError,
    IdKind,
    MergeRecord,
    email_hash,
    identifier,
    kind_of,
    normalise_email,
)

__all__ = [
    "IdKind",
    "IdentifierError",
    "IdentityAttribution",
    "IdentityClaims",
    "IdentityDirectory",
    "IdentityListener",
    "IdentityRules",
    "IdentityService",
    "IdentityStore",
    "IdentityTokenVerifier",
    "IntakeGate",
    "LinkResult",
    "MergeRecord",
    "TokenRefused",
    "create_indexes",
    "email_hash",
    "identifier",
    "is_visitor_identifier",
    "kind_of",
    "mint_identity_token",
    "normalise_email",
    "open_store",
]
