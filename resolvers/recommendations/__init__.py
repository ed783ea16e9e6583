"""resolvers/recommendations."""
