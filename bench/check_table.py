"""Per-check accounting: how often every weight key fires on each folder of both development corpora,
beside its weight — so that a check firing on ham more than its weight justifies is seen.

    .venv/bin/python bench/devdata.py && .venv/bin/python bench/check_table.py [--markdown]

A key is a check id or `id:variant`. `ham/phish` is the ratio of its ham rate to its mean phish
rate: a key with a high ratio and a high weight is a false alarm waiting to happen.
"""

from __future__ import annotations

import argparse
import json
from collections import Counter, defaultdict
from pathlib import Path

from fit_weights import DATA, keys_of, prior
from whence import weights

PHISH, HAM = ("jp-phish", "phish-pot"), ("ham", "ham-modern")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", type=Path, default=DATA)
    ap.add_argument("--markdown", action="store_true")
    a = ap.parse_args()
    recs = [json.loads(line) for line in a.data.open()]
    columns = sorted({(r["corpus"], r["folder"]) for r in recs}, key=lambda c: (c[1] in HAM, c))
    n = Counter((r["corpus"], r["folder"]) for r in recs)
    fired: dict[str, Counter] = defaultdict(Counter)
    for r in recs:
        for key in keys_of(r).values():
            fired[key][(r["corpus"], r["folder"])] += 1
    heads = [f"{folder} ({corpus.replace('corpus-large', 'large')})" for corpus, folder in columns]
    rows = []
    for key in sorted(fired):
        w = weights.weight(key, prior(key) or 0.0)
        rates = [fired[key][c] / n[c] for c in columns]
        phish = [r for r, c in zip(rates, columns, strict=True) if c[1] in PHISH]
        ham = max((r for r, c in zip(rates, columns, strict=True) if c[1] in HAM), default=0.0)
        ratio = ham / (sum(phish) / len(phish)) if phish and sum(phish) else float("inf") if ham else 0.0
        rows.append((key, w, rates, ratio))
    rows.sort(key=lambda row: (-row[3] * max(row[1], 0), row[0]))
    if a.markdown:
        print("| key | weight | " + " | ".join(heads) + " | ham/phish |")
        print("|---|---|" + "---|" * len(heads) + "---|")
        for key, w, rates, ratio in rows:
            print(f"| `{key}` | {w:.2f} | " + " | ".join(f"{r:.1%}" for r in rates) + f" | {ratio:.2f} |")
        return
    print(f"{'key':<46}{'weight':>7}" + "".join(f"{h[:14]:>15}" for h in heads) + f"{'ham/phish':>10}")
    for key, w, rates, ratio in rows:
        print(f"{key:<46}{w:>7.2f}" + "".join(f"{r:>15.1%}" for r in rates) + f"{ratio:>10.2f}")


if __name__ == "__main__":
    main()
