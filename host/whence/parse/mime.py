"""The MIME tree, parsed by the stdlib `email` package under hard limits.

The stdlib parser has no bounds of its own: 10,000 parts cost seconds, nesting a few hundred
deep exhausts the stack, and header objects are re-parsed on every access. So the bytes are fed
to `BytesFeedParser` in small chunks, and feeding stops (the message is marked truncated) as soon
as the number of entities, the nesting depth or the lines fed exceed the limits; header values are
capped where the policy first sees them.
"""

from __future__ import annotations

import binascii
import email.feedparser
import io
import re
import types
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.feedparser import BytesFeedParser
from email.generator import BytesGenerator
from email.message import EmailMessage
from email.message import Message as Compat32Message
from email.policy import EmailPolicy
from typing import Any, cast

from . import limits
from .charsets import decode_bytes, normalise_charset
from .words import decode_words, raw_bytes


class _CappedPolicy(EmailPolicy):
    """policy.default that keeps at most MAX_HEADER_VALUE characters of any header value."""

    def header_source_parse(self, sourcelines: list[str]) -> tuple[str, str]:
        name, value = sourcelines[0].split(":", 1)
        pieces = [value.lstrip(" \t")]
        size = len(pieces[0])
        for line in sourcelines[1:]:
            if size > limits.MAX_HEADER_VALUE:
                break
            pieces.append(line)
            size += len(line)
        value = "".join(pieces)
        if len(value) > limits.MAX_HEADER_VALUE:
            value = value[: limits.MAX_HEADER_VALUE]
        return name, value.rstrip("\r\n")


    def header_fetch_parse(self, name: str, value: str) -> Any:
        """Header objects for the Content-* headers the parser and payload decoding read.

        The stdlib builds a new header object on every access, with a recursive parser whose
        cost grows with parameters, comments and encoded-words (nested comments even exhaust the
        stack). So these values are tamed first, and parsed once per distinct value.
        """
        key = name.lower()
        if key not in _STRUCTURAL:
            return super().header_fetch_parse(name, value[:limits.MAX_STRUCTURAL_VALUE])
        tamed = _tame(value)
        cached = _PARSED.get((key, tamed))
        if cached is None:
            if len(_PARSED) > 4096:
                _PARSED.clear()
            cached = _PARSED[(key, tamed)] = self._parse_structural(name, tamed)
        return cached

    def _parse_structural(self, name: str, value: str) -> Any:
        """The stdlib's header object, or one for a plainer value when the stdlib raises: an RFC 2231
        parameter's charset label goes straight to bytes.decode, and labels such as "idna",
        "undefined" or one with a NUL raise ValueError/UnicodeError out of the parser (where only
        LookupError is expected), which would leave the whole message unparsed."""
        for attempt in (value, _without_extended_params(value), value.split(";", 1)[0]):
            try:
                return super().header_fetch_parse(name, attempt)
            except Exception:  # a few tries, each plainer than the last
                continue
        return super().header_fetch_parse(name, "")


_STRUCTURAL = {"content-type", "content-disposition", "content-transfer-encoding"}
_PARSED: dict[tuple[str, str], Any] = {}


def _tame(value: str) -> str:
    """A Content-* value the stdlib parser handles in bounded time: capped, at most
    MAX_STRUCTURAL_PARAMS parameters, no comments nesting or encoded-words (we decode names
    ourselves from the raw value)."""
    value = _few_params(value[: limits.MAX_STRUCTURAL_VALUE])
    if "(" in value:
        value = value.replace("(", " ").replace(")", " ")
    if "=?" in value:
        value = value.replace("=?", "=_")
    return value


_SEMICOLONS = re.compile(r";[\s;]*;")
_EXTENDED_PARAM = re.compile(r";\s*[^;=\s]*\*[^;]*")  # name*=charset'lang'value, name*0*=...


