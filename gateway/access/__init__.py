"""Access: admin API keys and their roles (viewer, editor, admin).

Public face of the area: other areas and the resolvers import only what is listed here.
"""

from gateway.access.service import ApiKeyService
from gateway.access.stores import ApiKeyStore, create_indexes, open_store
from gateway.access.values import ApiKey, Principal, Role

__all__ = ["ApiKey", "ApiKeyService", "ApiKeyStore", "Principal", "Role", "create_indexes", "open_store"]
