"""gateway/slots/stores."""
