"""A readable terminal report: verdict, route, authentication, links, findings by severity.

Every message-derived string goes through rich's `Text` (never markup), so a hostile subject cannot
restyle the terminal; control characters are replaced before printing.

The layout follows the terminal's width: an IP address, a host name or a time is never broken
across lines. Tables are used only where all their unbreakable cells fit; otherwise the route and
the links are drawn as stacked blocks (one hop or link per block) whose lines are packed here.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime, timezone, tzinfo
from typing import IO, Any, cast

from rich import box
from rich.cells import cell_len
from rich.console import Console, Group, RenderableType
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from ..i18n import pick

LEVEL_STYLE = {"dangerous": ("bold white on red", "‼"), "suspicious": ("bold black on dark_orange", "!"),
               "caution": ("bold black on yellow", "?"), "safe": ("bold white on green", "✓"),
               "unknown": ("bold white on grey42", "…")}
SEVERITY_STYLE = {"critical": "bold red", "high": "red", "medium": "dark_orange", "low": "yellow", "info": "cyan"}
SEVERITIES = ("critical", "high", "medium", "low", "info")
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
MONTHS_LONG = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
               "November", "December")
LABELS: dict[str, dict[str, Any]] = {
    "en": {"from": "From", "subject": "Subject", "origin": "Origin", "client": "Client (webmail)",
           "route": "Route (newest first)", "auth": "Authentication", "links": "Links", "attachments": "Attachments",
           "findings": "Findings", "lookups": "Network lookups", "none": "none", "offline": "offline: no lookups made",
           "shown": "shown", "target": "goes to", "trusted": "your side", "elapsed": "analysed in",
           "hop_cols": ("#", "from", "IP", "country", "by", "with", "time", "delay", ""), "provider": "your provider",
           "recheck": "Whence re-check", "att_cols": ("name", "type", "size", ""), "origin_mark": "◀ origin",
           "hop_from": "from", "hop_by": "by", "hop_helo": "HELO", "times": "local time UTC",
           "levels": {"dangerous": "DANGEROUS", "suspicious": "SUSPICIOUS", "caution": "CAUTION",
                      "safe": "SAFE", "unknown": "UNKNOWN"},
           "severities": {s: s for s in SEVERITIES},
           "results": {}, "skew": "skew", "units": ("s", "min", "h", "d"), "unit_sep": " ",
           "bytes": ("B", "KB", "MB", "GB"), "more": "… {n} more", "colon": ": ", "count": "{n}",
           # the sender-history line, as the panel words it (extension/_locales/en/messages.json)
           "history": "History", "history_first": "First message from this sender.",
           "history_one": "You have received 1 message from this sender before, on {date}.",
           "history_many": "You have received {n} messages from this sender since {date}.", "history_n": "{n}"},
    "ja": {"from": "差出人", "subject": "件名", "origin": "送信元", "client": "接続元（Webメール）",
           "route": "経路（新しい順）", "auth": "送信ドメイン認証", "links": "リンク", "attachments": "添付ファイル",
           "findings": "検出事項", "lookups": "ネットワーク照会", "none": "なし", "offline": "オフライン：照会なし",
           "shown": "表示", "target": "実際の行き先", "trusted": "受信者側", "elapsed": "解析時間",
           "hop_cols": ("#", "送信側", "IP アドレス", "国", "受信サーバー", "方式", "時刻", "遅延", ""),
           "provider": "受信サーバーの判定", "recheck": "Whence の再検証",
           "att_cols": ("ファイル名", "種類", "サイズ", ""), "origin_mark": "◀ 送信元",
           "hop_from": "送信側", "hop_by": "受信側", "hop_helo": "HELO 名", "times": "時刻は UTC",
           "levels": {"dangerous": "危険", "suspicious": "不審", "caution": "注意", "safe": "安全",
                      "unknown": "判定不能"},
           "severities": {"critical": "重大", "high": "高", "medium": "中", "low": "低", "info": "情報"},
           "results": {"pass": "成功", "fail": "失敗", "softfail": "失敗（ソフト）", "neutral": "中立",
                       "none": "なし", "temperror": "一時的なエラー", "permerror": "設定エラー",
                       "unknown": "不明", "policy": "ポリシー"},
           "skew": "時計のずれ", "units": ("秒", "分", "時間", "日"), "unit_sep": " ",
           "bytes": ("バイト", "KB", "MB", "GB"), "more": "… ほか {n} 件", "colon": "：", "count": "{n} 件",
           "history": "履歴", "history_first": "この送信元からの初めてのメールです。",
           "history_one": "この送信元からは以前 {date}に 1 通のメールを受け取っています。",
           "history_many": "この送信元からは {date}以降 {n} 通のメールを受け取っています。", "history_n": "{n} 通"},
}
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
GAP = 2  # spaces between packed tokens
# Japanese line-breaking rules (kinsoku): never start a line with a closing mark, never end one with an opening mark.
_NO_START = set("、。，．,.:;!?！？：；・ー…‥）」』】〕］｝〉》)]}”’ぁぃぅぇぉっゃゅょゎァィゥェォッャュョヮヵヶ々ゝゞ")
_NO_END = set("（「『【〔［｛〈《([{“‘")


def clean(value: Any, limit: int = 200) -> str:
    """A message-derived value as one printable line of at most `limit` characters."""
    text = _CONTROL.sub("�", "" if value is None else str(value)).replace("\n", " ")
    return text if len(text) <= limit else text[: limit - 1] + "…"


def render(report: dict[str, Any], lang: str = "en", console: Console | None = None) -> None:
    """Print the report to the terminal (or `console`), laid out for its width."""
    console = console or Console(highlight=False)
    console.print(build(report, lang, width=console.width))


# --- units: times, delays, sizes ---------------------------------------------------------------

def _offset(dt: datetime) -> str:
    off = dt.utcoffset()
    minutes = int(off.total_seconds() // 60) if off is not None else 0
    sign = "+" if minutes >= 0 else "−"
    return f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def _date(dt: datetime, lang: str) -> str:
    if lang == "ja":
        return f"{dt.year}年{dt.month}月{dt.day}日"
    return f"{dt.day} {MONTHS[dt.month - 1]} {dt.year}"


def local_time(iso: str | None, tz: tzinfo | None = None) -> datetime | None:
    """The hop's time in the viewer's time zone (`tz`, default the system's); None if unreadable."""
    if not iso:
        return None
    try:
        dt = datetime.fromisoformat(iso)
    except ValueError:
        return None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=timezone.utc)
    return dt.astimezone(tz)


