"""QR codes drawn without a picture: a table whose cells are the modules, or lines of block characters.

Quishing moved the link into a QR code to get it past link filters; when filters learnt to read
pictures, the code was drawn instead — black and white table cells (`<td bgcolor="#000">`), or text
made of "█▀▄". A reader's phone scans either. Both are read back into modules and decoded like a
picture. Legitimate mail sends a QR code as an image; nobody draws one cell by cell.

Bounded: only HTML with at least 21 × 21 cells and text with block characters are looked at, at most
MAX_TABLES tables and MAX_SIDE modules a side.
"""

from __future__ import annotations

import re
from html import unescape

from selectolax.lexbor import LexborHTMLParser

from ..model import Attachment, Message
from .qr import MIN_SIDE, from_modules

MAX_TABLES = 5
MAX_SIDE = 200  # modules a side (a version-40 code has 177)
MAX_CELLS = 50_000  # table cells read per message (counted a full row at a time), as the reader's MAX_TAGS
_MIN_CELLS = MIN_SIDE * MIN_SIDE
_BLOCKS = "█▀▄"
_MAX_BLOCK_TEXT = 500_000
_HTML_BREAK = re.compile(r"<br\s*/?>|</(?:p|div|tr|li|h[1-6])\s*>|\r?\n", re.I)
_TAG = re.compile(r"<[^>]{0,2000}>")
_COLOR = re.compile(r"background(?:-color)?\s*:\s*([^;\"'}]+)", re.I)
_CLASS_RULE = re.compile(r"\.([A-Za-z_][\w-]{0,40})\s*\{([^}]{0,400})\}")
_HEX = re.compile(r"#([0-9a-f]{3}|[0-9a-f]{6})\b", re.I)
_RGB = re.compile(r"rgba?\(\s*(\d{1,3})\D+(\d{1,3})\D+(\d{1,3})", re.I)
_DARK_NAMES = frozenset({"black", "navy", "darkblue", "darkgreen", "maroon", "purple", "darkslategray",
                         "darkslategrey", "midnightblue"})


TABLE, BLOCKS = "qr-table", "qr-blocks"  # Attachment.sniffed_type of a drawing that holds a QR code


def drawn_qr(message: Message, html: str) -> list[Attachment]:
    """Each kind of drawing that holds a QR code, as an unnamed part carrying its texts (the QR
    check reads attachments' codes; a drawing is the same lure without the picture). Block
    characters are read from the text as written: the reader's text has its runs of spaces folded."""
    texts = [p.text for p in message.parts if p.text and p.content_type == "text/plain"]
    if any(ch in html for ch in _BLOCKS):
        texts.append(_html_lines(html))
    text = "\n".join(t for t in texts if any(ch in t for ch in _BLOCKS))[:_MAX_BLOCK_TEXT]
    out = []
    for kind, payloads in ((TABLE, _decoded(_table_grids(html) if _has_table(html) else [])),
                           (BLOCKS, _decoded(_block_grids(text) if text else []))):
        if payloads:
            out.append(Attachment(filename=None, content_type="text/html" if kind == TABLE else "text/plain",
                                  size=0, sniffed_type=kind, qr_payloads=payloads))
    return out


def _html_lines(html: str) -> str:
    """The HTML's text with its spaces kept (a drawing in a <pre> or in &nbsp;s): a line per break."""
    lines = _HTML_BREAK.sub("\n", html[:_MAX_BLOCK_TEXT])
    return unescape(_TAG.sub("", lines)).replace("\r", "")


def _has_table(html: str) -> bool:
    return html.count("<td") + html.count("<TD") >= _MIN_CELLS


def _decoded(grids: list[list[list[bool]]]) -> list[str]:
    found: list[str] = []
    for grid in grids:
        found += [p for p in from_modules(grid) if p not in found]
    return found


