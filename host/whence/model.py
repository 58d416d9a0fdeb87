"""Plain typed data passed between the stages: facts about a message, lookups, findings, the report.

Every stage reads the stages before it and writes only its own part, so these are the
contracts between modules. Nothing here does work.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from .i18n import Text

# ---------------------------------------------------------------------------------------------
# Parsed message


@dataclass
class Part:
    """One leaf MIME part, decoded and bounded."""

    content_type: str
    filename: str | None
    disposition: str | None
    payload: bytes  # transfer-decoded bytes (truncated to the limit)
    size: int  # decoded size before truncation
    charset: str | None = None
    text: str | None = None  # decoded text for text/* parts


@dataclass
class Message:
    """A parsed message: headers decoded to str, leaf parts, and what went wrong while parsing."""

    headers: list[tuple[str, str]]  # (name, decoded value) in order, newest first as stored
    parts: list[Part]
    raw_size: int
    defects: list[str] = field(default_factory=list)
    truncated: bool = False  # a limit was hit; the analysis saw part of the message
    _by_name: dict[str, list[str]] | None = field(default=None, init=False, repr=False, compare=False)

    def _index(self) -> dict[str, list[str]]:
        """Lower-cased name → values in order, built on first use: facts and checks ask for headers
        by name a few dozen times per message, and each scan lower-cased every name."""
        if self._by_name is None:
            index: dict[str, list[str]] = {}
            for k, v in self.headers:
                index.setdefault(k.lower(), []).append(v)
            self._by_name = index
        return self._by_name

    def get(self, name: str) -> str | None:
        values = self._index().get(name.lower())
        return values[0] if values else None

    def get_all(self, name: str) -> list[str]:
        return list(self._index().get(name.lower(), ()))


# ---------------------------------------------------------------------------------------------
# Facts


@dataclass
class Hop:
    """One Received header. Index 0 is the topmost (newest) header, as stored."""

    index: int
    raw: str
    header_pos: int = -1  # position of this Received header in Message.headers
    helo: str | None = None  # the name after "from" (what the client said in HELO/EHLO)
    rdns: str | None = None  # the name the receiving server looked up for the client's address
    from_ip: str | None = None
    by_host: str | None = None
    protocol: str | None = None  # the "with" clause: ESMTP, ESMTPS, ESMTPSA, LMTP, HTTP ...
    id: str | None = None
    for_addr: str | None = None
    time: datetime | None = None
    auth_user: str | None = None  # authenticated submission (ESMTPA/ESMTPSA, "Authenticated sender:")
    delay_s: float | None = None  # this hop's time minus the previous (older) hop's; negative = skew
    trusted: bool = False  # added by the recipient's own provider (inside the trust boundary)

    @property
    def from_host(self) -> str | None:
        return self.rdns or self.helo

    @property
    def authenticated(self) -> bool:
        return bool(self.auth_user) or (self.protocol or "").upper().endswith("A")


@dataclass
class Origin:
    ip: str | None = None
    client_ip: str | None = None  # webmail client address (X-Originating-IP and kin)
    hostname: str | None = None  # rDNS as the receiving server recorded it
    helo: str | None = None
    hop_index: int | None = None
    authenticated: bool = False  # handed in by authenticated submission through the provider
    reason: Text | None = None  # why this hop was chosen
    # filled by lookups:
    asn: int | None = None
    org: str | None = None
    country: str | None = None
    network_kind: str | None = None  # hosting | vpn | residential | mobile | ... from lookups


@dataclass
class AuthResult:
    """One method's result from an Authentication-Results header (RFC 8601) or a re-check."""

    method: str  # spf | dkim | dmarc | arc | auth | iprev ...
    result: str
    props: dict[str, str] = field(default_factory=dict)  # e.g. header.d, smtp.mailfrom, header.from
    reason: str | None = None
    authserv_id: str | None = None


@dataclass
class DkimSignature:
    domain: str
    selector: str
    algorithm: str | None = None
    identity: str | None = None
    headers: list[str] = field(default_factory=list)
    aligned: bool = False  # relaxed alignment with the From domain


@dataclass
class ArcSet:
    instance: int
    cv: str | None
    domain: str | None  # the sealer (ARC-Seal d=)
    selector: str | None
    auth_results: str | None = None  # ARC-Authentication-Results value
    header_pos: int = -1  # position of the ARC-Seal in Message.headers (above the boundary = the provider's own)


@dataclass
class AuthFacts:
    authserv_id: str | None = None  # the provider's trusted authserv-id, if found
    results: list[AuthResult] = field(default_factory=list)  # from trusted A-R only
    untrusted_results: list[AuthResult] = field(default_factory=list)  # other A-R headers, for display
    received_spf: AuthResult | None = None
    dkim_signatures: list[DkimSignature] = field(default_factory=list)
    arc_sets: list[ArcSet] = field(default_factory=list)

    def first(self, method: str) -> AuthResult | None:
        for r in self.results:
            if r.method == method:
                return r
        return None


