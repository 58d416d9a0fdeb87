"""The parse stage: raw bytes → `Message` (decoded headers, leaf parts, defects). Never raises.

Structure comes from the stdlib `email` package (modern policy, `mime.py`) fed under limits;
header text from our lenient RFC 2047 decoder (`words.py`); bytes → str from the charset
ladder in `charsets.py`, which knows the Japanese encodings real mail uses.
"""

from __future__ import annotations

from email.message import EmailMessage

from ..model import Message, Part
from . import limits, mime
from .words import decode_header_value

__all__ = ["parse_message"]


def parse_message(raw: bytes) -> Message:
    """Parse a message as stored; whatever the input, returns a Message (maybe empty, truncated)."""
    if isinstance(raw, str):
        raw = raw.encode("utf-8", "surrogateescape")
    try:
        raw = bytes(raw)
    except (TypeError, ValueError):
        raw = b""
    try:
        return _parse(raw)
    except Exception as exc:  # hostile input: an empty message that says why
        return Message(headers=[], parts=[], raw_size=len(raw),
                       defects=[f"unparseable: {type(exc).__name__}"], truncated=True)


class _Budget:
    def __init__(self) -> None:
        self.payload = limits.MAX_TOTAL_PAYLOAD
        self.text = limits.MAX_TOTAL_TEXT


def _parse(raw: bytes) -> Message:
    tree = mime.parse_tree(raw)
    defects: list[str] = list(tree.defects)
    walked_from = len(tree.defects)
    headers = _headers(tree.root, defects)
    parts: list[Part] = []
    budget = _Budget()
    for entity, ctype in mime.leaves(tree):
        if len(parts) >= limits.MAX_PARTS:
            tree.truncated = True
            defects.append("too-many-parts")
            break
        _collect_defects(entity, defects)
        part = _part(entity, ctype, budget, defects)
        if part is not None:
            parts.append(part)
    defects.extend(tree.defects[walked_from:])  # found while walking the tree
    truncated = tree.truncated or any(d in _TRUNCATING for d in defects)
    return Message(headers=headers, parts=parts, raw_size=len(raw), defects=_dedupe(defects),
                   truncated=truncated)


_TRUNCATING = {"too-many-headers", "header-too-long", "part-payload-truncated", "text-truncated",
               "too-many-parts", "nesting-too-deep", "too-many-lines", "message-too-large"}


def _dedupe(defects: list[str]) -> list[str]:
    seen: dict[str, None] = {}
    for d in defects:
        seen.setdefault(d, None)
        if len(seen) >= limits.MAX_DEFECTS:
            break
    return list(seen)


def _collect_defects(entity: EmailMessage, defects: list[str]) -> None:
    for d in getattr(entity, "defects", [])[:10]:
        defects.append(type(d).__name__)


def _headers(root: EmailMessage, defects: list[str]) -> list[tuple[str, str]]:
    _collect_defects(root, defects)
    out: list[tuple[str, str]] = []
    budget = limits.MAX_HEADER_TEXT
    for name, value in root.raw_items():
        if len(out) >= limits.MAX_HEADERS:
            defects.append("too-many-headers")
            break
        if len(value) >= limits.MAX_HEADER_VALUE:
            defects.append("header-too-long")
        if len(value) > budget:
            value = value[:1024]
            defects.append("header-too-long")
        budget -= len(value)
        clean = name.encode("latin-1", "surrogateescape").decode("latin-1").strip()[:200]
        out.append((clean, decode_header_value(value, clean)))
    return out


def _part(entity: EmailMessage, ctype: str, budget: _Budget, defects: list[str]) -> Part | None:
    if ctype.startswith("multipart/"):  # a multipart without usable boundary: its body is text
        defects.append("multipart-without-parts")
        ctype = "text/plain"
    data = mime.payload_bytes(entity)
    size = len(data)
    keep = min(size, limits.MAX_PART_PAYLOAD, budget.payload)
    if keep < size:
        defects.append("part-payload-truncated")
    payload = data[:keep]
    budget.payload -= keep
    declared = mime.declared_charset(entity)
    charset = declared.lower() if declared else None
    text = None
    if ctype.startswith("text/"):
        if not declared and ctype == "text/html":
            declared = mime.html_meta_charset(data)
        room = min(limits.MAX_PART_TEXT, budget.text)
        chunk = mime.cut_bytes(data, room * 3)  # room for 3-byte UTF-8 characters
        text, used, overridden = mime.decode_text(chunk, declared)
        if overridden:
            defects.append("charset-mislabelled")
        if len(text) > room or len(chunk) < size:
            text = text[:room]
            defects.append("text-truncated")
        budget.text -= len(text)
        charset = (declared or used).lower()
    return Part(content_type=ctype, filename=mime.filename(entity), disposition=mime.disposition(entity),
                payload=payload, size=size, charset=charset, text=text)
