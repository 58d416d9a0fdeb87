"""Findings → score → level, and a one-sentence summary that names the strongest reasons.

Each finding id counts once (its highest-scoring hit). Risks add up; positive evidence (negative
scores, e.g. an aligned DMARC pass) offsets the sum of weak signals, but never hides the strongest
single risk: authentication proves who sent a mail, not that it is harmless.
"""

from __future__ import annotations

from . import weights
from .checks import CATALOGUE
from .i18n import T, Text, fmt
from .model import Finding, Verdict


def score(findings: list[Finding]) -> float:
    best: dict[str, float] = {}
    for f in findings:
        if f.id not in best or abs(f.score) > abs(best[f.id]):
            best[f.id] = f.score
    risks = [s for s in best.values() if s > 0]
    relief = -sum(s for s in best.values() if s < 0)
    if not risks:
        return -relief
    return max(sum(risks) - relief, max(risks))


def level_for(total: float) -> str:
    for level, bound in weights.thresholds():
        if total >= bound:
            return level
    return "safe"


def decide(findings: list[Finding]) -> Verdict:
    total = score(findings)
    level = level_for(total)
    return Verdict(level=level, score=total, summary=summary(level, findings))


_LEAD: dict[str, Text] = {
    "dangerous": T("Dangerous", "危険"), "suspicious": T("Suspicious", "不審"),
    "caution": T("Be careful", "注意"), "safe": T("Nothing suspicious found", "不審な点は見つかりません"),
}


def summary(level: str, findings: list[Finding]) -> Text:
    reasons: list[Text] = []
    seen: set[str] = set()
    for f in sorted(findings, key=lambda f: -f.score):
        chk = CATALOGUE.get(f.id)
        if f.score <= 0 or chk is None or chk.reason is None or f.id in seen:
            continue
        seen.add(f.id)
        reasons.append(fmt(chk.reason, **{k: _plain(v) for k, v in f.evidence.items()}))
        if len(reasons) == 3:
            break
    lead = _LEAD[level]
    if not reasons:
        if level == "safe":
            positive = next((f for f in findings if f.score < 0), None)
            if positive:
                return T(f"{lead['en']}: {positive.title['en']}.", f"{lead['ja']}：{positive.title['ja']}。")
        return T(f"{lead['en']}.", f"{lead['ja']}。")
    en = reasons[0]["en"]
    if len(reasons) > 1:
        en += ", " + ", ".join(r["en"] for r in reasons[1:-1]) + (", and " if len(reasons) > 2 else " and ") \
            + reasons[-1]["en"]
    ja = "。".join(r["ja"] for r in reasons)
    return T(f"{lead['en']}: {en[0].upper() + en[1:]}.", f"{lead['ja']}：{ja}。")


def _plain(value: object) -> str:
    if isinstance(value, (list, tuple)):
        return ", ".join(str(v) for v in value[:3])
    return str(value)


def unknown(finding: Finding) -> Verdict:
    return Verdict(level="unknown", score=0.0,
                   summary=T(f"Could not analyse: {finding.detail['en']}", f"解析できません：{finding.detail['ja']}"))
