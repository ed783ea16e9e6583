"""gateway/triggers."""
