"""Checks on what the message says: extortion, SMTP-test mails, foreign glyphs, abused web forms, lures.

Each check reads only `ctx.facts` (no network). Text work is bounded: every scan looks at most
`_MAX_TEXT` characters, and every evidence list is capped, because every byte may be hostile.
"""

from __future__ import annotations

import importlib.util
import itertools
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path

import base58
import bech32m

from .. import phrasesearch, tables
from ..brands import INVISIBLE
from ..domainlists import popular_rank, shortener
from ..domains import registrable_domain
from ..i18n import T, fmt, fmt_each
from ..model import Facts
from .common import TOLL_FREE, by_list, known_sender, reputable_sender
from .registry import CheckContext, Hit, check

_MAX_TEXT = 100_000  # characters of body text any one check scans
_NFKC_TEXT = 30_000  # the normalised copy the phrase checks read: lures and demands sit near the top
_EVIDENCE_MAX = 8


# ---------------------------------------------------------------------------------------------
# Shared helpers


def _bounded_text(facts: Facts) -> str:
    return (facts.text or "")[:_MAX_TEXT]


def _nfkc_of(text: str) -> str:
    return text if text.isascii() else unicodedata.normalize("NFKC", text)  # ASCII is its own NFKC


def _nfkc(ctx: CheckContext) -> str:
    """Subject and body as the phrase checks read them, computed once per message: NFKC-normalised
    (full-width ASCII → ASCII), without the invisible characters slipped into words to break them for
    filters ("ア\u200cカ\u200cウ\u200cン\u200cト", "ver\u00adify"): a reader sees the word whole."""
    def compute() -> str:
        text = _nfkc_of(f"{ctx.facts.subject or ''}\n{_bounded_text(ctx.facts)[:_NFKC_TEXT]}")
        if not text.isascii() and INVISIBLE.search(text):
            text = INVISIBLE.sub("", text)
        return text.replace("_", " ")  # "Mining_balance_0.7495_BTC": underscores stand for spaces
    return ctx.memo("content.nfkc", compute)


def _data_lines(name: str) -> list[str]:
    text = resources.files("whence.data").joinpath(name).read_text(encoding="utf-8")
    return [ln.strip() for ln in text.splitlines() if ln.strip() and not ln.lstrip().startswith("#")]


def _registrable(host: str | None) -> str | None:
    return (registrable_domain(host) or host.strip(".").lower()) if host else None


@cache
def _candidates(rx: re.Pattern[str]) -> re.Pattern[str]:
    """A looser, much faster twin of a phrase pattern, run on lower-cased text: no IGNORECASE and
    no leading \\b, so that the regex engine can skip ahead by first character (5-8x faster). It
    only proposes positions; the real pattern decides at each."""
    return re.compile(re.sub(r"(^|\|)\\b", r"\1", rx.pattern))


def _search(rx: re.Pattern[str], text: str, lower: str) -> re.Match[str] | None:
    if len(lower) != len(text):  # lower-casing moved positions (rare letters): the plain way
        return rx.search(text)
    fast = _candidates(rx)
    literals = phrasesearch.plan(fast)
    if literals is not None:  # the same positions, found by the literal text they begin with
        return phrasesearch.first(fast, literals, lower, lambda at: rx.match(text, at))
    return _scan(rx, text, lower)


def _scan(rx: re.Pattern[str], text: str, lower: str) -> re.Match[str] | None:
    """The first match of RX at a position its fast twin proposes, trying every one in turn."""
    fast, pos = _candidates(rx), 0
    while (m := fast.search(lower, pos)) is not None:
        real = rx.match(text, m.start())
        if real:
            return real
        pos = m.start() + 1
    return None


def _found(patterns: Iterable[tuple[str, re.Pattern[str]]], text: str) -> list[str]:
    """Names of the pattern groups that match, in order, without repeats."""
    lower = text.lower()
    return list(dict.fromkeys(name for name, rx in patterns if _search(rx, text, lower)))


def _phrases(patterns: Iterable[tuple[str, re.Pattern[str]]], text: str) -> dict[str, str]:
    """Group name → the first matched phrase, as it appears in the text."""
    out: dict[str, str] = {}
    lower = text.lower()
    for name, rx in patterns:
        if name not in out and (m := _search(rx, text, lower)):
            out[name] = m.group(0).strip()
    return out


def _snippet(text: str, start: int, end: int, width: int = 12) -> str:
    s = text[max(0, start - width): end + width]
    return " ".join(s.split())


# ---------------------------------------------------------------------------------------------
# content.extortion_btc


@dataclass(frozen=True)
class CryptoAddress:
    address: str
    kind: str  # bitcoin-p2pkh | bitcoin-p2sh | bitcoin-segwit | bitcoin-taproot | ethereum | tron


# The look-behind (no letter or digit before) comes after the first characters, which it repeats:
# the same matches, but the regex engine can then skip to where an address can begin.
_BASE58_RX = re.compile(r"[13T](?<![0-9A-Za-z][13T])[1-9A-HJ-NP-Za-km-z]{25,34}(?![0-9A-Za-z])")
# Base58Check version bytes: Bitcoin's pay-to-key and pay-to-script, and Tron's (USDT-TRC20 is what
# extortion now asks for most after Bitcoin)
_BASE58_KINDS = {0x00: "bitcoin-p2pkh", 0x05: "bitcoin-p2sh", 0x41: "tron"}
_BECH32_RX = re.compile(r"(?:bc1|BC1)(?<![0-9A-Za-z](?:bc1|BC1))[02-9ac-hj-np-zAC-HJ-NP-Z]{8,87}(?![0-9A-Za-z])")
_ETH_RX = re.compile(r"0x(?<![0-9A-Za-z]0x)[0-9a-fA-F]{40}(?![0-9A-Za-z])")


