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
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache, cached_property, lru_cache
from importlib import resources
from typing import Any

import publicsuffixlist
from rapidfuzz import process
from rapidfuzz.distance import OSA

from . import tables
from .domainlists import is_free_email, popular_domains, popular_rank, popular_source, suspicious_tld
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


_MARKS = re.compile("[™®©℠]")
_SPACES = re.compile(r"\s+")


def normalise(text: str) -> str:
    """NFKC (full-width → ASCII), invisible characters removed, whitespace collapsed."""
    text = _MARKS.sub(" ", text[:20000])  # NFKC would glue "TM" to the name
    text = INVISIBLE.sub("", unicodedata.normalize("NFKC", text))
    if not text.isascii():  # combining marks sprinkled into Latin words ("Gooِgle") hide the name
        text = "".join(c for c in text if not (unicodedata.category(c) == "Mn" and c not in _KANA_MARKS))
    return _SPACES.sub(" ", text)


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


def _needle_table() -> dict[str, tuple[str, ...]]:
    owners: dict[str, list[str]] = {}
    for entry in _brands_json()["brands"]:
        for n in entry["names"]:
            word = unicodedata.normalize("NFKC", n).lower().split()[0]
            keys = owners.setdefault(word, [])
            if entry["key"] not in keys:
                keys.append(entry["key"])
    # the scan takes the longest word at each position; every shorter word it starts with matches there too
    return {w: tuple(dict.fromkeys(k for v in owners if w.startswith(v) for k in owners[v])) for w in owners}


@cache
def _needles() -> tuple[dict[str, tuple[str, ...]], dict[str, tuple[Brand, ...]]]:
    """The first word of every brand name (lower-cased), indexed by its first two characters (longest
    first), and which brands each word may begin: one pass over the text picks the few brands whose
    exact pattern is worth running."""
    full = tables.cached("brand-needles", 2, _sources(), _needle_table)
    by_key = {b.key: b for b in all_brands()}
    index: dict[str, list[str]] = {}
    for word in sorted(full, key=len, reverse=True):
        if len(word) >= 2:  # a one-letter "brand word" would be found everywhere
            index.setdefault(word[:2], []).append(word)
    return {k: tuple(v) for k, v in index.items()}, {w: tuple(by_key[k] for k in keys) for w, keys in full.items()}


def _needle_words(index: dict[str, tuple[str, ...]], text: str) -> set[str]:
    """The longest brand word starting at each position of TEXT. Overlapping words count ("au"
    inside "aus", "on" inside "amazon"): every position is a start. A dictionary lookup per position,
    where one big alternation regex tried ~400 words at each (50 µs for a subject line)."""
    found: set[str] = set()
    get = index.get
    for i in range(len(text)):
        for word in get(text[i:i + 2], ()):
            if text.startswith(word, i):
                found.add(word)
                break
    return found


def claimed(text: str) -> list[tuple[Brand, str]]:
    """Brands named in TEXT, with the matched words, in order of first appearance."""
    text = normalise(text)
    index, owners = _needles()
    words = _needle_words(index, text.lower())
    if not words:
        return []
    hits = []
    for brand in sorted({b for w in words for b in owners[w]}, key=_order().__getitem__):
        m = brand.pattern.search(text)
        if m:
            hits.append((m.start(), brand, m.group(0)))
    return [(b, word) for _, b, word in sorted(hits, key=lambda h: h[0])]


def misspelt(text: str) -> list[tuple[Brand, str]]:
    """Brands whose one-word name of 8+ letters TEXT spells with one letter dropped, added, changed or
    swapped ("Microsft", "Coinbsae"), with the misspelt word: a sender's name a brand never misspells."""
    out: list[tuple[Brand, str]] = []
    names = _long_names()
    for word in dict.fromkeys(re.findall(r"[A-Za-z]{8,20}", normalise(text)[:300])):
        low = word.lower()
        if low in names or low.rstrip("s") in names:  # the name itself, or its plural
            continue
        hit = process.extractOne(low, _long_name_keys(), scorer=OSA.distance, score_cutoff=1)
        if hit and (brand := names[hit[0]]) not in (b for b, _ in out):
            out.append((brand, word))
    return out


