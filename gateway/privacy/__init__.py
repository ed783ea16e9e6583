"""gateway/privacy."""
