"""Decompression bombs and pathological messages, generated in code (nothing huge is committed).

Each bomb is a whole message. `measure(name)` analyses one offline in a fresh subprocess and returns
its analysis time and the child's peak RSS (what the native host would hold: the interpreter, the
raw message, and everything the analysis builds). `python bench/bombs.py` prints the table (docs/robustness.md) and
`tests/test_bombs.py` asserts the bounds of issue 12: at most 2 s and 300 MB each. Time is the
analysis's CPU time (on a shared 2-core machine wall time also measures the neighbours); both are
printed.

The gigabytes are real but never written out: `deflate_zeros` emits a hand-made dynamic-Huffman
deflate block in which one match of 258 zero bytes costs two bits, so 4 GB of zeros is 3.9 MB.
"""

from __future__ import annotations

import base64
import io
import json
import os
import struct
import subprocess
import sys
import tempfile
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
HEAD = b"From: Bomb <a@example.jp>\r\nTo: b@example.jp\r\nSubject: bomb\r\nMIME-Version: 1.0\r\n"
GB = 1_000_000_000
TIME_LIMIT_S = 2.0
RSS_LIMIT_MB = 300.0

# ---------------------------------------------------------------------------------------------
# Building blocks


def _bits(spec: list[tuple[int, int, bool]]) -> list[int]:
    """(value, width, huffman) → bits in deflate order: fields LSB first, Huffman codes MSB first."""
    out: list[int] = []
    for value, width, huffman in spec:
        order = range(width - 1, -1, -1) if huffman else range(width)
        out.extend((value >> i) & 1 for i in order)
    return out