def human_delay(seconds: float | None, lang: str = "en") -> str:
    """`+2 s`, `+3 min`, `−3 h skew`: a hop's delay as a person says it (negative = clock skew)."""
    if seconds is None:
        return ""
    L = LABELS.get(lang, LABELS["en"])
    units = L["units"]
    a = abs(seconds)
    if a < 90:
        amount = f"{round(a)}{L['unit_sep']}{units[0]}"
    elif a < 90 * 60:
        amount = f"{round(a / 60)}{L['unit_sep']}{units[1]}"
    elif a < 36 * 3600:
        amount = f"{round(a / 3600)}{L['unit_sep']}{units[2]}"
    else:
        amount = f"{round(a / 86400)}{L['unit_sep']}{units[3]}"
    if seconds < 0 and round(a) > 0:
        return f"−{amount} {L['skew']}" if lang != "ja" else f"−{amount}（{L['skew']}）"
    return f"+{amount}"


def human_size(size: Any, lang: str = "en") -> str:
    """1234567 -> `1.2 MB`."""
    if not isinstance(size, int | float):
        return ""
    units = LABELS.get(lang, LABELS["en"])["bytes"]
    value, unit = float(size), 0
    while value >= 1000 and unit < len(units) - 1:
        value, unit = value / 1000, unit + 1
    return f"{int(value)} {units[0]}" if unit == 0 else f"{value:.1f} {units[unit]}"


