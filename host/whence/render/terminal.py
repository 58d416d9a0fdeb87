"""A readable terminal report: verdict, route table, authentication, links, findings by severity.

Every message-derived string goes through rich's `Text` (never markup), so a hostile subject cannot
restyle the terminal; control characters are replaced before printing.
"""

from __future__ import annotations

import re
from typing import Any

from rich import box
from rich.console import Console, Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from ..i18n import pick

LEVEL_STYLE = {"dangerous": ("bold white on red", "‼"), "suspicious": ("bold black on dark_orange", "!"),
               "caution": ("bold black on yellow", "?"), "safe": ("bold white on green", "✓"),
               "unknown": ("bold white on grey42", "…")}
SEVERITY_STYLE = {"critical": "bold red", "high": "red", "medium": "dark_orange", "low": "yellow", "info": "cyan"}
LABELS = {
    "en": {"from": "From", "subject": "Subject", "origin": "Origin", "client": "Client (webmail)",
           "route": "Route (newest first)", "auth": "Authentication", "links": "Links", "attachments": "Attachments",
           "findings": "Findings", "lookups": "Network lookups", "none": "none", "offline": "offline: no lookups made",
           "shown": "shown", "target": "goes to", "trusted": "your side", "elapsed": "analysed in",
           "hop_cols": ("#", "from", "ip", "by", "with", "time", "Δs", ""), "provider": "your provider",
           "recheck": "Whence re-check", "att_cols": ("name", "type", "size", ""), "origin_mark": "◀ origin"},
    "ja": {"from": "差出人", "subject": "件名", "origin": "送信元", "client": "接続元（Webメール）",
           "route": "経路（新しい順）", "auth": "送信ドメイン認証", "links": "リンク", "attachments": "添付ファイル",
           "findings": "検出事項", "lookups": "ネットワーク照会", "none": "なし", "offline": "オフライン：照会なし",
           "shown": "表示", "target": "実際の行き先", "trusted": "受信側", "elapsed": "解析時間",
           "hop_cols": ("#", "送信元", "IP", "受信サーバー", "方式", "時刻", "遅延(秒)", ""),
           "provider": "受信サーバーの判定", "recheck": "Whence の再検証",
           "att_cols": ("ファイル名", "種類", "サイズ", ""), "origin_mark": "◀ 送信元"},
}
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def clean(value: Any, limit: int = 200) -> str:
    text = _CONTROL.sub("�", "" if value is None else str(value))
    return text if len(text) <= limit else text[: limit - 1] + "…"


def render(report: dict[str, Any], lang: str = "en", console: Console | None = None) -> None:
    console = console or Console(highlight=False)
    console.print(build(report, lang))


