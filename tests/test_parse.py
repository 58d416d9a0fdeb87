"""The parse stage on the byte sequences Japanese mail really carries, and on broken input.

Byte sequences are written out by hand (JIS row/cell, Shift_JIS, EUC-JP codes) so that the
decoders are checked against the standards' tables, not against themselves.
"""

from __future__ import annotations

import base64
import random
from datetime import timedelta
from pathlib import Path

import pytest
from whence.facts.forwards import find_forward
from whence.facts.headers import addresses, parse_date, recipient_of
from whence.facts.text import calendar_text, extract_text, html_to_text, read_html
from whence.model import Context
from whence.parse import parse_message
from whence.parse.charsets import decode_bytes

CASES = Path(__file__).parent / "data" / "cases"


def msg(headers: bytes, body: bytes = b"", ctype: bytes | None = None) -> bytes:
    head = b"From: a@example.jp\r\nTo: b@example.jp\r\n" + headers
    if ctype:
        head += b"MIME-Version: 1.0\r\nContent-Type: " + ctype + b"\r\n"
    return head + b"\r\n" + body


def body_text(raw: bytes) -> str:
    parts = [p for p in parse_message(raw).parts if p.text is not None]
    assert parts, "no text part"
    return parts[0].text or ""


# --- bodies ------------------------------------------------------------------------------------

def test_iso2022jp_plain() -> None:
    # 会議 = JIS 0x3271 0x3544
    raw = msg(b"", b"\x1b$B2q5D\x1b(B 10:00\r\n", b"text/plain; charset=ISO-2022-JP")
    assert body_text(raw).strip() == "会議 10:00"


def test_iso2022jp_cp50221_nec_special_and_ibm_extension() -> None:
    # ① = NEC row 13 (0x2D21), 髙 = NEC-selected IBM extension row 92 (0x7C62): not JIS X 0208
    raw = msg(b"", b"\x1b$B-!2q5D\x1b(B \x1b$B|b\x1b(B\r\n",
              b"text/plain; charset=iso-2022-jp")
    assert body_text(raw).strip() == "①会議 髙"


def test_iso2022jp_halfwidth_katakana_escape() -> None:
    # ESC ( I selects JIS X 0201 katakana: 0x31 0x32 0x33 = ｱｲｳ
    raw = msg(b"", b"\x1b(I123\x1b(B OK\r\n", b"text/plain; charset=iso-2022-jp")
    assert body_text(raw).strip() == "ｱｲｳ OK"


def test_iso2022jp_so_si_katakana() -> None:
    # CP50222: SO/SI shift into JIS X 0201 katakana inside the ASCII set
    assert decode_bytes(b"\x0e123\x0f!", "iso-2022-jp")[0] == "ｱｲｳ!"


def test_shift_jis_label_decodes_cp932_characters() -> None:
    # ～ (0x8160 → U+FF5E in CP932), ① (0x8740), 髙 (0xFBFC IBM extension)
    raw = msg(b"", b"\x81`\x87@\xfb\xfc\r\n", b"text/plain; charset=shift_jis")
    assert body_text(raw).strip() == "\uff5e①髙"


@pytest.mark.parametrize("label", ["sjis", "x-sjis", "windows-31j", "Shift-JIS", "MS_Kanji"])
def test_shift_jis_aliases(label: str) -> None:
    # 件名テスト in Shift_JIS
    raw = msg(b"", b"\x8c\x8f\x96\xbc\x83e\x83X\x83g", b"text/plain; charset=" + label.encode())
    assert body_text(raw) == "件名テスト"


def test_euc_jp_body_with_nec_special() -> None:
    # 日本語のメール in EUC-JP, then ① as CP51932 0xADA1
    raw = msg(b"", b"\xc6\xfc\xcb\xdc\xb8\xec\xa4\xce\xa5\xe1\xa1\xbc\xa5\xeb\xad\xa1",
              b"text/plain; charset=EUC-JP")
    assert body_text(raw) == "日本語のメール①"


