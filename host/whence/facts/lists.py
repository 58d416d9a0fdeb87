"""Mailing lists and forwarders: recognised so that the checks do not mistake a list's changes
(subject tags, footers that break the author's DKIM, a different envelope) for forgery."""

from __future__ import annotations

import re

from ..brands import owner_of
from ..domains import known_tld, registrable_domain
from ..model import Address, AuthFacts, Hop, Message

# what a list server that relays its members' mail writes (a posting address, Mailman's X-BeenThere,
# ezmlm's and Google Groups' Mailing-List); a List-Id alone is what every bulk sender's campaign carries
# (Mailchimp's "<…list-id.mcsv.net>", SparkPost's "<spc.….sparkpostmail.com>") and relays nobody's mail
_LIST_HEADERS = ("list-post", "mailing-list", "x-mailing-list", "x-beenthere")


def list_facts(message: Message, auth: AuthFacts, from_: Address | None, boundary_pos: int = -1,
               hops: list[Hop] | None = None) -> tuple[str | None, bool, bool]:
    """(List-Id, whether the message came through a list or forwarder, whether that was a forwarder).

    List headers are written by whoever sent the message, spammers included, so they count only
    when they name a real list domain other than the author's: a list relaying someone else's mail
    (the case in which its changes break the author's signatures). An ARC seal counts only when it
    was added before the recipient's provider got the message: big providers (Microsoft 365) seal
    every message they handle, which says nothing about lists — nor does a seal by the provider's
    own organisation further down (Microsoft 365 seals what its tenants send before outlook.com gets
    it), nor one by the organisation the message began on (a tenant's mail sealed by Microsoft 365 on
    its way out): that one did not pass it on. A list that rewrote From to its own address (the DMARC
    mitigation: "Author via List <list@lists.example.org>") is a list too when its servers are in the route.

    A forwarder (a mailbox's forwarding rule: an ARC seal or Resent-From, no list headers) breaks
    the author's SPF and signatures like a list, but leaves the message as written: its Reply-To,
    links and wording are still the author's, so only the authentication checks excuse it."""
    list_id = message.get("List-Id")
    names = {k.lower() for k, _ in message.headers}
    author = registrable_domain(from_.domain) if from_ and from_.domain else None
    is_list = False
    listed = any(h in names for h in _LIST_HEADERS)
    if listed:
        is_list = any(d != author for d in _list_domains(message))
    by_list = is_list
    provider = _organisation(hops[0].by_host if hops else None)
    began = _began_at(hops or [])
    if any(s.domain and registrable_domain(s.domain) != author and s.header_pos > boundary_pos >= 0
           and _organisation(s.domain) not in (provider, began) for s in auth.arc_sets):
        is_list = True
    if "resent-from" in names or "x-forwarded-to" in names:
        is_list = True
    if not is_list and from_ and author and _list_address(message, from_.address):
        is_list = by_list = any(registrable_domain(name) == author
                                for h in hops or [] for name in (h.by_host, h.rdns) if name)
    forwarded = is_list and not by_list and not listed
    return (list_id.strip()[:300] if list_id else None), is_list, forwarded


_SUBMISSION = ("HTTP", "MAPI")  # a person's client handing over a new message, not a server relaying one


def _began_at(hops: list[Hop]) -> object:
    """The organisation the message began on: the one that wrote the oldest Received header, when it
    took the message from its own machine or from a person's client — not from another organisation's
    server, as a list or a forwarder does. None when the route does not say."""
    oldest = next((h for h in reversed(hops) if h.by_host), None)
    if oldest is None:
        return None
    here = _organisation(oldest.by_host)
    client = oldest.authenticated or (oldest.protocol or "").upper().startswith(_SUBMISSION)
    return here if client or _organisation(oldest.from_host) == here else None


def _organisation(host: str | None) -> object:
    """Who runs HOST: its brand when the brand table knows it (outlook.com and microsoft.com are
    one), else its registrable domain."""
    domain = registrable_domain(host) if host else None
    return owner_of(domain) or domain


# the addresses a list server keeps beside the posting one (Mailman, ezmlm): digests and notices come from them
_LIST_ROLES = re.compile(r"-(?:request|owner|bounces|admin|digest)$")


def _list_address(message: Message, address: str) -> bool:
    """Whether ADDRESS is the list's own: its List-Post mailto, or the address its List-Id names,
    or one of the list server's role addresses beside them (dev-request@ sends the digest)."""
    local, _, domain = address.partition("@")
    local = _LIST_ROLES.sub("", local)
    post = message.get("List-Post") or ""
    if f"mailto:{local}@{domain}" in post.lower():
        return True
    list_id = re.search(r"<([^<>@\s]+)>", (message.get("List-Id") or "").lower())
    return list_id is not None and list_id.group(1) == f"{local}.{domain}"


_HOST = re.compile(r"[\w-]+(?:\.[\w-]+)+")


def _list_domains(message: Message) -> set[str]:
    """Registrable domains the list headers name (List-Id "<name.example.org>", List-Post mailto:)."""
    out = set()
    for name in ("List-Id", "List-Post", "X-BeenThere", "Mailing-List", "X-Mailing-List"):
        for value in message.get_all(name)[:3]:
            for host in _HOST.findall(value.lower())[:4]:
                host = host.rsplit("@", 1)[-1]
                if known_tld(host) and (reg := registrable_domain(host)):
                    out.add(reg)
    return out
