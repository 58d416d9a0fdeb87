"""phrasesearch: the literal-prefix search finds exactly what a scan with the candidate pattern finds."""

from __future__ import annotations

import random
import re

import pytest
from whence import phrasesearch
from whence.checks import content, scam


def _phrase_patterns() -> list[re.Pattern[str]]:
    out = []
    for module in (content, scam):
        for value in vars(module).values():
            if isinstance(value, list) and value and all(
                    isinstance(v, tuple) and len(v) == 2 and isinstance(v[1], re.Pattern) for v in value):
                out += [rx for _, rx in value]
    return [*out, scam._WAITING, scam._CRYPTO]


def _texts(patterns: list[re.Pattern[str]]) -> list[str]:
    """Texts made of pieces of the patterns' own alternatives, mangled: near misses and matches."""
    rnd = random.Random(11)
    words = sorted({w for rx in patterns for w in re.findall(r"[^\W\d_]{2,}|[\u3040-\u30ff\u4e00-\u9fff]+",
                                                              rx.pattern)})
    noise = ["", " ", "  ", "-", ".", ",", "\n", "x", "1", "24", "$", "€", "ſ", "K", "İ", "É", "_"]
    texts = []
    for _ in range(400):
        parts = []
        for _ in range(rnd.randint(1, 25)):
            w = rnd.choice(words)
            if rnd.random() < 0.3:
                w = w.upper() if rnd.random() < 0.5 else w.capitalize()
            if rnd.random() < 0.2 and len(w) > 3:
                i = rnd.randrange(len(w))
                w = w[:i] + w[i + 1:]
            parts.append(w)
            parts.append(rnd.choice(noise) + rnd.choice([" ", "", "  "]))
        texts.append("".join(parts))
    return texts


def test_plans_exist_for_the_big_alternations() -> None:
    planned = [rx for rx in _phrase_patterns() if phrasesearch.prefixes(content._candidates(rx).pattern)]
    assert len(planned) >= 25


@pytest.mark.parametrize("pattern", [
    r"(a|b)?c", r"\b(x|y)+z", r"ab?c|d", r"(?:foo|ba[rz])\s+q", r"(?<!a)bc", r"x{2,3}y", r"[a-c]d|e",
])
def test_prefixes_cover_every_match(pattern: str) -> None:
    literals = phrasesearch.prefixes(pattern)
    rx = re.compile(pattern)
    text = "zz abcd bc ac c xxy xxxy fooo  q foo q baz q bbz xyz yyz ed de adbc"
    for at in range(len(text) + 1):
        if rx.match(text, at):
            assert literals and any(text.startswith(lit, at) for lit in literals), (pattern, at)


def test_nullable_or_classy_patterns_get_no_plan() -> None:
    for pattern in (r"a?", r"\d+ hours", r"(?i)abc", r".x", r"[^a]b", r"^\s*abc"):
        assert phrasesearch.prefixes(pattern) is None, pattern


def test_same_match_as_the_scan() -> None:
    patterns = _phrase_patterns()
    texts = _texts(patterns)
    for rx in patterns:
        fast = content._candidates(rx)
        literals = phrasesearch.prefixes(fast.pattern)
        if literals is None:
            continue
        for text in texts:
            lower = text.lower()
            if len(lower) != len(text):
                continue
            want = content._scan(rx, text, lower)
            got = phrasesearch.first(fast, literals, lower, lambda at, rx=rx, text=text: rx.match(text, at))
            assert (got and (got.start(), got.group(0))) == (want and (want.start(), want.group(0))), \
                (rx.pattern[:60], text)


def test_search_plans_from_the_second_use() -> None:
    rx = re.compile(r"\b(alpha|beta)\s+gamma\b", re.I)
    text = "x BETA  gamma y"
    assert content._search(rx, text, text.lower()).group(0) == "BETA  gamma"
    assert content._search(rx, text, text.lower()).group(0) == "BETA  gamma"
    assert phrasesearch.plan(content._candidates(rx)) == ("alph", "beta")
