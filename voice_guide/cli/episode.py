"""``voice-guide episode``: list plans and build radio-show episodes (script, audio, bundle, feed)."""

from __future__ import annotations

import argparse
import json
import os
import queue
import signal
import sys
from concurrent.futures import Future, ProcessPoolExecutor
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable

from voice_guide.errors import ConfigError, VoiceGuideError
from voice_guide.output_file import writable_folder
from voice_guide.stop_signals import STOP_SIGNALS, stops_held

ENGINES = ("pyttsx3", "piper")
DEFAULT_OUT = "episodes"
DEFAULT_PLAN = "what-is-mbc"
"""The episode built when no plan is named (for the built-in pack)."""


def _make_synthesizer(name: str) -> Any:
    """The only place an episode's speech engine is chosen."""
    if name == "pyttsx3":
        from voice_guide.engines.pyttsx3_tts import Pyttsx3Synthesizer

        return Pyttsx3Synthesizer()
    if name == "piper":
        from voice_guide.engines.piper_tts import PiperSynthesizer

        return PiperSynthesizer()
    raise ConfigError(f"unknown voice engine '{name}'; choose one of: {', '.join(ENGINES)}")


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "episode", help="build radio-show episodes from the content",
        description="Build radio-show episodes offline: a script from the content pack and a plan, audio, "
        "and a publishing bundle (MP3, chapters, transcripts, show notes, RSS feed, QA report).",
    )
    sub = parser.add_subparsers(dest="episode_command", metavar="ACTION")
    parser.set_defaults(handler=lambda args: (parser.print_help(), 2)[1])

    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--content", action="append", default=[], metavar="PATH", help="extra content pack file or folder (repeatable)")
    common.add_argument("--no-builtin", action="store_true", help="leave out the built-in pack: only the --content packs")
    common.add_argument("--plans", action="append", default=[], metavar="PATH", help="extra plan file or folder (repeatable)")
    common.add_argument("--json", action="store_true", help="print machine-readable JSON instead of a summary")

    plans = sub.add_parser("plans", parents=[common], help="list the episode plans")
    plans.set_defaults(handler=_cmd_plans)

    build = sub.add_parser("build", parents=[common], help="build one episode or all of them")
    which = build.add_mutually_exclusive_group()
    which.add_argument("--plan", metavar="NAME", help="plan id (see 'voice-guide episode plans'); default: the full episode")
    which.add_argument("--all", action="store_true", help="every plan for the pack, rendered in parallel processes")
    build.add_argument("--pack", metavar="ID", help="content pack id (default: the plan's pack, else the first pack)")
    build.add_argument("--voice-engine", choices=ENGINES, default="pyttsx3", help="speech engine (default: pyttsx3)")
    build.add_argument("--out", default=DEFAULT_OUT, metavar="DIR", help=f"output folder; the feed accumulates here (default: {DEFAULT_OUT})")
    build.add_argument("--script-only", action="store_true", help="write script.md/script.json and the QA report, no audio")
    build.add_argument("--seed", type=int, default=0, help="framing variant seed (same seed, same script)")
    build.add_argument("--mono", action="store_true", help="mono at -19 LUFS instead of stereo at -16 LUFS")
    build.add_argument("--no-sting", action="store_true", help="leave out the synthesized intro/outro sting")
    build.add_argument("--no-wav", action="store_true", help="write the MP3 only")
    build.add_argument("--show", metavar="FILE", help="show settings YAML (title, owner, base_url, ...)")
    build.add_argument("--jobs", type=_positive, default=os.cpu_count() or 1, metavar="N", help="parallel processes for --all")
    build.set_defaults(handler=_cmd_build)


def _positive(text: str) -> int:
    """A count of at least 1, for argparse."""
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"'{text}' is not a whole number of at least 1")
    return value


def _load(args: argparse.Namespace) -> tuple[Any, list[Any]]:
    from voice_guide.content import load_library
    from voice_guide.episode.plans import load_plans

    return load_library(args.content, builtin=not args.no_builtin), load_plans(args.plans)


def _cmd_plans(args: argparse.Namespace) -> int:
    from voice_guide.episode.plans import resolve

    library, plans = _load(args)
    rows = []
    for plan in plans:
        packs = [p for p in library.packs if plan.applies_to(p)]
        for pack in packs:
            segments = resolve(plan, pack)
            sections = {s.section.id for seg in segments for s in seg.sections}
            rows.append({"plan": plan.id, "title": plan.title_for(pack), "pack": pack.id, "segments": len(segments), "sections": len(sections), "target_minutes": plan.target_minutes, "description": plan.description})
    if args.json:
        print(json.dumps(rows, indent=2))
        return 0
    # One plan a line, its name first and never cut: the names are what --plan and --pack take.
    for r in rows:
        length = f", {r['target_minutes']:g} min" if r["target_minutes"] else ""
        topics = f"{r['sections']} topic" + ("" if r["sections"] == 1 else "s")
        print(f"{r['plan']}: {r['title']} (pack {r['pack']}; {r['segments']} parts, {topics}{length})")
    return 0