def crypto_addresses(text: str, limit: int = 20) -> list[CryptoAddress]:
    """Cryptocurrency addresses in `text` whose checksums are valid (Bitcoin, Tron), or well-formed (Ethereum).

    Bitcoin legacy and Tron addresses must pass Base58Check (double SHA-256) with version byte 0x00 or
    0x05 (Bitcoin), 0x41 (Tron, always 34 characters from "T");
    bc1 addresses must pass the bech32 (v0) or bech32m (v1+) checksum of BIP 173/350. Random
    tokens of the same shape (ids, hashes) therefore do not count.
    """
    found: dict[str, CryptoAddress] = {}
    for m in _BASE58_RX.finditer(text):
        if len(found) >= limit:
            break
        addr = m.group(0)
        try:
            payload = base58.b58decode_check(addr)
        except ValueError:
            continue
        kind = _BASE58_KINDS.get(payload[0]) if len(payload) == 21 else None
        if kind and (kind == "tron") == addr.startswith("T"):
            found.setdefault(addr, CryptoAddress(addr, kind))
    # the bech32 and Ethereum scans only when their prefix is there: most texts have neither
    for m in _BECH32_RX.finditer(text) if "bc1" in text or "BC1" in text else ():
        if len(found) >= limit:
            break
        addr = m.group(0)
        if addr != addr.lower() and addr != addr.upper():
            continue  # BIP 173: mixed case is invalid
        try:
            decoded = bech32m.decode("bc", addr.lower())
        except Exception:  # the library raises its own error types for bad checksums
            continue
        kind = "bitcoin-segwit" if decoded.witver == 0 else "bitcoin-taproot"
        found.setdefault(addr, CryptoAddress(addr, kind))
    for m in _ETH_RX.finditer(text) if "0x" in text else ():
        if len(found) >= limit:
            break
        found.setdefault(m.group(0), CryptoAddress(m.group(0), "ethereum"))
    return list(found.values())


# Extortion mails break their address up so that filters miss it: pieces parted by spaces or line
# breaks ("1A1z P1eP 5QGe…"; invisible characters inside it are gone from _nfkc's text already). Only
# a valid checksum makes pieces an address, so ordinary words joined up never pass for one.
_PIECES_RX = re.compile(r"(?<![0-9A-Za-z])(?:[13T]|bc1|BC1)[0-9A-Za-z]{0,89}"
                        r"(?:[ \t\n-]{1,3}[0-9A-Za-z]{1,90}){1,15}")
_PIECE_GAP = re.compile(r"[ \t\n-]+")
_MAX_RUNS = 200
_EXTORTION_TEXT = 20_000  # an extortion letter is a page or two


def broken_up_addresses(text: str, limit: int = 5) -> list[CryptoAddress]:
    """Addresses written in pieces: every run of pieces joined from each piece that can begin an
    address up to each length an address can have."""
    found: dict[str, CryptoAddress] = {}
    for m in itertools.islice(_PIECES_RX.finditer(text), _MAX_RUNS):
        pieces = _PIECE_GAP.split(m.group(0))
        for start, head in enumerate(pieces):
            if not head.startswith(("1", "3", "T", "bc1", "BC1")):
                continue
            candidate = ""
            for piece in pieces[start:]:
                candidate += piece
                if len(candidate) > 90:
                    break
                if len(candidate) >= 26 and (hit := crypto_addresses(candidate, 1)) and hit[0].address == candidate:
                    found.setdefault(candidate, hit[0])
                    break
        if len(found) >= limit:
            break
    return list(found.values())


def _rx(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.IGNORECASE)


# what is demanded: payment in cryptocurrency
_PAYMENT = [
    ("pay", _rx(r"\b(pay(ment)?|send|transfer|deposit)\b|送金|支払|振り?込|入金|払って")),
    ("crypto", _rx(r"\b(bitcoins?|btc|ethereum|eth|usdt|crypto ?currency|wallet)\b"
                   r"|ビットコイン|仮想通貨|暗号資産|暗号通貨|ウォレット|比特币")),
    ("amount", _rx(r"[$€£¥]\s?\d[\d,.]*|\b\d[\d,.]*\s?(usd|us dollars?|dollars|eur|euros?)\b"
                   r"|\d[\d,.]*\s?(米ドル|ドル|ユーロ|万円|円)")),
]
# what is threatened: the classic sextortion / hacked-account script
_THREAT = [
    ("hacked", _rx(r"\bhack(ed|er|ing)?\b|\bcompromised\b|ハッキング|ハッカー|ハックし|乗っ取")),
    ("malware", _rx(r"\b(malware|trojan|spyware|virus|rat|keylogger)\b|トロイの木馬|マルウェア|ウイルス"
                    r"|スパイウェア|\bRAT\b")),
    ("recording", _rx(r"\b(webcam|camera|video|recorded|recording|footage)\b|動画|ビデオ|カメラ|録画|撮影")),
    ("adult", _rx(r"\b(porn\w*|adult (web)?sites?|masturbat\w*|intimate|xxx)\b|アダルト|ポルノ|自慰|性的")),
    ("exposure", _rx(r"\b(contacts|friends|family|colleagues|relatives)\b|\b(expose|leak|publish|share)\b"
                     r"|連絡先|家族|友人|同僚|公開|拡散|暴露|送りつけ")),
    ("deadline", _rx(r"\b(\d+|twenty[- ]four|forty[- ]eight)\s*(hours|days)\b|\bdeadline\b"
                     r"|\d+\s*(時間|日)以内")),
]


@check(
    "content.extortion_btc", "critical", 8.0,
    variants={"payment": 3.0, "address": 1.0},
    title=T("Extortion demanding cryptocurrency", "仮想通貨を要求する脅迫メール"),
    detail=T(
        "The message demands a payment to a cryptocurrency address ({address}) and uses the wording "
        "of extortion scams ({terms}). Such mails claim to have hacked your device or filmed you; the "
        "claims are invented. Do not pay and do not reply.",
        "このメールは仮想通貨のアドレス（{address}）への送金を求め、脅迫詐欺の典型的な言葉（{terms}）を"
        "使っています。「端末をハッキングした」「動画を撮影した」といった話は作り話です。"
        "支払わず、返信もしないでください。"),
    reason=T("it demands cryptocurrency with threats", "脅して仮想通貨を要求しています"),
)
def extortion_btc(ctx: CheckContext) -> Iterator[Hit]:
    text = _nfkc(ctx)
    addresses = crypto_addresses(text)
    if not addresses and not any(link.clickable for link in ctx.facts.links) and len(text) <= _EXTORTION_TEXT and \
            _found(_PAYMENT[1:2], text) and len(_found(_THREAT, text)) >= 2:
        # a short text with no link that threatens and names cryptocurrency, but shows no address
        # whole: it may be written in pieces
        addresses = broken_up_addresses(text)
    if not addresses:
        return
    pay = _phrases(_PAYMENT, text)
    threat = _phrases(_THREAT, text)
    first = addresses[0]
    evidence = {
        "address": first.address,
        "kind": first.kind,
        "addresses": [a.address for a in addresses[:_EVIDENCE_MAX]],
        "terms": list(threat.values()) + list(pay.values()),
    }
    if len(threat) >= 2 and ("pay" in pay or "crypto" in pay):
        yield Hit(evidence)
    elif "pay" in pay:  # a demand to pay, no threat: an invoice or an investment scam
        yield Hit(evidence, severity="medium", variant="payment", detail=fmt(T(
            "The message asks for a payment to a cryptocurrency address ({address}) ({terms}). Such "
            "payments cannot be undone; make sure you know who you are paying.",
            "このメールは仮想通貨のアドレス（{address}）への支払いを求めています（{terms}）。"
            "送金は取り消せないため、相手が誰かを必ず確かめてください。"),
            address=first.address, terms=", ".join(evidence["terms"][:_EVIDENCE_MAX])))
    else:
        yield Hit(evidence, severity="low", variant="address", detail=fmt(T(
            "The message contains a cryptocurrency address ({address}).",
            "このメールには仮想通貨のアドレス（{address}）が書かれています。"), address=first.address))


