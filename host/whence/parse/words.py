"""Header values → str: raw 8-bit bytes and RFC 2047 encoded-words, as broken as senders write them.

The stdlib decodes each encoded-word on its own and gives up on split multi-byte sequences,
unknown labels and missing `?=`. Japanese senders (and list software re-tagging subjects) produce
all of those, so adjacent words of one charset are joined as *bytes* before decoding, and the
charset step is `charsets.decode_bytes` with its fallbacks.
"""

from __future__ import annotations

import binascii
import re

from .charsets import decode_bytes, normalise_charset
from .limits import MAX_HEADER_VALUE

# =?charset[*lang]?B|Q?text[?=] — the closing ?= may be missing; text stops before a new "=?".
_WORD = re.compile(
    r"=\?([^?\s]{1,64}?)(?:\*[^?\s]{0,16})?\?([BbQq])\?((?:(?!=\?[^?\s]{1,64}\?[BbQq]\?)[^\s?])*)(?:\?=)?"
)
_FOLD = re.compile(r"\r?\n(?=[ \t])")
_CONTROL = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]+")
_B64_JUNK = re.compile(rb"[^A-Za-z0-9+/]")
_ADDRESS_HEADERS = {"from", "to", "cc", "bcc", "reply-to", "sender", "resent-from", "resent-to",
                    "resent-cc", "resent-sender", "return-receipt-to", "disposition-notification-to",
                    "mail-followup-to", "mail-reply-to", "errors-to"}
_SPECIALS = set(',;<>@:"\\()[]')


def raw_bytes(value: str) -> bytes:
    """The bytes behind a header string the byte parser produced (8-bit bytes as surrogates)."""
    try:
        return value.encode("latin-1", "surrogateescape")
    except UnicodeEncodeError:
        return value.encode("utf-8", "surrogateescape")


def _b_decode(text: str) -> bytes:
    data = _B64_JUNK.sub(b"", text.encode("ascii", "ignore"))
    if len(data) % 4 == 1:
        data = data[:-1]
    data += b"=" * (-len(data) % 4)
    try:
        return binascii.a2b_base64(data)
    except binascii.Error:
        return b""


def _q_decode(text: str) -> bytes:
    return binascii.a2b_qp(text.encode("ascii", "ignore"), header=True)


def decode_words(text: str, address: bool = False) -> str:
    """Decode the encoded-words in an already character-decoded header text."""
    if "=?" not in text:
        return text
    out: list[str] = []
    pending: list[tuple[str, str, bytearray]] = []  # merged runs: (key, label, bytes)
    pos = 0
    quoted = False  # inside a quoted-string of the literal text around the words

    def flush() -> None:
        for _key, label, data in pending:
            decoded = decode_bytes(bytes(data), label)[0]
            if address:
                decoded = _quote_for_address(decoded, quoted)
            out.append(decoded)
        pending.clear()

    for m in _WORD.finditer(text):
        between = text[pos:m.start()]
        if between and not (pending and between.isspace()):
            flush()
            out.append(between)
            if address:
                quoted = _quote_state(between, quoted)
        label, enc, payload = m.group(1), m.group(2).upper(), m.group(3)
        data = _b_decode(payload) if enc == "B" else _q_decode(payload)
        key = normalise_charset(label) or label.lower()
        if pending and pending[-1][0] == key:
            pending[-1][2].extend(data)  # joined as bytes: a character may span two words
        else:
            pending.append((key, label, bytearray(data)))
        pos = m.end()
    flush()
    out.append(text[pos:])
    return "".join(out)


def _quote_state(literal: str, quoted: bool) -> bool:
    escaped = False
    for ch in literal:
        if escaped:
            escaped = False
        elif ch == "\\":
            escaped = True
        elif ch == '"':
            quoted = not quoted
    return quoted


def _quote_for_address(decoded: str, quoted: bool) -> str:
    """Keep a decoded display name one token: a comma in it must not split the address list."""
    if quoted:
        return decoded.replace("\\", "\\\\").replace('"', '\\"')
    if any(ch in _SPECIALS for ch in decoded):
        return '"' + decoded.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return decoded


def decode_header_value(value: str, name: str = "") -> str:
    """A raw header value (as the byte parser stored it) → readable text. Never raises."""
    try:
        return _decode(value, name)
    except Exception:  # hostile input degrades to the raw text
        return _CONTROL.sub(" ", value.encode("utf-8", "replace").decode("utf-8", "replace"))[
            :MAX_HEADER_VALUE
        ]


def _decode(value: str, name: str) -> str:
    value = value[:MAX_HEADER_VALUE]
    if value.isprintable() and value.isascii() and "=?" not in value:
        return value.strip()  # one unfolded line of plain ASCII (most headers): nothing to decode
    if "\n" in value:
        value = _FOLD.sub("", value)
    if not value.isascii() or "\x1b" in value:
        value = decode_bytes(raw_bytes(value))[0]
    value = decode_words(value, address=name.lower() in _ADDRESS_HEADERS)
    return (value if value.isprintable() else _CONTROL.sub(" ", value)).strip()
