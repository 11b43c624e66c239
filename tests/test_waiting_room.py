"""Simulated waiting-room audio: the right length, questions where it says, at the asked SNR."""

from __future__ import annotations

import numpy as np

from voice_guide.audio import RATE, Clip, float_to_pcm, pcm_to_float
from voice_guide.protocols import Voice
from voice_guide.waiting_room import WaitingRoom, level, mix_at_snr


class ToneSynth:
    """A fake synthesizer: a tone whose length follows the words, loud for questions."""

    name = "tone"

    def synthesize(self, text: str, voice: Voice) -> Clip:
        n = int(0.3 * len(text.split()) * RATE)
        amp = 0.3 if voice.voice_id == "en-us+f3" else 0.05
        return Clip(float_to_pcm(amp * np.sin(np.arange(n) * 2 * np.pi * 300 / RATE).astype(np.float32)), RATE)

    def close(self) -> None:
        pass


def test_stream_length_chunks_and_question_placement() -> None:
    room = WaitingRoom(ToneSynth(), ["where does it spread", "stop"], every_s=20.0, snr_db=10.0, seed=1)
    chunks = list(room.stream(65.0, chunk_ms=80))
    assert abs(sum(c.seconds for c in chunks) - 65.0) < 0.01
    assert all(c.rate == RATE for c in chunks)
    assert [round(p.start_s) for p in room.placed] == [20, 40, 60]
    assert [p.text for p in room.placed] == ["where does it spread", "stop", "where does it spread"]
    audio = np.concatenate([pcm_to_float(c.audio) for c in chunks])
    q = room.placed[0]
    inside = audio[int(q.start_s * RATE): int((q.start_s + q.seconds) * RATE)]
    before = audio[int(5 * RATE): int(15 * RATE)]
    snr = 20 * np.log10(level(inside) / level(before))
    assert 8.0 < snr < 13.0, snr


def test_same_seed_same_audio() -> None:
    a = b"".join(c.audio for c in WaitingRoom(ToneSynth(), ["hi there"], every_s=5, seed=7).stream(12))
    b = b"".join(c.audio for c in WaitingRoom(ToneSynth(), ["hi there"], every_s=5, seed=7).stream(12))
    assert a == b


def test_mix_at_snr() -> None:
    speech = Clip(float_to_pcm(0.3 * np.ones(RATE, dtype=np.float32)), RATE)
    noise = np.random.default_rng(0).normal(0, 1, 4000).astype(np.float32)
    mixed = pcm_to_float(mix_at_snr(speech, noise, 10.0).audio) - 0.3
    assert abs(20 * np.log10(0.3 / level(mixed)) - 10.0) < 0.3