# ---------------------------------------------------------------------------------------------
# content.smtp_test


@cache
def _smtp_subject_patterns() -> tuple[list[re.Pattern[str]], list[re.Pattern[str]]]:
    strong: list[re.Pattern[str]] = []
    weak: list[re.Pattern[str]] = []
    for line in _data_lines("smtp_test_subjects.txt"):
        kind, _, pattern = line.partition(":")
        (strong if kind == "strong" else weak).append(re.compile(pattern, re.IGNORECASE))
    return strong, weak


# host|port|user|password, the report line of credential checkers (also with ":" or ";")
_CRED_LINE = re.compile(
    r"^[ \t]*!?(?P<host>[\w-]+(?:\.[\w-]+)+)[|:;](?P<port>\d{2,5})[|:;](?P<user>[^|\s;]{1,128})"
    r"[|;:](?P<password>\S{1,128})[ \t]*$", re.MULTILINE)
# a labelled block: SMTP/host, port, user, password lines (one pass over the lines: a label starts one)
_CRED_LABEL = re.compile(
    r"^[ \t]*(?:(?P<host>smtp|host|server|smtp ?server|mail ?server|ホスト|サーバー?)[ \t]*[:：=]"
    r"|(?P<port>port|ポート)[ \t]*[:：=][ \t]*\d{2,5}"
    r"|(?P<user>user(?:name)?|login|e-?mail|account|ユーザー?名?|アカウント)[ \t]*[:：=]"
    r"|(?P<password>pass(?:word)?|pwd?|パスワード)[ \t]*[:：=])", re.IGNORECASE | re.MULTILINE)
_PASSWORD_WORDS = ("pass", "pw", "パスワード")  # no labelled block without a password line


def _cred_labels(text: str) -> list[str]:
    """The labels of a host/port/user/password block, in the order first seen."""
    lower = text.lower()
    if not any(word in lower for word in _PASSWORD_WORDS):
        return []
    return list(dict.fromkeys(m.lastgroup for m in _CRED_LABEL.finditer(text) if m.lastgroup))


_REPLY_OR_PATCH = re.compile(r"^\s*(re|fwd?|aw|wg|返信|転送)\s*[:：]|^\s*\[(patch|rfc|git pull)", re.I)


def _mask(secret: str) -> str:
    return secret[:1] + "•" * max(3, len(secret) - 1)


@check(
    "content.smtp_test", "high", 5.0,
    title=T("Test message from an SMTP password-checking tool", "SMTP アカウント確認ツールのテストメール"),
    detail=T(
        "“{matched}” is the mark of a tool that tries stolen mail-account passwords by sending a test "
        "message through them. If this came through your own account, its password is known to others: "
        "change it now.",
        "「{matched}」は、盗んだメールアカウントのパスワードが使えるかを試すツールが送るテストメールの"
        "特徴です。あなた自身のアカウントから送られている場合、パスワードが第三者に知られています。"
        "すぐにパスワードを変更してください。"),
    reason=T("it looks like a test by a tool that tries stolen mail passwords",
             "盗んだパスワードを試すツールのテストメールに見えます"),
)
def smtp_test(ctx: CheckContext) -> Iterator[Hit]:
    facts = ctx.facts
    subject = _nfkc_of(" ".join((facts.subject or "").split()))[:500]
    body = _nfkc_of(_bounded_text(facts))
    strong, weak = _smtp_subject_patterns()
    evidence: dict[str, object] = {"subject": subject}

    head = body[:5000]
    cred = _CRED_LINE.search(head)
    if cred:
        masked = f"{cred['host']}|{cred['port']}|{cred['user']}|{_mask(cred['password'])}"
        evidence["credentials"] = masked
    # a checker's labelled report; a provider or host that mails your own account's settings is a
    # known, authenticated sender
    labels = _cred_labels(head)
    if len(labels) >= 3 and "password" in labels and not known_sender(ctx):
        evidence["labels"] = labels

    def letters() -> int:  # the body's length without white space, counted only when it decides
        return len("".join(body.split()))

    reply = bool(_REPLY_OR_PATCH.search(subject))
    matched = None if reply else next((rx.pattern for rx in strong if rx.search(subject)), None)
    if matched is None and not reply and not by_list(ctx) and any(rx.search(subject) for rx in weak) and \
            (cred or "labels" in evidence or letters() <= 300):
        matched = "weak"
    if matched is None and (cred or "labels" in evidence) and letters() <= 1000:
        matched = "body"
    if matched is None:
        return
    shown = subject if matched != "body" else evidence.get("credentials") or "/".join(labels)
    evidence["matched"] = shown
    yield Hit(evidence)


# ---------------------------------------------------------------------------------------------
# content.simplified_chinese_in_japanese

_KANA = re.compile(r"[\u3041-\u3096\u30a1-\u30fa\u30fc\uff66-\uff9d]")
_SEGMENT_SPLIT = re.compile(r"[\n。！？!?]+")
# A Chinese person's name is legitimately written in Simplified glyphs: 张さん, 陈様.
_HONORIFIC = re.compile(r"\s?(様|さま|さん|氏|先生|殿|くん|君)")


@cache
def simplified_only_glyphs() -> frozenset[str]:
    """Han characters used only in Simplified Chinese, never in everyday Japanese.

    Simplified-only = in CC-CEDICT's simplified set but not its traditional set (via `zhon.cedict`),
    minus every character that CP932 (JIS X 0208 and the vendor extensions Japanese mail uses) can
    encode, since those are Japanese too (国, 学, 会 ...). JIS X 0213's rarer planes are not
    subtracted: they hold 开 关 运 for completeness, yet a Japanese writer never uses them.
    Plus a short list of glyphs that Japanese has, but that in running Japanese text only appear as
    Simplified stand-ins (后 for 後), from `simplified_in_japanese.txt`.
    """
    def build() -> frozenset[str]:
        from zhon import cedict  # imported here: a large module only this check needs

        only = set(cedict.simplified) - set(cedict.traditional)
        return frozenset(ch for ch in only if not _encodes(ch, "cp932"))

    # built once and kept in the tables cache: building it is 10 ms of a new host's first reply
    spec = importlib.util.find_spec("zhon")
    folder = Path(spec.origin).parent / "cedict" if spec and spec.origin else None
    if folder is None or not folder.is_dir():
        return build()
    return tables.cached("simplified-only", 1, [folder / "simplified.py", folder / "traditional.py"], build)