def _dark(color: str | None) -> bool | None:
    """Whether a CSS or HTML colour is dark (None: no colour given)."""
    if not color:
        return None
    value = color.strip().lower()
    if value in _DARK_NAMES:
        return True
    if m := _HEX.search(value):
        digits = m.group(1)
        if len(digits) == 3:
            digits = "".join(c * 2 for c in digits)
        rgb = [int(digits[i:i + 2], 16) for i in (0, 2, 4)]
    elif m := _RGB.search(value):
        rgb = [min(255, int(g)) for g in m.groups()]
    else:
        return False
    return 0.299 * rgb[0] + 0.587 * rgb[1] + 0.114 * rgb[2] < 128


def _table_grids(html: str) -> list[list[list[bool]]]:
    classes = {name: m.group(1) for name, body in _CLASS_RULE.findall(html[:200_000])
               if (m := _COLOR.search(body))}
    tree = LexborHTMLParser(html)
    grids: list[list[list[bool]]] = []
    budget = MAX_CELLS
    for table in tree.css("table")[:50]:
        rows = [tr for tr in table.css("tr") if _owner(tr) == table.mem_id][:MAX_SIDE + 1]
        if not MIN_SIDE <= len(rows) <= MAX_SIDE:
            continue
        grid = []
        for tr in rows:
            budget -= MAX_SIDE
            if budget < 0:
                return grids
            row: list[bool] = []
            for cell in tr.iter():
                if cell.tag not in ("td", "th"):
                    continue
                attrs = cell.attributes
                color = attrs.get("bgcolor")
                if m := _COLOR.search(attrs.get("style") or ""):
                    color = m.group(1)
                for name in (attrs.get("class") or "").split()[:4]:
                    color = classes.get(name, color)
                span = attrs.get("colspan") or "1"
                repeat = int(span) if span.isdigit() and 0 < int(span) <= MAX_SIDE else 1
                row += [bool(_dark(color))] * repeat
                if len(row) > MAX_SIDE:
                    break
            grid.append(row)
        if _square_enough(grid):
            grids.append(grid)
        if len(grids) >= MAX_TABLES:
            break
    return grids


def _owner(tr: object) -> int | None:
    """The table a row belongs to (rows of a nested table are the nested table's)."""
    node = getattr(tr, "parent", None)
    while node is not None and node.tag != "table":
        node = node.parent
    return node.mem_id if node is not None else None


def _square_enough(grid: list[list[bool]]) -> bool:
    width = max((len(r) for r in grid), default=0)
    return MIN_SIDE <= width <= MAX_SIDE and any(any(r) for r in grid) and \
        sum(len(r) == width for r in grid) >= len(grid) * 0.9


def _block_grids(text: str) -> list[list[list[bool]]]:
    """Runs of lines drawn only with block characters and spaces; each line is two module rows
    (▀ the upper, ▄ the lower, █ both). Full blocks two to a module ("██") are one module; a drawing
    of full blocks only is also read as one module row per line."""
    grids: list[list[list[bool]]] = []
    run: list[str] = []
    for line in [*text.split("\n")[:20_000], ""]:
        drawn = line.rstrip()
        if drawn and all(ch in _BLOCKS or ch in " \u00a0\u3000" for ch in drawn) and len(drawn) <= 2 * MAX_SIDE:
            run.append(drawn.replace("\u00a0", " ").replace("\u3000", "  "))
            continue
        if len(run) >= MIN_SIDE // 2:
            width = max(len(r) for r in run)
            rows = [[ch in pick for ch in r.ljust(width)] for r in run for pick in ("█▀", "█▄")]
            if all(r[i] == r[i + 1] for r in rows for i in range(0, width - 1, 2)):
                rows = [r[::2] for r in rows]  # "██" per module, as a square needs
            grids.append(rows)
            if not any("▀" in r or "▄" in r for r in run):
                grids.append(rows[::2])  # full blocks only: one line per module row
        run = []
        if len(grids) >= MAX_TABLES:
            break
    return grids
