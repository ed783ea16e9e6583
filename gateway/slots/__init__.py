"""gateway/slots."""
