"""The fitted weight table: what each finding adds to the verdict score, and the level thresholds.

Severity is what a person reads; weight is what the score uses. The weights are fitted by
`bench/fit_weights.py` on the labelled development corpora (how, and how well they hold on mail
the fit never saw: docs/weights.md) and ship as `data/weights.json`. A key is a check id, or
`id:variant` for a named kind of hit. A check the fit cannot see — the live checks, for want of a
labelled live corpus — keeps the prior its `@check` declares, scaled as the boundaries were
(`live`). At run time this is table lookup.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

# used when the table is missing or unreadable: the hand-set boundaries the priors were written for
_DEFAULT_THRESHOLDS = {"dangerous": 8.0, "suspicious": 4.5, "caution": 2.0}


@cache
def _table() -> dict[str, Any]:
    try:
        return json.loads(resources.files("whence").joinpath("data/weights.json").read_text("utf-8"))
    except (OSError, ValueError):
        return {}


def weight(key: str, prior: float) -> float:
    """The fitted weight of KEY, or PRIOR when the fit has none for it."""
    return float(_table().get("weights", {}).get(key, prior))


def live(prior: float) -> float:
    """A live check's prior moved onto the fitted scale. The live checks cannot be fitted (there is
    no labelled live corpus) and their priors were written for the hand-set boundaries (suspicious
    at 4.5); the fit moved the boundaries, so their weights move with them, in proportion."""
    return round(prior * dict(thresholds())["suspicious"] / _DEFAULT_THRESHOLDS["suspicious"], 2)


def thresholds() -> tuple[tuple[str, float], ...]:
    """Score boundaries from the most severe level down, as the fit chose them for the ham goals."""
    bounds = {**_DEFAULT_THRESHOLDS, **_table().get("thresholds", {})}
    return tuple((level, float(bounds[level])) for level in ("dangerous", "suspicious", "caution"))
