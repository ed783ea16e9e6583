"""gateway/platform/leases."""
