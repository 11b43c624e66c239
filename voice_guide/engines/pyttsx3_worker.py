"""Child process that renders sentences with pyttsx3. Run by :mod:`pyttsx3_tts`, not by hand.

Protocol: one JSON object per line on stdin ({"text", "path", "rate", "volume", "voice", "pitch"});
one JSON object per line back ({"status": "ok"|"error"|"ready", ...}) on the original stdout.
"""

from __future__ import annotations

import json
import os
import sys


def main() -> int:  # pragma: no cover - exercised through Pyttsx3Synthesizer in a child process
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
    except Exception as exc:  # noqa: BLE001 - reported to the parent as one line
        reply(status="error", error=f"{type(exc).__name__}: {exc}")
        return 1
    reply(status="ready", voices=voices)
    for line in sys.stdin:
        try:
            req = json.loads(line)
            if req.get("voice"):
                engine.setProperty("voice", req["voice"])
            engine.setProperty("rate", int(req["rate"]))
            engine.setProperty("volume", float(req["volume"]))
            try:
                engine.setProperty("pitch", int(req["pitch"]))
            except Exception:  # noqa: BLE001 - pitch is optional on some drivers
                pass
            engine.save_to_file(req["text"], req["path"])
            engine.runAndWait()
            reply(status="ok")
        except Exception as exc:  # noqa: BLE001
            reply(status="error", error=f"{type(exc).__name__}: {exc}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
