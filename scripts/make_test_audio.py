#!/usr/bin/env python3
"""Make spoken test audio with espeak-ng (or flite, with a voice named "flite:slt"): questions in a
quiet room, or in waiting-room babble.

    python scripts/make_test_audio.py "where does breast cancer spread" "stop" -o questions.wav
    python scripts/make_test_audio.py --file questions.txt --voice en-us+f3 --babble-snr 10 -o noisy.wav
    python scripts/make_test_audio.py --raw "what is metastatic breast cancer" > q.pcm   # for listen --input -

The output is 16 kHz mono 16-bit; each utterance is followed by a pause long enough to end it.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from voice_guide.audio import RATE, Clip, float_to_pcm, pcm_to_float, read_wav, write_wav  # noqa: E402

BABBLE_TEXT = (
    "Did you find a parking space this morning", "The coffee machine on the second floor is broken again",
    "My grandson plays football on Saturdays", "They said the wait would be about twenty minutes",
    "I think it is going to rain later this afternoon", "Could you pass me that magazine please",
    "We drove in from the other side of the county", "Her appointment was moved to next Thursday",
)
BABBLE_VOICES = ("en-us", "en-gb", "en-us+m3", "en+f2")
FLITE_BABBLE_VOICES = ("flite:slt", "flite:rms", "flite:awb", "flite:kal16")
BABBLE_TALKERS = {"espeak": BABBLE_VOICES, "flite": FLITE_BABBLE_VOICES}
"""Who talks in the babble. pocketsphinx latches onto espeak talkers far more than onto flite's or
people's, so espeak babble is the harsher (and less lifelike) test for a flite question voice."""
NOISE_FLOOR_DBFS = -66.0


def speak(text: str, voice: str = "en-us", wpm: int = 150) -> np.ndarray:
    """``text`` spoken at 16 kHz. ``voice`` is an espeak-ng voice, "flite:NAME" for a flite voice
    (slt, rms, awb, kal16: diphone and statistical voices, closer to a person than espeak's formants)
    or "festival:NAME" for a festival voice (ked_diphone from festvox-kdlpc16k, cmu_us_slt_arctic_hts
    from festvox-us-slt-hts: speakers and synthesis no test uses). flite and festival speak at their
    own rate; ``wpm`` is ignored. Audio is read at 16 kHz whatever rate the synthesizer writes."""
    kind, _, name = voice.partition(":") if voice.startswith(("flite:", "festival:")) else ("espeak-ng", "", voice)
    engine = "text2wave" if kind == "festival" else kind
    if shutil.which(engine) is None:
        package = "festival festvox-kdlpc16k festvox-us-slt-hts" if kind == "festival" else engine
        raise SystemExit(f"make_test_audio: {engine} is not installed (sudo apt-get install {package})")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "s.wav"
        if kind == "flite":
            command = ["flite", "-voice", name, "-t", text, "-o", str(path)]
        elif kind == "festival":
            (Path(tmp) / "s.txt").write_text(text, encoding="utf-8")
            command = ["text2wave", "-eval", f"(voice_{name})", str(Path(tmp) / "s.txt"), "-o", str(path)]
        else:
            command = ["espeak-ng", "-v", voice, "-s", str(wpm), "-w", str(path), text]
        subprocess.run(command, check=True, capture_output=True)
        if not path.exists():  # text2wave exits 0 without a file when the voice is not installed
            raise SystemExit(f"make_test_audio: {voice} did not speak; is its voice installed? (ked_diphone: "
                             "apt-get install festvox-kdlpc16k; cmu_us_slt_arctic_hts: festvox-us-slt-hts)")
        return pcm_to_float(read_wav(path).audio)


OPENERS = ("um", "uh", "so um", "hmm", "uh so")
FILLERS = ("um", "uh")


def hesitant(text: str, seed: int = 0) -> str:
    """``text`` as people say it when they hesitate: a filler before it and, in sentences of four
    words or more, one inside it ("um where does it uh spread")."""
    rng = np.random.default_rng(seed)
    words = text.split()
    if len(words) >= 4:
        at = int(rng.integers(1, len(words) - 1))
        words.insert(at, FILLERS[int(rng.integers(len(FILLERS)))])
    return " ".join([OPENERS[int(rng.integers(len(OPENERS)))], *words])


