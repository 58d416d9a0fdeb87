"""AS number, prefix, country and AS name from Team Cymru's IP-to-ASN DNS service.

https://www.team-cymru.com/ip-asn-mapping — `<reversed ip>.origin.asn.cymru.com TXT` gives
"ASN | prefix | CC | registry | date"; `AS<n>.asn.cymru.com TXT` gives "... | AS name, CC".
"""

from __future__ import annotations

import ipaddress
from typing import Any

from .dns import Resolver


def origin_name(ip: str) -> str | None:
    try:
        addr = ipaddress.ip_address(ip)
    except ValueError:
        return None
    if addr.version == 4:
        return ".".join(reversed(ip.split("."))) + ".origin.asn.cymru.com"
    nibbles = addr.exploded.replace(":", "")
    return ".".join(reversed(nibbles)) + ".origin6.asn.cymru.com"


def _fields(text: str) -> list[str]:
    return [f.strip() for f in text.split("|")]


def _asn(field: str) -> int | None:
    """The first AS number of a row's first field ("4134" or "4134 4837"); None when there is none."""
    words = field.split()
    return int(words[0]) if words and words[0].isascii() and words[0].isdigit() else None


def _prefix_len(row: list[str]) -> int:
    bits = row[1].rpartition("/")[2]
    return int(bits) if bits.isascii() and bits.isdigit() else 0


def origin_rows(texts: list[str]) -> dict[str, Any]:
    """{"asn", "prefix", "country"} from the origin TXT answer's rows (the most specific prefix
    wins when several are announced); {} when no row is well-formed. Never raises."""
    rows = [r for r in (_fields(t) for t in texts) if len(r) >= 3 and _asn(r[0]) is not None]
    if not rows:
        return {}
    best = max(rows, key=_prefix_len)
    return {"asn": _asn(best[0]), "prefix": best[1] or None, "country": best[2] or None}


def as_name(texts: list[str]) -> str | None:
    """The AS name from an `AS<n>.asn.cymru.com` TXT answer."""
    for text in texts:
        f = _fields(text)
        if len(f) >= 5 and f[4]:
            return f[4]
    return None


async def asn_info(resolver: Resolver, ip: str) -> dict[str, Any]:
    """{"asn", "prefix", "country", "as_name"} as far as Cymru knows; empty on failure."""
    name = origin_name(ip)
    if not name:
        return {}
    answer = await resolver.query(name, "TXT")
    out = origin_rows(answer.txt()) if answer.ok else {}
    if not out:
        return {"error": answer.error} if answer.failed else {}
    as_answer = await resolver.query(f"AS{out['asn']}.asn.cymru.com", "TXT")
    found = as_name(as_answer.txt()) if as_answer.ok else None
    if found:
        out["as_name"] = found
    return out
