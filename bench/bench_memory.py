"""Peak memory (RSS) of an offline analysis per message-size class, a generated 30 MB message included.

    .venv/bin/python bench/bench_memory.py [--corpus DIR]

Each class runs in a fresh process: the pipeline is imported and warmed on the class's messages
(what they load lazily, confusables or image libraries, is loaded once per process, not per
message), its resident set read (the baseline), then before each message the kernel's high-water mark is reset
(/proc/self/clear_refs) and read after it (VmHWM): "peak RSS" is the highest over the class, "over
baseline" what the costliest message of the class added. Linux only. Corpus messages have the
provider's verdict headers stripped, as ../shared/tools/evaluate.py does.
"""

from __future__ import annotations

import argparse
import base64
import importlib.util
import json
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SHARED = Path(__file__).resolve().parents[2] / "shared"
MB = 1024 * 1024
CLASSES = ((0, 4096, "< 4 KB"), (4096, 16384, "4–16 KB"), (16384, 65536, "16–64 KB"),
           (65536, 262144, "64–256 KB"), (262144, MB, "256 KB–1 MB"), (MB, 10 * MB, "1–10 MB"))
HEAD = (b"From: Sender <a@example.jp>\r\nTo: b@example.net\r\nSubject: memory\r\nMIME-Version: 1.0\r\n"
        b"Date: Mon, 1 Jan 2024 00:00:00 +0000\r\nMessage-ID: <m@example.jp>\r\n")


def attachment_30mb() -> bytes:
    """A short text and a 22 MB random attachment: 30 MB of base64 on the wire."""
    b64 = base64.encodebytes(random.Random(1).randbytes(22 * MB))
    return (HEAD + b'Content-Type: multipart/mixed; boundary="B"\r\n\r\n--B\r\n'
            b"Content-Type: text/plain; charset=utf-8\r\n\r\nsee attachment https://example.jp/a\r\n--B\r\n"
            b"Content-Type: application/octet-stream; name=big.bin\r\nContent-Transfer-Encoding: base64\r\n\r\n"
            + b64 + b"--B--\r\n")


def html_30mb() -> bytes:
    """30 MB of HTML: paragraphs with links, the shape of a huge newsletter."""
    row = b'<p>Item <a href="https://shop.example.jp/item?id=1">shop.example.jp</a> <b>sale</b></p>\r\n'
    return (HEAD + b"Content-Type: text/html; charset=utf-8\r\n\r\n<html><body>\r\n"
            + row * (30 * MB // len(row)) + b"</body></html>\r\n")


def status_kb(key: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1])
    raise KeyError(key)


def reset_peak() -> None:
    Path("/proc/self/clear_refs").write_text("5")  # resets VmHWM to the current RSS (Linux 4.0+)


def measure(files: list[str]) -> None:
    """Child mode: warm, baseline, analyse FILES; prints one JSON line."""
    from whence.pipeline import Analysis
    from whence.settings import Settings

    settings = Settings(offline=True)
    for name in files[:200]:
        Analysis(Path(name).read_bytes(), settings, file=name).offline_report()
    baseline = status_kb("VmRSS")
    peak = 0
    seconds = 0.0
    for name in files:
        raw = Path(name).read_bytes()
        reset_peak()
        started = time.perf_counter()
        Analysis(raw, settings, file=name).offline_report()
        seconds += time.perf_counter() - started
        peak = max(peak, status_kb("VmHWM"))
        del raw
    print(json.dumps({"baseline": baseline, "peak": peak, "seconds": seconds}))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", default=str(SHARED / "corpus"))
    ap.add_argument("--measure", nargs="*", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.measure is not None:
        measure(args.measure)
        return 0
    spec = importlib.util.spec_from_file_location("evaluate", SHARED / "tools" / "evaluate.py")
    assert spec and spec.loader
    ev = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(ev)
    with tempfile.TemporaryDirectory(prefix="whence-mem-") as tmp:
        work = Path(tmp)
        groups: dict[str, list[tuple[int, str]]] = {label: [] for _, _, label in CLASSES}
        for n, path in enumerate(sorted(Path(args.corpus).rglob("*.eml"))):
            raw = ev.strip_provider_verdicts(path.read_bytes())
            label = next((lab for lo, hi, lab in CLASSES if lo <= len(raw) < hi), None)
            if label:
                target = work / f"{n}.eml"
                target.write_bytes(raw)
                groups[label].append((len(raw), str(target)))
        for label, make in (("30 MB attachment", attachment_30mb), ("30 MB HTML", html_30mb)):
            target = work / f"{label.replace(' ', '-')}.eml"
            raw = make()
            target.write_bytes(raw)
            groups[label] = [(len(raw), str(target))]
        print(f"{'class':<18}{'messages':>9}{'largest':>10}{'peak RSS':>10}{'over baseline':>15}{'ms/message':>12}")
        for label, items in groups.items():
            if not items:
                continue
            out = subprocess.run([sys.executable, __file__, "--measure", *(f for _, f in items)],
                                 capture_output=True, text=True, check=True)
            result = json.loads(out.stdout.strip().splitlines()[-1])
            largest = max(size for size, _ in items)
            print(f"{label:<18}{len(items):>9}{largest / 1024:>8.0f}KB{result['peak'] / 1024:>8.0f}MB"
                  f"{(result['peak'] - result['baseline']) / 1024:>13.1f}MB"
                  f"{result['seconds'] * 1000 / len(items):>12.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
