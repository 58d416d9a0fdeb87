"""One Received header → a Hop: who handed the message over (HELO, rDNS, IP), who took it, when.

Every MTA writes its own dialect (Postfix, Exim, Sendmail, qmail, Exchange, Gmail, CommuniGate,
webmail ...), so the header is first cut into clauses (`from`, `by`, `via`, `with`, `id`, `for`,
and the date after the last top-level `;`), each with the comments that follow it; the dialect is
then read from the shape of the `from` clause's comments. Work is linear in the (capped) length:
a hostile header can neither raise nor make the parser slow.
"""

from __future__ import annotations

import contextlib
import ipaddress
import re
from dataclasses import dataclass, field
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from functools import lru_cache

from ..domains import ip_of
from ..model import Hop

MAX_HEADER = 4096  # characters of one Received value that are read
MAX_TOKENS = 200  # tokens kept per header; the rest is ignored

_CLAUSES = ("from", "by", "via", "with", "id", "for")
# Names a receiving server writes when it has no verified reverse-DNS name for the client.
_NO_RDNS = {"unknown", "unverified", "softdnserr", "unknown.domain", "may", "localhost.localdomain?"}
_HOSTNAME = re.compile(r"^[A-Za-z0-9_](?:[A-Za-z0-9_.-]{0,252})$")
_FRACTION = re.compile(r"(\d\d:\d\d:\d\d)\.\d+")


@dataclass
class Detail:
    """What the parser reads beyond the shared Hop: the receiving server's own address and dialect."""

    hop: Hop
    by_ip: str | None = None
    dialect: str = "generic"
    comments: list[str] = field(default_factory=list)


# patterns of the hot path (every hop of every message), compiled once
_IP_CHARS = re.compile(r"[0-9A-Fa-f:.]+")
_HELO_EQ = re.compile(r"\bhelo=(\S*)", re.I)
_HELO_WORD = re.compile(r"(?:^|[\s,])(?:HELO|EHLO|LHLO)\b\s*([^\s)]*)")
_CLAIMING = re.compile(r"claiming to be \"([^\"]*)\"")
_IDENT = re.compile(r"(?i)^ident:")
_NAME_BRACKET = re.compile(r"^(?:[^\s@\[]*@)?([^\s@\[\]]*)\s*\[")
_ENDS_WITH_PROTOCOL = re.compile(r"\bwith\s+\w+$")
_PLAIN_NAME = re.compile(r"[^\s()<>\[\]]{1,255}")
_AUTHENTICATED = re.compile(r"(?<![-\w])authenticated\b", re.I)
_NOT_AUTHENTICATED = re.compile(r"\b(?:not|un)\s*authenticated\b", re.I)
_ZONE_COMMENT = re.compile(r"\s+\((?:[A-Za-z ]{1,20})\)\s*$")
_ZONE_NAME = re.compile(r"\s+[A-Z]{2,5}$")
_VERIFIED = re.compile(r"\]\s+verified\)")
_SENDMAIL_VERSION = re.compile(r"\(\d+\.\d+\.\d+[^)]*/[^)]*\)")


# ---------------------------------------------------------------------------------------------
# Addresses


@lru_cache(maxsize=4096)
def normalize_ip(text: str | None) -> str | None:
    """An IP address from the ways MTAs write one ([IPv6:..], ::ffff:v4, :port, .port, %zone), else None."""
    if not text:
        return None
    s = text.strip().strip("[]()<>,;").strip()
    if s[:5].lower() == "ipv6:":
        s = s[5:]
    s = s.strip("[]")
    if "%" in s:
        s = s.split("%", 1)[0]
    if not s or len(s) > 60 or not _IP_CHARS.fullmatch(s):
        return None
    candidates = [s]
    if s.count(".") == 4 and ":" not in s:  # 63.251.66.24.63559 (port glued with a dot)
        candidates.append(s.rsplit(".", 1)[0])
    if s.count(":") == 1 and "." in s:  # 1.2.3.4:25
        candidates.append(s.split(":", 1)[0])
    for c in candidates:
        addr = ip_of(c)
        if addr is None:
            continue
        if isinstance(addr, ipaddress.IPv6Address) and addr.ipv4_mapped:
            return str(addr.ipv4_mapped)
        return str(addr)
    return None


