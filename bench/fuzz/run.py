"""Coverage-guided fuzzing of the targets in targets.py with atheris (libFuzzer), a set number of runs each.

    .venv/bin/python bench/fuzz/run.py --runs 1000000 mime received   # named targets
    .venv/bin/python bench/fuzz/run.py --runs 200000 --all            # every target, one after another
    .venv/bin/python bench/fuzz/run.py --replay                      # saved crash inputs, no atheris
    .venv/bin/python bench/fuzz/run.py --table                       # executions so far (docs/robustness.md)

Each target runs in its own process (libFuzzer owns the process and exits on the first crash) with
its corpus in bench/out/fuzz/corpus/<target>/ (seeded from the target's built-in seeds) and crash
inputs written to bench/out/fuzz/crashes/<target>/. Per-input timeout 5 s (a hang is a crash) and
a 2 GB RSS limit. A summary line per target is appended to bench/out/fuzz/summary.jsonl: the
executions libFuzzer reports, the seconds, and whether it stopped on a crash.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
OUT = REPO / "bench" / "out" / "fuzz"
REGRESSIONS = REPO / "tests" / "data" / "fuzz"
sys.path.insert(0, str(HERE))

from targets import TARGETS  # noqa: E402 - after the path set-up above


def _child(name: str, argv: list[str]) -> None:
    """In the fuzzing process: instrument the target's modules, then hand over to libFuzzer."""
    import atheris

    target = TARGETS[name]
    with atheris.instrument_imports(include=list(target.modules)):
        for module in target.modules:
            __import__(module)

    def one(data: bytes) -> None:
        target.run(data)

    atheris.Setup([sys.argv[0], *argv], one)
    atheris.Fuzz()


def fuzz(name: str, runs: int, max_len: int, seed: int, jobs_timeout: float | None) -> dict[str, object]:
    corpus = OUT / "corpus" / name
    crashes = OUT / "crashes" / name
    corpus.mkdir(parents=True, exist_ok=True)
    crashes.mkdir(parents=True, exist_ok=True)
    for n, data in enumerate(TARGETS[name].seeds()):
        (corpus / f"seed-{n}").write_bytes(data)
    args = [f"-runs={runs}", f"-max_len={max_len}", f"-seed={seed}", "-timeout=5", "-rss_limit_mb=2048",
            "-print_final_stats=1", f"-artifact_prefix={crashes}/", str(corpus)]
    if jobs_timeout:
        args.insert(0, f"-max_total_time={int(jobs_timeout)}")
    started = time.monotonic()
    proc = subprocess.run([sys.executable, __file__, "--child", name, "--", *args],
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, errors="replace")
    seconds = time.monotonic() - started
    (OUT / f"{name}.log").write_text(proc.stdout, encoding="utf-8")
    done = re.findall(r"stat::number_of_executed_units:\s*(\d+)", proc.stdout)
    executed = int(done[-1]) if done else max([int(x) for x in re.findall(r"#(\d+)\s", proc.stdout)] or [0])
    crashed = proc.returncode != 0
    found = sorted(p.name for p in crashes.iterdir())
    summary = {"target": name, "executions": executed, "seconds": round(seconds, 1), "returncode": proc.returncode,
               "crashed": crashed, "crash_files": found, "when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}
    with (OUT / "summary.jsonl").open("a", encoding="utf-8") as f:
        f.write(json.dumps(summary) + "\n")
    return summary


def replay() -> int:
    """Every saved regression input through its target; prints failures, returns how many."""
    failures = 0
    for folder in sorted(REGRESSIONS.iterdir()) if REGRESSIONS.exists() else []:
        for path in sorted(folder.iterdir()):
            try:
                TARGETS[folder.name].run(path.read_bytes())
            except Exception as exc:
                failures += 1
                print(f"FAIL {folder.name}/{path.name}: {type(exc).__name__}: {exc}")
    return failures


def table() -> str:
    """Markdown: executions per target from every summary*.jsonl under bench/out/fuzz/ (all runs)."""
    runs: dict[str, list[dict[str, object]]] = {name: [] for name in TARGETS}
    for path in sorted(OUT.glob("summary*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                row = json.loads(line)
                runs.setdefault(str(row["target"]), []).append(row)
    out = ["| target | runs | executions | seconds | stopped on a crash | saved regression inputs |",
           "|---|---|---|---|---|---|"]
    for name, rows in runs.items():
        execs = sum(int(r["executions"]) for r in rows)  # type: ignore[call-overload]
        secs = sum(float(r["seconds"]) for r in rows)  # type: ignore[arg-type]
        crashed = sum(1 for r in rows if r["crashed"])
        saved = len(list((REGRESSIONS / name).iterdir())) if (REGRESSIONS / name).exists() else 0
        out.append(f"| `{name}` | {len(rows)} | {execs:,} | {secs:,.0f} | {crashed} | {saved} |")
    return "\n".join(out)


def main() -> int:
    if len(sys.argv) > 2 and sys.argv[1] == "--child":
        _child(sys.argv[2], sys.argv[4:])
        return 0
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("targets", nargs="*", choices=[*TARGETS, []], metavar="TARGET")
    parser.add_argument("--all", action="store_true")
    parser.add_argument("--runs", type=int, default=100_000)
    parser.add_argument("--max-len", type=int, default=64 * 1024)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--max-seconds", type=float, default=None, help="stop each target after this long")
    parser.add_argument("--replay", action="store_true")
    parser.add_argument("--table", action="store_true", help="print the executions table of every run so far")
    opts = parser.parse_args()
    if opts.table:
        print(table())
        return 0
    if opts.replay:
        return 1 if replay() else 0
    names = list(TARGETS) if opts.all else opts.targets
    if not names:
        parser.error("name targets or pass --all")
    os.environ.setdefault("WHENCE_OFFLINE", "1")
    worst = 0
    for name in names:
        summary = fuzz(name, opts.runs, opts.max_len, opts.seed, opts.max_seconds)
        print(json.dumps(summary), flush=True)
        worst = max(worst, 1 if summary["crashed"] else 0)
    return worst


if __name__ == "__main__":
    sys.exit(main())