def test_euc_jp_halfwidth_katakana() -> None:
    assert decode_bytes(b"\x8e\xb1\x8e\xb2", "euc-jp")[0] == "ｱｲ"


def test_utf8_body_quoted_printable() -> None:
    raw = msg(b"Content-Transfer-Encoding: quoted-printable\r\n",
              b"=E3=81=93=E3=82=93=E3=81=AB=E3=81=A1=E3=81=AF\r\n", b"text/plain; charset=utf-8")
    assert body_text(raw).strip() == "こんにちは"


def test_lying_label_utf8_declared_shift_jis_sent() -> None:
    raw = msg(b"", b"\x8c\x8f\x96\xbc\x83e\x83X\x83g\x82\xc5\x82\xb7", b"text/plain; charset=utf-8")
    message = parse_message(raw)
    assert message.parts[0].text == "件名テストです"
    assert "charset-mislabelled" in message.defects


def test_lying_label_latin1_declared_utf8_sent() -> None:
    raw = msg(b"", "料金のお支払い".encode(), b"text/plain; charset=iso-8859-1")
    assert body_text(raw) == "料金のお支払い"


def test_unknown_label_detects_euc_jp() -> None:
    raw = msg(b"", b"\xa4\xb3\xa4\xf3\xa4\xcb\xa4\xc1\xa4\xcf\xa1\xa2\xc6\xfc\xcb\xdc",
              b"text/plain; charset=x-unknown")
    assert body_text(raw) == "こんにちは、日本"


def test_unlabelled_latin1_stray_bytes() -> None:
    raw = msg(b"", b"Payment to E.On in D\xfcsseldorf", b"text/plain")
    assert body_text(raw) == "Payment to E.On in Düsseldorf"


def test_html_meta_charset_used_when_header_has_none() -> None:
    html = b'<html><head><meta charset="Shift_JIS"></head><body>\x82\xa0\x82\xa2</body></html>'
    raw = msg(b"", html, b"text/html")
    assert "あい" in body_text(raw)


# --- headers -----------------------------------------------------------------------------------

def subject(raw_subject: bytes) -> str:
    return parse_message(msg(b"Subject: " + raw_subject + b"\r\n", b"x")).get("Subject") or ""


def test_rfc2047_split_inside_utf8_character() -> None:
    data = "こんにちは".encode()
    first, second = base64.b64encode(data[:4]), base64.b64encode(data[4:])  # 4: inside ん
    assert subject(b"=?UTF-8?B?" + first + b"?= =?UTF-8?B?" + second + b"?=") == "こんにちは"


def test_rfc2047_split_inside_iso2022jp_run() -> None:
    # the JIS run for 件名テスト split across two words without re-escaping
    jis = b"\x1b$B7oL>%F%9%H\x1b(B"
    words = b"=?ISO-2022-JP?B?" + base64.b64encode(jis[:7]) + b"?=\r\n =?ISO-2022-JP?B?" + \
        base64.b64encode(jis[7:]) + b"?="
    assert subject(words) == "件名テスト"


def test_rfc2047_iso2022jp_nec_special() -> None:
    word = b"=?iso-2022-jp?B?" + base64.b64encode(b"\x1b$B-!-\"\x1b(B") + b"?="  # ①②
    assert subject(word + b" notice") == "①② notice"


def test_rfc2047_wrong_label_on_utf8_bytes() -> None:
    word = b"=?iso-8859-1?B?" + base64.b64encode("重要なお知らせ".encode()) + b"?="
    assert subject(word) == "重要なお知らせ"


def test_rfc2047_missing_terminator_and_mid_word() -> None:
    assert subject(b"foo=?UTF-8?B?5pel?=bar") == "foo日bar"
    assert subject(b"[spam] =?UTF-8?B?5pel5pys6Kqe") == "[spam] 日本語"
    assert subject(b"=?UTF-8?Q?caf=C3=A9_au_lait?= ok") == "café au lait ok"


def test_rfc2047_unknown_charset_detected() -> None:
    word = b"=?x-unknown?B?" + base64.b64encode(b"\x8c\x8f\x96\xbc\x83e\x83X\x83g") + b"?="
    assert subject(word) == "件名テスト"


