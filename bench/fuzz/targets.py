"""Fuzz targets: each feeds attacker-shaped bytes to the real code and fails on what must not happen.

A target is `run(data: bytes) -> None`. It raises `Finding` (or lets an exception escape) when the
code under test breaks its contract: an exception out of a function documented as never raising, an
exception raised inside our own code behind a safety net (`strict`), a bound not kept (text, links,
members, reply size), or an error reply with code `internal` from the native host.

The same targets serve three runners: `bench/fuzz/run.py` (coverage-guided, atheris/libFuzzer),
`tests/test_fuzz_smoke.py` (a few hundred deterministic mutations, no atheris needed) and the
replay of every saved crash input under `tests/data/fuzz/<target>/`.
"""

from __future__ import annotations

import asyncio
import base64
import io
import json
import os
import random
import struct
import sys
import traceback
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType

REPO = Path(__file__).resolve().parents[2]
for _path in (REPO / "host", REPO):  # runnable from a checkout without installing; bench.bombs
    if str(_path) not in sys.path:
        sys.path.insert(0, str(_path))

OURS = str(REPO / "host" / "whence")
HEAD = b"From: a@example.jp\r\nTo: b@example.jp\r\nSubject: fuzz\r\nMIME-Version: 1.0\r\n"


class Finding(AssertionError):
    """The code broke its contract on this input."""


def ours(tb: TracebackType | None) -> bool:
    """Whether the innermost frame of a traceback is in whence's own code (not a library's)."""
    frames = traceback.extract_tb(tb)
    return bool(frames) and frames[-1].filename.startswith(OURS)


def strict(func: Callable[[], object]) -> object:
    """Call code that sits behind a never-raise safety net: a library giving up on hostile bytes is
    expected (the net is there for it), an exception raised in our own code is a bug it hides."""
    try:
        return func()
    except (RecursionError, MemoryError):
        raise
    except Exception as exc:
        if ours(exc.__traceback__):
            raise
        return None


def text_of(data: bytes) -> str:
    """Bytes as the str a header or an HTML part would decode to (any code point may appear)."""
    return data.decode("utf-8", "surrogateescape")


# ---------------------------------------------------------------------------------------------
# Targets


def t_mime(data: bytes) -> None:
    """The whole parse stage and body text on raw message bytes."""
    from whence.facts.text import MAX_HTML, MAX_TEXT, extract_body
    from whence.parse import limits, parse_message

    message = parse_message(data)
    if message.defects and message.defects[0].startswith("unparseable"):
        raise Finding(f"parse_message gave up: {message.defects[0]}")
    if len(message.headers) > limits.MAX_HEADERS or len(message.parts) > limits.MAX_PARTS:
        raise Finding("parse limits not kept")
    body = extract_body(message)
    if len(body.text) > MAX_TEXT or len(body.html) > MAX_HTML:
        raise Finding("text limits not kept")


_LABELS = ("utf-8", "iso-2022-jp", "shift_jis", "euc-jp", "cp932", "x-sjis", "iso-8859-1", "us-ascii",
           "utf-16", "utf-7", "gb2312", "big5", "koi8-r", "windows-1252", "iso-2022-jp-2", "unknown-8bit",
           "x-user-defined", "utf-32", "hz-gb-2312", "", None)


def t_charsets(data: bytes) -> None:
    """Bytes under every label, and RFC 2047 words built from them: decoders never raise."""
    from whence.parse.charsets import decode_bytes, normalise_charset
    from whence.parse.words import decode_header_value, decode_words

    if not data:
        return
    label = _LABELS[data[0] % len(_LABELS)]
    body = data[1:]
    text, used = decode_bytes(body, label)
    if not isinstance(text, str) or not isinstance(used, str):
        raise Finding("decode_bytes returned a non-str")
    normalise_charset(text_of(body[:60]))
    raw = text_of(body)
    decode_header_value(raw, "Subject")
    decode_header_value(raw, "From")
    decode_words(raw, address=True)
    b64 = base64.b64encode(body).decode("ascii")
    decode_header_value(f"=?{label or 'x'}?B?{b64}?= {raw[:50]} =?{label or 'x'}?Q?{raw[:80]}?=", "Subject")


