"""ASGI entry point for uvicorn and other servers: `gateway.asgi:app`, configured from the environment."""

from __future__ import annotations

import os

from gateway.app import create_app
from gateway.settings import load_settings

app = create_app(load_settings(os.environ), exit_guard=True)
