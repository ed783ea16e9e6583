"""gateway/audiences."""
