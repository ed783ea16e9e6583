"""Demo data: a hand-written vocabulary and a deterministic catalogue generator built on it."""
