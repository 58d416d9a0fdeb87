"""Detection table on ../shared/corpus, in-process and offline, measured as evaluate.py measures it.

    .venv/bin/python bench/corpus_table.py [--ids] [--misses FOLDER] [--corpus DIR]

Prints per folder the share at least suspicious / dangerous and the median ms per message; with
--ids, how often each finding fires per folder; with --misses, the messages on the wrong side.
"""

from __future__ import annotations

import argparse
import csv
import importlib.util
import statistics
import time
from collections import Counter, defaultdict
from pathlib import Path

from whence.pipeline import Analysis
from whence.settings import Settings

SHARED = Path(__file__).resolve().parents[2] / "shared"
LEVELS = ["safe", "caution", "suspicious", "dangerous"]


def _evaluate_module():
    spec = importlib.util.spec_from_file_location("evaluate", SHARED / "tools" / "evaluate.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--corpus", default=str(SHARED / "corpus"))
    ap.add_argument("--ids", action="store_true")
    ap.add_argument("--misses")
    a = ap.parse_args()
    ev = _evaluate_module()
    folder = Path(a.corpus)
    with open(folder / "labels.csv", newline="") as fh:
        rows = list(csv.DictReader(fh))
    stats: dict[str, Counter] = defaultdict(Counter)
    ids: dict[str, Counter] = defaultdict(Counter)
    times: dict[str, list[float]] = defaultdict(list)
    misses = []
    for row in rows:
        sub = row["file"].split("/")[0]
        group = sub if row["label"] in ("phish", "ham") else f"{sub}:{row['label']}"
        trust = tuple(ev.TRUST[sub].split(",")) if sub in ev.TRUST else ()
        settings = Settings(offline=True, trust_hosts=trust)
        raw = ev.strip_provider_verdicts((folder / row["file"]).read_bytes())
        t0 = time.perf_counter()
        report = Analysis(raw, settings, file=row["file"]).offline_report()
        times[group].append((time.perf_counter() - t0) * 1000)
        level = report["verdict"]["level"]
        li = LEVELS.index(level) if level in LEVELS else -1
        stats[group]["n"] += 1
        stats[group]["susp"] += li >= 2
        stats[group]["dang"] += li >= 3
        for f in {f["id"] for f in report["findings"]}:
            ids[group][f] += 1
        wrong = (row["label"] == "ham" and li >= 2) or (row["label"] == "phish" and li < 3)
        if a.misses == group and wrong:
            misses.append((row["file"], level, report["verdict"]["score"],
                           sorted((f["id"], f["score"]) for f in report["findings"] if f["score"])))
    print(f"{'folder':<18}{'n':>5}{'≥suspicious':>13}{'dangerous':>11}{'median ms':>11}")
    for group in sorted(stats):
        s = stats[group]
        print(f"{group:<18}{s['n']:>5}{s['susp'] / s['n']:>13.1%}{s['dang'] / s['n']:>11.1%}"
              f"{statistics.median(times[group]):>11.2f}")
    every = [t for ts in times.values() for t in ts]
    print(f"all: median {statistics.median(every):.2f} ms/message, {len(every) / (sum(every) / 1000):.0f} messages/s")
    if a.ids:
        for group in sorted(ids):
            print(f"\n{group}: " + ", ".join(f"{k} {v}" for k, v in ids[group].most_common()))
    for m in misses:
        print(*m)


if __name__ == "__main__":
    main()
