"""resolvers/visitors."""