def _host(text: str | None) -> str | None:
    """A host name as written (trailing dot and wrapping removed), or None if it is not one."""
    if not text:
        return None
    s = text.strip().strip("<>,;").strip().rstrip(".")
    if not s or not _HOSTNAME.match(s):
        return None
    return s


# ---------------------------------------------------------------------------------------------
# Tokens and clauses


_SPECIAL = re.compile(r"[(\[;]")  # what ends a run of words: a comment, a bracket or the date's ";"
_PAREN = re.compile(r"[()]")


def _tokens(text: str) -> tuple[list[tuple[str, str]], int]:
    """Words, (comments) and [brackets] at top level, plus where the last top-level ';' is (-1).

    This runs for every Received header: the words between two special characters are split in
    one call, so the loop turns once per comment, bracket or ';' rather than once per word."""
    out: list[tuple[str, str]] = []
    last_semi = -1
    i, n = 0, len(text)
    while i < n:
        m = _SPECIAL.search(text, i)
        k = n if m is None else m.start()
        i_words = i
        out += [("word", w) for w in text[i:k].split()]
        if len(out) >= MAX_TOKENS:
            del out[MAX_TOKENS:]
            break
        if m is None:
            break
        ch, i = text[k], k
        if ch == "(":
            glued = k > i_words and not text[k - 1].isspace()  # "host(comment)": a word ends right here
            depth, j = 1, n
            for p in _PAREN.finditer(text, i + 1):
                depth += 1 if p.group() == "(" else -1
                if depth == 0:
                    j = p.end()
                    break
            out.append(("gparen" if glued else "paren", text[i + 1 : j - 1 if depth == 0 else j]))
            i = j
        elif ch == "[":
            j = text.find("]", i + 1)
            j = n if j < 0 else j
            # nested "[[UNIX: localhost]]" or "[(1.2.3.4)]": keep everything up to the closing bracket
            while j + 1 < n and text[j + 1] == "]":
                j += 1
            out.append(("bracket", text[i + 1 : j].strip("[]")))
            i = j + 1
        else:  # ";"
            last_semi = len(out)
            i += 1
    return out, last_semi


def _clauses(tokens: list[tuple[str, str]]) -> dict[str, list[tuple[str, str]]]:
    """Group tokens under the clause keyword before them; each keyword counts once, `from` only first."""
    found: dict[str, list[tuple[str, str]]] = {}
    current: list[tuple[str, str]] | None = None
    for pos, (kind, value) in enumerate(tokens):
        key = value.lower() if kind == "word" else ""
        if key in _CLAUSES and key not in found and (key != "from" or pos == 0):
            current = found.setdefault(key, [])
            continue
        if current is not None:
            current.append((kind, value))
        else:
            found.setdefault("", []).append((kind, value))
    return found


# ---------------------------------------------------------------------------------------------
# The from clause


def _first_ip(text: str) -> str | None:
    for piece in re.split(r"[\s,()\[\]]+", text):
        if "@" in piece:
            piece = piece.rsplit("@", 1)[1]
        ip = normalize_ip(piece)
        if ip:
            return ip
    return None


