"""resolvers/privacy."""
