"""The renderer with a fake synthesizer: exact timings, gaps by rule, voices per role, the sting."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from test_episode_fakes import FAKE_RATE, ToneSynthesizer, trimmed_samples

from voice_guide.audio import Clip, float_to_pcm
from voice_guide.episode.dsp import clip_at_rate, trim, upsample
from voice_guide.episode.lexicon import load_lexicon
from voice_guide.episode.model import EpisodeScript, Line, Pause, Role, Segment, SegmentKind, Source, SourceKind
from voice_guide.episode.render import render
from voice_guide.episode.settings import Production, load_production
from voice_guide.episode.sting import duck_gain

PRODUCTION = load_production()
FAKE_VOICES = {"fake": PRODUCTION.voices["pyttsx3"]}
LEXICON = load_lexicon()


def production(**pacing: float) -> Production:
    return dataclasses.replace(PRODUCTION, voices=FAKE_VOICES, pacing=dataclasses.replace(PRODUCTION.pacing, **pacing))


def line(role: Role, text: str) -> Line:
    return Line(role, text, Source(SourceKind.TEMPLATE, "test", 0))


def script(*segments: Segment, outro: bool = False) -> EpisodeScript:
    return EpisodeScript("plan", "Title", "Show", "pack", "Pack", "Attribution", 0, segments, outro_sting=outro)


SCRIPT = script(
    Segment("01-a", SegmentKind.INTERVIEW, "First", (
        line(Role.HOST, "One two three. Four five."),
        line(Role.HOST, "Six."),
        line(Role.GUEST, "Seven eight."),
        Pause(1.5, "write"),
        line(Role.GUEST, "Nine metastases."),
    )),
    Segment("02-b", SegmentKind.CLOSE, "Second", (line(Role.LISTENER, "Ten eleven twelve."),)),
)


def test_cue_and_chapter_times_are_the_placed_samples_exactly() -> None:
    prod = production()
    p = prod.pacing
    rendered = render(SCRIPT, ToneSynthesizer(), prod, LEXICON, "fake", channels=2, sting_enabled=False)
    rate = rendered.rate
    assert rate == FAKE_RATE
    gap = lambda seconds: int(round(seconds * rate))  # noqa: E731
    t = gap(p.lead_in)
    expected = []
    for words, before in [(3, 0), (2, gap(p.sentence_gap)), (1, gap(p.same_speaker_gap)), (2, gap(p.turn_gap)),
                          (2, gap(p.same_speaker_gap) + gap(1.5)), (3, gap(p.segment_gap))]:
        t += before
        expected.append((t, t + trimmed_samples(words)))
        t += trimmed_samples(words)
    assert [(round(c.start * rate), round(c.end * rate)) for c in rendered.cues] == expected
    assert [c.text for c in rendered.cues] == ["One two three.", "Four five.", "Six.", "Seven eight.", "Nine metastases.", "Ten eleven twelve."]
    assert [c.line for c in rendered.cues] == [0, 0, 1, 2, 3, 4]
    assert [c.segment for c in rendered.cues] == [0, 0, 0, 0, 0, 1]
    assert [(round(c.start * rate), c.title) for c in rendered.chapters] == [(0, "First"), (expected[-1][0], "Second")]
    assert rendered.chapters[0].end == rendered.chapters[1].start
    assert rendered.audio.shape == (expected[-1][1] + gap(p.tail), 2)
    assert rendered.chapters[-1].end == rendered.seconds
    assert expected[0] == (13230, 13230 + 26460 + 440)  # 0.3 s lead-in; 3 words of 200 ms; two 5 ms margins


def test_audio_is_where_the_cues_say_and_silent_in_the_gaps() -> None:
    rendered = render(SCRIPT, ToneSynthesizer(), production(), LEXICON, "fake", channels=1, sting_enabled=False)
    level = np.abs(rendered.audio[:, 0])
    rate = rendered.rate
    edges = [0] + [x for c in rendered.cues for x in (round(c.start * rate), round(c.end * rate))] + [level.size]
    for lo, hi in zip(edges[::2], edges[1::2]):
        assert level[lo:hi].max() == 0.0  # gaps are digital silence
    for c in rendered.cues:
        a, b = round(c.start * rate), round(c.end * rate)
        margin = int(0.005 * rate)
        assert level[a + margin] > 0.1 and level[b - margin - 1] > 0.1


def test_each_role_has_its_own_voice_and_the_lexicon_applies_only_to_synthesis() -> None:
    fake = ToneSynthesizer()
    rendered = render(SCRIPT, fake, production(), LEXICON, "fake", channels=2, sting_enabled=False)
    voices = {text: voice for text, voice in fake.calls}
    assert voices["Six."] == FAKE_VOICES["fake"][Role.HOST]
    assert voices["Seven eight."] == FAKE_VOICES["fake"][Role.GUEST]
    assert voices["Ten eleven twelve."] == FAKE_VOICES["fake"][Role.LISTENER]
    assert len({v.voice_id for v in FAKE_VOICES["fake"].values()}) == 3
    assert "Nine metastaseez." in voices and rendered.cues[4].text == "Nine metastases."
    host = rendered.cues[2]
    a, b = round(host.start * rendered.rate), round(host.end * rendered.rate)
    left, right = np.abs(rendered.audio[a:b]).mean(axis=0)
    assert left > right  # the host sits left of centre


def test_rendering_is_deterministic() -> None:
    a = render(SCRIPT, ToneSynthesizer(), production(), LEXICON, "fake")
    b = render(SCRIPT, ToneSynthesizer(), production(), LEXICON, "fake")
    assert np.array_equal(a.audio, b.audio) and a.cues == b.cues and a.chapters == b.chapters


def test_the_sting_leads_its_segment_and_ducks_under_speech() -> None:
    prod = production()
    s = prod.sting
    stung = script(dataclasses.replace(SCRIPT.segments[0], sting=True), SCRIPT.segments[1], outro=True)
    rendered = render(stung, ToneSynthesizer(), prod, LEXICON, "fake", channels=2)
    rate = rendered.rate
    lead_in = int(round(prod.pacing.lead_in * rate))
    first = round(rendered.cues[0].start * rate)
    assert first == lead_in + int(round(s.lead * rate))
    assert rendered.chapters[0].start == 0.0
    assert rendered.beds[0] == (lead_in / rate, (lead_in + int(round(s.length * rate))) / rate)
    level = np.abs(rendered.audio).max(axis=1)
    assert level[:lead_in].max() == 0.0
    assert level[lead_in : first - int(0.3 * rate)].max() > 0.05  # the sting plays in the clear
    # the outro sting ends the episode after the last word
    last_end = round(rendered.cues[-1].end * rate)
    assert level[last_end + int(0.5 * rate) : last_end + int(1.5 * rate)].max() > 0.01
    assert rendered.beds[1][0] == (last_end - int(round(s.outro_lead * rate))) / rate


def test_duck_gain_is_full_in_the_clear_and_low_under_speech() -> None:
    rate = 44100
    gain = duck_gain(10 * rate, rate, [(3 * rate, 5 * rate)], -20.0)
    assert gain[: 2 * rate].min() == pytest.approx(1.0)
    assert gain[3 * rate : 5 * rate].max() == pytest.approx(0.1, abs=1e-3)
    assert gain[9 * rate :].min() == pytest.approx(1.0)
    assert np.all(np.abs(np.diff(gain)) < 0.001)  # ramps, no clicks


def test_engine_clips_are_resampled_band_limited_and_trimmed() -> None:
    t = np.arange(22050) / 22050
    tone = 0.5 * np.sin(2 * np.pi * 1000 * t)
    clip = Clip(float_to_pcm(np.concatenate([np.zeros(2205), tone, np.zeros(2205)])), 22050)
    up = clip_at_rate(clip, 44100)
    assert up.size == 2 * len(clip.audio) // 2
    trimmed = trim(up, 44100)
    assert abs(trimmed.size - 44100 - 2 * 220) < 120
    spectrum = np.abs(np.fft.rfft(upsample(tone, 2)[4410:-4410]))
    freqs = np.fft.rfftfreq(tone.size * 2 - 8820, 1 / 44100)
    assert spectrum[freqs > 12000].max() < 1e-3 * spectrum.max()  # no image at 21 kHz