def _read_from(hop: Hop, items: list[tuple[str, str]], dialect: str, protocol: str | None) -> None:
    """Fill helo, rdns, from_ip and auth_user from the `from` clause (dialects differ in the order)."""
    name_tok = items[0] if items and items[0][0] in ("word", "bracket") else None
    rest = items[1:] if name_tok else items
    name_raw: str | None = None
    name_ip: str | None = None
    if name_tok:
        name_raw = name_tok[1]
        name_ip = normalize_ip(name_raw)
        if name_tok[0] == "bracket":
            name_raw = f"[{name_raw}]"
    literal = bool(name_raw and name_raw.startswith("["))
    name_host = None if (literal or name_ip) else _host(name_raw)
    glued = bool(rest) and rest[0][0] == "gparen"  # smap: "name(1.2.3.4)"

    comments = [v.strip() for k, v in rest if k in ("paren", "gparen")]  # white space already single
    raw_comments = [v for k, v in rest if k in ("paren", "gparen")]
    brackets = [v for k, v in rest if k == "bracket"]
    words = " ".join(v for k, v in rest if k == "word")

    explicit_helo: str | None = None  # a HELO the server quoted separately from the from-name
    resolved: str | None = None  # "NAME [IP]" inside a comment: the name the server resolved
    postfix_form = False
    bare_ip_form = False  # qmail / Critical Path: "from NAME (IP)" or "(ident@IP)"
    bare_name: str | None = None  # "from A (B)" without address
    ip: str | None = None
    for c, raw in zip(comments, raw_comments, strict=True):
        m = _HELO_EQ.search(c)
        if m:
            explicit_helo = m.group(1).strip("!")
        else:
            m = _HELO_WORD.search(c)
            if m:
                explicit_helo = m.group(1).strip()
        m = _CLAIMING.search(c)
        if m:
            explicit_helo = m.group(1)
        _read_auth(hop, c)
        c_ip = _comment_ip(c)
        if ip is None:
            ip = c_ip
        low = c.lower()
        if "authenticated" in low or low.startswith(("account ", "auth", "using ", "no client", "uid ")):
            continue
        head = _IDENT.sub("", c.split(" ", 1)[0])
        pm = _NAME_BRACKET.match(c)
        if pm and c_ip and pm.group(1):
            postfix_form = True
            resolved = pm.group(1).strip("<>") or None
        elif c_ip and (normalize_ip(head.rsplit("@", 1)[-1]) == c_ip) and "[" not in head:
            # "(1.2.3.4)" / "(user@1.2.3.4)" but not "( 1.2.3.4)" (Scalix) or "(1.2.3.4:port)" (XMail)
            bare_ip_form = not raw.startswith(" ") and ":" not in head.rsplit("@", 1)[-1]
            if " " in c and not _ENDS_WITH_PROTOCOL.search(c):
                bare_ip_form = False
        elif not c_ip and "@" in head:
            resolved_host = _host(head.rsplit("@", 1)[1].strip("[]"))
            if resolved_host and resolved is None and not postfix_form:
                bare_name = resolved_host
        elif (not c_ip and bare_name is None and _host(head) and "=" not in head and ":" not in head
              and not low.startswith(("helo", "ehlo", "lhlo"))):
            bare_name = _host(head)
    for b in brackets:
        if ip is None:
            ip = _first_ip(b)
    if ip is None:
        for w in words.split(" "):
            cand = normalize_ip(w.rstrip(","))
            if cand:
                ip = cand
                break
    m = _CLAIMING.search(words)
    if m:
        explicit_helo = m.group(1)

    helo: str | None = name_raw if (literal or name_host) else None
    if helo is None and name_raw and not name_ip and _PLAIN_NAME.fullmatch(name_raw):
        helo = name_raw  # "from user@domain by ..." (local senders): kept as written
    rdns: str | None = None
    webmail = any("authenticated user" in c.lower() for c in comments) or (
        (protocol or "").startswith("HTTP") and (literal or bool(name_ip))
    )
    if explicit_helo is not None:
        # qmail "from RDNS (HELO h) (ip)", Exim "from RDNS ([ip] helo=h)", GMX "(EHLO h) [ip]"
        helo = explicit_helo or None
        rdns = name_host
    elif postfix_form:
        # Postfix / Sendmail: "from HELO (RDNS [IP])"; the HELO may itself be an address
        helo = name_raw
        rdns = resolved
    elif brackets and bare_name:
        # Exim 3: "from RDNS (HELO) [IP]"
        rdns, helo = name_host, bare_name
    elif bare_name and not ip:
        # "from A (B)": B is the name the server looked up
        rdns = bare_name
    elif glued:
        rdns, helo = name_host, None
    elif name_host and ip and (
        (dialect == "exim" and (brackets or any(c.startswith("[") for c in comments)))
        or dialect == "communigate-verified"
        or (bare_ip_form and dialect not in ("microsoft", "sendmail"))
    ):
        rdns = name_host  # the server wrote the verified name and omitted an equal HELO
    if webmail and explicit_helo is None and not postfix_form:
        helo = rdns = None
    if ip is None and name_ip:
        ip = name_ip
    if rdns and (rdns.lower() in _NO_RDNS or normalize_ip(rdns)):
        rdns = None
    hop.helo = helo
    hop.rdns = rdns.rstrip(".") if rdns else None
    hop.from_ip = ip


