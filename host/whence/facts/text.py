"""The human-readable text of a message's body parts, and its HTML source, both bounded.

Checks search this text for brand names, extortion wording and the like, so HTML becomes what a
reader sees: no script/style/head, alt texts kept, block elements on their own lines, entities
decoded. The HTML is parsed as a browser parses it (lexbor, an HTML5 parser): misnested and unclosed
markup ends up where Thunderbird shows it. The subject is not part of it.
A message attached as message/rfc822 is shown by mail clients after the body, so its text is
included too (one level deep).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from selectolax.lexbor import LexborHTMLParser

from ..model import Message

MAX_TEXT = 2 * 1024 * 1024  # characters
MAX_HTML = 2 * 1024 * 1024
_MAX_NESTED_BYTES = 5 * 1024 * 1024

_SKIP = {"script", "style", "head", "title", "template", "noframes", "noembed", "iframe"}  # noscript is shown
_BLOCK = {"address", "article", "aside", "blockquote", "br", "center", "dd", "details", "dialog",
          "div", "dl", "dt", "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2", "h3",
          "h4", "h5", "h6", "header", "hr", "li", "main", "nav", "ol", "p", "pre", "section",
          "summary", "table", "tbody", "tfoot", "thead", "tr", "ul", "caption", "option", "button"}
_CELL = {"td", "th"}
_LINE_EDGE = " \t\f\v\u00a0\u200b\u3000"  # stripped from both ends of every line of plain text
# runs of white space made one space: a lone space is no match (most of a text's spaces are lone,
# and a match each cost as much as the rest of the tidying)
_RUNS = re.compile(r"[\t\f\v\u00a0][ \t\f\v\u00a0]*| [ \t\f\v\u00a0]+")
_BLANKS = re.compile(r"\n{2,}")
_SOFT, _HARD, _CELL_MARK = "\x00", "\x01", "\x02"  # block boundary, <br>, table cell
_NO_MARKS = {0: None, 1: None, 2: None}
_HTML_SPACE = re.compile(r"[\t\r\n\f\v\u00a0][ \t\r\n\f\v\u00a0]*| [ \t\r\n\f\v\u00a0]+")
_BREAKS = re.compile(r"[ \x00\x01]*[\x00\x01][ \x00\x01]*")
# UTF-16 surrogate pairs written as two character references (&#55357;&#56832;): browsers show
# the one character, html.unescape gives two U+FFFD.
_SURROGATE_REFS = re.compile(r"&#(?:([xX][dD][89abAB][0-9a-fA-F]{2})|(5[56]\d{3}));?"
                             r"&#(?:([xX][dD][c-fC-F][0-9a-fA-F]{2})|(5[67]\d{3}));?")


def _join_surrogates(m: re.Match[str]) -> str:
    hi = int(m.group(1)[1:], 16) if m.group(1) else int(m.group(2))
    lo = int(m.group(3)[1:], 16) if m.group(3) else int(m.group(4))
    if 0xD800 <= hi <= 0xDBFF and 0xDC00 <= lo <= 0xDFFF:
        return chr(0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00))
    return m.group(0)


MAX_TAGS = 50_000  # elements read per document: each costs the reader a few µs in Python
# HTML5 tree building costs time in proportion to the open elements: 40,000 nested <div> take lexbor
# 2.4 s. Past MAX_DEPTH, start tags are dropped and what they held is read in place, as WebKit reads
# elements nested past 512. A document of fewer than _FLAT_ENOUGH tags cannot cost much, so only
# larger ones are measured.
MAX_DEPTH = 256
_FLAT_ENOUGH = 10_000
_TAG = re.compile(r"<(/?)([A-Za-z][^\s/>]*)[^>]*>?")


_MARKUP_CAP = re.compile(rf"(?:[^<]*<){{{2 * MAX_TAGS}}}[^<]*")  # the start and end tags of MAX_TAGS elements


def _flatten(html: str) -> tuple[str, list[str]]:
    """HTML with its elements nested at most MAX_DEPTH deep (counted from the tags as written), cut
    after the markup of MAX_TAGS elements: the reader stops there anyway, and the parser need not
    build what nobody reads (700,000 <a> cost lexbor over a second). With what was done to it, as
    `message.limits` reasons."""
    tags = html.count("<")
    if tags < _FLAT_ENOUGH:
        return html, []
    done = []
    if tags > 2 * MAX_TAGS:
        html = html[:_MARKUP_CAP.match(html).end()]  # type: ignore[union-attr]  # as many "<" as counted
        done.append("html-elements")
    depth = 0
    kept: list[str] = []
    last = 0
    for m in _TAG.finditer(html):
        name = m.group(2).lower()
        if name in _SHALLOW or name in ("a", "form"):  # links are kept; neither nests in HTML5
            continue
        if m.group(1):
            depth = max(0, depth - 1)
        elif depth < MAX_DEPTH:
            depth += 1
        else:
            kept.append(html[last:m.start()])
            last = m.end()
    if not kept:
        return html, done
    kept.append(html[last:])
    return "".join(kept), [*done, "html-flattened"]


# (href, shown text, source, <base href> of its document): what links.py turns into Links
RawLink = tuple[str, str | None, str, str | None]
MAX_RAW_LINKS = 1000
MAX_SHOWN = 500
MAX_HIDDEN = 2000  # characters of hidden text kept: enough to measure and to show
# styles that keep an element's text from the reader: the filter-poisoning "salad" and the decoy words
# of phishing pages hide there (a newsletter's preview line does too, but it is one short line)
_HIDING = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden|opacity\s*:\s*0(?:\.0+)?\s*(?:;|$|!)"
                     r"|font-size\s*:\s*0(?:\.0+)?(?:px|pt|em|rem|%)?\s*(?:;|$|!)", re.I)
_VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source",
         "track", "wbr"}
# void elements and those whose end tag may be left out: their start tags alone do not deepen the tree
_SHALLOW = frozenset(_VOID | {"p", "li", "dt", "dd", "tr", "td", "th", "option", "optgroup", "thead", "tbody",
                              "tfoot", "colgroup", "caption", "rb", "rt", "rtc", "rp", "html", "head", "body"})
_MAX_OPEN = 1000  # open elements tracked for hiding; deeper markup is read as shown



_PIXEL_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden"
                          r"|(?:^|;)\s*(?:width|height)\s*:\s*[0-2](?:px)?\s*(?:;|$)", re.I)


def _unseen(attr: dict[str, str]) -> bool:
    """An image nobody sees: 0–2 pixels wide or high, or hidden — an open-tracking pixel, not a picture."""
    tiny = [v.strip().lower().removesuffix("px") in ("0", "1", "2") for v in (attr.get("width"), attr.get("height"))
            if v is not None]
    return any(tiny) or bool(_PIXEL_STYLE.search(attr.get("style", "")[:500]))


class _Reader:
    """One pass over an HTML document's events: the text a reader sees, and every link with its shown
    text (anchors, forms, image maps, images)."""

    def __init__(self) -> None:
        self.out: list[str] = []
        self.skipped: list[str] = []  # the bounds reached (message.limits reasons)
        self.size = 0
        self.skip: list[str] = []  # open elements whose content is not shown
        self.pre = 0
        self.found: list[tuple[str, str | None, str]] = []
        self.base: str | None = None
        self.anchors: list[tuple[str, list[str]]] = []  # open <a>: href and text collected
        self.shown = 0  # characters collected for the open <a> (at most one is open: they cannot nest)
        self.code = 0  # open script/style: their text is never a link's shown text
        self.open: list[bool] = []  # whether each open element hides its content
        self.hiding = 0  # how many open elements hide their content
        self.hidden: list[str] = []
        self.hidden_size = 0

    def _emit(self, text: str) -> None:
        if self.size < MAX_TEXT:
            self.out.append(text)
            self.size += len(text)

    def _add(self, href: str | None, shown: str | None, source: str) -> None:
        if href is not None and len(self.found) < MAX_RAW_LINKS:
            self.found.append((href, shown, source))

    def _close_anchor(self) -> None:
        href, texts = self.anchors.pop()
        shown = " ".join("".join(texts).split())[:MAX_SHOWN]
        self._add(href, shown or None, "html-a")

    def handle_starttag(self, tag: str, attrs: dict[str, str | None]) -> bool:
        """Read an element's start; whether it was recorded as open (handle_endtag needs to know)."""
        self._link_start(tag, attrs)
        recorded = tag not in _VOID and len(self.open) < _MAX_OPEN
        if recorded:
            style = attrs.get("style")
            hides = "hidden" in attrs or bool(style and _HIDING.search(style[:2000]))
            self.open.append(hides)
            self.hiding += hides
        if self.hiding and self.hidden:
            self.hidden.append(" ")  # a tag inside hidden text parts its words
        if tag in _SKIP:
            self.skip.append(tag)
            return recorded
        if self.skip:
            return recorded
        if tag == "br":
            self._emit(_HARD)
        elif tag in _BLOCK:
            self._emit(_SOFT)
        elif tag in _CELL:
            self._emit(_CELL_MARK)
        if tag == "pre":
            self.pre += 1
        if tag in ("img", "area", "input"):
            alt = attrs.get("alt") or (attrs.get("value") if tag == "input" and
                                        (attrs.get("type") or "").lower() in ("submit", "button") else None)
            if alt and alt.strip():
                self._emit(" " + alt.strip() + " ")
        return recorded

    def _link_start(self, tag: str, attrs: dict[str, str | None]) -> None:
        if tag in ("script", "style"):
            self.code += 1
            return
        if tag not in ("base", "a", "form", "area", "img"):
            return
        attr = {k: v for k, v in attrs.items() if v is not None}
        if tag == "base" and self.base is None and attr.get("href"):
            self.base = attr["href"]
        elif tag == "a":
            if self.anchors:  # <a> cannot nest: an open one ends here
                self._close_anchor()
            if "href" in attr:
                self.anchors.append((attr["href"], []))
                self.shown = 0
        elif tag == "form":
            self._add(attr.get("action"), None, "html-form")
        elif tag == "area":
            self._add(attr.get("href"), attr.get("alt"), "html-area")
        elif tag == "img":
            alt = attr.get("alt")
            if self.anchors and alt:
                self.anchors[-1][1].append(" " + alt + " ")
                self.shown += len(alt) + 2
            src = attr.get("src")
            if src and not src.strip().lower().startswith(("cid:", "data:")):
                self._add(src, alt, "html-pixel" if _unseen(attr) else "html-img")

    def handle_endtag(self, tag: str, recorded: bool) -> None:
        if recorded:  # the tree is walked in order: the element closing is the last one opened
            self.hiding -= self.open.pop()
        if tag in ("script", "style") and self.code:
            self.code -= 1
        elif tag == "a" and self.anchors:
            self._close_anchor()
        if tag in _SKIP:
            if tag in self.skip:
                del self.skip[len(self.skip) - 1 - self.skip[::-1].index(tag):]
            return
        if tag == "pre" and self.pre:
            self.pre -= 1
        if not self.skip and tag in _BLOCK:
            self._emit(_SOFT)

    def handle_data(self, data: str) -> None:
        if self.anchors and not self.code and self.shown < MAX_SHOWN * 2:
            self.anchors[-1][1].append(data)
            self.shown += len(data)
        if not self.skip:
            self._emit(data.replace("\n", _HARD) if self.pre else data)
            if self.hiding and self.hidden_size < MAX_HIDDEN and not self.code:
                self.hidden.append(data)
                self.hidden_size += len(data)

    def read(self, html: str) -> None:
        """Read the document as browsers build it (lexbor's HTML5 parser, in C: linear on any input,
        broken markup mended as Thunderbird mends it), element by element in document order, at
        most MAX_TAGS elements."""
        html, self.skipped = _flatten(html)
        root = LexborHTMLParser(html).root
        # (node, None) opens a node; (node, recorded) closes an element, recorded as handle_starttag said
        stack: list[tuple[Any, bool | None]] = [(root, None)] if root is not None else []
        elements = 0
        while stack:
            node, closing = stack.pop()
            tag = node.tag
            if closing is not None:
                self.handle_endtag(tag, closing)
            elif tag == "-text":
                self.handle_data(node.text_content or "")
            elif tag and tag[0] not in "-_!":  # not a comment or the doctype
                elements += 1
                if elements > MAX_TAGS:
                    self.skipped.append("html-elements")
                    break
                recorded = self.handle_starttag(tag, node.attributes)
                if tag in _VOID:
                    continue
                stack.append((node, recorded))
                children = list(node.iter(include_text=True))
                children.reverse()
                stack.extend([(child, None) for child in children])
        while self.anchors:
            self._close_anchor()


