"""Vitrine: a GraphQL personalization gateway for headless commerce."""

__version__ = "0.1.0"
