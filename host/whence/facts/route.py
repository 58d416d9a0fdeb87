"""The Received chain as a route: hops with signed delays, the trust boundary and the origin.

The boundary is found without configuration. Starting at the top (the recipient's mailbox), each
hop was written by a server we already trust; its *client* is trusted too when it clearly belongs
to the recipient's side: a private or loopback address, a host in the provider's organisation
(registrable domain of the top `by` host, the authserv-id of the provider's Authentication-Results,
the account's host, a known family of provider domains), or a host or network the user configured
(`trust.hosts`). A client named inside the organisation but reached over a public address must
also be the server that wrote the next header down (same name, same machine label or same
address): a HELO costs nothing to forge, a matching header chain does not line up by chance.
The first client that is not trusted is the origin.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass, field
from functools import lru_cache

from ..domains import ip_of, registrable_domain
from ..i18n import T, fmt
from ..model import Context, Hop, Message, Origin
from ..settings import Settings
from .received import Detail, normalize_ip, parse_detail

MAX_HOPS = 100  # Received headers read per message; a longer chain is cut (newest kept)

# Domains one mailbox provider runs under several names; a hop between two of them stays inside.
PROVIDER_FAMILIES: tuple[frozenset[str], ...] = (
    frozenset({"outlook.com", "office365.com", "exchangelabs.com", "hotmail.com", "live.com", "msn.com",
               "microsoft.com", "outlook.jp", "hotmail.co.jp"}),
    frozenset({"google.com", "gmail.com", "googlemail.com", "1e100.net"}),
    frozenset({"yahoo.com", "yahoo.co.jp", "yahoodns.net", "yahoo.net", "aol.com", "yahoo.co.uk"}),
    frozenset({"icloud.com", "me.com", "mac.com", "apple.com"}),
    frozenset({"protonmail.ch", "protonmail.com", "proton.me"}),
    frozenset({"zoho.com", "zohomail.com", "zoho.eu", "zoho.jp"}),
    frozenset({"yandex.ru", "yandex.net", "yandex.com"}),
    frozenset({"mail.ru", "mail.ua"}),
    frozenset({"gmx.net", "gmx.de", "web.de", "gmx.com", "1and1.com", "kundenserver.de"}),
    frozenset({"docomo.ne.jp", "spmode.ne.jp"}),
    frozenset({"ezweb.ne.jp", "au.com", "kddi.com"}),
    frozenset({"softbank.ne.jp", "i.softbank.jp"}),
)

# Headers in which a webmail service or a hosting mail server records the address of the sender's own
# browser or client (cPanel's exim: X-Source-IP; Endurance's hosting: X-EN-OrigIP; MDaemon: X-MDRemoteIP).
CLIENT_HEADERS = ("x-originating-ip", "x-yahoo-post-ip", "x-sender-ip", "x-forwarded-for", "x-client-ip",
                  "x-real-ip", "x-aol-ip", "x-original-ip", "x-source-ip", "x-en-origip", "x-mdremoteip")

# Networks that only exist inside one organisation: a client there is the provider's own machine.
_INTERNAL_NETS = tuple(ipaddress.ip_network(n) for n in (
    "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16",
    "0.0.0.0/8", "::1/128", "::/128", "fe80::/10", "fc00::/7",
))
_LOCAL_NAMES = {"localhost", "localhost.localdomain", "unknown", "mail pickup service", "root", "userid"}
_FETCH_PROTOCOLS = ("POP3", "IMAP", "IMAPS", "POP3S")

REASON_OUTSIDE = T(
    "The first server outside the recipient's provider ({org}) that handed the message over.",
    "受信側のプロバイダー（{org}）の外から、最初にこのメールを渡してきたサーバーです。",
)
REASON_AUTH = T(
    "Sent from this address by signing in (authenticated submission) to the provider {org}.",
    "このアドレスからプロバイダー（{org}）にログイン（認証）して送信されました。",
)
REASON_INSIDE = T(
    "Every Received header was written inside the recipient's provider ({org}); this is the deepest "
    "client address it recorded.",
    "すべての Received ヘッダーが受信側プロバイダー（{org}）内で書かれています。"
    "記録された最も古い送信元です。",
)
REASON_NONE = T(
    "No Received header records a client address.",
    "送信元のアドレスを記録した Received ヘッダーがありません。",
)


@dataclass
class Route:
    hops: list[Hop]  # index 0 = topmost header
    origin: Origin
    authserv_ids: set[str] = field(default_factory=set)
    boundary_pos: int = -1  # position in message.headers of the origin's Received header


def registrable(host: str | None) -> str | None:
    """The registrable domain of a host name (PSL); None for addresses and bare labels."""
    if not host or normalize_ip(host):
        return None
    return registrable_domain(host)


@lru_cache(maxsize=4096)
def is_internal_ip(ip: str | None) -> bool:
    addr = ip_of(ip) if ip else None
    if addr is None:
        return False
    return any(addr in net for net in _INTERNAL_NETS if net.version == addr.version)


def _authserv_id(value: str) -> str | None:
    """The authserv-id of an Authentication-Results value (None when the header has none, as at Microsoft)."""
    head = value.split(";", 1)[0].strip()
    head = re.sub(r"\([^)]*\)", " ", head).strip()
    first = head.split()[0] if head.split() else ""
    if not first or "=" in first or normalize_ip(first):
        return None
    return first.lower().rstrip(".")


class _Org:
    """The recipient's side: registrable domains, configured name suffixes and networks."""

    def __init__(self, settings: Settings, context: Context) -> None:
        self.domains: set[str] = set()
        self.suffixes = settings.trusted_names()
        self.networks = settings.trusted_networks()
        for host in (context.account_host, (context.account_email or "").rpartition("@")[2]):
            self.add(host)
        for name in self.suffixes:
            self.add(name)

    def add(self, host: str | None) -> None:
        dom = registrable(host)
        if not dom or dom in self.domains:
            return
        self.domains.add(dom)
        for family in PROVIDER_FAMILIES:
            if dom in family:
                self.domains.update(family)

    def has_domain(self, host: str | None) -> bool:
        dom = registrable(host)
        return bool(dom) and dom in self.domains

    def configured_name(self, host: str | None) -> bool:
        if not host:
            return False
        h = host.lower().rstrip(".")
        return any(h == s or h.endswith("." + s) for s in self.suffixes)

    def configured_ip(self, ip: str | None) -> bool:
        addr = ip_of(ip) if ip else None
        if addr is None:
            return False
        return any(addr in net for net in self.networks if net.version == addr.version)

    def label(self) -> str:
        return ", ".join(sorted(self.domains)[:3]) or "?"


