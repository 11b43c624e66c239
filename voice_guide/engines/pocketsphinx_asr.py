"""pocketsphinx: the embedded recognizer. Its PyPI package ships a US English model, so it works
right after install with no download.

Biased toward the content with a trigram language model built at start-up from the vocabulary
(content, commands, safety triggers) *and* everyday out-of-domain sentences, so speech about
something else comes out as other words and is rejected downstream rather than forced into a
section. A second, small model of clarification replies (yes, no, the ordinals, every section's
title and keywords, the commands, plus the everyday sentences for the same reason) is built at
start-up too; ``set_phrases`` switches between the two. No model is ever built after start-up:
pocketsphinx and glibc do not give a removed model's memory back, so building one per set of
choices grew a long session by tens of MB.
"""

from __future__ import annotations

import logging
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Sequence

import numpy as np

from voice_guide.audio import RATE, AudioChunk, Clip, dithered
from voice_guide.errors import EngineError, ModelError
from voice_guide.pronounce import pronounce
from voice_guide.protocols import Transcript
from voice_guide.vocabulary import Vocabulary, language_model_arpa, restrict

_LOGGER = logging.getLogger(__name__)

_NOT_WORDS = {"<s>", "</s>", "<sil>", "[NOISE]", "<unk>", "[unk]"}
DITHER_SEED = 0


@dataclass(frozen=True)
class PocketsphinxSettings:
    domain_weight: int = 3
    """How many times the content and command phrases count in the language model."""
    safety_weight: int = 1
    """How many times the safety trigger phrases count."""
    synonym_weight: int = 1
    """How many times the pack's synonym phrases count."""
    language_weight: float = 6.5
    word_insertion_penalty: float = 0.65
    min_word_confidence: float = 0.0
    """Words whose posterior is below this are dropped from the transcript (0 keeps all)."""
    alternatives: int = 10
    """Hearings returned per utterance (the best and runner-ups): the dialogue checks runner-ups for
    safety statements; 10 measured 74% -> 80% safety recall on spoken tuning questions, at no cost to answers."""
    dither: bool = True
    """Tiny noise against digitally silent input (files, generated audio). Added here rather than by
    pocketsphinx, whose noise runs on from one utterance to the next, so that a hearing depended on
    how much audio the decoder had heard before (in the benchmark, on which worker took a voice).
    Here each utterance's noise starts from the same seed: the same audio, heard after the same
    voice, gets the same hearing."""
    gaussians: int = 8
    """Gaussians scored per frame (pocketsphinx ``topn``; its default 4 is faster, 8 measured better)."""
    remove_noise: bool = True
    """pocketsphinx's noise removal (a running estimate of steady noise, subtracted): measured on spoken
    questions in 10 dB waiting-room babble, a flite voice 20% -> 25% routed right, espeak unchanged;
    clean speech unchanged or slightly better."""
    phone_lookahead: int = 0
    """Phone lookahead window (``pl_window``); 0 prunes less and measured better at the same speed."""
    settle_first: bool = True
    """Decode the first utterance after start-up twice. The decoder starts from a fixed guess of the
    voice and microphone (its cepstral mean) that fits no real input; the first pass corrects it,
    the second hears with it. Measured on 90 spoken questions (three voices), each the first after
    start-up: 62% -> 76% routed right. It costs one extra decode, once: the first reply comes about
    0.4 s later."""
    extra: tuple[tuple[str, object], ...] = ()
    """Further pocketsphinx options (name, value), e.g. (("bestpathlw", 13.0),)."""


MAIN, REPLY = "main", "reply"
"""The two searches: the whole domain, and clarification replies."""


def shipped_model() -> tuple[Path, Path]:
    """(acoustic model folder, pronunciation dictionary) of the model the PyPI package ships."""
    try:
        import pocketsphinx
    except ImportError as exc:
        raise EngineError("pocketsphinx is not installed; run 'pip install pocketsphinx'") from exc
    base = Path(pocketsphinx.get_model_path()) / "en-us"
    hmm, dictionary = base / "en-us", base / "cmudict-en-us.dict"
    if not (hmm / "mdef").exists() or not dictionary.exists():
        raise ModelError(f"the pocketsphinx English model is incomplete at {base}; reinstall: 'pip install --force-reinstall pocketsphinx'")
    return hmm, dictionary