def test_raw_8bit_headers() -> None:
    assert subject("【重要】お支払い".encode()) == "【重要】お支払い"
    assert subject(b"\x8c\x8f\x96\xbc\x83e\x83X\x83g") == "件名テスト"  # Shift_JIS
    assert subject(b"\xb7\xef\xcc\xbe\xa5\xc6\xa5\xb9\xa5\xc8") == "件名テスト"  # EUC-JP
    assert subject(b"\x1b$B7oL>%F%9%H\x1b(B") == "件名テスト"  # raw ISO-2022-JP


def test_raw_header_mixing_utf8_and_euc_jp() -> None:
    # list software re-tagging: UTF-8 "お客様" followed by EUC-JP "のJCB"
    raw = "お客様".encode() + b"\xa4\xceJCB" + "アカウント".encode()
    assert subject(b"[SPAM] " + raw) == "[SPAM] お客様のJCBアカウント"


def test_headers_keep_order_unfold_and_decode() -> None:
    raw = (b"Received: from a by b;\r\n\tMon, 2 Sep 2024 10:00:00 +0900\r\n"
           b"Received: from c by d; Mon, 2 Sep 2024 09:59:00 +0900\r\n"
           b"Subject: =?UTF-8?B?44GC?=\r\n =?UTF-8?B?44GE?=\r\n\r\nbody")
    message = parse_message(raw)
    assert [k for k, _ in message.headers] == ["Received", "Received", "Subject"]
    assert message.get_all("Received")[0] == "from a by b;\tMon, 2 Sep 2024 10:00:00 +0900"
    assert message.get("subject") == "あい"


def test_address_display_name_with_comma_stays_one_address() -> None:
    word = b"=?UTF-8?B?" + base64.b64encode(b"Amazon, Inc") + b"?="
    message = parse_message(b"From: " + word + b" <Shop@Example.COM>\r\n\r\nx")
    found = addresses(message.get("From") or "")
    assert [(a.display_name, a.address, a.domain) for a in found] == \
        [("Amazon, Inc", "shop@example.com", "example.com")]


def test_addresses_spoofed_display_name_and_lists() -> None:
    found = addresses("support@amazon.co.jp <evil@Example.NET>")
    assert [(a.display_name, a.address) for a in found] == [("support@amazon.co.jp", "evil@example.net")]
    found = addresses('"山田, 花子" <h@example.jp>, b@example.jp, Amazon')
    assert [a.address for a in found] == ["h@example.jp", "b@example.jp", ""]
    assert found[0].display_name == "山田, 花子" and found[2].display_name == "Amazon"
    assert addresses("undisclosed-recipients:;") == []
    (one,) = addresses("Microsoft account team ,_<no-reply@Access-Security.example>")  # unquoted comma
    assert (one.display_name, one.domain) == ("Microsoft account team ,_", "access-security.example")
    assert addresses("\x00<<<@@@>>>\"") is not None


def test_parse_date() -> None:
    when = parse_date("Mon, 2 Sep 2024 10:00:00 +0900 (JST)")
    assert when is not None and when.utcoffset() == timedelta(hours=9) and when.hour == 10
    naive = parse_date("Mon, 2 Sep 2024 10:00:00 -0000")
    assert naive is not None and naive.utcoffset() == timedelta(0)
    assert parse_date("not a date") is None
    assert parse_date(None) is None
    assert parse_date("2024-09-02T01:00:00Z") == parse_date("Mon, 2 Sep 2024 10:00:00 +0900")


def test_recipient_of() -> None:
    message = parse_message(b"Delivered-To: Taro@Example.JP\r\nTo: a@x.jp, b@x.jp\r\n\r\nx")
    assert recipient_of(message, Context(account_email="Me@Example.jp")) == "me@example.jp"
    assert recipient_of(message, Context()) == "taro@example.jp"
    single = parse_message(b"To: Taro <taro@example.jp>\r\n\r\nx")
    assert recipient_of(single, Context()) == "taro@example.jp"
    many = parse_message(b"To: a@x.jp, b@x.jp\r\n\r\nx")
    assert recipient_of(many, Context()) is None