def build(report: dict[str, Any], lang: str) -> Group:
    L = LABELS.get(lang, LABELS["en"])
    verdict = report.get("verdict", {})
    level = verdict.get("level", "unknown")
    style, symbol = LEVEL_STYLE.get(level, LEVEL_STYLE["unknown"])
    parts: list[Any] = []

    head = Text()
    head.append(f" {symbol} {level.upper()} ", style=style)
    head.append(f"  {verdict.get('score', 0):.1f}  ", style="dim")
    head.append(clean(pick(verdict.get("summary"), lang), 600))
    msg = report.get("message") or {}
    meta = Table.grid(padding=(0, 1))
    meta.add_column(style="bold")
    meta.add_column()
    sender = msg.get("from") or {}
    meta.add_row(L["from"], Text(clean(f"{sender.get('name', '')} <{sender.get('address', '')}>")))
    meta.add_row(L["subject"], Text(clean(msg.get("subject"))))
    origin = report.get("origin") or {}
    where = " · ".join(clean(x) for x in (origin.get("hostname"), origin.get("org"), origin.get("country"),
                                            f"AS{origin['asn']}" if origin.get("asn") else None) if x)
    meta.add_row(L["origin"], Text(f"{clean(origin.get('ip')) or '?'}  {where}"))
    if origin.get("client_ip"):
        meta.add_row(L["client"], Text(clean(origin["client_ip"])))
    parts.append(Panel(Group(head, meta), title=clean(report.get("file") or ""), title_align="left",
                       box=box.ROUNDED))

    hops = report.get("hops") or []
    if hops:
        table = Table(title=L["route"], box=box.SIMPLE_HEAD, title_justify="left", expand=False)
        for col in L["hop_cols"]:
            table.add_column(col, overflow="fold")
        for h in hops[:30]:
            delay = h.get("delay_s")
            delay_text = Text("" if delay is None else f"{delay:+.0f}", style="red" if (delay or 0) < 0 else "")
            if h.get("index") == origin.get("hop_index"):  # the hop whose client is the origin
                mark = Text(L["origin_mark"], style="bold")
            else:
                mark = Text(L["trusted"], style="dim") if h.get("trusted") else Text("")
            table.add_row(str(h.get("index")), Text(clean(h.get("from_host") or h.get("helo"), 60)),
                          Text(clean(h.get("from_ip"))), Text(clean(h.get("by_host"), 50)),
                          Text(clean(h.get("with"))), Text(clean((h.get("time") or "")[:19])), delay_text, mark)
        parts.append(table)

    parts.append(_auth_table(report.get("auth") or {}, L))

    links = report.get("links") or []
    if links:
        table = Table(title=L["links"], box=box.SIMPLE_HEAD, title_justify="left")
        table.add_column(L["shown"], overflow="fold", max_width=40)
        table.add_column(L["target"], overflow="fold")
        table.add_column("", style="red")
        for link in links[:25]:
            table.add_row(Text(clean(link.get("text"), 80)), Text(clean(link.get("url"), 160)),
                          Text(", ".join(link.get("findings") or [])))
        if len(links) > 25:
            table.add_row(Text(f"… +{len(links) - 25}"), Text(""), Text(""))
        parts.append(table)

    attachments = report.get("attachments") or []
    if attachments:
        table = Table(title=L["attachments"], box=box.SIMPLE_HEAD, title_justify="left")
        for col in L["att_cols"]:
            table.add_column(col, overflow="fold")
        for a in attachments[:20]:
            table.add_row(Text(clean(a.get("filename"), 80)),
                          Text(clean(f"{a.get('content_type')} / {a.get('sniffed_type') or '?'}")),
                          str(a.get("size")), Text(", ".join(a.get("findings") or []), style="red"))
        parts.append(table)

    findings = report.get("findings") or []
    table = Table(title=L["findings"], box=box.SIMPLE_HEAD, title_justify="left", show_header=False)
    table.add_column(width=9)
    table.add_column(overflow="fold")
    order = {s: i for i, s in enumerate(("critical", "high", "medium", "low", "info"))}
    for f in sorted(findings, key=lambda f: (order.get(f.get("severity"), 9), -f.get("score", 0))):
        sev = f.get("severity", "info")
        body = Text()
        body.append(clean(pick(f.get("title"), lang), 300), style="bold")
        body.append(f"  [{f.get('id')}]\n", style="dim")
        body.append(clean(pick(f.get("detail"), lang), 800))
        table.add_row(Text(sev, style=SEVERITY_STYLE.get(sev, "")), body)
    if not findings:
        table.add_row("", Text(L["none"]))
    parts.append(table)

    lookups = report.get("lookups") or []
    footer = Text(style="dim")
    footer.append(f"{L['lookups']}: {len(lookups)}" if report.get("lookups_done") else L["offline"])
    footer.append(f" · {L['elapsed']} {report.get('elapsed_ms', 0):.1f} ms")
    parts.append(footer)
    return Group(*parts)


def _auth_table(auth: dict[str, Any], L: dict[str, str]) -> Table:
    table = Table(title=L["auth"], box=box.SIMPLE_HEAD, title_justify="left")
    for col in ("", L["provider"], L["recheck"]):
        table.add_column(col)
    recheck = auth.get("recheck") or {}

    def cell(entry: dict[str, Any] | None) -> Text:
        if not entry:
            return Text("—", style="dim")
        result = entry.get("result", "unknown")
        style = "green" if result == "pass" else "red" if result in ("fail", "softfail", "permerror") else "yellow"
        return Text(f"{result} {clean(entry.get('domain') or '')}".strip(), style=style)

    for method in ("spf", "dmarc", "arc"):
        table.add_row(method.upper(), cell(auth.get(method)), cell(recheck.get(method)))
    provider = [d for d in auth.get("dkim") or [] if d.get("source") == "provider"]
    rechecked = [d for d in auth.get("dkim") or [] if d.get("source") == "recheck"]
    for i in range(max(len(provider), len(rechecked), 1)):
        table.add_row("DKIM", cell(provider[i] if i < len(provider) else None),
                      cell(rechecked[i] if i < len(rechecked) else None))
    return table
