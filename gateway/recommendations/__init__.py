"""gateway/recommendations."""
