"""vosk: the primary recognizer, when a vosk model folder is installed.

The model comes from ``--model PATH``, else ``$VOICE_GUIDE_VOSK_MODEL``, else a model folder under
``models/`` (the working folder's, then the checkout's). ``Model(lang=...)`` is never called (it may download or exit the process). Biasing uses
vosk's runtime grammar (small "lgraph" models only): the content's phrases and words plus "[unk]",
so speech about something else comes out as "[unk]" and is rejected instead of forced into a section.
Two recognizers are built at start-up, one on that grammar and one on the clarification replies
(yes, no, the ordinals, section titles and keywords, the commands); ``set_phrases`` switches between
them, so no grammar is compiled per turn and a long session's memory stays flat.
"""

from __future__ import annotations

import json
import logging
import os
import sys
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator, Sequence

from voice_guide.audio import RATE, AudioChunk, Clip
from voice_guide.errors import EngineError, ModelError
from voice_guide.protocols import Transcript
from voice_guide.vocabulary import STEM, Vocabulary

_LOGGER = logging.getLogger(__name__)

ENV_MODEL = "VOICE_GUIDE_VOSK_MODEL"
DEFAULT_MODEL_NAME = "vosk-model-small-en-us-0.15"
UNKNOWN = "[unk]"
MODEL_PARTS = ("am", "conf")
MIN_KNOWN_SHARE = 0.5
"""A model that knows fewer of the content's words than this is for another language: everything
said would come out as "[unk]", so it is refused instead of silently understanding nothing."""


@dataclass(frozen=True)
class VoskSettings:
    max_grammar_phrases: int = 3000
    """Safety triggers are many; the grammar keeps the content and commands first, then every word,
    then as many safety and synonym phrases as fit."""
    alternatives: int = 3


def is_model_folder(path: Path) -> bool:
    return path.is_dir() and all((path / part).is_dir() for part in MODEL_PARTS)


def checkout_models() -> Path | None:
    """The ``models/`` folder of the checkout the package runs from (``scripts/setup.sh`` installs it
    in place), or None for a package installed elsewhere."""
    root = Path(__file__).resolve().parents[2]
    return root / "models" if (root / "pyproject.toml").is_file() and (root / "voice_guide").is_dir() else None


def models_folders(models_dir: str | Path | None = None) -> list[Path]:
    """Where model folders are looked for: ``models_dir``; by default ``./models``, then the checkout's
    ``models/``, so a model downloaded there is found from any working folder (a kiosk service's)."""
    if models_dir is not None:
        return [Path(models_dir)]
    here, checkout = Path("models"), checkout_models()
    return [here] if checkout is None or here.resolve() == checkout else [here, checkout]


def model_places(models_dir: str | Path | None = None) -> str:
    """Where a model folder is looked for, as messages name it ("models/<name>/ or /opt/x/models/<name>/")."""
    return " or ".join(f"{folder}/<name>/" for folder in models_folders(models_dir))


def find_model(model: str | Path | None = None, models_dir: str | Path | None = None) -> Path | None:
    """The vosk model to use, or None when none is installed (``--model`` that is wrong raises)."""
    if model is not None:
        path = Path(model)
        if not is_model_folder(path):
            raise ModelError(f"{path} is not a vosk model folder (needs am/ and conf/); "
                             f"run 'voice-guide model download' or pass the unpacked folder")
        return path
    env = os.environ.get(ENV_MODEL)
    if env:
        path = Path(env)
        if not is_model_folder(path):
            raise ModelError(f"${ENV_MODEL}={env} is not a vosk model folder (needs am/ and conf/); fix or unset it")
        return path
    for folder in models_folders(models_dir):  # folder by folder: the working folder's own model first
        if is_model_folder(folder / DEFAULT_MODEL_NAME):
            return folder / DEFAULT_MODEL_NAME
        if folder.is_dir():
            for candidate in sorted(folder.iterdir()):
                if is_model_folder(candidate):
                    return candidate
    return None


