"""``voice-guide listen``: the speech loop on the microphone, a WAV file, or raw PCM on stdin."""

from __future__ import annotations

import argparse
import contextlib
import logging
import math
import os
import queue
import sys
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Sequence, TextIO

from voice_guide.audio import RATE, AudioChunk, piped_audio, read_wav
from voice_guide.cli.common import add_content_args, load_content, packs_in_force, print_json
from voice_guide.cli.config import add_config_arg
from voice_guide.config import DialogueSettings, SpeechSettings
from voice_guide.dialogue import Dialogue, Turn
from voice_guide.earcons import EarconSettings, Earcons
from voice_guide.endpoint import EndpointSettings
from voice_guide.engines.registry import RecognizerRequest, choose_engine, create_recognizer
from voice_guide.errors import AudioFormatError, ConfigError, DeviceError, ModelError, VoiceGuideError
from voice_guide.loop import Loop, LoopSettings, Mode, Utterance
from voice_guide.protocols import AudioSink
from voice_guide.content import Library
from voice_guide.matcher import Matcher
from voice_guide.protocols import Recognizer
from voice_guide.resilience import (FallbackRecognizer, ResilientSink, ResilientSource, announce_device_changes,
                                   reload_library)
from voice_guide.settings import MODES, GuideSettings, load_settings
from voice_guide.sinks import DiscardSink, WavFileSink
from voice_guide.stop_signals import handled
from voice_guide.vocabulary import build_vocabulary

_LOGGER = logging.getLogger(__name__)

