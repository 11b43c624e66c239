"""The conversation as a pure state machine: events in, actions out. No I/O, no clock.

Used by the text conversation (``voice-guide ask``) and the speech loop alike. Time reaches it
only as ``Idle(seconds)`` events whose length comes from audio, so tests are exact.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from enum import Enum
from importlib import resources
from typing import Any, Union

import yaml

from voice_guide.commands import NEAR_CONFIDENCE
from voice_guide.config import DialogueSettings, SpeechSettings
from voice_guide.content import Library, Section
from voice_guide.matcher import CHOICE_COMMANDS, GLOBAL_COMMANDS, Kind, Match, Matcher
from voice_guide.text import clean


class State(str, Enum):
    IDLE = "idle"
    LISTENING = "listening"
    ANSWERING = "answering"
    FOLLOW_UP = "follow_up"
    CLARIFYING = "clarifying"
    ENDED = "ended"


# -- events ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Start:
    """A session begins (greeting, disclaimer)."""


@dataclass(frozen=True)
class ListenStarted:
    """The user pressed the button or said the wake phrase."""


@dataclass(frozen=True)
class Heard:
    """One utterance: typed text or a recognizer's transcript."""

    text: str
    alternatives: tuple[str, ...] = ()
    """The recognizer's other hearings of the same speech, best first: checked for safety only."""


@dataclass(frozen=True)
class KeyPressed:
    """A key bound to a command (every voice command has one)."""

    command: str


@dataclass(frozen=True)
class NoInput:
    """Listening timed out with no speech."""


@dataclass(frozen=True)
class SpeechFinished:
    """What was said has been played (``interrupted`` when cut short by stop)."""

    interrupted: bool = False


@dataclass(frozen=True)
class Idle:
    """``seconds`` passed without anyone using the guide."""

    seconds: float


Event = Union[Start, ListenStarted, Heard, KeyPressed, NoInput, SpeechFinished, Idle]


# -- actions -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Say:
    text: str
    section: str | None = None
    """The content section the text comes from, if any (medical text always has one)."""


@dataclass(frozen=True)
class Earcon:
    name: str
    """"listening", "understood", "not_understood" or "warning"."""


@dataclass(frozen=True)
class StopSpeaking:
    pass


@dataclass(frozen=True)
class SetVoice:
    rate_wpm: int
    volume: float


@dataclass(frozen=True)
class Listen:
    phrases: tuple[str, ...] | None = None
    """Narrowed vocabulary for the next utterance (e.g. during clarification), else None."""


@dataclass(frozen=True)
class ResetSession:
    pass


@dataclass(frozen=True)
class End:
    pass


Action = Union[Say, Earcon, StopSpeaking, SetVoice, Listen, ResetSession, End]


@dataclass(frozen=True)
class Turn:
    """The outcome of one event: what kind of thing happened and what to do."""

    kind: str
    actions: tuple[Action, ...]
    section: str | None = None
    command: str | None = None
    score: float = 0.0
    match: Match | None = None

    @property
    def text(self) -> str:
        return " ".join(a.text for a in self.actions if isinstance(a, Say))

    def to_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "section": self.section, "command": self.command, "score": round(self.score, 4), "text": self.text}


def load_prompts() -> dict[str, Any]:
    text = (resources.files("voice_guide") / "data" / "prompts.yaml").read_text(encoding="utf-8")
    data: dict[str, Any] = yaml.safe_load(text)
    return data


@dataclass
class _Memory:
    """What the dialogue remembers within one session (cleared on reset)."""

    state: State = State.IDLE
    section: str | None = None
    chunk: int = 0
    offer: str | None = None
    choices: tuple[str, ...] = ()
    topics_page: int | None = None
    last_said: tuple[Say, ...] = ()
    misses: int = 0
    out_of_scope_streak: int = 0
    idle_seconds: float = 0.0
    warned: bool = False
    history: list[str] = field(default_factory=list)


