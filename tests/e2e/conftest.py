"""End-to-end helpers: speech generated at test time with espeak-ng, and the real CLI in a subprocess."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Sequence

import numpy as np
import pytest

from voice_guide.audio import RATE, Clip, float_to_pcm, pcm_to_float, read_wav, write_wav

REPO = Path(__file__).resolve().parents[2]
TEST_VOICE = "en-us"
"""The voice e2e tests speak with; the benchmark uses other voices (and other wording)."""


def espeak(text: str, voice: str = TEST_VOICE, wpm: int = 150) -> Clip:
    """``text`` spoken by espeak-ng, as 16 kHz mono."""
    if shutil.which("espeak-ng") is None:
        pytest.skip("espeak-ng is not installed (sudo apt-get install espeak-ng)")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "s.wav"
        subprocess.run(["espeak-ng", "-v", voice, "-s", str(wpm), "-w", str(path), text], check=True,
                       capture_output=True)
        return read_wav(path)


def conversation(utterances: Sequence[str], voice: str = TEST_VOICE, gap_s: float = 1.6, seed: int = 0) -> Clip:
    """The utterances one after another, with pauses and a quiet room's noise floor (-66 dBFS)."""
    rng = np.random.default_rng(seed)
    parts = [np.zeros(int(0.6 * RATE), np.float32)]
    for text in utterances:
        parts.append(pcm_to_float(espeak(text, voice).audio))
        parts.append(np.zeros(int(gap_s * RATE), np.float32))
    audio = np.concatenate(parts)
    audio = audio + rng.normal(0, 10 ** (-66 / 20), audio.size).astype(np.float32)
    return Clip(float_to_pcm(audio), RATE)


def run_cli(*args: str, stdin: bytes | None = None, env: dict[str, str] | None = None,
            cwd: Path | None = None, timeout: float = 120) -> subprocess.CompletedProcess[bytes]:
    full_env = {**os.environ, **(env or {})}
    full_env["PYTHONPATH"] = str(REPO) + os.pathsep + full_env.get("PYTHONPATH", "")
    return subprocess.run([sys.executable, "-m", "voice_guide", *args], input=stdin, capture_output=True,
                          env=full_env, cwd=cwd or REPO, timeout=timeout)


@dataclass(frozen=True)
class Stopped:
    """How a process took a stop signal."""

    returncode: int | None
    """None: still running ``timeout`` seconds later (then killed, with its whole group)."""
    stderr: str
    took_s: float


def send_stop(proc: subprocess.Popen[Any], signum: int, to_group: bool, timeout: float = 30) -> Stopped:
    """Send ``signum`` to ``proc`` (started with ``start_new_session=True``) alone or to its whole
    process group, as a service manager or a terminal would, and wait for it to end. A child left
    running holds the pipes open, so it counts as not ended."""
    if to_group:
        os.killpg(proc.pid, signum)
    else:
        proc.send_signal(signum)
    sent = time.monotonic()
    try:
        _, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        return Stopped(None, "", time.monotonic() - sent)
    text = err.decode(errors="replace") if isinstance(err, bytes) else (err or "")
    return Stopped(proc.returncode, text, time.monotonic() - sent)


def json_lines(proc: subprocess.CompletedProcess[bytes]) -> list[dict[str, Any]]:
    assert proc.returncode == 0, proc.stderr.decode()
    return [json.loads(line) for line in proc.stdout.decode().splitlines() if line.strip()]


@pytest.fixture()
def wav(tmp_path: Path) -> Any:
    def make(utterances: Sequence[str], name: str = "input.wav", **kw: Any) -> Path:
        path = tmp_path / name
        write_wav(path, conversation(utterances, **kw))
        return path

    return make
