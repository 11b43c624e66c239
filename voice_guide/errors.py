"""Typed errors. The library raises these with the fix in the message; only the CLI prints them."""

from __future__ import annotations


class VoiceGuideError(Exception):
    """Base class: one line that says what went wrong and what to do."""

    exit_code = 1


class ContentError(VoiceGuideError):
    """A content pack is invalid. The message starts with ``file:line:``."""

    exit_code = 3

    def __init__(self, path: str, line: int | None, message: str) -> None:
        self.path = path
        self.line = line
        self.detail = message
        where = f"{path}:{line}" if line is not None else path
        super().__init__(f"{where}: {message}")


class ConfigError(VoiceGuideError):
    """A settings file or flag is invalid."""

    exit_code = 3


class ModelError(VoiceGuideError):
    """A speech model is missing or unusable."""

    exit_code = 4


class DeviceError(VoiceGuideError):
    """An audio device is missing, busy or failed."""

    exit_code = 5


class EngineError(VoiceGuideError):
    """A speech engine (recognizer or synthesizer) failed or is not installed."""

    exit_code = 6


class OutputError(VoiceGuideError):
    """An output file or folder cannot be written there."""

    exit_code = 73


class AudioFormatError(VoiceGuideError):
    """Audio input could not be read."""

    exit_code = 2


class Terminated(KeyboardInterrupt):
    """A stop request (SIGTERM: a service manager stopping the kiosk, ``kill``). Raised from the
    signal handler so it takes the same way out as Ctrl-C: every clean-up runs, every output kept
    so far is finished, and child processes are stopped."""


class HungUp(Terminated):
    """SIGHUP (the terminal closed, the session ended) outside the live loop: taken as a stop, the
    same way out as SIGTERM (a live ``listen`` or ``radio`` takes it as a content reload instead)."""
