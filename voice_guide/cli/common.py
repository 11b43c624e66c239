"""Helpers shared by subcommands: content loading, speech output, JSON printing."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Sequence

from voice_guide.content import Library, load_library
from voice_guide.dialogue import Dialogue, End, Heard, SetVoice, Turn
from voice_guide.matcher import Matcher
from voice_guide.protocols import AudioSink, Voice
from voice_guide.settings import ENV_CONFIG, GuideSettings, load_settings

_LOGGER = logging.getLogger(__name__)


def add_content_args(parser: argparse.ArgumentParser, config: bool = True) -> None:
    """--content and --no-builtin; and ``config``: --config, whose content packs count too."""
    parser.add_argument(
        "--content", action="append", default=[], metavar="DIR",
        help="add the content packs (*.yaml) in DIR, or one pack file; repeatable",
    )
    parser.add_argument(
        "--no-builtin", action="store_true",
        help="leave out the built-in pack: only the --content packs (the first gives the greeting, disclaimer, "
        "fallback and safety messages)",
    )
    if config:
        parser.add_argument("--config", metavar="FILE",
                            help=f"settings file whose content packs (content, builtin_content) count too "
                            f"(default ${ENV_CONFIG}), as for listen")


def load_content(args: argparse.Namespace, settings: GuideSettings | None = None) -> tuple[Library, Matcher]:
    """The packs a command runs on, the same for every command: the settings file's ``content`` (--config,
    else $VOICE_GUIDE_CONFIG), then --content; the built-in pack first unless --no-builtin or the file's
    ``builtin_content: false``."""
    if settings is None:
        settings = load_settings(getattr(args, "config", None))
    packs, builtin = packs_in_force(settings, args.content, not args.no_builtin)
    library = load_library(packs, builtin=builtin)
    return library, Matcher(library)


def packs_in_force(settings: GuideSettings, flagged: Sequence[str], builtin: bool) -> tuple[list[str], bool]:
    """The pack paths a guide runs on (the settings file's, then those the flags named) and whether the
    built-in pack comes first (unless the flags or the file leave it out)."""
    return [*settings.content, *flagged], builtin and settings.builtin_content


def add_speech_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--no-speak", action="store_true", help="print only; do not speak")
    parser.add_argument("--wav", metavar="FILE", help="write the spoken replies to this WAV file (no speaker needed)")
    parser.add_argument("--rate", type=int, default=None, metavar="WPM", help="speaking rate in words per minute (default 150)")
    parser.add_argument("--volume", type=float, default=None, metavar="0.05-2.26",
                        help="speaking volume: 1 is the voice as rendered, above it peaks are limited (default 0.8)")


def usage(parser: argparse.ArgumentParser) -> int:
    """A command group run without its action: show its help, exit 2."""
    parser.print_help()
    return 2


def print_json(obj: Any) -> None:
    sys.stdout.write(json.dumps(obj, ensure_ascii=False) + "\n")
    sys.stdout.flush()


@dataclass
class VoiceOutput:
    """Speaks dialogue turns through pyttsx3 to a speaker or a WAV file; closes both at the end."""

    speaker: Any
    sink: AudioSink
    voice: Voice
    where: str

    def speak(self, turn: Turn) -> None:
        for action in turn.actions:
            if isinstance(action, SetVoice):
                self.voice = Voice(rate_wpm=action.rate_wpm, volume=action.volume, voice_id=self.voice.voice_id)
        if turn.text:
            self.speaker.say(turn.text, self.voice)

    def close(self) -> None:
        self.speaker.synthesizer.close()
        self.sink.close()


def open_voice_output(args: argparse.Namespace, voice: Voice) -> VoiceOutput | None:
    """A speech output as the flags ask: WAV file, the default speaker, or None (print only)."""
    if args.no_speak and not args.wav:
        return None
    from voice_guide.engines.pyttsx3_tts import Pyttsx3Synthesizer
    from voice_guide.sinks import WavFileSink
    from voice_guide.speaker import Speaker

    sink: AudioSink
    if args.wav:
        sink, where = WavFileSink(args.wav), args.wav
    else:
        import voice_guide.engines.sounddevice_io as sounddevice_io

        if not sounddevice_io.output_available():
            print("voice-guide: no audio output device found; printing only (use --wav FILE to save the speech)",
                  file=sys.stderr)
            return None
        sink, where = sounddevice_io.SpeakerSink(), "speaker"
    synth = Pyttsx3Synthesizer()
    return VoiceOutput(Speaker(synth, sink), sink, voice, where)


def converse(dialogue: Dialogue, utterances: Iterable[str], output: VoiceOutput | None,
             show: Callable[[str, Turn], None]) -> None:
    """Run utterances through the dialogue, showing and speaking each turn, until goodbye."""
    for utterance in utterances:
        turn = dialogue.handle(Heard(utterance))
        show(utterance, turn)
        if output is not None:
            output.speak(turn)
        if any(isinstance(a, End) for a in turn.actions):
            break
