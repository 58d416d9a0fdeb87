"""Our Received parser against two other projects' parser suites (kept as data in tests/data/received).

SpamAssassin's t/rcvd_parser.t (111 parsed cases) and stalwart mail-parser's received.json (181) are
compared on what the route needs: client IP, the from/rDNS host, HELO and by-host. Where the two
suites disagree with each other (stalwart drops the address in qmail's "(ident@IP)" form, which
SpamAssassin reads as the client), we follow SpamAssassin, so stalwart's share sits a little lower.
"""

from __future__ import annotations

import json
from pathlib import Path

from whence.facts.received import normalize_ip, parse_received

DATA = Path(__file__).resolve().parents[1] / "data" / "received"
GOAL = 0.95


def _name(value: str | None) -> str | None:
    return (value or "").strip().strip("[]!?").rstrip(".").lower() or None


def _sa_problems(case: dict) -> list[str]:
    e = case["expected"]
    hop = parse_received(case["header"])
    got = {"ip": hop.from_ip, "rdns": _name(hop.rdns), "helo": _name(hop.helo), "by": _name(hop.by_host)}
    want = {"ip": normalize_ip(e["ip"]) if e["ip"] else None, "rdns": _name(e["rdns"]),
            "helo": _name(e["helo"]), "by": _name(e["by"])}
    return [f"{k}: got {got[k]!r} want {want[k]!r}" for k in got if got[k] != want[k]]


def _stalwart_problems(case: dict) -> list[str]:
    e = case["expected"]
    hop = parse_received(case["header"])
    frm = e.get("from") or {}
    problems = []
    want_ip = normalize_ip(e.get("from_ip")) or normalize_ip(frm.get("IpAddr"))
    if hop.from_ip != want_ip:
        problems.append(f"ip: got {hop.from_ip!r} want {want_ip!r}")
    names = {_name(hop.helo), _name(hop.rdns)}
    if "Name" in frm:
        want = _name(frm["Name"])
        if want not in names and not (want == "unknown" and hop.rdns is None):
            problems.append(f"from: got {names} want {want!r}")
    if "IpAddr" in frm and normalize_ip(frm["IpAddr"]) not in {hop.from_ip, normalize_ip(_name(hop.helo))}:
        problems.append(f"from: got {hop.helo!r} want {frm['IpAddr']!r}")
    if "from_iprev" in e and _name(e["from_iprev"]) != _name(hop.rdns):
        problems.append(f"rdns: got {hop.rdns!r} want {e['from_iprev']!r}")
    if "helo" in e:
        want_helo = _name(e["helo"].get("Name") or e["helo"].get("IpAddr"))
        if want_helo != _name(hop.helo):
            problems.append(f"helo: got {hop.helo!r} want {want_helo!r}")
    by = e.get("by") or {}
    want_by = _name(by.get("Name") or by.get("IpAddr"))
    if want_by != _name(hop.by_host):
        problems.append(f"by: got {hop.by_host!r} want {want_by!r}")
    return problems


def _load(name: str) -> list[dict]:
    return json.loads((DATA / name).read_text(encoding="utf-8"))


def _agreement(cases: list[dict], judge) -> tuple[int, list[str]]:
    ok, misses = 0, []
    for case in cases:
        problems = judge(case)
        if problems:
            misses.append(f"{case['header'][:90]!r}: {'; '.join(problems)}")
        else:
            ok += 1
    return ok, misses


SA = [c for c in _load("spamassassin-rcvd.json") if c["expected"] is not None]
STALWART = _load("stalwart-received.json")


def test_spamassassin_agreement() -> None:
    ok, misses = _agreement(SA, _sa_problems)
    assert len(SA) == 111
    share = ok / len(SA)
    print(f"SpamAssassin rcvd_parser: {ok}/{len(SA)} = {share:.1%}")
    assert share >= GOAL, "\n".join(misses)


def test_stalwart_agreement() -> None:
    ok, misses = _agreement(STALWART, _stalwart_problems)
    assert len(STALWART) == 181
    share = ok / len(STALWART)
    print(f"stalwart received.json: {ok}/{len(STALWART)} = {share:.1%}")
    assert share >= 0.92, "\n".join(misses)


def test_combined_agreement() -> None:
    sa_ok, _ = _agreement(SA, _sa_problems)
    st_ok, misses = _agreement(STALWART, _stalwart_problems)
    share = (sa_ok + st_ok) / (len(SA) + len(STALWART))
    print(f"both suites: {sa_ok + st_ok}/{len(SA) + len(STALWART)} = {share:.1%}")
    assert share >= GOAL, "\n".join(misses)

