"""Time the parse and text/link stages on pathological messages (a benchmark, not a test).

Each message must finish within about 2 s on the project's 2-core machine; the limits in
whence/parse/limits.py are what makes that hold. Prints one line per message.

    .venv/bin/python bench/bench_limits.py
"""

from __future__ import annotations

import base64
import os
import random
import time
from collections.abc import Callable

from whence.facts.links import extract_links
from whence.facts.text import extract_text
from whence.parse import parse_message

HEAD = b"From: a@example.jp\r\nTo: b@example.jp\r\nSubject: bench\r\nMIME-Version: 1.0\r\n"
MB = 1024 * 1024


def big_attachment() -> bytes:
    b64 = base64.encodebytes(random.Random(1).randbytes(22 * MB))  # ~30 MB encoded
    return (HEAD + b'Content-Type: multipart/mixed; boundary="B"\r\n\r\n--B\r\n'
            b"Content-Type: text/plain; charset=utf-8\r\n\r\nsee attachment\r\n--B\r\n"
            b"Content-Type: application/octet-stream; name=big.bin\r\n"
            b"Content-Transfer-Encoding: base64\r\n\r\n"
            + b64 + b"--B--\r\n")


def many_parts(n: int = 10_000) -> bytes:
    body = b"".join(b"--B\r\nContent-Type: text/plain\r\n\r\npart %d\r\n" % i for i in range(n))
    return HEAD + b'Content-Type: multipart/mixed; boundary="B"\r\n\r\n' + body + b"--B--\r\n"


def deep_nesting(depth: int = 1000) -> bytes:
    opening = b"".join(b"Content-Type: multipart/mixed; boundary=b%d\r\n\r\n--b%d\r\n" % (i, i)
                       for i in range(depth))
    closing = b"".join(b"\r\n--b%d--\r\n" % i for i in reversed(range(depth)))
    return HEAD + opening + b"Content-Type: text/plain\r\n\r\ndeep" + closing


def long_header_line() -> bytes:
    return HEAD + b"X-Long: " + b"a" * (30 * MB) + b"\r\n\r\nbody\r\n"


def million_words() -> bytes:
    return HEAD + b"X-Words: " + b"=?utf-8?q?a?= " * 1_000_000 + b"\r\n\r\nbody\r\n"


def million_headers() -> bytes:
    return HEAD + b"".join(b"X-H%d: v\r\n" % i for i in range(1_000_000)) + b"\r\nbody\r\n"


def short_lines_deep() -> bytes:
    """30 MB of two-byte lines inside 20 levels of multipart: per-line cost grows with depth."""
    opening = b"".join(b'Content-Type: multipart/mixed; boundary="b%d"\r\n\r\n--b%d\r\n' % (i, i)
                       for i in range(20))
    return HEAD + opening + b"Content-Type: text/plain\r\n\r\n" + b"a\n" * (15 * MB)


