"""What each check is worth on its own: every check removed in turn, how many messages of the study
and validation parts stop (phishing) or start (ham) reaching "suspicious" with the shipped weights.

    .venv/bin/python bench/devdata.py && .venv/bin/python bench/ablation.py

The brief's test made a number: a check that helps the studied part but not the validation part is
fitted to the messages it was built on. Validation is about half the size of study, so a check worth
2 study messages is expected to be worth about 1 validation message: zero there is noise, a
difference of ten is not. Counts only: the validation part is measured, never read.
"""

from __future__ import annotations

import json
from collections import Counter

from fit_weights import DATA, WEIGHTS, keys_of, runtime_score

FOLDERS = ("phish-pot", "jp-phish", "ham", "ham-modern")


def caught(recs: list[dict], weights: dict[str, float], threshold: float, without: str | None = None) -> Counter:
    """(split, folder) → messages at least suspicious, with the check WITHOUT taken out."""
    out: Counter = Counter()
    for r in recs:
        keys = [k for k in keys_of(r).values() if k.partition(":")[0] != without]
        out[(r["split"], r["folder"])] += runtime_score(keys, weights) >= threshold
    return out


def main() -> None:
    shipped = json.loads(WEIGHTS.read_text())
    weights, threshold = shipped["weights"], shipped["thresholds"]["suspicious"]
    recs = [json.loads(line) for line in DATA.open()]
    n = Counter((r["split"], r["folder"]) for r in recs)
    base = caught(recs, weights, threshold)
    columns = [(split, folder) for folder in FOLDERS for split in ("study", "validation")]
    print("messages at least suspicious:", ", ".join(f"{s} {f} {base[(s, f)]}/{n[(s, f)]}" for s, f in columns))
    print(f"{'check removed':<40}" + "".join(f"{f[:9] + (' S' if s == 'study' else ' V'):>13}" for s, f in columns))
    rows = []
    for check in sorted({k.partition(":")[0] for r in recs for k in keys_of(r).values()}):
        changed = caught(recs, weights, threshold, without=check)
        delta = [changed[c] - base[c] for c in columns]
        if any(delta):
            rows.append((check, delta))
    for check, delta in sorted(rows, key=lambda row: (row[1][0], row[1][1])):
        print(f"{check:<40}" + "".join(f"{d:>13}" for d in delta))


if __name__ == "__main__":
    main()
