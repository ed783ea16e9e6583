"""gateway/kernel."""
