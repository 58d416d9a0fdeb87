"""Host names as a person would compare them: one normal form, and the registrable domain (PSL).

`normalise_host` gives the Unicode form of IDN labels (`xn--eckwd4c7c.jp` → `アマゾン.jp`), so that
lookalike checks see what the reader sees; `registrable_domain` answers in the same form, from the
Public Suffix List bundled with the `publicsuffixlist` package (private section included, so
`pub-x.r2.dev` is its own registrable domain). No network.
"""

from __future__ import annotations

import ipaddress
import re
from functools import lru_cache

import publicsuffixlist
from publicsuffixlist import PublicSuffixList

from . import tables

_PSL_STATE = {"accept_unknown", "_publicsuffix", "_maxlabel"}  # what PublicSuffixList() sets (1.x)


def _load_psl() -> PublicSuffixList:
    """The bundled list, from its parsed suffixes (IDNA forms included) in the tables cache: parsing
    the list encodes every IDN suffix, a tenth of a second at every start. When the package keeps its
    state as this module knows it, the object is filled in directly; else the list is parsed anew."""

    def state() -> tuple[str, int] | None:
        psl = PublicSuffixList()
        if set(vars(psl)) != _PSL_STATE or psl.accept_unknown is not True:
            return None
        return "\n".join(sorted(psl._publicsuffix)), psl._maxlabel

    try:
        found = tables.cached("psl", 2, [publicsuffixlist.PSLFILE], state)
    except OSError:
        found = None
    if not found:
        return PublicSuffixList()
    psl = PublicSuffixList.__new__(PublicSuffixList)
    psl.accept_unknown = True
    psl._publicsuffix = frozenset(found[0].split("\n"))
    psl._maxlabel = found[1]
    return psl


_PSL = _load_psl()
_DOTS = str.maketrans({"。": ".", "．": ".", "｡": "."})  # IDNA treats these as label separators
_BAD = re.compile(r"[\x00-\x20\"#%/<>?@\[\\\]^`{|}\x7f]")
MAX_HOST = 253  # the longest domain name DNS allows


@lru_cache(maxsize=4096)
def normalise_host(host: str) -> str | None:
    """Lower-case host without userinfo, port, brackets or trailing dot; IDN labels in Unicode.

    Returns None for what cannot be a host name or address.
    """
    if not host:
        return None
    host = host.strip().translate(_DOTS)
    if "%" in host:
        from urllib.parse import unquote

        host = unquote(host)  # browsers percent-decode the host
    host = host.rsplit("@", 1)[-1]
    if host.startswith("["):  # [IPv6]:port
        end = host.find("]")
        inner = host[1:end] if end > 0 else host[1:]
        try:
            return str(ipaddress.IPv6Address(inner.split("%", 1)[0]))
        except ValueError:
            return None
    if host.count(":") == 1:
        host = host.split(":", 1)[0]
    elif host.count(":") > 1:
        try:
            return str(ipaddress.IPv6Address(host))
        except ValueError:
            return None
    host = host.strip(".").lower()
    if not host or len(host) > MAX_HOST * 4 or _BAD.search(host):
        return None
    address = _ipv4(host)
    if address:
        return address
    labels = []
    for label in host.split("."):
        if not label:
            return None
        labels.append(_unicode_label(label))
    return ".".join(labels)


def _unicode_label(label: str) -> str:
    """One label in Unicode form where IDNA allows it, else as given (lower-cased)."""
    try:
        if label.startswith("xn--"):
            return label.encode("ascii").decode("idna").lower()
        if not label.isascii():
            return label.encode("idna").decode("ascii").encode("ascii").decode("idna").lower()
    except (UnicodeError, ValueError):
        pass
    return label


_IPV4_FORMS = re.compile(r"(?:0x[0-9a-f]*|[0-9]+)(?:\.(?:0x[0-9a-f]*|[0-9]+)){0,3}")


def _ipv4(host: str) -> str | None:
    """Dotted, decimal, hex or octal IPv4 forms that browsers accept, as dotted quad."""
    if not _IPV4_FORMS.fullmatch(host):
        return None
    try:
        parts = [int(p, 16) if p.startswith("0x") else int(p, 8) if len(p) > 1 and p.startswith("0")
                 else int(p) for p in host.split(".")]
    except ValueError:
        return None
    if any(p > 255 for p in parts[:-1]) or parts[-1] >= 256 ** (5 - len(parts)):
        return None
    value = 0
    for p in parts[:-1]:
        value = value * 256 + p
    value = value * 256 ** (5 - len(parts)) + parts[-1]
    return str(ipaddress.IPv4Address(value))


IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


def ip_of(text: str) -> IPAddress | None:
    """TEXT as an IP address, else None. The route and the link checks ask about the same few hosts
    again and again, and most are names, for which ipaddress raises twice: names are turned away
    first, and what could be an address is parsed once."""
    if ":" not in text and not text.replace(".", "").isdigit():
        return None
    return _parsed_ip(text)


@lru_cache(maxsize=4096)
def _parsed_ip(text: str) -> IPAddress | None:
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


def is_ip(host: str) -> bool:
    return ip_of(host) is not None


@lru_cache(maxsize=4096)
def registrable_domain(host: str) -> str | None:
    """The registrable domain (public suffix + one label) of a host, in normalise_host's form.

    None for addresses, bare public suffixes and what is not a host name.
    """
    name = normalise_host(host) if host else None
    if not name or is_ip(name) or "." not in name:
        return None
    try:
        return _PSL.privatesuffix(name)
    except Exception:  # the list must never take a message down
        return None


def known_tld(host: str) -> bool:
    """Whether HOST ends in a top-level domain the Public Suffix List knows (so mail can reach it)."""
    name = normalise_host(host) if host else None
    if not name or is_ip(name):
        return False
    return _PSL.publicsuffix(name, accept_unknown=False) is not None
