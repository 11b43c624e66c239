"""``voice-guide doctor``: what works on this machine (audio devices, speech, recognizers, models) and
what to install for what does not."""

from __future__ import annotations

import argparse
import functools
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from voice_guide.audio import RATE
from voice_guide.cli.common import print_json
from voice_guide.errors import VoiceGuideError

if TYPE_CHECKING:
    from voice_guide.content import Library
    from voice_guide.settings import GuideSettings


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
    doctor.add_argument("--live", action="store_true",
                        help="check as for a live guide or kiosk: a missing microphone or speaker fails (exit 1)")
    doctor.set_defaults(handler=run_doctor)


def _try(name: str, probe: Callable[[], str], fix: str, needed: bool = True) -> Check:
    try:
        return Check(name, True, probe(), needed)
    except (VoiceGuideError, ImportError, OSError, RuntimeError) as exc:
        return Check(name, False, f"{exc}; {fix}" if fix not in str(exc) else str(exc), needed)


def _devices(kind: str, configured: str | None = None) -> str:
    """The devices of a kind, and whether the configured one (else the system default) can be opened."""
    from voice_guide.engines import sounddevice_io

    names = [str(d.get("name")) for d in sounddevice_io.list_devices()
             if int(d.get(f"max_{kind}_channels", 0)) > 0]
    device = sounddevice_io.device_id(configured)
    available = sounddevice_io.input_available(device) if kind == "input" else sounddevice_io.output_available(device)
    listed = (", ".join(names[:4]) + (" ..." if len(names) > 4 else "")) or "none"
    if configured is not None and not available:
        raise OSError(f"the settings' {kind}_device '{configured}' cannot be opened (devices: {listed})")
    if not names or not available:
        raise OSError(f"no {kind} device")
    found = (f"'{configured}' of " if configured is not None else "") + listed
    if kind == "input":
        own, recorded = sounddevice_io.input_rates(device)
        if own < RATE:  # asked for 16 kHz, a plug device says yes and resamples the same narrow sound
            raise OSError(sounddevice_io.low_rate_warning(own))
        found += f" (records at {recorded / 1000:g} kHz)"
    return found


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


def _vosk(configured: str | None, content: Callable[[], "Library"]) -> str:
    from voice_guide.content import load_library
    from voice_guide.engines.vosk_asr import ENV_MODEL, check_model, find_model, model_places
    from voice_guide.vocabulary import build_vocabulary

    model = find_model(configured)
    if model is None:
        raise OSError(f"vosk is installed but no model found (--model, ${ENV_MODEL}, {model_places()})")
    try:  # the words of the content listen would load (the content line reports a pack that fails)
        library = content()
    except VoiceGuideError:
        library = load_library()
    check_model(model, build_vocabulary(library))
    return f"model {model} (it knows the content's words)"


def _settings(settings: "GuideSettings") -> str:
    source = settings.source
    return "built-in defaults (no settings file)" if source == "defaults" else f"{source} is valid"


def _content(content: Callable[[], "Library"], settings_ok: bool = True) -> str:
    library = content()
    which = "" if settings_ok else " (the built-in packs only: the settings file could not be read)"
    return f"{len(library.sections)} sections in {len(library.packs)} pack(s), all checks passed{which}"


def _episodes(settings: "GuideSettings") -> str:
    from voice_guide.radio import load_episodes

    episodes = load_episodes(Path(settings.episodes), settings.playlist)
    return f"{len(episodes)} episode(s) in {settings.episodes}"


def checks(config: str | None = None, live: bool = False) -> tuple["GuideSettings", list[Check]]:
    """The settings the rest was checked with (the defaults if the file is broken), and the checks."""
    from voice_guide.content import load_library
    from voice_guide.settings import ENV_CONFIG, GuideSettings, load_settings

    try:
        settings = load_settings(config)
        first = Check("settings", True, _settings(settings))
    except VoiceGuideError as exc:  # listen refuses to start; the rest shows what else needs fixing
        settings = GuideSettings()  # the rest is checked as it would run without the file
        unset = "" if config else f", or unset ${ENV_CONFIG}"  # the file came from the variable
        first = Check("settings", False, f"{exc}; fix the file{unset}")
    # The packs listen would load, loaded once for the vosk check and the content line.
    content = functools.cache(lambda: load_library(settings.content, builtin=settings.builtin_content))
    return settings, [
        first,
        _try("microphone", lambda: _devices("input", settings.input_device),
             "plug in a microphone, or use 'listen --input FILE.wav'", needed=live or settings.input_device is not None),
        _try("speaker", lambda: _devices("output", settings.output_device),
             "plug in a speaker or headset, or use '--output FILE.wav'", needed=live or settings.output_device is not None),
        _try("espeak-ng", _espeak, "sudo apt-get install espeak-ng"),
        _try("text-to-speech", _tts, "sudo apt-get install espeak-ng; pip install pyttsx3"),
        _try("pocketsphinx", _pocketsphinx, "pip install pocketsphinx"),
        _try("vosk", lambda: _vosk(settings.model, content),
             "fix the settings' model or engine, or run 'voice-guide model download'" if vosk_needed(settings)
             else "run 'voice-guide model download' (pocketsphinx is used until then)", needed=vosk_needed(settings)),
        _try("content", lambda: _content(content, first.ok),
             "fix the settings' content, or the pack it names ('voice-guide content check')"),
        _try("episodes", lambda: _episodes(settings), "(radio needs them)", needed=False),
    ]


def vosk_needed(settings: "GuideSettings") -> bool:
    """The settings ask for vosk (its engine, or a model of its own): listen fails without it."""
    return settings.engine == "vosk" or (settings.engine == "auto" and settings.model is not None)


def recognizer_used(results: list[Check], settings: "GuideSettings") -> str:
    """What ``listen`` would hear with, given the checks and the settings."""
    if not next(c for c in results if c.name == "settings").ok:
        return "nothing until the settings file is fixed"
    if not next(c for c in results if c.name == "content").ok:
        return "nothing until the content packs load"
    vosk = next(c for c in results if c.name == "vosk").ok
    if settings.engine == "pocketsphinx" or (not vosk and not vosk_needed(settings)):
        return "pocketsphinx"
    return "vosk" if vosk else "nothing: the settings ask for vosk, which has no usable model"


def run_doctor(args: argparse.Namespace) -> int:
    settings, results = checks(args.config, args.live)
    if args.json:
        print_json([{"check": c.name, "ok": c.ok, "detail": c.detail, "needed": c.needed} for c in results])
    else:
        for c in results:
            mark = "ok  " if c.ok else ("FAIL" if c.needed else "--  ")
            print(f"{mark} {c.name:15} {c.detail}")
        print(f"\nlisten would use: {recognizer_used(results, settings)}")
    return 0 if all(c.ok for c in results if c.needed) else 1
