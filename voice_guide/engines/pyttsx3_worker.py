"""Child process that renders sentences with pyttsx3. Started by :mod:`pyttsx3_tts`, not by hand.

    python -m voice_guide.engines.pyttsx3_worker [--voice ID] [--rate WPM] [--pitch 0-99]

Voice, rate and pitch are set once, before the first sentence: pyttsx3's espeak driver applies
property changes made between sentences late or not at all, so the parent starts one worker per
voice setting instead. Volume is applied by the parent to the samples.

Protocol: one JSON object per line on stdin ({"text", "path"}); one JSON object per line back
({"status": "ready"|"ok"|"error", ...}) on the original stdout.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
import wave


def _frames(path: str) -> int:
    try:
        with wave.open(path, "rb") as wav:
            return wav.getnframes()
    except (OSError, EOFError, wave.Error):
        return 0


def main() -> int:  # pragma: no cover - exercised through Pyttsx3Synthesizer in a child process
    parser = argparse.ArgumentParser()
    parser.add_argument("--voice")
    parser.add_argument("--rate", type=int)
    parser.add_argument("--pitch", type=int)
    args = parser.parse_args()
    out = os.fdopen(os.dup(1), "w", buffering=1)
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)  # pyttsx3 prints "Audio saved to ..."; keep the protocol channel clean

    def reply(**fields: object) -> None:
        out.write(json.dumps(fields) + "\n")
        out.flush()

    try:
        import pyttsx3

        engine = pyttsx3.init()
        voices = [[v.id, v.name] for v in engine.getProperty("voices")]
        if args.voice:
            engine.setProperty("voice", args.voice)
        if args.rate:
            engine.setProperty("rate", args.rate)
        if args.pitch is not None:
            engine.setProperty("pitch", args.pitch)
        engine.setProperty("volume", 1.0)
    except Exception as exc:  # noqa: BLE001 - reported to the parent as one line
        reply(status="error", error=f"{type(exc).__name__}: {exc}")
        return 1
    driver = getattr(getattr(engine, "proxy", None), "_driver", None)
    reply(status="ready", voices=voices)
    for line in sys.stdin:
        try:
            req = json.loads(line)
            for _ in range(3):
                engine.save_to_file(req["text"], req["path"])
                engine.runAndWait()
                # The espeak driver returns from runAndWait while espeak is still writing; wait
                # for it (the parent's watchdog bounds this), and render again if it wrote nothing.
                while getattr(driver, "_speaking", False):
                    time.sleep(0.002)
                if _frames(req["path"]) > 0:
                    break
            reply(status="ok")
        except Exception as exc:  # noqa: BLE001
            reply(status="error", error=f"{type(exc).__name__}: {exc}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