class HtmlRead(NamedTuple):
    text: str  # what a reader sees, as plain text; hidden text stays in: the checks read what filters read
    links: list[RawLink]
    hidden: str  # the text its styles hide
    skipped: list[str]  # the bounds reached (message.limits reasons)


def read_html(html: str) -> HtmlRead:
    """What a reader sees of an HTML document, its links and hidden text, bounded."""
    reader = _Reader()
    html = html[:MAX_HTML]
    if "\x00" in html or "\x01" in html or "\x02" in html:  # our layout marks: rare, and translate is slow
        html = html.translate(_NO_MARKS)
    if "&#" in html:
        html = _SURROGATE_REFS.sub(_join_surrogates, html)
    reader.read(html)
    text = _layout("".join(reader.out))[:MAX_TEXT]
    hidden = " ".join("".join(reader.hidden).split())[:MAX_HIDDEN]
    links = [(href, shown, source, reader.base) for href, shown, source in reader.found]
    return HtmlRead(text, links, hidden, list(dict.fromkeys(reader.skipped)))


def html_to_text(html: str) -> str:
    """What a reader sees of an HTML document, as plain text (bounded)."""
    return read_html(html).text


def _layout(text: str) -> str:
    """HTML whitespace rules: source line breaks are spaces; blocks and <br> make the lines. A zero-width
    space takes no room: "ア\u200bカ\u200bウ" reads アカウ (padding of &#8203;&nbsp; is one space)."""
    text = _HTML_SPACE.sub(" ", text.replace("\u200b", ""))
    text = _BREAKS.sub(lambda m: "\n" * max(1, m.group(0).count(_HARD)), text)
    return "\n".join(line.strip(" \t") for line in text.replace(_CELL_MARK, "\t").split("\n")).strip()


