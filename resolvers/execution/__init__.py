"""resolvers/execution."""
