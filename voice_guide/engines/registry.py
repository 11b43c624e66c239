"""Recognizers by name: a name -> factory dict. Engines are imported only when chosen."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from voice_guide.errors import ConfigError, ModelError
from voice_guide.protocols import Recognizer
from voice_guide.vocabulary import Vocabulary

_LOGGER = logging.getLogger(__name__)


@dataclass(frozen=True)
class RecognizerRequest:
    vocabulary: Vocabulary
    model: str | None = None
    """``--model PATH`` (vosk model folder, or a pocketsphinx acoustic model folder)."""
    models_dir: str | Path | None = None
    """None: ``./models``, then the checkout's ``models/``."""


def _vosk(request: RecognizerRequest) -> Recognizer:
    from voice_guide.engines.vosk_asr import ENV_MODEL, VoskRecognizer, find_model, model_places

    path = find_model(request.model, request.models_dir)
    if path is None:
        raise ModelError(f"no vosk model found (--model, ${ENV_MODEL}, or {model_places(request.models_dir)}); "
                         "run 'voice-guide model download', or use --engine pocketsphinx")
    return VoskRecognizer(path, request.vocabulary)


def _pocketsphinx(request: RecognizerRequest) -> Recognizer:
    from voice_guide.engines.pocketsphinx_asr import PocketsphinxRecognizer

    return PocketsphinxRecognizer(request.vocabulary, model=request.model)


RECOGNIZERS: dict[str, Callable[[RecognizerRequest], Recognizer]] = {
    "vosk": _vosk,
    "pocketsphinx": _pocketsphinx,
}


def choose_engine(name: str, model: str | None = None, models_dir: str | Path | None = None) -> str:
    """Resolve "auto": vosk when a vosk model is installed (or given), else pocketsphinx."""
    if name != "auto":
        if name not in RECOGNIZERS:
            raise ConfigError(f"unknown engine '{name}'; choose one of auto, {', '.join(RECOGNIZERS)}")
        return name
    from voice_guide.engines.vosk_asr import find_model

    try:
        return "vosk" if find_model(model, models_dir) is not None else "pocketsphinx"
    except ModelError as exc:
        if model is not None:
            return "vosk"  # the model asked for by name: its error is reported when it is loaded
        _LOGGER.warning("%s; using pocketsphinx", exc)
        return "pocketsphinx"


def create_recognizer(name: str, request: RecognizerRequest) -> Recognizer:
    return RECOGNIZERS[choose_engine(name, request.model, request.models_dir)](request)