@dataclass
class Address:
    display_name: str
    address: str  # lower-cased addr-spec
    domain: str  # lower-cased domain part ("" if none)


@dataclass
class Link:
    url: str
    text: str | None  # shown text (anchor text, alt text); None for bare URLs in text
    host: str | None
    domain: str | None  # registrable domain (PSL)
    # html-a | html-form | html-area | html-img | html-pixel (an image nobody sees: a tracking pixel) |
    # text | qr | header | redirect | attachment
    source: str = "text"
    scheme: str | None = None
    findings: list[str] = field(default_factory=list)
    via: str | None = None  # for a `redirect`: the address of the redirector that hands the reader on

    @property
    def clickable(self) -> bool:
        """A link a reader follows to a web address (not a picture or a header); `redirect` is where
        a followed link's redirector sends the reader on to."""
        return self.source in ("html-a", "html-area", "html-form", "text", "qr", "redirect", "attachment") and \
            (self.scheme or "http") in ("http", "https") and bool(self.host)


@dataclass
class Forward:
    """A message passed on inline in the text (a forward): the forwarder's words end at `at`."""

    at: int  # offset in Facts.text where the forwarded message begins
    sender: str | None = None  # its From line as the forwarder's client wrote it


@dataclass
class Attachment:
    filename: str | None
    content_type: str
    size: int
    sniffed_type: str | None = None  # from magic bytes: zip, pe, pdf, png, ...
    members: list[str] = field(default_factory=list)  # archive member names (bounded)
    encrypted: bool = False  # encrypted archive
    qr_payloads: list[str] = field(default_factory=list)
    links: list[str] = field(default_factory=list)  # web addresses written in the document (PDF links)
    findings: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # what a bound kept unread (check message.limits)
    scripted: bool = False  # an SVG image that runs script (or embeds a page) when opened


@dataclass
class Context:
    """What the mail client knows about where the message was delivered (native protocol `context`)."""

    account_email: str | None = None
    account_host: str | None = None


@dataclass
class Facts:
    """Everything the message itself shows. Built without network."""

    message: Message
    from_: Address | None
    reply_to: list[Address]
    sender: Address | None
    to: list[Address]
    return_path: str | None
    subject: str
    date: datetime | None
    hops: list[Hop]
    origin: Origin
    auth: AuthFacts
    links: list[Link]
    attachments: list[Attachment]
    text: str  # all human-readable text: plain parts plus HTML converted to text (bounded)
    html: str  # concatenated HTML source (bounded), for checks that need markup
    list_id: str | None
    is_list: bool  # mailing list or forwarder (List-Id, list signature, ARC ...)
    context: Context
    recipient: str | None  # the recipient's own address (context, Delivered-To, single To)
    delivered_to: str | None = None  # the same, only as the account or the delivering server names it (not To)
    hidden_text: str = ""  # text in the HTML that its styles hide from the reader (bounded)
    attachment_password: str | None = None  # a password the subject or text gives for the attachments
    inline_forward: Forward | None = None  # another message passed on in the text
    forwarded: bool = False  # is_list by a mailbox's forwarder: the message itself is as its author wrote it
    skipped: list[str] = field(default_factory=list)  # bounds the body's reading reached (message.limits reasons)


# ---------------------------------------------------------------------------------------------
# Lookups


@dataclass
class LookupRecord:
    """One network query, as shown in the report's `lookups`."""

    kind: str  # dns | rdap | feed
    query: str
    answer: str | None
    ms: float
    error: str | None = None


@dataclass
class Lookups:
    """What the network said. Empty in offline mode; every field may stay None when a lookup failed."""

    records: list[LookupRecord] = field(default_factory=list)
    rechecks: list[AuthResult] = field(default_factory=list)  # source "recheck"
    origin: dict[str, Any] = field(default_factory=dict)  # asn, org, country, network_kind, fcrdns ...
    domains: dict[str, dict[str, Any]] = field(default_factory=dict)  # registrable domain -> facts
    hops: dict[str, dict[str, Any]] = field(default_factory=dict)  # hop address -> country, asn, as_name
    errors: list[str] = field(default_factory=list)
    done: bool = False  # the lookups stage ran (False offline)


# ---------------------------------------------------------------------------------------------
# Findings and verdict

SEVERITIES = ("info", "low", "medium", "high", "critical")
LEVELS = ("safe", "caution", "suspicious", "dangerous")


@dataclass
class Finding:
    id: str
    severity: str
    title: Text
    detail: Text
    evidence: dict[str, Any] = field(default_factory=dict)
    score: float = 0.0  # contribution to the verdict score (negative for positive evidence)
    variant: str | None = None  # which kind of hit of its check (the weight table's key is id:variant)


@dataclass
class Verdict:
    level: str  # one of LEVELS or "unknown"
    score: float
    summary: Text