# --- parts -------------------------------------------------------------------------------------

MULTI = (b"MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"B\"\r\n\r\n"
         b"--B\r\nContent-Type: multipart/alternative; boundary=\"A\"\r\n\r\n"
         b"--A\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nplain text\r\n"
         b"--A\r\nContent-Type: text/html; charset=utf-8\r\n\r\n"
         b"<p>Hello<img alt=\"logo\"><script>evil()</script></p><p>A&amp;B</p>\r\n--A--\r\n"
         b"--B\r\nContent-Type: application/pdf\r\nContent-Disposition: attachment;\r\n"
         b" filename*=UTF-8''%E8%AB%8B%E6%B1%82%E6%9B%B8.pdf\r\nContent-Transfer-Encoding: base64\r\n\r\n"
         b"JVBERi0xLjQK\r\n"
         b"--B\r\nContent-Type: application/octet-stream; name=\"=?ISO-2022-JP?B?GyRCO3FOQRsoQg==?=.zip\"\r\n"
         b"Content-Disposition: attachment\r\n\r\nPK\r\n"
         b"--B\r\nContent-Type: application/octet-stream\r\n"
         b"Content-Disposition: attachment; filename=\"\x8c\x8f\x96\xbc.txt\"\r\n\r\nx\r\n"
         b"--B\r\nContent-Type: message/rfc822\r\n\r\n"
         b"Subject: inner\r\nFrom: c@example.org\r\n\r\ninner body https://inner.example.org/\r\n"
         b"--B--\r\n")


def test_leaf_parts_filenames_and_payloads() -> None:
    message = parse_message(MULTI)
    assert [p.content_type for p in message.parts] == [
        "text/plain", "text/html", "application/pdf", "application/octet-stream",
        "application/octet-stream", "message/rfc822"]
    pdf = message.parts[2]
    assert (pdf.filename, pdf.disposition, pdf.size) == ("請求書.pdf", "attachment", 9)
    assert pdf.payload == b"%PDF-1.4\n"
    assert message.parts[3].filename == "資料.zip"  # RFC 2047 inside a quoted parameter, ISO-2022-JP
    assert message.parts[4].filename == "件名.txt"  # raw Shift_JIS bytes in the parameter
    inner = message.parts[5]
    assert inner.payload.startswith(b"Subject: inner") and inner.text is None
    assert message.parts[0].charset == "utf-8" and not message.truncated


BOUNDARY_LINES = ["", "\n", "{s}", "{s}\n", "{s}\r\n", "{s}\r", "{s}--", "{s}--\r\n", "{s} \t\n",
                  "{s}--  \r", "{s}x\n", "x{s}\n", "{s}\r\r\n", "{s}\n\n", "{s}---\n", " {s}\n"]


@pytest.mark.parametrize("boundary", ["simple", "=_Part_12.34$x", "a b(c)|d", "\\x*[]?", "Ω"])
def test_boundary_lines_match_as_the_stdlib_pattern_does(boundary: str) -> None:
    """The feed parser's boundary matcher stands in for the regex it would compile: same lines, same groups."""
    import email.feedparser
    import inspect
    import re

    from whence.parse import mime

    assert mime._BoundaryMatcher.TAIL in inspect.getsource(email.feedparser)  # the stdlib still builds it
    separator = "--" + boundary
    pattern = "(?P<sep>" + re.escape(separator) + mime._BoundaryMatcher.TAIL
    matcher, regex = email.feedparser.re.compile(pattern), re.compile(pattern)
    assert isinstance(matcher, mime._BoundaryMatcher)
    for line in (template.format(s=separator) for template in BOUNDARY_LINES):
        ours, theirs = matcher.match(line), regex.match(line)
        assert (ours is None) == (theirs is None), line
        if ours and theirs:
            assert ours.group("end", "ws", "linesep") == theirs.group("end", "ws", "linesep"), line