def _tidy(text: str) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _RUNS.sub(" ", text)
    lines = text.split("\n")
    if len(lines) > 1:  # no spaces at either end of a line (the text's own ends: see below)
        last = len(lines) - 1
        text = "\n".join(line.strip(_LINE_EDGE) if 0 < i < last else
                         line.rstrip(_LINE_EDGE) if i == 0 else line.lstrip(_LINE_EDGE)
                         for i, line in enumerate(lines))
    return _BLANKS.sub("\n\n", text).strip()  # and at most one blank line


@dataclass
class Body:
    text: str  # readable text of all body text parts, HTML as a reader sees it
    html: str  # concatenated HTML source
    links: list[RawLink] = field(default_factory=list)  # links of the HTML parts, as written
    hidden: str = ""  # text the HTML parts' styles hide from the reader (bounded)
    skipped: list[str] = field(default_factory=list)  # the HTML bounds reached (message.limits reasons)


def extract_body(message: Message) -> Body:
    """The body's text, HTML source and HTML links, from one pass over each HTML part."""
    body = Body("", "")
    texts: list[str] = []
    htmls: list[str] = []
    hidden: list[str] = []
    _collect(message, texts, htmls, body.links, nested=True, hidden=hidden, skipped=body.skipped)
    body.hidden = " ".join(hidden)[:MAX_HIDDEN]
    body.text = "\n\n".join(texts)[:MAX_TEXT]
    body.html = "\n".join(htmls)[:MAX_HTML]
    return body


