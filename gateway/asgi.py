"""ASGI entry point for uvicorn and other servers: `gateway.asgi:app`, configured from the environment.

Importing it also sets the process's logging (VITRINE_LOG_FORMAT, VITRINE_LOG_LEVEL): each
server worker process imports this module, and the server's own loggers then write our lines.
"""

from __future__ import annotations

import os

from gateway.app import create_app
from gateway.platform.logs import configure_logging
from gateway.settings import load_settings

_settings = load_settings(os.environ)
configure_logging(_settings.log_level, _settings.log_format)
app = create_app(_settings, exit_guard=True)