@cache
def _long_name_keys() -> tuple[str, ...]:
    return tuple(_long_names())


@cache
def _long_names() -> dict[str, Brand]:
    """One-word ASCII brand names of 8+ letters that are no ordinary word, to their brand (shorter ones
    are one letter from too many words: booking/cooking, binance/finance)."""
    out: dict[str, Brand] = {}
    for brand in all_brands():
        for name in (brand.name.lower(), *brand.labels):
            if name.isascii() and name.isalpha() and len(name) >= 8 and name not in _GENERIC_LABELS \
                    and name not in _WORDS:
                out.setdefault(name, brand)
    return out


@cache
def _order() -> dict[Brand, int]:
    return {b: i for i, b in enumerate(all_brands())}


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
    kind: str  # homoglyph | typo | combo | tld_swap | brand_in_subdomain | suffix_in_subdomain | mangled_in_subdomain
    official: str  # the official label or domain it imitates


_GENERIC_LABELS = {"line", "visa", "apple", "chase", "steam", "sky", "ups", "meta", "mail", "post", "view",
                   "amex", "nomura", "olive", "epos", "orico", "monex", "jal", "ana", "au",
                   "outlook", "office", "live", "windows", "bing", "xbox", "skype", "azure", "onedrive", "msn",
                   "youtube", "ledger", "valve", "costco", "adobe", "norton", "dpoint", "ymobile", "jalan", "mac"}


# what a login page's name adds to a brand: the account and its services ("apple-support-id",
# "line-login", "visa-card"), not a business of its own ("law-office", "apple-farm", "sky-net")
_SERVICE_WORDS = frozenset({
    "account", "accounts", "id", "user", "users", "member", "members", "mypage", "my", "login", "log", "signin",
    "sign", "in", "auth", "secure", "security", "verify", "verification", "confirm", "update", "reset", "resetting",
    "recovery", "setting", "settings", "support", "supports", "help", "service", "services", "center", "centre",
    "info", "information", "notice", "alert", "warning", "attention", "important", "risk", "problem", "protection",
    "manage", "management", "card", "cards", "pay", "payment", "wallet", "bank", "point", "points", "official",
    "online", "web", "web3", "live", "connect", "sync", "restore", "unlock", "claim", "validate", "token", "tokens",
    "inbox", "message", "messages", "notification", "notifications", "newsletter", "order", "orders", "tracking",
    "track", "delivery", "parcel", "package", "shipping",
    "jp", "japan", "co", "com", "mail", "page", "portal", "customer", "client", "app", "apps", "cloud"})


_LONG_SERVICE_WORDS = tuple(w for w in _SERVICE_WORDS if len(w) >= 5)  # "sign" is in "design"


def _service_words(label: str, skel: str, official: str) -> bool:
    """Whether a label's other words name a brand's account services (see _SERVICE_WORDS), also run
    together ("updateaddcard"); read as written and through look-alike letters (SKEL: "supp0rt")."""
    words = {w for form in (label, skel) for w in re.split(r"[-_.]+", form)}
    others = [w for w in words if w and w != official]
    return any(w in _SERVICE_WORDS or w.rstrip("0123456789") in _SERVICE_WORDS or
               any(s in w for s in _LONG_SERVICE_WORDS) for w in others)


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


def _folded_token(token: str) -> str | None:
    """The official label TOKEN spells with i and l swapped ("appie", "mlcrosoft"); short words are
    left alone, where the swap makes ordinary words ("iine" is Japanese, not LINE)."""
    official = _folded_index().get(_fold(token)) if len(token) >= 4 else None
    return None if official in _GENERIC_LABELS and len(token) < 5 else official


@cache
def _distinctive() -> tuple[str, ...]:
    """Labels long and distinctive enough to look for inside, or misspelt as, another label."""
    return tuple(lab for lab in _label_index() if len(lab) >= 6 and lab not in _GENERIC_LABELS)


