"""Score the matcher on a labelled set (the format of shared/eval/dev_questions.yaml). Pure."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

from voice_guide.commands import CHOICE_COMMANDS
from voice_guide.errors import ContentError
from voice_guide.matcher import Kind, Match, Matcher
from voice_guide.text import clean
from voice_guide.yaml_lines import line_of, load_yaml


@dataclass(frozen=True)
class Case:
    text: str
    kind: Kind
    target: str | None
    """Section id (answer) or command name (command)."""
    line: int | None = None


@dataclass
class Report:
    total: int = 0
    correct: int = 0
    by_kind: dict[str, list[int]] = field(default_factory=dict)
    """kind -> [correct, total]"""
    by_section: dict[str, list[int]] = field(default_factory=dict)
    out_of_scope_given_section: int = 0
    out_of_scope_clarified: int = 0
    confusions: list[dict[str, Any]] = field(default_factory=list)

    def rate(self, kind: str) -> float:
        ok, n = self.by_kind.get(kind, [0, 0])
        return ok / n if n else 0.0

    @property
    def false_accept_rate(self) -> float:
        n = self.by_kind.get("out_of_scope", [0, 0])[1]
        return self.out_of_scope_given_section / n if n else 0.0

    @property
    def safety_recall(self) -> float:
        return self.rate("safety")

    def to_json(self) -> dict[str, Any]:
        return {
            "total": self.total,
            "accuracy": round(self.correct / self.total, 4) if self.total else 0.0,
            "by_kind": {k: {"correct": v[0], "total": v[1], "accuracy": round(v[0] / v[1], 4) if v[1] else 0.0}
                        for k, v in self.by_kind.items()},
            "by_section": {k: {"correct": v[0], "total": v[1]} for k, v in sorted(self.by_section.items())},
            "out_of_scope_false_accept_rate": round(self.false_accept_rate, 4),
            "out_of_scope_clarified": self.out_of_scope_clarified,
            "safety_recall": round(self.safety_recall, 4),
            "confusions": self.confusions,
        }


def load_cases(path: str | Path) -> list[Case]:
    p = Path(path)
    data = load_yaml(p)
    name = str(p)
    if not isinstance(data, dict):
        raise ContentError(name, 1, "an evaluation file maps answer/command/out_of_scope/safety to questions")
    unknown = set(data) - {"answer", "command", "out_of_scope", "safety"}
    if unknown:
        key = sorted(unknown)[0]
        raise ContentError(name, line_of(data, key), f"unknown key '{key}' (known: answer, command, out_of_scope, safety)")
    cases: list[Case] = []
    for kind_name in ("answer", "command"):
        group = data.get(kind_name) or {}
        if not isinstance(group, dict):
            raise ContentError(name, line_of(data, kind_name), f"'{kind_name}' must map a name to a list of questions")
        for target, questions in group.items():
            if not isinstance(questions, list):
                raise ContentError(name, line_of(group, target), f"'{target}' must be a list of questions")
            for i, q in enumerate(questions):
                cases.append(Case(_question(q, name, line_of(questions, i)), Kind(kind_name), str(target), line_of(questions, i)))
    for kind_name in ("out_of_scope", "safety"):
        questions = data.get(kind_name) or []
        if not isinstance(questions, list):
            raise ContentError(name, line_of(data, kind_name), f"'{kind_name}' must be a list of questions")
        for i, q in enumerate(questions):
            cases.append(Case(_question(q, name, line_of(questions, i)), Kind(kind_name), None, line_of(questions, i)))
    if not cases:
        raise ContentError(name, 1, "no questions found")
    return cases


def _question(value: object, name: str, line: int | None) -> str:
    if isinstance(value, bool) or not isinstance(value, (str, int, float)) or not str(value).strip():
        raise ContentError(name, line, "a question must be text (quote it if it looks like something else)")
    return str(value)


def check_targets(cases: list[Case], name: str, sections: Iterable[str], commands: Iterable[str]) -> None:
    """Every expected section and command exists: a typo would otherwise count as a miss."""
    known = {Kind.ANSWER: set(sections), Kind.COMMAND: set(commands)}
    for case in cases:
        if case.kind in known and case.target not in known[case.kind]:
            what = "section" if case.kind is Kind.ANSWER else "command"
            raise ContentError(name, case.line, f"no {what} '{case.target}' (known: {', '.join(sorted(known[case.kind]))})")


def is_correct(case: Case, m: Match) -> bool:
    if case.kind is Kind.ANSWER:
        return m.kind is Kind.ANSWER and m.section == case.target
    if case.kind is Kind.COMMAND:
        return m.kind is Kind.COMMAND and m.command == case.target
    return m.kind is case.kind


def judged(matcher: Matcher, case: Case) -> Match:
    """How the matcher takes a case. A reply the guide takes only when it has asked something ("yes",
    "the second one", "the other one" after a guess) is judged as such a reply, since on its own it
    is no command."""
    if case.kind is Kind.COMMAND and case.target in CHOICE_COMMANDS:
        # "wrong" is a no to an offer and "the other one" after a guess, when the guide listens for that alone
        found = matcher.command_of(clean(case.text), ("other",) if case.target == "other" else CHOICE_COMMANDS)
        if found:
            return Match(Kind.COMMAND, command=found[0], score=found[1], reason="a reply")
    return matcher.match(case.text)


def evaluate(matcher: Matcher, cases: list[Case]) -> Report:
    report = Report()
    kinds: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    sections: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for case in cases:
        m = judged(matcher, case)
        ok = is_correct(case, m)
        report.total += 1
        report.correct += ok
        kinds[case.kind.value][0] += ok
        kinds[case.kind.value][1] += 1
        if case.kind is Kind.ANSWER and case.target:
            sections[case.target][0] += ok
            sections[case.target][1] += 1
        if case.kind is Kind.OUT_OF_SCOPE:
            report.out_of_scope_given_section += m.kind is Kind.ANSWER
            report.out_of_scope_clarified += m.kind is Kind.CLARIFY
        if not ok:
            report.confusions.append({
                "text": case.text,
                "expected": case.target or case.kind.value,
                "got": m.section or m.command or m.kind.value,
                "got_kind": m.kind.value,
                "score": round(m.score, 3),
                "line": case.line,
            })
    report.by_kind = dict(kinds)
    report.by_section = dict(sections)
    return report


def confusion_pairs(report: Report) -> list[tuple[str, str, int]]:
    counts = Counter((c["expected"], c["got"]) for c in report.confusions)
    return [(a, b, n) for (a, b), n in counts.most_common()]