def huge_text() -> bytes:
    line = "お支払い情報の確認をお願いします。https://example.com/\r\n".encode()
    return HEAD + b"Content-Type: text/plain; charset=utf-8\r\n\r\n" + line * (30 * MB // len(line))


def huge_html() -> bytes:
    chunk = b'<div><a href="https://x.example/">link</a> <img src="https://i.example/p.png" alt="a"></div>\n'
    return HEAD + b"Content-Type: text/html; charset=utf-8\r\n\r\n" + chunk * (30 * MB // len(chunk))


def hostile_html() -> bytes:
    body = b"<!--" + b"<a href=x>" * 200_000 + b"<" * 500_000 + b"&#" * 200_000
    return HEAD + b"Content-Type: text/html\r\n\r\n" + body


def random_junk() -> bytes:
    return os.urandom(30 * MB)


def broken_charset_text() -> bytes:
    """2 MB of random high bytes labelled EUC-JP: every decoder fails, over and over."""
    junk = bytes(b | 0x80 for b in random.Random(2).randbytes(2 * MB))
    return HEAD + b"Subject: " + junk[:16000] + b"\r\nContent-Type: text/plain; charset=euc-jp\r\n\r\n" + junk


def hostile_content_types() -> bytes:
    """500 parts whose Content-Type/-Disposition carry 3,000 parameters each."""
    value = b"text/plain; " + b"a=b; " * 3000
    parts = b"".join(b"--B\r\nContent-Type: " + value + b"%d\r\nContent-Disposition: attachment; " % i
                     + value + b"\r\n\r\npart\r\n" for i in range(500))
    return HEAD + b'Content-Type: multipart/mixed; boundary="B"\r\n\r\n' + parts + b"--B--\r\n"


def nested_comments() -> bytes:
    """500 parts whose Content-Type nests 4,000 comments (the stdlib parser recurses per level)."""
    parts = b"".join(b"--B\r\nContent-Type: text/plain " + b"(" * 4000 + b"\r\n\r\npart\r\n" for _ in range(500))
    return HEAD + b'Content-Type: multipart/mixed; boundary="B"\r\n\r\n' + parts + b"--B--\r\n"


def big_headers_8bit() -> bytes:
    """700 headers of 64 KB raw 8-bit junk: decoding budget for header text."""
    junk = bytes(b | 0x80 for b in random.Random(4).randbytes(64 * 1024))
    return HEAD + b"".join(b"X-J%d: " % i + junk + b"\r\n" for i in range(700)) + b"\r\nbody\r\n"


def cell_tables() -> bytes:
    """2 MB of 200 x 200 tables of dark cells and block-character lines: the drawn-QR reader's work."""
    table = b"<table>" + (b"<tr>" + b'<td bgcolor="#000"></td>' * 200 + b"</tr>") * 200 + b"</table>"
    blocks = ("\u2588\u2580\u2584 " * 100 + "<br>").encode() * 2000
    return HEAD + b"Content-Type: text/html; charset=utf-8\r\n\r\n" + (table * 3)[: 2 * MB] + blocks


def attached_pages() -> bytes:
    """12 attached web pages of 1.8 MB, each full of links and forms: what page_links may read."""
    block = b"<div><a href='https://x.example/'>a</a><form action='https://f.example/p'></form></div>"
    page = b"<html><body>" + block * 20_000 + b"</body></html>"
    parts = b"".join(b"--P\r\nContent-Type: text/html\r\nContent-Disposition: attachment; filename=p%d.html\r\n\r\n" % i
                     + page + b"\r\n" for i in range(12))
    return HEAD + b'Content-Type: multipart/mixed; boundary="P"\r\n\r\n' + parts + b"--P--\r\n"


CASES: list[tuple[str, Callable[[], bytes]]] = [
    ("dark-cell tables, block lines", cell_tables),
    ("12 attached 1.8 MB pages", attached_pages),
    ("500 parts x 3,000 params", hostile_content_types),
    ("500 parts x nested comments", nested_comments),
    ("700 x 64 KB 8-bit headers", big_headers_8bit),
    ("30 MB attachment", big_attachment),
    ("10k parts", many_parts),
    ("1,000-deep nesting", deep_nesting),
    ("30 MB header line", long_header_line),
    ("1M encoded-words", million_words),
    ("1M headers", million_headers),
    ("15M short lines, depth 20", short_lines_deep),
    ("30 MB Japanese text", huge_text),
    ("30 MB HTML", huge_html),
    ("hostile HTML", hostile_html),
    ("30 MB random bytes", random_junk),
    ("broken EUC-JP", broken_charset_text),
]


def run(raw: bytes) -> tuple[float, float, object]:
    t0 = time.perf_counter()
    message = parse_message(raw)
    t1 = time.perf_counter()
    text, html = extract_text(message)
    extract_links(message, text, html)
    t2 = time.perf_counter()
    return t1 - t0, t2 - t1, message


def main() -> None:
    print(f"{'message':<28} {'size':>8} {'parse s':>8} {'text+links s':>12} {'total s':>8}  truncated  parts")
    worst = 0.0
    for name, make in CASES:
        raw = make()
        parse_s, facts_s, message = run(raw)
        total = parse_s + facts_s
        worst = max(worst, total)
        print(f"{name:<28} {len(raw) / MB:>6.1f}MB {parse_s:>8.2f} {facts_s:>12.2f} {total:>8.2f}  "
              f"{message.truncated!s:<9}  {len(message.parts)}")  # type: ignore[attr-defined]
    print(f"worst {worst:.2f} s")


if __name__ == "__main__":
    main()