@cache
def _distinctive_folded() -> tuple[tuple[str, str | None], ...]:
    """Each distinctive label with its i/l-folded form when it is long enough (7+) to be read folded."""
    return tuple((lab, _fold(lab) if len(lab) >= 7 else None) for lab in _distinctive())


@cache
def _short_labels() -> frozenset[str]:
    """Official labels of 4–5 letters that are no ordinary word. One edit from them is too many real
    names to search (smbc: smbs, scbc …); one letter typed twice is not, under the brand's own
    ending or a cheap one: ssmbc.co.jp, aeonn.jp, yahooo.co.jp (but applus.com is a company, not
    aplus.co.jp)."""
    return frozenset(lab for lab in _label_index() if 4 <= len(lab) <= 5 and lab.isalpha()
                     and lab not in _GENERIC_LABELS and lab not in _WORDS)


@cache
def _label_suffixes() -> dict[str, frozenset[str]]:
    """The endings each official label is registered under ("aeon" → co.jp, com, jp)."""
    out: dict[str, set[str]] = {}
    for brand in all_brands():
        for domain in brand.domains:
            label, _, suffix = domain.partition(".")
            if registrable_domain(domain) == domain:
                out.setdefault(label, set()).add(suffix)
    return {label: frozenset(s) for label, s in out.items()}


