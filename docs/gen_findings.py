"""Regenerate docs/findings.md from the checks catalogue: `python docs/gen_findings.py`."""

from __future__ import annotations

from pathlib import Path

from whence.checks import CATALOGUE

HEAD = """# Findings

Every finding Whence can report, generated from the checks catalogue (`host/whence/checks/`).
Scores add up per message (each id counts once); negative scores are positive evidence, which offsets
weak signals but never hides the strongest single risk. Levels: below 2 safe, from 2 caution, from 4.5
suspicious, from 8 dangerous. Ids marked *network* need the live lookups.

| id | severity | score | title (en) | title (ja) |
|---|---|---|---|---|
"""


def main() -> None:
    rows = []
    for chk in sorted(CATALOGUE.values(), key=lambda c: c.id):
        net = " *network*" if chk.needs_network else ""
        rows.append(f"| `{chk.id}`{net} | {chk.severity} | {chk.score:+g} | {chk.title['en']} | {chk.title['ja']} |")
    details = ["", "## Explanations", ""]
    for chk in sorted(CATALOGUE.values(), key=lambda c: c.id):
        details += [f"### `{chk.id}`", "", f"- en: {chk.detail['en']}", f"- ja: {chk.detail['ja']}", ""]
    out = Path(__file__).with_name("findings.md")
    out.write_text(HEAD + "\n".join(rows) + "\n" + "\n".join(details), encoding="utf-8")
    print(f"{len(rows)} findings → {out}")


if __name__ == "__main__":
    main()
