"""resolvers/slots."""
