"""The report of DESIGN §3 as a JSON-ready dict. Fields may be added, never renamed or dropped."""

from __future__ import annotations

from dataclasses import asdict, fields
from typing import Any

from ..model import AuthResult, DkimSignature, Facts, Finding, Lookups, Verdict


def report_dict(facts: Facts | None, found: Lookups, findings: list[Finding], verdict: Verdict,
                elapsed_ms: float, file: str | None = None) -> dict[str, Any]:
    origin = _origin(facts, found)
    report: dict[str, Any] = {
        "file": file,
        "verdict": {"level": verdict.level, "score": round(verdict.score, 2), "summary": verdict.summary},
        "origin": origin,
        "hops": _hops(facts, origin, found),
        "auth": _auth(facts, found),
        "links": [_link(link) for link in facts.links] if facts else [],
        "attachments": [_attachment(a) for a in facts.attachments] if facts else [],
        "findings": [_finding(f) for f in sorted(findings, key=lambda f: -f.score)],
        "lookups": [asdict(r) for r in found.records],
        "elapsed_ms": elapsed_ms,
    }
    if facts is not None:
        report["message"] = {
            "subject": facts.subject,
            "from": _addr(facts.from_),
            "reply_to": [_addr(a) for a in facts.reply_to],
            "to": [_addr(a) for a in facts.to],
            "return_path": facts.return_path,
            "date": facts.date.isoformat() if facts.date else None,
            "list_id": facts.list_id,
            "is_list": facts.is_list,
            "defects": facts.message.defects[:20],
            "truncated": facts.message.truncated,
        }
    report["lookups_done"] = found.done
    if found.errors:  # the stage ran but did not finish everything (the deadline), or a part failed
        report["lookup_errors"] = found.errors[:20]
    return report


def _addr(a: Any) -> dict[str, str] | None:
    return None if a is None else {"name": a.display_name, "address": a.address}


def _origin(facts: Facts | None, found: Lookups) -> dict[str, Any]:
    if facts is None:
        return {"ip": None, "client_ip": None, "hostname": None, "helo": None,
                "asn": None, "org": None, "country": None}
    o = facts.origin
    out = {
        "ip": o.ip, "client_ip": o.client_ip, "hostname": o.hostname, "helo": o.helo,
        "asn": o.asn, "org": o.org, "country": o.country,
        "hop_index": o.hop_index, "authenticated": o.authenticated, "reason": o.reason,
        "network_kind": o.network_kind,
    }
    for key, value in found.origin.items():  # lookups refine: asn, org, country, network_kind, ...
        if value is not None and (key not in out or out[key] is None):
            out[key] = value
    return out


def _hops(facts: Facts | None, origin: dict[str, Any], found: Lookups) -> list[dict[str, Any]]:
    """The Received chain, newest first. After the live lookups, `country` (ISO 3166-1 alpha-2), `asn`
    and `org` are known for the origin's hop and the public servers of the recipient's side after it;
    null otherwise (offline, private addresses, hops older than the origin, which are never looked up);
    `network_kind` (hosting, cloud, mobile, ... or unknown) with them."""
    if facts is None:
        return []

    def net(h: Any) -> dict[str, Any]:
        if h.index == origin.get("hop_index"):
            return {"country": origin.get("country"), "asn": origin.get("asn"), "org": origin.get("org"),
                    "network_kind": origin.get("network_kind")}
        info = found.hops.get(h.from_ip or "") or {}
        return {"country": info.get("country"), "asn": info.get("asn"), "org": info.get("as_name"),
                "network_kind": info.get("network_kind")}

    return [{
        "index": h.index, "from_host": h.from_host, "from_ip": h.from_ip, "helo": h.helo,
        "rdns": h.rdns, "by_host": h.by_host, "with": h.protocol,
        "time": h.time.isoformat() if h.time else None, "delay_s": h.delay_s, "trusted": h.trusted,
        "authenticated": h.authenticated, "id": h.id,
        **net(h),
    } for h in facts.hops]