def _undoubled(token: str) -> str | None:
    """The short official label TOKEN spells with one letter doubled, if any."""
    if not 5 <= len(token) <= 6:
        return None
    for i in range(1, len(token)):
        if token[i] == token[i - 1] and (official := token[:i] + token[i + 1:]) in _short_labels():
            return official
    return None


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

    The edit-distance searches run in rapidfuzz's C loops over every brand label at once, and the
    subdomain comparisons are dictionary look-ups: this runs for every link of every message."""
    host = host.lower().rstrip(".")
    if owner_of(host):
        return None
    reg = registrable_domain(host) or host
    # an established site, or a mail provider's own domain (outlook.es), is not a look-alike of anything
    if popular_rank(reg) or is_free_email(reg) or _carries_names(host, reg):
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
    tokens = dict.fromkeys(re.split(r"[-_.0-9]+", skel))  # ordered: the first brand named wins, every run
    if len(tokens) > 1:
        for token in tokens:
            if (official := token if token in index else _folded_token(token)) and \
                    (official not in _GENERIC_LABELS or _service_words(label, skel, official) or suspicious_tld(reg)):
                return Lookalike(index[official], "combo", official)
    # i and l read as one inside a longer label too, for long names only: "lcloud" is in too many words
    folded_skel = _fold(skel)
    for official, folded in _distinctive_folded():
        if official in skel or (folded and folded in folded_skel):
            return Lookalike(index[official], "combo", official)
    suffix = reg[len(label) + 1:]
    for token in tokens:
        if (official := _undoubled(token)) and (suffix in _label_suffixes().get(official, ()) or suspicious_tld(reg)):
            return Lookalike(index[official], "typo", official)
    for official, dist, _ in process.extract(skel, _distinctive(), scorer=OSA.distance, score_cutoff=2,
                                             limit=None):
        if dist <= (1 if len(official) < 10 else 2):
            return Lookalike(index[official], "typo", official)
    # a misspelt brand with a word after it ("myetherwallatak"): long names, one edit, at the start;
    # hyphens are read through ("smbcard-forcelogin" is smbc-card with a letter dropped)
    flat = skel.replace("-", "").replace("_", "")
    for size, labels in _by_length().items():
        if len(skel) > size:
            for n in (size - 1, size, size + 1):
                hit = process.extractOne(skel[:n], labels, scorer=OSA.distance, score_cutoff=1)
                if hit:
                    return Lookalike(index[hit[0]], "typo", hit[0])
    for size, flats in _flat_by_length().items():
        if len(flat) > size:
            for n in (size - 1, size, size + 1):
                hit = process.extractOne(flat[:n], flats, scorer=OSA.distance, score_cutoff=1)
                if hit:
                    official = _flat_labels()[hit[0]]
                    return Lookalike(index[official], "typo", official)
    sub = host[: -len(reg) - 1] if host.endswith("." + reg) else ""
    return _in_subdomain(sub) if sub else None


# ------------------------------------------------------------------------------------------------
# what a subdomain of an unrelated domain claims: a brand's domain, name or a mangled spelling of it,
# and domain endings (co.jp, com) put in front of the real one

# second-level words of the domain endings people read as one ("co" in co.jp, "com" in com.br)
_CATEGORY = frozenset({"co", "com", "ne", "net", "or", "org", "ac", "go", "gov", "edu", "gob"})
# a lone one of these as an inner label ("jcb.co.", "paypal.com.") reads as the end of a domain
_LONE_ENDINGS = frozenset({"co", "com"})
# and, after a brand's name only, the country of the brands this tool knows best ("smba.jp.", "etc-merisai.jp.")
_NAME_ENDINGS = _LONE_ENDINGS | {"jp"}
# endings of the networks of schools and governments: their library proxies and VPN gateways rewrite
# every site they relay into a subdomain ("www-amazon-co-jp.ezproxy.example.ac.jp") by design
_INSTITUTIONAL = frozenset({"ac", "ed", "edu", "go", "gov", "gob", "gouv", "lg", "mil"})
# providers whose host names carry their customers' domains by design: CDN and DNS aliases
# ("www.amazon.co.jp.cdn.cloudflare.net"), translation and AMP caches ("www-example-co-jp.translate.goog")
_NAME_CARRIERS = frozenset({
    "cloudflare.net", "cloudflaressl.com", "edgekey.net", "edgesuite.net", "akamaiedge.net", "akamai.net",
    "akamaihd.net", "akamaized.net", "akadns.net", "akamaitechnologies.com", "cloudfront.net",
    "azureedge.net", "azurefd.net", "trafficmanager.net", "fastly.net", "fastlylb.net", "herokudns.com",
    "googlehosted.com", "ghs.googlehosted.com", "translate.goog", "ampproject.org", "ampproject.net",
    "cdn77.org", "edgecastcdn.net", "llnwd.net", "footprint.net", "impervadns.net", "incapdns.net",
    "cdngc.net", "cdnetworks.net", "b-cdn.net", "stackpathdns.com", "kxcdn.com", "sucuri.net",
    "wpengine.com", "netlify.com", "vercel-dns.com", "ezproxy.com", "mktoweb.com", "cybozu.com",
})
# official labels and listed names that are also ordinary words or abbreviations in host names
# ("cvs.", "mail-ing", "block-", "cash."): a subdomain saying them claims nothing
_WORDS = frozenset({"cvs", "att", "ing", "gen", "aka", "goo", "mac", "gov", "gouv", "nta", "cash", "block",
                    "wise", "zoom", "target", "expy", "kraken", "ripple", "claro", "cielo", "amil", "olive",
                    "disney", "acrobat", "tesla", "valve", "ledger", "shein", "temu", "crypto", "blockchain",
                    "priceless", "telegram", "proton", "fazenda", "poste", "pone", "medicare"})
_WWW = re.compile(r"w+\d*|m|mobile|web|secure|login|my")  # front tokens that say nothing about a brand
_SPLIT = re.compile(r"[-_.]+")


@cache
def _flat_labels() -> dict[str, str]:
    """Hyphenated official labels without their hyphens, to the label ("smbccard" → "smbc-card")."""
    return {lab.replace("-", ""): lab for lab in _distinctive() if "-" in lab}


@cache
def _flat_by_length() -> dict[int, tuple[str, ...]]:
    out: dict[int, list[str]] = {}
    for flat in _flat_labels():
        if len(flat) >= 8:
            out.setdefault(len(flat), []).append(flat)
    return {n: tuple(labs) for n, labs in out.items()}


def _carries_names(host: str, reg: str) -> bool:
    """Whether HOST's name names other sites by design (CDN aliases, translation proxies, proxies of
    schools and states). The PSL makes some of these zones suffixes ("translate.goog", "cdn.cloudflare.net"),
    so the whole host is looked at, not its registrable domain."""
    parts = host.split(".")
    if any(".".join(parts[i:]) in _NAME_CARRIERS for i in range(1, len(parts) - 1)):
        return True
    return any(part in _INSTITUTIONAL for part in reg.split(".")[1:])


@lru_cache(maxsize=1024)
def _is_ending(text: str) -> bool:
    """Whether TEXT ("co.jp") is a public suffix of two labels: a category word and a country code."""
    first, _, cc = text.partition(".")
    if first not in _CATEGORY or len(cc) != 2 or not cc.isalpha():
        return False
    return registrable_domain(f"x.{text}") == f"x.{text}"


def _endings(tokens: list[str]) -> list[tuple[int, int]]:
    """(start, length) of every domain ending among the subdomain's tokens, in order (what comes
    before one is then read as a brand's name, so a lone "jp" counts here and not in disguised_suffix)."""
    out = []
    for i, token in enumerate(tokens):
        if i + 1 < len(tokens) and _is_ending(f"{token}.{tokens[i + 1]}"):
            out.append((i, 2))
        elif token in _NAME_ENDINGS and i > 0 and not (out and out[-1][0] == i - 1):  # not com.co's co
            out.append((i, 1))
    return out


