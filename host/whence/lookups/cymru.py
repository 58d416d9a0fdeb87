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


async def asn_info(resolver: Resolver, ip: str) -> dict[str, Any]:
    """{"asn", "prefix", "country", "as_name"} as far as Cymru knows; empty on failure."""
    name = origin_name(ip)
    if not name:
        return {}
    answer = await resolver.query(name, "TXT")
    rows = [_fields(t) for t in answer.txt()] if answer.ok else []
    rows = [r for r in rows if len(r) >= 3 and r[0].split()[0].isdigit()] if rows else []
    if not rows:
        return {"error": answer.error} if answer.failed else {}
    # the most specific prefix wins when several are announced
    rows.sort(key=lambda r: -int(r[1].rpartition("/")[2]) if r[1].rpartition("/")[2].isdigit() else 0)
    asn = int(rows[0][0].split()[0])
    out: dict[str, Any] = {"asn": asn, "prefix": rows[0][1] or None, "country": (rows[0][2] or None)}
    as_answer = await resolver.query(f"AS{asn}.asn.cymru.com", "TXT")
    for text in as_answer.txt() if as_answer.ok else []:
        f = _fields(text)
        if len(f) >= 5 and f[4]:
            out["as_name"] = f[4]
            break
    return out
