"""The speech loop: source -> endpoint + recognizer -> dialogue -> speaker -> sink.

One thread, timed by audio: the endpointer and the idle timer count the chunks they are given, so
the same loop runs on a microphone, a WAV file or a list of chunks in a test. Wall-clock time is
only *measured* (``Timings``), never used to decide anything.

- Modes: push-to-talk (a key starts one turn; kiosk default), wake phrase, continuous.
- Turn-taking (files) or duplex (microphone): in duplex mode the input keeps flowing while the guide
  speaks, and is ignored except for a short "stop" (barge-in, can be turned off); a stop key works
  in both. Playback is checked for a stop between chunks.
- Kiosk idle reset: quiet audio time reaches the dialogue as ``Idle`` events.
- Privacy: nothing is written anywhere; transcripts are logged only at DEBUG.
"""

from __future__ import annotations

import logging
import queue
import time
from dataclasses import dataclass, field
from enum import Enum
from typing import TYPE_CHECKING, Any, Callable, Iterable, Iterator, Protocol

from rapidfuzz import fuzz

from voice_guide.audio import AudioChunk
from voice_guide.dialogue import (Dialogue, Earcon, End, Heard, Idle, KeyPressed, Listen, ListenStarted, NoInput,
                                  ResetSession, SetVoice, SpeechFinished, Start, State, Turn)
from voice_guide.earcons import Earcons
from voice_guide.endpoint import EndpointEvent, Endpointer, EndpointSettings
from voice_guide.keys import TALK_KEYS, key_map
from voice_guide.protocols import AudioSink, Recognizer, Synthesizer, Transcript, Voice
from voice_guide.speaker import Speaker
from voice_guide.text import clean

if TYPE_CHECKING:
    from voice_guide.content import Library
    from voice_guide.matcher import Matcher

_LOGGER = logging.getLogger(__name__)

WAKE_MATCH = 75
"""rapidfuzz ratio (0-100) for the start of an utterance to count as the wake phrase."""
STOP_COMMAND = "stop"


class Mode(str, Enum):
    PUSH_TO_TALK = "push_to_talk"
    WAKE = "wake"
    CONTINUOUS = "continuous"


@dataclass(frozen=True)
class LoopSettings:
    mode: Mode = Mode.CONTINUOUS
    duplex: bool = False
    """Input keeps flowing while the guide speaks (live microphone); else strict turn-taking."""
    barge_in: bool = True
    """In duplex mode, a spoken "stop" cuts the guide off (turn off in noisy rooms; keys still work)."""
    barge_in_max_ms: int = 1500
    """Only a short utterance can be a barge-in: the guide's own voice through the mic runs longer."""
    wake_phrase: str = "hey guide"
    greet: bool = True
    reply_window: bool = True
    """Push-to-talk and wake modes: after a reply that invites an answer ("There is more", a related
    topic offered, "Are you still there?"), keep listening without a new press or wake phrase until the
    initial-silence time passes; silence then closes quietly, with no reprompt."""
    idle_tick_ms: int = 1000
    endpoint: EndpointSettings = field(default_factory=EndpointSettings)
    barge_in_endpoint: EndpointSettings = field(
        default_factory=lambda: EndpointSettings(trailing_silence_ms=300, initial_silence_ms=10**9))


@dataclass(frozen=True)
class Timings:
    """Milliseconds measured from the end of speech (the endpoint), not counting its silence."""

    asr_final_ms: float
    match_ms: float
    first_audio_ms: float | None
    """First reply sample of any kind (an earcon, or speech) at the sink."""
    first_speech_ms: float | None
    """First sample of the spoken reply at the sink."""

    def to_json(self) -> dict[str, float | None]:
        def r(v: float | None) -> float | None:
            return None if v is None else round(v, 1)

        return {"asr_final_ms": r(self.asr_final_ms), "match_ms": r(self.match_ms),
                "first_audio_ms": r(self.first_audio_ms), "first_speech_ms": r(self.first_speech_ms)}


@dataclass(frozen=True)
class Utterance:
    """One handled utterance: what was heard, what the guide did, and how fast."""

    transcript: Transcript
    turn: Turn
    timings: Timings
    audio_ms: float
    """Where the utterance ended in the input (audio time)."""

    @property
    def runner_up_used(self) -> str | None:
        """The runner-up hearing the guide acted on (a command or safety statement), if not the best one."""
        return self.turn.match.hearing if self.turn.match is not None else None

    def to_json(self) -> dict[str, Any]:
        return {"transcript": self.transcript.text, "runner_up_used": self.runner_up_used, **self.turn.to_json(),
                "timings": self.timings.to_json()}


