"""``voice-guide doctor``: what works on this machine (audio devices, speech, recognizers, models) and
what to install for what does not."""

from __future__ import annotations

import argparse
import shutil
from dataclasses import dataclass
from typing import Callable

from voice_guide.cli.common import print_json
from voice_guide.errors import VoiceGuideError


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str
    needed: bool = True
    """Whether the guide can run without it."""


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    doctor = sub.add_parser("doctor", help="check audio devices, speech engines and models",
                            description="Checks the microphone and speaker, the text-to-speech voice, the recognizers "
                            "and their models; says what works and what to install.")
    doctor.add_argument("--json", action="store_true", help="print the checks as JSON")
    doctor.add_argument("--config", metavar="FILE", help="settings file to check (else $VOICE_GUIDE_CONFIG, if set)")
    doctor.set_defaults(handler=run_doctor)


def _try(name: str, probe: Callable[[], str], fix: str, needed: bool = True) -> Check:
    try:
        return Check(name, True, probe(), needed)
    except (VoiceGuideError, ImportError, OSError, RuntimeError) as exc:
        return Check(name, False, f"{exc}; {fix}" if fix not in str(exc) else str(exc), needed)


def _devices(kind: str) -> str:
    from voice_guide.engines import sounddevice_io

    names = [str(d.get("name")) for d in sounddevice_io.list_devices()
             if int(d.get(f"max_{kind}_channels", 0)) > 0]
    available = sounddevice_io.input_available() if kind == "input" else sounddevice_io.output_available()
    if not names or not available:
        raise OSError(f"no {kind} device")
    return ", ".join(names[:4]) + (" ..." if len(names) > 4 else "")


def _espeak() -> str:
    path = shutil.which("espeak-ng")
    if path is None:
        raise OSError("espeak-ng not found")
    return path


def _tts() -> str:
    from voice_guide.engines.pyttsx3_tts import Pyttsx3Synthesizer
    from voice_guide.protocols import Voice

    with Pyttsx3Synthesizer() as synth:
        clip = synth.synthesize("Testing.", Voice())
        if clip.seconds <= 0:
            raise RuntimeError("pyttsx3 produced no audio")
        return f"pyttsx3 with {len(synth.voices)} voices (a test sentence rendered {clip.seconds:.1f} s of audio)"


def _pocketsphinx() -> str:
    from voice_guide.engines.pocketsphinx_asr import shipped_model

    hmm, _ = shipped_model()
    return f"built-in English model at {hmm}"


def _vosk() -> str:
    from voice_guide.content import load_library
    from voice_guide.engines.vosk_asr import ENV_MODEL, check_model, find_model
    from voice_guide.vocabulary import build_vocabulary

    model = find_model()
    if model is None:
        raise OSError(f"vosk is installed but no model found (--model, ${ENV_MODEL}, models/<name>/)")
    check_model(model, build_vocabulary(load_library()))
    return f"model {model} (it knows the content's words)"


def _settings(path: str | None) -> str:
    from voice_guide.settings import load_settings

    source = load_settings(path).source
    return "built-in defaults (no settings file)" if source == "defaults" else f"{source} is valid"


def checks(config: str | None = None) -> list[Check]:
    return [
        _try("settings", lambda: _settings(config), "fix the file, or unset $VOICE_GUIDE_CONFIG"),
        _try("microphone", lambda: _devices("input"), "plug in a microphone, or use 'listen --input FILE.wav'", needed=False),
        _try("speaker", lambda: _devices("output"), "plug in a speaker or headset, or use '--output FILE.wav'", needed=False),
        _try("espeak-ng", _espeak, "sudo apt-get install espeak-ng"),
        _try("text-to-speech", _tts, "sudo apt-get install espeak-ng; pip install pyttsx3"),
        _try("pocketsphinx", _pocketsphinx, "pip install pocketsphinx"),
        _try("vosk", _vosk, "run 'voice-guide model download' (pocketsphinx is used until then)", needed=False),
    ]


def run_doctor(args: argparse.Namespace) -> int:
    results = checks(args.config)
    if args.json:
        print_json([{"check": c.name, "ok": c.ok, "detail": c.detail, "needed": c.needed} for c in results])
    else:
        for c in results:
            mark = "ok  " if c.ok else ("FAIL" if c.needed else "--  ")
            print(f"{mark} {c.name:15} {c.detail}")
        recognizer = "vosk" if next(c for c in results if c.name == "vosk").ok else "pocketsphinx"
        print(f"\nlisten would use: {recognizer}")
    return 0 if all(c.ok for c in results if c.needed) else 1
