"""Privacy: consent decisions, and data subject requests (export and erasure of a person).

Public face of the area: other areas and the resolvers import only what is listed here.
"""

from gateway.privacy.consent import ConsentService
from gateway.privacy.service import ErasureReport, PrivacyService

__all__ = ["ConsentService", "ErasureReport", "PrivacyService"]
