"""Faults injected through the adapters' seams: microphone unplugged, speaker failing, recognizer
failing, a broken pack on reload. The guide says so, keeps going, and recovers."""

from __future__ import annotations

from pathlib import Path
from typing import Iterator

import pytest

from tests.fakes import (FakeSynthesizer, ListSource, RecordingCaptions, RecordingSink, ScriptedRecognizer, chunked, quiet,
                         tone)
from voice_guide.audio import AudioChunk
from voice_guide.content import Library
from voice_guide.dialogue import Dialogue, load_prompts
from voice_guide.errors import DeviceError, EngineError
from voice_guide.loop import Loop, LoopSettings
from voice_guide.matcher import Matcher
from voice_guide.resilience import (FallbackRecognizer, ResilientSink, ResilientSource, announce_device_changes,
                                    reload_library)

Q1, Q2 = "what is metastatic breast cancer", "where does breast cancer spread"


def first_sentence(prompt: str) -> str:
    return str(load_prompts()[prompt]).split(". ")[0]


def live_loop(library: Library, transcripts: list[str], sink: object) -> tuple[Loop, FakeSynthesizer, RecordingCaptions]:
    """A loop as 'voice-guide listen' runs it live: duplex, captions, device notices announced."""
    synth, captions = FakeSynthesizer(), RecordingCaptions()
    loop = Loop(Dialogue(library, Matcher(library)), ScriptedRecognizer(transcripts), synth, sink,  # type: ignore[arg-type]
                LoopSettings(duplex=True, greet=False), captions=captions)
    return loop, synth, captions


def test_unplugged_microphone_is_announced_bridged_with_silence_and_retried() -> None:
    opened = []
    said: list[str] = []
    sleeps: list[float] = []

    def open_mic() -> Iterator[AudioChunk]:
        opened.append(len(opened))
        if len(opened) == 1:
            yield from chunked(tone(400))  # works, then the cable is pulled
            raise DeviceError("microphone: stream stopped; check the device")
        if len(opened) < 4:
            raise DeviceError("microphone: no input device found")
        yield from chunked(tone(240))

    source = ResilientSource(open_mic, retry_s=1.0, on_change=said.append, sleep=sleeps.append)
    chunks = list(source)
    assert said == ["microphone_lost", "microphone_back"]
    assert len(opened) == 4 and source.outages == 1
    silent = [c for c in chunks if c.audio == b"\x00\x00" * len(c.audio[::2])]
    assert 3.0 <= sum(c.seconds for c in silent) < 3.25, "silence for three one-second retries"
    assert 3.0 <= sum(sleeps) < 3.25, "the silence is paced in real time"


def test_unplugged_microphone_mid_session_is_spoken_and_captioned_and_listening_resumes(library: Library) -> None:
    opened: list[int] = []

    def open_mic() -> Iterator[AudioChunk]:
        opened.append(len(opened))
        if len(opened) == 1:
            yield from chunked(quiet(500), tone(1500), quiet(1500))  # a question, then the cable is pulled
            raise DeviceError("microphone: no audio for 2 s (unplugged?)")
        if len(opened) < 4:
            raise DeviceError("microphone: no input device found")
        yield from chunked(quiet(500), tone(1500), quiet(1500))  # back: another question

    source = ResilientSource(open_mic, retry_s=1.0, sleep=lambda s: None)
    sink = RecordingSink()
    loop, synth, captions = live_loop(library, [Q1, Q2], sink)
    announce_device_changes(loop.announce, source)
    results = loop.run(source)

    assert [r.turn.section for r in results] == ["what-is-mbc", "common-sites"], "listening resumed"
    said = [text for text, _ in synth.spoken]
    lost, back = first_sentence("microphone_lost"), first_sentence("microphone_back")
    spoken_lost = next(i for i, t in enumerate(said) if t.startswith(lost))
    spoken_back = next(i for i, t in enumerate(said) if t.startswith(back))
    second_answer = next(i for i, t in enumerate(said) if i > spoken_back and t in results[1].turn.text)
    assert spoken_lost < spoken_back < second_answer
    guide = [text for who, text in captions.lines if who == "guide"]
    assert any(t.startswith(lost) for t in guide) and any(t.startswith(back) for t in guide)
    assert len(opened) == 4 and source.outages == 1


