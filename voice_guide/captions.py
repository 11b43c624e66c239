"""Captions: every spoken line also shown as large, high-contrast text, with the listening state.

For hard-of-hearing visitors and anyone in a loud room. ``RichCaptions`` draws a full-screen panel
(yellow/white on black, no flashing). There are none without a terminal: standard error is then a
log, and a log must not learn what a visitor asked or was told.
"""

from __future__ import annotations

from collections import deque

from rich.console import Console, Group, RenderableType
from rich.panel import Panel
from rich.text import Text

STATES = {
    "idle": "Press SPACE or say \u201chey guide\u201d to ask a question",
    "listening": "\u25cf LISTENING \u2014 ask your question",
    "thinking": "\u2026 one moment",
    "speaking": "\u25b6 SPEAKING \u2014 press S or say \u201cstop\u201d to stop",
    "playing": "\u266a RADIO \u2014 press SPACE to ask a question",
    "paused": "\u23f8 PAUSED",
    "ended": "Goodbye",
}


def caption_states(mode: str = "push_to_talk", wake_phrase: str = "hey guide", barge_in: bool = True) -> dict[str, str]:
    """The status bar's words for the way this guide listens: what starts a question, and whether
    "stop" is heard while it speaks (``barge_in``); the S key always stops."""
    start = {"push_to_talk": "Press SPACE to ask a question", "wake": f"Say \u201c{wake_phrase}\u201d to ask a question",
             "continuous": "Ask a question whenever you are ready"}
    states = dict(STATES, idle=start.get(mode, STATES["idle"]))
    if not barge_in:
        states["speaking"] = "\u25b6 SPEAKING \u2014 press S to stop"
    return states


class RichCaptions:
    """Redraws the screen on each change: status bar, current topic, the last few captions."""

    def __init__(self, console: Console | None = None, keep: int = 3, keys_hint: str = "",
                 states: dict[str, str] | None = None) -> None:
        self.console = console or Console()
        self.lines: deque[tuple[str, str]] = deque(maxlen=keep)
        self.state = "idle"
        self.topic: str | None = None
        self.keys_hint = keys_hint
        self.states = states or STATES

    def clear(self) -> None:
        self.lines.clear()
        self.topic = None
        self._draw()

    def caption(self, who: str, text: str) -> None:
        self.lines.append((who, text))
        self._draw()

    def status(self, state: str, topic: str | None = None) -> None:
        self.state = state
        if topic is not None:
            self.topic = topic
        self._draw()

    def render(self) -> Group:
        bar = Text(self.states.get(self.state, self.state), style="bold black on yellow", justify="center")
        topic = Text(f"Topic: {self.topic}" if self.topic else " ", style="bold yellow on black")
        body: list[RenderableType] = []
        for i, (who, text) in enumerate(self.lines):
            latest = i == len(self.lines) - 1
            style = "bold white on black" if latest else "grey70 on black"
            body.append(Text(f"{who}: ", style="bold yellow on black") + Text(text, style=style))
            body.append(Text(""))
        panel = Panel(Group(*body) if body else Text(""), style="on black", border_style="yellow", padding=(1, 3))
        parts: list[RenderableType] = [bar, topic, panel]
        if self.keys_hint:
            parts.append(Text(self.keys_hint, style="white on black"))
        return Group(*parts)

    def _draw(self) -> None:
        if self.console.is_terminal:
            self.console.clear()
        self.console.print(self.render())