# --- line breaking ----------------------------------------------------------------------------

def _units(text: str, keep: Iterable[str] = ()) -> list[str]:
    """Break units: a run of narrow non-space characters (a word, a host name, an address) is one
    unit; each wide (CJK) character is one; whitespace runs become a single space. Each occurrence
    of a string in `keep` (a date such as `10 January 2025` or `2025年1月10日`, a count such as
    `3 通`) is one unit, spaces and all."""
    units: list[str] = []
    word = ""
    kept = sorted({k for k in keep if k}, key=len, reverse=True)
    pieces = re.split("(" + "|".join(map(re.escape, kept)) + ")", text) if kept else [text]
    for n, piece in enumerate(pieces):
        if n % 2:  # a kept string
            if word:
                units.append(word)
                word = ""
            units.append(piece)
            continue
        for ch in piece:
            if ch.isspace():
                if word:
                    units.append(word)
                    word = ""
                if units and units[-1] != " ":
                    units.append(" ")
            elif cell_len(ch) == 2:
                if word:
                    units.append(word)
                    word = ""
                units.append(ch)
            else:
                word += ch
    if word:
        units.append(word)
    joined: list[str] = []  # kinsoku: closing marks stick to what precedes, opening marks to what follows
    glue_next = False
    for unit in units:
        if joined and unit != " " and (glue_next or unit[0] in _NO_START) and joined[-1] != " ":
            joined[-1] += unit
        else:
            joined.append(unit)
        glue_next = unit != " " and unit[-1] in _NO_END
    return joined


def wrap(text: str, width: int, keep: Iterable[str] = ()) -> list[str]:
    """Lines of at most `width` cells. Breaks at spaces and between Japanese characters, never inside
    a word, host name, address or time (nor inside a string of `keep`), never before a closing or
    after an opening mark; only a word longer than a whole line is cut."""
    width = max(4, width)
    lines: list[str] = []
    line, used = "", 0
    for unit in _units(text, keep):
        if unit == " ":
            if used:
                line, used = line + " ", used + 1
            continue
        n = cell_len(unit)
        if used and used + n > width:
            lines.append(line.rstrip())
            line, used = "", 0
        while n > width:  # a single word wider than the line: nothing else to do but cut it
            head, rest = "", unit
            while rest and cell_len(head + rest[0]) <= width:
                head, rest = head + rest[0], rest[1:]
            lines.append(head)
            unit, n = rest, cell_len(rest)
        line, used = line + unit, used + n
    if line.strip():
        lines.append(line.rstrip())
    return lines or [""]


def _lines(text: str, width: int, indent: int = 0, style: str = "") -> list[Text]:
    """`text` wrapped by `wrap` as unwrappable rich lines, each indented by `indent` spaces."""
    out = []
    for line in wrap(text, width - indent):
        t = Text(" " * indent + line, style=style, no_wrap=True, overflow="ellipsis")
        out.append(t)
    return out


# --- packing unbreakable tokens into lines -----------------------------------------------------

def _fit(text: Text, width: int) -> Text:
    """One token, cropped with an ellipsis if even a line of its own cannot hold it."""
    if cell_len(text.plain) <= width:
        return text
    text = text.copy()
    text.truncate(max(1, width), overflow="ellipsis")
    return text


def pack(groups: list[list[Text]], width: int, indent: int = 0) -> list[Text]:
    """Lines of at most `width` cells from groups of tokens; a token is never split, and the tokens
    of one group (a label and its value) stay on one line whenever that line can hold them."""
    lines: list[Text] = []
    line = Text(" " * indent)
    used = indent

    def flush() -> None:
        nonlocal line, used
        if used > indent:
            lines.append(line)
        line, used = Text(" " * indent), indent

    room = max(1, width - indent)
    for group in groups:
        tokens = [t for t in group if t.plain]
        if not tokens or (len(group) > 1 and not group[-1].plain):  # a label without its value
            continue
        size = sum(cell_len(t.plain) for t in tokens) + (len(tokens) - 1)
        if used > indent and used + GAP + size > width:
            flush()
        if size > room:  # the group is too long for any line: place its tokens one by one
            for token in tokens:
                token = _fit(token, room)
                n = cell_len(token.plain)
                if used > indent and used + 1 + n > width:
                    flush()
                if used > indent:
                    line.append(" ")
                    used += 1
                line.append_text(token)
                used += n
            continue
        if used > indent:
            line.append(" " * GAP)
            used += GAP
        for i, token in enumerate(tokens):
            if i:
                line.append(" ")
            line.append_text(token)
        used += size
    flush()
    for text in lines:
        text.no_wrap = True
        text.overflow = "ellipsis"
    return lines


