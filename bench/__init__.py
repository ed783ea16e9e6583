"""Benchmarks: run them by hand; they print numbers. Not part of the test suite."""
