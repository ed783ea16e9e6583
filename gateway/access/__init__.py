"""gateway/access."""