@cache
def _stand_ins() -> dict[str, re.Pattern[str]]:
    """Japanese-encodable glyph → the contexts in which it is genuine Japanese (not a stand-in)."""
    out: dict[str, re.Pattern[str]] = {}
    for line in _data_lines("simplified_in_japanese.txt"):
        glyph, _, allowed = line.partition("\t")
        words = [w for w in allowed.split() if glyph in w]
        out[glyph] = re.compile("|".join(map(re.escape, words)) or r"(?!)")
    return out


def _encodes(ch: str, codec: str) -> bool:
    try:
        ch.encode(codec)
    except UnicodeEncodeError:
        return False
    return True


def simplified_glyphs_in_japanese(text: str) -> tuple[dict[str, int], list[str]]:
    """Simplified-only glyphs inside the Japanese sentences (those with kana) of `text`.

    Sentences without kana are skipped, so quoted Chinese text, Chinese names in a signature and
    pure Chinese mail do not count; nor do glyphs followed by an honorific (a person's name).
    Returns glyph → count and up to three snippets showing them in place.
    """
    counts: dict[str, int] = {}
    examples: list[str] = []
    if text.isascii() or not _KANA.search(text):
        return counts, examples  # no kana, no Japanese sentence: most mail, answered in one scan
    only = simplified_only_glyphs()
    stand_ins = _stand_ins()
    for seg in _SEGMENT_SPLIT.split(text):
        present = set(seg)
        if present.isdisjoint(only) and present.isdisjoint(stand_ins):
            continue  # nearly every sentence: none of the glyphs in question
        if len(_KANA.findall(seg)) < 3:
            continue
        genuine = [(m.start(), m.end()) for glyph, rx in stand_ins.items() if glyph in present
                   for m in rx.finditer(seg)]
        for i, ch in enumerate(seg):
            if ch not in only and ch not in stand_ins:
                continue
            if ch in stand_ins and any(a <= i < b for a, b in genuine):
                continue
            if _HONORIFIC.match(seg, i + 1) or (i + 2 <= len(seg) and _HONORIFIC.match(seg, i + 2)):
                continue
            counts[ch] = counts.get(ch, 0) + 1
            if len(examples) < 3 and counts[ch] == 1:
                examples.append(_snippet(seg, i, i + 1, 10))
    return counts, examples


@check(
    "content.simplified_chinese_in_japanese", "medium", 3.0,
    variants={"one_glyph": 1.5},
    title=T("Simplified Chinese characters in Japanese text", "日本語の文中に中国語の簡体字"),
    detail=T(
        "The Japanese text uses characters that exist only in Simplified Chinese ({glyphs}), for example "
        "“{example}”. A Japanese company would not write them: the text was probably written or "
        "machine-translated abroad, as phishing mail often is.",
        "日本語の文中に、日本語では使わない中国語の簡体字（{glyphs}）が使われています（例：「{example}」）。"
        "日本の企業の文面には出てこない字で、海外で作られたり機械翻訳されたりしたフィッシングメールに"
        "よく見られる特徴です。"),
    reason=T("its Japanese contains Simplified Chinese characters", "日本語の文中に簡体字が混じっています"),
)
def simplified_chinese_in_japanese(ctx: CheckContext) -> Iterator[Hit]:
    facts = ctx.facts
    name = facts.from_.display_name if facts.from_ else ""
    text = f"{name}\n{facts.subject or ''}\n{_bounded_text(facts)}"
    counts, examples = simplified_glyphs_in_japanese(text)
    if not counts or (len(counts) == 1 and sum(counts.values()) < 2):
        return  # one glyph once: a typo or a name, not evidence
    glyphs = sorted(counts, key=lambda g: -counts[g])
    evidence = {"glyphs": glyphs[:20], "counts": counts, "example": examples[0], "examples": examples}
    if len(counts) >= 2:
        yield Hit(evidence)
    else:
        yield Hit(evidence, severity="low", variant="one_glyph")


# ---------------------------------------------------------------------------------------------
# content.form_abuse

_GREETING = [
    re.compile(r"^\s*(?:dear|hi|hello|hey|welcome|greetings)\s+(?P<field>.+?)\s*[,，!:]\s*$", re.I),
    re.compile(r"^\s*(?P<field>.+?)\s*(?:様|さま|殿|さん)\s*[、,，]?\s*$"),
]
# a field a form mailer echoes back: "お名前：…", "【お名前】…", "■会社名：…", "Name: …" (the label is short)
_ECHOED_FIELD = re.compile(r"^\s*[■□◆◇●○・*＊>-]?\s*"
                           r"(?:【(?P<bracket>[^】]{1,20})】|(?P<label>[^\s:：【<>\"'=/][^:：<>\"'=/]{0,19}?)\s*[:：](?!//))"
                           r"\s*(?P<value>\S.*?)\s*$")
# a note someone typed, quoted whole on a line of its own: a shared file's or an invitation's message
_QUOTED_NOTE = re.compile(r'^\s*(?:"(?P<a>[^"]{10,})"|“(?P<b>[^”]{10,})”|「(?P<c>[^」]{10,})」)\s*$')
_ADDRESS = re.compile(r"[\w.+-]+@([\w-]+(?:\.[\w-]+)+)")
_NAME_LABEL = re.compile(r"(?:your |full |first |last |user ?)?name|お名前|ご?氏名|名前|ご芳名|ユーザー名"
                         r"|nombre(?: de usuario)?|nome(?: de usuário)?|usuario|usuário", re.I)
_ECHO_LINES = 40  # the echo of a form opens the mail: its first lines are read, not the whole text
_URL_IN_FIELD = re.compile(
    r"(?:https?://|www\.)[^\s<>\"'）)]+"
    r"|\b[a-z0-9][a-z0-9-]{0,62}(?:\.[a-z0-9-]{1,63})*\.[a-z]{2,18}/\S*", re.I)