EXAMPLES = """\
examples:
  voice-guide listen                                   # live: microphone and speaker (push-to-talk: Space)
  voice-guide listen --mode continuous                 # headset use: no button
  voice-guide listen --input question.wav --json       # one JSON object per utterance
  voice-guide listen --input question.wav --output reply.wav
  sox q.wav -t raw -r 16000 -c 1 -b 16 -e signed - | voice-guide listen --input - --json
"""


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser(
        "listen", help="the voice loop: hear questions, answer aloud",
        description="Listens for spoken questions and commands and answers aloud from the content packs. "
        "Live on the microphone, or on a recording (--input FILE.wav, or - for raw 16 kHz 16-bit mono PCM on "
        "stdin) where every utterance is handled in turn. Nothing heard is stored.",
        epilog=EXAMPLES, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_voice_args(p)
    p.set_defaults(handler=run_listen)


def seconds(text: str) -> float:
    """A flag's number of seconds: finite and not negative."""
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or value < 0:
        raise argparse.ArgumentTypeError(f"'{text}' is not a number of seconds (0 or more)")
    return value


def add_voice_args(p: argparse.ArgumentParser) -> None:
    """The flags of a voice session (``listen`` and ``radio``)."""
    p.add_argument("--input", metavar="FILE", help="a WAV file (any rate/channels), or - for raw PCM on stdin")
    p.add_argument("--output", metavar="FILE", help="write the spoken replies to this WAV file")
    p.add_argument("--talk-at", type=seconds, nargs="+", metavar="S",
                   help="with --input: press the talk key at these input times (push-to-talk from a file)")
    p.add_argument("--json", action="store_true", help="print one JSON object per utterance")
    p.add_argument("--no-speak", action="store_true", help="do not synthesize replies (routing only)")
    p.add_argument("--engine", choices=("auto", "vosk", "pocketsphinx"), help="recognizer (default auto: vosk if a model is installed)")
    p.add_argument("--model", metavar="PATH", help="vosk model folder (else $VOICE_GUIDE_VOSK_MODEL, else models/<name>/)")
    p.add_argument("--mode", choices=MODES, help="how listening starts (live default push_to_talk; files: continuous)")
    p.add_argument("--wake-phrase", help='wake phrase in wake mode (default "hey guide")')
    p.add_argument("--no-barge-in", action="store_true", help='do not listen for "stop" while speaking (noisy rooms)')
    p.add_argument("--no-earcons", action="store_true", help="no listening/understood/not-understood sounds")
    p.add_argument("--brief", action="store_true", help='brief prompts ("More?") for listeners who know the guide')
    p.add_argument("--remember-voice", action="store_true",
                   help="personal device: keep the rate, volume and prompts you choose for next time (not on a kiosk)")
    p.add_argument("--trailing-silence", type=float, metavar="S", help="silence that ends a question (default 1.0 s)")
    p.add_argument("--max-utterance", type=float, metavar="S", help="longest question (default 15 s)")
    p.add_argument("--initial-silence", type=float, metavar="S", help="no-input timeout after listening starts (default 8 s)")
    p.add_argument("--rate", type=int, metavar="WPM", help="speaking rate (default 150)")
    p.add_argument("--volume", type=float, metavar="0.05-2.26",
                   help="speaking volume: 1 is the voice as rendered, above it peaks are limited (default 0.8)")
    p.add_argument("--voice", metavar="ID", help="pyttsx3 voice id")
    p.add_argument("--input-device", help="microphone (sounddevice name or index)")
    p.add_argument("--output-device", help="speaker (sounddevice name or index)")
    p.add_argument("--greet", action=argparse.BooleanOptionalAction, default=None,
                   help="greet and give the disclaimer first (default: live yes, files no)")
    add_config_arg(p)
    add_content_args(p, config=False)


class _SilentSynthesizer:
    """--no-speak: no audio at all."""

    name = "none"

    def synthesize(self, text: str, voice: Any) -> Any:
        from voice_guide.audio import Clip

        return Clip(b"", 16000)

    def close(self) -> None:
        pass


def _source(args: argparse.Namespace, device: str | None) -> Iterable[AudioChunk]:
    if args.input == "":
        raise AudioFormatError("--input is empty; give a WAV file, or - for audio piped in")
    if args.input == "-":
        return piped_audio(sys.stdin.buffer)
    if args.input:
        clip = read_wav(Path(args.input))
        recorded = clip.recorded_rate
        if recorded is not None and recorded < RATE:
            print(f"voice-guide: {args.input} was recorded at {recorded} Hz (telephone quality); recognition needs "
                  f"{RATE} Hz and hears it much worse, with more needless safety messages: record at {RATE} Hz or more",
                  file=sys.stderr)
        return clip.chunks()
    from voice_guide.engines import sounddevice_io

    if not sounddevice_io.input_available(sounddevice_io.device_id(device)):
        raise DeviceError("no microphone found; plug one in (then 'voice-guide doctor'), or use --input FILE.wav")

    # Unplugged mid-session: announce it (see announce_devices), keep the session (captions, idle
    # timer, radio) going, retry.
    return ResilientSource(lambda: sounddevice_io.MicrophoneSource(sounddevice_io.device_id(device)))


def _sink(args: argparse.Namespace, device: str | None) -> AudioSink:
    if args.output:
        return WavFileSink(args.output, inputs=(args.input,))
    from voice_guide.engines import sounddevice_io

    if sounddevice_io.output_available(sounddevice_io.device_id(device)):
        # A speaker that fails later: captions carry on, the device is retried.
        return ResilientSink(lambda: sounddevice_io.SpeakerSink(sounddevice_io.device_id(device)))
    if args.input:
        print("voice-guide: no speaker; replies are not played (use --output FILE.wav to keep them)", file=sys.stderr)
        return DiscardSink()
    raise DeviceError("no speaker found; plug in a speaker or headset (then 'voice-guide doctor'), or use --output FILE.wav")


def check_talk_button(live: bool, settings: GuideSettings) -> None:
    """Live push-to-talk needs the keyboard (or a button that types Space) on standard input; without
    it the guide would greet and then never listen. (On a file, see :func:`talk_at`.)"""
    if live and settings.mode == "push_to_talk" and not sys.stdin.isatty():
        raise ConfigError("push-to-talk needs a keyboard or talk button, and standard input is not a terminal: "
                          "run it on the kiosk's terminal (the systemd unit sets StandardInput=tty) or use --mode wake")


@contextlib.contextmanager
def keyboard(enabled: bool) -> Iterator["queue.Queue[str] | None"]:
    """Keys from the terminal, one at a time (Space to talk, S to stop, ...), while live."""
    if not enabled or not sys.stdin.isatty():
        yield None
        return
    import termios
    import tty

    from voice_guide.keys import read_key

    keys: queue.Queue[str] = queue.Queue()
    fd = sys.stdin.fileno()
    saved = termios.tcgetattr(fd)

    def read() -> None:
        while True:
            try:
                key = read_key(fd)
            except (EOFError, OSError):
                return
            if key is not None:
                keys.put(key)

    tty.setcbreak(fd)
    threading.Thread(target=read, name="voice-guide-keys", daemon=True).start()
    try:
        yield keys
    finally:
        termios.tcsetattr(fd, termios.TCSADRAIN, saved)


@dataclass
class Session:
    """Everything a voice session needs, built from flags and the settings file."""

    settings: GuideSettings
    library: Library
    matcher: Matcher
    source: Iterable[AudioChunk]
    sink: AudioSink
    recognizer: Recognizer
    synthesizer: Any
    earcons: Earcons | None
    captions: Any
    loop_settings: LoopSettings
    speaking: bool
    extra_phrases: tuple[str, ...] = ()
    """Phrases the recognizer listens for beyond the packs' (radio's); a content reload keeps them."""

    def close(self) -> None:
        """The sink first (a reply file is finished with the replies so far), each whatever the others do."""
        try:
            self.sink.close()
        finally:
            try:
                self.synthesizer.close()
            finally:
                if hasattr(self.source, "close"):
                    self.source.close()


FLAG_NAMES = {"rate_wpm": "--rate", "volume": "--volume", "trailing_silence_s": "--trailing-silence",
              "max_utterance_s": "--max-utterance", "initial_silence_s": "--initial-silence", "mode": "--mode",
              "engine": "--engine", "wake_phrase": "--wake-phrase"}
"""The flags that set these settings, to name in an error."""


def settings_for(args: argparse.Namespace, live: bool, file_mode: str = "continuous") -> GuideSettings:
    """The settings file, then the flags (on a recording, ``file_mode`` unless --mode says otherwise)."""
    if args.no_speak and getattr(args, "output", None):
        raise ConfigError("--output keeps the spoken replies, and --no-speak makes none; drop one of them")
    return load_settings(args.config).override(
        FLAG_NAMES, mode=args.mode or (None if live else file_mode), engine=args.engine, model=args.model,
        wake_phrase=args.wake_phrase, barge_in=False if args.no_barge_in else None,
        earcons=False if args.no_earcons else None, brief=True if args.brief else None,
        remember_voice=True if args.remember_voice else None,
        trailing_silence_s=args.trailing_silence,
        max_utterance_s=args.max_utterance, initial_silence_s=args.initial_silence, rate_wpm=args.rate,
        volume=args.volume, input_device=args.input_device, output_device=args.output_device)


def prepare(args: argparse.Namespace, live: bool, file_mode: str = "continuous",
            extra_phrases: Sequence[str] = (), settings: GuideSettings | None = None) -> Session:
    """Settings (file, then flags; or ``settings`` already read), content, devices (first: a missing
    one fails fast), engines."""
    settings = settings or settings_for(args, live, file_mode)
    library, matcher = load_content(args, settings)
    source = _source(args, settings.input_device)
    speaking = not args.no_speak
    sink: AudioSink = _sink(args, settings.output_device) if speaking else DiscardSink()
    recognizer = make_recognizer(settings, library, extra_phrases)
    where = getattr(recognizer.current, "model_path", "built-in English model")
    print(f"voice-guide: recognizer {recognizer.name} ({where}); mode {settings.mode}", file=sys.stderr)
    endpoint = EndpointSettings(trailing_silence_ms=int(1000 * settings.trailing_silence_s),
                                max_utterance_ms=int(1000 * settings.max_utterance_s),
                                initial_silence_ms=int(1000 * settings.initial_silence_s))
    loop_settings = LoopSettings(mode=Mode(settings.mode), duplex=live, barge_in=settings.barge_in,
                                 wake_phrase=settings.wake_phrase, endpoint=endpoint,
                                 greet=live if args.greet is None else args.greet)
    if speaking:
        from voice_guide.engines.pyttsx3_tts import Pyttsx3Synthesizer

        synthesizer: Any = Pyttsx3Synthesizer()
        if args.voice and not synthesizer.knows(args.voice):
            print(f"voice-guide: no voice '{args.voice}'; speaking with the default voice "
                  "('voice-guide doctor' lists the voices)", file=sys.stderr)
    else:
        synthesizer = _SilentSynthesizer()
    earcons = Earcons(EarconSettings(enabled=settings.earcons)) if speaking else None
    captions = None
    if live and settings.captions:
        captions = make_captions(matcher, settings)
    return Session(settings, library, matcher, source, sink, recognizer, synthesizer, earcons, captions,
                   loop_settings, speaking, tuple(extra_phrases))


def make_captions(matcher: Matcher, settings: GuideSettings) -> Any:
    """Large high-contrast captions on a terminal; none without one (standard error is then a log)."""
    from voice_guide.captions import RichCaptions, caption_states
    from voice_guide.keys import keys_help

    states = caption_states(settings.mode, settings.wake_phrase, settings.barge_in)
    screen = caption_screen()
    if screen is None:
        return None  # no screen: a log (a service's journal) must not learn what a visitor asked, or was told
    from rich.console import Console

    return RichCaptions(Console(file=screen), keys_hint=keys_help(matcher.key_bindings()), states=states)


def caption_screen() -> TextIO | None:
    """Where captions go: the terminal the keys come from (a kiosk's console, whose standard output
    and error go to the journal, so the operator's lines are logged and a visitor's words are not),
    else standard error when that is a terminal; None without a terminal."""
    if sys.stdin is not None and sys.stdin.isatty():
        try:
            return open(os.ttyname(sys.stdin.fileno()), "w", encoding="utf-8", buffering=1)
        except (OSError, ValueError):
            pass
    return sys.stderr if sys.stderr.isatty() else None


def announce_devices(session: Session, loop: Loop) -> None:
    """Microphone or speaker lost or back: the loop says so and captions it (stderr too without captions)."""
    def announce(text: str) -> None:
        loop.announce(text)
        if session.captions is None:
            print(f"voice-guide: {text}", file=sys.stderr)

    announce_device_changes(announce, session.source, session.sink)


def make_recognizer(settings: GuideSettings, library: Library, extra_phrases: Sequence[str] = (),
                    engine: str | None = None) -> FallbackRecognizer:
    """The chosen engine (or ``engine``), biased toward ``library``; one that fails mid-session hands
    over to the other engine (logged). A missing or broken model stops here, with the fix."""
    vocabulary = build_vocabulary(library, extra_commands=[settings.wake_phrase, *extra_phrases])
    chosen = engine or choose_engine(settings.engine, settings.model)
    request = RecognizerRequest(vocabulary, settings.model)
    try:
        primary = create_recognizer(chosen, request)
    except ModelError as exc:
        if engine or settings.engine != "auto" or settings.model is not None or chosen != "vosk":
            raise  # the engine or model was asked for: its error is the answer
        _LOGGER.warning("%s; using pocketsphinx", exc)
        chosen, primary = "pocketsphinx", create_recognizer("pocketsphinx", request)
    engine = chosen
    others = [e for e in ("vosk", "pocketsphinx") if e != engine]
    return FallbackRecognizer(primary, [(name, _loader(name, request)) for name in others])


def _loader(engine: str, request: RecognizerRequest) -> Callable[[], Recognizer]:
    return lambda: create_recognizer(engine, request)


def new_dialogue(session: Session, args: argparse.Namespace, kind: type[Dialogue] = Dialogue, **extra: Any) -> Dialogue:
    st = session.settings
    dialogue = kind(session.library, session.matcher, speech=SpeechSettings(rate_wpm=st.rate_wpm, volume=st.volume),
                    settings=DialogueSettings(brief=st.brief, keep_voice=st.remember_voice),
                    idle_timeout_s=st.idle_timeout_s, idle_warning_s=st.idle_warning_s, volume_cap=st.volume_cap,
                    listen_mode=st.mode, wake_phrase=st.wake_phrase, **extra)
    if st.remember_voice:
        from voice_guide.voice_memory import given_on_command_line, remember_voice

        remember_voice(dialogue, given_on_command_line(args.rate, args.volume, args.brief))
    return dialogue


class Hangups:
    """SIGHUP, the operator's "reload the content packs" (``kill -HUP``, ``systemctl reload``), taken
    from the moment a live command starts. One that comes while the session is still being built
    (the recognizer takes seconds) is kept and carried out once the loop runs: SIGHUP's default
    would end the kiosk, and systemd does not restart a process a hangup ended."""

    def __init__(self) -> None:
        self._task: Callable[[], None] | None = None
        self._asked = False

    def __call__(self, signum: int, frame: object) -> None:
        if self._task is None:
            self._asked = True
        else:
            self._task()

    def reload_with(self, loop: Loop, session: Session, extra: Sequence[str], builtin: bool = True,
                    settings_file: Callable[[], GuideSettings] | None = None) -> None:
        """From now on a SIGHUP reloads the packs between turns (never mid-sentence or mid-question),
        with a recognizer built for them on the engine in use (after a fallback, the one that works);
        a broken pack keeps the last good ones running. The replaced recognizer is let go, not kept
        beside the new. A SIGHUP that came earlier is carried out now. ``extra``: the packs the flags
        named; ``settings_file`` reads the settings file again, whose ``content`` and
        ``builtin_content`` then count too (a pack added there is loaded; other settings wait for a restart)."""

        def reload() -> None:
            packs, keep_builtin = list(extra), builtin
            if settings_file is not None:
                try:
                    fresh = settings_file()
                except VoiceGuideError as exc:
                    print(f"voice-guide: content not reloaded, keeping the last good packs: {exc}", file=sys.stderr)
                    return
                packs, keep_builtin = packs_in_force(fresh, packs, builtin)
            library, error = reload_library(loop.dialogue.library, packs, keep_builtin)
            if error is None:
                try:
                    recognizer = make_recognizer(session.settings, library, session.extra_phrases,
                                                 engine=loop.recognizer.name)
                except VoiceGuideError as exc:
                    error = str(exc)
            if error is not None:
                print(f"voice-guide: content not reloaded, keeping the last good packs: {error}", file=sys.stderr)
                return
            matcher = Matcher(library)
            loop.use_content(library, matcher, recognizer)
            session.library, session.matcher, session.recognizer = library, matcher, recognizer
            print(f"voice-guide: content reloaded ({len(library.sections)} sections)", file=sys.stderr)

        self._task = lambda: loop.between_turns(reload)
        if self._asked:
            self._asked = False
            self._task()


@contextlib.contextmanager
def hangups_taken(live: bool) -> Iterator[Hangups]:
    """While a live command runs, SIGHUP goes to the :class:`Hangups` yielded (see
    :func:`voice_guide.stop_signals.handled`). Files and pipes take no reload."""
    import signal

    hangups = Hangups()
    if not live or not hasattr(signal, "SIGHUP"):
        yield hangups
        return
    with handled(signal.SIGHUP, hangups):
        yield hangups


def talk_at(args: argparse.Namespace, live: bool) -> None:
    """``--talk-at`` presses the talk key on a file: it means push-to-talk, and only on a file; and
    push-to-talk on a file needs it, or nothing would be heard."""
    if args.talk_at and live:
        raise ConfigError("--talk-at presses the talk key on a recording: use it with --input FILE.wav")
    if args.talk_at:
        args.mode = args.mode or "push_to_talk"
    elif not live and args.mode == "push_to_talk":
        raise ConfigError("push-to-talk on a file hears nothing until the talk key is pressed: add --talk-at SECONDS "
                          "(when it is pressed), or use --mode continuous")


def run_listen(args: argparse.Namespace) -> int:
    live = args.input is None
    with hangups_taken(live) as hangups:
        return _listen(args, live, hangups)


def _listen(args: argparse.Namespace, live: bool, hangups: Hangups) -> int:
    talk_at(args, live)
    session = prepare(args, live)
    try:
        check_talk_button(live, session.settings)
    except ConfigError:
        session.close()
        raise
    dialogue = new_dialogue(session, args)

    def show(result: Utterance) -> None:
        if args.json:
            print_json(result.to_json())
        elif not live:
            print(f"you:   {result.transcript.text}\nguide: {result.turn.text}", flush=True)

    def idle_event(turn: Turn, at_ms: float) -> None:
        """The idle warning and the reset in the --json log, so a kiosk's timing can be checked from a recording."""
        print_json({"idle": "warning" if turn.kind == "idle_warning" else turn.kind, "at_s": round(at_ms / 1000, 2),
                    "text": turn.text})

    try:
        with keyboard(live) as live_keys:
            keys, source = live_keys, session.source
            if args.talk_at:
                keys = queue.Queue()
                source = pressed_at(session.source, keys, args.talk_at)
            if live and keys is not None and session.settings.mode == "push_to_talk":
                print("voice-guide: press Space to ask a question (S stops, Q quits the session)", file=sys.stderr)
            loop = Loop(dialogue, session.recognizer, session.synthesizer, session.sink, session.loop_settings,
                        earcons=session.earcons, keys=keys, captions=session.captions, on_utterance=show,
                        voice_id=args.voice, on_idle=idle_event if args.json else None)
            announce_devices(session, loop)
            hangups.reload_with(loop, session, args.content, not args.no_builtin,
                                settings_file=lambda: load_settings(args.config))
            loop.run(source)
    finally:
        session.close()
    warn_unwoken(loop, session.settings, live)
    if args.output and session.speaking:
        print(f"voice-guide: replies written to {args.output}", file=sys.stderr)
    return 0


def warn_unwoken(loop: Loop, settings: GuideSettings, live: bool) -> None:
    """A recording in wake mode in which no utterance began with the wake phrase says so: not silence."""
    if not live and loop.unwoken and not loop.results:
        print(f"voice-guide: none of the {loop.unwoken} utterances heard began with the wake phrase "
              f"'{settings.wake_phrase}', so none was answered; say it first, or use --mode continuous",
              file=sys.stderr)


def pressed_at(source: Iterable[AudioChunk], keys: "queue.Queue[str]", times_s: Sequence[float]) -> Iterator[AudioChunk]:
    """The source, pressing the talk key when its audio time reaches each of ``times_s``; a time after
    the end of the recording is named in a warning (it presses nothing)."""
    pending = sorted(times_s)
    heard_s = 0.0
    for chunk in source:
        while pending and heard_s >= pending[0]:
            keys.put("space")
            pending.pop(0)
        heard_s += chunk.seconds
        yield chunk
    if pending:
        late = ", ".join(f"{t:g}" for t in pending)
        print(f"voice-guide: warning: --talk-at {late} s is after the end of the recording ({heard_s:.1f} s)",
              file=sys.stderr)
