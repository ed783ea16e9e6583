"""Offline evaluation of recommendations (`python -m gateway eval recs`)."""