_FIELD_SIGNALS = [
    ("money", _rx(r"[$€£¥￥]\s?\d|\d[\d,.]*\s?(usd|dollars?|eur|円|万円|ドル)")),
    ("crypto", _rx(r"\b(crypto\w*|bitcoin|btc|usdt|eth|nft|airdrop)\b|仮想通貨|暗号資産|ビットコイン")),
    ("promotion", _rx(r"\b(claim|bonus|win|won|winner|prize|free|gift|reward|casino|bet|loan|earn|profit"
                      r"|investment|dating|sex|viagra|offer|click|visit)\b"
                      r"|当選|無料|稼|副業|高収入|出会|プレゼント|今すぐ|こちら|クリック|登録して")),
    ("emoji", re.compile(r"[\U0001F300-\U0001FAFF\u2600-\u27BF]")),
    ("account", _rx(r"\b((verify|confirm) your|suspend\w*|password|log ?in|sign ?in|unlock|locked|expir\w+)\b"
                    r"|パスワード|ログイン|停止|凍結|認証|本人確認")),
    ("phone", TOLL_FREE),
    # a charge you did not make, to call about: not a booking's terms ("to cancel, call …", "キャンセルする場合")
    ("dispute", _rx(r"\b(did ?n[o']t (authori[sz]e|make|place|order|recogni[sz]e)|unauthori[sz]ed|not you"
                    r"|refund\w*|dispute)\b|身に覚え|返金|不正利用")),
]
_AUTOMATED = _rx(r"\b(regist(er|ered|ration)|confirm(ed|ation)?|sign(ed)? ?up|account|thank you|contact"
                 r"|inquiry|enquiry|subscription|subscribe|verify|welcome|order|booking|reservation|event"
                 r"|shared?|invit\w*|invoice|receipt)\b"
                 r"|登録|確認|受付|申込|申し込|問い合わせ|問合せ|予約|ご応募|ありがとう|共有|招待|請求書")
_NOREPLY = _rx(r"^(no-?reply|do-?not-?reply|donotreply|noreply|mailer|notifications?|info|web|wordpress"
               r"|forms?|system|admin|support|contact)\b")


def _authenticated_domain(facts: Facts) -> str | None:
    """The From domain when the provider saw DMARC pass, or a DKIM pass aligned with From."""
    if facts.from_ is None or not facts.from_.domain:
        return None
    from_reg = _registrable(facts.from_.domain)
    dmarc = facts.auth.first("dmarc")
    if dmarc and dmarc.result.lower() == "pass":
        return facts.from_.domain
    for r in facts.auth.results:
        if r.method == "dkim" and r.result.lower() == "pass" and \
                _registrable(r.props.get("header.d") or r.props.get("header.i", "").lstrip("@")) == from_reg:
            return facts.from_.domain
    return None


def _filled_fields(subject: str, lines: list[str]) -> Iterator[tuple[str | None, str, bool]]:
    """(label, value, holds a name) of what a sender could have typed into a form: the name the mail
    greets, every field it echoes back, and the subject (a calendar event's or a shared file's title).
    LINES are the text's opening lines. The label is None for the greeting; "" for the subject; '"' for
    a quoted note."""
    for line in lines[:3]:
        if m := (_GREETING[0].match(line) or _GREETING[1].match(line)):
            yield None, m.group("field"), True
            break
    for line in lines:
        if m := _ECHOED_FIELD.match(line):
            label = (m.group("bracket") or m.group("label")).strip()
            yield label, m.group("value"), bool(_NAME_LABEL.fullmatch(label))
        elif m := _QUOTED_NOTE.match(line):
            yield '"', m.group("a") or m.group("b") or m.group("c"), False
    if subject:
        yield "", subject[:1000], False


# a platform telling you that someone shared something with you or invited you (their message follows)
_SHARING = _rx(r"\b(shared \S.{0,80} with you|invited you)\b"
               r"|共有しました|共有されました|招待されました|招待しました")


def _opening_lines(text: str) -> list[str]:
    return [ln[:1000] for ln in text.splitlines()[:_ECHO_LINES * 3] if ln.strip()][:_ECHO_LINES]


def _stranger_line(line: str, own: set[str | None], sharing: bool) -> tuple[list[str], list[str]] | None:
    """A line of a reputable platform's mail that sends you to a little-known site about money, with
    words about your account: the platform's own lines link to the platform, so this is what a
    stranger typed into it (a group invitation's message, a quiz's text). A price and a shop's or
    venue's site are what people write (an invitation's fee, a seller's note), so money alone is not
    enough; coins valued in money ("0.85 BTC ($58,200)") are a payout lure.
    In a notice that someone SHARING a file or inviting you wrote a message, words about your
    account beside such a link are enough: that message is the sharer's."""
    if not _URL_IN_FIELD.search(line):  # most lines hold no address: no signal is worth reading then
        return None
    signals, links = _field_signals(line, own)
    found = set(signals)
    if "unknown_site" not in found:
        return None
    if ("account" in found and (sharing or found & {"money", "crypto"})) or {"crypto", "money"} <= found:
        return signals, links
    return None


def _field_signals(value: str, own: set[str | None]) -> tuple[list[str], list[str]]:
    """(signals, links to other sites) of what was typed into one field."""
    signals: list[str] = []
    links = []
    for m in _URL_IN_FIELD.finditer(value):
        url = m.group(0)
        host = re.sub(r"^(https?://)?", "", url, flags=re.I).split("/")[0].split(":")[0].lower()
        reg = _registrable(host)
        if reg and reg not in own:
            links.append(url)
            if shortener(host):
                signals.append("shortener")
            elif not popular_rank(reg):
                signals.append("unknown_site")
    if links:
        signals.insert(0, "link")
    return list(dict.fromkeys(signals + _found(_FIELD_SIGNALS, value))), links


def _injected(value: str, holds_name: bool, own: set[str | None]) -> tuple[list[str], list[str]] | None:
    """A field's signals when they show advertising or a lure typed into it. A name holds no link and
    no pitch: a link, or two signals, is enough. Any other field (a message, a title, a note) may
    name a site or a price in good faith, so it takes a link to another site and two signals besides
    — or a lure's whole point: a link to a little-known site beside words about an account or a
    wallet, or a free-dial number to call about a charge you did not make (an invoice's "note from seller")."""
    signals, links = _field_signals(value, own)
    if holds_name:
        if len(value) > 60:
            signals.append("long")
        return (signals, links) if links or len(signals) >= 2 else None
    lure = "unknown_site" in signals and ("account" in signals or "crypto" in signals)
    callback = {"phone", "money", "dispute"} <= set(signals)
    pitch = len([s for s in signals if s != "unknown_site"]) >= 3
    return (signals, links) if (links and (lure or pitch)) or callback else None