def _without_extended_params(value: str) -> str:
    """The value without its RFC 2231 parameters (names are decoded from the raw header anyway)."""
    return _EXTENDED_PARAM.sub("", value.replace("\x00", ""))


def _few_params(value: str) -> str:
    """At most MAX_STRUCTURAL_PARAMS parameters: both header parsers slow down with each one."""
    if value.count(";") <= limits.MAX_STRUCTURAL_PARAMS:
        return value
    value = _SEMICOLONS.sub(";", value)
    keep = limits.MAX_STRUCTURAL_PARAMS + 1
    return ";".join(value.split(";", keep)[:keep])


class _BoundaryMatcher:
    """What `email.feedparser` compiles for each multipart boundary, without compiling it.

    The feed parser builds `re.compile("(?P<sep>" + re.escape("--" + boundary) + TAIL)` for every
    multipart it opens; boundaries are unique, so each one misses re's cache and costs ~150 µs,
    more than the rest of a small multipart's parse. The literal part is a `startswith`; the tail
    is one precompiled pattern matched from where the boundary ends: the same matches, groups
    `end`, `ws` and `linesep` included (`sep` is never read).
    """

    TAIL = r")(?P<end>--)?(?P<ws>[ \t]*)(?P<linesep>\r\n|\r|\n)?$"
    _TAIL = re.compile(TAIL[1:])

    def __init__(self, separator: str) -> None:
        self.separator = separator

    def match(self, line: str) -> re.Match[str] | None:
        return self._TAIL.match(line, len(self.separator)) if line.startswith(self.separator) else None


def _feedparser_compile(pattern: str, flags: int = 0) -> Any:
    prefix = "(?P<sep>"
    if not flags and pattern.startswith(prefix) and pattern.endswith(_BoundaryMatcher.TAIL):
        escaped = pattern[len(prefix):-len(_BoundaryMatcher.TAIL)]
        separator = _unescape(escaped)
        if separator is not None:
            return _BoundaryMatcher(separator)
    return re.compile(pattern, flags)


def _unescape(escaped: str) -> str | None:
    """The literal `re.escape` was given (a backslash escapes the next character), or None."""
    out = re.sub(r"\\(.)", r"\1", escaped, flags=re.S)
    return out if re.escape(out) == escaped else None


# email.feedparser reads `re` only for its module constants (compiled at import) and the boundary
email.feedparser.re = types.SimpleNamespace(compile=_feedparser_compile, escape=re.escape)  # type: ignore[attr-defined]


POLICY = _CappedPolicy(raise_on_defect=False)
_REGEN_POLICY = POLICY.clone(refold_source="none", max_line_length=0, linesep="\r\n")


@dataclass
class Tree:
    root: EmailMessage
    defects: list[str] = field(default_factory=list)
    truncated: bool = False


def parse_tree(raw: bytes) -> Tree:
    """Feed `raw` to the stdlib parser within the limits; what was fed is parsed."""
    created = 0

    def factory(policy: EmailPolicy = POLICY) -> EmailMessage:
        nonlocal created
        created += 1
        return EmailMessage(policy=policy)

    parser = BytesFeedParser(_factory=factory, policy=POLICY)
    defects: list[str] = []
    truncated = False
    if len(raw) > limits.MAX_RAW_BYTES:
        raw = raw[: limits.MAX_RAW_BYTES]
        truncated = True
        defects.append("message-too-large")
    raw, cut = _cap_header_block(raw)
    if cut:
        truncated = True
        defects.append("too-many-headers")
    view = memoryview(raw)
    work = 0.0
    pos = 0
    span = 0  # bytes fed since the last line that may be a boundary (one starting with "--")
    while pos < len(raw):
        chunk = bytes(view[pos:pos + limits.FEED_CHUNK])
        pos += len(chunk)
        mark = chunk.rfind(b"\n--")
        span = len(chunk) - mark if mark >= 0 else span + len(chunk)
        parser.feed(chunk)
        depth = len(getattr(parser, "_msgstack", ()))  # open entities: the nesting being parsed
        work += (chunk.count(b"\n") + 1) * (1 + depth / 8)  # each line is matched per open boundary
        reason = None
        if created > limits.MAX_OBJECTS:
            reason = "too-many-parts"
        elif depth > limits.MAX_DEPTH + 2:
            reason = "nesting-too-deep"
        elif work > limits.MAX_LINES:
            reason = "too-many-lines"
        if reason:
            if pos < len(raw):
                truncated = True
                defects.append(reason)
            break
        if span > limits.MAX_PART_SPAN and pos < len(raw):
            # More of one body than the payload we keep can use (base64 that never ends): skip to
            # its next possible boundary instead of paying the parser for bytes that are dropped.
            nxt = raw.find(b"\n--", pos)
            pos = len(raw) if nxt < 0 else nxt
            span = 0
            truncated = True
            if "part-too-long" not in defects:
                defects.append("part-too-long")
    root = cast(EmailMessage, parser.close())  # factory() made every entity an EmailMessage
    return Tree(root, defects, truncated)


