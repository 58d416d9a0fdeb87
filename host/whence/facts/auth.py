"""Authentication facts: Authentication-Results (RFC 8601), Received-SPF, ARC sets, DKIM-Signatures.

Only results the recipient's provider wrote are trusted: headers above the trust boundary (the
origin's Received header) or carrying the provider's authserv-id. Anything below could have been
written by the sender and is kept apart for display only.

The parser is tolerant on purpose: `authres` rejects headers real providers emit (Microsoft's carry
no authserv-id and put comments where the grammar forbids them), and a strict parse that drops a
provider's verdict would turn "could not read" into "no result".
"""

from __future__ import annotations

import re

from ..domains import registrable_domain
from ..model import ArcSet, AuthFacts, AuthResult, DkimSignature, Message
from .route import Route

_MAX_RESULTS = 50
_METHOD = re.compile(r"^\s*([A-Za-z][\w.-]*)\s*(?:/\s*\d+)?\s*=\s*([A-Za-z][\w-]*)")
_PROP = re.compile(r"([A-Za-z][\w-]*\.[A-Za-z][\w.-]*|[A-Za-z][\w-]*)\s*=\s*(\"[^\"]*\"|[^\s;]+)")
_TAG = re.compile(r"([a-z]+)\s*=\s*([^;]*)", re.I)


def _strip_comments(value: str) -> tuple[str, list[str]]:
    """Remove (nested) comments, returning the rest and the comments' texts."""
    current: list[str]
    out, comments, depth, current = [], [], 0, []
    for ch in value[:8192]:
        if ch == "(":
            depth += 1
            if depth == 1:
                current = []
                continue
        elif ch == ")" and depth:
            depth -= 1
            if depth == 0:
                comments.append("".join(current).strip())
                out.append(" ")
                continue
        if depth:
            current.append(ch)
        else:
            out.append(ch)
    return "".join(out), comments


def parse_authentication_results(value: str) -> tuple[str | None, list[AuthResult]]:
    """(authserv-id, results) from one Authentication-Results value; never raises."""
    parts = []
    depth = 0
    start = 0
    text = value[:8192]
    for i, ch in enumerate(text):  # split on ';' outside comments
        if ch == "(":
            depth += 1
        elif ch == ")" and depth:
            depth -= 1
        elif ch == ";" and not depth:
            parts.append(text[start:i])
            start = i + 1
    parts.append(text[start:])
    authserv_id = None
    results: list[AuthResult] = []
    for n, part in enumerate(parts):
        bare, comments = _strip_comments(part)
        bare = bare.strip()
        if not bare:
            continue
        if n == 0 and not _METHOD.match(bare):
            tokens = bare.split()
            authserv_id = tokens[0].lower() if tokens else None
            continue
        m = _METHOD.match(bare)
        if not m or len(results) >= _MAX_RESULTS:
            continue
        props = {k.lower(): v.strip('"') for k, v in _PROP.findall(bare[m.end():])}
        reason = props.pop("reason", None) or (comments[0] if comments else None)
        results.append(AuthResult(method=m.group(1).lower(), result=m.group(2).lower(), props=props,
                                  reason=reason, authserv_id=authserv_id))
    return authserv_id, results


def _received_spf(value: str) -> AuthResult | None:
    m = re.match(r"\s*([A-Za-z]+)", value)
    if not m:
        return None
    props = {k.lower(): v.strip('";') for k, v in _PROP.findall(_strip_comments(value)[0][m.end():])}
    return AuthResult(method="spf", result=m.group(1).lower(), props=props, reason=value[:300])


def _tags(value: str) -> dict[str, str]:
    return {k.lower(): "".join(v.split()) for k, v in _TAG.findall(value[:8192])}


def _aligned(domain: str, from_domain: str) -> bool:
    if not domain or not from_domain:
        return False
    return domain == from_domain or registrable_domain(domain) == registrable_domain(from_domain)


def auth_facts(message: Message, route: Route, from_domain: str) -> AuthFacts:
    """The authentication facts; only results written above the trust boundary are trusted."""
    facts = AuthFacts()
    trusted_ids = {a.lower() for a in route.authserv_ids}
    for pos, (name, value) in enumerate(message.headers):
        lname = name.lower()
        above = route.boundary_pos < 0 or pos < route.boundary_pos
        if lname == "authentication-results":
            serv, results = parse_authentication_results(value)
            if above or (serv and serv in trusted_ids):
                if facts.authserv_id is None and serv:
                    facts.authserv_id = serv
                facts.results.extend(results)
            else:
                facts.untrusted_results.extend(results)
        elif lname == "received-spf" and above and facts.received_spf is None:
            facts.received_spf = _received_spf(value)
        elif lname == "dkim-signature" and len(facts.dkim_signatures) < 20:
            tags = _tags(value)
            domain = tags.get("d", "").lower().strip(".")
            if domain:
                facts.dkim_signatures.append(DkimSignature(
                    domain=domain, selector=tags.get("s", ""), algorithm=tags.get("a"),
                    identity=tags.get("i"), headers=[h.strip().lower() for h in tags.get("h", "").split(":")
                                                     if h.strip()][:50],
                    aligned=_aligned(domain, from_domain)))
        elif lname == "arc-seal" and len(facts.arc_sets) < 20:
            tags = _tags(value)
            try:
                instance = int(tags.get("i", "0"))
            except ValueError:
                instance = 0
            facts.arc_sets.append(ArcSet(instance=instance, cv=tags.get("cv"),
                                         domain=(tags.get("d") or "").lower() or None, selector=tags.get("s"),
                                         header_pos=pos))
    aar = {}
    for name, value in message.headers:
        if name.lower() == "arc-authentication-results":
            m = re.match(r"\s*i\s*=\s*(\d+)\s*;(.*)", value, re.S)
            if m:
                aar[int(m.group(1))] = m.group(2).strip()[:2000]
    for s in facts.arc_sets:
        s.auth_results = aar.get(s.instance)
    return facts
