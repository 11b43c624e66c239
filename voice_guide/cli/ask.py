"""``voice-guide ask`` and ``voice-guide topics``: the text conversation with the same rules as the voice loop."""

from __future__ import annotations

import argparse
import sys
from typing import BinaryIO, Iterable, Iterator

from voice_guide.cli.common import (
    add_content_args,
    add_speech_args,
    converse,
    load_content,
    open_voice_output,
    print_json,
)
from voice_guide.config import VOLUME_FLOOR, DialogueSettings, SpeechSettings
from voice_guide.content import Library
from voice_guide.dialogue import Dialogue, Turn
from voice_guide.errors import ConfigError
from voice_guide.matcher import Kind, Matcher
from voice_guide.protocols import Voice
from voice_guide.text import MAX_UTTERANCE_CHARS, clean

MAX_QUESTION_CHARS = 4 * MAX_UTTERANCE_CHARS
"""A question is cut to this many characters before anything else: ``clean`` reads no more."""
MAX_LINE_BYTES = 4 * MAX_QUESTION_CHARS
"""Bytes read of one stdin line (UTF-8 needs up to 4 per character); the rest is skipped unread
into memory, so a 10 MB or endless line costs no more than a short one."""


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    ask = sub.add_parser(
        "ask",
        help="ask a question in text; prints and speaks the answer",
        description="Ask a question and hear the answer, drawn only from the content packs. With no question, "
        "reads one utterance per line from stdin as a conversation (repeat, more and clarification work as in the "
        "voice loop).",
        epilog='examples:\n  voice-guide ask "where does breast cancer spread"\n'
        '  printf "what is stage four\\nmore\\nrepeat\\n" | voice-guide ask --no-speak\n'
        '  voice-guide ask --json --no-speak "can i get a second opinion"',
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    ask.add_argument("question", nargs="*", help="the question (omit to read lines from stdin)")
    ask.add_argument("--json", action="store_true", help='print one JSON object per question: {"kind", "section", "command", "score", "text"}')
    ask.add_argument("--explain", action="store_true", help="show how the question was scored")
    ask.add_argument("--brief", action="store_true", help='brief prompts ("More?") for listeners who know the guide')
    ask.add_argument("--remember-voice", action="store_true", help="keep the rate, volume and prompts you choose for next time")
    add_speech_args(ask)
    add_content_args(ask)
    ask.set_defaults(handler=run_ask)

    topics = sub.add_parser("topics", help="list the topics the guide can talk about",
                            description="List the topics (sections) of the content packs, with their ids, as the guide reads them out.")
    topics.add_argument("--json", action="store_true", help="print a JSON list of {id, title, pack}")
    add_content_args(topics)
    topics.set_defaults(handler=run_topics)


def explain(matcher: Matcher, text: str) -> str:
    """A human-readable account of how ``text`` was routed."""
    m = matcher.match(text)
    st = matcher.settings
    lines = [f"  cleaned:   {clean(text)!r}", f"  result:    {m.kind.value} ({m.reason})"]
    if m.kind is Kind.SAFETY:
        lines.append(f"  safety:    {m.safety}")
    if m.command:
        lines.append(f"  command:   {m.command} (score {m.score:.2f})")
    if m.features:
        lines.append(f"  features:  {' '.join(m.features)}")
    for sid, score in m.scores[:5]:
        lines.append(f"  {score:6.3f}  {sid}")
    lines.append(f"  thresholds: accept {st.accept} with margin {st.margin}; clarify from {st.clarify_floor}")
    return "\n".join(lines)


def _lines(args: argparse.Namespace) -> Iterable[str]:
    if args.question:
        yield " ".join(args.question)[:MAX_QUESTION_CHARS]
        return
    yield from read_lines(sys.stdin.buffer)


def read_lines(stream: BinaryIO, limit: int = MAX_LINE_BYTES) -> Iterator[str]:
    """Non-empty lines of ``stream``, each cut to ``limit`` bytes and decoded leniently (bytes that
    are not UTF-8 become U+FFFD, which matching ignores). Memory stays bounded whatever comes in."""
    while True:
        raw = stream.readline(limit)
        if not raw:
            return
        if not raw.endswith(b"\n"):
            while True:  # skip the rest of an over-long line, a piece at a time
                rest = stream.readline(limit)
                if not rest or rest.endswith(b"\n"):
                    break
        line = raw.decode("utf-8", errors="replace").strip()[:MAX_QUESTION_CHARS]
        if line:
            yield line


def run_ask(args: argparse.Namespace) -> int:
    if args.question and not " ".join(args.question).strip():  # before any output file is touched
        raise ConfigError("nothing to ask; give a question, e.g. voice-guide ask \"what is stage four breast cancer\"")
    library, matcher = load_content(args)
    speech = _speech_settings(args)
    dialogue = Dialogue(library, matcher, speech=speech, settings=DialogueSettings(brief=args.brief, keep_voice=args.remember_voice),
                        listen_mode="continuous")  # typed: no button to press
    if args.remember_voice:
        from voice_guide.voice_memory import given_on_command_line, remember_voice

        remember_voice(dialogue, given_on_command_line(args.rate, args.volume, args.brief))
    output = open_voice_output(args, Voice(rate_wpm=dialogue.rate_wpm, volume=dialogue.volume))

    def show(line: str, turn: Turn) -> None:
        if args.explain:
            print(explain(matcher, line), file=sys.stderr)
        if args.json:
            print_json(turn.to_json())
        else:
            print(turn.text, flush=True)

    try:
        converse(dialogue, _lines(args), output, show)
    finally:
        if output is not None:
            output.close()
    return 0


def _speech_settings(args: argparse.Namespace) -> SpeechSettings:
    from voice_guide.errors import ConfigError

    base = SpeechSettings()
    rate = base.rate_wpm if args.rate is None else args.rate
    volume = base.volume if args.volume is None else args.volume
    if not 60 <= rate <= 500:
        raise ConfigError(f"--rate {rate} is outside 60-500 words per minute")
    if not VOLUME_FLOOR <= volume <= base.volume_max:
        raise ConfigError(f"--volume {volume} is outside {VOLUME_FLOOR}-{base.volume_max} (1 is the voice as rendered)")
    return SpeechSettings(rate_wpm=rate, volume=volume)


def run_topics(args: argparse.Namespace) -> int:
    library, _ = load_content(args)
    _print_topics(library, args.json)
    return 0


def _print_topics(library: Library, as_json: bool) -> None:
    if as_json:
        print_json([{"id": s.id, "title": s.title, "pack": s.pack_id} for s in library.sections])
        return
    for pack in library.packs:
        print(f"{pack.title}  ({pack.id})")
        for s in pack.sections:
            print(f"  {s.id:22} {s.title}")
