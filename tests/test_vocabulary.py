"""The recognizers' vocabulary: built from the content, commands and safety triggers, plus everyday talk."""

from __future__ import annotations

import math
import re
from collections import defaultdict

import pytest
from hypothesis import given, strategies as st

from voice_guide.content import Library
from voice_guide.matcher import Kind, Matcher
from voice_guide.safety import load_safety
from voice_guide.text import clean
from voice_guide.vocabulary import (build_vocabulary, completed, general_sentences, language_model_arpa, number_words,
                                    pattern_phrases, pattern_words, restrict, spoken, with_contractions)


def test_spoken_form_is_what_a_recognizer_writes() -> None:
    assert spoken("What's Stage 4 breast cancer?") == "what's stage four breast cancer"
    assert spoken("Fever of 100.4°F") == "fever of one hundred four f"
    assert number_words(988) == "nine hundred eighty eight"
    assert number_words(2005) == "two zero zero five"


def test_contractions_are_added_as_spoken_variants() -> None:
    assert with_contractions("i can not breathe") == ["i can not breathe", "i can't breathe"]
    assert with_contractions("where does it spread") == ["where does it spread"]


def test_regular_expressions_are_spelled_out_as_phrases() -> None:
    phrases = pattern_phrases(r"\b(can ?not|unable to) (breathe|catch my breath)\b")
    assert {"can not breathe", "unable to catch my breath"} <= set(phrases)
    assert "cannot breathe" not in phrases  # an optional space parts the words: a glued pair
    # ("these at", "is blurry") would be no word at all
    assert pattern_phrases(r"\bchest.{0,40}pain") == ["chest", "pain"]
    assert pattern_phrases(r"\bsuicid") == ["suicid"]


def test_open_word_endings_become_stems_and_optional_spaces_still_part_words() -> None:
    assert pattern_phrases(r"\bsuicid\w*") == ["suicid*"]
    assert pattern_phrases(r"\b(hemorrhag|haemorrhag)\w*") == ["hemorrhag*", "haemorrhag*"]
    assert pattern_phrases(r"\bmy \w+ is (numb|tingl\w*)") == ["my", "is numb", "is tingl*"]
    assert pattern_phrases(r"\b(gone|went) ?(black|dark)") == ["gone black", "gone dark", "went black", "went dark"]


def test_a_cut_in_a_long_expansion_keeps_more_than_the_first_alternative() -> None:
    phrases = pattern_phrases(r"\b(he|she|they|we) (fell|collapsed|fainted|choked)", limit=6)
    assert phrases == ["he fell", "he collapsed", "she fell", "he fainted", "she collapsed", "they fell"]


def test_pattern_words_are_every_word_a_pattern_spells() -> None:
    assert pattern_words(r"(?<!no )\b(cough|vomit\w*) (up )?blood(?! test)") == ["cough", "up", "blood", "vomit*"]
    assert pattern_words(r"\b(hemorrhag|haemorrhag)\w*") == ["hemorrhag*", "haemorrhag*"]
    assert set(pattern_words(r"\blabou?red (breathing|breath)")) == {"laboured", "labored", "breathing", "breath"}


def test_pattern_words_reach_every_alternative_of_a_long_list() -> None:
    tails = [f"w{n}" for n in range(120)]
    words = pattern_words(r"\b(my|his|her|their|the) (\w+ )?(" + "|".join(tails) + ")")
    assert set(tails) <= set(words)


def test_every_word_of_every_safety_trigger_can_be_heard(library: Library) -> None:
    words = build_vocabulary(library).words()
    missing = {w for kind in load_safety(taught_only=True).values() for pat in kind for w in pattern_words(pat.pattern)} - words
    assert not {w for w in missing if not w.endswith("*") and w.isalpha()}, missing


def test_lookarounds_add_no_words() -> None:
    assert pattern_phrases(r"(?<!history of )\bseizures?\b(?!.{0,12}\b(years|months) ago)") == ["seizures", "seizure"]
    assert pattern_phrases(r"\b(take|(?<!am )taking) all\b(?! as (prescribed|told))") == ["take all", "taking all"]