@cache
def _official_sequences() -> dict[tuple[str, ...], tuple[Brand, str]]:
    """Every official domain as its tokens ("amazon.co.jp" → amazon, co, jp): spelt out in a subdomain
    with dots, hyphens or underscores, it is the brand's address put in front of another one."""
    out: dict[tuple[str, ...], tuple[Brand, str]] = {}
    for brand in all_brands():
        for d in brand.domains:
            reg = registrable_domain(d)
            label = _label(d)
            if reg is None or len(label) < 3 or label in _WORDS:
                continue  # "gov.br", "x.com", "t.co": too short to tell from ordinary host names
            out.setdefault(tuple(t for t in _SPLIT.split(d) if t), (brand, d))
    return out


@cache
def _names() -> dict[str, tuple[Brand, str]]:
    """What a subdomain may call a brand: its official labels and the ASCII names (abbreviations,
    spellings) brands.json lists, as written ("eki-net", "e-tax") and run together ("ekinet", "etax").
    Names only ever written in one case ("Target", "ANA") are ordinary words in a lower-case host."""
    data = json.loads(resources.files("whence.data").joinpath("brands.json").read_text(encoding="utf-8"))
    by_key = {b.key: b for b in all_brands()}
    out: dict[str, tuple[Brand, str]] = {}
    for label, brand in _label_index().items():
        out.setdefault(label, (brand, label))
    for entry in data["brands"]:
        brand = by_key[entry["key"]]
        cs = set(entry.get("case_sensitive", []))
        for name in entry["names"]:
            name = unicodedata.normalize("NFKC", name).lower()
            if not name.isascii() or name in cs or any(n.lower() == name for n in cs):
                continue
            for form in (re.sub(r"[^a-z0-9]+", "-", name).strip("-"), re.sub(r"[^a-z0-9]+", "", name)):
                if len(form) >= 4:
                    out.setdefault(form, (brand, form))
    return {k: v for k, v in out.items() if k not in _GENERIC_LABELS and k not in _WORDS}


@cache
def _all_names() -> dict[str, tuple[Brand, str]]:
    """_names() and the ordinary-word labels too: after a brand-like name a domain ending makes even
    "monex.co." or "visa-co-jp" a claim."""
    out = dict(_names())
    for label, brand in _label_index().items():
        out.setdefault(label, (brand, label))
    return out


