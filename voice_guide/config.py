"""Settings with their defaults in one place: frozen dataclasses, overridable by YAML and flags."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class MatchSettings:
    """Thresholds of the question matcher."""

    accept: float = 0.38
    """A section is given only when its score reaches this ..."""
    margin: float = 0.05
    """... and beats the runner-up by at least this much."""
    clear_accept: float = 0.30
    """A lower score is enough when the winner is clear: at least ``clear_margin`` ahead ..."""
    clear_margin: float = 0.20
    min_coverage: float = 0.5
    """... and at least this share of the question's meaning is words the section knows."""
    clarify_floor: float = 0.26
    """Between this and ``accept`` (or inside the margin) the guide asks "Did you mean A or B?"."""
    choice_accept: float = 0.18
    """While a clarification is open, a reply naming one of the offered topics needs only this."""
    fuzzy_word: int = 86
    """rapidfuzz ratio (0-100) for mapping a misspelt six-letter word onto the content's vocabulary;
    longer words need 6 less. Shorter words are never repaired."""
    fuzzy_command: int = 88
    """rapidfuzz ratio (0-100) for short utterances to count as a command phrase."""
    example_weight: float = 0.4
    """Share of the score from the best single example ..."""
    profile_weight: float = 0.3
    """... and from the section's examples taken together; the rest is vocabulary coverage."""
    unknown_weight: float = 1.0
    """How much a word no section knows counts against every section, relative to the rarest word.
    Everyday words (data/neutral.yaml) count for nothing either way."""
    safety_word_weight: float = 0.5
    """... and a word no section knows that a safety trigger spells, this share of that: "kill",
    "choked", "tablets", but also the everyday words of the triggers ("husband", "today", "car").
    The recognizers listen hard for the safety phrases, so misheard questions come out with their
    words ("kill this be a new type of cancer"); those words say little about whether the question
    is outside the pack. Measured on spoken tuning questions (the same
    hearings read with 1.0 and 0.5): espeak voices 448 -> 463/604 answers routed right, out of scope
    given a section 9 -> 13/180; flite voices 426 -> 429/453, 10/135 unchanged; flite voices in 10 dB
    babble 299 -> 311/453. Typed sets unchanged (no out-of-scope question given a section); 0.3 gave
    two typed ones a section."""
    question_weight: float = 1.0
    """After a story ("my mom had breast cancer and now ... how do they know ..."), the words of the
    question itself weigh this much more than the story's."""
    frame_weight: float = 0.5
    """The topic word that asks ("how do they *find out* if it is breast cancer", see voice_guide.frames)
    weighs this much more ..."""
    clause_weight: float = 0.8
    """... and the words of the clause it asks about weigh this much (it says what is asked, they say about what)."""


@dataclass(frozen=True)
class SpeechSettings:
    """Speaking rate and volume, and how far "slower"/"faster"/"louder"/"softer" move them."""

    rate_wpm: int = 150
    rate_step: float = 1.2
    """Each "slower"/"faster" divides/multiplies the rate by this."""
    rate_min_factor: float = 0.5
    rate_max_factor: float = 3.0
    volume: float = 0.8
    """A gain on the voice as rendered (1.0); above 1.0 its peaks are limited (``voice_guide.gain``)."""
    volume_step: float = 1.41
    """Each "louder"/"softer" multiplies/divides the volume by this: 3 dB."""
    volume_min: float = 0.2
    volume_max: float = 2.26
    """Three steps above the default 0.8: speech 7 dB louder, peaks limited, nothing clipped."""


VOLUME_FLOOR = 0.05
"""The quietest volume a flag or settings file may set (and the lowest cap): 0 would be silence."""


@dataclass(frozen=True)
class DialogueSettings:
    topics_per_page: int = 4
    max_reprompts: int = 3
    offer_related: bool = True
    speak_disclaimer: bool = True
    brief: bool = False
    """Brief prompts for listeners who know the guide: "More?" instead of "There is more. Say more to
    continue." (``prompts.yaml``, ``brief``). "brief" and "full prompts" switch it by voice."""
    settling_lead: int = 3
    """A clarification between sections is not asked when the recognizer's runner-up hearings settle it:
    this many more of them ask for one offered section than for any other (0: always ask). Measured
    on the spoken tuning questions (see the README's figures)."""
    keep_voice: bool = False
    """The voice belongs to the listener (a personal device, ``--remember-voice``): a reset keeps the
    rate, volume and prompts they chose instead of restoring the defaults for the next person."""
