"""Brand knowledge: which brands a text claims, which domains a brand owns, and look-alikes of them.

The map lives in data/brands.json (names in English and Japanese, official registrable domains).
Matching is deliberately conservative: ASCII names match only as whole words (a Japanese letter
counts as a boundary, so "Amazonアカウント" matches), short or common-word names only in the case
given (so "ETC" matches but "etc." does not, "au" but not "Au").
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass
from functools import cache, cached_property, lru_cache
from importlib import resources
from typing import Any

import publicsuffixlist
from rapidfuzz import process
from rapidfuzz.distance import OSA

from . import tables
from .domainlists import popular_rank, suspicious_tld
from .domains import registrable_domain

# zero-width and bidi controls, soft hyphen, variation selectors: used to split brand names
INVISIBLE = re.compile("[\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180e\u200b-\u200f\u202a-\u202e"
                       "\u2060-\u2064\u2066-\u206f\u3164\ufe00-\ufe0f\ufeff\uffa0"
                       "\U000e0000-\U000e007f\U000e0100-\U000e01ef]")


_KANA_MARKS = frozenset("\u3099\u309a")  # Japanese voicing marks are letters, not decoration


@dataclass(frozen=True)
class Brand:
    key: str
    name: str
    name_ja: str
    domains: tuple[str, ...]
    japanese: bool
    category: str
    regex: str  # how its names are matched; compiled on first use (most brands are never searched for)
    labels: tuple[str, ...]  # distinctive second-level labels of the official domains ("amazon", "smbc-card")

    @cached_property
    def pattern(self) -> re.Pattern[str]:
        return re.compile(self.regex)

    def owns(self, domain: str | None) -> bool:
        """True when DOMAIN (any host name) is one of the brand's official domains or below one."""
        if not domain:
            return False
        domain = domain.lower().rstrip(".")
        return any(domain == d or domain.endswith("." + d) for d in self.domains)


def normalise(text: str) -> str:
    """NFKC (full-width → ASCII), invisible characters removed, whitespace collapsed."""
    text = re.sub("[™®©℠]", " ", text[:20000])  # NFKC would glue "TM" to the name
    text = INVISIBLE.sub("", unicodedata.normalize("NFKC", text))
    if not text.isascii():  # combining marks sprinkled into Latin words ("Gooِgle") hide the name
        text = "".join(c for c in text if not (unicodedata.category(c) == "Mn" and c not in _KANA_MARKS))
    return re.sub(r"\s+", " ", text)


def _name_pattern(name: str, case_sensitive: bool) -> str:
    name = unicodedata.normalize("NFKC", name)
    body = re.escape(name).replace(r"\ ", r"\s?")
    if name.isascii():
        body = rf"(?<![A-Za-z0-9]){body}(?![A-Za-z0-9]|\.[A-Za-z]{{0,1}}\b)" if case_sensitive \
            else rf"(?<![A-Za-z0-9]){body}(?![A-Za-z0-9])"
    return body if case_sensitive else f"(?i:{body})"


def _label(domain: str) -> str:
    reg = registrable_domain(domain) or domain
    return reg.split(".")[0]


def _brands_json() -> dict[str, Any]:
    return json.loads(resources.files("whence.data").joinpath("brands.json").read_text(encoding="utf-8"))


def _sources() -> list[str]:
    """What the brand tables are derived from: the brand list, and the PSL behind their labels."""
    return [str(resources.files("whence.data").joinpath("brands.json")), publicsuffixlist.PSLFILE]


def _brand_rows() -> list[tuple[Any, ...]]:
    out = []
    for entry in _brands_json()["brands"]:
        cs = set(entry.get("case_sensitive", []))
        alts = sorted(entry["names"], key=len, reverse=True)
        regex = "|".join(_name_pattern(n, n in cs) for n in alts)
        labels = tuple(sorted({_label(d) for d in entry["domains"]}))
        out.append((entry["key"], entry["name"], entry.get("name_ja", entry["name"]),
                    tuple(d.lower() for d in entry["domains"]),
                    bool(entry.get("japanese")), entry.get("category", "other"), regex, labels))
    return out