def _variants(text: str) -> set[str]:
    """How a reader sees TEXT: its skeleton (digits and confusables as letters, rn as m), nn read as m,
    numbers tacked on a word dropped ("etc1-"), hyphens and underscores read through."""
    forms = {text, re.sub(r"(?<=[a-z])\d+(?=-|$)", "", text)}
    forms |= {skeleton(f) for f in forms}
    forms |= {f.replace("nn", "m") for f in forms if "nn" in f}
    return {f.replace("-", "") for f in forms}


def _slips(word: str) -> tuple[set[str], set[str]]:
    """WORD with one slip a reader does not notice: a letter dropped, doubled or swapped with its
    neighbour; and apart, the first or last letter dropped, which makes words of names ("cloud",
    "correio") and counts only where a domain ending shows a domain name is meant."""
    inner, ends = set(), {word[1:], word[:-1]}
    for i in range(len(word)):
        if 0 < i < len(word) - 1:
            inner.add(word[:i] + word[i + 1:])
        inner.add(word[:i] + word[i] + word[i:])
        if i < len(word) - 1 and word[i] != word[i + 1]:
            inner.add(word[:i] + word[i + 1] + word[i] + word[i + 2:])
    inner.discard(word)
    return inner, ends - inner


@cache
def _loose_index(generic: bool) -> dict[str, tuple[Brand, str]]:
    """Brand names run together, 4+ letters, and with i and l read as one (folded)."""
    names = _all_names() if generic else _names()
    out: dict[str, tuple[Brand, str]] = {}
    for form, hit in names.items():
        if len(form) >= 4:
            out.setdefault(form.replace("-", ""), hit)
            out.setdefault(_fold(form.replace("-", "")), hit)
    return out


@cache
def _slip_index() -> dict[str, tuple[Brand, str, bool]]:
    """Every one-slip misspelling of the names of 5+ letters (some 10,000 strings, built in a few ms on
    first use), to the brand, the name and whether it counts without a domain ending after it: only
    inner slips of distinctive names of 6+ letters do. Not on top of reading i as l: "salon" is a
    word, not saison with a letter dropped."""
    distinctive = _names()
    out: dict[str, tuple[Brand, str, bool]] = {}
    for form, (brand, name) in _all_names().items():
        flat = form.replace("-", "")
        if len(flat) < 5:
            continue
        inner, ends = _slips(flat)
        alone = form in distinctive and len(flat) >= 6
        for slip in inner:
            if alone or slip not in out:
                out[slip] = (brand, name, alone)
        for slip in ends:
            out.setdefault(slip, (brand, name, False))
    for flat in _loose_index(True):
        out.pop(flat, None)  # a name is never a slip of another
    return out


def _match(text: str, after_ending: bool) -> tuple[Brand, str] | None:
    """The brand TEXT (hyphen-joined tokens of a subdomain) names, as written or mangled, and the name.
    AFTER_ENDING: a domain ending follows, so ordinary-word brands and looser slips count too."""
    hit = (_all_names() if after_ending else _names()).get(text)
    if hit:
        return hit
    forms = _variants(text)
    loose = _loose_index(after_ending)
    for form in forms | {_fold(f) for f in forms}:
        if form in loose:
            return loose[form]
    slips = _slip_index()
    for form in forms:
        slip = slips.get(form) if len(form) >= 5 else None
        if slip and (after_ending or slip[2]):
            return slip[0], slip[1]
    if after_ending:
        for form in forms:  # the first word of a Japanese brand's label ("eki" of eki-net, "yamato" of yamato-hd)
            if form in _heads():
                return _heads()[form]
        for form in forms:  # a name with words run on to it: "amazonupdate-account.co.jp."
            for flat, brand, name in _inner_names():
                if flat in form:
                    return brand, name
    # a letter changed: only where an ending shows a domain is meant, or in a long name (etc-maisai):
    # short names are one letter from too many words (binance, finance)
    by_length, names = _near_names(after_ending)
    for form in forms:
        if len(form) >= (5 if after_ending else 8):
            for n in (len(form) - 1, len(form), len(form) + 1):  # one edit changes the length by one at most
                near = process.extractOne(form, by_length.get(n, ()), scorer=OSA.distance, score_cutoff=1)
                if near:
                    return names[near[0]]
    return None