_GREETING = re.compile(r"(?:HELO|EHLO|LHLO)\s+\S+|(?i:\bhelo=)\S*")
_BRACKETED = re.compile(r"\[([^\[\]]{2,60})\]")
_PIECES = re.compile(r"[\s,]+")


def _comment_ip(text: str) -> str | None:
    """The client address inside one from-comment: "[1.2.3.4]", "(1.2.3.4)", "ident@1.2.3.4", ...."""
    # the name or address the client greeted with is not its address: "HELO x", Exim's "helo=[x]"
    text = _GREETING.sub(" ", text)
    m = _BRACKETED.search(text)
    if m:
        ip = normalize_ip(m.group(1))
        if ip:
            return ip
    for piece in _PIECES.split(text):
        if "@" in piece:
            piece = piece.rsplit("@", 1)[1]
        ip = normalize_ip(piece)
        if ip:
            return ip
    return None


def _may_name_auth(comment: str) -> bool:
    """Whether any of the patterns below can match: each needs one of these words (most comments
    have none, and this runs for every comment of every Received header)."""
    low = comment.lower()
    return "auth" in low or "account" in low or "with" in low


_AUTH_PATTERNS = (
    re.compile(r"\bAuthenticated sender:\s*([^\s)]+)", re.I),
    re.compile(r"\bauthenticated as\s+([^\s)]+)", re.I),
    re.compile(r"\bauthenticated user\s+([^\s)]+)", re.I),
    re.compile(r"\bAUTH:\s*(?:LOGIN|PLAIN|CRAM-MD5|DIGEST-MD5|XOAUTH2?|NTLM)?\s*([^\s,)]+)", re.I),
    re.compile(r"^account\s+([^\s)]+)", re.I),
    re.compile(r"^(\S+)@\S+\s+with\s+(?:plain|login|cram-md5)$", re.I),
)


def _read_auth(hop: Hop, comment: str) -> None:
    if hop.auth_user or not _may_name_auth(comment):
        return
    for pat in _AUTH_PATTERNS:
        m = pat.search(comment)
        if m:
            hop.auth_user = m.group(1).strip("<>,;")
            return
    if _AUTHENTICATED.search(comment) and not _NOT_AUTHENTICATED.search(comment):
        hop.auth_user = "authenticated"  # the server noted authentication without naming the user


# ---------------------------------------------------------------------------------------------
# Other clauses


_NOT_PROTOCOL = re.compile(r"[^A-Z0-9-]")


def _protocol(items: list[tuple[str, str]]) -> str | None:
    for kind, value in items:
        if kind == "bracket":  # "[XMail 1.20 ESMTP Server]"
            m = re.search(r"\b(E?SMTPS?A?|LMTP)\b", value, re.I)
            return m.group(1).upper() if m else None
        if kind != "word":
            continue
        w = value.strip(";,").upper()
        if w == "MICROSOFT" or w.startswith("SMTPSVC"):
            return "SMTP"
        w = w.split("/", 1)[0]
        if w == "ESMTP-TLS":
            return "ESMTPS"
        if w.startswith("LOCAL-"):
            w = w[6:]
        return _NOT_PROTOCOL.sub("", w) or None
    return None


def _first_word(items: list[tuple[str, str]]) -> tuple[str, str] | None:
    for kind, value in items:
        if kind in ("word", "bracket"):
            return kind, value
    return None


def parse_date(text: str) -> datetime | None:
    """The RFC 5322 date after the last ';' (naive dates are read as UTC), or None. TEXT comes from
    the header as `_parse_into` left it: its white space already single spaces."""
    s = text.strip()
    if not s:
        return None
    if "." in s:
        s = _FRACTION.sub(r"\1", s)
    if "(" in s:
        s = _ZONE_COMMENT.sub("", s)
    # a trailing zone name ("... +0900 JST") stops the stdlib: tried without it when it fails
    return _read_date(s) or _read_date(_ZONE_NAME.sub("", s))