@cache
def all_brands() -> tuple[Brand, ...]:
    """Every brand, in the order of brands.json (built once, then read from the tables cache)."""
    return tuple(Brand(*row) for row in tables.cached("brands", 1, _sources(), _brand_rows))


def _needle_table() -> tuple[str, dict[str, tuple[str, ...]]]:
    owners: dict[str, list[str]] = {}
    for entry in _brands_json()["brands"]:
        for n in entry["names"]:
            word = unicodedata.normalize("NFKC", n).lower().split()[0]
            keys = owners.setdefault(word, [])
            if entry["key"] not in keys:
                keys.append(entry["key"])
    # the scan takes the longest word at each position; every shorter word it starts with matches there too
    full = {w: tuple(dict.fromkeys(k for v in owners if w.startswith(v) for k in owners[v])) for w in owners}
    return "|".join(re.escape(w) for w in sorted(owners, key=len, reverse=True)), full


@cache
def _needles() -> tuple[re.Pattern[str], dict[str, tuple[Brand, ...]]]:
    """One pattern for the first word of every brand name (lower-cased), and which brands each word
    may begin: a single scan of the text picks the few brands whose exact pattern is worth running."""
    source, full = tables.cached("brand-needles", 1, _sources(), _needle_table)
    by_key = {b.key: b for b in all_brands()}
    return re.compile(source), {w: tuple(by_key[k] for k in keys) for w, keys in full.items()}


def claimed(text: str) -> list[tuple[Brand, str]]:
    """Brands named in TEXT, with the matched words, in order of first appearance."""
    text = normalise(text)
    rx, owners = _needles()
    # overlapping needles ("au" inside "aus"): scan from every start, not just after the last match
    words = {m.group(0) for m in _overlapping(rx, text.lower())}
    if not words:
        return []
    hits = []
    for brand in sorted({b for w in words for b in owners[w]}, key=_order().__getitem__):
        m = brand.pattern.search(text)
        if m:
            hits.append((m.start(), brand, m.group(0)))
    return [(b, word) for _, b, word in sorted(hits, key=lambda h: h[0])]


@cache
def _order() -> dict[Brand, int]:
    return {b: i for i, b in enumerate(all_brands())}


def _overlapping(rx: re.Pattern[str], text: str):  # -> Iterator[re.Match[str]]
    pos = 0
    while (m := rx.search(text, pos)) is not None:
        yield m
        # a shorter needle may start inside this one ("amazon" / "on"): try the next position too
        pos = m.start() + 1


@cache
def _owners() -> dict[str, Brand]:
    return {d: b for b in reversed(all_brands()) for d in b.domains}


def owner_of(domain: str | None) -> Brand | None:
    """The brand owning DOMAIN or a parent of it (suffix lookups in an index: this runs per link)."""
    if not domain:
        return None
    parts = domain.lower().rstrip(".").split(".")
    owners = _owners()
    for i in range(len(parts) - 1):
        brand = owners.get(".".join(parts[i:]))
        if brand:
            return brand
    return None


def by_key(key: str) -> Brand | None:
    return next((b for b in all_brands() if b.key == key), None)


# ------------------------------------------------------------------------------------------------
# look-alikes

_DIGIT_LOOKALIKES = str.maketrans({"0": "o", "1": "l", "3": "e", "4": "a", "5": "s", "7": "t", "8": "b", "9": "g"})


def skeleton(label: str) -> str:
    """A Latin skeleton of a label: confusable letters mapped to ASCII, digits to letters, rn → m."""
    out = []
    for ch in unicodedata.normalize("NFKC", label.lower()):
        if ch.isascii():
            out.append(ch)
            continue
        for glyph in _confusables().get(ch, []):
            c = glyph.get("c", "")
            if len(c) == 1 and c.isascii() and c.isalnum():
                out.append(c.lower())
                break
        else:
            base = unicodedata.normalize("NFKD", ch)[:1]
            out.append(base if base.isascii() else ch)
    return "".join(out).translate(_DIGIT_LOOKALIKES).replace("rn", "m").replace("vv", "w")


@cache
def _confusables() -> dict[str, list[dict[str, str]]]:
    """Unicode's confusables table, loaded when a label first has a non-ASCII letter."""
    from confusable_homoglyphs import confusables

    return confusables.confusables_data


