"""Every corpus report, offline and without its timings, in one file: proof that a change meant to
change no report (a speed change, a refactoring) changed none.

    .venv/bin/python bench/report_snapshot.py OUT [--against EARLIER] [--host DIR] [--corpus DIR ...] [-j N]

Each message is analysed as compare_peers.py and evaluate.py see it (provider verdicts stripped,
the folder's trusted hosts set), one JSON line per message in corpus order, keys sorted. With
--against, the two snapshots are compared and the messages whose reports differ are listed (exit 1
when any does). The earlier snapshot comes from the commit before the change, checked out as a
worktree and named with --host (its `host/` directory), e.g.:

    git worktree add /tmp/before HEAD~1
    .venv/bin/python bench/report_snapshot.py /tmp/before.jsonl --host /tmp/before/host
    .venv/bin/python bench/report_snapshot.py /tmp/after.jsonl --against /tmp/before.jsonl
"""

from __future__ import annotations

import argparse
import concurrent.futures
import json
import os
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from compare_peers import REPO, SHARED, load_messages

TIMINGS = frozenset({"elapsed_ms", "analysed_at", "timing"})  # what differs between two runs of one report


def _without_timings(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _without_timings(v) for k, v in value.items() if k not in TIMINGS}
    if isinstance(value, list):
        return [_without_timings(v) for v in value]
    return value


def _line(item: tuple[str, tuple[str, ...], bytes]) -> str:
    from whence.pipeline import Analysis
    from whence.settings import Settings

    file, trust, raw = item
    report = Analysis(raw, Settings(offline=True, trust_hosts=trust), file=file).offline_report()
    return json.dumps(_without_timings(report), ensure_ascii=False, sort_keys=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--against", type=Path, help="an earlier snapshot to compare with")
    parser.add_argument("--corpus", type=Path, action="append",
                        help="corpus directories (default: ../shared/corpus and ../shared/corpus-large)")
    parser.add_argument("--host", type=Path, default=REPO / "host", help="the host/ directory whose code runs")
    parser.add_argument("-j", "--jobs", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args()
    sys.path.insert(0, str(args.host.resolve()))  # before the pool forks: its workers import from there
    corpora = args.corpus or [SHARED / "corpus", SHARED / "corpus-large"]
    messages = [(f"{corpus.name}/{file}", trust, raw)
                for corpus in corpora for file, trust, raw in load_messages(corpus, None)]
    with concurrent.futures.ProcessPoolExecutor(args.jobs) as pool:
        lines = list(pool.map(_line, messages, chunksize=16))
    args.out.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    print(f"{len(lines)} reports written to {args.out}")
    if args.against is None:
        return 0
    earlier = args.against.read_text(encoding="utf-8").splitlines()
    if len(earlier) != len(lines):
        print(f"the snapshots hold {len(earlier)} and {len(lines)} reports: not the same messages")
        return 1
    changed = [name for (name, _, _), old, new in zip(messages, earlier, lines, strict=True) if old != new]
    print(f"{len(changed)} of {len(lines)} reports differ from {args.against}")
    for name in changed[:50]:
        print(f"  {name}")
    return 1 if changed else 0


if __name__ == "__main__":
    raise SystemExit(main())
