"""gateway/platform."""
