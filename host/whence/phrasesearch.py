"""Where a phrase pattern first matches, found by its literal beginnings instead of a regex scan.

The phrase checks (checks/content.py, checks/scam.py) search the body text with big alternations
(`\\b(beneficiary|next of kin|inheritance|...)`). CPython's regex engine tries every alternative at
every position of the text, which makes these searches the largest part of the checks' time. But
nearly every alternative begins with literal text: this module reads a pattern's parse tree once
and derives the literal prefixes (at most `_LONG` characters) that every match must begin with,
then tries the pattern only where one of them occurs, in increasing order of position. The first
position where it matches is exactly what a scan would return: the prefixes cover every position
where the pattern can match, and the pattern itself decides at each.

Where the prefixes occur is found for all patterns at once: one Aho-Corasick automaton
(pyahocorasick) holds every planned pattern's prefixes and reads each text once, instead of one
`str.find` per prefix and pattern (most of them scanning the whole text for a prefix it lacks).

A pattern whose matches cannot all be covered by literal prefixes (one may begin with a digit or a
wide character class, or with nothing at all) gets no plan, and its callers scan as before.
"""

from __future__ import annotations

import heapq
import re
from typing import Any

import ahocorasick

try:  # Python 3.11+
    import re._constants as _c
    import re._parser as _p
except ImportError:  # pragma: no cover - older interpreters: no plans, plain scans
    _c = _p = None

_MAX = 128  # prefixes per pattern at most; a pattern needing more gets no plan
_LONG = 4  # characters: a prefix this long is selective enough, it is extended no further
_WARM = 2  # a pattern is planned on its second search: a one-off search is not worth a parse


class _NoPlan(Exception):
    pass


def _chars(items: Any) -> list[str] | None:
    """The characters of a small character class of literals, or None."""
    out: list[str] = []
    for op, av in items:
        if op is _c.LITERAL:
            out.append(chr(av))
        elif op is _c.RANGE and av[1] - av[0] < 8:
            out += [chr(ch) for ch in range(av[0], av[1] + 1)]
        else:
            return None
    return out


def _seq(seq: Any, heads: list[str]) -> tuple[list[str], bool]:
    """HEADS (the exact texts that every way through the pattern so far consumed) extended by the
    items of SEQ: (heads, stopped). Once stopped, each head is only a prefix of what is consumed."""
    for op, av in seq:
        if min(map(len, heads)) >= _LONG:
            return heads, True
        if op is _c.LITERAL:
            heads = [h + chr(av) for h in heads]
            continue
        stopped = False
        if op is _c.IN:
            chars = _chars(av)
            if chars is None:
                return heads, True
            new = [h + ch for h in heads for ch in chars]
        elif op is _c.SUBPATTERN and not av[1] and not av[2]:  # a group without flags
            new, stopped = _alternatives([av[3]], heads)
        elif op is _c.BRANCH:
            new, stopped = _alternatives(av[1], heads)
        elif op in (_c.MAX_REPEAT, _c.MIN_REPEAT) and av[0] == 0 and av[1] == 1:  # x?: skipped or taken
            taken, stopped = _alternatives([av[2]], heads)
            new = heads + taken
        elif op in (_c.MAX_REPEAT, _c.MIN_REPEAT) and av[0] >= 1:  # at least one x
            new, _ = _alternatives([av[2]], heads)
            stopped = True
        elif op in (_c.AT, _c.ASSERT, _c.ASSERT_NOT) and heads == [""]:
            continue  # zero-width, before anything is consumed: the match still begins here
        else:
            return heads, True
        if len(new) > _MAX:
            return heads, True
        heads = new
        if stopped:
            return heads, True
    return heads, False


def _alternatives(alternatives: Any, heads: list[str]) -> tuple[list[str], bool]:
    out: list[str] = []
    stopped = False
    for alternative in alternatives:
        extended, s = _seq(alternative, heads)
        out += extended
        stopped = stopped or s
    return out, stopped


def prefixes(pattern: str) -> tuple[str, ...] | None:
    """Literal texts of which every match of PATTERN (compiled without flags) begins with one, the
    shortest kept when one begins another; None when there are no such texts."""
    if _p is None:
        return None
    try:
        parsed = _p.parse(pattern, 0)
    except Exception:
        return None
    if parsed.state.flags & ~re.UNICODE:  # inline flags (?i) (?m) (?x) ...: no plan
        return None
    heads, _ = _seq(list(parsed), [""])
    if not heads or "" in heads or len(heads) > _MAX:
        return None
    kept: list[str] = []
    for head in sorted(set(heads), key=lambda h: (len(h), h)):
        if not any(head.startswith(k) for k in kept):
            kept.append(head)
    return tuple(kept)


_plans: dict[re.Pattern[str], tuple[str, ...] | None] = {}
_seen: dict[re.Pattern[str], int] = {}


def plan(fast: re.Pattern[str]) -> tuple[str, ...] | None:
    """FAST's literal prefixes once it has been searched `_WARM` times; None before, or when it has none."""
    try:
        return _plans[fast]
    except KeyError:
        pass
    seen = _seen.get(fast, 0) + 1
    if seen < _WARM or len(_seen) > 4096:
        _seen[fast] = seen
        return None
    _plans[fast] = found = prefixes(fast.pattern)
    _seen.pop(fast, None)
    return found


class _Occurrences:
    """Every planned prefix, in one automaton; where they occur in the last few texts read."""

    def __init__(self) -> None:
        self.literals: set[str] = set()
        self.automaton: Any = None
        self.texts: dict[str, dict[str, list[int]]] = {}

    def of(self, literals: tuple[str, ...], lower: str) -> dict[str, list[int]]:
        """Literal -> its positions in LOWER, ascending, for every literal the automaton holds."""
        if self.automaton is None or not self.literals.issuperset(literals):
            self.literals.update(literals)  # a pattern planned since: rebuilt (a few times, at warm-up)
            automaton = ahocorasick.Automaton()
            for literal in self.literals:
                automaton.add_word(literal, (literal, len(literal) - 1))
            automaton.make_automaton()
            self.automaton, self.texts = automaton, {}
        found = self.texts.get(lower)
        if found is None:
            found = {}
            for end, (literal, back) in self.automaton.iter(lower):
                found.setdefault(literal, []).append(end - back)
            if len(self.texts) >= 4:  # the checks read a few texts per message, each many times
                self.texts.clear()
            self.texts[lower] = found
        return found


_occurrences = _Occurrences()


def first(fast: re.Pattern[str], literals: tuple[str, ...], lower: str, accept: Any) -> Any:
    """The first position of LOWER, in increasing order, at which FAST matches and ACCEPT(position)
    gives a true value (returned); None when there is none. LITERALS: plan(FAST)."""
    found = _occurrences.of(literals, lower)
    last = -1
    for at in heapq.merge(*(found[text] for text in literals if text in found)):
        if at != last and fast.match(lower, at) and (hit := accept(at)):
            return hit
        last = at
    return None