_SIGNAL_TEXT = {
    "link": ("a link to another site", "外部サイトへのリンク"),
    "shortener": ("a shortened link", "短縮URL"),
    "money": ("a money amount", "金額"),
    "crypto": ("cryptocurrency", "仮想通貨"),
    "promotion": ("advertising", "宣伝文句"),
    "emoji": ("emoji", "絵文字"),
    "long": ("far too much text for a name", "名前にしては長すぎる文"),
    "unknown_site": ("a link to a little-known site", "無名のサイトへのリンク"),
    "account": ("words about your account or password", "アカウントやパスワードに関する文言"),
    "phone": ("a free-dial number to call", "電話を促すフリーダイヤル"),
    "dispute": ("a charge to cancel or dispute", "取り消しや返金を促す請求"),
}


_FORM_DETAIL = T(
    "This mail really comes from {sender_domain}, but what was typed into a form for it — {field_en} "
    "“{field}” — carries {signals}. Spammers and scammers type such text into registration or contact "
    "forms, invitations, shared documents or invoices so that the site mails it to you. Ignore the "
    "inserted text: do not open its links or call its numbers.",
    "このメールは {sender_domain} から正規に送られていますが、フォームなどに入力された{field_ja}「{field}」に"
    "{signals}が入っています。スパムや詐欺の送信者が登録・問い合わせフォーム、招待、共有、請求書の機能に文面を"
    "入力し、サイトの自動送信メールとしてあなたに届けさせる手口です。埋め込まれた文面は無視し、そのリンクを開いたり"
    "電話をかけたりしないでください。")


def _field_names(label: str | None) -> tuple[str, str]:
    """How the detail names the field: the name, the title, or the label as the mail wrote it."""
    if label is None:
        return "the name it greets you with", "宛名"
    if label == "":
        return "the title", "件名"
    if label == '"':
        return "the message quoted in it", "引用されたメッセージ"
    if label == "line":
        return "a line of its text", "本文中の一行"
    return f"the field “{label}”", f"欄「{label}」の内容"


@check(
    "content.form_abuse", "high", 5.0,
    title=T("Spam injected into a genuine automated mail", "正規の自動送信メールに埋め込まれた宣伝や誘導"),
    detail=_FORM_DETAIL,
    reason=T("a genuine automated mail carries a stranger's advertising or lure",
             "正規の自動送信メールに第三者の宣伝や誘導が埋め込まれています"),
)
def form_abuse(ctx: CheckContext) -> Iterator[Hit]:
    facts = ctx.facts
    domain = _authenticated_domain(facts)
    if domain is None:
        return
    text = _bounded_text(facts)
    local = facts.from_.address.split("@")[0] if facts.from_ else ""
    if not (_AUTOMATED.search(facts.subject or "") or _NOREPLY.match(local)
            or _AUTOMATED.search(text[:3000])):
        return
    # the platform's own sites, and those of the people it names (the one who shared, their reply address)
    own = {_registrable(domain)} | {_registrable(m.group(1)) for m in _ADDRESS.finditer(text[:500])} \
        | {_registrable(a.domain) for a in facts.reply_to}
    lines = _opening_lines(text)
    fields: Iterator[tuple[str | None, str, tuple[list[str], list[str]] | None]] = (
        (label, value, _injected(value, holds_name, own))
        for label, value, holds_name in _filled_fields(facts.subject or "", lines))
    # (a reply in a conversation carries people's words by design: an issue comment names sites and prices)
    if reputable_sender(ctx) and not _REPLY_OR_PATCH.search(facts.subject or ""):
        sharing = bool(_SHARING.search(text[:500]))
        fields = itertools.chain(fields, (("line", line, _stranger_line(line, own, sharing)) for line in lines))
    for label, value, found in fields:
        if found is None:
            continue
        signals, links = found
        evidence = {"field": value[:300], "label": label, "sender_domain": domain, "links": links[:_EVIDENCE_MAX],
                    "signals": signals}
        link_indexes = [i for i, link in enumerate(facts.links)
                        if any(u in link.url or link.url in u for u in links)]
        shown = _clip(value, 160)
        field_en, field_ja = _field_names(label)
        common = {"sender_domain": domain, "field": shown, "field_en": field_en, "field_ja": field_ja}
        yield Hit(evidence, links=link_indexes, detail=fmt_each(
            _FORM_DETAIL, {**common, "signals": ", ".join(_SIGNAL_TEXT[x][0] for x in signals)},
            {**common, "signals": "・".join(_SIGNAL_TEXT[x][1] for x in signals)}))
        return


def _clip(s: str, n: int) -> str:
    return s if len(s) <= n else s[: n - 1] + "…"


# ---------------------------------------------------------------------------------------------
# message.forwarded


@check(
    "message.forwarded", "info", 0.0,
    title=T("Passes on or quotes another message", "別のメッセージを転送・引用しています"),
    detail=T("Below the sender's own words, this message passes on or quotes another one (from {sender}). "
             "What the other findings say about claims, links and wording may describe that message rather "
             "than the person who passed it on. Its links are as dangerous as they were.",
             "差出人自身の文面の下に、別のメッセージ（差出人：{sender}）が転送または引用されています。ほかの"
             "検出結果が指摘する名乗り・リンク・文面は、転送した人ではなくそのメッセージのものかもしれません。"
             "リンクの危険性は転送されても変わりません。"),
)
def forwarded(ctx: CheckContext) -> Iterator[Hit]:
    forward = ctx.facts.inline_forward
    if forward is not None:
        yield Hit(evidence={"sender": forward.sender or "?", "at": forward.at})


# ---------------------------------------------------------------------------------------------
# content.credential_lure

