"""Bytes → str for every charset real mail uses, Japanese ones first; never raises.

Python's `iso2022_jp` and `euc_jp` codecs know only strict JIS X 0208, but Japanese mail is
mostly written by Windows-era software (CP50220/CP50221/CP51932): NEC specials (①, ㈱, Ⅰ),
NEC-selected IBM extensions (髙, 﨑) and half-width katakana (ESC ( I). Like the WHATWG decoders
Thunderbird uses, we map every JIS row through CP932, which is a superset of all of them: the C
codecs do the bulk, and an error handler resolves only the characters they reject.

Labels lie and are missing; `decode_bytes` tries the declared charset, then detection among
UTF-8 / ISO-2022-JP / EUC-JP / CP932 scored for plausible Japanese, then latin-1.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Callable
from typing import cast

# label (lower-case) -> our decoder name. Anything else goes through codecs.lookup.
_ALIASES = {
    # Shift_JIS family: CP932 is a superset of what senders mean by these labels.
    "shift_jis": "cp932", "shift-jis": "cp932", "sjis": "cp932", "x-sjis": "cp932", "s-jis": "cp932",
    "shiftjis": "cp932", "ms_kanji": "cp932", "csshiftjis": "cp932", "windows-31j": "cp932",
    "cswindows31j": "cp932", "cp932": "cp932", "ms932": "cp932", "x-ms-cp932": "cp932",
    "ibm-943": "cp932", "shift_jisx0213": "shift_jis_2004", "shift_jis-2004": "shift_jis_2004",
    # EUC-JP family (CP51932 / eucJP-ms): JIS rows mapped through CP932 where the C codec fails.
    "euc-jp": "x-euc-jp", "euc_jp": "x-euc-jp", "eucjp": "x-euc-jp", "x-euc-jp": "x-euc-jp",
    "x-euc": "x-euc-jp", "ujis": "x-euc-jp", "cseucpkdfmtjapanese": "x-euc-jp", "cp51932": "x-euc-jp",
    "eucjp-ms": "x-euc-jp", "eucjp-win": "x-euc-jp", "euc-jis-2004": "euc_jis_2004",
    "euc-jisx0213": "euc_jis_2004",
    # ISO-2022-JP family (CP50220/50221/50222, -1, -2, -ext): one lenient escape-sequence decoder.
    "iso-2022-jp": "x-iso-2022-jp", "iso2022jp": "x-iso-2022-jp", "iso2022_jp": "x-iso-2022-jp",
    "csiso2022jp": "x-iso-2022-jp", "iso-2022-jp-1": "x-iso-2022-jp", "iso-2022-jp-2": "x-iso-2022-jp",
    "iso-2022-jp-3": "x-iso-2022-jp", "iso-2022-jp-2004": "x-iso-2022-jp", "iso-2022-jp-ext": "x-iso-2022-jp",
    "cp50220": "x-iso-2022-jp", "cp50221": "x-iso-2022-jp", "cp50222": "x-iso-2022-jp",
    "jis": "x-iso-2022-jp", "x-jis": "x-iso-2022-jp", "csiso2022jp2": "x-iso-2022-jp",
    # Unicode
    "utf-8": "utf-8", "utf8": "utf-8", "unicode-1-1-utf-8": "utf-8", "x-unicode20utf8": "utf-8",
    "utf-8-sig": "utf-8",
    # Labels that WHATWG (and so Thunderbird) decodes with a superset.
    "iso-8859-1": "cp1252", "latin1": "cp1252", "latin-1": "cp1252", "l1": "cp1252", "ascii": "cp1252",
    "us-ascii": "cp1252", "iso_8859-1": "cp1252", "iso8859-1": "cp1252", "ansi_x3.4-1968": "cp1252",
    "windows-1252": "cp1252", "cp1252": "cp1252", "x-cp1252": "cp1252",
    "iso-8859-9": "cp1254", "latin5": "cp1254", "iso-8859-11": "cp874", "tis-620": "cp874",
    "gb2312": "gb18030", "gbk": "gb18030", "x-gbk": "gb18030", "cp936": "gb18030", "euc-cn": "gb18030",
    "csgb2312": "gb18030", "chinese": "gb18030", "gb_2312-80": "gb18030", "gb18030": "gb18030",
    "big5": "big5hkscs", "x-big5": "big5hkscs", "cn-big5": "big5hkscs", "big5-hkscs": "big5hkscs",
    "cp950": "cp950", "ks_c_5601-1987": "cp949", "euc-kr": "cp949", "ks_c_5601": "cp949",
    "korean": "cp949", "windows-949": "cp949", "iso-2022-kr": "iso2022_kr",
}
_UNKNOWN = {"", "unknown", "unknown-8bit", "x-unknown", "default", "none", "charset", "8bit",
            "binary", "x-user-defined", "us", "_iso-2022-jp$esc"}

_SINGLE_BYTE = {"cp1252", "cp1254", "cp874", "latin_1", "iso8859-15", "cp1250", "cp1251"}

_JIS_ESC = re.compile(rb"\x1b(\$[@B]|\$\([DOPQ]|\([BJIH]|\$A|\$\(C|\.[AF]|N)")


def normalise_charset(label: str | None) -> str | None:
    """A decoder name for a declared charset label, or None when the label is unknown or absent."""
    if not label:
        return None
    label = label.strip().strip("\"'").strip().lower()
    if label.startswith("3d"):  # charset=3Dutf-8: quoted-printable applied to a header by mistake
        label = label[2:]
    if label in _UNKNOWN or len(label) > 40:
        return None
    if label in _ALIASES:
        return _ALIASES[label]
    try:
        name = codecs.lookup(label).name
    except (LookupError, ValueError):
        return None
    return _ALIASES.get(name, name)


# ---------------------------------------------------------------------------------------------
# JIS rows through CP932


def _jis_pair_to_sjis(j1: int, j2: int) -> bytes | None:
    """JIS X 0208 row/cell bytes (0x21-0x7E each) → the Shift_JIS/CP932 byte pair."""
    if not (0x21 <= j1 <= 0x7E and 0x21 <= j2 <= 0x7E):
        return None
    s1 = ((j1 + 1) >> 1) + (0x70 if j1 <= 0x5E else 0xB0)
    s2 = (j2 + (0x1F if j2 < 0x60 else 0x20)) if j1 & 1 else j2 + 0x7E
    return bytes((s1, s2))


def _via_cp932(exc: UnicodeDecodeError) -> tuple[str, int]:
    """Error handler for the EUC-JP C codec: resolve a rejected JIS pair through CP932, else raise."""
    data = exc.object
    start = exc.start
    if start + 1 < len(data) and 0xA1 <= data[start] <= 0xFE and 0xA1 <= data[start + 1] <= 0xFE:
        sjis = _jis_pair_to_sjis(data[start] & 0x7F, data[start + 1] & 0x7F)
        if sjis is not None:
            try:
                return sjis.decode("cp932"), start + 2
            except UnicodeDecodeError:
                pass
    raise exc


# registered for decoding only, so the handler is always given a UnicodeDecodeError
codecs.register_error("whence-jis-cp932", cast("Callable[[UnicodeError], tuple[str, int]]", _via_cp932))

_OR80 = bytes((b | 0x80) for b in range(256))


def decode_eucjp(data: bytes) -> str:
    """EUC-JP as CP51932/eucJP-ms senders mean it. Raises UnicodeDecodeError when it is not EUC-JP."""
    return data.decode("euc_jp", "whence-jis-cp932")


def decode_iso2022jp(data: bytes) -> str:
    """ISO-2022-JP with the CP50220/50221/50222 extensions. Raises UnicodeDecodeError on junk."""
    if b"\x1b" not in data and b"\x0e" not in data:
        return data.decode("ascii")
    if b"\x0e" not in data:  # the C codec passes SO/SI through as control characters
        try:
            return data.decode("iso2022_jp")
        except UnicodeDecodeError:
            pass
    out: list[str] = []
    mode = b"(B"
    pos = 0
    for m in _JIS_ESC.finditer(data):
        out.append(_jis_segment(data[pos:m.start()], mode, data))
        mode = m.group(1)
        pos = m.end()
    out.append(_jis_segment(data[pos:], mode, data))
    return "".join(out)


def _jis_segment(seg: bytes, mode: bytes, whole: bytes) -> str:
    if not seg:
        return ""
    if mode in (b"$B", b"$@"):
        seg = seg.replace(b"\r", b"").replace(b"\n", b"")  # a broken line break inside a run
        if len(seg) % 2:
            raise UnicodeDecodeError("iso-2022-jp", whole, 0, len(whole), "odd double-byte run")
        return decode_eucjp(seg.translate(_OR80))
    if mode == b"(I":  # half-width katakana: CP932 single bytes 0xA1-0xDF
        return seg.translate(_OR80).decode("cp932")
    if mode == b"$(D":  # JIS X 0212
        seg = b"".join(b"\x8f" + seg[i:i + 2].translate(_OR80) for i in range(0, len(seg) - 1, 2))
        return seg.decode("euc_jp")
    if mode in (b"$(O", b"$(Q", b"$(P"):  # JIS X 0213
        return (b"\x1b" + mode + seg + b"\x1b(B").decode("iso2022_jp_2004")
    # ASCII / JIS-Roman, with CP50222 SO/SI katakana shifts and stray 8-bit bytes via CP932
    out = []
    shifted = False
    for piece in re.split(rb"([\x0e\x0f])", seg):
        if piece in (b"\x0e", b"\x0f"):
            shifted = piece == b"\x0e"
        elif shifted:
            out.append(piece.translate(_OR80).decode("cp932"))
        elif not piece.isascii():
            out.append(piece.decode("cp932"))
        else:
            out.append(piece.decode("ascii"))
    return "".join(out)


# ---------------------------------------------------------------------------------------------
# Decoding with detection


def _strict(data: bytes, name: str) -> str:
    if name == "x-iso-2022-jp":
        return decode_iso2022jp(data)
    if name == "x-euc-jp":
        return decode_eucjp(data)
    return data.decode(name)


def _lenient(data: bytes, name: str) -> str:
    """Decode with U+FFFD for what cannot be decoded (bounded: C codecs only)."""
    if name == "x-iso-2022-jp":
        try:
            return decode_iso2022jp(data)
        except UnicodeDecodeError:
            return data.decode("iso2022_jp_ext", "replace")
    if name == "x-euc-jp":
        return data.decode("euc_jp", "replace")
    return data.decode(name, "replace")


def japanese_score(text: str) -> float:
    """How plausible `text` is as Japanese (or any real text) rather than mis-decoded bytes.

    Averages over the non-ASCII characters: kana and common kanji score high, half-width katakana
    (what EUC-JP looks like through CP932) and control/private-use characters score low.
    """
    total = 0.0
    n = 0
    for ch in text[:20000]:  # a sample is enough to tell, and keeps this linear-time bounded
        o = ord(ch)
        if o < 0x80:
            continue
        n += 1
        if 0x3041 <= o <= 0x30FF:  # hiragana, katakana
            total += 2
        elif 0x4E00 <= o <= 0x9FFF or 0x3000 <= o <= 0x303F or 0xFF01 <= o <= 0xFF5E:
            total += 1
        elif 0xFF61 <= o <= 0xFF9F:  # half-width katakana
            total -= 0.5
        elif o < 0xA0 or 0xE000 <= o <= 0xF8FF or o == 0xFFFD:
            total -= 3
        elif 0x2460 <= o <= 0x24FF or 0x2150 <= o <= 0x218F or 0x3200 <= o <= 0x33FF:
            total += 1
        else:
            total += 0.3
    return total / n if n else 0.0


_DETECT_ORDER = ("utf-8", "x-iso-2022-jp", "x-euc-jp", "cp932")


def detect(data: bytes) -> str | None:
    """The best-scoring charset among UTF-8 and the Japanese ones that decodes `data` strictly."""
    best: tuple[float, str] | None = None
    seven_bit = data.isascii()
    for name in _DETECT_ORDER:
        if name == "x-iso-2022-jp" and (b"\x1b" not in data or not seven_bit):
            continue
        if name == "utf-8" and seven_bit:
            continue  # 7-bit: only escape sequences can make it more than ASCII
        try:
            text = _strict(data, name)
        except UnicodeDecodeError:
            continue
        if name in ("utf-8", "x-iso-2022-jp"):
            return name  # valid multi-byte UTF-8 or JIS escapes are near-certain evidence
        score = japanese_score(text)
        if best is None or score > best[0]:
            best = (score, name)
    return best[1] if best else None


def decode_bytes(data: bytes, charset: str | None = None) -> tuple[str, str]:
    """Decode `data` declared as `charset`; returns (text, charset actually used). Never raises.

    Order: the declared charset when it decodes strictly (unless it is a single-byte label on
    bytes that are valid UTF-8 or plausible Japanese), then detection, then latin-1.
    """
    try:
        return _decode(data, charset)
    except Exception:  # a codec bug must not take the message down
        return data.decode("latin-1"), "latin-1"


def _decode(data: bytes, charset: str | None) -> tuple[str, str]:
    name = normalise_charset(charset)
    ascii_only = data.isascii()  # C speed; max() walked every byte in Python
    if ascii_only and b"\x1b" not in data and b"\x0e" not in data:
        return data.decode("ascii"), name or "us-ascii"
    if name is not None:
        try:
            text = _strict(data, name)
        except UnicodeDecodeError:
            text = None
        if text is not None:
            if name not in _SINGLE_BYTE:
                return text, name
            found = detect(data)  # labelled latin-1 but written in UTF-8 or Shift_JIS?
            if found == "utf-8":
                return data.decode("utf-8"), "utf-8"
            if found is not None and japanese_score(_strict(data, found)) >= 1.5:
                return _strict(data, found), found
            return text, name
    found = detect(data)
    if found is not None:
        return _strict(data, found), found
    if _isolated_high_bytes(data):
        return data.decode("cp1252", "replace"), "cp1252"  # "voc\xea" labelled UTF-8, or unlabelled
    if name is not None:
        return _lenient(data, name), name
    return _best_effort(data)


def _best_effort(data: bytes) -> tuple[str, str]:
    """Nothing decodes strictly and no label helps: a mix of encodings, or the least damage."""
    if len(data) <= _MIXED_MAX:
        mixed = _decode_mixed(data)
        if mixed is not None:
            return mixed, "mixed"
    best = ("", "latin-1", -1.0)
    for name in ("utf-8", "cp932", "x-euc-jp"):
        text = _lenient(data, name)
        bad = text.count("\ufffd") / max(1, len(text))
        if bad < 0.01:
            return text, name
        if best[2] < 0 or bad < best[2]:
            best = (text, name, bad)
    if best[2] > 0.05:
        return data.decode("cp1252", "replace"), "cp1252"
    return best[0], best[1]


_HIGH_RUN = re.compile(rb"[\x80-\xff]+")
_MIXED_MAX = 64 * 1024
_MIXED_STEPS = 64  # switches of encoding in one value; real mixes have a handful
_MIXED_BAD = 8  # undecodable bytes before the value counts as junk rather than a mix
_MIXED_WINDOW = 512


def _isolated_high_bytes(data: bytes) -> bool:
    """8-bit bytes that stand alone between ASCII: a Western single-byte charset, not CJK/UTF-8."""
    runs = _HIGH_RUN.findall(data[:_MIXED_MAX])
    return bool(runs) and sum(len(r) for r in runs) / len(runs) < 1.3


def _score_sum(text: str) -> float:
    return japanese_score(text) * sum(1 for ch in text if ord(ch) >= 0x80)


def _prefix(data: bytes, name: str) -> tuple[str, int]:
    """The longest prefix of `data` that `name` decodes strictly, and its length in bytes."""
    try:
        return _strict(data, name), len(data)
    except UnicodeDecodeError as exc:
        if exc.start <= 0:
            return "", 0
        try:
            return _strict(data[: exc.start], name), exc.start
        except UnicodeDecodeError:
            return "", 0


def _decode_mixed(data: bytes) -> str | None:
    """Headers re-tagged by list software mix raw UTF-8 and EUC-JP in one value: decode in runs.

    At each point the run that valid multi-byte UTF-8 covers wins; otherwise the Japanese
    candidate whose decoded run scores best. Bounded in steps and window size.
    """
    out: list[str] = []
    pos = 0
    steps = 0
    bad = 0
    while pos < len(data):
        steps += 1
        if steps > _MIXED_STEPS:
            return None
        window = data[pos:pos + _MIXED_WINDOW]
        text, used = _prefix(window, "utf-8")
        if used and (max(window[:used]) >= 0x80 or used == len(window)):
            out.append(text)
            pos += used
            continue
        best: tuple[float, str, int] | None = None  # (score, text, bytes used)
        for name in ("x-euc-jp", "cp932"):
            text, used = _prefix(window, name)
            if used:
                score = _score_sum(text)
                if best is None or score > best[0]:
                    best = (score, text, used)
        ascii_end = next((i for i, b in enumerate(window) if b >= 0x80), len(window))
        if best is not None and japanese_score(best[1]) >= 0.8:
            out.append(best[1])
            pos += best[2]
        elif ascii_end:
            out.append(window[:ascii_end].decode("ascii"))
            pos += ascii_end
        else:
            out.append("\ufffd")
            pos += 1
            bad += 1
            if bad > _MIXED_BAD:
                return None
    return "".join(out)
