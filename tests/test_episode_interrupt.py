"""The episode build worker's Ctrl-C handler: safe against a second Ctrl-C arriving while it runs, and
ignoring any further stop signal once it has begun."""

from __future__ import annotations

import signal
import subprocess
import sys
import textwrap

# Calls the installed handler, and from inside it (at its k-th traced line, in it or in anything it
# calls) calls it again, as a second Ctrl-C would: the terminal's signal to the whole process group
# and the main process's own one to each worker can arrive that close together.
_REENTER = textwrap.dedent("""
    import signal, sys
    from voice_guide.cli import episode

    out = sys.stdout
    k = 0
    while True:
        k += 1
        episode._quiet_when_stopped()
        episode._BUILDING[0] = True  # a build is running: the handler interrupts it
        handler = signal.getsignal(signal.SIGINT)
        lines = [0]

        def tracer(frame, event, arg):
            if event == "line":
                lines[0] += 1
                if lines[0] == k:
                    sys.settrace(None)
                    handler(signal.SIGINT, None)
            return tracer

        sys.settrace(tracer)
        try:
            handler(signal.SIGINT, None)
        except KeyboardInterrupt:
            pass
        finally:
            sys.settrace(None)
        if lines[0] < k:
            break
        if not episode._STOPPED:
            out.write("not stopped\\n")
    out.write(f"re-entered at {k - 1} points\\n")
""")


def test_a_second_ctrl_c_inside_the_workers_handler_does_not_hang_it() -> None:
    proc = subprocess.run([sys.executable, "-c", _REENTER], capture_output=True, text=True, timeout=30)
    assert proc.returncode == 0, proc.stderr
    assert "not stopped" not in proc.stdout
    points = int(proc.stdout.split("re-entered at ")[1].split()[0])
    assert points >= 3  # every line of the handler was tried


_BETWEEN_BUILDS = textwrap.dedent("""
    import os, signal, sys
    from voice_guide.cli import episode
    from voice_guide.stop_signals import stops_held

    signal.signal(signal.SIGTERM, lambda signum, frame: print("the main process's handler ran", flush=True))
    with stops_held(for_children=True):  # as the pool forks a worker
        pid = os.fork()
        if pid == 0:
            os.kill(os.getpid(), signal.SIGTERM)  # before the worker's own handlers are in place
            print("held", flush=True)
            episode._quiet_when_stopped()  # takes it, in the pool's own code: only recorded
            print("recorded", episode._STOPPED, flush=True)
            try:
                episode._build_one({}, "what-is-mbc", "metastatic-breast-cancer", None, None)
            except KeyboardInterrupt:
                print("not started", flush=True)
            os._exit(0)
    os.waitpid(pid, 0)
""")


def test_a_stop_signal_while_a_worker_starts_or_waits_is_recorded_and_its_next_build_never_starts() -> None:
    """A worker forked just as Ctrl-C or SIGTERM arrives: the signal waits until the worker's handlers
    are in place, is then only recorded (an exception inside the pool's own code would kill the
    worker and break the pool), and the build handed to it next ends at once."""
    proc = subprocess.run([sys.executable, "-c", _BETWEEN_BUILDS], capture_output=True, text=True, timeout=30)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines() == ["held", f"recorded [{int(signal.SIGTERM)}]", "not started"], proc.stdout