@cache
def _heads() -> dict[str, tuple[Brand, str]]:
    """The first word (3+ letters) of the hyphenated domain labels of Japanese brands ("eki" of eki-net,
    "yamato" of yamato-hd), to the brand: how Japanese campaigns shorten them in front of a fake
    ending ("www.eki-co-jp-info.example.cn"). Not a name of its own, and not a word other popular
    sites use ("tokyo" of tokyo-gas is u-tokyo's too, "smart" of smart-ex ddd-smart's). Reading the
    10,000 popular names takes some 40 ms: kept in the tables cache."""
    by_key = {b.key: b for b in all_brands()}
    table = tables.cached("brand-heads", 1, [*_sources(), popular_source()], _head_table)
    return {head: (by_key[key], label) for head, (key, label) in table.items()}


def _head_table() -> dict[str, tuple[str, str]]:
    words = {w for d in popular_domains() if not owner_of(d) for w in re.split(r"[.-]", d.split(".")[0])}
    out: dict[str, tuple[str, str]] = {}
    for label, brand in _label_index().items():
        head = label.split("-")[0]
        if "-" in label and brand.japanese and len(head) >= 3 and head not in _all_names() and head not in words:
            out.setdefault(head, (brand.key, label))
    return out


@cache
def _near_names(after_ending: bool) -> tuple[dict[int, tuple[str, ...]], dict[str, tuple[Brand, str]]]:
    """Names run together, 5+ letters (8+ and distinctive without an ending), by length, for one-edit
    searches: a hostile host of many labels asks for dozens, each only among names of its length ± 1."""
    source = _all_names() if after_ending else _names()
    found: dict[str, tuple[Brand, str]] = {}
    for form, hit in source.items():
        flat = form.replace("-", "")
        if len(flat) >= (5 if after_ending else 8):
            found.setdefault(flat, hit)
    by_length: dict[int, list[str]] = {}
    for flat in found:
        by_length.setdefault(len(flat), []).append(flat)
    return {n: tuple(names) for n, names in by_length.items()}, found


@cache
def _inner_names() -> tuple[tuple[str, Brand, str], ...]:
    """Distinctive names of 5+ letters run together, longest first, to find inside a longer token."""
    found = {form.replace("-", ""): hit for form, hit in _names().items() if len(form.replace("-", "")) >= 5}
    return tuple((flat, *found[flat]) for flat in sorted(found, key=len, reverse=True))


def _runs(tokens: list[str], longest: int = 3) -> Iterator[str]:
    """Runs of up to LONGEST consecutive tokens, hyphen-joined, longest first."""
    for n in range(min(longest, len(tokens)), 0, -1):
        for i in range(len(tokens) - n + 1):
            yield "-".join(tokens[i:i + n])


def _official_for(brand: Brand, name: str, ending: str) -> str:
    """The official domain a brand name with a domain ending imitates ("amazon" + co.jp → amazon.co.jp)."""
    flat = name.replace("-", "")
    for d in brand.domains:
        if d.endswith("." + ending) and _label(d).replace("-", "") == flat:
            return d
    return next((d for d in brand.domains if d.endswith("." + ending)), brand.domains[0])


