"""Links a reader can follow: HTML anchors, forms, image maps and images, and bare URLs in text.

Each link keeps what the reader is shown (anchor text, alt text) beside where it really goes, so
checks can compare the two. Hosts are normalised (IDN in Unicode form) and reduced to their
registrable domain with the Public Suffix List. Bounded: at most MAX_LINKS links.
"""

from __future__ import annotations

import base64
import binascii
import re
from urllib.parse import parse_qsl, unquote, urljoin, urlsplit

from ..domains import is_ip, known_tld, normalise_host, registrable_domain
from ..model import Attachment, Link, Message
from .text import RawLink, read_html

MAX_LINKS = 500
MAX_URL = 4096

_CONTROL = re.compile(r"[\t\n\r]")  # WHATWG URL parsing drops these anywhere in a URL
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.\-]*):")
# A bare URL: http(s):// or www., an authority that may hold non-ASCII letters (not CJK text or
# full-width punctuation, which ends a URL in Japanese prose), then an ASCII path.
_HOST_CHARS = r"A-Za-z0-9\-._~%!$&'*+,;=:@\[\]\u00c0-\u02ff\u0370-\u1fff"
_PATH_CHARS = r"!#$%&'()*+,\-./0-9:;=?@A-Z\[\]_a-z~"
_URL = re.compile(
    r"(?<![A-Za-z0-9@.\-])(?:https?://|www\.)[" + _HOST_CHARS + r"]+(?:[/?#][" + _PATH_CHARS + r"]*)?",
    re.I,
)
_TRAILING = ".,;:!?'\"*"


# WHATWG URL parsing of the "special" schemes: a backslash is a slash before the query, and any
# number of slashes (or none) may follow the scheme — https:\\evil.example\login and
# https:evil.example open evil.example in every browser, where urlsplit sees no host.
_SPECIAL = re.compile(r"^(https?|ftp|wss?):[\\/]*(?![\\/])", re.I)


def _clean(url: str, base: str | None) -> str | None:
    """The URL a click opens: whitespace dropped, protocol-relative and www. made absolute, the
    slashes of http(s) URLs read as a browser reads them."""
    url = _CONTROL.sub("", url).strip().strip("\x00\x0c ")[:MAX_URL]
    if not url or url.startswith("#"):
        return None
    if special := _SPECIAL.match(url):
        scheme, rest = special.group(1), url[special.end():]
        cut = min((i for i in (rest.find("?"), rest.find("#")) if i >= 0), default=len(rest))
        head, tail = rest[:cut], rest[cut:]
        if special.group(0)[len(scheme):] != "://" or "\\" in head:
            url = scheme + "://" + head.replace("\\", "/") + tail
    if url.startswith("//"):
        return "https:" + url
    if _SCHEME.match(url):
        return url
    if url.lower().startswith("www."):
        return "http://" + url
    if base and _SCHEME.match(base):
        try:
            return urljoin(base, url)[:MAX_URL]
        except ValueError:
            return None
    return None  # relative to nothing: not a destination


def _link(url: str, shown: str | None, source: str) -> Link:
    scheme = None
    host = None
    m = _SCHEME.match(url)
    if m:
        scheme = m.group(1).lower()
    if scheme == "mailto":
        address = url[7:].split("?", 1)[0]
        host = normalise_host(address.rsplit("@", 1)[1]) if "@" in address else None
    elif scheme not in ("javascript", "data", "tel", "sms", "cid", "about"):
        try:
            netloc = urlsplit(url).netloc
        except ValueError:
            netloc = url.split("//", 1)[-1].split("/", 1)[0]
        host = normalise_host(netloc) if netloc else None
    return Link(url=url, text=shown, host=host, domain=_site_of(host) if host else None, source=source, scheme=scheme)


def _site_of(host: str) -> str | None:
    """The registrable domain of a link's host; a host that is itself a public suffix serves pages too
    (path-style s3.amazonaws.com/bucket/…, an IPFS gateway such as dweb.link/ipfs/…): it is its own site."""
    return registrable_domain(host) or (host if "." in host and not is_ip(host) and known_tld(host) else None)