def _cap_header_block(raw: bytes) -> tuple[bytes, bool]:
    """Keep the first MAX_HEADER_LINES lines of the top-level header block (the parser's slowest
    path: every header line costs a policy call), and the blank line and body after it."""
    ends = [(i, 2) for i in (raw.find(b"\r\n\r\n"),) if i >= 0] + \
        [(i, 1) for i in (raw.find(b"\n\n"),) if i >= 0]
    end, eol = min(ends) if ends else (len(raw), 0)
    if raw.count(b"\n", 0, end) <= limits.MAX_HEADER_LINES:
        return raw, False
    pos = -1
    for _ in range(limits.MAX_HEADER_LINES):
        pos = raw.find(b"\n", pos + 1, end)
    return raw[: pos + 1] + raw[end + eol:], True


def content_type(msg: EmailMessage) -> str:
    try:
        return msg.get_content_type()
    except Exception:  # a header the policy cannot parse
        return "application/octet-stream"


def leaves(tree: Tree) -> Iterator[tuple[EmailMessage, str]]:
    """(leaf entity, its content type) in document order, down to MAX_DEPTH; message/* entities
    count as leaves."""
    stack: list[tuple[EmailMessage, int]] = [(tree.root, 0)]
    while stack:
        msg, depth = stack.pop()
        ctype = content_type(msg)
        if ctype.startswith("multipart/") and msg.is_multipart():
            if depth >= limits.MAX_DEPTH:
                tree.truncated = True
                tree.defects.append("nesting-too-deep")
                continue
            children: object = msg.get_payload()
            if isinstance(children, list):
                stack.extend((child, depth + 1) for child in reversed(children))
            continue
        yield msg, ctype


def regenerate(msg: EmailMessage) -> bytes:
    """The bytes of an embedded message/* entity (the parser keeps it only as a tree)."""
    fp = io.BytesIO()
    try:
        gen = BytesGenerator(fp, mangle_from_=False, policy=_REGEN_POLICY)
        payload: object = msg.get_payload()
        for sub in payload if isinstance(payload, list) else []:
            gen.flatten(sub)
            if fp.tell() > limits.MAX_PART_PAYLOAD:
                break
    except Exception:  # a malformed embedded message keeps what was written
        pass
    return fp.getvalue()


def payload_bytes(msg: EmailMessage) -> bytes:
    """Transfer-decoded payload of a leaf; message/* entities as their bytes."""
    if msg.is_multipart():
        return regenerate(msg)
    data = _base64_payload(msg)
    if data is not None:
        return data
    try:
        decoded = msg.get_payload(decode=True)
    except Exception:  # broken transfer encoding: keep the raw body
        decoded = None
    if isinstance(decoded, bytes):
        return decoded
    raw = msg.get_payload()
    return raw_bytes(raw) if isinstance(raw, str) else b""


