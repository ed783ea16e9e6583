"""gateway/recommendations/values."""