def _bare_url(match: str) -> str:
    url = match
    while url and url[-1] in _TRAILING + ")]":
        if url[-1] == ")" and url.count("(") >= url.count(")"):
            break
        if url[-1] == "]" and url.count("[") >= url.count("]"):
            break
        url = url[:-1]
    return url


def extract_links(message: Message, text: str, html: str, found: list[RawLink] | None = None) -> list[Link]:
    """Links from the HTML (anchors, forms, image maps, images) and bare URLs in the text.

    FOUND is what text.extract_body already read from the HTML parts; without it the HTML is read
    here."""
    try:
        if found is None:
            found = read_html(html).links if html else []
        return _extract(text or "", found)
    except Exception:  # hostile markup: the links found so far are lost rather than the message
        return []


def _extract(text: str, found: list[RawLink]) -> list[Link]:
    links: list[Link] = []
    seen: set[tuple[str, str | None]] = set()
    targets: set[str] = set()
    shown_texts: list[str] = []

    def add(url: str, shown: str | None, source: str, link: Link | None = None) -> None:
        if len(links) < MAX_LINKS and (url, shown) not in seen:
            seen.add((url, shown))
            targets.add(url)
            links.append(link or _link(url, shown, source))

    for href, shown, source, base in found:
        url = _clean(href, base)
        if url:
            add(url, shown, source)
            if shown:
                shown_texts.append(shown)
    def follow(sources: tuple[str, ...]) -> None:  # where a redirector hands the reader on to: the click ends there
        for link in list(links):
            if link.source in sources:
                for target in _redirected(link):
                    add(target.url, link.text, "redirect", target)

    follow(("html-a", "html-area"))
    shown_blob = "\n".join(shown_texts)
    for m in _URL.finditer(text):
        if len(links) >= MAX_LINKS:
            break
        raw = _bare_url(m.group(0))
        if not raw or raw.lower() in ("http://", "https://", "www."):
            continue
        url = "http://" + raw if raw.lower().startswith("www.") else raw
        if url in targets or raw in targets or raw in shown_blob:
            continue  # already a link, or the visible text of one
        add(url, None, "text")
    follow(("text",))  # an address written out is clickable too
    return links


_ABSOLUTE = re.compile(r"https?://[^/?#\s]", re.I)
_B64 = re.compile(r"[A-Za-z0-9_\-]{16,}={0,2}")
# A redirector's own parameter may name the next site without a scheme (Google Translate's
# `translate?u=site.example/login`); only under such names is `word.word/…` read as a place.
_REDIRECT_KEYS = frozenset({"u", "url", "dest", "destination", "target", "redirect", "redirect_url",
                            "redirect_uri", "goto", "link", "to", "out", "next"})
_BARE_PLACE = re.compile(r"(?:[a-z0-9-]{1,63}\.)+[a-z]{2,63}(?::\d{1,5})?(?:/|$)", re.I)
# Google's AMP viewer shows another site's page under google's name: google.co.jp/amp/s/site.example/
_AMP_PATH = re.compile(r"/amp/(s/)?((?:[a-z0-9-]{1,63}\.)+[a-z]{2,63}(?:/[^?#]*)?)", re.I)