def t_received(data: bytes) -> None:
    """The Received parser, both its never-raise entry point and the code behind its safety net."""
    from whence.facts import received

    value = text_of(data)
    hop = received.parse_received(value)
    if hop.raw != value[: received.MAX_HEADER]:
        raise Finding("Hop.raw is not the header")
    detail = received.Detail(hop=received.Hop(index=0, raw=value[: received.MAX_HEADER]))
    strict(lambda: received._parse_into(detail, value[: received.MAX_HEADER]))
    received.parse_date(value[:200])
    received.normalize_ip(value[:100])


_AUTH_HEADERS = ("Authentication-Results", "ARC-Authentication-Results", "ARC-Seal", "ARC-Message-Signature",
                 "DKIM-Signature", "Received-SPF", "Received", "From", "X-Originating-IP")


def _headers_message(data: bytes, names: tuple[str, ...]) -> bytes:
    """Each line of `data` becomes a header whose name is picked by its first byte."""
    lines = []
    for line in data.split(b"\n")[:200]:
        if not line:
            continue
        name = names[line[0] % len(names)].encode()
        lines.append(name + b": " + line[1:].replace(b"\r", b" ") + b"\r\n")
    return b"".join(lines) + HEAD[len(b"From: a@example.jp\r\n"):] + b"\r\nbody\r\n"


def t_auth(data: bytes) -> None:
    """Authentication-Results, ARC sets, DKIM-Signature and Received-SPF, as the facts stage reads them."""
    from whence.facts.auth import auth_facts, parse_authentication_results
    from whence.facts.route import build_route
    from whence.model import Context
    from whence.parse import parse_message
    from whence.settings import Settings

    parse_authentication_results(text_of(data))
    message = parse_message(_headers_message(data, _AUTH_HEADERS))
    route = build_route(message, Settings(offline=True), Context(account_host="mx.example.jp"))
    facts = auth_facts(message, route, "example.jp")
    if len(facts.results) > 1000 or len(facts.arc_sets) > 1000:
        raise Finding("auth facts unbounded")


def t_links(data: bytes) -> None:
    """HTML (and text) → shown text and links: bounded, never raising."""
    from whence.facts.links import MAX_LINKS, extract_links
    from whence.facts.text import MAX_TEXT, read_html
    from whence.model import Message, Part

    html = text_of(data)
    text, raw_links, _hidden, _skipped = read_html(html)
    if len(text) > MAX_TEXT:
        raise Finding("html text unbounded")
    message = Message(headers=[("From", "a@example.jp")], raw_size=len(data), parts=[
        Part("text/html", None, None, data, len(data), "utf-8", html),
        Part("text/plain", None, None, data, len(data), "utf-8", html)])
    links = extract_links(message, text + "\n" + html, html, raw_links)
    if len(links) > MAX_LINKS:
        raise Finding("links unbounded")


_ATTACHMENT_TYPES = ("application/zip", "application/octet-stream", "image/png", "image/gif", "image/jpeg",
                     "application/pdf", "application/x-rar-compressed", "application/msword", "text/html")


def t_attachments(data: bytes) -> None:
    """Sniffing, archive listings (zip, nested zip, rar, OLE), image and PDF QR scans of one attachment."""
    from whence.facts import attachments
    from whence.model import Attachment, Message, Part

    if not data:
        return
    ctype = _ATTACHMENT_TYPES[data[0] % len(_ATTACHMENT_TYPES)]
    payload = data[1:]
    name = f"file{data[0]}.{ctype.rsplit('/', 1)[1][:4]}"
    message = Message(headers=[], raw_size=len(payload), parts=[
        Part(ctype, name, "attachment", payload, len(payload))])
    found = attachments.extract_attachments(message)
    if len(found) != 1 or len(found[0].members) > attachments.MAX_MEMBERS:
        raise Finding("attachment listing unbounded or lost")
    attachments.sniff(payload)
    probe = Attachment(filename=name, content_type=ctype, size=len(payload))
    strict(lambda: attachments._enrich(probe, payload, attachments._Budget()))