# What the lure asks for (one phrase group each; patterns are matched on NFKC text).
_LURE_ACTION = [
    ("verify", _rx(
        r"本人確認|ご本人様?(の|による)?(ご利用|確認)|(ご)?利用(内容)?(の)?確認|アカウント(情報)?の?確認"
        r"|(情報|内容)の?(確認|更新|補充|再入力|入力|再登録)|再認証|認証(を|して|サービス|手続)"
        r"|手続き?(が必要|をお願い|を行って|を完了)"
        r"|\bverify (your|the|this) (account|identity|information|e-?mail|details)\b"
        r"|\bconfirm your (identity|account|details|information|e-?mail)\b"
        r"|\bvalidate your (account|mailbox)\b"
        r"|\bupdate your (account|information|details)\b|\breactivate your account\b")),
    ("login", _rx(
        r"ログイン(して|後|いただ|の上|する|を|画面|ページ)|サインイン(して|後|する)|不正(な)?(ログイン|アクセス)"
        r"|不審な(ログイン|アクセス|アクティビティ)|第三者による(不正|ログイン|アクセス)"
        r"|\b(unusual|suspicious|unrecogni[sz]ed|new) (sign[-. ]?in|log-?in|login|activity|access)\b"
        r"|\bunauthori[sz]ed (access|login|sign-?in|activity|transaction)\b|\bsign in to (your|restore)\b")),
    ("payment", _rx(
        r"お支払い?(方法|情報|に関する問題)|支払い?情報|決済(情報|方法)|カード情報"
        r"|不正(な)?(使用|利用|取引)|不審な(カード)?(利用|取引|決済)"
        r"|お支払いが(確認|完了)でき|引き落とし(ができ|不能)|未払い|未納"
        r"|\bupdate (your )?(payment|billing)\b|\bpayment (failed|declined|method|was declined)\b"
        r"|\b(billing|payment) (information|details|issue|problem)\b|\boutstanding (balance|payment)\b"
        r"|\bpayment (is )?overdue\b|\boverdue (payment|invoice|balance)\b")),
    ("delivery", _rx(
        r"配達できません|お届けでき(ません|ない)|配送できな|不在のため|再配達|再配送|住所(が)?不明|宛先(不明|に誤り)"
        r"|配送情報|配送(が)?保留|保管期限"
        r"|\b(delivery|shipment|package|parcel) (failed|attempt|suspended|on hold|could not be delivered)\b"
        r"|\bunable to deliver\b")),
    ("mailbox", _rx(
        r"メールボックス(の)?容量|容量(が|の)?(上限|不足|超過)|パスワード(の)?有効期限"
        r"|\bmailbox (is )?(full|quota)\b|\bstorage (is )?full\b|\bpassword (will |has )?expire")),
]
# The same lures in the European languages this mail also arrives in (pt, es, de, fr, nl, it);
# entries share their group's name, so a group still counts once.
_LURE_ACTION += [
    ("verify", _rx(r"\b(verifique|confirme|atualize) (seus|sua|os|a|o) (dados|cadastro|conta|identidade)"
                   r"|\b(verifica|confirma|actualiza) (tus|su|sus) (datos|cuenta|identidad)"
                   r"|\b(best[aä]tigen|verifizieren|aktualisieren) sie (ihre|ihr)\b|\bihre (daten|identit[aä]t) "
                   r"(best[aä]tigen|verifizieren)"
                   r"|\b(v[eé]rifiez|confirmez|mettez [aà] jour) vos (informations|donn[eé]es|coordonn[eé]es)"
                   r"|\b(bevestig|verifieer|controleer) (uw|je) (gegevens|account|identiteit)")),
    ("payment", _rx(r"\b(pagamento|fatura|boleto) (pendente|recusad[oa]|em atraso|vencid[oa])|\bcompra "
                    r".{0,30}(retida|em an[aá]lise)"
                    r"|\b(pago|factura) (pendiente|rechazad[oa])|\bzahlung (fehlgeschlagen|ausstehend|abgelehnt)"
                    r"|\bpaiement (refus[eé]|en attente|[eé]chou[eé])|\bbetaling (mislukt|geweigerd|openstaand)")),
    ("delivery", _rx(r"\b(falha na entrega|entrega (pendente|perdida|fallida|pendiente)|paquete "
                     r"pendiente|encomenda (retida|pendente)"
                     r"|paket (konnte nicht|wartet|zugestellt werden)|zustellung "
                     r"(fehlgeschlagen|ausstehend)|colis (en attente|bloqu[eé])"
                     r"|livraison (en attente|[eé]chou[eé]e)|pakket (dat|wacht|kon niet)|bezorging)")),
]

# How it presses: a threat to the account, or a deadline.
_LURE_PRESSURE = [
    ("suspension", _rx(
        r"アカウント(が|を|の)?(停止|凍結|ロック|制限|無効)|(利用|使用|取引|サービス)(を|が)?(一時的に|一部)?(停止|制限|中断)"
        r"|一時(的に)?停止|凍結|ロック(さ|し|を)|無効(に|と)な|ご?利用いただけなくな|利用できなくな|閉鎖"
        r"|制限(させ|され|を|が継続)|キャンセルとさせ"
        r"|\b(account|card|access|service) (has been |will be |is )?(suspended|locked|disabled|deactivated"
        r"|restricted|terminated|closed|on hold|limited)\b"
        r"|\b(suspend|deactivate|terminate|close) your account\b")),
    ("urgency", _rx(
        r"\d+\s*時間(以内|経過)|\d+\s*日(以内|間以内|経過)|至急|直ちに|ただちに|速やかに|早急に|迅速な(ご)?対応|緊急"
        r"|期限(内|まで|が切れ)|有効期限は|本日中|お早めに"
        r"|\bwithin (\d+|twenty[- ]four|forty[- ]eight|seventy[- ]two) hours\b|\b(urgent(ly)?|immediately"
        r"|final (notice|warning|reminder)|last warning|as soon as possible|action required|expires? today)\b"
        r"|\b(subscription|membership|account) (has |have )?(expired|will expire|expires)\b")),
]


_LURE_PRESSURE += [
    ("suspension", _rx(r"\b(conta|cart[aã]o|acesso) (ser[aá] |foi )?(bloquead[oa]|suspens[oa]|cancelad[oa])"
                       r"|\b(cuenta|tarjeta) (ser[aá] |ha sido )?(bloquead[oa]|suspendid[oa])|\b(konto|karte) "
                       r"(wird |wurde )?(gesperrt|eingeschr[aä]nkt)"
                       r"|\bcompte (sera |a [eé]t[eé] )?(bloqu[eé]|suspendu|d[eé]sactiv[eé])|\baccount (wordt "
                       r"|is )?(geblokkeerd|opgeschort)")),
    ("urgency", _rx(r"\b(em|en|innerhalb von|dans les|binnen) \d+ "
                    r"(horas|stunden|heures|uur|dias|d[ií]as|tagen|jours|dagen)\b"
                    r"|\b(urgente|imediatamente|inmediatamente|dringend|sofort|imm[eé]diatement|dringend|onmiddellijk)\b")),
]