def _fits(console: Console, renderable: RenderableType, width: int) -> bool:
    """Whether `renderable` drawn at its natural width (nothing wrapped or cropped) fits `width`."""
    lines = console.render_lines(renderable, console.options.update_width(4000), pad=False)
    return max((sum(cell_len(seg.text) for seg in line) for line in lines), default=0) <= width


# --- the report --------------------------------------------------------------------------------

def build(report: dict[str, Any], lang: str, width: int = 100, tz: tzinfo | None = None) -> Group:
    """The report as rich renderables laid out for a terminal `width` columns wide."""
    L = LABELS.get(lang, LABELS["en"])
    measure = Console(width=max(width, 20), highlight=False, color_system=None, file=cast(IO[str], _Null()))
    verdict = report.get("verdict", {})
    level = verdict.get("level", "unknown")
    style, symbol = LEVEL_STYLE.get(level, LEVEL_STYLE["unknown"])
    parts: list[RenderableType] = []

    inner = max(20, width - 4)  # inside the panel's border and padding
    badge = f" {symbol} {L['levels'].get(level, level)} "
    score = f"  {verdict.get('score', 0):.1f}  "
    lead = cell_len(badge) + cell_len(score)
    summary = wrap(clean(pick(verdict.get("summary"), lang), 600), inner - lead)
    head = Text()
    head.append(badge, style=style)
    head.append(score, style="dim")
    head.append(summary[0])
    top: list[RenderableType] = [head]
    top.extend(Text(" " * lead + line, no_wrap=True) for line in summary[1:])
    msg = report.get("message") or {}
    sender = msg.get("from") or {}
    origin = report.get("origin") or {}
    where = " · ".join(clean(x) for x in (origin.get("hostname"), origin.get("org"), origin.get("country"),
                                            f"AS{origin['asn']}" if origin.get("asn") else None) if x)
    meta = [(L["from"], clean(f"{sender.get('name', '')} <{sender.get('address', '')}>")),
            (L["subject"], clean(msg.get("subject"))),
            (L["origin"], f"{clean(origin.get('ip')) or '?'}  {where}")]
    if origin.get("client_ip"):
        meta.append((L["client"], clean(origin["client_ip"])))
    said, keep = history_line(report, lang, tz)
    if said:
        meta.append((L["history"], said))
    label_width = max(cell_len(label) for label, _ in meta) + 1
    for label, value in meta:
        for i, line in enumerate(wrap(value, inner - label_width, keep if label == L["history"] else ())):
            row = Text(no_wrap=True)
            row.append((label if i == 0 else "").ljust(label_width - cell_len(label) + len(label) if i == 0
                                                         else label_width), style="bold")
            row.append(line)
            top.append(row)
    parts.append(Panel(Group(*top), title=clean(report.get("file") or "", max(10, width - 8)),
                       title_align="left", box=box.ROUNDED))

    hops = report.get("hops") or []
    if hops:
        parts.append(_route(hops[:30], origin, L, lang, width, measure, tz))
    parts.append(_auth(report.get("auth") or {}, L, lang, width, measure))

    titles = {f.get("id"): clean(pick(f.get("title"), lang), 120) for f in report.get("findings") or []}
    links = report.get("links") or []
    if links:
        parts.append(_links(links, L, width, titles))

    attachments = report.get("attachments") or []
    if attachments:
        parts.append(_attachments(attachments[:20], L, lang, width, measure, titles))

    findings = report.get("findings") or []
    sev_width = max(cell_len(v) for v in L["severities"].values()) + 2
    body = max(20, width - sev_width - 2)
    out: list[RenderableType] = [Text(L["findings"], style="italic")]
    order = {s: i for i, s in enumerate(SEVERITIES)}
    for f in sorted(findings, key=lambda f: (order.get(f.get("severity"), 9), -f.get("score", 0))):
        sev = f.get("severity", "info")
        name = L["severities"].get(sev, sev)
        title = wrap(clean(pick(f.get("title"), lang), 300), body)
        ident = f"[{f.get('id')}]"
        for i, line in enumerate(title):
            row = Text("  " + (name if i == 0 else "").ljust(sev_width - cell_len(name) + len(name) if i == 0
                                                             else sev_width), no_wrap=True)
            row.stylize(SEVERITY_STYLE.get(sev, ""), 0, len(row.plain))
            row.append(line, style="bold")
            if i == len(title) - 1 and cell_len(line) + 2 + cell_len(ident) <= body:
                row.append("  " + ident, style="dim")
                ident = ""
            out.append(row)
        if ident:
            out.extend(_lines(ident, width, sev_width + 2, "dim"))
        out.extend(_lines(clean(pick(f.get("detail"), lang), 800), width, sev_width + 2))
    if not findings:
        out.append(Text("  " + L["none"]))
    out.append(Text(""))
    parts.append(Group(*out))

    lookups = report.get("lookups") or []
    footer = Text(style="dim")
    footer.append(f"{L['lookups']}{L['colon']}{L['count'].format(n=len(lookups))}" if report.get("lookups_done")
                  else L["offline"])
    footer.append(f" · {L['elapsed']} {report.get('elapsed_ms', 0):.1f} ms")
    parts.append(footer)
    return Group(*parts)


