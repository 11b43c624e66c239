"""The conversation as a pure state machine: events in, actions out. No I/O, no clock.

Used by the text conversation (``voice-guide ask``) and the speech loop alike. Time reaches it
only as ``Idle(seconds)`` events whose length comes from audio, so tests are exact.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field, replace
from enum import Enum
from importlib import resources
from typing import Any, Callable, Union

import yaml

from voice_guide.commands import NEAR_CONFIDENCE, STEP_COMMANDS
from voice_guide.config import DialogueSettings, SpeechSettings
from voice_guide.content import Library, Section
from voice_guide.matcher import CHOICE_COMMANDS, GLOBAL_COMMANDS, SOCIAL_COMMANDS, Kind, Match, Matcher
from voice_guide.spelling import hard_words, letters, shown
from voice_guide.text import STOPWORDS, clean


ORDINALS = {"first": 0, "second": 1, "third": 2}
"""Choice commands that pick by position ("last" picks the last one)."""
KEEP_HELP = (*STEP_COMMANDS, "normal", "stop", "repeat", "brief", "full", *SOCIAL_COMMANDS)
"""Commands after which the second part of the help is still to come (the listener adjusts the voice,
stops or asks again before going on)."""
GUESS_KEPT = (*KEEP_HELP, "no", "other", "help", "where")
"""After a guessed answer, what keeps the guess in question: "the other one" still reads the other
choice, and a visitor asking again is asked instead of given the same guess."""
CARRIED_OUT_AFTER_SAFETY = tuple(c for c in (*GLOBAL_COMMANDS, *SOCIAL_COMMANDS) if c not in ("stop", "goodbye"))
"""Clear commands still carried out after a safety message heard only in a runner-up hearing: "stop"
wants quiet, and "goodbye" would end the session the safety message may be needed in."""
REASK_MAX_WORDS = 4
"""A reply to a clarification this short that picks nothing ("which one", "I don't know") is asked
again, with the choices; a longer one is something else said and gets the usual fallback."""


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


@dataclass(frozen=True)
class Guess:
    """A topic read on a guess, and the choices of the clarification the guess settled."""

    section: str
    choices: tuple[str, ...]


@dataclass
class _Memory:
    """What the dialogue remembers within one session (cleared on reset)."""

    state: State = State.IDLE
    section: str | None = None
    chunk: int = 0
    offer: str | None = None
    choices: tuple[str, ...] = ()
    topics_page: int | None = None
    """The page of topics last read out, while the visitor may still pick from it or page on."""
    listed: tuple[str, ...] = ()
    """The sections that page named, for "the second one"."""
    last_said: tuple[Say, ...] = ()
    misses: int = 0
    out_of_scope_streak: int = 0
    idle_seconds: float = 0.0
    warned: bool = False
    greeted: bool = False
    cut: tuple[Say, ...] = ()
    """The answer part a stop cut short: "go on" reads it again instead of skipping what was not heard."""
    reasks: int = 0
    """Replies to a clarification that picked nothing, so far."""
    used: bool = False
    """Someone pressed the talk button or a key, or was answered (anything but "I did not catch
    that"), since the last reset: whatever they heard (a crisis message, a fallback) is theirs, and the
    next person must not be able to replay it."""
    history: list[str] = field(default_factory=list)
    confirm_end: bool = False
    """The guide asked "Do you want to end?" (a goodbye it was not sure it heard)."""
    spelled: tuple[str, ...] = ()
    """The words the last reply spelled: "spell that again" spells them once more."""
    invited_more: bool = False
    """The last reply ended "There is more": a yes or an okay then reads on."""
    guessed: Guess | None = None
    """The last answer's guess (a clarification settled by runner-up hearings), while only what
    ``GUESS_KEPT`` lists (a stop, a repeat, a no, "the other one", help, a voice step, a social word)
    or noise follows: "the other one" reads the other choice, and a visitor who asks again after a
    wrong guess is asked "Did you mean A or B?"."""
    help_rest: bool = False
    """Help was given and its second part not yet: "help" again reads it (and, after the general
    help, "more" or "yes"). A voice step, a stop, a repeat or a reprompt in between keeps it."""


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
        listen_mode: str = "push_to_talk",
        wake_phrase: str = "hey guide",
    ) -> None:
        self.library = library
        self.matcher = matcher
        self.speech = speech or SpeechSettings()
        self.settings = settings or DialogueSettings()
        self.idle_timeout_s = idle_timeout_s
        self.idle_warning_s = idle_warning_s
        self.volume_cap = volume_cap if volume_cap is not None else self.speech.volume_max
        self.prompts = load_prompts()
        self.restart = str(self.prompts["restart"][listen_mode]).format(wake=wake_phrase).strip()
        """How to start again after the guide stops listening, in this listening mode."""
        self._greets = False
        """Whether sessions begin with the greeting and disclaimer (then every new visitor hears them)."""
        self.mem = _Memory()
        self.rate_wpm = self.speech.rate_wpm
        self.volume = self.start_volume
        self.brief = self.settings.brief
        """Brief prompts now (the setting, until "brief" or "full prompts" is said)."""
        self.on_voice: Callable[[int, float, bool], None] | None = None
        """Told the rate, volume and prompts whenever a turn changes them (to keep them between runs)."""

    # -- public -------------------------------------------------------------------------------
    def use_content(self, library: Library, matcher: Matcher) -> None:
        """Answer from reloaded content from the next turn on. What the session remembered (the
        section being read, an offer, a clarification's choices, the history) may name sections the
        new content no longer has, so it is dropped; the visitor's speech rate and volume stay."""
        self.library, self.matcher = library, matcher
        self.mem = _Memory(greeted=self.mem.greeted, used=self.mem.used)

    @property
    def start_volume(self) -> float:
        """The volume each session starts at (and "normal" brings back): the configured one, within the cap."""
        return min(self.speech.volume, self.volume_cap)

    @property
    def state(self) -> State:
        return self.mem.state

    @property
    def _asking(self) -> bool:
        """Whether a clarification waits for its answer (its choices offered)."""
        return self.mem.state is State.CLARIFYING and bool(self.mem.choices)

    @property
    def listen_phrases(self) -> tuple[str, ...] | None:
        """Vocabulary the next utterance is narrowed to (titles of offered choices plus replies)."""
        if self._asking:
            titles = tuple(self._name(c) for c in self.mem.choices)
            return titles + CHOICE_COMMANDS + GLOBAL_COMMANDS
        return None

    def use_voice(self, rate_wpm: int, volume: float, brief: bool) -> None:
        """Start from a voice the listener chose before, kept within the limits of this guide."""
        st = self.speech
        self.rate_wpm = max(round(st.rate_wpm * st.rate_min_factor), min(round(st.rate_wpm * st.rate_max_factor), rate_wpm))
        cap = min(st.volume_max, self.volume_cap)
        self.volume = round(max(min(st.volume_min, cap), min(cap, volume)), 3)
        self.brief = brief

    def handle(self, event: Event) -> Turn:
        before = (self.rate_wpm, self.volume, self.brief)
        guessed = self.mem.guessed
        turn = self._handle(event)
        if guessed is not None and self.mem.guessed == guessed and isinstance(event, (Heard, KeyPressed)) \
                and turn.command not in GUESS_KEPT and turn.kind != "no_match":  # (noise heard as nothing is no one's)
            self.mem.guessed = None  # anything else said after a guess: the guess is no longer in question
        after = (self.rate_wpm, self.volume, self.brief)
        if after != before and self.on_voice is not None:
            self.on_voice(*after)
        return turn

    def _handle(self, event: Event) -> Turn:
        warned = self.mem.warned
        if not isinstance(event, Idle):
            self.mem.idle_seconds = 0.0
            self.mem.warned = False
        if isinstance(event, Start):
            return self._start()
        if isinstance(event, (ListenStarted, KeyPressed)):
            self.mem.misses = 0
            self.mem.used = True
        if isinstance(event, ListenStarted):
            if self._greets and not self.mem.greeted:
                return self._start()  # a new visitor after a goodbye or an idle reset
            self.mem.state = State.LISTENING
            return Turn("listening", (Earcon("listening"),))
        confirming = self.mem.confirm_end and isinstance(event, (Heard, KeyPressed, NoInput))
        if confirming:
            self.mem.confirm_end = False  # asked once: anything but yes or no goes on as usual
        if isinstance(event, Heard):
            turn = ((self._end_reply(event.text, event.alternatives) if confirming else None)
                    or (self._still_here(event.text, event.alternatives) if warned else None)
                    or self._heard(event.text, event.alternatives))
            if turn.kind not in ("no_match", "clarify"):  # a new clarification counts from 0 itself
                self.mem.misses = 0
            if turn.kind != "no_match":  # noise heard as nothing is no one's
                self.mem.used = True
            return self._greeted(turn)
        if isinstance(event, KeyPressed):
            if warned and event.command == "yes":
                return self._command("here", Match(Kind.COMMAND, command="here", score=1.0, reason="key"))
            if confirming and event.command in ("yes", "no"):
                return self._end_confirmed(event.command == "yes", Match(Kind.COMMAND, command=event.command, score=1.0, reason="key"))
            return self._greeted(self._command(event.command, Match(Kind.COMMAND, command=event.command, score=1.0, reason="key")))
        if isinstance(event, NoInput):
            return self._miss("no_input")
        if isinstance(event, SpeechFinished):
            if self.mem.state is State.ANSWERING:
                self.mem.state = State.FOLLOW_UP
                cut = event.interrupted and any(s.section for s in self.mem.last_said)
                self.mem.cut = self.mem.last_said if cut else ()
            return Turn("speech_finished", ())
        if isinstance(event, Idle):
            return self._idle(event.seconds)
        raise TypeError(f"unknown event {event!r}")

    # -- helpers ------------------------------------------------------------------------------
    def _p(self, key: str, **fields: str) -> str:
        short = self.prompts["brief"].get(key) if self.brief else None
        return str(short or self.prompts[key]).format(**fields).strip()

    def _name(self, section_id: str) -> str:
        """A section's title as a topic name inside a sentence."""
        title = self.library.section(section_id).title.rstrip("?.!")
        if len(title) > 1 and title[1].islower():
            title = title[0].lower() + title[1:]
        return title

    def _turn(self, kind: str, says: list[Say], extra: tuple[Action, ...] = (), match: Match | None = None,
              section: str | None = None, command: str | None = None, remember: bool = True) -> Turn:
        if remember and says:
            if tuple(says) != self.mem.last_said:  # said again ("repeat"), a spelling is still the last
                self.mem.spelled = ()
            self.mem.last_said = tuple(says)
        self.mem.invited_more = bool(says) and says[-1].text == self._p("more_available")
        if command not in KEEP_HELP and kind not in ("no_input", "no_match"):
            self.mem.help_rest = False
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
        self._greets = self.mem.greeted = True
        return self._turn("greeting", says, extra=(SetVoice(self.rate_wpm, self.volume),))

    def _greeted(self, turn: Turn) -> Turn:
        """A new visitor who asks straight away (continuous listening, or a question after the wake
        phrase) hears the disclaimer before the first answer; a safety message is never delayed."""
        if not self._greets or self.mem.greeted or turn.section is None or turn.kind == "safety":
            return turn
        self.mem.greeted = True
        if not self.settings.speak_disclaimer:
            return turn
        says = [i for i, a in enumerate(turn.actions) if isinstance(a, Say)]
        at = says[0] if says else len(turn.actions)
        disclaimer = Say(self.library.primary.disclaimer)
        return replace(turn, actions=turn.actions[:at] + (disclaimer,) + turn.actions[at:])

    def _still_here(self, text: str, alternatives: tuple[str, ...] = ()) -> Turn | None:
        """A reply to "Are you still there?": yes, or "I'm still here", keeps the session as it was
        (unless a hearing of it is a safety statement: "I am still bleeding")."""
        cleaned = clean(text)
        if not cleaned or self.matcher.safety_kind(cleaned) or self._alarm_in(cleaned, alternatives):
            return None
        found = self.matcher.command_of(cleaned, ("yes", "here", "no"))  # "no, I'm fine": an answer all the same
        if found is None:
            return None
        return self._command("here", Match(Kind.COMMAND, command="here", score=found[1], reason="reply to the idle warning"))

    def _end_reply(self, text: str, alternatives: tuple[str, ...] = ()) -> Turn | None:
        """A reply to "Do you want to end?": yes (or goodbye again) ends, no (or "not yet") goes on
        where the visitor was; anything else is heard as usual."""
        cleaned = clean(text)
        if not cleaned or self.matcher.safety_kind(cleaned) or self._alarm_in(cleaned, alternatives):
            return None
        found = self.matcher.command_of(cleaned, ("yes", "no", "here", "goodbye"))
        if found is None:
            return None
        reply = Match(Kind.COMMAND, command=found[0], score=found[1], reason="reply to the end question")
        return self._end_confirmed(found[0] in ("yes", "goodbye"), reply)

    def _end_confirmed(self, end: bool, match: Match) -> Turn:
        if end:
            return self._command("goodbye", replace(match, command="goodbye", score=1.0))
        return self._turn("command", [Say(self._p("end_declined"))], match=match, command="no", remember=False)

    def _heard(self, text: str, alternatives: tuple[str, ...] = ()) -> Turn:
        cleaned = clean(text)
        alarm = self._alarm_in(cleaned, alternatives)
        if alarm is not None:
            best = self.matcher.match(text)
            if best.kind is Kind.ANSWER and best.section is not None:
                return self._safety_then_answer(alarm, best)
            if best.kind is Kind.COMMAND and best.command in CARRIED_OUT_AFTER_SAFETY and best.score >= 1.0:
                return self._safety_then_command(alarm, best)
            return self._safety(alarm)
        if not cleaned:
            return self._miss("no_match")
        if self.mem.state is State.CLARIFYING:
            turn = self._clarify_reply(cleaned)
            if turn is not None:
                return turn
        if self.mem.guessed is not None:
            rejected = self.matcher.command_of(cleaned, ("other",))
            if rejected:
                return self._other_choice(Match(Kind.COMMAND, command="other", score=rejected[1],
                                                reason="the guess was not what they asked"))
        if self.mem.listed:
            pick = self.matcher.command_of(cleaned, (*ORDINALS, "last"))
            index = self._index(pick[0] if pick else None, len(self.mem.listed))
            if pick and index is not None:
                reply = Match(Kind.COMMAND, command=pick[0], score=pick[1], reason="pick from the topics")
                return self._answer(self.mem.listed[index], reply, announce=True)
        match = self.matcher.match(text)
        # "i would like to die" is no yes; "no thanks" to an offer is a no, not a thank-you
        if match.kind not in (Kind.COMMAND, Kind.SAFETY) or match.command in SOCIAL_COMMANDS:
            choice = self.matcher.command_of(cleaned, CHOICE_COMMANDS)
            if choice and (self.mem.offer or choice[0] in ("yes", "no", "other")):
                return self._command(choice[0], Match(Kind.COMMAND, command=choice[0], score=choice[1], reason="reply"))
            settled = self._settled(match, alternatives)
            if settled is not match and settled.section is not None:  # a guess: its title says what it answers
                turn = self._answer(settled.section, settled, announce=True, guessed=len(match.choices) > 1)
                self.mem.guessed = Guess(settled.section, match.choices)
                return turn
            match = self._command_in(match, alternatives)
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

    def _settled(self, match: Match, alternatives: tuple[str, ...]) -> Match:
        """A clarification ("Did you mean A or B?") that the recognizer's runner-up hearings settle: when
        ``settling_lead`` more of them ask for one of the offered sections than for any other (and, for
        "Did you mean A?" alone, more than half of them ask for it), that section is answered, under
        its title (so a wrong guess is heard at once); the same guess again, before any other answer,
        is asked about instead. Typed text has no runner-ups and is always asked."""
        lead_needed = self.settings.settling_lead
        if match.kind is not Kind.CLARIFY or not alternatives or lead_needed <= 0:
            return match
        votes = Counter(heard.section for heard in map(self.matcher.match, alternatives)
                        if heard.kind is Kind.ANSWER and heard.section in match.choices)
        ranked = votes.most_common(2)
        if not ranked or ranked[0][1] - (ranked[1][1] if len(ranked) > 1 else 0) < lead_needed:
            return match
        if len(match.choices) < 2 and 2 * ranked[0][1] <= len(alternatives):
            return match  # "Did you mean X?" alone doubts the question is in scope: most runner-ups must agree
        if self.mem.guessed is not None and ranked[0][0] == self.mem.guessed.section:
            return match  # the same guess again: it was not what they asked
        return replace(match, kind=Kind.ANSWER, section=ranked[0][0], choices=(),
                       reason=f"a clarification settled by {ranked[0][1]} of {len(alternatives)} runner-up hearings")

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
        self.mem.listed = ()
        self.mem.cut = ()

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

    def _safety_then_command(self, alarm: Match, best: Match) -> Turn:
        """A safety statement heard only as a runner-up while the best hearing is a clear command ("can
        you speak a bit slower please"): the safety message first, then the command, so a visitor steering
        the voice in a noisy room is not left without what they asked for. "repeat" replays the whole
        turn, the safety message too."""
        assert best.command is not None
        command = self._command(best.command, best)
        says = [Say(self._safety_message(alarm)), Say(self._p("safety_then_command"))]
        says += [a for a in command.actions if isinstance(a, Say)]
        extra = tuple(a for a in command.actions if not isinstance(a, (Say, StopSpeaking, Listen)))
        self.mem.misses = 0
        return self._turn("safety", says, extra=(StopSpeaking(), *extra), match=alarm, section=command.section,
                          command=command.command)

    def _answer(self, section_id: str, match: Match | None, announce: bool = False, guessed: bool = False) -> Turn:
        """A section from its first part. ``announce``: the visitor moved to it (next, a pick from the
        list) rather than asked for it, or it is a guess, so its place and title come first, as a
        talking book says a heading. ``guessed``: a guess between two topics, so the heading is
        followed by how to get the other one."""
        says = self._begin_answer(section_id)
        if announce:
            number, total = self._place(section_id)
            heading = [Say(self._p("heading", number=str(number), total=str(total), title=self._title(section_id)))]
            says[:0] = heading + ([Say(self._p("guess_hint"))] if guessed else [])
        return self._turn("answer", says, extra=(Earcon("understood"),), match=match, section=section_id)

    def _other_choice(self, match: Match) -> Turn:
        """"The other one", "wrong" or "not that one" after a guessed answer: the other topic the
        clarification offered, under its title (from the other one, back to the guess). A guess from
        "Did you mean A?" alone has none: the visitor is asked to put the question another way."""
        other = self._guess_other()
        if other is None:
            return self._ask_another_way(match, "other")
        return replace(self._answer(other, match, announce=True), command="other")

    def _ask_another_way(self, match: Match, command: str) -> Turn:
        """No topic was what they meant: the question is dropped and they are asked to put it another way."""
        self._reset_context()
        self.mem.state = State.LISTENING
        return self._turn("command", [Say(self._p("clarify_declined"))], match=match, command=command)

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
        if self._parts_left():
            return [Say(self._p("more_available"))]
        related = next((r for r in section.related if r not in self.mem.history[-3:]), None)
        if self.settings.offer_related and related:
            self.mem.offer = related
            return [Say(self._p("offer_related", title=self._title(related)))]
        return [Say(self._p("end_of_section"))]

    def _more(self, match: Match) -> Turn:
        if self.mem.help_rest and self._general_help():
            return replace(self._help_rest(match), command="more")
        if self.mem.section is None:
            return self._turn("command", [Say(self._p("ask_first"))], match=match, command="more")
        if self.mem.cut:
            said, self.mem.cut = list(self.mem.cut), ()  # from the start of the part a stop cut short
            self.mem.state = State.ANSWERING
            return self._turn("command", said, match=match, section=self.mem.section, command="more")
        if self._parts_left():
            return self._next_chunk(self.library.section(self.mem.section), match)
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
        self.mem.misses = self.mem.reasks = 0
        self.mem.choices = match.choices or ((match.section,) if match.section else ())
        self.mem.state = State.CLARIFYING
        return self._turn("clarify", [Say(self._question())], match=match)

    def _question(self) -> str:
        """The clarification's question, with its choices."""
        return self._p("clarify_" + self._how_many()) + " " + self._choices()

    def _how_many(self) -> str:
        return "two" if len(self.mem.choices) >= 2 else "one"

    def _choices(self) -> str:
        """The offered choices read out as the titles they are ("First: Is it breast cancer? Or second:
        ..."): a title with a comma in it then cannot sound like two choices."""
        titles = [self._title(c) for c in self.mem.choices]
        if len(titles) >= 2:
            return self._p("choices_two", first=titles[0], second=titles[1])
        return self._p("choices_one", first=titles[0])

    def _title(self, section_id: str) -> str:
        """A section's title as said on its own, ending like a sentence."""
        title = self.library.section(section_id).title.strip()
        return title if title.endswith(("?", ".", "!")) else title + "."

    @staticmethod
    def _index(pick: str | None, count: int) -> int | None:
        """The position a choice command picks among ``count`` offered, if it picks one there."""
        index = count - 1 if pick == "last" else ORDINALS.get(pick or "")
        return index if index is not None and 0 <= index < count else None

    def _reask(self, match: Match) -> Turn:
        """The reply did not pick a choice: ask again, with the choices, up to the reprompt limit."""
        self.mem.reasks += 1
        if self.mem.reasks >= self.settings.max_reprompts:
            self.mem.reasks = 0
            return self._ask_another_way(match, "no")
        text = self._p("clarify_again_" + self._how_many()) + " " + self._choices()
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
            leaves_it = name == "either" or (name == "yes" and len(choices) == 1)  # "either one": the closer
            index = 0 if leaves_it and choices else self._index(name, len(choices))
            if index is not None:
                return self._answer(choices[index], reply)
            if name == "no":
                self.mem.misses = 0
                return self._ask_another_way(reply, "no")
            return self._reask(reply)
        full = self.matcher.match(cleaned)
        if self.matcher.command_of(cleaned, GLOBAL_COMMANDS + SOCIAL_COMMANDS) or full.steps or full.command == "spell":
            return None
        named = self._named(cleaned)
        if named is not None:
            return self._answer(named, Match(Kind.ANSWER, section=named, score=1.0, reason="a choice's title named"))
        routed = self.matcher.route(cleaned, among=choices, accept=self.matcher.settings.choice_accept)
        if routed.kind is Kind.ANSWER and routed.section is not None:
            if full.kind is Kind.ANSWER and full.section not in choices:
                return None  # a new, clear question about something else
            return self._answer(routed.section, routed)
        if full.kind is Kind.ANSWER or full.reason.startswith("not covered"):
            return None  # a new question, answered or honestly declined
        if full.kind is Kind.CLARIFY and set(full.choices) - set(choices):
            return None  # a new question that needs its own clarification
        if len(cleaned.split()) > REASK_MAX_WORDS:
            return None  # something else said at length: the honest fallback, and the question is dropped
        return self._reask(full)  # "which one", "both", "I don't know", "what were the choices"

    def _named(self, cleaned: str) -> str | None:
        """The one offered choice whose title has every word of the reply ("breast cancer" for "Is it
        breast cancer?"), words such as "it" and "the" aside; None if none or several have them."""
        said = set(cleaned.split()) - STOPWORDS
        if not said:
            return None
        named = [c for c in self.mem.choices if said <= set(clean(self.library.section(c).title).split())]
        return named[0] if len(named) == 1 else None

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
        text = str(lines[min(self.mem.misses, len(lines)) - 1]).format(restart=self.restart).strip()
        extra: tuple[Action, ...] = (Earcon("not_understood"),)
        if self.mem.misses >= self.settings.max_reprompts:
            self.mem.misses = 0
            self._reset_context()
            self.mem.state = State.IDLE
            return Turn(what, extra + (Say(text),))
        if self.mem.state is State.CLARIFYING:  # keep the question in front of them, not a new one
            text = self._p(f"clarify_{what}") + " " + self._question()
        return self._turn(what, [Say(text)], extra=extra, remember=False)

    def _topic_pages(self) -> int:
        return max(1, -(-len(self.library.sections) // self.settings.topics_per_page))

    def _topics(self, page: int, match: Match) -> Turn:
        per = self.settings.topics_per_page
        pages = self._topic_pages()
        says = [Say(self._p("topics_first"))] if page < 0 else [Say(self._p("topics_wrapped"))] if page >= pages else []
        page = min(max(page, 0), pages) % pages  # back from the first page stays on it; on from the last starts over
        shown = self.library.sections[page * per : (page + 1) * per]
        items = [self._name(s.id) for s in shown]
        listed = "; ".join(items[:-1]) + ("; and " if len(items) > 1 else "") + items[-1]
        says.append(Say(self._p("topics_intro", items=listed)))
        says.append(Say(self._p("topics_end" if page + 1 >= pages else "topics_more")))
        self._reset_context()
        self.mem.topics_page, self.mem.listed = page, tuple(s.id for s in shown)
        self.mem.state = State.LISTENING
        return self._turn("command", says, match=match, command="topics")

    def _place(self, section_id: str) -> tuple[int, int]:
        """A topic's place among all of them: (number from 1, how many), as headings and "where am I" say it."""
        ids = [s.id for s in self.library.sections]
        return ids.index(section_id) + 1, len(ids)

    def _help(self, match: Match) -> Turn:
        # Help keeps the clarification or topic list it explains open (so "repeat" and "first" still work).
        if self.mem.help_rest and not self._asking:  # "help" again: the part not yet heard (a question stays last)
            return self._help_rest(match)
        tail = "help_general_more" if self._general_help() else None if self._asking else "help_again"
        text = self._help_text() + (" " + self._p(tail) if tail else "")
        turn = self._turn("command", [Say(text)], match=match, command="help")
        self.mem.help_rest = True
        return turn

    def _help_rest(self, match: Match) -> Turn:
        return self._turn("command", [Say(self._p("help_commands"))], match=match, command="help")

    def _general_help(self) -> bool:
        """Whether help is the general one: no clarification, topic list, offer or topic is open."""
        return not (self._asking or self.mem.topics_page is not None or self.mem.offer or self.mem.section is not None)

    def _help_text(self) -> str:
        """Help for where the visitor is: a clarification, the topic list, an offer, a topic, or none."""
        if self._asking:
            text = self._p("help_clarify_" + self._how_many(), choices=self._choices())
        elif self.mem.topics_page is not None:
            text = self._p("help_topics")
        elif self.mem.offer:
            text = self._p("help_offer", title=self._title(self.mem.offer))
        elif self.mem.section is not None:
            text = self._p("help_more" if self._parts_left() else "help_follow_up")
        else:
            text = self._p("help_general")
        other = self._guess_other()
        if other is not None and not self._asking:
            text = self._p("help_guess", title=self._title(other)) + " " + text
        return text

    def _guess_other(self) -> str | None:
        """The topic "the other one" would read now, if a guess is in question: the guess's choice that
        is not the topic being read (nothing ``GUESS_KEPT`` lets through moves to another topic)."""
        guess = self.mem.guessed
        others = [c for c in guess.choices if c != self.mem.section] if guess is not None else []
        return others[0] if others else None

    def _step(self, command: str, match: Match) -> Turn:
        key = self._move(command)
        return self._turn("command", [Say(self._p(key))], extra=(SetVoice(self.rate_wpm, self.volume),),
                          match=match, command=command, remember=False)

    def _move(self, command: str) -> str:
        """Step the rate or volume; the prompt that says so, or that the limit is reached."""
        st = self.speech
        low, high = round(st.rate_wpm * st.rate_min_factor), round(st.rate_wpm * st.rate_max_factor)
        if command in ("slower", "faster"):
            factor = st.rate_step if command == "faster" else 1 / st.rate_step
            new = max(low, min(high, round(self.rate_wpm * factor)))
            limit = new == self.rate_wpm
            self.rate_wpm = new
            return ("fastest" if command == "faster" else "slowest") if limit else command
        factor = st.volume_step if command == "louder" else 1 / st.volume_step
        cap = min(st.volume_max, self.volume_cap)
        new_v = round(max(min(st.volume_min, cap), min(cap, self.volume * factor)), 3)
        limit = abs(new_v - self.volume) < 0.05 * self.volume  # under half a decibel is no step
        self.volume = self.volume if limit else new_v
        return ("loudest" if command == "louder" else "softest") if limit else command

    def _stepped(self, command: str, match: Match) -> Turn:
        """A command said with voice steps ("say that again slower"): the steps first, then the
        command at the new rate and volume. Only a step that hits its limit is spoken about."""
        keys = [self._move(step) for step in match.steps]
        turn = self._command(command, replace(match, steps=()))
        if command not in STEP_COMMANDS:  # a step that went through is said by its own name's prompt
            keys = [key for key in keys if key not in STEP_COMMANDS]
        says = [Say(self._p(key)) for key in keys]
        return replace(turn, actions=(SetVoice(self.rate_wpm, self.volume), *says, *turn.actions))

    def _navigate(self, command: str, match: Match) -> Turn:
        ids = [s.id for s in self.library.sections]
        if self.mem.section is None:
            target = 0 if command == "next" else len(ids) - 1
        else:
            target = ids.index(self.mem.section) + (1 if command == "next" else -1)
        if not 0 <= target < len(ids):
            return self._turn("command", [Say(self._p("last_topic" if command == "next" else "first_topic"))],
                              match=match, command=command)
        turn = self._answer(ids[target], match, announce=True)
        return replace(turn, kind="command", command=command)

    def _beginning(self, match: Match) -> Turn:
        """"Start over", "from the top": the topic being read from its first part (the topic list from
        its first page); the part just read is what "repeat" is for."""
        if self.mem.topics_page is not None:
            return self._topics(0, match)
        if self.mem.section is None:
            return self._turn("command", [Say(self._p("ask_first"))], match=match, command="beginning")
        turn = self._answer(self.mem.section, match, announce=True)
        return replace(turn, kind="command", command="beginning")

    def _more_to_read(self) -> bool:
        """Whether "more" would read on in the topic (not: page the topics, or offer another)."""
        if self.mem.section is None or self.mem.topics_page is not None:
            return False
        return bool(self.mem.cut) or self._parts_left()

    def _parts_left(self) -> bool:
        """Whether the open topic has parts not read yet."""
        return self.mem.section is not None and self.mem.chunk + 1 < len(self.library.section(self.mem.section).answer)

    def _command(self, command: str, match: Match) -> Turn:
        if match.steps:
            return self._stepped(command, match)
        if command in ("more", "next", "previous") and self.mem.topics_page is not None:
            page = self.mem.topics_page + (-1 if command == "previous" else 1)
            return self._topics(page, match)
        if command in SOCIAL_COMMANDS:
            # Nothing the visitor was doing is lost: an offer, a clarification or a list stays open.
            return self._turn("command", [Say(self._p(f"social_{command}"))], match=match, command=command, remember=False)
        if command == "stop":
            cut = self.mem.cut  # "stop" said again after a stop cut a part short: "go on" still reads it
            self._reset_context()
            self.mem.cut, self.mem.state = cut, State.LISTENING
            stopped = self._p("stopped_more" if self._more_to_read() else "stopped")  # how to hear the rest
            return self._turn("command", [Say(stopped)], extra=(StopSpeaking(),), match=match,
                              command="stop", remember=False)
        if command == "repeat":
            if not self.mem.last_said:
                return self._turn("command", [Say(self._p("nothing_to_repeat"))], match=match, command="repeat", remember=False)
            said = list(self.mem.last_said)
            if any(s.section for s in said):
                self.mem.cut = ()  # heard again whole (unless this too is cut short)
                self.mem.state = State.ANSWERING
            return self._turn("command", said, match=match, command="repeat",
                              section=next((s.section for s in said if s.section), None))
        if command == "more":
            return self._more(match)
        if command in STEP_COMMANDS:
            return self._step(command, match)
        if command == "normal":  # the voice this guide starts with
            self.rate_wpm, self.volume = self.speech.rate_wpm, self.start_volume
            return self._turn("command", [Say(self._p("normal"))], extra=(SetVoice(self.rate_wpm, self.volume),),
                              match=match, command="normal", remember=False)
        if command == "topics":
            return self._topics(0, match)
        if command == "help":
            return self._help(match)
        if command == "goodbye":
            if match.score < 1.0:
                # Not sure it was a goodbye (a stray word, a near hearing, a runner-up: "next" heard as
                # "that is it"): ending would lose the visitor's place and voice, so ask (ux.md (a)13).
                self.mem.confirm_end = True
                return self._turn("command", [Say(self._p("end_confirm"))], match=match, command="goodbye", remember=False)
            self._reset_context()
            self.mem.state = State.ENDED
            return Turn("command", (Say(self._p("goodbye")), End()), command="goodbye", score=match.score, match=match)
        if command in ("next", "previous"):
            return self._navigate(command, match)
        if command == "beginning":
            return self._beginning(match)
        if command in ("brief", "full"):
            self.brief = command == "brief"
            return self._turn("command", [Say(self._p(f"prompts_{command}"))], match=match, command=command, remember=False)
        if command == "where":
            return self._turn("command", [Say(self._where())], match=match, command="where", remember=False)
        if command == "spell":
            text, spelled = self._spell(match.spelled)  # "how to ask" is not remembered: "spell that" then still
            turn = self._turn("command", [Say(text)], match=match, command="spell", remember=bool(spelled))
            self.mem.spelled = spelled or self.mem.spelled
            return turn
        if command == "yes":
            if self.mem.offer:
                turn = self._answer(self.mem.offer, match)
                return replace(turn, kind="command", command="yes")
            if (self.mem.invited_more and self._more_to_read()) or (self.mem.help_rest and self._general_help()):
                return replace(self._more(match), command="yes")
            return self._turn("command", [Say(self._p("yes_without_offer"))], match=match, command="yes")
        if command == "no":
            self._reset_context()
            return self._turn("command", [Say(self._p("no_without_offer"))], match=match, command="no")
        if command == "other":  # no guess to take the other of: an offer left open would be ambiguous
            self._reset_context()
            return self._turn("command", [Say(self._p("yes_without_offer"))], match=match, command=command)
        if command in (*ORDINALS, "last", "unsure", "either"):
            return self._turn("command", [Say(self._p("yes_without_offer"))], match=match, command=command)
        raise ValueError(f"unknown command {command!r}")

    def _where(self) -> str:
        """Where the visitor is, as a talking book says it: the topic's place among all of them and its
        title, and the part being read. Nothing is changed: an offer, a list or a question stays open."""
        if self._asking:
            return self._p("where_clarify") + " " + self._question()
        if self.mem.topics_page is not None:
            return self._p("where_topics", page=str(self.mem.topics_page + 1), pages=str(self._topic_pages()))
        if self.mem.section is None:
            return self._p("where_start")
        number, total = self._place(self.mem.section)
        parts = len(self.library.section(self.mem.section).answer)
        text = self._p("where_section", number=str(number), total=str(total),
                       title=self._title(self.mem.section))
        if parts > 1:
            text += " " + self._p("where_part", part=str(self.mem.chunk + 1), parts=str(parts))
        return text

    def _spell(self, words: tuple[str, ...]) -> tuple[str, tuple[str, ...]]:
        """The letters of the words asked for, or, for "spell that", of the long words just said (of
        the answer's part if one was read, else of whatever was said: a topic list, a message; after a
        spelling, the same words again); and the words spelled (none: the reply says how to ask)."""
        intro = ""
        if not words and self.mem.spelled:
            words = self.mem.spelled
        elif not words:
            if not self.mem.last_said:
                return self._p("spell_what"), ()
            read = [s.text for s in self.mem.last_said if s.section] or [s.text for s in self.mem.last_said]
            words = hard_words(" ".join(read), self.matcher.is_everyday)
            if not words:
                return self._p("spell_none"), ()
            intro = self._p("spell_recent") + " "
        return intro + " ".join(self._p("spelled", word=shown(w), letters=letters(w)) for w in words), words

    def _idle(self, seconds: float) -> Turn:
        if self.mem.state is State.ENDED:
            return Turn("idle", ())
        self.mem.idle_seconds += seconds
        if self.mem.idle_seconds >= self.idle_timeout_s:
            if not self._in_use():
                self.mem.idle_seconds = 0.0  # nothing to forget: stay quiet (a kiosk idles for hours)
                self.mem.greeted = False  # a greeting went to an empty room (a kiosk's start): the next visitor hears it
                return Turn("idle", ())
            self.reset()
            return Turn("reset", (ResetSession(), SetVoice(self.rate_wpm, self.volume), Say(self._p("idle_reset"))))
        if not self.mem.warned and self.mem.idle_seconds >= self.idle_timeout_s - self.idle_warning_s and self._in_use():
            self.mem.warned = True
            self.mem.confirm_end = self.mem.invited_more = False  # the question now is "are you still there?"
            left = str(math.ceil(self.idle_timeout_s - self.mem.idle_seconds - 1e-9))  # "in 20 seconds", not 19.4 rounded down
            return Turn("idle_warning", (Earcon("warning"), Say(self._p("idle_warning", seconds=left))))
        return Turn("idle", ())

    def key_bindings(self) -> dict[str, tuple[str, ...]]:
        """command -> keys, for every command this dialogue understands."""
        return self.matcher.key_bindings()

    def _in_use(self, voice: bool = True) -> bool:
        """Whether anyone has used the guide since the last reset (so there is something to forget);
        ``voice``: whether a changed rate or volume counts."""
        voice_changed = not self.settings.keep_voice and (
            (voice and (self.rate_wpm != self.speech.rate_wpm or self.volume != self.start_volume))
            or self.brief != self.settings.brief)
        return bool(self.mem.used or self.mem.history or self.mem.choices or self.mem.topics_page is not None
                    or voice_changed)

    def reset(self) -> None:
        """Forget the session and restore the default rate, volume and prompts (next person), unless
        the voice is the listener's own (``keep_voice``)."""
        self.mem = _Memory()
        if self.settings.keep_voice:
            return
        self.rate_wpm = self.speech.rate_wpm
        self.volume = self.start_volume
        self.brief = self.settings.brief

