"""DMARC (RFC 7489, with RFC 9091's np=) evaluated from our own SPF and DKIM re-checks.

Record discovery asks `_dmarc.<From domain>` and then `_dmarc.<organisational domain>` (PSL).
A lookup we could not make, or underlying results we could not check, give temperror — never a pass.
"""

from __future__ import annotations

import asyncio

from ..domains import registrable_domain
from ..model import AuthResult
from .dns import Resolver


def org_domain(domain: str) -> str:
    """The organisational domain: the registrable domain by the Public Suffix List."""
    domain = domain.lower().rstrip(".")
    found = registrable_domain(domain)
    if found:
        try:
            return found.encode("idna").decode("ascii").lower()
        except UnicodeError:
            return found
    return domain


def parse_record(text: str) -> dict[str, str] | None:
    """Tags of a DMARC record, or None when it is not one (RFC 7489 §6.3)."""
    tags: dict[str, str] = {}
    for part in text.split(";"):
        key, sep, value = part.partition("=")
        if sep:
            tags.setdefault(key.strip().lower(), value.strip())
    if tags.get("v") != "DMARC1" or not text.strip().startswith("v"):
        return None
    if tags.get("p", "").lower() not in ("none", "quarantine", "reject"):
        if "rua" not in tags:  # RFC 7489 §6.6.3: an invalid p= without rua is no record
            return None
        tags["p"] = "none"
    return tags


async def discover(resolver: Resolver, domain: str) -> tuple[str, dict[str, str] | None, str | None]:
    """(domain where found, tags, error): From domain first, then the organisational domain."""
    org = org_domain(domain)
    candidates = [domain] if org == domain else [domain, org]
    answers = await asyncio.gather(*(resolver.query(f"_dmarc.{d}", "TXT") for d in candidates))
    for d, answer in zip(candidates, answers, strict=False):
        if answer.failed:
            return d, None, answer.error or "lookup failed"
        records = [t for t in (parse_record(x) for x in answer.txt()) if t is not None]
        if len(records) == 1:
            return d, records[0], None
    return domain, None, None


def _aligned(a: str, b: str, mode: str) -> bool:
    a, b = a.lower().rstrip("."), b.lower().rstrip(".")
    if mode == "s":
        return a == b
    return org_domain(a) == org_domain(b)


async def dmarc_recheck(resolver: Resolver, from_domain: str, spf: AuthResult | None,
                        dkim: list[AuthResult]) -> AuthResult:
    from_domain = from_domain.lower().rstrip(".")
    props = {"header.from": from_domain, "policy": "", "domain": "", "pct": "", "aligned_by": ""}
    where, tags, error = await discover(resolver, from_domain)
    props["domain"] = where
    if error:
        return AuthResult("dmarc", "temperror", props, reason=f"DMARC record lookup failed: {error}")
    if tags is None:
        return AuthResult("dmarc", "none", props, reason="no DMARC record")
    policy = tags.get("p", "none").lower()
    if where != from_domain:
        policy = tags.get("sp", policy).lower()
        if "np" in tags:  # RFC 9091: a non-existent subdomain gets np=
            answer = await resolver.query(from_domain, "A")
            if answer.status == "nxdomain":
                policy = tags["np"].lower()
    props["policy"] = policy
    pct = tags.get("pct", "100")
    props["pct"] = pct if pct.isdigit() else "100"
    aligned_by = []
    mail_from = ""
    if spf:
        mail_from = (spf.props.get("smtp.mailfrom") or "").rpartition("@")[2]
        mail_from = mail_from or spf.props.get("smtp.helo", "")
    if spf and spf.result == "pass" and mail_from and _aligned(mail_from, from_domain, tags.get("aspf", "r")):
        aligned_by.append("spf")
    if any(d.result == "pass" and _aligned(d.props.get("header.d", ""), from_domain, tags.get("adkim", "r"))
           for d in dkim):
        aligned_by.append("dkim")
    props["aligned_by"] = aligned_by[0] if aligned_by else ""
    if aligned_by:
        return AuthResult("dmarc", "pass", props, reason=f"aligned {' and '.join(aligned_by)} pass")
    unsure = (spf is not None and spf.result == "temperror") or any(d.result == "temperror" for d in dkim)
    if unsure:
        return AuthResult("dmarc", "temperror", props, reason="SPF or DKIM could not be checked")
    return AuthResult("dmarc", "fail", props,
                      reason="neither SPF nor DKIM passed aligned with the From domain")