def test_a_microphone_that_never_returns_gives_up_after_max_retries() -> None:
    def broken() -> Iterator[AudioChunk]:
        raise DeviceError("microphone: no input device found")

    with pytest.raises(DeviceError):
        list(ResilientSource(broken, retry_s=0.16, sleep=lambda s: None, max_retries=2))


class FlakySink(RecordingSink):
    def __init__(self, fail_plays: int) -> None:
        super().__init__()
        self.fail_plays = fail_plays

    def play(self, chunks, stop=None):  # type: ignore[no-untyped-def]
        if self.fail_plays > 0:
            self.fail_plays -= 1
            raise DeviceError("speaker: device unavailable")
        return super().play(chunks, stop)


def test_speaker_failure_drops_audio_then_recovers() -> None:
    now = [0.0]
    sinks: list[FlakySink] = []

    def open_sink() -> FlakySink:
        if len(sinks) == 1:
            sinks.append(FlakySink(0))
            return sinks[-1]
        if sinks:
            raise DeviceError("speaker: no output device found")
        sinks.append(FlakySink(1))
        return sinks[-1]

    sink = ResilientSink(open_sink, retry_s=5.0, clock=lambda: now[0])
    assert sink.play(chunked(tone(200))) is True  # fails inside: dropped, not raised
    assert sink.failures == 1
    now[0] = 1.0
    sink.play(chunked(tone(200)))  # within the retry wait: dropped without trying
    assert len(sinks) == 1
    now[0] = 6.0
    sink.play(chunked(tone(200)))
    assert len(sinks) == 2 and sinks[1].seconds > 0.15


def test_speaker_failing_mid_session_keeps_captions_going_and_recovers(library: Library) -> None:
    sinks: list[FlakySink] = []

    def open_sink() -> FlakySink:
        if len(sinks) in (1, 2):  # unplugged: the next two tries find no device
            sinks.append(FlakySink(0))
            raise DeviceError("speaker: no output device found")
        sinks.append(FlakySink(1 if not sinks else 0))  # the first fails on its first play
        return sinks[-1]

    sink = ResilientSink(open_sink, retry_s=0.0)
    loop, synth, captions = live_loop(library, [Q1, Q2], sink)
    announce_device_changes(loop.announce, sink)
    results = loop.run(ListSource(chunked(quiet(500), tone(1500), quiet(3000), tone(1500), quiet(3000))))

    assert [r.turn.section for r in results] == ["what-is-mbc", "common-sites"]
    guide = [text for who, text in captions.lines if who == "guide"]
    first_answer = [t for t, _ in synth.spoken if t in results[0].turn.text]
    assert first_answer and all(t in guide for t in first_answer), "every line is captioned while the speaker is out"
    assert any(t.startswith(first_sentence("speaker_lost")) for t in guide)
    assert any(t.startswith(first_sentence("speaker_back")) for t in guide)
    assert sink.failures == 1 and len(sinks) == 4
    assert sinks[-1].seconds > 1.0, "the second answer and the notice play on the reconnected speaker"


class BrokenRecognizer(ScriptedRecognizer):
    name = "broken"

    def accept(self, chunk: AudioChunk) -> None:
        raise EngineError("decoder crashed")


def test_a_failing_recognizer_falls_back_to_the_other_engine() -> None:
    backup = ScriptedRecognizer(["where does it spread"])
    rec = FallbackRecognizer(BrokenRecognizer(), [("pocketsphinx", lambda: backup)])
    rec.set_phrases(("yes", "no"))
    for chunk in chunked(tone(300)):
        rec.accept(chunk)
    assert rec.switches == ["broken -> scripted"]
    assert backup.current == ("yes", "no"), "the narrowed phrases carry over"
    rec.reset()
    for chunk in chunked(tone(300)):
        rec.accept(chunk)
    assert rec.finish().text == "where does it spread"


