"""Radio mode: episodes play like a radio; a visitor interrupts with push-to-talk or the wake phrase.

The session interleaves the player with the speech loop, chunk for chunk of input audio: while
nobody is asking, each input chunk is matched by the same length of episode audio on the sink.
When a question starts (the talk key, or speech that turns out to carry the wake phrase), the
episode stops, the loop answers through the normal dialogue, and the episode resumes a little
before the point where the visitor started speaking.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from importlib import resources
from typing import Any, Callable, Iterable, Iterator

import yaml
from rapidfuzz import fuzz, process

from voice_guide.audio import AudioChunk, float_to_pcm, pcm_to_float
from voice_guide.dialogue import (Dialogue, Earcon, Event, Heard, KeyPressed, NoInput, ResetSession, Say, SetVoice, State,
                                   Turn)
from voice_guide.gain import with_gain
from voice_guide.loop import Loop, Mode, Utterance
from voice_guide.matcher import Kind
from voice_guide.protocols import AudioSink
from voice_guide.radio import RadioPlayer
from voice_guide.text import clean

_LOGGER = logging.getLogger(__name__)

RADIO_COMMANDS = ("next_chapter", "previous_chapter", "about", "pause", "resume")
SHOW_WORDS = frozenset({"chapter", "chapters", "show", "episode", "radio", "program", "segment", "play", "playing",
                        "resume", "pause", "unpause"})
"""Words only the show's commands use: a command with one of them is the show's whatever else is open."""
_POLITE = ("please", "can you", "could you", "would you", "now", "hey guide", "guide", "just", "okay", "ok")


def _radio_data() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((resources.files("voice_guide") / "data" / "radio.yaml").read_text(encoding="utf-8"))
    return data


def radio_phrases() -> list[str]:
    """Every radio command phrase (for the recognizer's vocabulary)."""
    return [str(p) for spec in _radio_data()["commands"].values() for p in spec["phrases"]]


@dataclass(frozen=True)
class RadioEvent:
    """What the radio did, in input audio time (for tests and the log)."""

    at_ms: float
    what: str
    """"play", "interrupt", "resume", or a radio command."""
    episode: str
    position_s: float


class RadioDialogue(Dialogue):
    """The normal dialogue plus radio commands (next/previous chapter, about, pause, resume)."""

    def __init__(self, *args: Any, player: RadioPlayer, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.player = player
        data = _radio_data()
        self.radio_prompts: dict[str, str] = data["prompts"]
        self.radio_phrases = {clean(p): name for name, spec in data["commands"].items() for p in spec["phrases"]}
        self.radio_keys = {str(k): name for name, spec in data["commands"].items() for k in spec.get("keys", ())}
        self.acted: str | None = None
        """The radio command handled since the session last looked (it then does not rewind)."""
        self.asked_at: tuple[int, float] | None = None
        """Where the show was when the visitor began to speak (episode, seconds): "previous chapter"
        said just after a chapter began means the one before, though the show played on meanwhile."""

    def key_bindings(self) -> dict[str, tuple[str, ...]]:
        bindings = dict(super().key_bindings())
        for key, name in self.radio_keys.items():
            bindings[name] = bindings.get(name, ()) + (key,)
        return bindings

    def radio_command(self, text: str) -> str | None:
        cleaned = f" {clean(text)} "
        if self.matcher.safety_kind(cleaned.strip()):
            return None
        for polite in _POLITE:
            cleaned = cleaned.replace(f" {polite} ", " ")
        core = " ".join(cleaned.split())
        if core in self.radio_phrases:
            return self.radio_phrases[core]
        if 0 < len(core.split()) <= 6:
            best = process.extractOne(core, list(self.radio_phrases), scorer=fuzz.ratio, score_cutoff=90)
            if best:
                return self.radio_phrases[best[0]]
        return None

    def handle(self, event: Event) -> Turn:
        if isinstance(event, NoInput) and self.mem.state is not State.CLARIFYING and not self.mem.confirm_end:
            # A false wake or a talk press by mistake: one short word, then the show (no Listen: the
            # loop stops listening), instead of three reprompts over a silent show.
            prompt = "no_question_paused" if self.player.paused else "no_question"
            return Turn("no_input", (Earcon("not_understood"), Say(self._radio_text(prompt))))
        command = None
        if isinstance(event, Heard):
            command = self.radio_command(event.text)
            if command is not None and (self.mem.topics_page is not None or self.mem.invited_more) \
                    and not SHOW_WORDS & set(clean(event.text).split()) \
                    and self.matcher.match(event.text).kind is Kind.COMMAND:
                # "go back" pages the topic list, "next part" reads on: the guide's own question first;
                # "next chapter", "resume the show" name the show and are always its
                command = None
        elif isinstance(event, KeyPressed) and event.command in RADIO_COMMANDS:
            command = event.command
        if command is None:
            answering = self.mem.state is State.ANSWERING
            turn = super().handle(event)
            if turn.command == "stop" and not answering:
                # "Stop" (S, Esc) while the show plays stops the show: it pauses, as the pause command does.
                self.player.pause()
                self.acted = "pause"
                self.mem.used = True
                return Turn("command", (Say(self._radio_text("pause")),), command="stop", score=turn.score, match=turn.match)
            return turn
        return self._radio(command)

    def reset(self) -> None:
        """The next person (idle reset, goodbye) hears the show playing, not a silence someone left."""
        super().reset()
        self.player.paused = False

    def _idle(self, seconds: float) -> Turn:
        """While the show plays someone may be listening to it: no "are you still there?" cuts into it.
        At the idle time the conversation and prompts are forgotten quietly; the volume and pace, which
        are the show's too, stay as the listener set them. After a second idle spell with nobody
        using the guide, the show goes back to its starting volume and pace for whoever comes next.
        A paused show warns and resets as the guide does, and plays on."""
        if self.player.paused or self.mem.state is State.ENDED:
            return super()._idle(seconds)
        self.mem.idle_seconds += seconds
        if self.mem.idle_seconds < self.idle_timeout_s:
            return Turn("idle", ())
        rate, volume = self.rate_wpm, self.volume
        if self._in_use(voice=False):
            self.reset()
            self.rate_wpm, self.volume = rate, volume
            return Turn("reset", (ResetSession(), SetVoice(rate, volume)))
        self.mem.idle_seconds = 0.0
        self.mem.greeted = False  # the next visitor hears the greeting and the disclaimer
        if self.settings.keep_voice or (rate, volume) == (self.speech.rate_wpm, self.start_volume):
            return Turn("idle", ())
        self.rate_wpm, self.volume = self.speech.rate_wpm, self.start_volume
        return Turn("reset", (SetVoice(self.rate_wpm, self.volume),))

    def _where(self) -> str:
        """"Where am I" (by voice or the W key) during the show: the episode and its chapter, as "what is
        this episode about" says; with a topic, a list or a question open, the place in that."""
        if self.mem.section is None and self.mem.topics_page is None and self.mem.state is not State.CLARIFYING:
            self.acted = "about"
            return self._radio_text("about")
        if self.mem.state is State.CLARIFYING:
            return super()._where()  # the open question stays the last thing heard
        return super()._where() + " " + self._radio_text("where_show")

    def _help_text(self) -> str:
        """The guide's help, and the show's commands after it (not while a clarification waits for its
        answer: its question stays the last thing heard)."""
        text = super()._help_text()
        return text if self.mem.state is State.CLARIFYING else text + " " + self._radio_text("help")

    def _radio_text(self, command: str) -> str:
        episode = self.player.episode
        text = self.radio_prompts[command].format(chapter=self.player.chapter.title, title=episode.title,
                                                  description=episode.description)
        return " ".join(text.split())

    def _radio(self, command: str) -> Turn:
        player = self.player
        if self.asked_at is not None and command in ("next_chapter", "previous_chapter"):
            player.index, at = self.asked_at
            player.seek(at)
        episode, prompt = player.index, command
        if command == "next_chapter":
            player.next_chapter()
            if player.index != episode and len(player.episodes) > 1:
                prompt = "next_episode"  # past the last chapter: the next episode, named
        elif command == "previous_chapter":
            player.previous_chapter()
            if player.index != episode:
                prompt = "previous_episode"  # before the first chapter: the episode before, named
        elif command == "pause":
            player.pause()
        elif command == "resume":
            player.paused = False
        self.acted = command
        self.mem.confirm_end = self.mem.invited_more = False  # the show's reply answers no open question
        self.mem.used = True  # a paused show is someone's: the idle reset plays it on for the next person
        said = Say(self._radio_text(prompt))
        self.mem.last_said = (said,)  # "repeat" says it again
        return Turn("command", (said,), command=command, score=1.0)


class RadioSession:
    """Runs a :class:`Loop` (built with a :class:`RadioDialogue`) with a player between its input chunks."""

    def __init__(self, loop: Loop, player: RadioPlayer, sink: AudioSink, resume_back_s: float = 3.0,
                 on_event: Callable[[RadioEvent], None] | None = None) -> None:
        # No reply window after an answer: the show comes back at once ("hey guide, more" reads on).
        loop.settings = replace(loop.settings, reply_window=False)
        self.loop = loop
        self.on_event = on_event
        self.player = player
        self.sink = sink
        self.resume_back_s = resume_back_s
        self.events: list[RadioEvent] = []
        self._audio_ms = 0.0
        self._interrupted_at: tuple[int, float, bool] | None = None
        self._handled = 0
        self._unwoken = 0
        self._last_speech_ms = 0.0
        self._settle_ms = loop.settings.endpoint.trailing_silence_ms + 500
        """After speech stops, how long to wait for it to turn out to be a question."""

    def run(self, source: Iterable[AudioChunk]) -> list[Utterance]:
        return self.loop.run(self._interleave(source))

    def _log(self, what: str) -> None:
        event = RadioEvent(self._audio_ms, what, self.player.episode.slug, round(self.player.position_s, 3))
        self.events.append(event)
        if self.on_event is not None:
            self.on_event(event)

    def _mark(self) -> None:
        """Remember where the episode was when a visitor started asking (once per question)."""
        if self._interrupted_at is None:
            self._interrupted_at = (self.player.index, self.player.position_s, self.player.paused)
            if isinstance(self.loop.dialogue, RadioDialogue):
                self.loop.dialogue.asked_at = (self.player.index, self.player.position_s)
            self._log("interrupt")

    def _interleave(self, source: Iterable[AudioChunk]) -> Iterator[AudioChunk]:
        dialogue = self.loop.dialogue
        for chunk in source:
            answered = len(self.loop.results) > self._handled
            self._handled = len(self.loop.results)
            acted = getattr(dialogue, "acted", None)
            if acted is not None:  # a show command, by voice or by key (a key adds no result: look every chunk)
                dialogue.acted = None  # type: ignore[attr-defined]
                if answered:
                    self._interrupted_at = None  # the words were the command: no rewind
                self._log(acted)
            if self.loop.unwoken > self._unwoken:  # words without the wake phrase: not for the guide
                self._unwoken = self.loop.unwoken
                if self._interrupted_at is not None and not self.loop.listening:
                    self._not_for_us()
            if answered:
                if isinstance(dialogue, RadioDialogue):
                    dialogue.asked_at = None  # the question it was asked at is answered
                if acted is None and self._interrupted_at is not None and not self.loop.listening:
                    index, position, was_paused = self._interrupted_at
                    self.player.index = index
                    self.player.seek(position)
                    if not was_paused:  # a paused show waits where it was: each question moved it back 3 s more
                        self.player.resume(self.resume_back_s)
                    # After a 911 or 988 message the show stays paused: it would talk over what the
                    # listener must now do ("resume" plays it again).
                    after_safety = self.loop.results[-1].turn.kind == "safety"
                    self.player.paused = was_paused or after_safety
                    self._interrupted_at = None
                    self._log("paused after a safety message" if after_safety else "resume")
                elif self.loop.results[-1].turn.kind == "safety" and not self.player.paused:
                    self.player.pause()  # a safety message the show was not stopped for (a key came first)
                    self._log("paused after a safety message")
            in_speech = self.loop.endpointer.in_speech
            if in_speech:
                self._last_speech_ms = self._audio_ms
            if self.loop.listening:
                self._mark()
            elif self.loop.settings.mode is Mode.WAKE and in_speech:
                self._mark()  # maybe a question: the wake phrase is known only at its end
            elif self._interrupted_at is not None and self._audio_ms - self._last_speech_ms > self._settle_ms:
                self._not_for_us()
            if not self.loop.listening and not self.loop.speaking and not self.player.paused:
                played = self._play(chunk.milliseconds)
                if played and (not self.events or self.events[-1].what != "play"):
                    self._log("play")
            self._audio_ms += chunk.milliseconds
            yield chunk

    def _not_for_us(self) -> None:
        """Speech the show was marked for was not a question: play on from here, and forget where it began."""
        self._interrupted_at = None
        if isinstance(self.loop.dialogue, RadioDialogue):
            self.loop.dialogue.asked_at = None
        self._log("not for the guide")

    def _play(self, ms: float) -> bool:
        """Play ``ms`` of the episode (the length of one input chunk), as loud and as fast as the
        listener asked: "slower" and "faster" step the show with the guide's voice, at its own pitch."""
        dialogue = self.loop.dialogue
        self.player.speed = dialogue.rate_wpm / dialogue.speech.rate_wpm
        remaining = ms
        chunks = []
        while remaining > 1e-6:
            piece = self.player.next_chunk(int(round(remaining)))
            if piece is None or not piece.audio:
                break
            chunks.append(self._louder(piece))
            remaining -= piece.milliseconds
        if chunks:
            self.sink.play(chunks)
        return bool(chunks)

    def _louder(self, piece: AudioChunk) -> AudioChunk:
        """"Louder" and "softer" step the show with the guide's voice: the show plays at its mastered
        level while the guide speaks at its starting volume, and by the same ratio after a step
        (peaks limited, as for the voice)."""
        dialogue = self.loop.dialogue
        start = dialogue.start_volume
        ratio = dialogue.volume / start if start > 0 else 1.0
        if abs(ratio - 1.0) < 1e-3:
            return piece
        louder = with_gain(pcm_to_float(piece.audio), ratio, piece.rate)
        return AudioChunk(float_to_pcm(louder), piece.rate, piece.timestamp_ms)