class PocketsphinxRecognizer:
    """Recognizer protocol over pocketsphinx 5. Build once; it streams one utterance at a time."""

    name = "pocketsphinx"

    def __init__(self, vocabulary: Vocabulary, settings: PocketsphinxSettings | None = None,
                 model: str | Path | None = None) -> None:
        import pocketsphinx

        self._ps: Any = pocketsphinx
        self.settings = settings or PocketsphinxSettings()
        self.vocabulary = vocabulary
        if model is not None:
            hmm = Path(model)
            dictionaries = sorted(hmm.glob("*.dict")) + sorted(hmm.parent.glob("*.dict"))
            if not (hmm / "mdef").exists() or not dictionaries:
                raise ModelError(f"{hmm} is not a pocketsphinx acoustic model (needs mdef and a *.dict beside it)")
            dictionary = dictionaries[0]
        else:
            hmm, dictionary = shipped_model()
        st = self.settings
        try:
            self._decoder = pocketsphinx.Decoder(
                hmm=str(hmm), dict=str(dictionary), lm=None, loglevel="FATAL",
                lw=st.language_weight, wip=st.word_insertion_penalty, dither=False,
                topn=st.gaussians, pl_window=st.phone_lookahead, remove_noise=st.remove_noise, **dict(st.extra),
            )
        except (RuntimeError, ValueError) as exc:
            raise ModelError(f"pocketsphinx could not load its model from {hmm} ({exc}); reinstall pocketsphinx") from exc
        self._in_utterance = False
        self._noise = np.random.default_rng(DITHER_SEED)
        self._unsettled = st.settle_first
        self._first: list[bytes] = []
        self._add_pronunciations(vocabulary.words())
        self._add_search(MAIN, vocabulary.corpus(st.domain_weight, st.safety_weight, st.synonym_weight))
        self._add_search(REPLY, vocabulary.reply_corpus(st.domain_weight))
        self._active = MAIN
        self._decoder.activate_search(MAIN)

    # -- language models ------------------------------------------------------------------------
    def known(self, word: str) -> bool:
        return self._decoder.lookup_word(word) is not None

    def _add_pronunciations(self, words: set[str]) -> None:
        """Teach the dictionary the vocabulary's words it lacks ("meds", "mbc", "vomited"), spelled from
        words it has (see ``voice_guide.pronounce``); a word it lacks can never be heard."""
        added = []
        for word in sorted(w for w in words if not self.known(w)):
            phones = pronounce(word, self._decoder.lookup_word)
            if phones:
                try:
                    self._decoder.add_word(word, phones, False)
                except RuntimeError:
                    continue  # a phone this model lacks: the word stays unknown
                added.append(word)
        _LOGGER.info("pocketsphinx: %d words added to the dictionary: %s", len(added), " ".join(added))

    def _add_search(self, name: str, sentences: Sequence[str]) -> None:
        corpus = restrict(sentences, self.known)
        if not corpus:
            raise EngineError("no phrase to listen for is in the pocketsphinx dictionary; check the content's language")
        arpa = language_model_arpa(corpus)
        # The model is read from a file; it holds content phrases only and is deleted at once.
        with tempfile.TemporaryDirectory(prefix="voice-guide-lm-") as folder:
            path = os.path.join(folder, "domain.arpa")
            Path(path).write_text(arpa, encoding="utf-8")
            try:
                lm = self._ps.NGramModel(self._decoder.config, self._decoder.logmath, path)
                self._decoder.add_lm(name, lm)
            except (RuntimeError, ValueError) as exc:
                raise EngineError(f"pocketsphinx rejected the generated language model ({exc})") from exc
        _LOGGER.info("pocketsphinx: %s language model from %d sentences", name, len(corpus))

    def set_phrases(self, phrases: Sequence[str] | None) -> None:
        """None: the whole domain. Any phrases: the reply model built at start-up, which covers every
        set of choices the dialogue offers (it narrows the meaning to the offered choices itself)."""
        self.reset()
        wanted = MAIN if phrases is None else REPLY
        if wanted != self._active:
            self._decoder.activate_search(wanted)
            self._active = wanted

    # -- streaming ------------------------------------------------------------------------------
    def accept(self, chunk: AudioChunk) -> None:
        audio = chunk.audio if chunk.rate == RATE else Clip(chunk.audio, chunk.rate).resampled(RATE).audio
        if not self._in_utterance:
            self._decoder.start_utt()
            self._in_utterance = True
            self._noise = np.random.default_rng(DITHER_SEED)
        if self.settings.dither:
            audio = dithered(audio, self._noise)
        if self._unsettled:
            self._first.append(audio)
        try:
            self._decoder.process_raw(audio, False, False)
        except RuntimeError as exc:
            raise EngineError(f"pocketsphinx failed while decoding ({exc})") from exc

    def finish(self) -> Transcript:
        if not self._in_utterance:
            return Transcript("", 0.0)
        self._in_utterance = False
        try:
            self._decoder.end_utt()
            if self._unsettled:
                self._settle()
        except RuntimeError as exc:
            raise EngineError(f"pocketsphinx failed to finish the utterance ({exc})") from exc
        hyp = self._decoder.hyp()
        if hyp is None:
            return Transcript("", 0.0)
        st = self.settings
        words = [s.word for s in self._decoder.seg() if self._is_word(s.word) and s.prob >= st.min_word_confidence]
        text = " ".join(_base(w) for w in words)
        alternatives: list[str] = []
        if st.alternatives > 1:
            for i, nbest in enumerate(self._decoder.nbest()):
                if i >= 4 * st.alternatives or len(alternatives) >= st.alternatives - 1:
                    break
                if nbest is None or not nbest.hypstr:
                    continue
                alt = " ".join(_base(w) for w in nbest.hypstr.split() if self._is_word(w))
                if alt and alt != text and alt not in alternatives:
                    alternatives.append(alt)
        _LOGGER.debug("pocketsphinx heard %r (p=%.2f)", text, hyp.prob)
        return Transcript(text, float(hyp.prob), tuple(alternatives))

    def _settle(self) -> None:
        """Hear the first utterance again, now that the decoder's cepstral mean has moved toward this
        voice and microphone (it carries over to every later utterance, which need no second pass)."""
        audio, self._first, self._unsettled = b"".join(self._first), [], False
        self._decoder.start_utt()
        self._decoder.process_raw(audio, False, False)
        self._decoder.end_utt()

    def new_visitor(self) -> None:
        """Settle again on the next utterance, keeping what the decoder learned of the microphone and
        room. Measured on 144 first questions of one bench voice after five of another
        (``scripts/bench_new_visitor.py``): 75.0% routed right without, 78.5% with."""
        self.reset()
        self._unsettled = self.settings.settle_first

    def new_speaker(self) -> None:
        """Forget what the decoder has learned of the voice and microphone, as at start-up, and settle
        again on the next utterance. The benchmark starts each voice this way, so its figures do not
        depend on which voice a worker heard before. Setting the cepstral mean back is not enough:
        the running sums it is computed from would bring the last voice back at the next update."""
        self.reset()
        try:
            self._decoder.reinit_feat()
        except RuntimeError as exc:
            raise EngineError(f"pocketsphinx could not restart its feature extraction ({exc})") from exc
        self._unsettled = self.settings.settle_first

    @staticmethod
    def _is_word(word: str) -> bool:
        return word not in _NOT_WORDS and not word.startswith("+") and not word.startswith("[")

    def reset(self) -> None:
        self._first = []
        if self._in_utterance:
            self._in_utterance = False
            try:
                self._decoder.end_utt()
            except RuntimeError:
                pass

    def close(self) -> None:
        self.reset()


def _base(word: str) -> str:
    """'read(2)' -> 'read': pronunciation variants are the same word."""
    return word.split("(", 1)[0]
