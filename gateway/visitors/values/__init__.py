"""gateway/visitors/values."""
