"""Stop signals held off while a step must not be cut, in a process with other threads too."""

from __future__ import annotations

import os
import signal
import threading
import time
from typing import Callable, ContextManager, Iterator

import pytest

from voice_guide.stop_signals import handled, stops_held


class Stopped(Exception):
    pass


def in_another_thread(block: Callable[[], ContextManager[None]]) -> list[str]:
    """Enter ``block()`` in a thread that is not the main one: ["ran"], or the error it raised."""
    ran: list[str] = []

    def elsewhere() -> None:
        try:
            with block():
                ran.append("ran")
        except ValueError as exc:
            ran.append(str(exc))

    other = threading.Thread(target=elsewhere)
    other.start()
    other.join()
    return ran


@pytest.fixture()
def raising_on_sigterm() -> Iterator[None]:
    def stop(signum: int, frame: object) -> None:
        raise Stopped(signum)

    previous = signal.signal(signal.SIGTERM, stop)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


@pytest.mark.parametrize("for_children", [False, True])
def test_a_stop_in_the_block_is_acted_on_as_it_ends_though_another_thread_could_take_it(
        raising_on_sigterm: None, for_children: bool) -> None:
    """A progress bar's or a renderer's thread does not mask the signal: the kernel may hand it there,
    and Python would run the handler in the main thread at once, in the middle of the block."""
    mask_before = signal.pthread_sigmask(signal.SIG_BLOCK, [])
    done = threading.Event()
    other = threading.Thread(target=done.wait)
    other.start()
    steps: list[str] = []
    try:
        with pytest.raises(Stopped):
            with stops_held(for_children=for_children):
                os.kill(os.getpid(), signal.SIGTERM)
                time.sleep(0.05)  # a handler would have run by now
                steps.append("the block ran to its end")
    finally:
        done.set()
        other.join()
    assert steps == ["the block ran to its end"]
    assert signal.pthread_sigmask(signal.SIG_BLOCK, []) == mask_before  # nothing left masked


def test_without_a_stop_the_block_leaves_the_handlers_as_they_were(raising_on_sigterm: None) -> None:
    before = signal.getsignal(signal.SIGTERM), signal.getsignal(signal.SIGINT)
    with stops_held(for_children=True):
        pass
    assert (signal.getsignal(signal.SIGTERM), signal.getsignal(signal.SIGINT)) == before


def test_outside_the_main_thread_the_block_runs_as_it_is() -> None:
    """Only the main thread can swap signal handlers (Python raises ValueError elsewhere); a reply
    file closed in another thread must still close."""
    assert in_another_thread(lambda: stops_held(for_children=True)) == ["ran"]


def test_a_handler_for_the_block_gives_the_callers_back_and_does_nothing_off_the_main_thread(
        raising_on_sigterm: None) -> None:
    """``handled`` is how a command takes SIGTERM (main) and SIGHUP (a live kiosk's reload)."""
    before = signal.getsignal(signal.SIGTERM)
    came: list[int] = []
    with handled(signal.SIGTERM, lambda signum, frame: came.append(signum)):
        os.kill(os.getpid(), signal.SIGTERM)
        time.sleep(0.05)
    assert came == [signal.SIGTERM] and signal.getsignal(signal.SIGTERM) is before
    assert in_another_thread(lambda: handled(signal.SIGTERM, lambda signum, frame: None)) == ["ran"]
    assert signal.getsignal(signal.SIGTERM) is before
