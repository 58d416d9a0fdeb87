"""Parse every message of the shared corpus and count decoding failures in subjects and bodies.

Not a test: a measurement of how well the parse stage decodes real mail. Prints per folder how
many subjects / bodies still hold U+FFFD or typical mojibake, and lists the offenders.

    .venv/bin/python bench/corpus_mojibake.py [/work/shared/corpus] [-v]
"""

from __future__ import annotations

import re
import sys
import time
from pathlib import Path

from whence.facts.text import extract_text
from whence.parse import parse_message

# UTF-8 read as latin-1 / cp1252 ("Ã©", "â€™", "ã\x81"), UTF-8 read as CP932 ("縺", "繧", "螟"),
# EUC-JP read as CP932 (runs of half-width katakana mixed with kanji-less noise).
MOJIBAKE = re.compile(
    r"[ÃÂâ][\u0080-\u00bf\u2018-\u203a\u0152-\u017e]|ã[\u0080-\u00bf]|[縺繧繝蜷螟荳隱]{2,}|[\uff61-\uff9f]{6,}"
)


def bad(text: str) -> str | None:
    if "\ufffd" in text:
        return "U+FFFD"
    m = MOJIBAKE.search(text)
    return f"mojibake {m.group(0)!r}" if m else None


def main() -> None:
    args = [a for a in sys.argv[1:] if not a.startswith("-")]
    verbose = "-v" in sys.argv
    root = Path(args[0] if args else "/work/shared/corpus")
    totals: dict[str, list[int]] = {}
    offenders: list[str] = []
    slowest = (0.0, "")
    started = time.perf_counter()
    for path in sorted(root.glob("*/*.eml")):
        folder = path.parent.name
        raw = path.read_bytes()
        t0 = time.perf_counter()
        message = parse_message(raw)
        text, _html = extract_text(message)
        elapsed = time.perf_counter() - t0
        slowest = max(slowest, (elapsed, str(path)))
        counts = totals.setdefault(folder, [0, 0, 0, 0])
        counts[0] += 1
        subject = message.get("Subject") or ""
        why = bad(subject)
        if why:
            counts[1] += 1
            offenders.append(f"{folder}/{path.name} subject {why}: {subject[:80]!r}")
        why = bad(text)
        if why:
            counts[2] += 1
            at = max(0, text.find("\ufffd") if why == "U+FFFD" else MOJIBAKE.search(text).start())
            offenders.append(f"{folder}/{path.name} body {why}: {text[max(0, at - 30):at + 30]!r}")
        if message.truncated:
            counts[3] += 1
    print(f"{'folder':<12} {'messages':>8} {'bad subj':>8} {'bad body':>8} {'truncated':>9}")
    for folder, (n, subj, body, trunc) in sorted(totals.items()):
        print(f"{folder:<12} {n:>8} {subj:>8} {body:>8} {trunc:>9}")
    print(f"total {sum(c[0] for c in totals.values())} messages in {time.perf_counter() - started:.1f} s; "
          f"slowest {slowest[0] * 1000:.0f} ms ({slowest[1]})")
    if verbose:
        print("\n".join(offenders))


if __name__ == "__main__":
    main()