def extract_text(message: Message) -> tuple[str, str]:
    """(readable text of all body text parts incl. HTML as text, concatenated HTML source)."""
    body = extract_body(message)
    return body.text, body.html


def _collect(message: Message, texts: list[str], htmls: list[str], links: list[RawLink],
             nested: bool, hidden: list[str], skipped: list[str]) -> None:
    text_size = sum(len(t) for t in texts)
    html_size = sum(len(h) for h in htmls)
    for part in message.parts:
        if text_size >= MAX_TEXT:
            break
        ctype = part.content_type
        if ctype == "text/html" and part.text is not None:
            if html_size < MAX_HTML:
                source = part.text[: MAX_HTML - html_size]
                htmls.append(source)
                html_size += len(source)
                read = read_html(source)
                readable = read.text
                links.extend(read.links[: MAX_RAW_LINKS - len(links)])
                if read.hidden:
                    hidden.append(read.hidden)
                skipped.extend(r for r in read.skipped if r not in skipped)
            else:
                readable = ""
        elif ctype == "text/calendar" and part.text is not None:
            readable = _tidy(calendar_text(part.text))
        elif ctype.startswith("text/") and part.text is not None and _readable(part):
            readable = _tidy(part.text)
        elif nested and ctype == "message/rfc822" and part.payload:
            from ..parse import parse_message  # one level: the attached message as clients show it

            inner = parse_message(part.payload[:_MAX_NESTED_BYTES])
            inner_texts: list[str] = []
            _collect(inner, inner_texts, htmls, links, nested=False, hidden=hidden, skipped=skipped)
            html_size = sum(len(h) for h in htmls)
            readable = "\n\n".join(inner_texts)
        else:
            continue
        if readable:
            readable = readable[: MAX_TEXT - text_size]
            texts.append(readable)
            text_size += len(readable) + 2


