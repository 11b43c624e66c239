"""The command line: JSON contract, the stdin conversation, one-line errors, no tracebacks."""

from __future__ import annotations

import json
import subprocess
import sys
import wave
from pathlib import Path

import pytest

from voice_guide.audio import silence, write_wav
from voice_guide.cli.main import main

SECTIONS = {"what-is-mbc", "diagnosis", "common-sites", "emotions", "doctor-questions", "second-opinion",
            "is-it-breast-cancer", "second-primary", "same-as-earlier", "resources"}


def run(args: list[str], stdin: str | None = None, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "voice_guide", *args], input=stdin, capture_output=True,
                          text=True, timeout=timeout)


def json_lines(out: str) -> list[dict[str, object]]:
    return [json.loads(line) for line in out.splitlines() if line.strip()]


def test_ask_json_is_exactly_one_object_with_the_contract_keys() -> None:
    proc = run(["ask", "--json", "--no-speak", "where does breast cancer usually spread"])
    assert proc.returncode == 0, proc.stderr
    objs = json_lines(proc.stdout)
    assert len(objs) == 1
    obj = objs[0]
    assert set(obj) == {"kind", "section", "command", "score", "text"}
    assert obj["kind"] == "answer" and obj["section"] == "common-sites" and obj["command"] is None
    assert "bones, lungs, liver and brain" in str(obj["text"])
    assert isinstance(obj["score"], float)


