"""Privacy and the network: commands open no network sockets and leave no audio or transcripts behind."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

GUARD = Path(__file__).resolve().parent / "offline_guard"


def run_guarded(args: list[str], tmp_path: Path, stdin: str | None = None) -> tuple[subprocess.CompletedProcess[str], str]:
    log = tmp_path / "net.log"
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(GUARD), os.environ.get("PYTHONPATH", "")]),
               VOICE_GUIDE_NET_LOG=str(log), TMPDIR=str(tmp_path / "tmp"))
    (tmp_path / "tmp").mkdir(exist_ok=True)
    work = tmp_path / "work"
    work.mkdir(exist_ok=True)
    proc = subprocess.run([sys.executable, "-m", "voice_guide", *args], input=stdin, capture_output=True, text=True,
                          env=env, cwd=work, timeout=120)
    return proc, log.read_text(encoding="utf-8") if log.exists() else ""


def test_the_guard_catches_network_use(tmp_path: Path) -> None:
    log = tmp_path / "net.log"
    env = dict(os.environ, PYTHONPATH=str(GUARD), VOICE_GUIDE_NET_LOG=str(log))
    code = "import socket\ntry:\n    socket.create_connection(('127.0.0.1', 9))\nexcept OSError:\n    pass\n"
    subprocess.run([sys.executable, "-c", code], env=env, check=True, timeout=30)
    assert "getaddrinfo" in log.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    "args",
    [
        ["ask", "--json", "--no-speak", "where does breast cancer spread"],
        ["ask", "--wav", "reply.wav", "can i get a second opinion"],
        ["demo", "--wav", "demo.wav"],
        ["listen", "--input", "{visitor}", "--json", "--output", "reply.wav", "--engine", "pocketsphinx"],
        ["episode", "build", "--plan", "second-opinion", "--out", "eps", "--no-sting"],
        ["radio", "--episodes", "{episodes}", "--input", "{visitor}", "--output", "room.wav", "--talk-at", "0.2"],
    ],
    ids=["ask", "ask-wav", "demo", "listen-input", "episode-build", "radio"],
)
def test_commands_open_no_network_socket(tmp_path: Path, args: list[str], visitor: Path, episodes: Path) -> None:
    args = [a.format(visitor=visitor, episodes=episodes) for a in args]
    proc, log = run_guarded(args, tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert log == "", f"network use: {log}"


@pytest.fixture(scope="module")
def visitor(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A short spoken question, made with the real synthesizer."""
    from voice_guide.audio import write_wav
    from voice_guide.engines.pyttsx3_tts import Pyttsx3Synthesizer
    from voice_guide.protocols import Voice

    path = tmp_path_factory.mktemp("visitor") / "visitor.wav"
    with Pyttsx3Synthesizer() as synth:
        write_wav(path, synth.synthesize("Where does breast cancer spread?", Voice(voice_id="en-us")))
    return path


@pytest.fixture(scope="module")
def episodes(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("episodes")
    proc = subprocess.run([sys.executable, "-m", "voice_guide", "episode", "build", "--plan", "second-opinion",
                           "--out", str(out), "--no-sting", "--mono"],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    return out


def test_a_conversation_leaves_no_files_behind(tmp_path: Path) -> None:
    proc, _ = run_guarded(["ask", "--no-speak"], tmp_path, stdin="i am scared\nwhat is stage four\nmore\ngoodbye\n")
    assert proc.returncode == 0, proc.stderr
    left = [p for p in (tmp_path / "work").rglob("*")] + [p for p in (tmp_path / "tmp").rglob("*")]
    assert left == []


def test_speaking_cleans_its_temporary_audio(tmp_path: Path) -> None:
    proc, _ = run_guarded(["ask", "--wav", "reply.wav", "what is stage four"], tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert list((tmp_path / "tmp").rglob("*")) == []
    assert [p.name for p in (tmp_path / "work").iterdir()] == ["reply.wav"]
