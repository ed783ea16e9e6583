"""Storage: protocols, and memory / MongoDB / Redis implementations chosen by URL scheme."""