def _now() -> datetime:
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.isdigit():
        return datetime.fromtimestamp(int(epoch), timezone.utc)
    return datetime.now(timezone.utc)


def _tasks(args: argparse.Namespace, library: Any, plans: list[Any]) -> list[tuple[Any, Any]]:
    """(plan, pack) pairs to build. --all: every plan for every loaded pack it applies to (or --pack)."""
    from voice_guide.episode.plans import ANY_PACK, find_plan

    def pack_by_id(pack_id: str) -> Any:
        for p in library.packs:
            if p.id == pack_id:
                return p
        raise ConfigError(f"no content pack '{pack_id}'; loaded: {', '.join(p.id for p in library.packs)}")

    packs = [pack_by_id(args.pack)] if args.pack else list(library.packs)
    if args.all:
        return [(plan, pack) for plan in plans for pack in packs if plan.applies_to(pack)]
    # Named, or else: the flagship episode, else the first plan written for the pack, else one for any pack.
    named = [find_plan(plans, args.plan)] if args.plan else sorted(plans, key=lambda p: (p.pack == ANY_PACK, p.id != DEFAULT_PLAN))
    for pack in packs:
        for plan in named:
            if plan.applies_to(pack):
                return [(plan, pack)]
    asked = ", ".join(p.id for p in packs)
    if not args.plan:
        raise ConfigError(f"no plan is for pack {asked}; write one (see voice_guide/episode/plans/) and add it with --plans")
    plan = named[0]
    loaded = any(p.id == plan.pack for p in library.packs)
    fix = "pick another --plan ('voice-guide episode plans') or --pack" + (
        "" if loaded else ", or add the pack it is for with --content")
    raise ConfigError(f"plan '{plan.id}' is for pack '{plan.pack}', not {asked}; {fix}")


def _options(args: argparse.Namespace) -> Any:
    from voice_guide.episode.pipeline import BuildOptions

    return BuildOptions(seed=args.seed, channels=1 if args.mono else 2, sting=not args.no_sting, script_only=args.script_only, write_wav=not args.no_wav)


def _build_one(argv: dict[str, Any], plan_id: str, pack_id: str, now: datetime, events: Any) -> dict[str, Any]:
    """Worker: load everything, choose the engine, build one episode. Runs in a child process."""
    _BUILDING[0] = True  # first, then the check: a stop signal in between interrupts at once
    try:
        if _STOPPED:
            raise KeyboardInterrupt  # a build handed over before the stop signal: not started
        return _build_in_worker(argv, plan_id, pack_id, now, events)
    finally:
        _BUILDING[0] = False


def _build_in_worker(argv: dict[str, Any], plan_id: str, pack_id: str, now: datetime, events: Any) -> dict[str, Any]:
    args = argparse.Namespace(**argv)
    from voice_guide.episode.pipeline import Resources, build_episode
    from voice_guide.episode.plans import find_plan

    library, plans = _load(args)
    plan = find_plan(plans, plan_id)
    pack = next(p for p in library.packs if p.id == pack_id)
    res = Resources.load(args.show)
    slug = plan.slug(pack)
    synthesizer = None if args.script_only else _make_synthesizer(args.voice_engine)
    try:
        result = build_episode(pack, plan, res, Path(args.out), _options(args), synthesizer, args.voice_engine, now,
                               step=(lambda stage, done, total: events.put((slug, stage, done, total))) if events is not None else None)
    finally:
        if synthesizer is not None:
            synthesizer.close()
    return result.qa


