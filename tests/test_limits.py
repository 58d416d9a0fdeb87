"""Pathological messages complete with a sane, truncated Message (timings: bench/bench_limits.py)."""

from __future__ import annotations

import base64
import random

from whence.facts.links import MAX_LINKS, extract_links
from whence.facts.text import MAX_HTML, MAX_TEXT, extract_text, html_to_text, read_html
from whence.model import Message
from whence.parse import limits, parse_message
from whence.pipeline import Analysis
from whence.settings import Settings

HEAD = b"From: a@example.jp\r\nTo: b@example.jp\r\nSubject: limits\r\nMIME-Version: 1.0\r\n"
MB = 1024 * 1024


def analyse(raw: bytes) -> Message:
    message = parse_message(raw)
    text, html = extract_text(message)
    links = extract_links(message, text, html)
    assert len(text) <= MAX_TEXT and len(html) <= MAX_HTML and len(links) <= MAX_LINKS
    assert message.raw_size == len(raw)
    assert len(message.headers) <= limits.MAX_HEADERS and len(message.parts) <= limits.MAX_PARTS
    assert sum(len(p.payload) for p in message.parts) <= limits.MAX_TOTAL_PAYLOAD
    assert all(len(value) <= limits.MAX_HEADER_VALUE for _, value in message.headers)
    return message


def test_30mb_attachment() -> None:
    b64 = base64.encodebytes(random.Random(1).randbytes(22 * MB))
    raw = (HEAD + b'Content-Type: multipart/mixed; boundary="B"\r\n\r\n--B\r\n'
           b"Content-Type: text/plain\r\n\r\nsee attachment\r\n--B\r\n"
           b"Content-Type: application/octet-stream; name=big.bin\r\n"
           b"Content-Transfer-Encoding: base64\r\n\r\n"
           + b64 + b"--B--\r\n")
    message = analyse(raw)
    assert message.truncated and message.get("Subject") == "limits"
    text_part, big = message.parts
    assert text_part.text == "see attachment"
    assert big.filename == "big.bin" and big.size == 22 * MB and len(big.payload) == limits.MAX_PART_PAYLOAD


def test_ten_thousand_parts() -> None:
    body = b"".join(b"--B\r\nContent-Type: text/plain\r\n\r\npart %d\r\n" % i for i in range(10_000))
    message = analyse(HEAD + b'Content-Type: multipart/mixed; boundary="B"\r\n\r\n' + body + b"--B--\r\n")
    assert message.truncated and 100 < len(message.parts) <= limits.MAX_PARTS
    assert message.parts[0].text == "part 0"


def test_thousand_deep_nesting() -> None:
    depth = 1000
    opening = b"".join(b"Content-Type: multipart/mixed; boundary=b%d\r\n\r\n--b%d\r\n" % (i, i)
                       for i in range(depth))
    closing = b"".join(b"\r\n--b%d--\r\n" % i for i in reversed(range(depth)))
    message = analyse(HEAD + opening + b"Content-Type: text/plain\r\n\r\ndeep" + closing)
    assert message.truncated and message.get("From") == "a@example.jp"
    assert "nesting-too-deep" in message.defects


def test_30mb_single_header_line() -> None:
    message = analyse(HEAD + b"X-Long: " + b"a" * (30 * MB) + b"\r\n\r\nbody\r\n")
    assert message.truncated and message.parts[0].text == "body\r\n"
    assert message.get("X-Long") == "a" * limits.MAX_HEADER_VALUE


def test_million_encoded_words() -> None:
    message = analyse(HEAD + b"Subject2: " + b"=?utf-8?q?a?= " * 1_000_000 + b"\r\n\r\nbody\r\n")
    assert message.truncated
    value = message.get("Subject2") or ""
    assert value.startswith("aaaa") and "=?" not in value[:-20]


def test_many_headers() -> None:
    message = analyse(HEAD + b"".join(b"X-H%d: v\r\n" % i for i in range(100_000)) + b"\r\nbody\r\n")
    assert message.truncated and len(message.headers) == limits.MAX_HEADERS
    assert [k for k, _ in message.headers[:3]] == ["From", "To", "Subject"]