def _base64_payload(msg: EmailMessage) -> bytes | None:
    """A base64 body decoded straight from the parser's str, or None to let the stdlib do it.

    The same bytes as `get_payload(decode=True)` (which also ignores non-alphabet characters and
    pads), without its five copies of the body: for 32 MB of base64 that is 150 MB of peak memory.
    """
    payload = msg._payload  # type: ignore[attr-defined]  # private: the stdlib keeps the undecoded body only here
    if not isinstance(payload, str) or len(payload) < 1 << 20:
        return None
    try:
        if str(msg.get("content-transfer-encoding", "")).strip().lower() != "base64":
            return None
        try:
            return binascii.a2b_base64(payload)
        except binascii.Error:
            return binascii.a2b_base64(payload + "==")
    except (ValueError, TypeError):  # non-ASCII (raw 8-bit) bodies, odd padding: the stdlib's way
        return None


def raw_header(msg: EmailMessage, name: str) -> str | None:
    name = name.lower()
    for key, value in msg.raw_items():
        if key.lower() == name:
            return value
    return None


def _param(raw: str, param: str, header: str) -> str | None:
    """A (possibly RFC 2231) parameter of a raw structured header, decoded to str."""
    raw = raw[: 2 * limits.MAX_STRUCTURAL_VALUE]  # long RFC 2231 names fit in 8 KB
    if param not in raw.lower():  # most parts name no file: not worth the header parser
        return None
    raw = _few_params(raw)
    data = raw_bytes(raw)
    if not data.isascii():  # raw 8-bit names: decode first, compat32 would mangle them
        raw = decode_bytes(data)[0]
    holder = Compat32Message()
    holder[header] = raw
    try:
        value = holder.get_param(param, header=header)
    except Exception:
        return None
    if value is None:
        return None
    if isinstance(value, tuple):  # RFC 2231: (charset, language, percent-decoded latin-1 text)
        charset, _lang, text = value
        return decode_bytes(raw_bytes(text), charset or None)[0]
    if isinstance(value, str):
        return decode_words(value.strip().strip('"'))
    return None


def filename(msg: EmailMessage) -> str | None:
    for header, param in (("content-disposition", "filename"), ("content-type", "name")):
        raw = raw_header(msg, header)
        if raw:
            name = _param(raw, param, header)
            if name:
                return name.strip()[:1024] or None
    return None


def disposition(msg: EmailMessage) -> str | None:
    raw = raw_header(msg, "content-disposition")
    if not raw:
        return None
    value = raw.split(";", 1)[0].strip().lower()
    return value[:40] or None


def declared_charset(msg: EmailMessage) -> str | None:
    raw = raw_header(msg, "content-type")
    if not raw:
        return None
    value = _param(raw, "charset", "content-type")
    return value.strip().lower()[:40] if value else None


_META_CHARSET = re.compile(rb"""<meta[^>]{0,200}?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]{1,40})""", re.I)


def html_meta_charset(data: bytes) -> str | None:
    m = _META_CHARSET.search(data[:8192])
    return m.group(1).decode("ascii") if m else None


def cut_bytes(data: bytes, size: int) -> bytes:
    """At most `size` bytes, cut after a line break when there is one near the end."""
    if len(data) <= size:
        return data
    data = data[:size]
    nl = data.rfind(b"\n", max(0, size - 8192))
    return data[: nl + 1] if nl >= 0 else data


_PUBLIC_NAMES = {"x-iso-2022-jp": "iso-2022-jp", "x-euc-jp": "euc-jp", "cp932": "shift_jis"}


def decode_text(data: bytes, declared: str | None) -> tuple[str, str, bool]:
    """(text, charset used, whether the declared charset was overridden)."""
    text, used = decode_bytes(data, declared)
    overridden = bool(declared) and normalise_charset(declared) not in (None, used)
    return text, _PUBLIC_NAMES.get(used, used), overridden
