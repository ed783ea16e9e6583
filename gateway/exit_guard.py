"""SIGTERM always ends a serving process within the graceful-shutdown time.

uvicorn's signal handler only sets a flag that its event loop reads: a loop held by synchronous
work, or connections that never finish, would keep the process alive until SIGKILL. The guard
wraps the handler the server installed (it still runs: the graceful shutdown starts as before)
and, on the first SIGTERM or SIGINT, starts a daemon thread that ends the process with
`os._exit` if it is still running `seconds` later. A thread needs no event loop, and the
handler runs between two bytecodes even while the loop's thread is busy in Python code.

`install_exit_guard` is called by the app's lifespan when the process serves for real (the
`gateway.asgi` entry point), after the server has installed its handlers, and only on the main
thread (the only one Python delivers signals to). It returns a function that puts the wrapped
handlers back.
"""

from __future__ import annotations

import logging
import os
import signal
import sys
import threading
import time
from collections.abc import Callable
from types import FrameType
from typing import Any

log = logging.getLogger(__name__)

EXIT_CODE = 70  # EX_SOFTWARE: the graceful shutdown did not finish in time
SIGNALS = (signal.SIGTERM, signal.SIGINT)


def _exit_later(seconds: float) -> None:
    time.sleep(seconds)
    message = f"vitrine: shutdown did not finish within {seconds:g} s of the signal; exiting now\n"
    try:
        sys.stderr.write(message)
        sys.stderr.flush()
    finally:
        os._exit(EXIT_CODE)


def install_exit_guard(seconds: float) -> Callable[[], None]:
    """Wrap the SIGTERM/SIGINT handlers so the process exits at most `seconds` after the first signal."""
    if threading.current_thread() is not threading.main_thread():
        return lambda: None
    armed = threading.Event()
    previous: dict[int, Any] = {sig: signal.getsignal(sig) for sig in SIGNALS}

    def handler(sig: int, frame: FrameType | None) -> None:
        if not armed.is_set():
            armed.set()
            threading.Thread(target=_exit_later, args=(seconds,), name="vitrine-exit-guard", daemon=True).start()
        before = previous[sig]
        if callable(before):
            before(sig, frame)
        elif before == signal.SIG_DFL:  # nobody handled it before us: do what the default does
            signal.signal(sig, signal.SIG_DFL)
            signal.raise_signal(sig)

    for sig in SIGNALS:
        signal.signal(sig, handler)

    def uninstall() -> None:
        for sig, before in previous.items():
            if signal.getsignal(sig) is handler:
                signal.signal(sig, before)

    return uninstall
