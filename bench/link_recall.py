"""How much the link checks see on their own: JPCERT/CC's confirmed phishing URLs against the links
of the development ham, each put alone into the same plain notice from an unremarkable sender.

    .venv/bin/python bench/link_recall.py [--year 2024] [--sample 3000]

A phishing URL "is seen" when any link check fires on it; a ham link host "misfires" the same way
(counts only: the ham folders hold validation lists too).
The URLs come from ../shared/lists (JPCERT/CC phishurl-list, 2019–2024): real hosts of the Japanese
campaigns the corpora sample, not messages, so they test link reading without fitting to a corpus.
Each row of the output is one check and how often it fires on either side.
"""

from __future__ import annotations

import argparse
import csv
import random
import sys
from collections import Counter
from email.message import EmailMessage
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "host"))

from whence import facts  # noqa: E402
from whence.model import Context  # noqa: E402
from whence.parse import parse_message  # noqa: E402
from whence.pipeline import Analysis  # noqa: E402
from whence.settings import Settings  # noqa: E402

SHARED = ROOT.parent / "shared"
URLS = SHARED / "lists" / "jpcert-phishurl-2019-2024.csv"
HAM = [SHARED / "corpus" / "ham", SHARED / "corpus" / "ham-modern", SHARED / "corpus-large" / "ham-modern"]
SETTINGS = Settings(offline=True)


def notice(url: str) -> bytes:
    """The same short HTML notice for every URL: only the link differs."""
    msg = EmailMessage()
    msg["Received"] = ("from mail.example.org (mail.example.org [192.0.2.10]) by mx.example-mail.jp (Postfix) "
                       "with ESMTPS id 4WyK2n; Tue, 3 Sep 2024 02:54:43 +0900")
    msg["From"] = "Taro <taro@example.org>"
    msg["To"] = "hanako@example.jp"
    msg["Subject"] = "お知らせ"
    msg["Date"] = "Tue, 3 Sep 2024 02:54:41 +0900"
    msg.set_content("お知らせ")
    msg.add_alternative(f'<p>お知らせ</p><a href="{url}">ログイン</a>', subtype="html")
    return msg.as_bytes()


# what the message does with its links, not what one link is: every notice here links away from its sender
_MESSAGE_LEVEL = {"link.elsewhere"}


def link_findings(url: str) -> set[str]:
    report = Analysis(notice(url), SETTINGS).offline_report()
    return {f["id"] for f in report["findings"] if f["id"].startswith("link.") and f["id"] not in _MESSAGE_LEVEL}


def phishing_urls(year: str, sample: int) -> list[str]:
    with URLS.open(encoding="utf-8") as f:
        urls = [row["URL"].strip() for row in csv.DictReader(f) if row["date"].startswith(year)]
    random.Random(20261207).shuffle(urls)
    return [u if u.startswith("http") else "http://" + u for u in urls[:sample]]


def ham_urls() -> list[str]:
    """One URL per distinct clickable host of the ham folders' messages."""
    seen: dict[str, str] = {}
    for folder in HAM:
        for path in sorted(folder.glob("*.eml")):
            message = parse_message(path.read_bytes())
            for link in facts.build(message, SETTINGS, Context()).links:
                if link.clickable and link.host and link.url.startswith("http"):
                    seen.setdefault(link.host, link.url)
    return list(seen.values())


def tally(urls: list[str]) -> tuple[Counter, int]:
    fired: Counter = Counter()
    seen = 0
    for url in urls:
        found = link_findings(url)
        fired.update(found)
        seen += bool(found)
    return fired, seen


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--year", default="2024", help="the JPCERT/CC year (or year/month prefix) to sample")
    ap.add_argument("--sample", type=int, default=3000)
    a = ap.parse_args()
    phish = phishing_urls(a.year, a.sample)
    ham = ham_urls()
    p_fired, p_seen = tally(phish)
    h_fired, h_seen = tally(ham)
    print(f"JPCERT/CC {a.year}: {p_seen}/{len(phish)} URLs seen ({p_seen / len(phish):.1%}); "
          f"ham hosts: {h_seen}/{len(ham)} misfired ({h_seen / len(ham):.1%})")
    print(f"| check | phishing URLs ({len(phish)}) | ham hosts ({len(ham)}) |\n|---|---|---|")
    for check in sorted(set(p_fired) | set(h_fired), key=lambda c: -p_fired[c]):
        print(f"| `{check}` | {p_fired[check] / len(phish):.1%} | {h_fired[check] / len(ham):.1%} |")


if __name__ == "__main__":
    main()
