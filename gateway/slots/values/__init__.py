"""gateway/slots/values."""
