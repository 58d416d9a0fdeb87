"""How much a domain label looks like something a person chose, rather than a machine.

Throwaway domains in phishing ("fevcvxs.cn", "ubrjubf.com") are random letter strings. A character
bigram model trained on the labels of the bundled popular-domain list scores how plausible a label
is; random strings score far lower than names and words in any romanised language.
"""

from __future__ import annotations

import math
import re
from functools import cache
from importlib import resources

_ALPHA = "abcdefghijklmnopqrstuvwxyz"
_VOWELS = set("aeiouy")


@cache
def _model() -> dict[str, float]:
    counts: dict[str, int] = {}
    firsts: dict[str, int] = {}
    text = resources.files("whence.data").joinpath("tranco_top_10k.csv").read_text(encoding="utf-8")
    for line in text.splitlines():
        domain = line.split(",")[-1].strip().lower()
        for word in re.split(r"[^a-z]+", domain.split(".")[0]):
            if len(word) < 2:
                continue
            w = f"^{word}$"
            for a, b in zip(w, w[1:]):
                counts[a + b] = counts.get(a + b, 0) + 1
                firsts[a] = firsts.get(a, 0) + 1
    alphabet = len(_ALPHA) + 1
    return {a + b: math.log((counts.get(a + b, 0) + 0.5) / (firsts.get(a, 0) + 0.5 * alphabet))
            for a in "^" + _ALPHA for b in _ALPHA + "$"}


def plausibility(label: str) -> float:
    """Mean log-probability per bigram (higher = more word-like). Letters only; others split words."""
    model = _model()
    total, n = 0.0, 0
    for word in re.split(r"[^a-z]+", label.lower()):
        if not word:
            continue
        w = f"^{word}$"
        for a, b in zip(w, w[1:]):
            total += model.get(a + b, -8.0)
            n += 1
    return total / n if n else 0.0


def looks_random(label: str) -> bool:
    """A label of 5+ letters that no person would have picked: implausible bigrams or no vowels."""
    letters = re.sub(r"[^a-z]", "", label.lower())
    if len(letters) < 5 or len(label) > 40:
        return False
    vowels = sum(c in _VOWELS for c in letters)
    if vowels == 0:
        return True
    digits = sum(c.isdigit() for c in label)
    score = plausibility(label)
    if digits >= 3 and letters and score < -2.9:
        return True
    return score < -3.35 or (vowels / len(letters) < 0.2 and score < -3.0)
