"""Loaded into every Python process of a test run (via PYTHONPATH): records any network socket use.

Unix-domain sockets are allowed (local IPC); any AF_INET/AF_INET6 socket, connect, or DNS look-up is
written to $VOICE_GUIDE_NET_LOG and refused.
"""

import os
import socket

_LOG = os.environ.get("VOICE_GUIDE_NET_LOG")
_real_socket = socket.socket


def _record(what: str) -> None:
    if _LOG:
        with open(_LOG, "a", encoding="utf-8") as log:
            log.write(f"{os.getpid()} {what}\n")


class _GuardedSocket(_real_socket):
    def __init__(self, family=-1, type=-1, proto=-1, fileno=None):  # noqa: A002
        if family in (socket.AF_INET, socket.AF_INET6) or (family == -1 and fileno is None):
            _record(f"socket family={family}")
            raise OSError("network access is not allowed in voice-guide tests")
        super().__init__(family, type, proto, fileno)


def _refuse_lookup(*args, **kwargs):
    _record(f"getaddrinfo {args[:2]}")
    raise OSError("network access is not allowed in voice-guide tests")


if _LOG:
    socket.socket = _GuardedSocket
    socket.getaddrinfo = _refuse_lookup
    socket.create_connection = lambda *a, **k: _refuse_lookup(*a)
