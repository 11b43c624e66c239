"""``voice-guide``: entry point. Each subcommand lives in its own module with ``register(sub)``."""

from __future__ import annotations

import argparse
import importlib
import logging
import os
import signal
import sys
from typing import Callable, NoReturn, Sequence

from voice_guide import __version__
from voice_guide.errors import HungUp, Terminated, VoiceGuideError
from voice_guide.stop_signals import handled

COMMAND_MODULES = ("ask", "listen", "radio", "episode", "content", "demo", "config", "doctor", "model")
"""Modules under voice_guide.cli, in the order their subcommands appear in --help."""
SUBCOMMANDS = {"ask": "ask", "topics": "ask", "listen": "listen", "radio": "radio", "episode": "episode",
               "content": "content", "eval": "content", "demo": "demo", "config": "config", "doctor": "doctor",
               "model": "model"}
"""Subcommand -> its module: a run imports only the module it needs (start-up time matters for ``ask``)."""
LONG_RUNNING = {"listen", "radio", "demo"}
"""Sessions that may run for hours (memory must stay flat)."""

EPILOG = """\
examples:
  voice-guide ask "what is stage four breast cancer"
  voice-guide ask --json --no-speak < questions.txt
  voice-guide topics
  voice-guide content check
  voice-guide eval tests/data/heldout.yaml
  voice-guide demo --wav demo.wav

Everything runs offline. Nothing you say or type is stored unless you ask for a file.
"""


class OneLineParser(argparse.ArgumentParser):
    """A wrong flag is one line that says where help is, not the whole usage block (subcommands'
    parsers are of the same class)."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message}; see '{self.prog} --help'\n")


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The parser; with ``command`` only that subcommand's module is imported (the others are listed)."""
    parser = OneLineParser(
        prog="voice-guide",
        description="Offline voice companion for cancer patient education: ask by voice or text, "
        "hear answers drawn only from curated content, and render radio-show episodes.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"voice-guide {__version__}")
    parser.add_argument("--debug", action="store_true", help="log details (including transcripts) to stderr")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    wanted = [SUBCOMMANDS[command]] if command in SUBCOMMANDS else list(COMMAND_MODULES)
    for name in wanted:
        module = importlib.import_module(f"voice_guide.cli.{name}")
        module.register(sub)
    return parser


def _command_in(argv: Sequence[str]) -> str | None:
    for arg in argv:
        if not arg.startswith("-"):
            return arg
    return None


def _terminated(signum: int, frame: object) -> None:
    """SIGTERM takes Ctrl-C's way out (clean-ups run, outputs kept so far are finished, workers
    stopped). It stays armed: raised inside a finalizer, where Python drops the exception, the stop
    would be lost, and the next SIGTERM must still work."""
    raise Terminated


def _hung_up(signum: int, frame: object) -> None:
    """SIGHUP (the terminal closed) takes the same way out: replies so far kept, no temporary file or
    worker left. A live ``listen`` or ``radio`` takes it as a content reload instead, while it runs."""
    raise HungUp


def main(argv: Sequence[str] | None = None) -> int:
    # Ctrl-C, SIGTERM or SIGHUP, from the start (loading modules, reading flags) to the command's end:
    # one line and the shell's code. In the main thread; the caller's handlers are back afterwards.
    try:
        with handled(signal.SIGTERM, _terminated), handled(signal.SIGHUP, _hung_up):
            return _main(argv)
    except KeyboardInterrupt as exc:
        try:
            print("voice-guide: stopped", file=sys.stderr)
        except KeyboardInterrupt:  # pressed again while saying so
            pass
        return _stopped_code(exc)


def _main(argv: Sequence[str] | None) -> int:
    for name in ("stdout", "stderr"):
        if getattr(sys, name) is None:  # closed by the caller ('>&-'): what would go there is dropped
            setattr(sys, name, open(os.devnull, "w"))
    if sys.stdin is None:  # closed by the caller ('<&-'): it reads as empty
        sys.stdin = open(os.devnull)
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser(_command_in(argv))
    args = parser.parse_args(argv)
    logging.basicConfig(  # a warning reads as the guide's other messages; --debug adds where it came from
        level=logging.DEBUG if args.debug else logging.WARNING,
        format="voice-guide: %(levelname)s: %(name)s: %(message)s" if args.debug else "voice-guide: %(message)s",
    )
    if args.command in LONG_RUNNING:
        from voice_guide.memory import limit_malloc_arenas

        limit_malloc_arenas()
    handler: Callable[[argparse.Namespace], int] | None = getattr(args, "handler", None)
    if handler is None:
        parser.print_help()
        return 2
    return _run(handler, args)


def _stopped_code(exc: KeyboardInterrupt) -> int:
    """The shell's code for a command ended by a signal: 128 + SIGTERM's 15, or + SIGINT's 2."""
    if isinstance(exc, HungUp):
        return 129
    return 143 if isinstance(exc, Terminated) else 130


def _run(handler: Callable[[argparse.Namespace], int], args: argparse.Namespace) -> int:
    """The command, with every way it can end turned into an exit code and at most one line (a stop
    is ``main``'s, which also covers starting up)."""
    try:
        return handler(args)
    except VoiceGuideError as exc:
        print(f"voice-guide: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except BrokenPipeError:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0
    except OSError as exc:  # a file or folder that went away, a full disk, ...: one line, not a traceback
        if args.debug:
            raise
        where = f": {exc.filename}" if exc.filename else ""
        print(f"voice-guide: error: {exc.strerror or exc}{where}; check the path, its permissions and the free space",
              file=sys.stderr)
        return 74
    except MemoryError:
        print("voice-guide: error: out of memory; use a smaller input", file=sys.stderr)
        return 1
    except Exception as exc:  # noqa: BLE001 - never a traceback to the user
        if args.debug:
            raise
        print(f"voice-guide: internal error: {type(exc).__name__}: {exc} (run with --debug for details)", file=sys.stderr)
        return 70


if __name__ == "__main__":
    raise SystemExit(main())