def test_a_new_visitor_reaches_the_engine_in_use() -> None:
    backup = ScriptedRecognizer()
    rec = FallbackRecognizer(BrokenRecognizer(), [("pocketsphinx", lambda: backup)])
    for chunk in chunked(tone(300)):
        rec.accept(chunk)
    rec.new_visitor()
    assert backup.visitors == 1


def test_when_no_fallback_works_it_is_one_error() -> None:
    from voice_guide.errors import ModelError

    def missing() -> ScriptedRecognizer:
        raise ModelError("no vosk model found")

    rec = FallbackRecognizer(BrokenRecognizer(), [("vosk", missing)])
    with pytest.raises(EngineError, match="no recognizer works"):
        for chunk in chunked(tone(100)):
            rec.accept(chunk)


def test_a_broken_pack_on_reload_keeps_the_last_good_one(library: Library, tmp_path: Path) -> None:
    from tests.test_content import VALID

    pack = tmp_path / "extra.yaml"
    pack.write_text(VALID, encoding="utf-8")
    good, error = reload_library(library, [str(pack)])
    assert error is None and good.has_section("alpha")
    pack.write_text(VALID.replace("  - id: beta", "  - idd: beta"), encoding="utf-8")
    kept, error = reload_library(good, [str(pack)])
    assert kept is good and error is not None and str(pack) in error


