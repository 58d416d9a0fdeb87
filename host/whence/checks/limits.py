"""What the analysis left unread: every bound that cut the work short is said, never silent.

Every byte of a message is hostile, so parsing, archive listings, image decoding and PDF rendering
all stop at hard limits (parse/limits.py, facts/attachments.py, facts/qr.py). A verdict on part of
a message must say so: this check reports, at info severity and with no weight of its own, which
limits were reached. It changes no score; it tells the reader what Whence could not vouch for.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..facts.links import MAX_LINKS
from ..facts.text import MAX_DEPTH, MAX_HTML, MAX_TAGS, MAX_TEXT
from ..i18n import T, Text
from .registry import CheckContext, Hit, check

# Each reason, in the order it is told, with what it means for the reader.
REASONS: dict[str, Text] = {
    "message-too-large": T("only the first 50 MB of the message were read",
                           "メールの先頭 50 MB だけを読み取りました"),
    "too-many-headers": T("headers beyond the first 1,000 were not read",
                          "1,000 件を超えるヘッダーは読み取っていません"),
    "header-too-long": T("over-long header values were cut", "長すぎるヘッダーの値は途中で切りました"),
    "too-many-parts": T("parts beyond the first 500 were not read",
                        "500 を超える MIME パートは読み取っていません"),
    "nesting-too-deep": T("parts nested more than 20 levels deep were not read",
                          "20 階層より深く入れ子になったパートは読み取っていません"),
    "too-many-lines": T("the end of a very long message was not read",
                        "非常に長いメールの末尾は読み取っていません"),
    "part-too-long": T("the rest of a body part longer than 32 MB was skipped",
                       "32 MB を超える本文パートの残りは読み飛ばしました"),
    "part-payload-truncated": T("only the first 10 MB of large attachments were examined",
                                "大きな添付ファイルは先頭 10 MB だけを調べました"),
    "text-truncated": T("only the first 2 million characters of long texts were read",
                        "長い本文は先頭 200 万文字だけを読み取りました"),
    "body-text": T("the body text beyond 2 million characters was not checked",
                   "200 万文字を超える本文は調べていません"),
    "links": T(f"links beyond the first {MAX_LINKS} were not checked",
               f"{MAX_LINKS} 件を超えるリンクは調べていません"),
    "html-flattened": T(f"HTML nested more than {MAX_DEPTH} elements deep was read as if flat",
                        f"{MAX_DEPTH} 階層より深く入れ子になった HTML は、入れ子を外して読み取りました"),
    "html-elements": T(f"HTML beyond its first {MAX_TAGS:,} elements was not read",
                       f"HTML の {MAX_TAGS:,} 要素目以降は読み取っていません"),
    "archive-members": T("an archive has more members than the 200 listed",
                         "圧縮ファイルの中身は 200 件までしか一覧にしていません"),
    "archive-budget": T("archives beyond the first 20 were not opened",
                        "21 個目以降の圧縮ファイルは開いていません"),
    "nested-archive-too-large": T("an archive inside an archive was too large (over 4 MB) to open",
                                  "圧縮ファイル内の圧縮ファイルが大きすぎる（4 MB 超）ため開いていません"),
    "nested-archive-unreadable": T("an archive inside an archive could not be read (corrupt, or lying about its size)",
                                   "圧縮ファイル内の圧縮ファイルが壊れているか大きさを偽っているため読めませんでした"),
    "nested-archive-count": T("only the first 3 archives inside an archive were opened",
                              "圧縮ファイル内の圧縮ファイルは 3 個までしか開いていません"),
    "nested-archive-depth": T("archives nested two or more levels deep were not opened",
                              "2 階層以上入れ子になった圧縮ファイルは開いていません"),
    "image-too-large": T("an image too large to decode safely (over 20 million pixels) was not scanned for "
                         "QR codes", "安全に展開できないほど大きな画像（2,000 万画素超）は QR コードを調べていません"),
    "image-budget": T("images beyond the first 10 were not scanned for QR codes",
                      "11 枚目以降の画像は QR コードを調べていません"),
    "pdf-budget": T("PDFs beyond the first 3 were not scanned for QR codes",
                    "4 個目以降の PDF は QR コードを調べていません"),
    "pdf-pages": T("only the first 3 pages of a PDF were scanned for QR codes",
                   "PDF は最初の 3 ページだけ QR コードを調べました"),
    "page-budget": T("attached web pages beyond the first 3 were not read for their links",
                     "4 個目以降の添付 Web ページはリンクを調べていません"),
}


def skipped(ctx: CheckContext) -> tuple[list[str], list[int]]:
    """(reasons in REASONS order, indexes of the attachments concerned)."""
    facts = ctx.facts
    found = {d for d in [*facts.message.defects, *facts.skipped] if d in REASONS}
    if len(facts.text or "") >= MAX_TEXT or len(facts.html or "") >= MAX_HTML:
        found.add("body-text")
    if len(facts.links) >= MAX_LINKS:
        found.add("links")
    concerned = []
    for i, attachment in enumerate(facts.attachments):
        mine = {s for s in getattr(attachment, "skipped", ()) if s in REASONS}
        if mine:
            concerned.append(i)
            found |= mine
    return [r for r in REASONS if r in found], concerned


DETAIL = T("To stay fast and safe on hostile input, Whence stopped at its limits: {what}. The verdict "
           "covers only what was read.",
           "悪意のある入力でも速く安全に動くよう、上限で処理を止めました：{what}。判定は読み取れた部分だけに"
           "基づいています。")


@check(
    "message.limits", "info", 0.0,
    title=T("Part of this message was not analysed", "このメールの一部は解析していません"),
    detail=DETAIL,
)
def message_limits(ctx: CheckContext) -> Iterator[Hit]:
    reasons, concerned = skipped(ctx)
    if not reasons:
        return
    joiner = {"en": "; ", "ja": "、"}
    detail = {lang: text.format(what=joiner[lang].join(REASONS[r][lang] for r in reasons))
              for lang, text in DETAIL.items()}
    yield Hit(evidence={"skipped": reasons}, attachments=concerned, detail=detail)