def test_extract_text_includes_html_and_attached_message() -> None:
    text, html = extract_text(parse_message(MULTI))
    assert "plain text" in text and "Hello" in text and "logo" in text and "A&B" in text
    assert "evil()" not in text
    assert "inner body" in text  # the attached message, as mail clients show it
    assert "<script>" in html


def test_html_to_text_blocks_entities_and_hidden_head() -> None:
    html = ("<html><head><title>T</title><style>p{}</style></head><body>"
            "<div>一行目</div><div>二行目&nbsp;&#x2460;&#55357;&#56832;</div>"
            "<table><tr><td>a</td><td>b</td></tr></table><img src=x alt='ロゴ'></body></html>")
    assert html_to_text(html) == "一行目\n二行目 ①😀\na\tb\nロゴ"
    assert html_to_text("<head><body>body after an unclosed head") == "body after an unclosed head"
    # a zero-width space takes no room, and preheader padding of &#8203;&nbsp; is one space
    assert html_to_text("<p>ア&#8203;カ&#8203;ウ&#8203;ン&#8203;ト</p>") == "アカウント"
    assert html_to_text("<p>Sale&#8203;&nbsp;&#8203;&nbsp;&#8203;&nbsp;now</p>") == "Sale now"


def test_html_is_read_as_browsers_read_it() -> None:
    """HTML5 rules, which Thunderbird follows: a legacy entity without ";" inside an attribute stays as
    written (the link a browser opens), the first of two duplicate attributes counts, and a hiding
    style on a formatting element reaches the blocks a browser carries it into."""
    _text, links, _, _skipped = read_html('<a href="https://shop.example/c?target=3&sectionid=1&copy=2">x</a>'
                                '<a href="https://first.example/" href="https://second.example/">y</a>')
    assert [href for href, *_ in links] == ["https://shop.example/c?target=3&sectionid=1&copy=2",
                                            "https://first.example/"]
    read = read_html('<font style="font-size:0">salad words<p>more salad</p></font><p>shown</p>')
    assert read.hidden == "salad words more salad" and read.text.endswith("shown")


def test_hidden_text_ends_with_its_element_below_markup_too_deep_to_track() -> None:
    """Elements nested past what the reader tracks are read as shown, and the hiding element
    around them still ends at its own end tag."""
    deep = "<b>" * 1200 + "salad" + "</b>" * 1200
    read = read_html(f'<div style="display:none">{deep}</div><p>shown</p>')
    assert read.hidden.split() == ["salad"] and read.text.split() == ["salad", "shown"]


# --- the acceptance cases ----------------------------------------------------------------------

EXPECTED_SUBJECTS = {
    "personal-iso2022jp.eml": "来週の打ち合わせ",
    "kagoya-phish.eml":
        "[spam] Kagoyaのプライバシーポリシーに同意するためのリマインダー09/02/2024 05:54:41 pm",
    "amazon-jp-legit.eml": "Amazon.co.jp ご注文の商品を発送しました",
    "qr-tax-cn.eml": "关于2024补贴办理事项通知!",
    "etc-phish.eml": "【ETC】重要なお知らせ",
}


@pytest.mark.parametrize("path", sorted(CASES.glob("*.eml")), ids=lambda p: p.name)
def test_cases_parse_cleanly(path: Path) -> None:
    message = parse_message(path.read_bytes())
    assert message.get("From") and message.parts and not message.truncated
    subject_ = message.get("Subject") or ""
    text, _ = extract_text(message)
    for decoded in (subject_, text):
        assert "\ufffd" not in decoded and "=?" not in decoded
    if path.name in EXPECTED_SUBJECTS:
        assert subject_ == EXPECTED_SUBJECTS[path.name]


def test_case_iso2022jp_body() -> None:
    message = parse_message((CASES / "personal-iso2022jp.eml").read_bytes())
    assert "火曜日の14時から" in (message.parts[0].text or "")
    name = addresses(message.get("From") or "")[0].display_name
    assert name == "山田花子"


# --- never raises ------------------------------------------------------------------------------

