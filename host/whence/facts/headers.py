"""Addresses, dates and the recipient, read from decoded header values. Never raises."""

from __future__ import annotations

import re
from datetime import datetime, timezone
from email.utils import getaddresses, parsedate_to_datetime

from ..model import Address, Context, Message
from ..parse.words import decode_words

_MAX_ADDRESSES = 1000
_MAX_VALUE = 16 * 1024
_ANGLE = re.compile(r"<([^<>\s]*@[^<>\s]*)>")
# one bare address, or one in angle brackets, with nothing the address grammar treats specially
_PLAIN = re.compile(r"<?([^\s@,;:<>()\[\]\"\\]+@[^\s@,;:<>()\[\]\"\\]+)>?")


def addresses(value: str, max_chars: int = _MAX_VALUE) -> list[Address]:
    """Every address in an address-list header (up to MAX_CHARS of it, cut between addresses);
    display names decoded, addr/domain lower-cased."""
    try:
        return _addresses(value or "", max_chars)
    except Exception:  # hostile header: no addresses rather than a crash
        return []


def _addresses(value: str, max_chars: int) -> list[Address]:
    if len(value) > max_chars:
        cut = value.rfind(",", 0, max_chars)
        value = value[:cut if cut > 0 else max_chars]
    value = value.replace("\r", " ").replace("\n", " ")
    if not value.strip():  # an absent header (Reply-To, Sender, Cc): no parser for nothing
        return []
    if "=?" in value:
        value = decode_words(value, address=True)
    single = _single_angle(value)
    if single is not None:
        return [single]
    out: list[Address] = []
    pending: list[str] = []  # bare words before an address: an unquoted "Name, Inc <addr>"
    for name, addr in _plain_list(value) or getaddresses([value]):
        addr = addr.strip().strip("<>").strip().rstrip(".")
        name = name.strip()
        if not addr and not name:
            continue
        if addr and "@" not in addr and not name:
            pending.append(addr)  # a bare word is a display name the parser took for an address
            continue
        if pending:
            name = ", ".join([*pending, name] if name else pending)
            pending = []
        out.append(_address(name, addr))
        if len(out) >= _MAX_ADDRESSES:
            break
    out.extend(_address(word, "") for word in pending)
    return out


def _plain_list(value: str) -> list[tuple[str, str]] | None:
    """`a@x, <b@y>`: what getaddresses makes of a list of bare addresses, without its parser (which
    costs 16 µs a header and reads most To and Cc lines); None for anything else."""
    out = []
    for piece in value.split(","):
        piece = piece.strip()
        if not piece:
            continue
        m = _PLAIN.fullmatch(piece)
        if m is None or (piece[0] == "<") != (piece[-1] == ">"):
            return None
        out.append(("", m.group(1)))
    return out or None


def _address(name: str, addr: str) -> Address:
    addr = addr.lower()
    domain = addr.rsplit("@", 1)[1].strip("[]. ") if "@" in addr else ""
    return Address(display_name=name, address=addr, domain=domain)


def _single_angle(value: str) -> Address | None:
    """`name <addr>`: one address, whatever the name holds.

    getaddresses splits `support@amazon.co.jp <evil@example.net>` into two addresses, but mail
    clients show one: that display name and the address in angle brackets, the real sender.
    """
    quoted = False
    escaped = False
    separated = False
    for ch in value:
        if escaped:
            escaped = False
        elif ch == "\\":
            escaped = True
        elif ch == '"':
            quoted = not quoted
        elif ch in ",;" and not quoted:
            separated = True
    found = _ANGLE.findall(value)
    if len(found) != 1 or (separated and value.count("@") != 1):
        return None  # a real list; a lone <addr> after unquoted commas is still one sender
    name = value[: value.rfind("<" + found[0])].strip()
    if not name:
        return None  # `<addr> (Name)` and the like: getaddresses knows comments
    if len(name) >= 2 and name[0] == name[-1] == '"':
        name = name[1:-1].replace('\\"', '"').replace("\\\\", "\\")
    return _address(name.strip(), found[0])


_TZ_COMMENT = re.compile(r"\([^)]*\)")


def parse_date(value: str | None) -> datetime | None:
    """An aware datetime for an RFC 5322 (or ISO 8601) date; None when it does not parse."""
    if not value:
        return None
    text = _TZ_COMMENT.sub(" ", value[:200]).strip()
    when: datetime | None = None
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError, OverflowError):
        try:
            when = datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            return None
    if when is None:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)  # "-0000": UTC, origin zone unknown
    return when


def recipient_of(message: Message, context: Context) -> str | None:
    """The recipient's own address: as delivered (see `delivered_to`), else the To header when it
    names exactly one address."""
    return delivered_to(message, context) or _single_to(message)


def delivered_to(message: Message, context: Context) -> str | None:
    """The recipient as the mail client's account or the delivering server (Delivered-To,
    X-Original-To) names it: never taken from To, which the sender writes."""
    if context is not None and context.account_email:
        found = addresses(context.account_email)
        if found and found[0].address:
            return found[0].address
    for header in ("Delivered-To", "X-Original-To"):
        value = message.get(header)
        if value:
            found = [a for a in addresses(value) if a.address]
            if found:
                return found[0].address
    return None


def _single_to(message: Message) -> str | None:
    to = [a for a in addresses(", ".join(message.get_all("To"))) if a.address]
    return to[0].address if len(to) == 1 else None
