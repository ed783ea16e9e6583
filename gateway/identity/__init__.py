"""Identity: identifiers (customer id, email hash, loyalty card, device), the intake's identity
gate, linking identifiers to one profile and merging profiles, and reading who is who.

Public face of the area: other areas and the resolvers import only what is listed here.
"""

from gateway.identity.directory import IdentityDirectory, is_visitor_identifier
from gateway.identity.gate import IdentityAttribution, IntakeGate, customer_signature
from gateway.identity.listener import IdentityListener
from gateway.identity.service import IdentityService, LinkResult
from gateway.identity.stores import IdentityStore, create_indexes, open_store
from gateway.identity.values import IdKind, MergeRecord, email_hash, identifier, kind_of

__all__ = [
    "IdKind",
    "IdentityAttribution",
    "IdentityDirectory",
    "IdentityListener",
    "IdentityService",
    "IdentityStore",
    "IntakeGate",
    "LinkResult",
    "MergeRecord",
    "create_indexes",
    "customer_signature",
    "email_hash",
    "identifier",
    "is_visitor_identifier",
    "kind_of",
    "open_store",
]