class Dialogue:
    """Handles events for one guide session. ``handle`` returns a :class:`Turn`."""

    def __init__(
        self,
        library: Library,
        matcher: Matcher,
        speech: SpeechSettings | None = None,
        settings: DialogueSettings | None = None,
        idle_timeout_s: float = 60.0,
        idle_warning_s: float = 20.0,
        volume_cap: float | None = None,
    ) -> None:
        self.library = library
        self.matcher = matcher
        self.speech = speech or SpeechSettings()
        self.settings = settings or DialogueSettings()
        self.idle_timeout_s = idle_timeout_s
        self.idle_warning_s = idle_warning_s
        self.volume_cap = volume_cap if volume_cap is not None else self.speech.volume_max
        self.prompts = load_prompts()
        self.mem = _Memory()
        self.rate_wpm = self.speech.rate_wpm
        self.volume = min(self.speech.volume, self.volume_cap)

    # -- public -------------------------------------------------------------------------------
    def use_content(self, library: Library, matcher: Matcher) -> None:
        """Answer from reloaded content from the next turn on. What the session remembered (the
        section being read, an offer, a clarification's choices, the history) may name sections the
        new content no longer has, so it is dropped; the visitor's speech rate and volume stay."""
        self.library, self.matcher = library, matcher
        self.mem = _Memory()

    @property
    def state(self) -> State:
        return self.mem.state

    @property
    def listen_phrases(self) -> tuple[str, ...] | None:
        """Vocabulary the next utterance is narrowed to (titles of offered choices plus replies)."""
        if self.mem.state is State.CLARIFYING and self.mem.choices:
            titles = tuple(self._name(c) for c in self.mem.choices)
            return titles + CHOICE_COMMANDS + GLOBAL_COMMANDS
        return None

    def handle(self, event: Event) -> Turn:
        if not isinstance(event, Idle):
            self.mem.idle_seconds = 0.0
            self.mem.warned = False
        if isinstance(event, Start):
            return self._start()
        if isinstance(event, ListenStarted):
            self.mem.state = State.LISTENING
            return Turn("listening", (Earcon("listening"),))
        if isinstance(event, Heard):
            return self._heard(event.text, event.alternatives)
        if isinstance(event, KeyPressed):
            return self._command(event.command, Match(Kind.COMMAND, command=event.command, score=1.0, reason="key"))
        if isinstance(event, NoInput):
            return self._miss("no_input")
        if isinstance(event, SpeechFinished):
            if self.mem.state is State.ANSWERING:
                self.mem.state = State.FOLLOW_UP
            return Turn("speech_finished", ())
        if isinstance(event, Idle):
            return self._idle(event.seconds)
        raise TypeError(f"unknown event {event!r}")

    # -- helpers ------------------------------------------------------------------------------
    def _p(self, key: str, **fields: str) -> str:
        return str(self.prompts[key]).format(**fields).strip()

    def _name(self, section_id: str) -> str:
        """A section's title as a topic name inside a sentence."""
        title = self.library.section(section_id).title.rstrip("?.!")
        if len(title) > 1 and title[1].islower():
            title = title[0].lower() + title[1:]
        return title

    def _turn(self, kind: str, says: list[Say], extra: tuple[Action, ...] = (), match: Match | None = None,
              section: str | None = None, command: str | None = None, remember: bool = True) -> Turn:
        if remember and says:
            self.mem.last_said = tuple(says)
        listen = (Listen(self.listen_phrases),) if self.mem.state is not State.ENDED else ()
        return Turn(kind, tuple(extra) + tuple(says) + listen, section=section, command=command,
                    score=match.score if match else 0.0, match=match)

    def _start(self) -> Turn:
        pack = self.library.primary
        says = [Say(self._p("greeting", title=pack.title))]
        if self.settings.speak_disclaimer:
            says.append(Say(pack.disclaimer))
        says.append(Say(self._p("ready")))
        self.mem.state = State.LISTENING
        return self._turn("greeting", says, extra=(SetVoice(self.rate_wpm, self.volume),))

    def _heard(self, text: str, alternatives: tuple[str, ...] = ()) -> Turn:
        cleaned = clean(text)
        alarm = self._alarm_in(cleaned, alternatives)
        if alarm is not None:
            best = self.matcher.match(text)
            if best.kind is Kind.ANSWER and best.section is not None:
                return self._safety_then_answer(alarm, best)
            return self._safety(alarm)
        if not cleaned:
            return self._miss("no_match")
        if self.mem.state is State.CLARIFYING:
            turn = self._clarify_reply(cleaned)
            if turn is not None:
                return turn
        match = self.matcher.match(text)
        if match.kind is not Kind.COMMAND:
            choice = self.matcher.command_of(cleaned, CHOICE_COMMANDS)
            if choice and (self.mem.offer or choice[0] in ("yes", "no")):
                return self._command(choice[0], Match(Kind.COMMAND, command=choice[0], score=choice[1], reason="reply"))
            match = self._command_in(match, alternatives)
        if match.kind is Kind.COMMAND and match.command in ("more", "next") and self.mem.topics_page is not None:
            return self._topics(self.mem.topics_page + 1, match)
        return self._dispatch(match)

    def _alarm_in(self, cleaned: str, alternatives: tuple[str, ...]) -> Match | None:
        """A safety statement the recognizer heard only as a runner-up ("test pain" first, "chest pain"
        second): a missed emergency costs far more than a needless 911 reminder, so it counts."""
        if not alternatives or self.matcher.safety_kind(cleaned):
            return None  # typed text has no alternatives; a safety hearing first is handled as usual
        for alternative in alternatives:
            kind = self.matcher.safety_kind(clean(alternative))
            if kind is not None:
                return Match(Kind.SAFETY, safety=kind, score=1.0, reason="safety in a runner-up hearing", hearing=alternative)
        return None

    def _command_in(self, match: Match, alternatives: tuple[str, ...]) -> Match:
        """For an utterance that is no question, a command the recognizer heard only as a runner-up
        ("slow dollars" first, "slow down" second). Only a command's own phrases count, whole."""
        if match.kind not in (Kind.OUT_OF_SCOPE, Kind.CLARIFY):
            return match
        for alternative in alternatives:
            name = self.matcher.command_phrased(clean(alternative), GLOBAL_COMMANDS)
            if name is not None:
                return Match(Kind.COMMAND, command=name, score=NEAR_CONFIDENCE, reason="command in a runner-up hearing",
                             hearing=alternative)
        return match

    def _dispatch(self, match: Match) -> Turn:
        if match.kind is Kind.SAFETY:
            return self._safety(match)
        if match.kind is Kind.COMMAND:
            assert match.command is not None
            return self._command(match.command, match)
        if match.kind is Kind.ANSWER:
            assert match.section is not None
            return self._answer(match.section, match)
        if match.kind is Kind.CLARIFY:
            return self._clarify(match)
        return self._out_of_scope(match)

    def _reset_context(self) -> None:
        self.mem.offer = None
        self.mem.choices = ()
        self.mem.topics_page = None

    def _safety_message(self, match: Match) -> str:
        safety = self.library.primary.safety
        return safety.crisis if match.safety == "crisis" else safety.emergency

    def _safety(self, match: Match) -> Turn:
        self._reset_context()
        self.mem.misses = 0
        self.mem.state = State.ANSWERING
        return self._turn("safety", [Say(self._safety_message(match))], extra=(StopSpeaking(),), match=match)

    def _safety_then_answer(self, alarm: Match, best: Match) -> Turn:
        """A safety statement heard only as a runner-up while the best hearing is a clear question: the
        safety message first, then the answer. In a noisy room the runner-ups are full of the noise's words
        ("can't stand", "faint"), so a visitor would often lose the answer to a needless alarm; this way
        neither a missed emergency nor a needless alarm costs anything but the few seconds of the message.
        The turn is still a safety turn (it stops speech and says the message first); its section is the
        answer's."""
        assert best.section is not None
        says = [Say(self._safety_message(alarm)), Say(self._p("safety_then_answer"))] + self._begin_answer(best.section)
        return self._turn("safety", says, extra=(StopSpeaking(),), match=alarm, section=best.section)

    def _answer(self, section_id: str, match: Match | None) -> Turn:
        says = self._begin_answer(section_id)
        return self._turn("answer", says, extra=(Earcon("understood"),), match=match, section=section_id)

    def _begin_answer(self, section_id: str) -> list[Say]:
        """Start answering from a section (remembered for more, repeat and offers): its first chunk and
        what follows it."""
        self._reset_context()
        self.mem.misses = 0
        self.mem.out_of_scope_streak = 0
        section = self.library.section(section_id)
        self.mem.section, self.mem.chunk = section_id, 0
        if not self.mem.history or self.mem.history[-1] != section_id:
            self.mem.history.append(section_id)
        says = [Say(section.answer[0], section=section_id)]
        says.extend(self._after_chunk(section))
        self.mem.state = State.ANSWERING
        return says

    def _after_chunk(self, section: Section) -> list[Say]:
        if self.mem.chunk + 1 < len(section.answer):
            return [Say(self._p("more_available"))]
        related = next((r for r in section.related if r not in self.mem.history[-3:]), None)
        if self.settings.offer_related and related:
            self.mem.offer = related
            return [Say(self._p("offer_related", title=self._name(related)))]
        return []

    def _more(self, match: Match) -> Turn:
        if self.mem.section is None:
            return self._turn("command", [Say(self._p("ask_first"))], match=match, command="more")
        section = self.library.section(self.mem.section)
        if self.mem.chunk + 1 < len(section.answer):
            return self._next_chunk(section, match)
        if self.mem.offer:
            return self._answer(self.mem.offer, match)
        return self._turn("command", [Say(self._p("nothing_more"))], match=match, command="more")

    def _next_chunk(self, section: Section, match: Match) -> Turn:
        self._reset_context()
        self.mem.chunk += 1
        says = [Say(section.answer[self.mem.chunk], section=section.id)]
        says.extend(self._after_chunk(section))
        self.mem.state = State.ANSWERING
        return self._turn("command", says, match=match, section=section.id, command="more")

    def _clarify(self, match: Match) -> Turn:
        self._reset_context()
        self.mem.choices = match.choices or ((match.section,) if match.section else ())
        titles = [self._name(c) for c in self.mem.choices]
        if len(titles) >= 2:
            text = self._p("clarify_two", first=titles[0], second=titles[1])
        else:
            text = self._p("clarify_one", first=titles[0])
        self.mem.state = State.CLARIFYING
        return self._turn("clarify", [Say(text)], match=match)

    def _clarify_reply(self, cleaned: str) -> Turn | None:
        """Resolve a reply to "Did you mean A or B?"; None lets the utterance through as new."""
        choices = self.mem.choices
        if self.matcher.safety_kind(cleaned):
            return None
        pick = self.matcher.command_of(cleaned, CHOICE_COMMANDS)
        if pick:
            name = pick[0]
            reply = Match(Kind.COMMAND, command=name, score=pick[1], reason="clarification reply")
            index = {"first": 0, "second": 1, "third": 2}.get(name)
            if name == "yes" and len(choices) == 1:
                index = 0
            if index is not None and index < len(choices):
                return self._answer(choices[index], reply)
            if name == "no":
                self._reset_context()
                self.mem.state = State.LISTENING
                return self._turn("command", [Say(self._p("clarify_declined"))], match=reply, command="no")
            return self._turn("clarify", [Say(self._p("clarify_again"))], match=reply)
        if self.matcher.command_of(cleaned, GLOBAL_COMMANDS):
            return None
        routed = self.matcher.route(cleaned, among=choices, accept=self.matcher.settings.choice_accept)
        if routed.kind is Kind.ANSWER and routed.section is not None:
            full = self.matcher.match(cleaned)
            if full.kind is Kind.ANSWER and full.section not in choices:
                return None  # a new, clear question about something else
            return self._answer(routed.section, routed)
        return None

    def _out_of_scope(self, match: Match) -> Turn:
        self._reset_context()
        self.mem.out_of_scope_streak += 1
        says = [Say(self.library.primary.fallback)]
        if self.mem.out_of_scope_streak >= 2:
            says.append(Say(self._p("fallback_hint")))
        self.mem.state = State.LISTENING
        return self._turn("out_of_scope", says, extra=(Earcon("not_understood"),), match=match)

    def _miss(self, what: str) -> Turn:
        self.mem.misses += 1
        lines = self.prompts[what]
        text = str(lines[min(self.mem.misses, len(lines)) - 1]).strip()
        extra: tuple[Action, ...] = (Earcon("not_understood"),)
        if self.mem.misses >= self.settings.max_reprompts:
            self.mem.misses = 0
            self.mem.state = State.IDLE
            return Turn(what, extra + (Say(text),))
        return self._turn(what, [Say(text)], extra=extra, remember=False)

    def _topics(self, page: int, match: Match) -> Turn:
        per = self.settings.topics_per_page
        sections = self.library.sections
        pages = max(1, -(-len(sections) // per))
        if page >= pages:
            page = 0
        items = [self._name(s.id) for s in sections[page * per : (page + 1) * per]]
        listed = "; ".join(items[:-1]) + ("; and " if len(items) > 1 else "") + items[-1]
        says = [Say(self._p("topics_intro", items=listed))]
        last = page + 1 >= pages
        says.append(Say(self._p("topics_end" if last else "topics_more")))
        self._reset_context()
        self.mem.topics_page = None if last else page
        self.mem.state = State.LISTENING
        return self._turn("command", says, match=match, command="topics")

    def _help(self, match: Match) -> Turn:
        if self.mem.state is State.CLARIFYING:
            text = self._p("help_clarify")
        elif self.mem.offer:
            text = self._p("help_offer", title=self._name(self.mem.offer))
        elif self.mem.section is not None:
            text = self._p("help_follow_up")
        else:
            text = self._p("help_general")
        return self._turn("command", [Say(text)], match=match, command="help")

    def _step(self, command: str, match: Match) -> Turn:
        st = self.speech
        low, high = round(st.rate_wpm * st.rate_min_factor), round(st.rate_wpm * st.rate_max_factor)
        if command in ("slower", "faster"):
            factor = st.rate_step if command == "faster" else 1 / st.rate_step
            new = max(low, min(high, round(self.rate_wpm * factor)))
            limit = new == self.rate_wpm
            self.rate_wpm = new
            key = ("fastest" if command == "faster" else "slowest") if limit else command
        else:
            delta = st.volume_step if command == "louder" else -st.volume_step
            cap = min(st.volume_max, self.volume_cap)
            new_v = round(max(st.volume_min, min(cap, self.volume + delta)), 3)
            limit = abs(new_v - self.volume) < 1e-9
            self.volume = new_v
            key = ("loudest" if command == "louder" else "softest") if limit else command
        return self._turn("command", [Say(self._p(key))], extra=(SetVoice(self.rate_wpm, self.volume),),
                          match=match, command=command, remember=False)

    def _navigate(self, command: str, match: Match) -> Turn:
        ids = [s.id for s in self.library.sections]
        if self.mem.section is None:
            target = 0 if command == "next" else len(ids) - 1
        else:
            target = ids.index(self.mem.section) + (1 if command == "next" else -1)
        if not 0 <= target < len(ids):
            return self._turn("command", [Say(self._p("last_topic" if command == "next" else "first_topic"))],
                              match=match, command=command)
        turn = self._answer(ids[target], match)
        return replace(turn, kind="command", command=command)

    def _command(self, command: str, match: Match) -> Turn:
        if command == "stop":
            self._reset_context()
            self.mem.state = State.LISTENING
            return self._turn("command", [Say(self._p("stopped"))], extra=(StopSpeaking(),), match=match,
                              command="stop", remember=False)
        if command == "repeat":
            if not self.mem.last_said:
                return self._turn("command", [Say(self._p("nothing_to_repeat"))], match=match, command="repeat", remember=False)
            said = list(self.mem.last_said)
            return self._turn("command", said, match=match, command="repeat",
                              section=next((s.section for s in said if s.section), None))
        if command == "more":
            if self.mem.topics_page is not None:
                return self._topics(self.mem.topics_page + 1, match)
            return self._more(match)
        if command in ("slower", "faster", "louder", "softer"):
            return self._step(command, match)
        if command == "topics":
            return self._topics(0, match)
        if command == "help":
            return self._help(match)
        if command == "goodbye":
            self._reset_context()
            self.mem.state = State.ENDED
            return Turn("command", (Say(self._p("goodbye")), End()), command="goodbye", score=match.score, match=match)
        if command in ("next", "previous"):
            return self._navigate(command, match)
        if command == "yes":
            if self.mem.offer:
                turn = self._answer(self.mem.offer, match)
                return replace(turn, kind="command", command="yes")
            return self._turn("command", [Say(self._p("yes_without_offer"))], match=match, command="yes")
        if command == "no":
            self._reset_context()
            return self._turn("command", [Say(self._p("no_without_offer"))], match=match, command="no")
        if command in ("first", "second", "third"):
            return self._turn("command", [Say(self._p("yes_without_offer"))], match=match, command=command)
        raise ValueError(f"unknown command {command!r}")

    def _idle(self, seconds: float) -> Turn:
        if self.mem.state is State.ENDED:
            return Turn("idle", ())
        self.mem.idle_seconds += seconds
        if self.mem.idle_seconds >= self.idle_timeout_s:
            if not self._in_use():
                self.mem.idle_seconds = 0.0  # nothing to forget: stay quiet (a kiosk idles for hours)
                return Turn("idle", ())
            self.reset()
            return Turn("reset", (ResetSession(), SetVoice(self.rate_wpm, self.volume), Say(self._p("idle_reset"))))
        if not self.mem.warned and self.mem.idle_seconds >= self.idle_timeout_s - self.idle_warning_s and self.mem.history:
            self.mem.warned = True
            left = str(int(round(self.idle_timeout_s - self.mem.idle_seconds)))
            return Turn("idle_warning", (Earcon("warning"), Say(self._p("idle_warning", seconds=left))))
        return Turn("idle", ())

    def key_bindings(self) -> dict[str, tuple[str, ...]]:
        """command -> keys, for every command this dialogue understands."""
        return self.matcher.key_bindings()

    def _in_use(self) -> bool:
        """Whether anyone has used the guide since the last reset (so there is something to forget)."""
        default_volume = min(self.speech.volume, self.volume_cap)
        return bool(self.mem.history or self.mem.choices or self.mem.topics_page is not None
                    or self.rate_wpm != self.speech.rate_wpm or self.volume != default_volume)

    def reset(self) -> None:
        """Forget the session and restore the default rate and volume (next person)."""
        self.mem = _Memory()
        self.rate_wpm = self.speech.rate_wpm
        self.volume = min(self.speech.volume, self.volume_cap)

