"""Progress of long commands: a live bar on a terminal, plain lines everywhere else.

A bar redrawn in place is noise in a log file, a CI job or `kubectl logs`, and rich draws
nothing at all when its console is not a terminal. So off a terminal, `progress_lines` prints
one line per tenth of the work, and at least one every `every` seconds while work goes on:

    importing: 120000 of 2000000 (6%), 14 s
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import Progress

Update = Callable[[int, int], None]  # (done, total)


@contextmanager
def progress_lines(
    console: Console, label: str, *, every: float = 10.0, clock: Callable[[], float] = time.monotonic
) -> Iterator[Update]:
    """An `update(done, total)` callback that shows progress on `console` (see the module)."""
    if console.is_terminal:
        with Progress(console=console, transient=False) as bar:
            task = bar.add_task(label, total=None)
            yield lambda done, total: bar.update(task, completed=done, total=total)
        return
    started = last = clock()
    shown_tenth = -1

    def update(done: int, total: int) -> None:
        nonlocal last, shown_tenth
        now = clock()
        tenth = 10 * done // total if total else 0
        if tenth > shown_tenth or now - last >= every:
            percent = 100 * done // total if total else 0
            console.print(f"{label}: {done} of {total} ({percent}%), {now - started:.0f} s", highlight=False)
            last, shown_tenth = now, max(shown_tenth, tenth)

    yield update
