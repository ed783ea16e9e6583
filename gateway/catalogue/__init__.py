"""gateway/catalogue."""