class VoskRecognizer:
    """Recognizer protocol over vosk's KaldiRecognizer, biased by a runtime grammar."""

    name = "vosk"

    def __init__(self, model_path: str | Path, vocabulary: Vocabulary | None = None,
                 phrases: Sequence[str] | None = None, settings: VoskSettings | None = None,
                 replies: Sequence[str] | None = None) -> None:
        """``phrases`` (else the vocabulary's) make the main grammar, ``replies`` (else the
        vocabulary's replies) the grammar while a clarification waits for its answer."""
        self._vosk: Any = _vosk()
        self.settings = settings or VoskSettings()
        path = Path(model_path)
        self._model = load_model(path)
        self.model_path = path
        domain = self._grammar(phrases if phrases is not None else grammar_phrases(vocabulary, self.settings))
        if domain is not None:
            check_language(self._model, path, domain)
        if replies is None and vocabulary is not None and vocabulary.replies:
            replies = vocabulary.reply_phrases()
        self._main: Any = self._new_recognizer(domain)
        self._reply: Any = self._main if replies is None else self._new_recognizer(self._grammar(replies))
        self._rec: Any = self._main

    @staticmethod
    def _grammar(phrases: Sequence[str] | None) -> list[str] | None:
        if phrases is None:
            return None
        return list(dict.fromkeys(p.strip().lower() for p in phrases if p.strip())) + [UNKNOWN]

    def _new_recognizer(self, grammar: list[str] | None) -> Any:
        try:
            if grammar is None:
                rec = self._vosk.KaldiRecognizer(self._model, RATE)
            else:
                rec = self._vosk.KaldiRecognizer(self._model, RATE, json.dumps(grammar, ensure_ascii=False))
        except Exception as exc:
            raise EngineError(f"vosk could not start a recognizer ({exc}); is this a small model that takes a grammar?") from exc
        rec.SetMaxAlternatives(self.settings.alternatives)
        rec.SetWords(True)
        return rec

    def set_phrases(self, phrases: Sequence[str] | None) -> None:
        """None: the content grammar. Any phrases: the reply grammar built at start-up, which covers
        every set of choices the dialogue offers (it narrows the meaning to the offered choices itself)."""
        self.reset()
        self._rec = self._main if phrases is None else self._reply
        self.reset()

    def accept(self, chunk: AudioChunk) -> None:
        audio = chunk.audio if chunk.rate == RATE else Clip(chunk.audio, chunk.rate).resampled(RATE).audio
        try:
            self._rec.AcceptWaveform(audio)
        except Exception as exc:
            raise EngineError(f"vosk failed while decoding ({exc})") from exc

    def finish(self) -> Transcript:
        try:
            raw = self._rec.FinalResult()
        except Exception as exc:
            raise EngineError(f"vosk failed to finish the utterance ({exc})") from exc
        transcript = parse_result(raw)
        _LOGGER.debug("vosk heard %r", transcript.text)
        return transcript

    def reset(self) -> None:
        """Forget a half-heard utterance (flushing first: Reset alone keeps audio already decoded)."""
        try:
            self._rec.FinalResult()
            self._rec.Reset()
        except Exception as exc:
            raise EngineError(f"vosk failed to reset ({exc})") from exc

    def new_visitor(self) -> None:
        """Nothing to settle: vosk has no second pass."""
        self.reset()

    def close(self) -> None:
        self._rec = self._main = self._reply = None


def _vosk() -> Any:
    try:
        import vosk
    except ImportError as exc:
        raise EngineError("vosk is not installed; run 'pip install vosk'") from exc
    vosk.SetLogLevel(-1)
    return vosk


def load_model(path: Path) -> Any:
    """The vosk model in ``path`` (never by language name: that may download or exit). Kaldi's own
    complaint about a broken folder goes to the file descriptor, past ``SetLogLevel``: it is caught
    and becomes part of the one-line error instead."""
    if not is_model_folder(path):
        raise ModelError(f"{path} is not a vosk model folder (needs am/ and conf/)")
    vosk = _vosk()
    with tempfile.TemporaryFile() as said:
        with _stderr_to(said.fileno()):
            try:
                return vosk.Model(str(path))
            except Exception as exc:  # vosk raises a bare Exception when the folder is unusable
                failure = exc
        said.seek(0)
        reason = _kaldi_reason(said.read().decode("utf-8", "replace"))
    raise ModelError(f"vosk could not load the model in {path} ({reason or failure}); download it again") from failure