def _same_machine(hop: Hop, lower: Detail | None) -> bool:
    """The next header down was written by this hop's client (same name, first label or address)."""
    if lower is None:
        return False
    by = (lower.hop.by_host or "").lower().rstrip(".")
    names = {n.lower().rstrip(".") for n in (hop.rdns, hop.helo) if n}
    if by and by in names:
        return True
    if by and "." in by and any("." in n and n.split(".", 1)[0] == by.split(".", 1)[0] for n in names):
        label = by.split(".", 1)[0]
        if len(label) >= 4 and not label.startswith(("mail", "smtp", "mx", "localhost")):
            return True
    return bool(hop.from_ip) and hop.from_ip in {lower.by_ip, normalize_ip(lower.hop.by_host)}


def _is_local_name(name: str | None) -> bool:
    if not name:
        return True
    n = name.lower().strip("[]")
    return n in _LOCAL_NAMES or "." not in n or "@" in n


def _client_inside(detail: Detail, lower: Detail | None, org: _Org) -> bool | None:
    """True: the client belongs to the recipient's side; False: it is the origin; None: no client."""
    hop = detail.hop
    ip = hop.from_ip
    if ip is None:
        if _is_local_name(hop.rdns or hop.helo):
            return None  # local pickup, queue re-injection, "invoked by uid": nothing to locate
        name = hop.rdns or hop.helo
        return org.configured_name(name) or org.has_domain(name)
    if is_internal_ip(ip) or org.configured_ip(ip):
        return True
    if (hop.protocol or "").upper() in _FETCH_PROTOCOLS:
        org.add(hop.rdns or hop.helo)  # the mailbox the user's own client fetched from
        return True
    if org.configured_name(hop.rdns):
        return True
    if not hop.rdns and org.configured_name(hop.helo) and lower is not None and (
        _same_machine(hop, lower) or org.configured_name(lower.hop.by_host)
    ):
        return True  # a configured name claimed by HELO only: the header below must be theirs too
    if org.has_domain(hop.rdns) and _same_machine(hop, lower):
        return True
    # a HELO name alone (Exchange records no rDNS) counts only for IPv6 hops that line up with the next
    return bool(not hop.rdns and ":" in ip and org.has_domain(hop.helo) and _same_machine(hop, lower))


