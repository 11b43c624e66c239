"""Stop signals (Ctrl-C's SIGINT, a service manager's SIGTERM, a closed terminal's SIGHUP) held off while
a step must not be cut.

A signal mask alone does not do it in a process with other threads (a progress bar's, a speech
renderer's): the kernel hands the signal to a thread that does not block it, and Python then runs the
handler in the main thread at once. So the handlers themselves are swapped for ones that only
record the signal; it is acted on, with the handler that was there before, as the step ends.
"""

from __future__ import annotations

import signal
import threading
from contextlib import contextmanager
from typing import Any, Callable, Iterator

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


@contextmanager
def handled(signum: int, handler: Callable[[int, Any], None]) -> Iterator[None]:
    """``handler`` takes ``signum`` while the block runs, and the caller's handler is back afterwards
    (``main`` is also called in-process); one set outside Python comes back as the default. Only the
    main thread can set a handler: elsewhere the block runs as it is."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    before = signal.signal(signum, handler)
    try:
        yield
    finally:
        signal.signal(signum, before if before is not None else signal.SIG_DFL)


@contextmanager
def stops_held(for_children: bool = False) -> Iterator[None]:
    """Stop signals that come during the block are acted on as it ends (the first of them, with the
    handler in place before the block). ``for_children``: also mask them in this thread, so that a
    child forked in the block starts with them held, and takes them once it has unmasked them with
    its own handlers in place."""
    came: list[int] = []
    # Only the main thread can swap handlers; a signal's handler runs there too, never in this thread.
    on_main = threading.current_thread() is threading.main_thread()
    before: dict[int, object] = {int(signum): signal.getsignal(signum) for signum in STOP_SIGNALS} if on_main else {}
    for signum, handler in before.items():
        if callable(handler):  # an ignored signal stays ignored; a default one stays deadly
            signal.signal(signum, lambda s, frame: came.append(s))
    masked = signal.pthread_sigmask(signal.SIG_BLOCK, STOP_SIGNALS) if for_children else None
    try:
        yield
    finally:
        if masked is not None:
            signal.pthread_sigmask(signal.SIG_SETMASK, masked)
        for signum, handler in before.items():
            if callable(handler):
                signal.signal(signum, handler)
        if came:
            handler = before[came[0]]
            assert callable(handler)  # only a callable handler was swapped for the recorder
            handler(came[0], None)  # raises KeyboardInterrupt, or whatever the command made of it