def test_ask_json_safety_first_sentence_names_the_number(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ask", "--json", "--no-speak", "I don't want to wake up tomorrow"]) == 0
    obj = json.loads(capsys.readouterr().out)
    assert obj["kind"] == "safety" and obj["section"] is None
    assert "988" in str(obj["text"]).split(".")[0]


def test_ask_out_of_scope_gets_the_fallback(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ask", "--json", "--no-speak", "what is the five year survival rate"]) == 0
    obj = json.loads(capsys.readouterr().out)
    assert obj["kind"] == "out_of_scope" and obj["section"] is None
    assert "don't have information" in str(obj["text"])


def test_stdin_conversation_more_repeat_and_clarify() -> None:
    script = "\n".join([
        "what is stage four breast cancer",
        "more",
        "repeat",
        "what are the usual sites of breast cancer metastasis",
        "the second one",
        "slower",
        "goodbye",
        "this line is never read",
    ])
    proc = run(["ask", "--json", "--no-speak"], stdin=script)
    assert proc.returncode == 0, proc.stderr
    turns = json_lines(proc.stdout)
    assert [t["kind"] for t in turns][:3] == ["answer", "command", "command"]
    assert turns[0]["section"] == "what-is-mbc"
    assert turns[1]["command"] == "more" and "still breast cancer" in str(turns[1]["text"])
    assert turns[2]["command"] == "repeat" and turns[2]["text"] == turns[1]["text"]
    # a close call is clarified, and the reply picks one of the offered topics
    if turns[3]["kind"] == "clarify":
        assert turns[4]["kind"] == "answer" and turns[4]["section"] in SECTIONS
    else:
        assert turns[3]["kind"] == "answer"
    assert turns[-1]["command"] == "goodbye"
    assert len(turns) == 7, "input after goodbye must not be read"


def test_plain_output_and_topics(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["topics"]) == 0
    out = capsys.readouterr().out
    for sid in SECTIONS:
        assert sid in out
    assert main(["topics", "--json"]) == 0
    assert {t["id"] for t in json.loads(capsys.readouterr().out)} == SECTIONS


def test_ask_writes_the_spoken_reply_to_a_wav(tmp_path: Path) -> None:
    out = tmp_path / "reply.wav"
    proc = run(["ask", "--wav", str(out), "can i get a second opinion"])
    assert proc.returncode == 0, proc.stderr
    with wave.open(str(out)) as wav:
        seconds = wav.getnframes() / wav.getframerate()
    # about 45 words at 150 words per minute
    assert 10 < seconds < 40


def test_an_output_that_cannot_be_written_is_one_line_and_leaves_files_alone(tmp_path: Path) -> None:
    (tmp_path / "replies").mkdir()
    proc = run(["ask", "--wav", str(tmp_path / "replies"), "can i get a second opinion"])
    assert proc.returncode == 73
    assert proc.stderr.strip().count("\n") == 0 and "it is a folder" in proc.stderr
    recording = tmp_path / "visitor.wav"
    write_wav(recording, silence(1.0))
    before = recording.read_bytes()
    proc = run(["listen", "--input", str(recording), "--output", str(recording)])
    assert proc.returncode == 73 and "also the input" in proc.stderr
    assert proc.stderr.strip().count("\n") == 0
    assert recording.read_bytes() == before


def test_a_wrong_flag_is_one_line_that_says_where_help_is() -> None:
    proc = run(["listen", "--rate", "fast"])
    assert proc.returncode == 2 and proc.stdout == ""
    assert proc.stderr.count("\n") == 1 and "invalid int value" in proc.stderr
    assert "voice-guide listen --help" in proc.stderr


def test_a_blank_question_is_one_line_not_silence() -> None:
    proc = run(["ask", "--no-speak", "  "])
    assert proc.returncode == 3 and proc.stdout == "" and "nothing to ask" in proc.stderr


@pytest.mark.parametrize("args,words", [
    (["listen", "--input", "", "--no-speak"], "--input is empty"),
    (["radio", "--resume-back", "-5"], "not a number of seconds"),
    (["radio", "--talk-at", "3", "nan"], "not a number of seconds"),
])
def test_empty_and_impossible_values_are_refused(args: list[str], words: str) -> None:
    proc = run(args)
    assert proc.returncode == 2 and words in proc.stderr and proc.stderr.count("\n") == 1


def test_a_closed_standard_output_is_no_internal_error(tmp_path: Path) -> None:
    import os

    out = tmp_path / "reply.wav"
    proc = subprocess.run([sys.executable, "-m", "voice_guide", "ask", "--json", "--wav", str(out), "can i get a second opinion"],
                          stderr=subprocess.PIPE, text=True, timeout=60, preexec_fn=lambda: os.close(1))
    assert proc.returncode == 0 and "error" not in proc.stderr, proc.stderr
    assert out.stat().st_size > 44  # the reply was still written


def test_explain_shows_scores(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ask", "--no-speak", "--explain", "can my tissue go to another pathologist"]) == 0
    err = capsys.readouterr().err
    assert "second-opinion" in err and "thresholds" in err


def test_content_check_ok_and_broken(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["content", "check"]) == 0
    assert "ok:" in capsys.readouterr().out
    bad = tmp_path / "bad.yaml"
    bad.write_text("pack:\n  id: x\nsections: []\nextra: 1\n", encoding="utf-8")
    proc = run(["content", "check", str(bad)])
    assert proc.returncode == 3
    assert proc.stderr.count("\n") == 1 and f"{bad}:4:" in proc.stderr and "Traceback" not in proc.stderr


def test_bad_content_flag_is_one_line(tmp_path: Path) -> None:
    proc = run(["ask", "--no-speak", "--content", str(tmp_path / "missing"), "hello"])
    assert proc.returncode != 0
    assert proc.stderr.startswith("voice-guide: error:") and proc.stderr.count("\n") == 1


def test_empty_content_flag_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    """'--content ""' (an unset shell variable) named the current folder: packs lying there were loaded."""
    (tmp_path / "stray.yaml").write_text("not: a pack\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert main(["ask", "--no-speak", "--content", "", "what is metastatic breast cancer"]) == 3
    err = capsys.readouterr().err
    assert "content path is empty" in err and err.count("\n") == 1
    assert main(["content", "check", ""]) == 3


@pytest.mark.parametrize("volume", ["0", "0.01"])
def test_a_silent_volume_is_refused(volume: str, tmp_path: Path) -> None:
    """'--volume 0' wrote an all-silent reply with no word said; a settings file took 'volume: 0' too."""
    proc = run(["ask", "--no-speak", "--volume", volume, "hello"])
    assert proc.returncode == 3 and "outside 0.05-2.26" in proc.stderr
    config = tmp_path / "kiosk.yaml"
    config.write_text(f"volume: {volume}\n", encoding="utf-8")
    proc = run(["config", "show", "--config", str(config)])
    assert proc.returncode == 3 and f"{config}:1: volume:" in proc.stderr


def test_a_clinic_pack_alone_speaks_its_own_fallback_and_disclaimer(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """An added pack's fallback, disclaimer and safety texts were never spoken: the built-in pack came
    first. --no-builtin (settings: builtin_content: false) runs the clinic's packs alone."""
    from tests.test_episode_script import NEW_PACK

    pack = tmp_path / "sleep.yaml"
    pack.write_text(NEW_PACK, encoding="utf-8")
    assert main(["ask", "--no-speak", "--content", str(pack), "--no-builtin", "what is on the cafeteria menu"]) == 0
    assert capsys.readouterr().out.strip() == "I don't have information about that."
    assert main(["topics", "--json", "--content", str(pack), "--no-builtin"]) == 0
    assert {t["id"] for t in json.loads(capsys.readouterr().out)} == {"tiredness", "sleep-habits"}
    assert main(["ask", "--no-speak", "--no-builtin", "hello"]) == 3
    assert "no other is given (--content" in capsys.readouterr().err
    config = tmp_path / "kiosk.yaml"
    config.write_text(f"builtin_content: false\ncontent: [{pack}]\n", encoding="utf-8")
    proc = run(["doctor", "--json", "--config", str(config)])
    found = {c["check"]: c for c in json.loads(proc.stdout)}
    assert found["content"]["ok"] and found["content"]["detail"].startswith("2 sections in 1 pack")
    config.write_text("builtin_content: false\n", encoding="utf-8")
    plain = run(["doctor", "--config", str(config)]).stdout
    assert "content: in the settings file" in plain and "listen would use: nothing until the content packs load" in plain
    clash = tmp_path / "clash.yaml"  # a pack for a guide of its own may reuse a built-in title
    clash.write_text(NEW_PACK.replace("Why am I so tired?", "What is metastatic breast cancer?"), encoding="utf-8")
    assert main(["content", "check", str(clash)]) == 3
    capsys.readouterr()
    assert main(["content", "check", "--no-builtin", str(clash)]) == 0


def test_demo_as_text_prints_json_when_asked(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo", "--text", "--json", "--no-speak"]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert rows[0]["said"] == "what is stage four breast cancer" and rows[0]["section"] == "what-is-mbc"
    assert rows[-1]["command"] == "goodbye"


def test_bad_rate_is_one_line() -> None:
    proc = run(["ask", "--no-speak", "--rate", "5", "hello"])
    assert proc.returncode == 3 and "outside" in proc.stderr and "Traceback" not in proc.stderr


def test_eval_reports_kinds_and_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = tmp_path / "eval.yaml"
    data.write_text(
        "answer:\n  common-sites: [where does it spread]\ncommand:\n  stop: [stop]\n"
        "out_of_scope: [what is the weather like]\nsafety: [i can't breathe]\n", encoding="utf-8")
    assert main(["eval", "--json", str(data)]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["total"] == 4
    assert set(report["by_kind"]) == {"answer", "command", "out_of_scope", "safety"}
    assert report["safety_recall"] == 1.0
    assert {"out_of_scope_false_accept_rate", "confusions", "by_section"} <= set(report)
    assert main(["eval", str(data)]) == 0
    assert "safety recall" in capsys.readouterr().out
    data.write_text("answer:\n  common-sites: [where does it spread]\n", encoding="utf-8")
    assert main(["eval", str(data)]) == 0
    out = capsys.readouterr().out
    assert "safety recall" not in out and "out-of-scope" not in out  # no 0% for kinds the file lacks


def test_eval_bad_file_names_the_line(tmp_path: Path) -> None:
    data = tmp_path / "eval.yaml"
    data.write_text("answer:\n  x: [a]\nwrong: []\n", encoding="utf-8")
    proc = run(["eval", str(data)])
    assert proc.returncode == 3 and f"{data}:3:" in proc.stderr


@pytest.mark.parametrize("text,line,words", [
    ("answer:\n  common-sites: [where does it spread]\n  comon-sites: [where else]\n", 3, "no section 'comon-sites'"),
    ("command:\n  stop: [stop]\n  slowr: [slow down]\n", 3, "no command 'slowr'"),
    ("out_of_scope:\n  - what time is it\n  - \n", 3, "a question must be text"),
    ("safety:\n  - {i can't: breathe}\n", 2, "a question must be text"),
])
def test_eval_refuses_what_it_cannot_score(tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str, line: int,
                                           words: str) -> None:
    data = tmp_path / "eval.yaml"
    data.write_text(text, encoding="utf-8")
    assert main(["eval", str(data)]) == 3
    assert f"{data}:{line}: {words}" in capsys.readouterr().err


def test_huge_and_odd_input_is_handled() -> None:
    odd = "\x00\x1b[31m" + "бред " * 2000 + "你好" + "a" * 200_000
    proc = run(["ask", "--json", "--no-speak"], stdin=odd + "\n")
    assert proc.returncode == 0, proc.stderr
    assert json_lines(proc.stdout)[0]["kind"] == "out_of_scope"


def test_no_command_prints_help() -> None:
    proc = run([])
    assert proc.returncode == 2 and "ask" in proc.stdout


@pytest.mark.parametrize(("stop", "code"), [("SIGTERM", 143), ("SIGHUP", 129)])
def test_a_stop_request_during_a_command_takes_ctrl_cs_way_out_and_the_callers_handler_is_back(
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, stop: str, code: int) -> None:
    """SIGTERM (``systemctl stop``, ``kill``) or SIGHUP (the terminal closed) while a command runs
    takes Ctrl-C's way out: one line, exit 128 + the signal; ``main`` run in-process leaves the
    caller's own handler as it found it."""
    import os
    import signal

    from voice_guide.cli import ask

    signum = getattr(signal, stop)

    def stopped_while_answering(args: object) -> int:
        os.kill(os.getpid(), signum)
        raise AssertionError("the stop request was not acted on")

    monkeypatch.setattr(ask, "run_topics", stopped_while_answering)
    callers = signal.getsignal(signum)
    assert main(["topics"]) == code
    assert capsys.readouterr().err.strip() == "voice-guide: stopped"
    assert signal.getsignal(signum) is callers


@pytest.mark.parametrize("when", ["loading the command's modules", "reading the flags"])
@pytest.mark.parametrize(("stop", "code"), [("SIGINT", 130), ("SIGTERM", 143), ("SIGHUP", 129)])
def test_a_stop_while_starting_up_is_one_line_and_the_shells_code(
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, when: str, stop: str, code: int) -> None:
    """Ctrl-C pressed just after Enter, or a service stopped as it starts, lands while the command's
    modules load (a quarter of a second for ``topics``): one line and the shell's code, not a
    traceback or a silent kill."""
    import argparse
    import os
    import signal

    from voice_guide.cli import main as cli_main

    def stopped(*args: object, **kwargs: object) -> None:
        os.kill(os.getpid(), getattr(signal, stop))
        raise AssertionError("the stop was not acted on")

    if when == "reading the flags":
        monkeypatch.setattr(argparse.ArgumentParser, "parse_args", stopped)
    else:
        monkeypatch.setattr(cli_main.importlib, "import_module", stopped)
    assert main(["topics"]) == code
    assert capsys.readouterr().err.strip() == "voice-guide: stopped"


def test_a_closed_standard_input_reads_as_empty() -> None:
    import os
    import subprocess
    import sys

    proc = subprocess.run([sys.executable, "-m", "voice_guide", "listen", "--input", "-", "--json", "--no-speak"],
                          capture_output=True, text=True, preexec_fn=lambda: os.close(0), timeout=120)
    assert proc.returncode == 2 and "nothing came in on standard input" in proc.stderr
    assert "Traceback" not in proc.stderr and "internal error" not in proc.stderr


@pytest.mark.parametrize("command", ["listen", "radio"])
def test_output_with_no_speak_is_refused_not_ignored(tmp_path: Path, capsys: pytest.CaptureFixture[str], command: str) -> None:
    code = main([command, "--input", str(tmp_path / "q.wav"), "--no-speak", "--output", str(tmp_path / "r.wav")])
    err = capsys.readouterr().err
    assert code != 0 and "drop one of them" in err and err.count("\n") == 1
    assert list(tmp_path.iterdir()) == []


def test_a_warning_reads_as_the_guides_other_messages(tmp_path: Path) -> None:
    """Warnings came as 'voice-guide: WARNING: voice_guide.engines.registry: ...', a module name no
    user needs; --debug still says where one came from."""
    import os

    from voice_guide.audio import RATE, Clip, write_wav

    env = {**os.environ, "VOICE_GUIDE_VOSK_MODEL": str(tmp_path / "none")}
    write_wav(tmp_path / "quiet.wav", Clip(bytes(RATE), RATE))

    def listen(*flags: str) -> str:
        argv = [sys.executable, "-m", "voice_guide", *flags, "listen", "--input", str(tmp_path / "quiet.wav"), "--no-speak"]
        return subprocess.run(argv, capture_output=True, text=True, env=env, timeout=120).stderr

    warning = next(line for line in listen().splitlines() if "VOICE_GUIDE_VOSK_MODEL" in line)
    assert warning.startswith("voice-guide: $VOICE_GUIDE_VOSK_MODEL=") and "WARNING" not in warning
    assert "voice-guide: WARNING: voice_guide.engines.registry: $VOICE_GUIDE_VOSK_MODEL" in listen("--debug")


CLINIC_PACK = """\
pack:
  id: clinic-info
  title: Our clinic
  attribution: From a clinic's visitor sheet.
  language: en
  disclaimer: This guide shares general information about our clinic. It is not medical advice.
  fallback: I'm sorry, I don't know that. Please ask at the front desk.
  safety:
    emergency: Please call 911 now, or tell the front desk.
    crisis: Please call or text 988 now. If you are in danger, call 911.
sections:
  - id: parking
    title: Parking at the clinic
    answer: [Parking is free in the garage on Elm Street.]
    source: Parking is free in the garage on Elm Street.
    edits: []
    examples: [where can i park, is parking free, where is the parking garage, do i need to pay for parking,
      where do i leave my car, is there a car park, how much is parking, can i park in the garage]
    keywords: [parking, park, garage, car]
    related: []
  - id: chemo-room
    title: The infusion room
    answer: [The infusion room is on the second floor. Chemotherapy visits usually take a few hours.]
    source: The infusion room is on the second floor. Chemotherapy visits usually take a few hours.
    edits: []
    examples: [where is the infusion room, where do i get chemo, how long does chemotherapy take, which floor is chemo on,
      how long will my infusion take, where do i go for my infusion, where is the chemo room, which floor is the infusion room on]
    keywords: [infusion, chemo, chemotherapy, infusion room]
    related: [parking]
"""


def test_a_clinic_packs_own_examples_are_not_declined_by_the_built_in_packs_not_covered(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """"How long does chemotherapy take", an example of the clinic's own section, got the built-in
    fallback: the built-in pack's not_covered "how long" (its prognosis questions) declined it, and
    'content check' said ok. The built-in pack's own 'how long do I have' is still declined."""
    pack = tmp_path / "clinic.yaml"
    pack.write_text(CLINIC_PACK, encoding="utf-8")
    assert main(["ask", "--json", "--no-speak", "--content", str(pack), "how long does chemotherapy take"]) == 0
    assert json.loads(capsys.readouterr().out)["section"] == "chemo-room"
    assert main(["ask", "--json", "--no-speak", "--content", str(pack), "how long do i have to live"]) == 0
    assert json.loads(capsys.readouterr().out)["kind"] == "out_of_scope"
    assert main(["content", "check", str(pack)]) == 0
    capsys.readouterr()


def test_content_check_asks_every_example_and_names_those_that_go_astray(tmp_path: Path,
                                                                         capsys: pytest.CaptureFixture[str]) -> None:
    pack = tmp_path / "clinic.yaml"
    pack.write_text(CLINIC_PACK.replace("which floor is the infusion room on]", "i can not breathe in the infusion room]"),
                    encoding="utf-8")
    assert main(["content", "check", str(pack)]) == 1
    out = capsys.readouterr().out
    assert f"astray: {pack}: section 'chemo-room': \"i can not breathe in the infusion room\" gets" in out
    assert main(["content", "check", "--json", str(pack)]) == 1
    report = json.loads(capsys.readouterr().out)
    assert not report["ok"] and [a["example"] for a in report["examples_astray"]] == ["i can not breathe in the infusion room"]


@pytest.mark.parametrize("rate, warned", [(8000, True), (22050, False)])
def test_a_recording_below_16_khz_is_warned_about(tmp_path: Path, rate: int, warned: bool) -> None:
    """Telephone-quality input is heard much worse (in the kiosk audit, 9 of 90 questions at 8 kHz got a
    needless safety message, 1 of 90 at 16 kHz), and nothing said so."""
    from voice_guide.audio import Clip, write_wav

    write_wav(tmp_path / "in.wav", Clip(bytes(2 * rate), rate))
    proc = run(["listen", "--input", str(tmp_path / "in.wav"), "--no-speak", "--engine", "pocketsphinx"])
    assert proc.returncode == 0
    assert (f"was recorded at {rate} Hz (telephone quality)" in proc.stderr) == warned


def test_doctor_live_fails_without_a_microphone_or_speaker(monkeypatch: pytest.MonkeyPatch,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    """A kiosk with neither passed 'doctor' (exit 0), the README's post-install check."""
    import voice_guide.cli.doctor as doctor

    def none(kind: str, device: str | None) -> str:
        raise OSError(f"no {kind} device")

    monkeypatch.setattr(doctor, "_devices", none)
    assert main(["doctor", "--json"]) == 0  # a machine that works from files
    assert main(["doctor", "--json", "--live"]) == 1
    found = {c["check"]: c for c in json.loads(capsys.readouterr().out.splitlines()[-1])}
    assert found["microphone"]["needed"] and not found["microphone"]["ok"] and found["speaker"]["needed"]


def test_every_command_runs_on_the_content_the_settings_file_names(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                                   capsys: pytest.CaptureFixture[str]) -> None:
    """With $VOICE_GUIDE_CONFIG naming a clinic pack, doctor counted it, but 'ask' and 'topics' ran on
    the built-in pack alone, and 'ask --config' was refused: a deployer testing with ask saw another guide."""
    pack = tmp_path / "clinic.yaml"
    pack.write_text(CLINIC_PACK, encoding="utf-8")
    config = tmp_path / "kiosk.yaml"
    config.write_text(f"content: [{pack}]\n", encoding="utf-8")
    assert main(["ask", "--json", "--no-speak", "--config", str(config), "where can i park"]) == 0
    assert json.loads(capsys.readouterr().out)["section"] == "parking"
    monkeypatch.setenv("VOICE_GUIDE_CONFIG", str(config))
    assert main(["topics", "--json"]) == 0
    assert "parking" in {t["id"] for t in json.loads(capsys.readouterr().out)}
    assert main(["ask", "--json", "--no-speak", "where can i park"]) == 0
    assert json.loads(capsys.readouterr().out)["section"] == "parking"
