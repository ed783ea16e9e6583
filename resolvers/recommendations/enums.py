"""GraphQL enums of recommendations (the domain enums, registered with strawberry).

Kept apart from `resolvers.recommendations.lists` so `resolvers.catalogue` can use them for
`Product.recommendations(strategy:)` without an import cycle.
"""

from __future__ import annotations

import strawberry

from gateway.recommendations import recommendations as recs

RecommendationStrategy = strawberry.enum(recs.Strategy, name="RecommendationStrategy")
RecommendationSignal = strawberry.enum(
    recs.Signal, name="RecommendationSignal", description="Which signal put an item on a list."
)
FallbackStep = strawberry.enum(recs.FallbackStep, name="RecommendationFallbackStep")
