"""``voice-guide demo``: the main job on built-in defaults: a short spoken conversation."""

from __future__ import annotations

import argparse
from importlib import resources

import yaml

from voice_guide.cli.common import add_content_args, add_speech_args, converse, load_content, open_voice_output
from voice_guide.dialogue import Dialogue, Start
from voice_guide.protocols import Voice


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    demo = sub.add_parser(
        "demo",
        help="run a short built-in conversation and speak it",
        description="Runs a short built-in conversation (questions, more, slower, repeat, an out-of-scope "
        "question, topics, goodbye) and speaks the guide's replies to the speaker, or to --wav FILE. "
        "Without a speaker and without --wav it writes voice-guide-demo.wav.",
    )
    add_speech_args(demo)
    add_content_args(demo)
    demo.set_defaults(handler=run_demo)


def demo_utterances() -> list[str]:
    data = yaml.safe_load((resources.files("voice_guide") / "data" / "demo.yaml").read_text(encoding="utf-8"))
    return [str(u) for u in data["utterances"]]


def run_demo(args: argparse.Namespace) -> int:
    library, matcher = load_content(args)
    dialogue = Dialogue(library, matcher)
    voice = Voice(rate_wpm=dialogue.rate_wpm, volume=dialogue.volume)
    output = open_voice_output(args, voice)
    if output is None and not args.no_speak:
        args.wav = "voice-guide-demo.wav"
        output = open_voice_output(args, voice)
    try:
        turn = dialogue.handle(Start())
        print(f"guide: {turn.text}")
        if output is not None:
            output.speak(turn)
        converse(dialogue, demo_utterances(), output,
                 lambda said, reply: print(f"you:   {said}\nguide: {reply.text}", flush=True))
    finally:
        if output is not None:
            output.close()
    if output is not None:
        print(f"spoken to: {output.where}")
    return 0