def _result(r: AuthResult | None, source: str, domain_keys: tuple[str, ...]) -> dict[str, Any]:
    if r is None:
        return {"result": "unknown", "domain": None, "source": source}
    domain = next((r.props[k] for k in domain_keys if r.props.get(k)), None)
    if domain and "@" in domain:
        domain = domain.rsplit("@", 1)[1]
    out = {"result": r.result, "domain": domain, "source": source}
    if r.reason:
        out["reason"] = r.reason
    return out


SPF_KEYS = ("smtp.mailfrom", "smtp.helo", "envelope-from", "identity")
DMARC_KEYS = ("header.from",)


def _auth(facts: Facts | None, found: Lookups) -> dict[str, Any]:
    out: dict[str, Any] = {"spf": _result(None, "provider", SPF_KEYS), "dkim": [],
                           "dmarc": {**_result(None, "provider", DMARC_KEYS), "policy": None},
                           "arc": {"result": "unknown", "sealers": [], "source": "provider"}}
    if facts is not None:
        a = facts.auth
        spf = a.first("spf") or a.received_spf
        out["spf"] = _result(spf, "provider", SPF_KEYS)
        aligned = {s.domain: s.aligned for s in a.dkim_signatures}
        out["dkim"] = [{
            "domain": r.props.get("header.d") or r.props.get("header.i", "").lstrip("@") or None,
            "selector": r.props.get("header.s"), "result": r.result,
            "aligned": aligned.get(r.props.get("header.d", ""), False), "source": "provider",
        } for r in a.results if r.method == "dkim"]
        dmarc = a.first("dmarc")
        out["dmarc"] = {**_result(dmarc, "provider", DMARC_KEYS),
                        "policy": (dmarc.props.get("policy.dmarc") or dmarc.props.get("p")) if dmarc else None}
        arc = a.first("arc")
        out["arc"] = {"result": arc.result if arc else ("none" if not a.arc_sets else "unknown"),
                      "sealers": [s.domain for s in sorted(a.arc_sets, key=lambda s: s.instance) if s.domain],
                      "source": "provider"}
        out["authserv_id"] = a.authserv_id
        out["signatures"] = [_signature(s) for s in a.dkim_signatures]
    rechecks = [r for r in found.rechecks]
    if rechecks:
        out["recheck"] = {}
        for r in rechecks:
            if r.method == "dkim":
                out["dkim"].append({"domain": r.props.get("header.d"), "selector": r.props.get("header.s"),
                                    "result": r.result, "aligned": r.props.get("aligned") == "true",
                                    "source": "recheck", "reason": r.reason})
            else:
                keys = SPF_KEYS if r.method == "spf" else DMARC_KEYS
                entry = _result(r, "recheck", (*keys, "domain"))
                if r.method == "dmarc":
                    entry["policy"] = r.props.get("policy")
                if r.method == "arc":
                    entry["sealers"] = [s for s in r.props.get("sealers", "").split(",") if s]
                out["recheck"][r.method] = entry
    return out


def _signature(s: DkimSignature) -> dict[str, Any]:
    """dataclasses.asdict's result for its flat fields, without asdict's deep-copying recursion."""
    return {f.name: _flat(getattr(s, f.name)) for f in fields(s)}


def _flat(value: Any) -> Any:
    return list(value) if isinstance(value, list) else value


def _link(link: Any) -> dict[str, Any]:
    return {"url": link.url, "text": link.text, "host": link.host, "domain": link.domain,
            "source": link.source, "findings": list(link.findings)}


def _attachment(a: Any) -> dict[str, Any]:
    return {"filename": a.filename, "content_type": a.content_type, "size": a.size,
            "sniffed_type": a.sniffed_type, "members": a.members[:50], "encrypted": a.encrypted,
            "qr": a.qr_payloads[:10], "findings": list(a.findings)}


def _finding(f: Finding) -> dict[str, Any]:
    return {"id": f.id, "severity": f.severity, "title": f.title, "detail": f.detail,
            "evidence": f.evidence, "score": round(f.score, 2)}