def test_stems_are_completed_with_the_words_a_recognizer_knows() -> None:
    known = {"i", "feel", "suicide", "suicidal", "suicides", "so"}.__contains__
    assert completed("i feel suicid*", known) == ["i feel suicide", "i feel suicides", "i feel suicidal"]
    assert restrict(["i feel suicid* so", "i feel xyzz*"], known) == [
        "i feel suicide so", "i feel suicides so", "i feel suicidal so", "i feel"]


def test_stems_survive_into_the_vocabulary(library: Library) -> None:
    vocab = build_vocabulary(library)
    assert "suicid*" in vocab.safety
    assert not any("*" in p for p in vocab.domain + vocab.general)
    assert spoken("the 2nd one or the 3rd") == "the second one or the third"


def test_vocabulary_covers_every_section_command_and_safety_trigger(library: Library, matcher: Matcher) -> None:
    vocab = build_vocabulary(library, extra_commands=["hey guide"])
    domain = set(vocab.domain)
    for section in library.sections:
        assert spoken(section.title) in domain
        assert all(spoken(e) in domain for e in section.examples)
    for command, spec in matcher.commands.items():
        assert set(spoken(p) for p in spec.phrases) & set(vocab.commands), command
    assert "hey guide" in vocab.commands
    assert {"can not breathe", "can't breathe", "kill myself"} <= set(vocab.safety)
    triggered = sum(1 for p in vocab.safety if matcher.safety_kind(clean(p)))
    assert triggered / len(vocab.safety) > 0.8
    assert set(vocab.phrases()) >= domain


def test_everyday_sentences_are_out_of_domain(matcher: Matcher) -> None:
    """They exist so that off-topic speech has its own words: none may ask for a section."""
    general = general_sentences()
    assert len(general) >= 200
    answered = [s for s in general if matcher.match(s).kind in (Kind.ANSWER, Kind.COMMAND)]
    assert len(answered) <= 0.05 * len(general), answered


def test_restrict_cuts_sentences_at_unknown_words() -> None:
    known = {"where", "does", "it", "spread", "to"}.__contains__
    assert restrict(["where does xyzzy spread to", "quux"], known) == ["where does", "spread to"]


def _parse(arpa: str) -> dict[int, dict[tuple[str, ...], tuple[float, float]]]:
    grams: dict[int, dict[tuple[str, ...], tuple[float, float]]] = defaultdict(dict)
    order = 0
    for line in arpa.splitlines():
        if m := re.match(r"\\(\d)-grams:", line):
            order = int(m.group(1))
        elif order and line and not line.startswith("\\"):
            parts = line.split()
            words = tuple(parts[1 : 1 + order])
            backoff = float(parts[1 + order]) if len(parts) > 1 + order else 0.0
            grams[order][words] = (float(parts[0]), backoff)
    return grams


def _prob(grams: dict[int, dict[tuple[str, ...], tuple[float, float]]], history: tuple[str, ...], word: str) -> float:
    """P(word | history) by ARPA back-off."""
    for n in range(len(history), -1, -1):
        ctx = history[len(history) - n :]
        if ctx + (word,) in grams[n + 1]:
            p = grams[n + 1][ctx + (word,)][0]
            backoff = sum(grams[len(history[i:])][history[i:]][1] for i in range(len(history) - n)
                          if history[i:] in grams[len(history[i:])])
            return 10 ** (p + backoff)
    raise KeyError(word)


CORPUS = ["where does breast cancer spread", "does breast cancer spread to the bones", "stop", "stop talking",
          "what is metastatic breast cancer", "is it still breast cancer"]


def test_language_model_is_a_proper_distribution() -> None:
    grams = _parse(language_model_arpa(CORPUS))
    vocab = [w for (w,) in grams[1] if w != "<s>"]
    for history in [("<s>",), ("breast",), ("does", "breast"), ("<s>", "stop"), ("the", "bones")]:
        total = sum(_prob(grams, history, w) for w in vocab)
        assert math.isclose(total, 1.0, rel_tol=1e-3), (history, total)
    assert _prob(grams, ("breast",), "cancer") > 0.5