def rms(x: np.ndarray) -> float:
    return float(np.sqrt(np.mean(np.square(x, dtype=np.float64)))) if x.size else 0.0


def babble(seconds: float, seed: int = 0, talkers: str = "espeak") -> np.ndarray:
    """Three overlapping talkers (``talkers``' voices, unrelated text) plus soft room noise, at unit RMS."""
    rng = np.random.default_rng(seed)
    lines = [speak(t, v, 170) for t, v in zip(BABBLE_TEXT, BABBLE_TALKERS[talkers] * 2)]
    n = int(seconds * RATE)
    out = np.zeros(n, np.float32)
    for _ in range(3):
        pos = int(rng.integers(0, RATE))
        while pos < n:
            line = lines[int(rng.integers(len(lines)))]
            end = min(n, pos + line.size)
            out[pos:end] += line[: end - pos]
            pos = end + int(rng.integers(RATE // 5, RATE // 2))
    noise = np.convolve(rng.normal(0, 1, n), np.ones(8) / 8, mode="same").astype(np.float32)
    mix = 0.85 * out / max(rms(out), 1e-9) + 0.5 * noise / max(rms(noise), 1e-9)
    return (mix / max(rms(mix), 1e-9)).astype(np.float32)


def utterances_clip(speech: list[np.ndarray], lead_s: float = 0.6, gap_s: float = 1.6, snr_db: float | None = None,
                    noise: np.ndarray | None = None, seed: int = 0) -> Clip:
    """Utterances with pauses; a quiet room's noise floor, or ``noise`` at ``snr_db`` below the speech."""
    rng = np.random.default_rng(seed)
    parts = [np.zeros(int(lead_s * RATE), np.float32)]
    for s in speech:
        parts += [s, np.zeros(int(gap_s * RATE), np.float32)]
    audio = np.concatenate(parts)
    if snr_db is not None and noise is not None:
        level = np.mean([rms(s) for s in speech]) / 10 ** (snr_db / 20)
        start = int(rng.integers(0, max(1, noise.size - audio.size)))
        audio = audio + level * np.resize(noise[start:], audio.size)
    audio = audio + rng.normal(0, 10 ** (NOISE_FLOOR_DBFS / 20), audio.size).astype(np.float32)
    return Clip(float_to_pcm(audio), RATE)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("text", nargs="*", help="utterances (or use --file)")
    parser.add_argument("--file", help="one utterance per line")
    parser.add_argument("--voice", default="en-us", help="espeak-ng voice, or flite:NAME (default en-us)")
    parser.add_argument("--wpm", type=int, default=150)
    parser.add_argument("--babble-snr", type=float, help="add waiting-room babble this many dB below the speech")
    parser.add_argument("--hesitant", action="store_true", help='add hesitations ("um", "uh") to each utterance')
    parser.add_argument("-o", "--output", help="WAV file to write")
    parser.add_argument("--raw", action="store_true", help="write raw 16 kHz 16-bit PCM to stdout")
    args = parser.parse_args()
    texts = list(args.text)
    if args.file:
        texts += [t.strip() for t in Path(args.file).read_text(encoding="utf-8").splitlines() if t.strip()]
    if not texts:
        parser.error("give utterances or --file")
    if args.hesitant:
        texts = [hesitant(t, seed=i) for i, t in enumerate(texts)]
    speech = [speak(t, args.voice, args.wpm) for t in texts]
    noise = babble(60.0) if args.babble_snr is not None else None
    clip = utterances_clip(speech, snr_db=args.babble_snr, noise=noise)
    if args.raw:
        sys.stdout.buffer.write(clip.audio)
    elif args.output:
        write_wav(args.output, clip)
        print(f"wrote {args.output}: {len(texts)} utterances, {clip.seconds:.1f} s", file=sys.stderr)
    else:
        parser.error("give -o FILE or --raw")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