def destinations(url: str) -> list[str]:
    """Absolute URLs a link carries in its query (`?url=https://…`, percent-encoded once or twice,
    base64-encoded as some redirectors do, or without a scheme under a redirect parameter) or in its
    path (Google's AMP viewer and Translate proxy, mail gateways' rewrites): where a redirector sends
    the reader on to."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return []
    out: list[str] = []
    query = parse_qsl(parts.query[:MAX_URL])[:20]
    for key, value in query:
        for candidate in (value, unquote(value), *_decoded(value)):
            if _ABSOLUTE.match(candidate):
                out.append(_CONTROL.sub("", candidate)[:MAX_URL])
                break
            if key.lower() in _REDIRECT_KEYS and _BARE_PLACE.match(candidate):
                out.append("http://" + _CONTROL.sub("", candidate)[:MAX_URL])
                break
        if len(out) == 2:
            return out
    host = parts.hostname or ""
    amp = _AMP_PATH.match(parts.path) if host.startswith(("google.", "www.google.")) else None
    if amp:
        out.append(("https://" if amp.group(1) else "http://") + amp.group(2)[:MAX_URL])
    if host.endswith(_TRANSLATE_GOOG) and _BARE_PLACE.match(site := _translated_site(host) + "/"):
        out.append("https://" + site + parts.path.lstrip("/")[:MAX_URL])
    if host.endswith("urldefense.com") or host.endswith("urldefense.proofpoint.com"):
        out += _url_defense(parts.path, query)
    # a mail gateway's rewrite that keeps the address percent-encoded in its path (Cisco Secure
    # Email: secure-web.cisco.com/<token>/https%3A%2F%2Fsite.example%2Flogin)
    if m := _ENCODED_IN_PATH.search(parts.path[:MAX_URL]):
        out.append(_CONTROL.sub("", unquote(m.group(0))))
    return out


_ENCODED_IN_PATH = re.compile(r"https?%3A%2F%2F[^/?#]+", re.I)


# Proofpoint's URL Defense rewrites every link of a mail its customers receive: v3 keeps the address
# in the path (/v3/__https://site.example/login__;…), v2 in `u`, "-" for "%" and "_" for "/"
# (u=https-3A__site.example_login): a mail forwarded from such a company hides its links behind it.
_URL_DEFENSE_V3 = re.compile(r"^/v3/__(https?://.+?)__;", re.I)


def _url_defense(path: str, query: list[tuple[str, str]]) -> list[str]:
    if m := _URL_DEFENSE_V3.match(path[:MAX_URL]):
        return [_CONTROL.sub("", m.group(1))]
    if path.startswith("/v2/url"):
        for key, value in query:
            if key == "u":
                url = unquote(re.sub(r"-([0-9A-Fa-f]{2})", r"%\1", value.replace("_", "/")))
                return [_CONTROL.sub("", url)] if _ABSOLUTE.match(url) else []
    return []


# Google Translate's other proxy writes the site into its own host name: every "." of the site
# becomes "-" and every "-" becomes "--" (www-example-co-jp.translate.goog is www.example.co.jp)
_TRANSLATE_GOOG = ".translate.goog"


def _translated_site(host: str) -> str:
    label = host[: -len(_TRANSLATE_GOOG)]
    return "-".join(part.replace("-", ".") for part in label.split("--"))


def _decoded(value: str) -> list[str]:
    """VALUE read as base64url, whole or after a two-letter version prefix ("a1aHR0cHM6…")."""
    if not _B64.fullmatch(value):
        return []
    out = []
    for body in (value, value[2:]):
        try:
            out.append(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)).decode("utf-8"))
        except (binascii.Error, UnicodeDecodeError, ValueError):
            continue
    return out


def _redirected(link: Link) -> list[Link]:
    """The sites a web link's redirector sends the reader on to, other than the redirector's own."""
    if not (link.scheme or "").startswith("http"):
        return []
    targets = [_link(inner, link.text, "redirect") for inner in destinations(link.url)]
    for t in targets:
        t.via = link.url
    return [t for t in targets if t.domain and t.domain != link.domain]


def attachment_links(attachments: list[Attachment]) -> list[Link]:
    """Links written inside attached documents, shown by the document's file name, and where their
    redirectors (a shared document's google.com/url?q=…) lead."""
    out: list[Link] = []
    for att in attachments:
        for url in att.links[:MAX_LINKS - len(out)]:
            if (cleaned := _clean(url, None)) is None:
                continue
            link = _link(cleaned, att.filename, "attachment")
            out += [link, *_redirected(link)][:MAX_LINKS - len(out)]
    return out
