"""The maintained table of report destinations (data/abuse_contacts.json) and the popular-site list.

Each entry carries the public page it came from, so a user (or a reviewer) can check why an
address is there. Providers that take reports only through a web form are matched by host
name suffix, name server, ASN, network holder or the domain of their RDAP abuse mailbox; a
free-mail service by the domain of a mailbox the scam asks its victims to write to.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any


@dataclass(frozen=True)
class Provider:
    key: str
    name: str
    form: str
    form_only: bool
    source: str
    host_suffixes: tuple[str, ...]
    ns_suffixes: tuple[str, ...]
    mail_domains: tuple[str, ...]
    asns: tuple[int, ...]
    org_words: tuple[str, ...]
    applies_to: tuple[str, ...]  # "hosting", "origin", "mailbox"
    mailbox_domains: tuple[str, ...] = ()  # the free-mail service whose users it takes reports about

    def serves_host(self, host: str | None) -> bool:
        return _under(host, self.host_suffixes)

    def keeps_mailbox(self, address: str) -> bool:
        return "@" in address and address.rsplit("@", 1)[1].lower() in self.mailbox_domains

    def matches(self, *, asn: Any = None, org: str | None = None, emails: list[str] | tuple[str, ...] = (),
                ns: list[str] | tuple[str, ...] = ()) -> bool:
        """True when any network evidence names this provider."""
        try:
            if asn is not None and int(str(asn).upper().removeprefix("AS")) in self.asns:
                return True
        except ValueError:
            pass
        if org and any(w in org.lower() for w in self.org_words):
            return True
        if any(_under(e.rsplit("@", 1)[-1], self.mail_domains) for e in emails if isinstance(e, str)):
            return True
        return any(_under(n, self.ns_suffixes) for n in ns if isinstance(n, str))


def _under(host: str | None, suffixes: tuple[str, ...]) -> bool:
    if not host:
        return False
    host = host.lower().rstrip(".")
    return any(host == s or host.endswith("." + s) for s in suffixes)


@cache
def table() -> dict[str, Any]:
    text = resources.files("whence.data").joinpath("abuse_contacts.json").read_text(encoding="utf-8")
    return json.loads(text)


@cache
def providers() -> tuple[Provider, ...]:
    out = []
    for p in table().get("providers", []):
        out.append(Provider(
            key=p["key"], name=p["name"], form=p["form"], form_only=bool(p.get("form_only")),
            source=p.get("source", ""), host_suffixes=tuple(p.get("host_suffixes", ())),
            ns_suffixes=tuple(p.get("ns_suffixes", ())), mail_domains=tuple(p.get("mail_domains", ())),
            asns=tuple(int(a) for a in p.get("asns", ())), org_words=tuple(p.get("org_words", ())),
            applies_to=tuple(p.get("applies_to", ("hosting", "origin"))),
            mailbox_domains=tuple(p.get("mailbox_domains", ())),
        ))
    return tuple(out)


def national(key: str) -> dict[str, Any] | None:
    return table().get("national", {}).get(key)


def brand_contact(key: str | None, name: str | None) -> dict[str, Any] | None:
    """The table entry for a brand, by the checks' brand key or, failing that, by its name."""
    entries = table().get("brands", [])
    if key:
        for e in entries:
            if e.get("key") == key:
                return e
    if name:
        lowered = name.lower()
        for e in entries:
            if any(n.lower() == lowered or n.lower() in lowered.split() for n in e.get("names", ())):
                return e
    return None


@cache
def popular() -> frozenset[str]:
    """Registrable domains of the bundled top-sites list: links to them are rarely the abuse itself."""
    try:
        text = resources.files("whence.data").joinpath("tranco_top_10k.csv").read_text(encoding="utf-8")
    except OSError:
        return frozenset()
    return frozenset(line.split(",")[-1].strip().lower() for line in text.splitlines() if line.strip())