def test_fuzz_random_bytes_never_raise() -> None:
    rng = random.Random(20250601)
    for _ in range(300):
        raw = bytes(rng.getrandbits(8) for _ in range(rng.randrange(0, 2000)))
        message = parse_message(raw)
        assert message.raw_size == len(raw)
        extract_text(message)


def test_fuzz_truncated_and_mutated_mime_never_raise() -> None:
    rng = random.Random(7)
    sources = [MULTI] + [p.read_bytes() for p in sorted(CASES.glob("*.eml"))]
    for source in sources:
        for cut in range(0, len(source), max(1, len(source) // 40)):
            parse_message(source[:cut])
        for _ in range(20):
            data = bytearray(source)
            for _ in range(10):
                data[rng.randrange(len(data))] = rng.choice(b"\x00\x1b\r\n:;=?\"<>-\xff\x80B")
            message = parse_message(bytes(data))
            extract_text(message)
            assert isinstance(message.headers, list)


def test_odd_inputs() -> None:
    assert parse_message(b"").parts is not None
    assert parse_message("Subject: str input\n\nbody").get("Subject") == "str input"  # type: ignore[arg-type]
    message = parse_message(b"Content-Type: multipart/mixed\r\n\r\nno boundary at all")
    assert message.parts[0].text == "no boundary at all"
    message = parse_message(
        b"Content-Type: text/plain; charset=\"\r\nContent-Transfer-Encoding: base64\r\n\r\n@@@")
    assert message.parts and message.defects is not None


# --- inline forwards -------------------------------------------------------------------------------

@pytest.mark.parametrize("text,sender", [
    ("見てください。\n\n-------- 転送メッセージ --------\n件名: \tご確認\n"
     "差出人: \t三井住友カード <info@smbc.example>\n",
     "三井住友カード <info@smbc.example>"),
    ("FYI\n\n---------- Forwarded message ---------\nFrom: Bank <alert@bank.example>\nDate: Mon\n",
     "Bank <alert@bank.example>"),
    ("See below.\n\n-----Original Message-----\nFrom: John [mailto:john@example.org]\nSent: Monday\n",
     "John [mailto:john@example.org]"),
    ("Look:\n\nBegin forwarded message:\n\n> From: Shop <news@shop.example>\n> Subject: Sale\n",
     "Shop <news@shop.example>"),
    ("-------- Forwarded Message --------\nSubject: hi\n", None),
])
def test_an_inline_forward_is_found_with_its_sender(text: str, sender: str | None) -> None:
    forward = find_forward(text)
    assert forward is not None and forward.sender == sender
    assert text[forward.at:].lstrip(" >").startswith(("-", "Begin"))


@pytest.mark.parametrize("text", [
    "On Mon, Jane wrote:\n> From: the shop\n> a quoted reply is no forward\n",
    "The patch below fixes it.\n---\n drivers/foo.c | 2 +-\n",
    "-------- \nSignature line\n",
])
def test_replies_patches_and_signatures_are_no_forward(text: str) -> None:
    assert find_forward(text) is None


def test_a_calendar_invitation_reads_as_its_reader_sees_it() -> None:
    """Title, place, description and links, RFC 5545 lines unfolded and escapes read; not the
    organiser's address or the machine fields."""
    ical = ("BEGIN:VCALENDAR\r\nMETHOD:REQUEST\r\nBEGIN:VEVENT\r\nSUMMARY:Payment overdue\\, act now\r\n"
            'DESCRIPTION;ALTREP="cid:part1@x":Your account.\\nVerify at https://kq7vz3.cn/\r\n pay\r\n'
            "LOCATION:Online\r\nORGANIZER;CN=Billing:mailto:billing@kq7vz3.cn\r\nDTSTART:20251201T100000Z\r\n"
            "END:VEVENT\r\nEND:VCALENDAR\r\n")
    assert calendar_text(ical) == "Payment overdue, act now\nYour account.\nVerify at https://kq7vz3.cn/pay\nOnline"
    for hostile in ("DESCRIPTION" + (";p=" + "x=" * 30) * 3000, "SUMMARY" + ';"' * 50000):
        assert calendar_text(hostile) == ""  # no value: nothing shown, in linear time