def _cmd_build(args: argparse.Namespace) -> int:
    from voice_guide.episode.feed import write_feed
    from voice_guide.episode.pipeline import Resources

    library, plans = _load(args)
    Resources.load(args.show)  # fail fast on broken templates or settings
    tasks = _tasks(args, library, plans)
    out = writable_folder(args.out)
    now = _now()
    argv = {k: v for k, v in vars(args).items() if k != "handler"}
    if not args.script_only:
        _make_synthesizer(args.voice_engine).close()  # one clear line now if the engine cannot start
    results = _run(argv, tasks, now, parallel=args.all and not args.script_only and args.jobs > 1, jobs=args.jobs, quiet=args.json)
    feed_path = None
    if not args.script_only:
        res = Resources.load(args.show)
        feed_path, count = write_feed(out, res.show)
        if "example.org" in res.show.base_url or "example.org" in res.show.owner_email:
            print(f"voice-guide: {feed_path} uses the placeholder address {res.show.base_url}; before publishing it, "
                  "give a show file with your base_url and owner_email (--show FILE, see voice_guide/episode/show.yaml)",
                  file=sys.stderr)
    if args.json:
        print(json.dumps({"episodes": results, "feed": str(feed_path) if feed_path else None}, indent=2))
    else:
        _print_summary(results, feed_path)
    failed = [r["episode"]["plan"] for r in results if not r["ok"]]
    if failed:
        print(f"voice-guide: QA failed for: {', '.join(failed)} (see qa.json in each folder)", file=sys.stderr)
        return 1
    return 0


def _run(argv: dict[str, Any], tasks: list[tuple[Any, Any]], now: datetime, parallel: bool, jobs: int, quiet: bool) -> list[dict[str, Any]]:
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    console = Console(stderr=True, quiet=quiet)
    columns = (TextColumn("{task.description:<28}"), BarColumn(), MofNCompleteColumn(), TextColumn("{task.fields[stage]:<7}"), TimeElapsedColumn())
    with Progress(*columns, console=console, transient=False) as progress:
        ids = {plan.slug(pack): progress.add_task(plan.slug(pack), total=None, stage="queued") for plan, pack in tasks}

        def update(slug: str, stage: str, done: int, total: int) -> None:
            progress.update(ids[slug], completed=done, total=total, stage=stage)

        if not parallel:
            out = []
            for plan, pack in tasks:
                out.append(_build_one(argv, plan.id, pack.id, now, _Direct(update)))
                if argv["script_only"]:
                    progress.update(ids[plan.slug(pack)], total=1, completed=1)
                progress.update(ids[plan.slug(pack)], stage="done")
            return out
        from multiprocessing.managers import SyncManager

        manager = SyncManager()
        with stops_held(for_children=True):  # the progress queue's manager is forked here
            manager.start(_manager_started)
        with manager:
            events = manager.Queue()
            with ProcessPoolExecutor(max_workers=max(1, min(jobs, len(tasks))), initializer=_quiet_when_stopped) as pool:
                futures: list[Future[dict[str, Any]]] = []
                try:
                    with stops_held(for_children=True):  # the workers are forked here
                        futures.extend(pool.submit(_build_one, argv, plan.id, pack.id, now, events) for plan, pack in tasks)
                    while not all(f.done() for f in futures):
                        _drain(events, update, timeout=0.1)
                except KeyboardInterrupt:  # Ctrl-C or a stop request (SIGTERM)
                    # A second one must not cut the pool's shutdown short: the manager would go
                    # first, under workers still cleaning up, and leave half-built folders behind.
                    _ignore_stop_signals()
                    _stop_workers(pool, futures)
                    raise
                _drain(events, update, timeout=0.0)
                results = []
                for (plan, pack), future in zip(tasks, futures):
                    try:
                        results.append(future.result())
                    except VoiceGuideError:
                        raise
                    progress.update(ids[plan.slug(pack)], stage="done")
                return results


def _stop_workers(pool: ProcessPoolExecutor, futures: list[Future[dict[str, Any]]]) -> None:
    """Ctrl-C or SIGTERM: drop the builds not started and interrupt the running ones (each leaves its last
    complete episode as it was), rather than let every queued episode render first."""
    for future in futures:
        future.cancel()
    processes: dict[int, Any] = getattr(pool, "_processes", None) or {}
    for process in list(processes.values()):
        try:
            os.kill(process.pid, signal.SIGINT)
        except OSError:
            pass  # already gone


_STOPPED: list[int] = []
"""In a build worker, the stop signals it has had: any build handed to it afterwards ends at once."""


_BUILDING: list[bool] = [False]
"""In a build worker: whether a build is running (a stop signal interrupts it) or the worker is between
builds, inside the pool's own code (a stop signal is only recorded: an exception there would kill the
worker and break the pool)."""


def _ignore_stop_signals() -> None:
    for signum in STOP_SIGNALS:
        signal.signal(signum, signal.SIG_IGN)


_PARENT: list[int] = []
"""In the manager and the build workers: the main process's pid, to tell when it is gone."""


def _orphaned() -> bool:
    return bool(_PARENT) and os.getppid() != _PARENT[0]


def _take_stop_signals(handler: Callable[[int, object], None]) -> None:
    """In a child just forked (the manager, a build worker): ``handler`` for stop signals, then the
    signals held since the fork (see ``stops_held``) are let in; the main process is noted as parent."""
    _PARENT.append(os.getppid())
    for signum in STOP_SIGNALS:
        signal.signal(signum, handler)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, STOP_SIGNALS)