def history_line(report: dict[str, Any], lang: str, tz: tzinfo | None = None) -> tuple[str, tuple[str, ...]]:
    """What the reader's own mail knows of the sender, worded as the panel words it ("You have
    received 12 messages from this sender since 1 June 2025" / "First message from this sender"),
    and the strings that must stay on one line (the date, the count); ("", ()) without history."""
    sender = (report.get("history") or {}).get("sender")
    if not isinstance(sender, dict):
        return "", ()
    L = LABELS.get(lang, LABELS["en"])
    count = sender.get("count")
    count = count if isinstance(count, int) and count > 0 else 0
    if not count:
        return L["history_first"], ()
    first = local_time(sender.get("first") if isinstance(sender.get("first"), str) else None, tz)
    if first is None:
        date = "?"
    elif lang == "ja":
        date = _date(first, lang)
    else:
        date = f"{first.day} {MONTHS_LONG[first.month - 1]} {first.year}"
    text = L["history_one"] if count == 1 else L["history_many"]
    amount = L["history_n"].format(n=count)
    return text.format(n=count, date=date), (date, amount)


class _Null:
    """A file that swallows output: the measuring console never prints."""

    def write(self, _: str) -> int:
        return 0

    def flush(self) -> None:
        pass


def _hop_cells(hops: list[dict[str, Any]], origin: dict[str, Any], L: dict[str, Any], lang: str,
               tz: tzinfo | None) -> tuple[str, list[dict[str, Text]]]:
    """The route's date (of the newest hop) and, per hop, its unbreakable cells."""
    times = [local_time(h.get("time"), tz) for h in hops]
    known = [t for t in times if t is not None]
    first = known[0] if known else None
    head = f"{_date(first, lang)} · {L['times']}{_offset(first)}" if first else ""
    rows = []
    for h, when in zip(hops, times, strict=True):
        if when is None:
            shown = ""
        else:
            shown = when.strftime("%H:%M:%S")
            if first is not None and when.date() != first.date():
                shown = f"{when.month}月{when.day}日 {shown}" if lang == "ja" else \
                    f"{when.day} {MONTHS[when.month - 1]} {shown}"
            if first is not None and _offset(when) != _offset(first):
                shown += f" {_offset(when)}"
        delay = h.get("delay_s")
        if h.get("index") == origin.get("hop_index"):  # the hop whose client is the origin
            mark = Text(L["origin_mark"], style="bold")
        else:
            mark = Text(L["trusted"], style="dim") if h.get("trusted") else Text("")
        helo = h.get("helo")
        name = h.get("from_host") or helo
        rows.append({
            "index": Text(str(h.get("index")), style="bold"),
            "from": Text(clean(name, 80), style="bold" if mark.plain == L["origin_mark"] else ""),
            "helo": Text(clean(helo, 80) if helo and helo != name else ""),
            "ip": Text(clean(h.get("from_ip"), 60)),
            "country": Text(clean(h.get("country"), 2), style="bold" if h.get("country") else ""),
            "by": Text(clean(h.get("by_host"), 80)),
            "with": Text(clean(h.get("with"), 20)),
            "time": Text(shown),
            "delay": Text(human_delay(delay, lang), style="red" if (delay or 0) < 0 else ""),
            "mark": mark,
        })
    return head, rows


