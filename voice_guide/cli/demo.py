"""``voice-guide demo``: the main job on built-in defaults: the speech loop on spoken sample questions.

The sample questions are spoken by a synthetic visitor (pyttsx3, another voice), heard by the real
recognizer, answered through the dialogue and spoken to the speaker or a WAV file.
"""

from __future__ import annotations

import argparse
import sys
from importlib import resources

import numpy as np
import yaml

from voice_guide.audio import RATE, Clip, float_to_pcm, pcm_to_float
from voice_guide.cli.common import add_content_args, add_speech_args, load_content, print_json
from voice_guide.dialogue import Dialogue
from voice_guide.earcons import Earcons
from voice_guide.engines.registry import RecognizerRequest, choose_engine, create_recognizer
from voice_guide.loop import Loop, LoopSettings, Mode, Utterance
from voice_guide.protocols import AudioSink, Synthesizer, Voice
from voice_guide.vocabulary import build_vocabulary

VISITOR = Voice(rate_wpm=140, volume=1.0, voice_id="en-us")
"""The synthetic visitor who asks the demo questions."""
DEMO_WAV = "voice-guide-demo.wav"


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    demo = sub.add_parser(
        "demo",
        help="the speech loop on built-in spoken sample questions",
        description="A synthetic visitor speaks built-in sample questions and commands (more, slower, repeat, an "
        "out-of-scope question, topics, goodbye); the real recognizer hears them and the guide answers aloud, to "
        f"the speaker or to --wav FILE. Without a speaker and without --wav it writes {DEMO_WAV}.",
    )
    add_speech_args(demo)
    demo.add_argument("--engine", choices=("auto", "vosk", "pocketsphinx"), default="auto",
                      help="recognizer (default auto: vosk if an English model is installed)")
    demo.add_argument("--text", action="store_true", help="skip speech recognition: feed the questions as text")
    demo.add_argument("--json", action="store_true",
                      help="print one JSON object per utterance (what the visitor said, what was heard, the reply)")
    add_content_args(demo)
    demo.set_defaults(handler=run_demo)


def demo_utterances() -> list[str]:
    data = yaml.safe_load((resources.files("voice_guide") / "data" / "demo.yaml").read_text(encoding="utf-8"))
    return [str(u) for u in data["utterances"]]


def spoken_visitor(synth: Synthesizer, utterances: list[str], gap_s: float = 1.6) -> Clip:
    """The visitor's questions as one 16 kHz recording with pauses between them."""
    parts = [np.zeros(int(0.5 * RATE), np.float32)]
    for text in utterances:
        parts.append(pcm_to_float(synth.synthesize(text, VISITOR).resampled(RATE).audio))
        parts.append(np.zeros(int(gap_s * RATE), np.float32))
    return Clip(float_to_pcm(np.concatenate(parts)), RATE)


def _sink(args: argparse.Namespace) -> tuple[AudioSink | None, str]:
    from voice_guide.sinks import WavFileSink

    if args.wav:
        return WavFileSink(args.wav), args.wav
    if args.no_speak:
        return None, ""
    from voice_guide.engines import sounddevice_io

    if sounddevice_io.output_available(None):
        return sounddevice_io.SpeakerSink(None), "the speaker"
    return WavFileSink(DEMO_WAV), DEMO_WAV


def run_demo(args: argparse.Namespace) -> int:
    from voice_guide.engines.pyttsx3_tts import Pyttsx3Synthesizer
    from voice_guide.sinks import MemorySink

    library, matcher = load_content(args)
    dialogue = Dialogue(library, matcher, listen_mode="continuous")
    utterances = demo_utterances()
    if args.text:
        from voice_guide.cli.common import converse, open_voice_output

        output = open_voice_output(args, Voice(rate_wpm=dialogue.rate_wpm, volume=dialogue.volume))
        try:
            converse(dialogue, utterances, output,
                     lambda said, reply: print_json({"said": said, **reply.to_json()}) if args.json
                     else print(f"you:   {said}\nguide: {reply.text}", flush=True))
        finally:
            if output is not None:
                output.close()
        return 0
    synth = Pyttsx3Synthesizer()
    sink, where = _sink(args)
    try:
        visitor = spoken_visitor(synth, utterances)
        vocabulary = build_vocabulary(library)
        engine = choose_engine(args.engine)
        recognizer = create_recognizer(engine, RecognizerRequest(vocabulary))
        print(f"voice-guide: demo: {visitor.seconds:.0f} s of spoken questions, recognizer {recognizer.name}",
              file=sys.stderr)

        said = iter(utterances)  # what the visitor said, in order, beside what was heard

        def show(result: Utterance) -> None:
            if args.json:
                print_json({"said": next(said, None), **result.to_json()})
                return
            also = f"  (acted on a runner-up hearing: {result.runner_up_used})" if result.runner_up_used else ""
            print(f"you said: {result.transcript.text}{also}\nguide:    {result.turn.text}", flush=True)

        loop = Loop(dialogue, recognizer, synth, sink or MemorySink(), LoopSettings(mode=Mode.CONTINUOUS, greet=True),
                    earcons=Earcons(), on_utterance=show)
        loop.run(visitor.chunks())
    finally:  # the sink first: the demo's reply file is finished with the replies so far
        try:
            if sink is not None:
                sink.close()
        finally:
            synth.close()
    if where:
        print(f"voice-guide: demo replies spoken to {where}", file=sys.stderr)
    return 0
