"""The development data as one table: every labelled message of ../shared/corpus and corpus-large,
analysed offline exactly as evaluate.py analyses it, with the part of the split it belongs to.

    .venv/bin/python bench/devdata.py [--out bench/out/devdata.jsonl] [-j N]

The split is by source and campaign, never by file, so that a check fitted to one campaign cannot
pass its own test: list mail by list, SpamAssassin ham by sender domain, phishing by the month it
was sent (campaigns come in bursts). A third of the groups are *validation*: measured, never read.
`fit_weights.py` and `check_table.py` read the table this writes.
"""

from __future__ import annotations

import argparse
import csv
import importlib.util
import json
import re
import zlib
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

SHARED = Path(__file__).resolve().parents[2] / "shared"
CORPORA = ("corpus", "corpus-large")
OUT = Path(__file__).resolve().parent / "out" / "devdata.jsonl"
LEVELS = ["safe", "caution", "suspicious", "dangerous"]
# Lists read as validation: never opened while building checks (one from each corpus and two of
# the six newer lists, about 40% of the list mail).
VALIDATION_LISTS = {"kgdb-bugreport", "ibm-acpi-devel", "mjpeg-users"}
_FROM = re.compile(rb"^From:.*?@([A-Za-z0-9.-]+)", re.I | re.M)


def _evaluate_module():
    spec = importlib.util.spec_from_file_location("evaluate", SHARED / "tools" / "evaluate.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


EV = _evaluate_module()


def group_of(row: dict, raw: bytes) -> str:
    """The campaign a message belongs to: its list, its sender's domain (old ham) or its month."""
    folder = row["file"].split("/")[0]
    if folder == "ham-modern":
        return "list:" + row["source"].split("/")[1].split(".")[0]
    if folder == "ham":
        m = _FROM.search(raw[:20000])
        domain = m.group(1).decode("ascii", "replace").lower() if m else "?"
        return "sender:" + ".".join(domain.split(".")[-2:])
    return f"{folder}:{row['date'][:7] or 'undated'}"


def split_of(group: str) -> str:
    if group.startswith("list:"):
        return "validation" if group[5:] in VALIDATION_LISTS else "study"
    return "validation" if zlib.crc32(group.encode()) % 3 == 0 else "study"


def _analyse(job: tuple[str, dict]) -> dict:
    from whence import checks, verdict
    from whence.model import Lookups
    from whence.pipeline import Analysis
    from whence.settings import Settings

    corpus, row = job
    folder = row["file"].split("/")[0]
    raw = EV.strip_provider_verdicts((SHARED / corpus / row["file"]).read_bytes())
    trust = tuple(EV.TRUST[folder].split(",")) if folder in EV.TRUST else ()
    analysis = Analysis(raw, Settings(offline=True, trust_hosts=trust), file=row["file"])
    findings = checks.run_checks(analysis.facts, Lookups())[0] if analysis.facts else []
    result = verdict.decide(findings)
    group = group_of(row, raw)
    origin = analysis.facts.origin.ip if analysis.facts else None
    return {
        "corpus": corpus, "file": row["file"], "folder": folder, "label": row["label"],
        "group": group, "split": split_of(group),
        # (id, variant, weight) of every finding: the fit reads id and variant, never the weight
        "findings": sorted({(f.id, f.variant or "", f.score) for f in findings}),
        "score": result.score, "level": LEVELS.index(result.level) if analysis.facts else -1,
        "origin_ok": not row["origin_ip"] or origin == row["origin_ip"],
    }


def rows() -> list[tuple[str, dict]]:
    out = []
    for corpus in CORPORA:
        with open(SHARED / corpus / "labels.csv", newline="") as fh:
            out += [(corpus, r) for r in csv.DictReader(fh) if r["label"] in ("phish", "ham")]
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", type=Path, default=OUT)
    ap.add_argument("-j", "--jobs", type=int, default=2)
    a = ap.parse_args()
    a.out.parent.mkdir(parents=True, exist_ok=True)
    with ProcessPoolExecutor(a.jobs) as pool, open(a.out, "w") as fh:
        for rec in pool.map(_analyse, rows(), chunksize=20):
            fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
    print(f"wrote {a.out}")


if __name__ == "__main__":
    main()
