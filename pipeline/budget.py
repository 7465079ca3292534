"""A time budget per article: no single input may hold up a run.

Every stage runs in time linear in its input, so a budget is a safety net, not a scheduler:
the stages call :func:`check` between units of bounded work (a line, a sentence), and an
article whose time is up raises :class:`TimeBudgetExceeded`, which the runs report as a
skipped input.  The deadline is per thread, so it works alike in the calling process,
in ``--jobs`` worker processes and in Dask's worker threads, and an interrupted article
leaves nothing behind: the next one starts with its own deadline.

Stdlib only; every stage may import it.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["DEFAULT_MAX_SECONDS", "TimeBudgetExceeded", "check", "time_budget"]

DEFAULT_MAX_SECONDS = 10.0

class _State(threading.local):
    # Class attributes, so that a thread with no budget reads None without a failed lookup (getattr with a default
    # raised and caught an AttributeError inside every check: 0.9 µs, ten times an article).
    deadline: float | None = None
    seconds: float | None = None


_state = _State()


class TimeBudgetExceeded(Exception):
    """An article took longer than the per-article time budget."""


@contextmanager
def time_budget(seconds: float | None) -> Iterator[None]:
    """Give the work inside the block ``seconds`` of wall time (``None`` or 0: no limit).

    >>> with time_budget(60):
    ...     check()  # well within the budget: nothing happens
    """
    if not seconds:
        yield
        return
    previous = _state.deadline, _state.seconds
    _state.deadline, _state.seconds = time.monotonic() + seconds, seconds
    try:
        yield
    finally:
        _state.deadline, _state.seconds = previous


def check() -> None:
    """Raise :class:`TimeBudgetExceeded` if the current article's time is up."""
    deadline = _state.deadline
    if deadline is not None and time.monotonic() > deadline:
        raise TimeBudgetExceeded(f"took longer than {_state.seconds:g} s, the time budget per article (--max-seconds)")
