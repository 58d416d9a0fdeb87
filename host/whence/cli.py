"""The `whence` command (DESIGN §2): analyze, report, doctor, feeds.

Exit status 0 whenever the messages were read, whatever the verdicts.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any, cast

from . import __version__
from .settings import Settings, load


def _settings(args: argparse.Namespace) -> Settings:
    settings = load()
    if getattr(args, "offline", False):
        settings = settings.with_overrides(offline=True)
    if getattr(args, "lang", None):
        settings = settings.with_overrides(lang=args.lang)
    if getattr(args, "history", False):
        settings = settings.with_overrides(history=True)
    return settings


def cmd_analyze(args: argparse.Namespace) -> int:
    from .batch import analyze_stream, default_jobs, input_files, iter_jobs, total_bytes

    settings = _settings(args)
    out = sys.stdout
    files = input_files(args.paths)
    workers = args.jobs if args.jobs and args.jobs > 0 else default_jobs()
    results = analyze_stream(iter_jobs(files), settings, args.json, workers)
    try:
        if args.json:
            for _job, line in results:
                out.write(cast(str, line))  # --json: each result is a JSON line
                out.flush()
        else:
            _show(results, settings, total_bytes(files) if out.isatty() else None)
    except OSError as exc:
        print(f"whence: {exc}", file=sys.stderr)
        return 2
    return 0


def _show(results: Iterable[tuple[Any, Any]], settings: Settings, total: int | None) -> None:
    """Terminal reports; on a terminal (TOTAL known) under a progress bar that counts bytes read
    (an mbox's message count is unknown until it has been read)."""
    from rich.console import Console

    from .render.terminal import render

    if total is None:
        for _job, report in results:
            render(report, settings.lang)
        return
    from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeRemainingColumn

    with Progress(TextColumn("{task.fields[messages]} messages"), BarColumn(), TaskProgressColumn(),
                  TimeRemainingColumn(), console=Console(highlight=False), transient=True) as progress:
        task = progress.add_task("analysing", total=total or None, messages=0)
        for n, (job, report) in enumerate(results, 1):
            render(report, settings.lang, progress.console)
            progress.update(task, advance=job[3], messages=n)


def cmd_report(args: argparse.Namespace) -> int:
    from .reporting import build_report

    settings = _settings(args)
    raw = Path(args.file).read_bytes()
    result = asyncio.run(build_report(raw, settings, None, settings.lang))
    if args.json:
        print(json.dumps(result, ensure_ascii=False))
    else:
        from rich.cells import cell_len

        from .i18n import pick
        from .reporting.recipients import ROLES

        lang = settings.lang

        def row(where: str, role: str, reason: Any) -> None:
            name = pick(ROLES.get(role), lang) or role
            print(f"{where:<40} {name}{' ' * max(1, 32 - cell_len(name))}{pick(reason, lang)}")

        for r in result.get("recipients", []):
            row(r["address"], r["role"], r["reason"])
        for f in result.get("forms", []):
            row(f["url"], "form", f["reason"])
        print()
        print(result.get("arf", ""))
    return 0


def cmd_doctor(args: argparse.Namespace) -> int:
    from .doctor import main as doctor_main

    return doctor_main()


def cmd_history(args: argparse.Namespace) -> int:
    from .history import store_for

    store = store_for(load().history_path)
    if args.action == "clear":
        store.clear()
    print(json.dumps(store.stats(), ensure_ascii=False, indent=1))
    return 0


def cmd_feeds(args: argparse.Namespace) -> int:
    from .lookups.feeds import update_feeds

    result = asyncio.run(update_feeds(load()))
    print(json.dumps(result, ensure_ascii=False, indent=1, default=str))
    return 0


def parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(prog="whence", description="Who really sent a mail, how it travelled, "
                                 "and where its links really go.")
    ap.add_argument("--version", action="version", version=f"whence {__version__}")
    sub = ap.add_subparsers(dest="command", required=True)

    a = sub.add_parser("analyze", help="analyse .eml files, directories of them, or mbox files")
    a.add_argument("paths", nargs="+", metavar="PATH")
    a.add_argument("--json", action="store_true", help="one JSON report per line (JSON Lines)")
    a.add_argument("--offline", action="store_true", help="no network at all")
    a.add_argument("--lang", choices=("en", "ja"), help="language of the terminal report")
    a.add_argument("-j", "--jobs", type=int, default=0, metavar="N",
                   help="worker processes (default: one per core; 1: this process only)")
    a.add_argument("--history", action="store_true",
                   help="use and grow the local sender history (as the add-on does; off by default)")
    a.set_defaults(func=cmd_analyze)

    r = sub.add_parser("report", help="who to report a message to, and the RFC 5965 report")
    r.add_argument("file")
    r.add_argument("--json", action="store_true")
    r.add_argument("--offline", action="store_true")
    r.add_argument("--lang", choices=("en", "ja"))
    r.set_defaults(func=cmd_report)

    d = sub.add_parser("doctor", help="check the installation: manifest, host, DNS, cache, sender history")
    d.set_defaults(func=cmd_doctor)

    h = sub.add_parser("history", help="the local sender history: its size, or clear it")
    h.add_argument("action", choices=("stats", "clear"))
    h.set_defaults(func=cmd_history)

    f = sub.add_parser("feeds", help="download the opt-in phishing feeds into the cache")
    f.add_argument("action", choices=("update",))
    f.set_defaults(func=cmd_feeds)
    return ap


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    return int(args.func(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
