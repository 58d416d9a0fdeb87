"""Benchmark the native host over real pipes: cold start to the first ping reply, cold start to the
first offline analyze reply (the first message a person opens after starting Thunderbird), and the
round trip of the offline stage for typical messages (goals on a 2-core machine: ≤ 250 ms,
≤ 300 ms, ≤ 50 ms).

    .venv/bin/python bench/bench_native.py [--manifest PATH] [--runs N]

Without --manifest the host runs from this checkout's venv (`python -I -m whence.native`);
with it, the launcher the installed manifest names is started as Thunderbird starts it.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import statistics
import struct
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
CASE_DIRS = (Path("/work/shared/cases"), REPO / "tests" / "data" / "cases")
TYPICAL = ("etc-phish.eml", "amazon-jp-legit.eml", "newsletter-tracking.eml", "personal-iso2022jp.eml",
           "sextortion.eml", "kagoya-phish.eml")


class Host:
    def __init__(self, cmd: list[str], cwd: str | None, env: dict[str, str]) -> None:
        self.proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.DEVNULL)

    def send(self, request: dict[str, Any]) -> None:
        body = json.dumps(request).encode()
        assert self.proc.stdin is not None
        self.proc.stdin.write(struct.pack("=I", len(body)) + body)
        self.proc.stdin.flush()

    def recv(self) -> dict[str, Any]:
        assert self.proc.stdout is not None
        (n,) = struct.unpack("=I", self.proc.stdout.read(4))
        return json.loads(self.proc.stdout.read(n))

    def close(self) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.close()
        self.proc.wait(10)


def command(manifest: str | None) -> tuple[list[str], str | None]:
    if manifest:
        data = json.loads(Path(manifest).read_text(encoding="utf-8"))
        return [data["path"], manifest, data["allowed_extensions"][0]], os.path.dirname(data["path"])
    return [sys.executable, "-I", "-m", "whence.native"], None


def messages() -> list[tuple[str, str]]:
    out = []
    for name in TYPICAL:
        for folder in CASE_DIRS:
            if (folder / name).exists():
                out.append((name, base64.b64encode((folder / name).read_bytes()).decode()))
                break
    return out


def ms(seconds: float) -> float:
    return round(seconds * 1000, 1)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--manifest", help="an installed native messaging manifest to start the host from")
    ap.add_argument("--runs", type=int, default=10, help="cold starts and rounds of messages")
    args = ap.parse_args()
    cmd, cwd = command(args.manifest)
    with tempfile.TemporaryDirectory(prefix="whence-bench-") as tmp:
        env = dict(os.environ, WHENCE_OFFLINE="1", XDG_STATE_HOME=tmp, XDG_CACHE_HOME=tmp)
        # as installed: the installer fills the caches (tables, compiled patterns) with --prime
        primed = time.perf_counter()
        subprocess.run([cmd[0], "--prime"] if args.manifest else [*cmd, "--prime"], env=env, check=True, cwd=cwd)
        primed = time.perf_counter() - primed

        cold = []
        for _ in range(args.runs):
            started = time.perf_counter()
            host = Host(cmd, cwd, env)
            host.send({"id": "p", "type": "ping"})
            assert host.recv()["ok"] is True
            cold.append(time.perf_counter() - started)
            host.close()

        mails = messages()
        first_raw = mails[0][1]
        firsts = []  # launch, ping and analyze at once, as Thunderbird does when a mail is already open
        for _ in range(args.runs):
            started = time.perf_counter()
            host = Host(cmd, cwd, env)
            host.send({"id": "p", "type": "ping"})
            host.send({"id": "first", "type": "analyze", "raw": first_raw})
            while (reply := host.recv()).get("id") != "first":
                pass
            assert reply["stage"] == "offline", reply
            firsts.append(time.perf_counter() - started)
            host.recv()
            host.close()

        host = Host(cmd, cwd, env)  # as Thunderbird: the add-on pings on start, mail comes later
        host.send({"id": "p", "type": "ping"})
        host.recv()
        time.sleep(2.0)
        per: dict[str, list[float]] = {name: [] for name, _ in mails}
        for r in range(args.runs):
            for name, raw in mails:
                started = time.perf_counter()
                host.send({"id": f"{name}-{r}", "type": "analyze", "raw": raw})
                reply = host.recv()
                per[name].append(time.perf_counter() - started)
                assert reply["stage"] == "offline", reply
                host.recv()  # the final stage (offline mode: the same report)
        host.close()

    every = [t for times in per.values() for t in times]
    print(f"host: {' '.join(cmd[:4])}")
    print(f"install-time priming of the caches (whence-host --prime): {ms(primed)} ms")
    print(f"cold start → first ping reply: median {ms(statistics.median(cold))} ms, "
          f"max {ms(max(cold))} ms over {len(cold)} starts (goal ≤ 250 ms)")
    print(f"cold start → first offline analyze reply: median {ms(statistics.median(firsts))} ms, "
          f"max {ms(max(firsts))} ms over {len(firsts)} starts (goal ≤ 300 ms)")
    print(f"offline stage round trip, warm: median {ms(statistics.median(every))} ms, "
          f"p90 {ms(sorted(every)[int(len(every) * 0.9) - 1])} ms, max {ms(max(every))} ms "
          f"over {len(every)} requests (goal ≤ 50 ms)")
    for name, times in per.items():
        print(f"  {name:28} median {ms(statistics.median(times))} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