def _route(hops: list[dict[str, Any]], origin: dict[str, Any], L: dict[str, Any], lang: str, width: int,
           measure: Console, tz: tzinfo | None) -> RenderableType:
    head, rows = _hop_cells(hops, origin, L, lang, tz)
    title = f"{L['route']} · {head}" if head else L["route"]
    keys = ("index", "from", "ip", "country", "by", "with", "time", "delay", "mark")
    unknown = () if any(row["country"].plain for row in rows) else ("country",)  # offline: no column
    for drop in ((), ("with",), ("with", "country"), ("with", "country", "delay")):
        drop = (*drop, *unknown)
        table = Table(title=title, box=box.SIMPLE_HEAD, title_justify="left", expand=False)
        for key, col in zip(keys, L["hop_cols"], strict=True):
            if key not in drop:
                table.add_column(col, no_wrap=True, overflow="ellipsis")
        for row in rows:
            table.add_row(*(row[k] for k in keys if k not in drop))
        if _fits(measure, table, width):
            return table
    # stacked: one block per hop
    lines: list[RenderableType] = [Text(title, style="italic")]
    for row in rows:
        lines.append(Text(""))
        lines.extend(pack([[row["index"]], [row["mark"]], [row["time"]], [row["delay"]]], width))
        lines.extend(pack([[Text(L["hop_from"], style="dim"), row["from"]],
                           [row["ip"]] if not row["ip"].plain else [Text(f"[{row['ip'].plain}]")],
                           [row["country"]],
                           [Text(L["hop_helo"], style="dim"), row["helo"]] if row["helo"].plain else []],
                          width, indent=2))
        lines.extend(pack([[Text(L["hop_by"], style="dim"), row["by"]], [row["with"]]], width, indent=2))
    lines.append(Text(""))
    return Group(*lines)


def _attachments(attachments: list[dict[str, Any]], L: dict[str, Any], lang: str, width: int, measure: Console,
                 titles: dict[Any, str]) -> RenderableType:
    """A table when every cell fits unwrapped; otherwise one block per attachment (name, type, size, then
    its findings), so a file name or a MIME type is folded only when a whole line cannot hold it."""
    rows = [(Text(clean(a.get("filename"), 80)),
             Text(clean(f"{a.get('content_type')} / {a.get('sniffed_type') or '?'}", 120)),
             Text(human_size(a.get("size"), lang)),
             [clean(titles.get(i) or i, 120) for i in a.get("findings") or []]) for a in attachments]
    table = Table(title=L["attachments"], box=box.SIMPLE_HEAD, title_justify="left", expand=False)
    for col in L["att_cols"]:
        table.add_column(col, no_wrap=True, overflow="ellipsis")
    for name, kind, size, found in rows:
        table.add_row(name, kind, size, Text("; ".join(found), style="red"))
    if _fits(measure, table, width):
        return table
    lines: list[RenderableType] = [Text(L["attachments"], style="italic")]
    for name, kind, size, found in rows:
        lines.append(Text(""))
        lines.extend(pack([[name]], width))
        lines.extend(_lines(kind.plain, width, 2))  # a MIME type longer than a line is cut, never cropped
        lines.extend(pack([[size]], width, indent=2))
        for title in found:
            lines.extend(_lines(title, width, 4, "red"))
    lines.append(Text(""))
    return Group(*lines)


