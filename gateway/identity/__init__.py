"""gateway/identity."""
