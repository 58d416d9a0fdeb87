"""Regenerate docs/findings.md from the checks catalogue: `python docs/gen_findings.py`."""

from __future__ import annotations

from pathlib import Path

from whence.checks import CATALOGUE
from whence.weights import thresholds

HEAD = """# Findings

Every finding Whence can report, generated from the checks catalogue (`host/whence/checks/`).
Severity is what a person reads; weight is what the verdict's score uses. Weights add up per message
(each id counts once); negative weights are positive evidence, which offsets weak signals but never
hides the strongest single risk. The weights are fitted (`bench/fit_weights.py`, see
[weights.md](weights.md)); a check's kinds of hit (`id:variant`) have weights of their own; a check the
fit cannot see (*network*: needs the live lookups) keeps its prior, scaled as the fit moved the
boundaries (suspicious from 4.5). Levels: from {caution:g} caution, from {suspicious:g} suspicious,
from {dangerous:g} dangerous.

| id | severity | weight (prior) | title (en) | title (ja) |
|---|---|---|---|---|
"""


def main() -> None:
    rows = []
    for chk in sorted(CATALOGUE.values(), key=lambda c: c.id):
        net = " *network*" if chk.needs_network else ""
        kinds = "".join(f"<br>`:{v}` {chk.weight(v):+.2f} ({p:+g})" for v, p in chk.variants.items())
        rows.append(f"| `{chk.id}`{net} | {chk.severity} | {chk.weight():+.2f} ({chk.score:+g}){kinds} | "
                    f"{chk.title['en']} | {chk.title['ja']} |")
    details = ["", "## Explanations", ""]
    for chk in sorted(CATALOGUE.values(), key=lambda c: c.id):
        details += [f"### `{chk.id}`", "", f"- en: {chk.detail['en']}", f"- ja: {chk.detail['ja']}", ""]
    out = Path(__file__).with_name("findings.md")
    out.write_text(HEAD.format(**dict(thresholds())) + "\n".join(rows) + "\n" + "\n".join(details), encoding="utf-8")
    print(f"{len(rows)} findings → {out}")


if __name__ == "__main__":
    main()