@dataclass(frozen=True)
class Lookalike:
    brand: Brand
    kind: str  # homoglyph | typo | combo | tld_swap | brand_in_subdomain
    official: str  # the official label or domain it imitates


_GENERIC_LABELS = {"line", "visa", "apple", "chase", "steam", "sky", "ups", "meta", "mail", "post", "view",
                   "amex", "nomura", "olive", "epos", "orico", "monex", "jal", "ana", "au",
                   "outlook", "office", "live", "windows", "bing", "xbox", "skype", "azure", "onedrive", "msn",
                   "youtube", "ledger", "valve", "costco", "adobe", "norton", "dpoint", "ymobile", "jalan"}


@cache
def _label_index() -> dict[str, Brand]:
    """Every official label of 3+ letters with its brand (the first brand listed wins)."""
    index: dict[str, Brand] = {}
    for brand in all_brands():
        for official in brand.labels:
            if len(official) >= 3:
                index.setdefault(official, brand)
    return index


def _fold(label: str) -> str:
    """i and l (and I, 1, ӏ, which skeleton maps to one of them) read the same in most fonts."""
    return label.replace("l", "i")


@cache
def _folded_index() -> dict[str, str]:
    return {_fold(official): official for official in _label_index()}


@cache
def _distinctive() -> tuple[str, ...]:
    """Labels long and distinctive enough to look for inside, or misspelt as, another label."""
    return tuple(lab for lab in _label_index() if len(lab) >= 6 and lab not in _GENERIC_LABELS)


@cache
def _by_length() -> dict[int, tuple[str, ...]]:
    out: dict[int, list[str]] = {}
    for lab in _distinctive():
        if len(lab) >= 8:
            out.setdefault(len(lab), []).append(lab)
    return {n: tuple(labs) for n, labs in out.items()}


@lru_cache(maxsize=8192)
def lookalike(host: str) -> Lookalike | None:
    """Whether HOST imitates a brand domain it does not belong to. None for the brand's own hosts.

    The edit-distance searches run in rapidfuzz's C loops over every brand label at once: this runs
    for every link of every message."""
    host = host.lower().rstrip(".")
    if owner_of(host):
        return None
    reg = registrable_domain(host) or host
    if popular_rank(reg):  # an established popular site is not a look-alike of anything
        return None
    index = _label_index()
    label = reg.split(".")[0]
    skel = skeleton(label)
    if label != skel and skel in index:
        return Lookalike(index[skel], "homoglyph", skel)
    folded = _folded_index().get(_fold(skel))
    if folded and folded != label:
        return Lookalike(index[folded], "homoglyph", folded)
    if label in index:
        # brands own many country domains we do not list; a swap counts under an abused TLD
        brand = index[label]
        return Lookalike(brand, "tld_swap", label) if len(label) >= 5 and suspicious_tld(reg) else None
    tokens = set(re.split(r"[-_.0-9]+", skel))
    if len(tokens) > 1:
        for token in tokens:
            if token in index:
                return Lookalike(index[token], "combo", token)
    for official in _distinctive():
        if official in skel:
            return Lookalike(index[official], "combo", official)
    for official, dist, _ in process.extract(skel, _distinctive(), scorer=OSA.distance, score_cutoff=2,
                                             limit=None):
        if dist <= (1 if len(official) < 10 else 2):
            return Lookalike(index[official], "typo", official)
    # a misspelt brand with a word after it ("myetherwallatak"): long names, one edit, at the start
    for size, labels in _by_length().items():
        if len(skel) > size:
            for n in (size - 1, size, size + 1):
                hit = process.extractOne(skel[:n], labels, scorer=OSA.distance, score_cutoff=1)
                if hit:
                    return Lookalike(index[hit[0]], "typo", hit[0])
    sub = host[: -len(reg)].rstrip(".") if host.endswith(reg) and host != reg else ""
    if sub:
        for token in re.split(r"[-_.]+", sub):
            if token in index and token not in _GENERIC_LABELS:
                return Lookalike(index[token], "brand_in_subdomain", token)
        dotted = f".{sub}."
        for brand in all_brands():
            for d in brand.domains:
                if f".{d}." in dotted or sub.endswith(d.replace(".", "-")):
                    return Lookalike(brand, "brand_in_subdomain", d)
    return None