def _manager_started() -> None:
    """The progress queue's manager process outlives the workers that report to it: the main process
    shuts it down last, so it takes no stop signal, unless the main process is gone (killed, say),
    when nothing else would ever end it."""

    def stopped(signum: int, frame: object) -> None:
        if _orphaned():
            os._exit(128 + signum)

    _take_stop_signals(stopped)


def _quiet_when_stopped() -> None:
    """In a build worker: Ctrl-C or SIGTERM interrupts the build (its last complete episode is kept) and the
    worker ends without a traceback of its own; the main process says it stopped.

    The handler takes no lock: a second Ctrl-C (the terminal's to the whole group, then the main
    process's own) can arrive while it runs, and re-entering a held lock would hang the worker."""

    def interrupted(signum: int, frame: object) -> None:
        if _orphaned():
            os._exit(128 + signum)  # the main process is gone: no one would ever hand this worker an end
        first = not _STOPPED
        _STOPPED.append(signum)
        if first:  # a further stop signal must not cut into the clean-up
            sys.stderr = open(os.devnull, "w")
            if _BUILDING[0]:
                raise KeyboardInterrupt

    _take_stop_signals(interrupted)


class _Direct:
    """Queue-like adapter so the in-process build reports progress the same way as workers."""

    def __init__(self, update: Callable[[str, str, int, int], None]) -> None:
        self.update = update

    def put(self, event: tuple[str, str, int, int]) -> None:
        self.update(*event)


def _drain(events: Any, update: Callable[[str, str, int, int], None], timeout: float) -> None:
    try:
        event = events.get(timeout=timeout) if timeout else events.get_nowait()
        while True:
            update(*event)
            event = events.get_nowait()
    except queue.Empty:
        return


def _print_summary(results: list[dict[str, Any]], feed_path: Path | None) -> None:
    for qa in results:
        ep = qa["episode"]
        print(f"{ep['plan']}: {ep['title']}")
        dur = qa["duration_s"]
        if dur is not None:
            print(f"  duration   {int(dur // 60)}:{int(dur % 60):02d} (estimated {qa['estimated_s'] / 60:.1f} min), {qa['words']['total']} words, {qa['lines']} lines, {qa['segments']} chapters")
        else:
            print(f"  script     {qa['words']['total']} words, {qa['lines']} lines, {qa['segments']} segments, about {qa['estimated_s'] / 60:.1f} min at the set pace")
        loud = qa["loudness"]
        for name in ("wav", "mp3"):
            value = loud.get(name)
            if value:
                print(f"  {name:<10} {value['integrated_lufs']:.2f} LUFS, true peak {value['true_peak_dbtp']:.2f} dBTP (target {loud['target_lufs']:g} ± {loud['tolerance_lu']:g}, peak <= {loud['max_true_peak_dbtp']:g})")
        if loud.get("mp3_note") and not loud.get("mp3"):
            print(f"  mp3        {loud['mp3_note']}")
        if qa.get("timing"):
            print(f"  timing     {qa['timing']['checked']} starts checked, max error {qa['timing']['max_error_ms']:.1f} ms")
        read = qa["readability"]
        flagged = [s["id"] for s in read["segments"] if s["flagged"]]
        print(f"  readability grade {read['episode_grade']:.1f} overall; above {read['limit']:g}: {', '.join(flagged) or 'none'}")
        disclaimer = qa["disclaimer"]
        print(f"  disclaimer {'at the start and the end' if disclaimer['opening'] and disclaimer['closing'] else 'MISSING at the start or the end'}")
        print(f"  provenance {qa['provenance']['share']:.0%} of {qa['provenance']['lines']} lines ({', '.join(f'{k} {v}' for k, v in sorted(qa['provenance']['by_kind'].items()))})")
        if qa.get("speed"):
            print(f"  speed      render {qa['speed']['render_x_realtime']:g}x real time, whole build {qa['speed']['build_x_realtime']:g}x")
        failed = [c for c in qa["checks"] if c["ok"] is False]
        skipped = [c for c in qa["checks"] if c["ok"] is None]
        status = "all checks passed" if not failed else "FAILED: " + "; ".join(f"{c['name']} ({c['detail']})" for c in failed)
        if skipped:
            status += " · skipped: " + "; ".join(f"{c['name']} ({c['detail']})" for c in skipped)
        print(f"  qa         {status}")
        if "folder" in ep:
            print(f"  files      {ep['folder']}/")
    if feed_path is not None:
        print(f"feed: {feed_path}")