def _seed_org(details: list[Detail], message: Message, org: _Org) -> set[str]:
    """The provider's domains from the top `by` host, and the authserv-ids of A-R headers it wrote."""
    top = next((d.hop for d in details if d.hop.by_host and not normalize_ip(d.hop.by_host)), None)
    if top is not None:
        org.add(top.by_host)
    # the run of hops at the top whose by-host is already known to be the provider's
    last_pos = -1
    for d in details:
        by = d.hop.by_host
        if by and (org.has_domain(by) or org.configured_name(by)):
            last_pos = d.hop.header_pos
        elif by and not normalize_ip(by) and not _is_local_name(by):
            break
    ids = _authserv_ids_above(message, last_pos)
    for aid in ids:
        org.add(aid)
    return ids


def _authserv_ids_above(message: Message, limit: int) -> set[str]:
    """Authserv-ids of the Authentication-Results headers above position LIMIT (all when -1)."""
    ids: set[str] = set()
    for pos, (name, value) in enumerate(message.headers):
        if limit >= 0 and pos >= limit:
            break
        if name.lower() == "authentication-results":
            aid = _authserv_id(value)
            if aid:
                ids.add(aid)
    return ids


def _client_ip(message: Message, older_hops: list[Hop], origin_ip: str | None, trusted_ips: set[str]) -> str | None:
    """The sender's own address as a webmail service recorded it (first public one that is not a relay):
    in a header of its own, or in the Received line it wrote for the browser's HTTP post (Roundcube,
    SquirrelMail: `from 203.0.113.5 by webmail.example with HTTP`), below the origin."""
    recorded = [piece for name in CLIENT_HEADERS for value in message.get_all(name)[:5]
                for piece in re.split(r"[\s,;]+", value[:512])]
    recorded += [hop.from_ip for hop in older_hops if (hop.protocol or "").upper().startswith("HTTP")]
    for piece in recorded:
        ip = normalize_ip(piece)
        if not ip or is_internal_ip(ip) or ip == origin_ip or ip in trusted_ips:
            continue
        addr = ip_of(ip)
        if addr is not None and addr.is_global:
            return ip
    return None


def _set_delays(hops: list[Hop]) -> None:
    """delay_s = this hop's time minus the next older dated hop's time (negative = clock skew, kept)."""
    for i, hop in enumerate(hops):
        if hop.time is None:
            continue
        older = next((h for h in hops[i + 1 :] if h.time is not None), None)
        if older is not None:
            assert older.time is not None  # next() takes only dated hops
            hop.delay_s = (hop.time - older.time).total_seconds()


def build_route(message: Message, settings: Settings, context: Context) -> Route:
    """Parse every Received header, find the trust boundary and the origin. No network."""
    details: list[Detail] = []
    for pos, (name, value) in enumerate(message.headers):
        if name.lower() != "received":
            continue
        d = parse_detail(value)
        d.hop.index = len(details)
        d.hop.header_pos = pos
        details.append(d)
        if len(details) >= MAX_HOPS:
            break
    hops = [d.hop for d in details]
    _set_delays(hops)

    org = _Org(settings, context or Context())
    authserv_ids = _seed_org(details, message, org)

    origin_idx: int | None = None
    last_with_ip: int | None = None
    verdicts: list[bool | None] = []
    for i, d in enumerate(details):
        d.hop.trusted = True
        lower = details[i + 1] if i + 1 < len(details) else None
        inside = _client_inside(d, lower, org)
        verdicts.append(inside)
        if d.hop.from_ip:
            last_with_ip = i
        if inside is False or (inside is True and lower is None):
            origin_idx = i
            break
        if inside is True and d.hop.by_host:
            org.add(d.hop.by_host)
    if origin_idx is None:
        origin_idx = last_with_ip

    origin = Origin()
    boundary_pos = -1
    if origin_idx is not None:
        hop = hops[origin_idx]
        boundary_pos = hop.header_pos
        inside = verdicts[origin_idx]
        origin.ip = hop.from_ip
        origin.hostname = hop.rdns
        origin.helo = hop.helo
        origin.hop_index = origin_idx
        origin.authenticated = hop.authenticated and inside is False
        if origin.authenticated:
            origin.reason = fmt(REASON_AUTH, org=org.label())
        elif inside is False:
            origin.reason = fmt(REASON_OUTSIDE, org=org.label())
        else:
            origin.reason = fmt(REASON_INSIDE, org=org.label())
    else:
        origin.reason = REASON_NONE

    authserv_ids |= _authserv_ids_above(message, boundary_pos)

    trusted_ips = {h.from_ip for h in hops if h.trusted and h.from_ip and h.index != origin_idx}
    older = hops[origin_idx + 1:] if origin_idx is not None else []
    origin.client_ip = _client_ip(message, older, origin.ip, trusted_ips)
    return Route(hops=hops, origin=origin, authserv_ids=authserv_ids, boundary_pos=boundary_pos)
