"""``voice-guide content check`` and ``voice-guide eval``."""

from __future__ import annotations

import argparse

from voice_guide.cli.common import add_content_args, load_content, print_json, usage
from voice_guide.content import Library, Pack, build_library, builtin_pack_paths, load_pack, pack_paths
from voice_guide.commands import load_commands
from voice_guide.evaluation import check_targets, confusion_pairs, evaluate, load_cases
from voice_guide.matcher import Kind, Matcher


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    content = sub.add_parser("content", help="work with content packs")
    content_sub = content.add_subparsers(dest="content_command", metavar="ACTION")
    check = content_sub.add_parser(
        "check", help="validate content packs",
        description="Validate a content pack file or a folder of packs (default: the built-in packs). "
        "Errors are reported as file:line: message. Then every example question is asked as a visitor "
        "would, beside the built-in pack: one that does not reach its own section (another section, "
        "a clarification that does not name it, a fallback) is listed with the reason, and the check fails (exit 1).",
    )
    check.add_argument("path", nargs="?", help="a pack file or a folder of *.yaml packs")
    check.add_argument("--json", action="store_true", help="print a JSON summary")
    check.add_argument("--no-builtin", action="store_true",
                       help="check the pack without the built-in pack beside it (for a guide run with --no-builtin)")
    check.set_defaults(handler=run_check)
    content.set_defaults(handler=lambda args: usage(content))

    ev = sub.add_parser(
        "eval", help="measure question understanding on a labelled file",
        description="Read a YAML file of labelled utterances (answer: {section: [...]}, command: {name: [...]}, "
        "out_of_scope: [...], safety: [...]) and print accuracy per kind and per section, the out-of-scope "
        "false-accept rate, safety recall and the confusions.",
    )
    ev.add_argument("file", help="labelled YAML, e.g. tests/data/heldout.yaml")
    ev.add_argument("--json", action="store_true", help="print the report as one JSON object")
    add_content_args(ev)
    ev.set_defaults(handler=run_eval)


def run_check(args: argparse.Namespace) -> int:
    paths = pack_paths(args.path) if args.path is not None else builtin_pack_paths()
    packs = [load_pack(p) for p in paths]
    if args.path is not None and not args.no_builtin:  # checked as it will be used: beside the built-in pack
        packs = [load_pack(p) for p in builtin_pack_paths() if p.resolve() not in {q.resolve() for q in paths}] + packs
    library = build_library(packs)
    checked = [p for p in library.packs if any(p.path == str(q) for q in paths)]
    astray = _examples_astray(library, checked)
    if args.json:
        print_json({"ok": not astray, "packs": [{"id": p.id, "path": p.path, "sections": len(p.sections)} for p in checked],
                    "examples_astray": astray})
    else:
        for p in checked:
            print(f"ok: {p.path}: pack '{p.id}', {len(p.sections)} sections, "
                  f"{sum(len(s.examples) for s in p.sections)} example questions")
        for a in astray:
            print(f"astray: {a['path']}: section '{a['section']}': \"{a['example']}\" gets {a['got']} ({a['reason']})")
        if astray:
            print(f"{len(astray)} example question(s) do not reach their own section: reword them, add keywords or "
                  "examples, or see which pack's not_covered or section takes them")
    return 1 if astray else 0


def _examples_astray(library: Library, packs: list[Pack]) -> list[dict[str, str]]:
    """Every example question of ``packs`` asked as a visitor would: those that do not reach their own section."""
    matcher = Matcher(library)
    astray = []
    for pack in packs:
        for section in pack.sections:
            for example in section.examples:
                match = matcher.match(example)
                offered = match.choices or ((match.section,) if match.section else ())
                if match.kind in (Kind.ANSWER, Kind.CLARIFY) and section.id in offered:
                    continue  # answered, or asked back about ("Did you mean ...?") with its own section named
                got = (f"section '{match.section}'" if match.kind is Kind.ANSWER else
                       f"the {match.command} command" if match.kind is Kind.COMMAND else match.kind.value.replace("_", " "))
                astray.append({"path": pack.path, "section": section.id, "example": example, "got": got,
                               "reason": match.reason})
    return astray


def run_eval(args: argparse.Namespace) -> int:
    library, matcher = load_content(args)
    cases = load_cases(args.file)
    check_targets(cases, str(args.file), (s.id for s in library.sections), load_commands().specs)
    report = evaluate(matcher, cases)
    if args.json:
        print_json(report.to_json())
        return 0
    print(f"{report.correct}/{report.total} correct ({100 * report.correct / report.total:.1f}%)")
    for kind, (ok, n) in report.by_kind.items():
        print(f"  {kind:13} {ok:4}/{n:<4} {100 * ok / n:5.1f}%")
    if "out_of_scope" in report.by_kind:
        print(f"  out-of-scope given a section: {report.out_of_scope_given_section} "
              f"({100 * report.false_accept_rate:.1f}%); asked to clarify: {report.out_of_scope_clarified}")
    if "safety" in report.by_kind:
        print(f"  safety recall: {100 * report.safety_recall:.1f}%")
    print("per section:")
    for sid, (ok, n) in sorted(report.by_section.items()):
        print(f"  {sid:22} {ok:3}/{n:<3}")
    if report.confusions:
        print("confusions (expected -> got):")
        for expected, got, n in confusion_pairs(report):
            print(f"  {n:3}  {expected} -> {got}")
        print("misses:")
        for c in report.confusions:
            print(f"  line {c['line']}: {c['expected']} -> {c['got']} ({c['got_kind']}, {c['score']}): {c['text']}")
    return 0