@contextmanager
def _stderr_to(fd: int) -> Iterator[None]:
    """File descriptor 2 goes to ``fd`` while the block runs (what C code writes there too)."""
    sys.stderr.flush()
    saved = os.dup(2)
    try:
        os.dup2(fd, 2)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)


def _kaldi_reason(text: str) -> str:
    """The first error line Kaldi wrote, without its "ERROR (VoskAPI:...)" prefix, to its first full stop."""
    line = next((row for row in text.splitlines() if row.startswith("ERROR")), "")
    return line.split(") ", 1)[-1].split(". ")[0].strip() if line else ""


def check_model(path: Path, vocabulary: Vocabulary) -> None:
    """Load the model in ``path`` and check that it can say the content's words (for ``doctor``)."""
    check_language(load_model(path), path, grammar_phrases(vocabulary, VoskSettings()) or [])


def known_words(model: Any, phrases: Sequence[str]) -> tuple[int, int]:
    """How many of the distinct words in ``phrases`` the model's vocabulary has, and of how many."""
    words = {w for p in phrases for w in p.split() if w != UNKNOWN}
    return sum(1 for w in words if model.vosk_model_find_word(w) >= 0), len(words)


def check_language(model: Any, path: Path, phrases: Sequence[str]) -> None:
    """Refuse a model that cannot say most of the content's words (a model for another language)."""
    known, total = known_words(model, phrases)
    if total and known < MIN_KNOWN_SHARE * total:
        raise ModelError(f"the vosk model in {path} knows only {known} of the {total} words the content uses, so it "
                         "is not a model for the content's language; install an English one ('voice-guide model "
                         "download') or use --engine pocketsphinx")


def grammar_phrases(vocabulary: Vocabulary | None, settings: VoskSettings) -> list[str] | None:
    """The grammar: the content's and commands' phrases, then every single word the content, its
    synonyms and the safety triggers use (so none of them is unhearable, whatever the room), then
    safety and synonym phrases while there is room. Word stems ("suicid*") need a dictionary to be
    completed, which vosk does not expose: they are left out."""
    if vocabulary is None:
        return None
    first = list(dict.fromkeys(vocabulary.domain + vocabulary.commands))
    words = sorted({w for p in vocabulary.domain + vocabulary.safety + vocabulary.synonyms for w in p.split()
                    if not w.endswith(STEM)})
    room = max(0, settings.max_grammar_phrases - len(first) - len(words))
    rest = [p for p in vocabulary.safety + vocabulary.synonyms if STEM not in p]
    return first + words + rest[:room]


def parse_result(raw: str) -> Transcript:
    """vosk's JSON result -> Transcript. "[unk]" stays in the text (once per run of unknown words):
    it is a word no section knows, so the matcher counts it against every section."""
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise EngineError(f"vosk returned something that is not JSON ({exc})") from exc
    options = data.get("alternatives")
    if options:
        texts = [(str(o.get("text", "")), float(o.get("confidence", 0.0))) for o in options]
    else:
        words = data.get("result") or []
        conf = sum(float(w.get("conf", 0.0)) for w in words) / len(words) if words else 0.0
        texts = [(str(data.get("text", "")), conf)]
    cleaned = []
    for text, conf in texts:
        tokens = text.split()
        kept = [t for i, t in enumerate(tokens) if not (t == UNKNOWN and i and tokens[i - 1] == UNKNOWN)]
        cleaned.append((" ".join(kept), conf))
    best, confidence = cleaned[0]
    alternatives = tuple(dict.fromkeys(t for t, _ in cleaned[1:] if t and t != best))
    return Transcript(best, confidence if best else 0.0, alternatives)