def t_qr(data: bytes) -> None:
    """Images and PDFs through the QR decoder: bounded payloads, never raising."""
    from whence.facts import qr

    if not data:
        return
    kinds = ("png", "gif", "jpeg", "bmp", "webp", "tiff", "pdf")
    kind = kinds[data[0] % len(kinds)]
    payload = data[1:]
    qr.worth_scanning(payload, kind)
    texts, _locked = qr.scan(payload, kind)
    if len(texts) > qr.MAX_PAYLOADS or any(len(t) > qr.MAX_PAYLOAD_CHARS for t in texts):
        raise Finding("QR payloads unbounded")


@dataclass
class _NativeHost:
    host: object
    loop: asyncio.AbstractEventLoop
    pending: list[bytes] = field(default_factory=list)


_NATIVE: list[_NativeHost] = []


def _native_host() -> _NativeHost:
    """One in-process Host (offline, no threads started): frames go to its request handler directly."""
    if not _NATIVE:
        from whence import native
        from whence.settings import Settings

        read_fd, write_fd = os.pipe()
        os.close(read_fd)
        host = native.Host(io.BytesIO(b""), write_fd, Settings(offline=True, max_message_bytes=64 * 1024))
        loop = asyncio.new_event_loop()
        host.loop = loop
        host._pipeline_lock = asyncio.Lock()
        host._quiet = asyncio.Event()
        host._primed = True  # no warm-up task beside the fuzzed requests
        _NATIVE.append(_NativeHost(host, loop))
    return _NATIVE[0]


def t_native(data: bytes) -> None:
    """Native framing and request handling: frames read from the bytes go through the host's real
    handler; every reply must be JSON under 1 MiB, and none may be an `internal` error."""
    from whence import native

    state = _native_host()
    host = state.host
    stream = io.BytesIO(data)
    for _ in range(8):
        frame = native.read_frame(stream, host.max_frame)  # type: ignore[attr-defined]
        if frame.kind in ("eof", "truncated"):
            break
        state.loop.run_until_complete(host._handle(frame))  # type: ignore[attr-defined]
    native.guess_id(data)
    queue = host.writer.queue  # type: ignore[attr-defined]
    while not queue.empty():
        reply = queue.get_nowait()
        if reply is None:
            continue
        if len(reply) >= 1024 * 1024:
            raise Finding("reply over 1 MiB")
        decoded = json.loads(reply)
        error = decoded.get("error") or {}
        if not decoded.get("ok") and error.get("code") == "internal":
            raise Finding(f"internal error reply: {error.get('message')}")


_RDAP_KEYS = ("entities", "vcardArray", "roles", "events", "eventAction", "eventDate", "name", "handle",
              "country", "nameservers", "ldhName", "remarks", "startAddress", "endAddress", "cidr0_cidrs",
              "objectClassName", "parentHandle", "status", "type", "links", "port43", "description",
              "unicodeName", "secureDNS", "publicIds")
_RDAP_STRINGS = ("registrant", "registrar", "abuse", "administrative", "technical", "registration",
                 "expiration", "last changed", "vcard", "fn", "email", "org", "adr", "text", "4.0",
                 "2024-05-01T00:00:00Z", "abuse@example.net", "REDACTED FOR PRIVACY", "1999-13-45",
                 "JP", "192.0.2.0", "ns1.example.net")