def _auth(auth: dict[str, Any], L: dict[str, Any], lang: str, width: int, measure: Console) -> RenderableType:
    recheck = auth.get("recheck") or {}

    def cell(entry: dict[str, Any] | None) -> list[Text]:
        if not entry:
            return [Text("—", style="dim")]
        result = entry.get("result", "unknown")
        style = "green" if result == "pass" else "red" if result in ("fail", "softfail", "permerror") else "yellow"
        out = [Text(L["results"].get(result, clean(result, 20)), style=style)]
        if entry.get("domain"):
            out.append(Text(clean(entry["domain"], 80), style=style))
        return out

    rows: list[tuple[str, list[Text], list[Text]]] = [
        (method.upper(), cell(auth.get(method)), cell(recheck.get(method))) for method in ("spf", "dmarc", "arc")]
    provider = [d for d in auth.get("dkim") or [] if d.get("source") == "provider"]
    rechecked = [d for d in auth.get("dkim") or [] if d.get("source") == "recheck"]
    for i in range(max(len(provider), len(rechecked), 1)):
        rows.append(("DKIM", cell(provider[i] if i < len(provider) else None),
                     cell(rechecked[i] if i < len(rechecked) else None)))

    table = Table(title=L["auth"], box=box.SIMPLE_HEAD, title_justify="left")
    for col in ("", L["provider"], L["recheck"]):
        table.add_column(col)
    for method, a, b in rows:
        table.add_row(method, Text(" ").join(a), Text(" ").join(b))
    if _fits(measure, table, width):
        return table
    lines: list[RenderableType] = [Text(L["auth"], style="italic")]
    for method, a, b in rows:
        lines.extend(pack([[Text(method, style="bold")], [Text(L["provider"] + ":", style="dim"), *a],
                           [Text(L["recheck"] + ":", style="dim"), *b]], width))
    lines.append(Text(""))
    return Group(*lines)


def _url_tokens(url: str, host: str | None) -> list[Text]:
    """A URL as tokens that may each go on a line of their own: `scheme://host` whole, then the rest."""
    text = clean(url, 160)
    at = text.lower().find(host.lower()) if host else -1
    if host and at >= 0:
        cut = at + len(host)
        head, rest = text[:cut], text[cut:]
    else:
        head, rest = text, ""
    return [Text(head)] + ([Text(rest, style="dim")] if rest else [])


def _links(links: list[dict[str, Any]], L: dict[str, Any], width: int, titles: dict[Any, str]) -> RenderableType:
    lines: list[RenderableType] = [Text(L["links"], style="italic")]
    for link in links[:25]:
        lines.append(Text(""))
        shown = clean(link.get("text"), 80)
        if shown:
            lines.extend(_lines(f"{L['shown']}{L['colon']}{shown}", width))
        url, *rest = _url_tokens(link.get("url") or "", link.get("host"))
        lines.extend(pack([[Text(L["target"] + L["colon"].rstrip(), style="dim"), url]], width, indent=2))
        for tail in rest:  # the path and query may fold anywhere: the host is not in them
            lines.extend(Text("    " + tail.plain[i:i + width - 4], style="dim", no_wrap=True)
                         for i in range(0, len(tail.plain), max(1, width - 4)))
        for fid in link.get("findings") or []:
            lines.extend(_lines(titles.get(fid) or fid, width, 4, "red"))
    if len(links) > 25:
        lines.append(Text(L["more"].format(n=len(links) - 25), style="dim"))
    lines.append(Text(""))
    return Group(*lines)