# RFC 5545: a content line is NAME *(;PARAM=value) : VALUE, folded by CRLF and a space or tab
_ICAL_FOLD = re.compile(r"\n[ \t]")
# (each parameter begins at its ";" and each character is quoted or not: one way to match, linear)
_ICAL_LINE = re.compile(r'^([A-Za-z0-9-]{1,64})((?:;(?:"[^"\n]*"|[^:;"\n])*)*):(.*)$', re.M)
_ICAL_ESCAPE = re.compile(r"\\([nN,;\\])")
# what an invitation shows its reader: the title, the place, the description and the links
_ICAL_SHOWN = frozenset({"SUMMARY", "LOCATION", "DESCRIPTION", "COMMENT", "URL", "ATTACH", "CONFERENCE"})
_MAX_CALENDAR = 200_000


def calendar_text(ical: str) -> str:
    """What a calendar invitation shows (Thunderbird displays an invite's summary, place and
    description, its links clickable): the attacker's words when the invite is a lure."""
    unfolded = _ICAL_FOLD.sub("", ical[:_MAX_CALENDAR].replace("\r\n", "\n").replace("\r", "\n"))
    shown = [m.group(3) for m in _ICAL_LINE.finditer(unfolded) if m.group(1).upper() in _ICAL_SHOWN]
    return "\n".join(_ICAL_ESCAPE.sub(lambda e: "\n" if e.group(1) in "nN" else e.group(1), v) for v in shown)


def _readable(part: object) -> bool:
    """text/plain anywhere; other text/* only when shown inline (not css, code, data files)."""
    ctype = getattr(part, "content_type", "")
    if ctype in ("text/plain", "text/enriched", "text/richtext", "text/markdown"):
        return True
    if ctype in ("text/css", "text/javascript", "text/xml", "text/csv", "text/x-vcard", "text/vcard",
                 "text/calendar", "text/rfc822-headers", "text/x-diff", "text/x-patch"):
        return False
    return getattr(part, "disposition", None) != "attachment"