def _in_subdomain(sub: str) -> Lookalike | None:
    """What SUB, the subdomain part of a host of an unrelated domain, claims — label by label and token
    by token, since that is how a reader takes in "www.amazon-co.jp.login.example.cn"."""
    tokens = [t for t in _SPLIT.split(sub) if t]
    if not tokens:
        return None
    # a brand's whole domain spelt out: amazon.co.jp.example.cn, www-aeon-co-jp.example.com
    sequences = _official_sequences()
    for i in range(len(tokens) - 1):
        for n in range(min(5, len(tokens) - i), 1, -1):
            hit = sequences.get(tuple(tokens[i:i + n]))
            if hit:
                return Lookalike(hit[0], "brand_in_subdomain", hit[1])
    # a brand-like name before a domain ending: amzaon.co.jp.example.cn, jcb.co.example.shop, amazo-co.
    for start, size in _endings(tokens)[:3]:  # a real host fakes one ending, a hostile one dozens
        ending = ".".join(tokens[start:start + size])
        for n in (3, 2, 1):
            if start - n < 0 or _WWW.fullmatch(tokens[start - n]):
                continue
            found = _match("-".join(tokens[start - n:start]), after_ending=True)
            if found:
                return Lookalike(found[0], "suffix_in_subdomain", _official_for(found[0], found[1], ending))
    # a brand's name as a label or part of one: mercari.example.com, www.eki-net.example.com; read from
    # the left as a person does (and a host of a hundred tokens costs no more than one of ten)
    labels = [[t for t in re.split(r"[-_]+", lab) if t][:8] for lab in sub.split(".")[:4]]
    for parts in labels:
        for run in _runs(parts):
            hit = _names().get(run) or _names().get(run.replace("-", ""))
            if hit:
                return Lookalike(hit[0], "brand_in_subdomain", hit[1])
    # a mangled name in front (digits for letters, hyphens moved, a letter dropped, doubled or swapped):
    # etc1-melsai.example.cn, ekl-net.example.shop
    front = next((parts for parts in labels if parts and not all(_WWW.fullmatch(t) for t in parts)), [])
    while front and _WWW.fullmatch(front[0]):
        front = front[1:]
    for run in _runs(front):
        found = _match(run, after_ending=False)
        if found:
            return Lookalike(found[0], "mangled_in_subdomain", found[1])
    # a long, distinctive name with letters run on: amazonoe.example.icu, wwwsaisoncald.example.com
    for parts in labels:
        for token in parts:
            if official := _name_in_front(_RUN_ON_WWW.sub("", token)):
                return Lookalike(_label_index()[official], "brand_in_subdomain", official)
    return None


_RUN_ON_WWW = re.compile(r"^w{3}\d*(?=[a-z]{6})")


def _name_in_front(token: str) -> str | None:
    """The distinctive official label TOKEN begins with, when more letters follow it ("rakutenci")."""
    names = _run_on_names()
    return next((token[:n] for n in range(min(len(token) - 1, 16), 5, -1) if token[:n] in names), None)


@cache
def _run_on_names() -> frozenset[str]:
    """Distinctive labels that begin no ordinary word of a host name ("bookings.", "cryptozoo.")."""
    return frozenset(lab for lab in _distinctive() if lab not in _WORDS and lab not in _RUN_ON_WORDS)


_RUN_ON_WORDS = frozenset({"booking", "celsius", "exodus", "google", "spacex", "santander"})


def disguised_suffix(host: str) -> str | None:
    """A domain ending (co.jp, com) inside HOST's subdomain of an unrelated, unestablished domain —
    "www.co.jp.example.cn", "login_co_jp.example.com" — so that it reads as a .co.jp address at a
    glance. Dots and underscores cannot be in a name a site lets its customers pick; hyphens can
    ("example-co-jp.some-saas.com"), so a hyphenated ending counts only under a brand (lookalike())."""
    host = host.lower().rstrip(".")
    reg = registrable_domain(host)
    if not reg or not host.endswith("." + reg) or owner_of(host) or popular_rank(reg) or _carries_names(host, reg):
        return None
    sub = host[: -len(reg) - 1]
    labels = sub.split(".")
    for i, label in enumerate(labels):
        parts = [t for t in label.split("_") if t]
        for j in range(len(parts) - 1):
            if _is_ending(f"{parts[j]}.{parts[j + 1]}"):
                return f"{parts[j]}.{parts[j + 1]}"
        if i + 1 < len(labels) and _is_ending(f"{label}.{labels[i + 1]}"):
            return f"{label}.{labels[i + 1]}"
        if i > 0 and label in _LONE_ENDINGS:
            return label
    return None
