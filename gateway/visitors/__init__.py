"""gateway/visitors."""
