"""gateway/http/rate_limits."""
