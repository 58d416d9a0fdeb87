"""The `whence` command (DESIGN §2): analyze, report, doctor, feeds.

Exit status 0 whenever the messages were read, whatever the verdicts.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import mailbox
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from . import __version__
from .settings import Settings, load

_MBOX_MAGIC = b"From "


def iter_messages(paths: list[str]) -> Iterator[tuple[str, int | None, bytes]]:
    """(file, index inside an mbox or None, raw bytes) for every message under PATHS."""
    for arg in paths:
        path = Path(arg)
        if path.is_dir():
            for child in sorted(p for p in path.rglob("*.eml") if p.is_file()):
                yield str(child), None, child.read_bytes()
            continue
        with path.open("rb") as fh:
            head = fh.read(len(_MBOX_MAGIC))
        if head == _MBOX_MAGIC and path.suffix.lower() != ".eml":
            for index, msg in enumerate(mailbox.mbox(str(path), create=False)):
                yield str(path), index, msg.as_bytes(unixfrom=False)
        else:
            yield str(path), None, path.read_bytes()


def _settings(args: argparse.Namespace) -> Settings:
    settings = load()
    if getattr(args, "offline", False):
        settings = settings.with_overrides(offline=True)
    if getattr(args, "lang", None):
        settings = settings.with_overrides(lang=args.lang)
    return settings


async def _analyze_all(items: list[tuple[str, int | None, bytes]], settings: Settings) -> list[dict[str, Any]]:
    from .pipeline import Analysis

    limit = asyncio.Semaphore(8)

    async def one(file: str, index: int | None, raw: bytes) -> dict[str, Any]:
        async with limit:
            report = await Analysis(raw, settings, file=file).final_report()
            if index is not None:
                report["index"] = index
            return report

    return await asyncio.gather(*(one(*item) for item in items))


def cmd_analyze(args: argparse.Namespace) -> int:
    from .pipeline import Analysis
    from .render.terminal import render

    settings = _settings(args)
    out = sys.stdout

    def emit(report: dict[str, Any]) -> None:
        if args.json:
            out.write(json.dumps(report, ensure_ascii=False, default=str) + "\n")
            out.flush()
        else:
            render(report, settings.lang)

    try:
        messages = iter_messages(args.paths)
        if settings.offline:
            for file, index, raw in messages:
                report = Analysis(raw, settings, file=file).offline_report()
                if index is not None:
                    report["index"] = index
                emit(report)
        else:
            for report in asyncio.run(_analyze_all(list(messages), settings)):
                emit(report)
    except OSError as exc:
        print(f"whence: {exc}", file=sys.stderr)
        return 2
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    from .reporting import build_report

    settings = _settings(args)
    raw = Path(args.file).read_bytes()
    result = asyncio.run(build_report(raw, settings, None, settings.lang))
    if args.json:
        print(json.dumps(result, ensure_ascii=False))
    else:
        lang = settings.lang
        for r in result.get("recipients", []):
            print(f"{r['address']:<40} {r['role']:<18} {r['reason'].get(lang, r['reason'].get('en', ''))}")
        for f in result.get("forms", []):
            print(f"{f['url']:<40} {'form':<18} {f['reason'].get(lang, f['reason'].get('en', ''))}")
        print()
        print(result.get("arf", ""))
    return 0


def cmd_doctor(args: argparse.Namespace) -> int:
    from .doctor import main as doctor_main

    return doctor_main()


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
    a.set_defaults(func=cmd_analyze)

    r = sub.add_parser("report", help="who to report a message to, and the RFC 5965 report")
    r.add_argument("file")
    r.add_argument("--json", action="store_true")
    r.add_argument("--offline", action="store_true")
    r.add_argument("--lang", choices=("en", "ja"))
    r.set_defaults(func=cmd_report)

    d = sub.add_parser("doctor", help="check the installation: manifest, host, DNS, cache")
    d.set_defaults(func=cmd_doctor)

    f = sub.add_parser("feeds", help="download the opt-in phishing feeds into the cache")
    f.add_argument("action", choices=("update",))
    f.set_defaults(func=cmd_feeds)
    return ap


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    return int(args.func(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