def _read_date(text: str) -> datetime | None:
    try:
        dt = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if dt is None:
        return None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=timezone.utc)
    return dt if 1970 <= dt.year <= 2200 else None


def _dialect(value: str, by_items: list[tuple[str, str]], with_items: list[tuple[str, str]]) -> str:
    low = value.lower()
    if "microsoft smtp" in low or "with mapi" in low:
        return "microsoft"
    if "(exim" in low or "helo=" in low:
        return "exim"
    if "communigate" in low and _VERIFIED.search(low):
        return "communigate-verified"
    if _SENDMAIL_VERSION.search(value) or "sendmail" in low:
        return "sendmail"
    return "generic"


def parse_detail(value: str) -> Detail:
    """Parse one Received value into a Hop and the parts the route needs (never raises)."""
    raw = value if isinstance(value, str) else str(value)
    hop = Hop(index=0, raw=raw[:MAX_HEADER])
    detail = Detail(hop=hop)
    # hostile header: keep what was read, never raise
    with contextlib.suppress(Exception):
        _parse_into(detail, raw[:MAX_HEADER])
    return detail


def parse_received(value: str) -> Hop:
    """One Received header value (without "Received:") → Hop. Never raises."""
    return parse_detail(value).hop


def _parse_into(detail: Detail, value: str) -> None:
    hop = detail.hop
    text = " ".join(value.replace("\x00", " ").split())  # white space made single (split: 5x a regex)
    # "(from HOST [IP]) by ..." (Symantec, Juno): the from clause wrapped in a comment
    if text.startswith("(from ") or text.startswith("(FROM "):
        close = text.find(")")
        if close > 0:
            text = text[1:close] + " " + text[close + 1 :]
    tokens, last_semi = _tokens(text)
    date_tokens: list[tuple[str, str]] = []
    if last_semi >= 0:
        date_tokens = tokens[last_semi:]
        tokens = tokens[:last_semi]
        date_text = text[text.rfind(";") + 1 :]
        hop.time = parse_date(date_text)
    clauses = _clauses(tokens)
    if last_semi >= 0 and hop.time is None and date_tokens:
        hop.time = parse_date(" ".join(v for _k, v in date_tokens))

    by_items = clauses.get("by", [])
    with_items = clauses.get("with", [])
    detail.dialect = _dialect(text, by_items, with_items)
    detail.comments = [v for k, v in tokens if k in ("paren", "gparen")]

    by = _first_word(by_items)
    if by:
        kind, val = by
        if kind == "bracket" or normalize_ip(val):
            hop.by_host = normalize_ip(val) or _host(val)
        else:
            hop.by_host = _host(val.split("(", 1)[0])
    for kind, val in by_items[1:4]:
        if kind in ("paren", "gparen", "bracket"):
            ip = normalize_ip(val.split(":")[0] if val.count(":") == 1 else val)
            if ip:
                detail.by_ip = ip
                break
    if hop.by_host and normalize_ip(hop.by_host):
        detail.by_ip = detail.by_ip or normalize_ip(hop.by_host)

    hop.protocol = _protocol(with_items)
    if hop.protocol is None and "via" in clauses:
        hop.protocol = _protocol(clauses["via"])
    if hop.protocol is None:
        via = re.search(r"\(via (HTTPS?)\)", text, re.I)
        hop.protocol = via.group(1).upper() if via else None
    if hop.protocol and hop.protocol == "SMTP" and detail.dialect == "microsoft":
        hop.protocol = "ESMTP" if "version=tls" not in text.lower() else "ESMTPS"

    idw = _first_word(clauses.get("id", []))
    if idw:
        hop.id = idw[1].strip("<>;,") or None
    forw = _first_word(clauses.get("for", []))
    if forw:
        hop.for_addr = forw[1].strip("<>;,") or None

    if "from" in clauses:
        _read_from(hop, clauses["from"], detail.dialect, hop.protocol)
    # authentication noted outside the from clause ("by x (authenticated as y)", "; Authenticated")
    if not hop.auth_user:
        for kind, val in tokens + date_tokens:
            if kind in ("paren", "gparen") and _may_name_auth(val):
                _read_auth(hop, val.strip())  # tokens of the collapsed text: white space already single
            if hop.auth_user:
                break