def _acted_on(text: str, turn: Turn) -> str:
    """What the caption shows the visitor said: the hearing the guide acted on."""
    return turn.match.hearing if turn.match is not None and turn.match.hearing else text


class Captions(Protocol):
    """Large text of everything said, with the listening state (``voice_guide.captions``)."""

    def caption(self, who: str, text: str) -> None: ...

    def status(self, state: str, topic: str | None = None) -> None: ...

    def clear(self) -> None:
        """A new visitor: nothing of the last one stays on the screen."""


class _LoopSink:
    """Passes chunks to the real sink and gives the loop a turn between chunks."""

    def __init__(self, sink: AudioSink, between: Callable[[AudioChunk], None]) -> None:
        self.sink = sink
        self.between = between

    def play(self, chunks: Iterable[AudioChunk], stop: Any = None) -> bool:
        def feed() -> Iterator[AudioChunk]:
            for chunk in chunks:
                yield chunk
                self.between(chunk)

        return self.sink.play(feed(), stop)

    def close(self) -> None:
        self.sink.close()


class Loop:
    """Runs a guide session over an audio source. ``run`` returns every handled utterance."""

    def __init__(self, dialogue: Dialogue, recognizer: Recognizer, synthesizer: Synthesizer, sink: AudioSink,
                 settings: LoopSettings | None = None, earcons: Earcons | None = None,
                 keys: "queue.Queue[str] | None" = None, captions: Captions | None = None,
                 on_utterance: Callable[[Utterance], None] | None = None,
                 clock: Callable[[], float] = time.perf_counter, voice_id: str | None = None,
                 on_idle: Callable[[Turn, float], None] | None = None) -> None:
        self.dialogue = dialogue
        self.recognizer = recognizer
        self.settings = settings or LoopSettings()
        self.sink = _LoopSink(sink, self._between_chunks)
        self.speaker = Speaker(synthesizer, self.sink, on_sentence=self._caption_sentence)
        self.earcons = earcons
        self.keys = keys
        self._keys = key_map(dialogue.key_bindings())
        self._deferred: list[str] = []
        self._notices: queue.SimpleQueue[str] = queue.SimpleQueue()
        self._tasks: queue.SimpleQueue[Callable[[], None]] = queue.SimpleQueue()
        self.captions = captions
        self.on_utterance = on_utterance
        self.on_idle = on_idle
        """Called with an idle warning or reset turn and the audio time (ms) it came at."""
        self.clock = clock
        self.voice = Voice(rate_wpm=dialogue.rate_wpm, volume=dialogue.volume, voice_id=voice_id)
        self.endpointer = Endpointer(self.settings.endpoint)
        self.barge = Endpointer(self.settings.barge_in_endpoint)
        self.results: list[Utterance] = []
        self.unwoken = 0
        """Utterances passed over in wake mode: they did not start with the wake phrase."""
        self.stops: list[float] = []
        """Audio time (ms) of each stop that cut the guide off."""
        self._input: Iterator[AudioChunk] = iter(())
        self._speaking = False
        self._open = self.settings.mode is Mode.CONTINUOUS
        self._window = False
        """Listening is open only for a reply to an invitation (see ``LoopSettings.reply_window``)."""
        self._phrases: tuple[str, ...] | None = None
        self._ended = False
        self._idle_ms = 0.0
        self._audio_ms = 0.0
        self._owed_ms = 0.0
        self._mark: float | None = None
        self._first_audio: float | None = None
        self._first_speech: float | None = None
        self._in_speech_audio = False

    # -- public ---------------------------------------------------------------------------------
    @property
    def listening(self) -> bool:
        """Whether the next utterance is taken as a question (push-to-talk pressed, wake phrase heard)."""
        return self._open

    @property
    def speaking(self) -> bool:
        """Whether the guide is playing something (speech or an earcon) right now."""
        return self._speaking

    def announce(self, text: str) -> None:
        """Say ``text`` (a notice such as "the microphone stopped working") once the guide is silent
        and nobody is mid-sentence; it is captioned like every spoken line. Safe to call from the
        audio source, the sink or another thread."""
        self._notices.put(text)

    def between_turns(self, task: Callable[[], None]) -> None:
        """Run ``task`` in the loop's own thread once the guide is silent and nobody is mid-sentence
        (a content reload, say). Safe to call from a signal handler: ``SimpleQueue.put`` is reentrant
        and takes no lock the interrupted loop could hold."""
        self._tasks.put(task)

    def use_content(self, dialogue_library: Library, matcher: Matcher, recognizer: Recognizer) -> None:
        """Answer from reloaded content from the next turn on, heard with a recognizer built for it."""
        self.dialogue.use_content(dialogue_library, matcher)
        self._keys = key_map(self.dialogue.key_bindings())
        self.recognizer = recognizer
        self._narrow(None)  # a clarification's choices were of the old content
        self.recognizer.reset()

    def run(self, source: Iterable[AudioChunk]) -> list[Utterance]:
        self._input = iter(source)
        self.recognizer.set_phrases(None)  # whatever it was narrowed to before, a session starts wide open
        self._phrases = None
        if self.settings.greet:
            self._perform(self.dialogue.handle(Start()))
        self._arm()
        while not self._ended:
            self._poll_keys()
            chunk = next(self._input, None)
            if chunk is None:
                self._flush()
                break
            self._listen(chunk)
            self._between_turns()
        return self.results

    def _between_turns(self) -> None:
        if self._speaking or self.endpointer.in_speech:
            return
        while not self._tasks.empty():
            self._tasks.get()()
        if self._notices.empty():
            return
        while not self._notices.empty():
            text = self._notices.get()
            _LOGGER.info("notice: %s", text)
            self._speak(text)
        self._arm()

    # -- listening ------------------------------------------------------------------------------
    def _arm(self) -> None:
        st = self.settings
        waiting_for_reply = self.dialogue.state is State.CLARIFYING
        timer = self._open and (st.mode is not Mode.CONTINUOUS or waiting_for_reply)
        self.endpointer.arm(initial_silence=timer)
        self.recognizer.reset()

    def _listen(self, chunk: AudioChunk) -> None:
        self._audio_ms += chunk.milliseconds
        step = self.endpointer.push(chunk)
        listening = self._open or self.settings.mode is Mode.WAKE
        if listening:
            for piece in step.audio:
                self.recognizer.accept(piece)
        if step.event in (EndpointEvent.ENDED, EndpointEvent.MAX_LENGTH):
            self._idle_ms = 0.0
            if listening:
                self._utterance()
            self._arm()
        elif step.event is EndpointEvent.NO_INPUT and self._open and self._window:
            self._open = self._window = False  # the invitation was not taken up: no reprompt
            self._arm()
        elif step.event is EndpointEvent.NO_INPUT and self._open:
            turn = self.dialogue.handle(NoInput())
            self._perform(turn)
            if self.settings.mode is not Mode.CONTINUOUS and not any(isinstance(a, Listen) for a in turn.actions):
                self._open = False  # the third miss: the guide said it stops listening, so it does
            self._arm()
        elif not self.endpointer.in_speech:
            self._tick_idle(chunk.milliseconds)

    def _utterance(self) -> None:
        end = self.clock()
        transcript = self.recognizer.finish()
        asr = self.clock()
        text = transcript.text
        _LOGGER.debug("heard %r (confidence %.2f)", text, transcript.confidence)
        if self.settings.mode is Mode.WAKE and not self._open:
            rest = self._after_wake(text)
            if rest is None and not self.dialogue.matcher.safety_kind(clean(text)):
                self.unwoken += 1
                return
            # An emergency or a crisis said without the wake phrase is answered all the same: the
            # safety message comes first, whoever the words were for.
            if rest is not None:
                self._open, self._window = True, False
                if not rest:
                    self._perform(self.dialogue.handle(ListenStarted()))
                    return
                text = rest
        if self._window and not clean(text):
            self._open = self._window = False  # noise heard as nothing in a reply window: no "I did not understand"
            return
        turn = self.dialogue.handle(Heard(text, transcript.alternatives))
        matched = self.clock()
        if self.captions is not None and text and turn.kind != "safety":
            # An emergency or a crisis said aloud is not put up in large type on a shared screen; the
            # guide's message is.
            self.captions.caption("you", _acted_on(text, turn))
        self._mark, self._first_audio, self._first_speech = end, None, None
        self._perform(turn)
        timings = Timings(1000 * (asr - end), 1000 * (matched - asr),
                          None if self._first_audio is None else 1000 * (self._first_audio - end),
                          None if self._first_speech is None else 1000 * (self._first_speech - end))
        self._mark = None
        result = Utterance(Transcript(text, transcript.confidence, transcript.alternatives), turn, timings, self._audio_ms)
        self.results.append(result)
        if self.on_utterance is not None:
            self.on_utterance(result)
        if self.settings.mode is not Mode.CONTINUOUS:
            self._open, self._window = self._listening_after(turn)

    def _after_wake(self, text: str) -> str | None:
        """The words after the wake phrase, or None when the utterance did not start with it.

        A near miss counts ("the guide" for "hey guide"): recognizers often blur the first word."""
        words, wake = clean(text).split(), clean(self.settings.wake_phrase)
        size = len(wake.split())
        for start in range(min(2, len(words))):
            for n in (size, size + 1):
                if start + n <= len(words) and fuzz.ratio(" ".join(words[start : start + n]), wake) >= WAKE_MATCH:
                    return " ".join(words[start + n:])
        return None

    def _listening_after(self, turn: Turn) -> tuple[bool, bool]:
        """(listening stays open without a press or wake phrase, and only as a reply window) after a turn:
        open for the answer a question asks for, and, as a window, for the reply an invitation asks for."""
        asks = (turn.kind in ("clarify", "no_input", "no_match") or self.dialogue.state is State.CLARIFYING
                or self.dialogue.mem.confirm_end)  # "Do you want to end?" waits for its yes or no
        mem = self.dialogue.mem
        window = (not asks and self.settings.reply_window and turn.kind != "safety"
                  and (mem.invited_more or mem.offer is not None))
        return (asks or window) and any(isinstance(a, Listen) for a in turn.actions), window

    def _flush(self) -> None:
        """The input ended: an utterance still being spoken is handled as if it had ended."""
        if self.endpointer.in_speech and (self._open or self.settings.mode is Mode.WAKE):
            self._utterance()

    def _tick_idle(self, ms: float) -> None:
        if self._speaking:
            return
        self._idle_ms += ms
        if self._idle_ms >= self.settings.idle_tick_ms:
            seconds, self._idle_ms = self._idle_ms / 1000.0, 0.0
            turn = self.dialogue.handle(Idle(seconds))
            if turn.actions:
                if self.on_idle is not None:
                    self.on_idle(turn, self._audio_ms)
                self._perform(turn)
                if self.settings.mode is Mode.CONTINUOUS:
                    return
                if turn.kind == "reset":
                    self._open = self._window = False
                elif turn.kind == "idle_warning" and self.settings.reply_window and not self._open:
                    self._open = self._window = True  # "Are you still there?": a spoken yes keeps the place
                    self._arm()

    # -- keys -----------------------------------------------------------------------------------
    def _poll_keys(self) -> None:
        """Handle pressed keys. While speaking only stopping happens now; the rest waits for silence."""
        if self.keys is None:
            return
        while True:
            try:
                key = self.keys.get_nowait()
            except queue.Empty:
                break
            self._idle_ms = 0.0
            if self._speaking:
                if key in TALK_KEYS or self._keys.get(key) == STOP_COMMAND:
                    self._stop_now()
                if self._keys.get(key) != STOP_COMMAND:
                    self._deferred.append(key)
                continue
            self._key(key)
        if not self._speaking:
            deferred, self._deferred = self._deferred, []
            for key in deferred:
                self._key(key)

    def _key(self, key: str) -> None:
        if key in TALK_KEYS:
            self._open, self._window = True, False
            self._perform(self.dialogue.handle(ListenStarted()))
            self._arm()
            return
        command = self._keys.get(key)
        if command is not None:
            self._perform(self.dialogue.handle(KeyPressed(command)))

    def _stop_now(self) -> None:
        self.stops.append(self._audio_ms)
        self.speaker.stop()

    # -- speaking -------------------------------------------------------------------------------
    def _perform(self, turn: Turn) -> None:
        for action in turn.actions:
            if isinstance(action, SetVoice):
                self.voice = Voice(rate_wpm=action.rate_wpm, volume=action.volume, voice_id=self.voice.voice_id)
            elif isinstance(action, Earcon):
                self._earcon(action.name)
            elif isinstance(action, Listen):
                self._narrow(action.phrases)
            elif isinstance(action, ResetSession):
                self._narrow(None)
                self.recognizer.new_visitor()
                if self.captions is not None:
                    self.captions.clear()
            elif isinstance(action, End):
                self._end_session()
        if turn.text:
            if self.captions is not None:
                self.captions.status("speaking", self._topic(turn))
            interrupted = self._speak(turn.text)
            if self.dialogue.state is State.ANSWERING:  # any other event would also reset the idle timer
                self.dialogue.handle(SpeechFinished(interrupted))
        if self.captions is not None:
            self.captions.status("listening" if self._open else "idle")

    def _earcon(self, name: str) -> None:
        if self.earcons is None:
            return
        clip = self.earcons.get(name, self.voice.volume)
        if clip.audio:
            self.speaker.stop_event.clear()
            self._speaking = True
            try:
                self.sink.play(clip.chunks(50), self.speaker.stop_event)
            finally:
                self._speaking = False

    def _speak(self, text: str) -> bool:
        """Speak ``text``; True when a stop cut it short."""
        self._speaking = True
        self._in_speech_audio = True
        if self.settings.duplex and self.settings.barge_in:
            self.recognizer.set_phrases(self._stop_phrases())
        self.barge.arm(initial_silence=False)
        try:
            spoken = self.speaker.say(text, self.voice)
        finally:
            self._speaking = False
            self._in_speech_audio = False
            if self.settings.duplex and self.settings.barge_in:
                self.recognizer.set_phrases(self._phrases)
        if spoken.interrupted:
            _LOGGER.info("speech stopped")
        return spoken.interrupted

    def _between_chunks(self, chunk: AudioChunk) -> None:
        """Runs after each played chunk: timings, keys, and (duplex) the input that arrived meanwhile."""
        now = self.clock()
        if self._mark is not None:
            if self._first_audio is None:
                self._first_audio = now
            if self._first_speech is None and self._in_speech_audio:
                self._first_speech = now
        self._poll_keys()
        if not self.settings.duplex:
            return
        self._owed_ms += chunk.milliseconds
        while self._owed_ms > 0:
            heard = next(self._input, None)
            if heard is None:
                self.speaker.stop()
                self._ended = True
                return
            self._owed_ms -= heard.milliseconds
            self._audio_ms += heard.milliseconds
            self._barge_in(heard)

    def _barge_in(self, chunk: AudioChunk) -> None:
        """While speaking, only a short "stop" is heard; everything else (our own voice too) is ignored."""
        step = self.barge.push(chunk)
        if not (self.settings.barge_in and self._speaking):
            return
        for piece in step.audio:
            self.recognizer.accept(piece)
        if step.event is EndpointEvent.ENDED:
            transcript = self.recognizer.finish()
            short = self.barge.utterance_ms <= self.settings.barge_in_max_ms + self.settings.barge_in_endpoint.trailing_silence_ms
            if short and self.dialogue.matcher.command_of(clean(transcript.text), (STOP_COMMAND,)):
                self._stop_now()
        elif step.event is EndpointEvent.MAX_LENGTH:
            self.recognizer.reset()

    def _stop_phrases(self) -> tuple[str, ...]:
        spec = self.dialogue.matcher.commands.get(STOP_COMMAND)
        return spec.phrases if spec is not None else (STOP_COMMAND,)

    def _narrow(self, phrases: tuple[str, ...] | None) -> None:
        if phrases != self._phrases:
            self._phrases = phrases
            self.recognizer.set_phrases(phrases)

    def _end_session(self) -> None:
        """Goodbye: the next person starts a new session (a kiosk never exits by voice)."""
        self.dialogue.reset()
        if self.captions is not None:
            self.captions.clear()
        self._narrow(None)
        self.recognizer.new_visitor()
        self.voice = Voice(rate_wpm=self.dialogue.rate_wpm, volume=self.dialogue.volume, voice_id=self.voice.voice_id)
        if self.settings.mode is not Mode.CONTINUOUS:
            self._open = False

    def _caption_sentence(self, sentence: str) -> None:
        if self.captions is not None:
            self.captions.caption("guide", sentence)

    def _topic(self, turn: Turn) -> str | None:
        if turn.section is None:
            return None
        return self.dialogue.library.section(turn.section).title

