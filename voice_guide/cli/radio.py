"""``voice-guide radio``: rendered episodes play like a radio; visitors interrupt with questions."""

from __future__ import annotations

import argparse
import queue
import sys
from pathlib import Path

from voice_guide.cli.common import print_json
from voice_guide.cli.listen import (Hangups, add_voice_args, announce_devices, check_talk_button, hangups_taken,
                                    keyboard, new_dialogue, prepare, pressed_at, seconds, settings_for, talk_at,
                                    warn_unwoken)
from voice_guide.errors import ConfigError
from voice_guide.loop import Loop, Mode, Utterance
from voice_guide.radio import load_episodes, RadioPlayer
from voice_guide.radio_session import RadioDialogue, RadioEvent, RadioSession, radio_phrases
from voice_guide.settings import load_settings

EXAMPLES = """\
examples:
  voice-guide episode build --all --out episodes       # render the episodes once
  voice-guide radio --episodes episodes                # live: Space to ask, ] / [ chapters, I about, K pause, L resume
  voice-guide radio --episodes episodes --input visitor.wav --output room.wav --json
"""


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser(
        "radio", help="play rendered episodes like a radio; answer questions in between",
        description="Plays rendered episodes in a loop. A visitor interrupts with push-to-talk (Space) or the wake "
        "phrase: the episode pauses, the question is answered from the content, and the episode resumes a little "
        "before where it stopped. Voice commands: next chapter, previous chapter, what is this episode about, pause, "
        "resume, plus every normal command and question. With --input FILE.wav the visitor audio comes from a file "
        "(wake mode) and the radio plays for as long as it lasts.",
        epilog=EXAMPLES, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--episodes", metavar="DIR", help="folder of rendered episodes (default: the settings' episodes)")
    p.add_argument("--playlist", nargs="+", metavar="NAME", help="episode folder names to play, in order")
    p.add_argument("--resume-back", type=seconds, metavar="S", help="resume this far before the interruption (default 3 s)")
    add_voice_args(p)
    p.set_defaults(handler=run_radio)


def run_radio(args: argparse.Namespace) -> int:
    live = args.input is None
    with hangups_taken(live) as hangups:
        return _radio(args, live, hangups)


def _radio(args: argparse.Namespace, live: bool, hangups: Hangups) -> int:
    talk_at(args, live)
    settings = settings_for(args, live, file_mode="wake")  # the mode and episodes first: before anything slow loads
    if Mode(settings.mode) is Mode.CONTINUOUS:
        raise ConfigError("radio mode needs push_to_talk or wake mode (continuous listening would never let the show play)")
    given = settings.episodes if args.episodes is None else args.episodes  # "" is refused, not taken as "."
    player = RadioPlayer(load_episodes(given, args.playlist or settings.playlist))
    folder = Path(given)
    session = prepare(args, live, extra_phrases=radio_phrases(), settings=settings)
    try:
        check_talk_button(live, settings)
        dialogue = new_dialogue(session, args, RadioDialogue, player=player)
        print(f"voice-guide: radio: {len(player.episodes)} episode(s) from {folder}", file=sys.stderr)

        def show(result: Utterance) -> None:
            if args.json:
                print_json({**result.to_json(), "episode": player.episode.slug,
                            "episode_position_s": round(player.position_s, 2)})
            elif not live:
                print(f"you:   {result.transcript.text}\nguide: {result.turn.text}", flush=True)

        with keyboard(live) as live_keys:
            keys = live_keys
            source = session.source
            if not live and args.talk_at:
                keys = queue.Queue()
                source = pressed_at(session.source, keys, args.talk_at)
            if live and keys is not None:
                print("voice-guide: Space asks a question; ] / [ chapters, I about, K pause, L resume", file=sys.stderr)
            loop = Loop(dialogue, session.recognizer, session.synthesizer, session.sink, session.loop_settings,
                        earcons=session.earcons, keys=keys, captions=session.captions, on_utterance=show,
                        voice_id=args.voice)
            announce_devices(session, loop)
            resume_back = settings.resume_back_s if args.resume_back is None else args.resume_back

            def event(e: RadioEvent) -> None:
                if args.json and e.what != "play":
                    print_json({"radio": e.what, "at_s": round(e.at_ms / 1000, 2), "episode": e.episode,
                                "position_s": e.position_s})

            hangups.reload_with(loop, session, args.content, not args.no_builtin,  # the show plays on
                                settings_file=lambda: load_settings(args.config))
            RadioSession(loop, player, session.sink, resume_back_s=resume_back, on_event=event).run(source)
    finally:
        session.close()
    warn_unwoken(loop, settings, live)
    return 0