class _Bytes:
    """Consumes fuzz bytes to shape a value; zeros once they run out."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.pos = 0

    def byte(self) -> int:
        if self.pos >= len(self.data):
            return 0
        self.pos += 1
        return self.data[self.pos - 1]

    def text(self) -> str:
        n = self.byte() % 24
        chunk = self.data[self.pos:self.pos + n]
        self.pos += n
        return text_of(chunk)


def _json_value(src: _Bytes, depth: int) -> object:
    kind = src.byte() % (10 if depth < 8 else 6)
    if kind == 0:
        return None
    if kind == 1:
        return src.byte() % 2 == 0
    if kind == 2:
        return src.byte() - 128 + (src.byte() << 8)
    if kind == 3:
        return src.text()
    if kind in (4, 5):
        return _RDAP_STRINGS[src.byte() % len(_RDAP_STRINGS)]
    if kind in (6, 7):
        return [_json_value(src, depth + 1) for _ in range(src.byte() % 5)]
    return {(_RDAP_KEYS[b % len(_RDAP_KEYS)] if (b := src.byte()) < 200 else src.text()): _json_value(src, depth + 1)
            for _ in range(src.byte() % 6)}


def rdap_object(data: bytes) -> object:
    """An RDAP-shaped JSON value: the bytes as JSON when they are, else a tree built from them."""
    try:
        return json.loads(data)
    except (ValueError, RecursionError):
        return _json_value(_Bytes(data), 0)


def t_rdap(data: bytes) -> None:
    """RDAP answers (any JSON) through every reader of them: summaries, abuse contacts, names."""
    from whence.lookups import rdap

    body = rdap_object(data)
    for raw in (body, {"entities": [body]}, {"entities": [{"entities": [body], "roles": ["registrar"]}]}):
        if not isinstance(raw, dict):
            continue
        rdap.network_summary(raw)
        rdap.domain_summary(raw)
        rdap.abuse_emails(raw)
        rdap.abuse_emails(raw, under="registrar")
        rdap.entity_name(raw, "registrant")
        rdap.network_name(raw)
        rdap._describe(raw)
    rdap.clean_address(body if not isinstance(body, (dict, list)) else str(body)[:100])


def t_dns(data: bytes) -> None:
    """DNS answers off the wire through our readers: rdata → records, TXT joins, DMARC tags,
    Team Cymru rows, blocklist codes."""
    import dns.exception
    import dns.message
    import dns.rdataclass
    import dns.rdatatype
    from whence.lookups import cymru, dmarc
    from whence.lookups import dns as ldns

    texts = [line.decode("latin-1") for line in data.split(b"\n")[:20]]  # as _rdata keeps TXT strings
    try:
        message = dns.message.from_wire(data)
    except (dns.exception.DNSException, ValueError, UnicodeError, struct.error, IndexError, KeyError):
        message = None
    answers: list[ldns.DnsAnswer] = []
    for rrset in message.answer[:20] if message is not None else []:
        if rrset.rdclass != dns.rdataclass.IN:  # the resolver only hands on answers of the class asked
            continue
        rdtype = dns.rdatatype.to_text(rrset.rdtype)
        records = [r for r in (ldns._rdata(rdtype, rd) for rd in rrset) if r is not None]
        answers.append(ldns.DnsAnswer(str(rrset.name), rdtype, "ok", records, rrset.ttl))
    answers.append(ldns.DnsAnswer("x.example", "TXT", "ok", [[t] for t in texts], 60))
    for answer in answers:
        answer.summary()
        joined = answer.txt() if answer.rdtype in ("TXT", "SPF") else []
        for text in joined:
            dmarc.parse_record(text)
        cymru.origin_rows(joined)
        cymru.as_name(joined)


@dataclass(frozen=True)
class Target:
    name: str
    run: Callable[[bytes], None]
    seeds: Callable[[], list[bytes]]
    modules: tuple[str, ...]  # what atheris instruments for coverage


# ---------------------------------------------------------------------------------------------
# Seeds: small valid inputs, built in code, so that mutation starts from real structure


def _zip(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, content in members.items():
            z.writestr(name, content)
    return buf.getvalue()


def _png(width: int = 24, height: int = 24) -> bytes:
    import zlib

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    raw = b"".join(b"\x00" + bytes((x * 9 + y * 5) % 256 for x in range(width)) for y in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def _gif() -> bytes:
    return (b"GIF89a\x18\x00\x18\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff,\x00\x00\x00\x00\x18\x00\x18\x00"
            b"\x00\x02\x16\x8c\x8f\xa9\xcb\xed\x0f\xa3\x9c\xb4\xda\x8b\xb3\xde\xbc\xfb\x0f\x86\xe2H\x96\x01\x00;")


def _pdf() -> bytes:
    from bench.bombs import pdf  # one PDF writer for the bombs and the seeds

    return pdf(1, box=100)


def _rar() -> bytes:
    """A minimal RAR 4 archive naming one member (headers only; listing never extracts)."""
    import zlib

    def block(kind: int, flags: int, body: bytes) -> bytes:
        head = struct.pack("<BHH", kind, flags, 7 + len(body)) + body
        return struct.pack("<H", zlib.crc32(head) & 0xFFFF) + head

    name = b"invoice.exe"
    file_body = struct.pack("<IIBIIBBHI", 4, 4, 2, 0, 0, 20, 0x30, len(name), 0x20) + name
    return (b"Rar!\x1a\x07\x00" + block(0x73, 0, b"\x00" * 6) + block(0x74, 0x8000, file_body) + b"abcd"
            + block(0x7B, 0x4000, b""))


def _message_seeds() -> list[bytes]:
    nested = _zip({"a.txt": b"hello", "inner.zip": _zip({"evil.exe": b"MZ" + b"\x00" * 64})})
    return [
        HEAD + b"Content-Type: text/plain; charset=iso-2022-jp\r\n\r\n\x1b$B$3$s$K$A$O\x1b(B\r\n",
        HEAD + b'Content-Type: multipart/mixed; boundary="B"\r\n\r\n--B\r\nContent-Type: text/html; '
               b'charset=shift_jis\r\n\r\n<a href="https://x.example/">\x82\xa0</a>\r\n--B\r\n'
               b'Content-Type: application/zip; name="=?utf-8?B?5pys?=.zip"\r\n'
               b"Content-Transfer-Encoding: base64\r\n\r\n" + base64.encodebytes(nested) + b"--B--\r\n",
        HEAD + b'Content-Type: multipart/alternative; boundary=a\r\n\r\n--a\r\nContent-Type: message/rfc822\r\n\r\n'
               + HEAD + b"Content-Type: text/plain; charset*=utf-8''%E3%81%82\r\n\r\nx\r\n--a--\r\n",
        b"Received: from x (x [192.0.2.1]) by y with ESMTPS id 1; Mon, 1 Jan 2024 00:00:00 +0000\r\n"
        + HEAD + b"Subject: =?euc-jp?B?pKKkpA==?= =?utf-8?q?=E3=81=82?=\r\n\r\nbody\r\n",
    ]


def _received_seeds() -> list[bytes]:
    return [
        b"from mx.example.org (mx.example.org [192.0.2.1]) by mail.example.net (Postfix) with ESMTPS id "
        b"ABC123 for <u@example.net>; Mon, 1 Jan 2024 00:00:00 +0000 (UTC)",
        b"from [10.0.0.5] (helo=client) by smtp.example.com with esmtpsa (TLS1.3) (Exim 4.96) "
        b"(envelope-from <a@example.com>) id 1abc-000; Tue, 02 Jan 2024 10:00:00 +0900",
        b"from unknown (HELO ylmf-pc) (117.50.174.153) by 0 with SMTP; 3 Jan 2024 01:02:03 -0000",
        b"(from user@localhost) by host.example (8.15.2/8.15.2/Submit) id x; Wed, 3 Jan 2024 00:00:00 GMT",
        b"from EUR05.prod.outlook.com (2603:10a6:20b:4d0::15) by AM9P.outlook.com with HTTPS; "
        b"Thu, 4 Jan 2024 00:00:00 +0000",
    ]


def _auth_seeds() -> list[bytes]:
    return [
        b"\x00mx.example.jp; spf=pass smtp.mailfrom=example.org; dkim=pass (2048-bit key) header.d=example.org "
        b"header.s=s1 header.b=abc; dmarc=pass (p=REJECT) header.from=example.org\n"
        b"\x03i=1; a=rsa-sha256; t=1; cv=none; d=google.com; s=arc-20160816; b=xyz\n"
        b"\x01i=1; mx.google.com; dkim=pass header.i=@example.org; spf=pass\n"
        b"\x04v=1; a=rsa-sha256; c=relaxed/relaxed; d=example.org; s=s1; h=from:to; bh=x; b=y\n"
        b"\x05pass (mx.example.jp: domain of a@example.org designates 192.0.2.1 as permitted sender) "
        b"client-ip=192.0.2.1; envelope-from=a@example.org;\n"
        b"\x06from mx.example.org (mx.example.org [192.0.2.1]) by mx.example.jp with ESMTPS; "
        b"Mon, 1 Jan 2024 00:00:00 +0000\n",
    ]


def _html_seeds() -> list[bytes]:
    return [
        b'<html><base href="https://base.example/"><body><a href="rel/path">https://www.bank.example/</a>'
        b'<form action="//evil.example/post"><input></form><map><area href="http://x.example/a"></map>'
        b'<img src="cid:1" alt="QR"> &#x202e;fdp.exe <a href="javascript:alert(1)">x</a>'
        b"<a href='https://xn--80ak6aa92e.com/'>apple.com</a></body></html>",
        "本文 https://例え.jp/パス www.example.com/a?b=c (http://[::1]:80/x) mailto:a@b.example".encode(),
        b"<table><tr><td>a<td>b</table><script>var a='<a href=x>';</script><style>a{}</style><!-- <a href=y> -->",
    ]


def _attachment_seeds() -> list[bytes]:
    office = _zip({"[Content_Types].xml": b"<Types/>", "word/vbaProject.bin": b"\xd0\xcf\x11\xe0"})
    return [
        b"\x00" + _zip({"readme.txt": b"x", "setup.exe": b"MZ", "doc\u202efdp.scr": b"", "nul\x00.exe": b""}),
        b"\x00" + _zip({"a.zip": _zip({"b.zip": _zip({"c.exe": b"MZ"})}), "x.rar": _rar()}),
        b"\x00" + office,
        b"\x02" + _png(),
        b"\x03" + _gif(),
        b"\x05" + _pdf(),
        b"\x06" + _rar(),
        b"\x07\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504,
    ]


def _qr_seeds() -> list[bytes]:
    return [b"\x00" + _png(), b"\x01" + _gif(), b"\x06" + _pdf(), b"\x00" + _png(40, 21)]


def _native_seeds() -> list[bytes]:
    def frame(obj: object) -> bytes:
        body = json.dumps(obj).encode()
        return struct.pack("=I", len(body)) + body

    mail = base64.b64encode(HEAD + b"\r\nhello https://x.example/\r\n").decode()
    return [
        frame({"id": "1", "type": "ping"}),
        frame({"id": 2, "type": "analyze", "raw": mail, "offline": True,
               "context": {"account_email": "b@example.jp", "account_host": "mx.example.jp"}}),
        frame({"id": "3", "type": "analyze", "raw": mail, "options": {"network.offline": True, "ui.lang": "ja",
                                                                      "trust.hosts": ["example.jp"]}}),
        frame({"id": "4", "type": "report", "raw": mail, "options": {"network.offline": True}}),
        frame({"id": "5", "type": "ping"}) + struct.pack("=I", 0xFFFFFFFF) + b'{"id": "6"',
        struct.pack("=I", 10) + b'{"id": [1,',
    ]


def _rdap_seeds() -> list[bytes]:
    card = [["version", {}, "text", "4.0"], ["fn", {}, "text", "Example Registrar"],
            ["email", {"pref": "1"}, "text", "abuse@netops.example.net"]]
    return [json.dumps(x).encode() for x in (
        {"objectClassName": "ip network", "handle": "NET-1", "name": "EXAMPLE-NET", "country": "JP",
         "startAddress": "192.0.2.0", "endAddress": "192.0.2.255",
         "entities": [{"roles": ["abuse"], "vcardArray": ["vcard", card]},
                      {"roles": ["registrant"], "vcardArray": ["vcard", card], "entities": [
                          {"roles": ["abuse"], "vcardArray": ["vcard", card]}]}]},
        {"objectClassName": "domain", "ldhName": "example.com",
         "events": [{"eventAction": "registration", "eventDate": "2024-05-01T00:00:00Z"}],
         "nameservers": [{"ldhName": "NS1.EXAMPLE.NET"}],
         "entities": [{"roles": ["registrar"], "vcardArray": ["vcard", card], "publicIds": [{"identifier": "1"}]}]},
    )] + [bytes(range(256))]


def _dns_seeds() -> list[bytes]:
    import dns.message
    import dns.rrset

    query = dns.message.make_query("example.com", "TXT")
    out = []
    for rtype, value in (("TXT", '"v=DMARC1; p=reject; rua=mailto:d@example.com"'),
                         ("TXT", '"4134 | 117.50.0.0/16 | CN | apnic | 2010-01-01"'),
                         ("TXT", '"4134 | CN | apnic | 2002-01-01 | CHINANET-BACKBONE, CN"'),
                         ("A", "127.0.0.2"), ("MX", "10 mx.example.com."), ("PTR", "host.example.net.")):
        response = dns.message.make_response(query)
        response.answer.append(dns.rrset.from_text("example.com.", 60, "IN", rtype, value))
        out.append(response.to_wire())
    out.append(b"v=spf1 -all\n| 1.2.3.0/24 | | x\n 65536 |  | JP | ripe | \n\n")
    return out


def _charset_seeds() -> list[bytes]:
    return [bytes([i]) + s for i, s in enumerate((
        "こんにちは、世界".encode("iso-2022-jp"), "①㈱髙﨑ｱｲｳ".encode("cp932"), "日本語".encode("euc-jp"),
        "日本語テキスト".encode(), b"\x1b$B\x1b(I\x1b$(D\x1b(J\xff\xfe", b"=?utf-8?B?5pel?= =?iso-2022-jp?Q?=1B$B?=",
    ))]


TARGETS: dict[str, Target] = {t.name: t for t in (
    Target("mime", t_mime, _message_seeds, ("whence.parse", "whence.facts.text")),
    Target("charsets", t_charsets, _charset_seeds, ("whence.parse",)),
    Target("received", t_received, _received_seeds, ("whence.facts.received",)),
    Target("auth", t_auth, lambda: _auth_seeds() + _received_seeds(),
           ("whence.facts.auth", "whence.facts.route", "whence.facts.received")),
    Target("links", t_links, _html_seeds, ("whence.facts.links", "whence.facts.text", "whence.domains")),
    Target("attachments", t_attachments, _attachment_seeds, ("whence.facts.attachments", "rarfile", "olefile")),
    Target("qr", t_qr, _qr_seeds, ("whence.facts.qr",)),
    Target("native", t_native, _native_seeds, ("whence.native", "whence.settings")),
    Target("rdap", t_rdap, _rdap_seeds, ("whence.lookups.rdap",)),
    Target("dns", t_dns, _dns_seeds, ("whence.lookups.dns", "whence.lookups.cymru", "whence.lookups.dmarc")),
)}


# ---------------------------------------------------------------------------------------------
# A small deterministic mutator, for the smoke run in the tests (no atheris needed)


def _mutate(rng: random.Random, data: bytes, pool: list[bytes]) -> bytes:
    buf = bytearray(data)
    for _ in range(rng.randint(1, 6)):
        op = rng.randrange(8)
        pos = rng.randrange(len(buf) + 1)
        if op == 0 and buf:
            buf[min(pos, len(buf) - 1)] ^= 1 << rng.randrange(8)
        elif op == 1:
            buf[pos:pos] = bytes(rng.randrange(256) for _ in range(rng.randint(1, 8)))
        elif op == 2:
            del buf[pos:pos + rng.randint(1, 64)]
        elif op == 3:
            buf[pos:pos] = rng.choice((b"\x00", b"\r\n", b"(", b")", b";", b"=?", b"?=", b"<", b">", b'"',
                                       b"\x1b$B", b"--B", b"\xff\xff\xff\xff", b"\\", "\u202e".encode(),
                                       b"[", b"]", b"{", b"}", b"PK\x01\x02", b"%", b"\x80"))
        elif op == 4 and buf:
            start = rng.randrange(len(buf))
            buf[pos:pos] = buf[start:start + rng.randint(1, 128)] * rng.randint(1, 4)
        elif op == 5:
            other = rng.choice(pool)
            start = rng.randrange(len(other) + 1)
            buf[pos:] = other[start:start + rng.randint(1, 512)]
        elif op == 6:
            del buf[pos:]
        elif buf:
            buf[min(pos, len(buf) - 1)] = rng.choice((0, 0xFF, 0x7F, 0x80, 0x20, 0x0A))
    return bytes(buf)


def mutations(target: Target, count: int, seed: int = 12) -> Iterator[bytes]:
    """The seeds, then `count` mutants of them, the same every time for the same seed."""
    rng = random.Random(seed)
    pool = target.seeds()
    yield from pool
    for _ in range(count):
        yield _mutate(rng, rng.choice(pool), pool)
