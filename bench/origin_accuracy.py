#!/usr/bin/env python3
"""Origin-IP accuracy of the route stage on the labelled corpus and the acceptance cases.

    .venv/bin/python bench/origin_accuracy.py [--corpus DIR] [--cases DIR] [--misses N]

Each corpus message has the provider's own verdict headers stripped exactly as
/work/shared/tools/evaluate.py strips them, and the SourceForge folders get the same
WHENCE_TRUST_HOSTS the evaluation sets. Prints the accuracy per folder and lists the misses.
Offline; reads /work/shared directly (bench only, never the tests).
"""

from __future__ import annotations

import argparse
import csv
import email
import email.policy
import importlib.util
import json
import sys
from collections import defaultdict
from pathlib import Path

SHARED = Path("/work/shared")
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "host"))

from whence.facts.route import build_route  # noqa: E402
from whence.model import Context, Message  # noqa: E402
from whence.settings import Settings  # noqa: E402


def _evaluate_module():
    spec = importlib.util.spec_from_file_location("evaluate", SHARED / "tools" / "evaluate.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def to_message(raw: bytes) -> Message:
    """The parse stage when it is there; else a header-only Message from the stdlib parser."""
    try:
        from whence.parse import parse_message
    except ImportError:
        parse_message = None
    if parse_message is not None:
        return parse_message(raw)
    msg = email.message_from_bytes(raw, policy=email.policy.compat32)
    return Message(headers=[(k, str(v)) for k, v in msg.items()], parts=[], raw_size=len(raw))


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--corpus", type=Path, default=SHARED / "corpus")
    ap.add_argument("--cases", type=Path, default=SHARED / "cases")
    ap.add_argument("--misses", type=int, default=30, help="misses to list per folder")
    args = ap.parse_args()
    ev = _evaluate_module()

    per: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    misses: dict[str, list[str]] = defaultdict(list)
    with open(args.corpus / "labels.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    for row in rows:
        if not row["origin_ip"]:
            continue
        folder = row["file"].split("/")[0]
        trust = ev.TRUST.get(folder, "")
        settings = Settings(trust_hosts=tuple(t for t in trust.split(",") if t))
        raw = ev.strip_provider_verdicts((args.corpus / row["file"]).read_bytes())
        route = build_route(to_message(raw), settings, Context())
        got = route.origin.ip
        per[folder][1] += 1
        if got == row["origin_ip"]:
            per[folder][0] += 1
        else:
            misses[folder].append(f"{row['file']}: got {got} want {row['origin_ip']} ({row['origin_rule']})")
    total_ok = sum(v[0] for v in per.values())
    total = sum(v[1] for v in per.values())
    for folder, (ok, n) in sorted(per.items()):
        print(f"{folder:12s} {ok}/{n} = {ok / n:.1%}")
        for line in misses[folder][: args.misses]:
            print("   miss", line)
    print(f"{'corpus':12s} {total_ok}/{total} = {total_ok / max(total, 1):.2%}  (goal 99%)")

    expected = json.loads((args.cases / "expected.json").read_text())
    good = 0
    for case in expected:
        raw = (args.cases / case["file"]).read_bytes()
        origin = build_route(to_message(raw), Settings(), Context()).origin
        ok = origin.ip == case.get("origin_ip") and origin.client_ip == case.get("client_ip")
        good += ok
        if not ok:
            print(f"   case miss {case['file']}: got {origin.ip}/{origin.client_ip} "
                  f"want {case.get('origin_ip')}/{case.get('client_ip')}")
    print(f"{'cases':12s} {good}/{len(expected)}")
    return 0 if total_ok / max(total, 1) >= 0.99 and good == len(expected) else 1


if __name__ == "__main__":
    sys.exit(main())
