"""The editor console at `/console` and the offline GraphiQL pages: browser files shipped in the package.

The console is a single-page app in plain ES modules (`static/`, no build step) that talks
only to the admin GraphQL API; this package just serves its files, with a strict
Content-Security-Policy (scripts and styles from this origin only, no inline script).
`vendor/` holds the GraphiQL and React builds the GraphiQL pages load instead of a CDN.
"""

from gateway.http.console.files import console_mount
from gateway.http.console.graphiql import graphiql_page

__all__ = ["console_mount", "graphiql_page"]