def test_huge_text_and_html_bodies() -> None:
    line = "お支払い情報の確認をお願いします。https://example.com/\r\n".encode()
    plain = b"Content-Type: text/plain; charset=utf-8\r\n\r\n"
    message = analyse(HEAD + plain + line * (12 * MB // len(line)))
    assert message.truncated and message.parts[0].text.startswith("お支払い")  # type: ignore[union-attr]
    chunk = b'<div><a href="https://x.example/">link</a><img src="https://i.example/p.png"></div>\n'
    message = analyse(HEAD + b"Content-Type: text/html\r\n\r\n" + chunk * (12 * MB // len(chunk)))
    assert message.truncated


def test_hostile_html_is_linear() -> None:
    for html in ("<a" * 300_000, "</" * 300_000, "<!" * 300_000, "<!--" + "<a href=x>" * 100_000,
                 '<a href="' + "x" * MB, "<a " + "x " * 500_000, "&#" * 300_000):
        assert isinstance(html_to_text(html), str)
        message = parse_message(HEAD + b"Content-Type: text/html\r\n\r\n" + html.encode())
        text, source = extract_text(message)
        assert len(extract_links(message, text, source)) <= MAX_LINKS


def test_tables_of_cells_and_lines_of_blocks_are_read_within_bounds() -> None:
    """The drawn-QR reader (facts/drawn.py) on 2 MB of dark 200 x 200 tables and block lines."""
    from whence.facts.drawn import MAX_CELLS, MAX_SIDE, _table_grids, drawn_qr

    table = "<table>" + ("<tr>" + '<td bgcolor="#000"></td>' * MAX_SIDE + "</tr>") * MAX_SIDE + "</table>"
    html = (table * 3)[: 2 * MB] + ("█▀▄ " * 100 + "<br>") * 2000
    grids = _table_grids(html)
    assert sum(len(row) for grid in grids for row in grid) <= MAX_CELLS
    message = parse_message(HEAD + b"Content-Type: text/html\r\n\r\n" + html.encode())
    assert drawn_qr(message, html) == []  # all dark: no code


def test_only_the_first_attached_pages_are_read_for_links_and_the_report_says_so() -> None:
    from whence.facts.attachments import MAX_PAGES, extract_attachments

    page = "<html><body><form action='https://f.example/p'></form></body></html>"
    parts = "".join(f"--P\r\nContent-Type: text/html\r\nContent-Disposition: attachment; filename=p{i}.html\r\n"
                    f"\r\n{page}\r\n" for i in range(MAX_PAGES + 2))
    message = parse_message(HEAD + b'Content-Type: multipart/mixed; boundary="P"\r\n\r\n'
                            + (parts + "--P--\r\n").encode())
    found = extract_attachments(message)
    assert [bool(a.links) for a in found] == [True] * MAX_PAGES + [False, False]
    assert found[-1].skipped == ["page-budget"]


def test_deep_nesting_is_read_flat_and_whole() -> None:
    """HTML5 tree building slows with every open element: past MAX_DEPTH the nesting is dropped, and
    what it held, down to a link at the very bottom, is still read."""
    for opener in ("<div>", "<a><div>", "<b><i><u><s><font>", "<table><tr><td><span>"):
        html = opener * 12_000 + '<a href="https://deep.example/x">the bottom</a>'
        text, links, _hidden, skipped = read_html(html)
        assert "the bottom" in text
        assert ("https://deep.example/x", "the bottom") in [(href, shown) for href, shown, *_ in links]
        assert skipped == ["html-flattened"]
    # the report says so, and where the reader stopped
    raw = HEAD + b"Content-Type: text/html\r\n\r\n" + b"<div>" * 20_000 + b"<a href=x>y</a>" * 60_000
    report = Analysis(raw, Settings(offline=True)).offline_report()
    limits_finding = next(f for f in report["findings"] if f["id"] == "message.limits")
    assert limits_finding["evidence"]["skipped"] == ["html-flattened", "html-elements"]


def test_random_junk_and_broken_charset() -> None:
    rng = random.Random(3)
    message = analyse(rng.randbytes(3 * MB))
    assert isinstance(message.headers, list)
    junk = bytes(b | 0x80 for b in rng.randbytes(MB))
    ctype = b"\r\nContent-Type: text/plain; charset=euc-jp\r\n\r\n"
    message = analyse(HEAD + b"Subject: " + junk[:16000] + ctype + junk)
    assert message.parts[0].text


def test_hostile_content_type_parameters_in_every_part() -> None:
    """Nested comments exhaust the stdlib header parser's stack; thousands of parameters or
    encoded-words make every access slow. The message must still parse, part by part."""
    for value in (b"text/plain (" * 4000, b"text/plain; " + b"a=b; " * 3000, b"text/plain" + b";" * 16000,
                  b"text/plain; name=" + b"=?utf-8?q?a?= " * 1200):
        parts = b"".join(b"--B\r\nContent-Type: " + value + b"%d\r\nContent-Disposition: attachment; " % i
                         + value + b"\r\n\r\npart\r\n" for i in range(limits.MAX_PARTS))
        message = analyse(HEAD + b'Content-Type: multipart/mixed; boundary="B"\r\n\r\n' + parts + b"--B--\r\n")
        assert len(message.parts) == limits.MAX_PARTS
        assert all(p.content_type == "text/plain" for p in message.parts)
        assert message.parts[0].text == "part"