@given(st.lists(st.lists(st.sampled_from("a b c d e stop".split()), min_size=1, max_size=6).map(" ".join), min_size=1, max_size=12))
def test_property_language_model_sums_to_one_after_any_seen_word(sentences: list[str]) -> None:
    grams = _parse(language_model_arpa(sentences))
    vocab = [w for (w,) in grams[1] if w != "<s>"]
    for (w,) in grams[1]:
        total = sum(_prob(grams, (w,), x) for x in vocab)
        assert math.isclose(total, 1.0, rel_tol=1e-3)


def test_the_packs_synonyms_can_be_heard(library: Library) -> None:
    """What the matcher understands ("mets", "secondary breast cancer") is in the recognizers' vocabulary."""
    vocab = build_vocabulary(library)
    variants = {spoken(v) for group in library.synonyms.values() for v in group}
    assert variants <= set(vocab.synonyms) and "mets" in vocab.synonyms
    assert vocab.corpus(3, 1, 2).count("mets") == 2
    assert {w for p in vocab.synonyms for w in p.split()} <= vocab.words()


def test_the_vosk_grammar_keeps_every_word_of_content_synonyms_and_safety(library: Library) -> None:
    from voice_guide.engines.vosk_asr import VoskSettings, grammar_phrases

    vocab = build_vocabulary(library)
    grammar = grammar_phrases(vocab, VoskSettings(max_grammar_phrases=100))
    assert grammar is not None
    assert set(vocab.domain) <= set(grammar)
    words = {w for p in vocab.safety + vocab.synonyms for w in p.split() if not w.endswith("*")}
    assert words <= set(grammar)  # "breathe", "myself", "metastases": never left out for room
    assert not any("*" in p for p in grammar)


def test_the_reply_model_can_hear_the_safety_triggers(library: Library) -> None:
    vocab = build_vocabulary(library)
    assert set(vocab.safety) <= set(vocab.reply_corpus())
    phrases = vocab.reply_phrases()
    assert set(vocab.replies) <= set(phrases) and "kill myself" in " | ".join(phrases)
    assert not any("*" in p for p in phrases)


@pytest.mark.parametrize("word", ["noose", "wee"])
def test_words_that_turn_everyday_speech_into_alarms_are_never_heard(library: Library, word: str) -> None:
    """With "noose" in the recognizer's vocabulary, "i just got the news" was heard as "... the noose"
    (24 of 32 spoken tries got the 988 message); "wee" sounds as "we" does. A safety pattern must not
    bring them back (they are ``untaught``)."""
    vocab = build_vocabulary(library)
    assert word not in vocab.words()


def test_untaught_safety_patterns_are_read_but_not_taught(library: Library) -> None:
    """safety.yaml's ``untaught`` patterns raise their message from typed text; the recognizers never
    learn their words (see the test above)."""
    from voice_guide.safety import SafetyScreen

    assert SafetyScreen().kind("i have got a noose ready") == "crisis"
    taught = {p.pattern for kind in load_safety(taught_only=True).values() for p in kind}
    read = {p.pattern for kind in load_safety().values() for p in kind}
    assert {p for p in read - taught if "noose" in p} and not any("noose" in p for p in taught)


def test_untaught_command_patterns_are_understood_but_not_taught(library: Library, matcher: Matcher) -> None:
    """Rarer, longer command wordings are read but kept out of the recognizers' language model, where
    each pattern's variants would pull other speech toward them; one plain wording is taught."""
    taught = set(build_vocabulary(library).commands)
    for said, command in [("skip on to the next section please", "next"), ("where are we in all of this", "where"),
                          ("put everything back to normal", "normal"), ("no you heard me wrong", "other")]:
        found = matcher.command_of(clean(said), (command,))
        assert found is not None and found[0] == command, said
        assert clean(said) not in taught
    assert {"skip to the next one", "put the voice back to normal", "that is wrong"} <= taught