def deflate_zeros(size: int) -> tuple[bytes, int]:
    """(raw deflate stream, its inflated size ≈ `size`) of zero bytes, about size/1032 bytes long.

    One dynamic block: literal/length code {285: '0', 0: '10', 256: '11'}, distance code {0: '0'};
    so after one literal zero every 258-byte match is the two bits '00' and the body is zero bytes.
    """
    matches = max(1, (size - 1) // 258)
    order = (16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15)
    clen = {18: 1, 1: 2, 2: 2}  # code-length code: 18 → '0', 1 → '10', 2 → '11'
    spec: list[tuple[int, int, bool]] = [(1, 1, False), (2, 2, False), (29, 5, False), (0, 5, False),
                                         (14, 4, False)]
    spec += [(clen.get(sym, 0), 3, False) for sym in order[:18]]
    spec += [(0b11, 2, True)]  # length of literal 0: 2
    spec += [(0b0, 1, True), (138 - 11, 7, False), (0b0, 1, True), (117 - 11, 7, False)]  # 255 zeros
    spec += [(0b11, 2, True)]  # length of 256 (end of block): 2
    spec += [(0b0, 1, True), (28 - 11, 7, False)]  # 28 zeros (257..284)
    spec += [(0b10, 2, True), (0b10, 2, True)]  # length of 285: 1; distance code 0: 1
    spec += [(0b10, 2, True)]  # the literal zero
    head = _bits(spec)
    tail_at = len(head) + 2 * matches
    out = bytearray((tail_at + 2 + 7) // 8)
    for i, bit in enumerate(head):
        out[i // 8] |= bit << (i % 8)
    for i in (tail_at, tail_at + 1):  # end of block: '11'
        out[i // 8] |= 1 << (i % 8)
    return bytes(out), 1 + 258 * matches


def zlib_zeros(size: int) -> tuple[bytes, int]:
    """A zlib stream (header, deflate, Adler-32) of `size`-ish zero bytes, for PNG IDAT."""
    body, n = deflate_zeros(size)
    adler = ((n % 65521) << 16) | 1  # Adler-32 of n zero bytes: a = 1, b = n (mod 65521)
    return b"\x78\x9c" + body + struct.pack(">I", adler), n


def zip_entries(entries: list[tuple[str, bytes, int, int, int]]) -> bytes:
    """A zip from (name, data, method, uncompressed size, crc) written by hand (sizes may be anything)."""
    local = bytearray()
    central = bytearray()
    for name, data, method, size, crc in entries:
        raw = name.encode("utf-8")
        offset = len(local)
        local += struct.pack("<4s5H3L2H", b"PK\x03\x04", 20, 0x800, method, 0, 0, crc, len(data), size,
                             len(raw), 0) + raw + data
        central += struct.pack("<4s6H3L5H2L", b"PK\x01\x02", 20, 20, 0x800, method, 0, 0, crc, len(data), size,
                               len(raw), 0, 0, 0, 0, 0, offset) + raw
    count = min(len(entries), 0xFFFF)
    end = struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, count, count, len(central), len(local), 0)
    return bytes(local + central + end)


def zip_of(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as z:
        for name, data in members.items():
            z.writestr(name, data)
    return buf.getvalue()


def attach(parts: list[tuple[str, str, bytes]], extra_headers: bytes = b"") -> bytes:
    """A multipart/mixed message: a text part, then (content type, file name, bytes) attachments."""
    body = bytearray(b"--B\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nSee the attachment.\r\n")
    for ctype, name, data in parts:
        body += (f'--B\r\nContent-Type: {ctype}; name="{name}"\r\nContent-Disposition: attachment; '
                 f'filename="{name}"\r\nContent-Transfer-Encoding: base64\r\n\r\n').encode()
        body += base64.encodebytes(data)
    body += b"--B--\r\n"
    return HEAD + extra_headers + b'Content-Type: multipart/mixed; boundary="B"\r\n\r\n' + bytes(body)


def _png_chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def png(width: int, height: int, idat: bytes, colour: int = 0) -> bytes:
    return (b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, colour, 0, 0, 0))
            + _png_chunk(b"IDAT", idat) + _png_chunk(b"IEND", b""))


def pdf(pages: int, box: int = 200) -> bytes:
    """A valid PDF of `pages` pages, each drawing one line (xref offsets computed)."""
    objs: list[bytes] = [b"<< /Type /Catalog /Pages 2 0 R >>",
                         b"<< /Type /Pages /Kids [" + b" ".join(b"%d 0 R" % (4 + 2 * i) for i in range(pages))
                         + b"] /Count %d >>" % pages, b"<< /Length 17 >>\nstream\n0 0 m 90 90 l S\nendstream"]
    for i in range(pages):
        objs.append(b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %d %d] /Contents 3 0 R >>" % (box, box))
        objs.append(b"<< /Producer (p%d) >>" % i)
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for n, body in enumerate(objs, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % n + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, xref)
    return bytes(out)


# ---------------------------------------------------------------------------------------------
# The bombs


def zip_gigabytes() -> bytes:
    """Two members of 4 GB of zeros each (8 GB inflated) in 7.8 MB of zip."""
    data, size = deflate_zeros(4 * GB - 1)
    return attach([("application/zip", "backup.zip", zip_entries([("disk1.img", data, 8, size, 0),
                                                                  ("disk2.img", data, 8, size, 0)]))])


def zip_lying_nested() -> bytes:
    """A nested zip whose header claims 2 KB but whose data inflates to 1 GB (read under a cap)."""
    data, _size = deflate_zeros(GB)
    inner = zip_entries([("payload.exe", b"MZ" + b"\x00" * 62, 0, 64, zlib.crc32(b"MZ" + b"\x00" * 62))])
    outer = zip_entries([("inner.zip", data, 8, 2048, 0), ("real.zip", inner, 0, len(inner), zlib.crc32(inner))])
    return attach([("application/zip", "docs.zip", outer)])


def nested_archives() -> bytes:
    """42.zip-style: 16 copies of a zip holding 16 copies of a zip holding a 4 GB member, and a
    chain of 30 zips each inside the next."""
    data, size = deflate_zeros(4 * GB - 1)
    leaf = zip_entries([("zeros.bin", data[:200_000], 8, size, 0)])  # claims 4 GB, holds 200 KB of it
    level = zip_of({f"{i}.zip": leaf for i in range(16)})
    wide = zip_of({f"lib{i}.zip": level for i in range(4)})
    chain = zip_of({"evil.exe": b"MZ"})
    for i in range(30):
        chain = zip_of({f"level{i}.zip": chain})
    return attach([("application/zip", "42.zip", wide), ("application/zip", "chain.zip", chain)])


def zip_100k_members() -> bytes:
    """An archive of 100,000 members (9 MB of directory)."""
    entries = [(f"f{i:06d}.txt", b"", 0, 0, 0) for i in range(100_000)]
    return attach([("application/zip", "many.zip", zip_entries(entries))])


def png_gigapixel() -> bytes:
    """A PNG of 100,000 x 40,000 pixels whose IDAT inflates to 4 GB, and a 65,535² GIF."""
    idat, _n = zlib_zeros(4 * GB)
    big = png(100_000, 40_000, idat)
    gif = (b"GIF89a\xff\xff\xff\xff\x80\x00\x00\x00\x00\x00\xff\xff\xff,\x00\x00\x00\x00\xff\xff\xff\xff\x00"
           b"\x02\x02D\x01\x00;")
    return attach([("image/png", "qr.png", big), ("image/gif", "qr.gif", gif)])


def png_at_the_limit() -> bytes:
    """A 4,472 x 4,472 RGBA PNG (20 M pixels, 80 MB of pixels): just inside the decoder's limit."""
    side = 4472
    idat, _n = zlib_zeros((side * 4 + 1) * side)
    return attach([("image/png", "scan.png", png(side, side, idat, colour=6))])


def pdf_many_pages() -> bytes:
    """A PDF of 5,000 pages, and one whose single page is 200 x 200 inches."""
    return attach([("application/pdf", "statement.pdf", pdf(5000)),
                   ("application/pdf", "poster.pdf", pdf(1, box=14_400))])


def endless_base64() -> bytes:
    """48 MB of base64 that never reaches its closing boundary."""
    line = base64.b64encode(bytes(range(57)) * 1) + b"\r\n"
    body = line * (48_000_000 // len(line))
    return (HEAD + b'Content-Type: multipart/mixed; boundary="B"\r\n\r\n--B\r\n'
            b"Content-Type: application/octet-stream; name=x.bin\r\nContent-Transfer-Encoding: base64\r\n\r\n" + body)


def deep_nesting() -> bytes:
    """10,000 levels of multipart."""
    depth = 10_000
    opening = b"".join(b"Content-Type: multipart/mixed; boundary=b%d\r\n\r\n--b%d\r\n" % (i, i) for i in range(depth))
    closing = b"".join(b"\r\n--b%d--\r\n" % i for i in reversed(range(depth)))
    return HEAD + opening + b"Content-Type: text/plain\r\n\r\ndeep" + closing


def many_headers() -> bytes:
    """100,000 headers, a thousand of them Received."""
    rows = b"".join(b"Received: from h%d.example (h%d.example [192.0.2.%d]) by mx.example.jp; "
                    b"Mon, 1 Jan 2024 00:00:00 +0000\r\n" % (i, i, i % 250) for i in range(1000))
    rows += b"".join(b"X-H%d: value %d\r\n" % (i, i) for i in range(99_000))
    return rows + HEAD + b"Content-Type: text/plain\r\n\r\nbody\r\n"


def hostile_names() -> bytes:
    """File names with right-to-left overrides, NUL bytes and control characters, in MIME and in zips."""
    members = {"invoice\u202egpj.exe": b"MZ", "nul\x00.pdf.exe": b"MZ", "..\\..\\evil.lnk": b"",
               "tab\tcr\rlf\n.txt": b"", "\u200b\u2066x\u2069.scr": b"MZ"}
    body = bytearray(b"--B\r\nContent-Type: text/plain\r\n\r\nnames\r\n")
    for name in ("report\u202efdp.exe", "a\x00b.pdf.exe", "x\u200e\u200f.js"):
        percent = "".join(f"%{b:02X}" for b in name.encode("utf-8"))
        body += (f"--B\r\nContent-Type: application/octet-stream\r\nContent-Disposition: attachment; "
                 f"filename*=utf-8''{percent}\r\nContent-Transfer-Encoding: base64\r\n\r\n").encode()
        body += base64.encodebytes(b"MZ" + b"\x00" * 100)
    archive = zip_entries([(name, data, 0, len(data), zlib.crc32(data)) for name, data in members.items()])
    body += (b'--B\r\nContent-Type: application/zip; name="=?utf-8?b?' + base64.b64encode("x\u202epiz.exe".encode())
             + b'?="\r\nContent-Transfer-Encoding: base64\r\n\r\n' + base64.encodebytes(archive) + b"--B--\r\n")
    subject = "Subject: =?utf-8?b?" + base64.b64encode("請求書\u202e\x00\u2066".encode()).decode() + "?=\r\n"
    return (HEAD.replace(b"Subject: bomb\r\n", subject.encode()) + b"From: \x00\xe2\x80\xae <x@e.jp>\r\n"
            + b'Content-Type: multipart/mixed; boundary="B"\r\n\r\n' + bytes(body))


def lying_charsets() -> bytes:
    """Every charset label lying about its bytes, 500 KB per part."""
    junk = bytes(range(128, 256)) * 4000
    payloads = [("iso-2022-jp", "日本語のテキスト".encode() * 20_000), ("utf-8", "日本語".encode("cp932") * 80_000),
                ("shift_jis", "日本語".encode("euc-jp") * 80_000), ("euc-jp", junk),
                ("utf-16", b"\xff\xfe\x00\xd8" * 100_000),
                ("utf-7", b"+AGE-+" * 80_000), ("x-unknown-charset", junk), ("iso-2022-jp", b"\x1b$B" * 100_000),
                ("us-ascii", junk), ("gb2312", "日本語".encode("cp932") * 80_000), ("a" * 300, junk),
                ("iso-2022-jp-2", b"\x1b$(D\x1bN\x1b(I" * 60_000)]
    body = bytearray()
    for charset, data in payloads:
        body += (f"--B\r\nContent-Type: text/plain; charset=\"{charset}\"\r\nContent-Transfer-Encoding: 8bit"
                 f"\r\n\r\n").encode() + data + b"\r\n"
    subject = (b"Subject: =?utf-8?q?" + "日本".encode("cp932") + b"?= =?iso-2022-jp?b?" + base64.b64encode(junk[:300])
               + b"?=\r\n")
    return (HEAD.replace(b"Subject: bomb\r\n", subject) + b'Content-Type: multipart/mixed; boundary="B"\r\n\r\n'
            + bytes(body) + b"--B--\r\n")


BOMBS: dict[str, tuple[str, Callable[[], bytes]]] = {
    "zip-8gb": ("zip expanding to 8 GB", zip_gigabytes),
    "zip-lying-nested": ("nested zip lying about 1 GB", zip_lying_nested),
    "zip-nested": ("42.zip-style + 30-deep chain", nested_archives),
    "zip-100k-members": ("100,000 archive members", zip_100k_members),
    "png-gigapixel": ("4 GB PNG + 65,535² GIF", png_gigapixel),
    "png-20mp": ("20 MP RGBA PNG (at the limit)", png_at_the_limit),
    "pdf-5000-pages": ("PDF of 5,000 pages + huge page", pdf_many_pages),
    "base64-endless": ("48 MB endless base64", endless_base64),
    "nesting-10000": ("10,000-deep MIME nesting", deep_nesting),
    "headers-100000": ("100,000 headers", many_headers),
    "names-rtl-nul": ("RTL overrides, NULs in names", hostile_names),
    "charsets-lying": ("lying charset labels", lying_charsets),
}


# ---------------------------------------------------------------------------------------------
# Measuring in a subprocess

_CHILD = r"""
import json, resource, sys, time

def peak_mb():
    # VmHWM is this process image's own high-water mark; ru_maxrss would inherit the parent's across exec
    try:
        for line in open("/proc/self/status"):
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

from whence.pipeline import Analysis
from whence.settings import Settings
from whence.facts import qr
qr._libs()  # the decoders a real host loads on its first picture: not the bomb's cost
settings = Settings(offline=True)
Analysis(b"From: a@example.jp\r\nSubject: warm\r\n\r\nwarm https://example.com/\r\n", settings).offline_report()
base = peak_mb()
raw = open(sys.argv[1], "rb").read()
started, cpu = time.perf_counter(), time.process_time()
report = Analysis(raw, settings).offline_report()
seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
peak = peak_mb()
limits = [f for f in report["findings"] if f["id"] == "message.limits"]
print(json.dumps({"seconds": seconds, "cpu_seconds": cpu, "peak_rss_mb": peak, "base_rss_mb": base,
                  "level": report["verdict"]["level"],
                  "skipped": limits[0]["evidence"].get("skipped", []) if limits else [],
                  "findings": sorted({f["id"] for f in report["findings"]}), "errors": report.get("errors", [])}))
"""


def measure(name: str, raw: bytes | None = None) -> dict[str, object]:
    """Analyse bomb `name` offline in a fresh interpreter: seconds, peak RSS (MB), what was skipped."""
    if raw is None:
        raw = BOMBS[name][1]()
    with tempfile.NamedTemporaryFile(suffix=".eml", delete=False) as f:
        f.write(raw)
        path = f.name
    try:
        env = {**os.environ, "WHENCE_OFFLINE": "1"}
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO / "host"), env.get("PYTHONPATH")]))
        out = subprocess.run([sys.executable, "-c", _CHILD, path], capture_output=True, text=True, timeout=120,
                             env=env)
    finally:
        os.unlink(path)
    if out.returncode != 0:
        raise RuntimeError(f"{name}: the analysis process failed: {out.stderr[-2000:]}")
    result = json.loads(out.stdout.strip().splitlines()[-1])
    result.update(name=name, size_mb=len(raw) / 1e6)
    return result


def main() -> int:
    """Print the bomb table (Markdown) for docs/robustness.md; exit 1 when a bound is not kept."""
    import argparse

    parser = argparse.ArgumentParser(description="Measure every bomb (or the named ones) offline.")
    parser.add_argument("names", nargs="*", choices=[*BOMBS, []], metavar="BOMB")
    names = parser.parse_args().names or list(BOMBS)
    print("| bomb | message | CPU s | wall s | peak RSS MB | verdict | what the report says was skipped |")
    print("|---|---|---|---|---|---|---|")
    failed = 0
    for name in names:
        r = measure(name)
        ok = r["cpu_seconds"] <= TIME_LIMIT_S and r["peak_rss_mb"] <= RSS_LIMIT_MB
        failed += not ok
        skipped = ", ".join(f"`{s}`" for s in r["skipped"]) or "nothing"
        print(f"| {BOMBS[name][0]} | {r['size_mb']:.1f} MB | {r['cpu_seconds']:.2f} | {r['seconds']:.2f} | "
              f"{r['peak_rss_mb']:.0f} | {r['level']} | {skipped}{'' if ok else ' **OVER A BOUND**'} |", flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
