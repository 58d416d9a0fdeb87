"""The catalogue of checks: each a small pure function registered with an id, a severity and texts.

A check reads facts and lookups and yields `Hit`s; the registry turns hits into report findings
with both languages filled in. Adding a check touches one place: the `@check` decorator on it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from itertools import islice
from typing import Any

from .. import weights
from ..i18n import Text, fmt
from ..model import SEVERITIES, Facts, Finding, Lookups

MAX_HITS = 20  # findings one check may give one message: a hostile message can repeat anything


@dataclass
class Hit:
    """One occurrence of what a check looks for, with the evidence a person can verify."""

    evidence: dict[str, Any] = field(default_factory=dict)
    severity: str | None = None  # overrides the check's default (what a person reads)
    variant: str | None = None  # one of the check's declared variants (what the score uses)
    links: list[int] = field(default_factory=list)  # indexes into facts.links this hit concerns
    attachments: list[int] = field(default_factory=list)  # indexes into facts.attachments
    detail: Text | None = None  # overrides the check's detail template


@dataclass(frozen=True)
class Check:
    id: str
    severity: str
    score: float  # prior weight; the fitted one in data/weights.json wins (see weights.py)
    title: Text
    detail: Text  # template: {name} placeholders filled from the hit's evidence
    reason: Text | None  # short clause for the one-sentence summary; None = never named there
    func: Callable[[CheckContext], Iterable[Hit]]
    needs_network: bool = False  # only meaningful once lookups have run
    variants: dict[str, float] = field(default_factory=dict)  # named kinds of hit and their priors

    def weight(self, variant: str | None = None) -> float:
        """What a hit of this check (of VARIANT) adds to the score: the fitted weight, else the prior
        (a live check's on the fitted scale: see weights.live)."""
        prior = self.score if variant is None else self.variants[variant]
        if self.needs_network:
            return weights.live(prior)
        return weights.weight(self.id if variant is None else f"{self.id}:{variant}", prior)


class CheckContext:
    """What a check may read: the facts, the lookups, the reader's history (None when off, see
    history.py), and memoised derived knowledge."""

    def __init__(self, facts: Facts, lookups: Lookups, history: Any = None) -> None:
        self.facts = facts
        self.lookups = lookups
        self.history = history  # whence.history.View | None
        self._memo: dict[str, Any] = {}

    def memo(self, key: str, compute: Callable[[], Any]) -> Any:
        if key not in self._memo:
            self._memo[key] = compute()
        return self._memo[key]


CATALOGUE: dict[str, Check] = {}


def check(
    id: str,
    severity: str,
    score: float,
    title: Text,
    detail: Text,
    reason: Text | None = None,
    needs_network: bool = False,
    variants: dict[str, float] | None = None,
) -> Callable[[Callable[[CheckContext], Iterable[Hit]]], Callable[[CheckContext], Iterable[Hit]]]:
    """Register a check in the catalogue under a stable id."""
    assert severity in SEVERITIES, severity

    def register(func: Callable[[CheckContext], Iterable[Hit]]) -> Callable[[CheckContext], Iterable[Hit]]:
        if id in CATALOGUE:
            raise ValueError(f"duplicate check id {id}")
        CATALOGUE[id] = Check(id, severity, score, title, detail, reason, func, needs_network, variants or {})
        return func

    return register


def run_checks(facts: Facts, lookups: Lookups, history: Any = None) -> tuple[list[Finding], list[str]]:
    """Run every check; a check that raises is reported as an error, never fatal."""
    ctx = CheckContext(facts, lookups, history)
    findings: list[Finding] = []
    errors: list[str] = []
    for chk in CATALOGUE.values():
        try:
            hits = list(islice(chk.func(ctx), MAX_HITS))
        except Exception as exc:
            errors.append(f"{chk.id}: {type(exc).__name__}: {exc}")
            continue
        for hit in hits:
            findings.append(_finding(chk, hit))
            for i in hit.links:
                if 0 <= i < len(facts.links) and chk.id not in facts.links[i].findings:
                    facts.links[i].findings.append(chk.id)
            for i in hit.attachments:
                if 0 <= i < len(facts.attachments) and chk.id not in facts.attachments[i].findings:
                    facts.attachments[i].findings.append(chk.id)
    return findings, errors


def _finding(chk: Check, hit: Hit) -> Finding:
    values = {k: _short(v) for k, v in hit.evidence.items()}
    return Finding(
        id=chk.id,
        severity=hit.severity or chk.severity,
        title=dict(chk.title),
        detail=hit.detail or fmt(chk.detail, **values),
        evidence=hit.evidence,
        score=chk.weight(hit.variant),
        variant=hit.variant,
    )


def _short(value: Any, limit: int = 200) -> str:
    if isinstance(value, (list, tuple, set)):
        value = ", ".join(str(v) for v in list(value)[:8])
    text = str(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"