@check(
    "content.credential_lure", "medium", 2.0,
    variants={"weak": 1.0},
    title=T("Typical account or payment lure wording", "アカウントや支払いを口実にした典型的な文言"),
    detail=T(
        "The message uses wording typical of phishing lures: {phrases}. Genuine notices use it too, so "
        "check the sender and the links before acting, and never enter a password on a page opened "
        "from a mail.",
        "フィッシングでよく使われる文言があります：{phrases}。正規の通知でも使われるためこれだけで"
        "危険とは言えませんが、操作する前に送信元とリンク先を確かめてください。メールのリンクから開いた"
        "ページでパスワードを入力しないでください。"),
    reason=T("it pressures you to log in, verify or pay", "ログイン・本人確認・支払いを急がせています"),
)
def credential_lure(ctx: CheckContext) -> Iterator[Hit]:
    text = _nfkc(ctx)[:1_500]  # a lure says what it wants near the top
    action = _phrases(_LURE_ACTION, text)
    if not action:
        return
    pressure = _phrases(_LURE_PRESSURE, text)
    if not pressure:
        return
    groups = len(action) + len(pressure)
    evidence = {"phrases": list(action.values()) + list(pressure.values()),
                "groups": list(action) + list(pressure)}
    if groups >= 3:
        yield Hit(evidence)
    else:
        yield Hit(evidence, severity="low", variant="weak")


# ---------------------------------------------------------------------------------------------
# content.invisible_chars

# Format characters (Cf: zero-width, bidi controls, tags ...) plus blank-looking letters.
_BLANK_LETTERS = frozenset("\u115f\u1160\u3164\uffa0\u2800\u034f\u180e")
_BIDI = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c")


def _variation_selector(ch: str) -> bool:
    return "\ufe00" <= ch <= "\ufe0f" or "\U000e0100" <= ch <= "\U000e01ef"


def _invisible(ch: str) -> bool:
    return ch in _BLANK_LETTERS or unicodedata.category(ch) == "Cf" or _variation_selector(ch)


def invisible_chars(s: str) -> list[tuple[int, str]]:
    """(position, char) of invisible characters in `s`.

    Not counted: a ZWJ between emoji (👨‍👩‍👧) and a variation selector after an emoji or a Han
    character (❤️, ideographic variants 葛󠄀), which is what they are for. A variation selector after
    kana (コインチェ︉ック) is a filter-breaking trick.
    """
    s = s[:2000]
    if s.isascii():  # no format character is ASCII
        return []
    out = []
    for i, ch in enumerate(s):
        if not _invisible(ch):
            continue
        prev = s[i - 1] if i else ""
        if ch == "\u200d" and prev and i < len(s) - 1 and _is_emoji(prev) and _is_emoji(s[i + 1]):
            continue
        if _variation_selector(ch) and prev and (_is_emoji(prev) or _is_han(prev) or prev in "0123456789#*"):
            continue
        out.append((i, ch))
    return out


def _is_han(ch: str) -> bool:
    return unicodedata.name(ch, "").startswith("CJK ")


def _is_emoji(ch: str) -> bool:
    return unicodedata.category(ch) == "So" or "\U0001f3fb" <= ch <= "\U0001f3ff" or ch == "\ufe0f"


def _reveal(s: str) -> str:
    return "".join(f"⟨U+{ord(c):04X}⟩" if _invisible(c) else c for c in s[:300])


_INVISIBLE_DETAIL = T(
    "The {where} contains invisible characters ({chars}): “{shown}”. They are slipped between letters "
    "so that a brand name or keyword escapes spam filters; genuine senders have no reason to use them.",
    "{where}に見えない文字（{chars}）が含まれています：「{shown}」。ブランド名や単語の間に挟んで"
    "迷惑メールフィルターをすり抜けるための細工で、正規の送信者が使う理由はありません。")


@check(
    "content.invisible_chars", "low", 1.0,
    variants={"severe": 2.0},
    title=T("Invisible characters in the sender name or subject", "差出人名・件名に見えない文字"),
    detail=_INVISIBLE_DETAIL,
    reason=T("invisible characters hide words in the sender name or subject",
             "差出人名や件名に見えない文字が仕込まれています"),
)
def invisible_characters(ctx: CheckContext) -> Iterator[Hit]:
    facts = ctx.facts
    fields = [("sender name", "差出人名", facts.from_.display_name if facts.from_ else ""),
              ("subject", "件名", facts.subject or "")]
    for where_en, where_ja, value in fields:
        found = invisible_chars(value)
        if not found:
            continue
        names = list(dict.fromkeys(f"U+{ord(c):04X} {unicodedata.name(c, '?')}" for _, c in found))
        # inside a Latin word ("Se⟨U+E0139⟩rvice") it can only be there to break the word for a filter;
        # between letters of other scripts ZWNJ is spelling (Persian, Indic)
        inside = any(0 < i < len(value) - 1 and value[i - 1].isascii() and value[i - 1].isalpha()
                     and value[i + 1].isascii() and value[i + 1].isalpha() for i, _ in found)
        severe = len(found) >= 3 or inside or any(c in _BIDI for _, c in found)
        shown = _reveal(value)
        evidence = {"field": where_en, "value": value[:300], "shown": shown, "chars": names[:_EVIDENCE_MAX],
                    "count": len(found)}
        detail = fmt_each(_INVISIBLE_DETAIL, {"where": where_en, "chars": ", ".join(names[:4]), "shown": shown},
                       {"where": where_ja, "chars": "、".join(names[:4]), "shown": shown})
        if severe:
            yield Hit(evidence, detail=detail, severity="medium", variant="severe")
        else:
            yield Hit(evidence, detail=detail)


# ---------------------------------------------------------------------------------------------
# content.hidden_text

_HIDDEN_MIN = 300  # letters: a newsletter's hidden preview line is one short sentence


@check(
    "content.hidden_text", "medium", 2.0,
    title=T("Text hidden from the reader", "読み手には見えない隠し文字があります"),
    detail=T("The mail's HTML hides {count} characters of text from you (styled invisible, zero-sized or "
             "not displayed), beginning “{sample}”. Hidden words are there for spam filters, not for "
             "people: to bury the lure under harmless text or to break up tell-tale words.",
             "このメールのHTMLには、あなたには見えない文字が {count} 文字あります（非表示・透明・大きさ0の"
             "スタイル）。冒頭は「{sample}」です。隠された文字は人ではなく迷惑メールフィルターに読ませる"
             "ためのもので、無害な文章で誘い文句を埋もれさせたり、目立つ単語を分断したりします。"),
    reason=T("it hides text from the reader", "読み手に見えない文字を隠しています"),
)
def hidden_text(ctx: CheckContext) -> Iterator[Hit]:
    hidden = ctx.facts.hidden_text
    count = sum(1 for ch in hidden if ch.isalnum())
    if count >= _HIDDEN_MIN:
        yield Hit(evidence={"count": count, "sample": _clip(hidden, 80)})
