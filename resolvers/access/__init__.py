"""resolvers/access."""