def test_sighup_reloads_content_between_turns_and_a_broken_pack_is_refused(
        library: Library, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    import os
    import signal
    from types import SimpleNamespace

    from tests.test_content import VALID
    from voice_guide.cli import listen
    from voice_guide.settings import GuideSettings

    pack = tmp_path / "extra.yaml"
    pack.write_text(VALID, encoding="utf-8")
    loop, _, _ = live_loop(library, [Q1], RecordingSink())
    built: list[Library] = []
    asked: list[tuple[tuple[str, ...], str | None]] = []

    def make_recognizer(settings: GuideSettings, lib: Library, phrases: tuple[str, ...] = (),
                        engine: str | None = None) -> ScriptedRecognizer:
        built.append(lib)
        asked.append((phrases, engine))
        return ScriptedRecognizer([Q2])

    monkeypatch.setattr(listen, "make_recognizer", make_recognizer)
    session = SimpleNamespace(settings=GuideSettings(), extra_phrases=("next story",), recognizer=loop.recognizer)
    engine_in_use = loop.recognizer.name
    seen: dict[str, object] = {}

    def mic() -> Iterator[AudioChunk]:
        yield from chunked(quiet(500), tone(800))  # a visitor is mid-question when the operator reloads
        os.kill(os.getpid(), signal.SIGHUP)
        yield from chunked(tone(700))
        seen["mid-question"] = loop.dialogue.library
        yield from chunked(quiet(1500))  # the question ends
        for _ in range(1200):  # until the answer has been spoken (in audio time), at most 2 minutes
            if not loop.speaking:
                break
            yield from chunked(quiet(100))
        yield from chunked(quiet(100))  # between turns: the reload is done now
        seen["reloaded"] = loop.dialogue.library
        pack.write_text("pack: [broken\n", encoding="utf-8")
        os.kill(os.getpid(), signal.SIGHUP)
        yield from chunked(quiet(300))

    previous = signal.getsignal(signal.SIGHUP)
    with listen.hangups_taken(True) as hangups:
        hangups.reload_with(loop, session, [str(pack)])  # type: ignore[arg-type]
        results = loop.run(mic())
    assert signal.getsignal(signal.SIGHUP) is previous, "the caller's SIGHUP handler is back"
    assert seen["mid-question"] is library, "not reloaded under a visitor's question"
    assert [r.turn.section for r in results] == ["what-is-mbc"]
    reloaded = seen["reloaded"]
    assert isinstance(reloaded, Library) and reloaded.has_section("alpha") and built == [reloaded]
    assert loop.dialogue.matcher.library is reloaded and isinstance(loop.recognizer, ScriptedRecognizer)
    assert asked == [(("next story",), engine_in_use)]  # the same engine, and the session's own phrases
    assert session.recognizer is loop.recognizer and session.library is reloaded  # the old one let go
    assert loop.dialogue.library is reloaded, "a broken pack keeps the last good ones"
    err = capsys.readouterr().err
    assert "content reloaded" in err and "content not reloaded, keeping the last good packs" in err


def test_closing_a_session_finishes_the_reply_file_first_whatever_the_rest_does() -> None:
    """A Ctrl-C or stop request that lands while the speech engine closes must not cost the reply
    file its replies (it is closed first), nor leave the microphone open."""
    from types import SimpleNamespace

    from voice_guide.cli.listen import Session

    closed: list[str] = []

    def closer(name: str, fails: bool = False) -> SimpleNamespace:
        def close() -> None:
            closed.append(name)
            if fails:
                raise KeyboardInterrupt

        return SimpleNamespace(close=close)

    session = SimpleNamespace(sink=closer("sink"), synthesizer=closer("synthesizer", fails=True), source=closer("source"))
    with pytest.raises(KeyboardInterrupt):
        Session.close(session)  # type: ignore[arg-type]
    assert closed == ["sink", "synthesizer", "source"]


def test_a_failed_reload_is_one_line_from_the_caller_not_a_log_line_too(tmp_path: Path, library: Library,
                                                                       caplog: pytest.LogCaptureFixture) -> None:
    import logging

    from voice_guide.resilience import reload_library

    pack = tmp_path / "broken.yaml"
    pack.write_text("pack: [broken\n", encoding="utf-8")
    with caplog.at_level(logging.WARNING):
        kept, error = reload_library(library, [str(pack)])
    assert kept is library and error and "broken.yaml" in error
    assert not caplog.records


def test_a_reload_reads_the_settings_files_content_list_again(
        library: Library, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    """A pack added under 'content:' in the settings file, then 'systemctl reload': the file was not
    read again, and 'content reloaded (10 sections)' said nothing was wrong. A broken settings file
    keeps the last good packs."""
    import os
    import signal
    from types import SimpleNamespace

    from tests.test_content import VALID
    from voice_guide.cli import listen
    from voice_guide.errors import ConfigError
    from voice_guide.settings import GuideSettings

    pack = tmp_path / "extra.yaml"
    pack.write_text(VALID, encoding="utf-8")
    loop, _, _ = live_loop(library, [], RecordingSink())
    monkeypatch.setattr(listen, "make_recognizer", lambda *a, **k: ScriptedRecognizer([]))
    session = SimpleNamespace(settings=GuideSettings(), extra_phrases=(), recognizer=loop.recognizer)
    files = [GuideSettings(content=(str(pack),)), ConfigError("kiosk.yaml:3: content: 'gone' does not exist")]

    def settings_file() -> GuideSettings:
        now = files.pop(0)
        if isinstance(now, Exception):
            raise now
        return now

    def mic() -> Iterator[AudioChunk]:
        yield from chunked(quiet(300))
        os.kill(os.getpid(), signal.SIGHUP)
        yield from chunked(quiet(300))
        os.kill(os.getpid(), signal.SIGHUP)
        yield from chunked(quiet(300))

    with listen.hangups_taken(True) as hangups:
        hangups.reload_with(loop, session, [], settings_file=settings_file)  # type: ignore[arg-type]
        loop.run(mic())
    assert loop.dialogue.library.has_section("alpha") and files == []
    err = capsys.readouterr().err
    assert "content reloaded (12 sections)" in err
    assert "content not reloaded, keeping the last good packs: kiosk.yaml:3: content: 'gone' does not exist" in err
