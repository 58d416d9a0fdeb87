"""Checks on attachments: executables (also in archives and behind double extensions), disk images,
macros, HTML pages, QR codes, encrypted or nested archives and types that lie about themselves.

They read `Attachment` facts only (name, declared type, sniffed type, member names, encryption, QR
payloads); the sniffing itself belongs to the facts stage. Each hit names the attachments it
concerns so the report's per-attachment `findings` lists get filled.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from urllib.parse import urlsplit

from ..domains import registrable_domain
from ..facts.attachments import has_macros
from ..facts.drawn import BLOCKS, TABLE
from ..i18n import T, fmt, fmt_each
from ..model import Attachment, Facts
from ..wordiness import looks_random
from .common import from_authenticated
from .registry import CheckContext, Hit, check

_MAX_MEMBERS = 500  # member names looked at per archive

# Extensions that run code when opened on Windows or macOS (double-click = execute).
def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


EXECUTABLE_EXTENSIONS = _words(
    "exe scr com bat cmd pif vbs vbe js jse wsf wsh wsc hta ps1 ps1xml psm1 psd1 msi msp mst msix appx"
    " appxbundle jar lnk cpl reg inf scf url application appref-ms gadget msc sct chm hlp dll ocx xll"
    " settingcontent-ms library-ms search-ms app pkg mpkg"
)
# Apple configuration profiles: opening one offers to install root certificates, a VPN, a mail
# account or device management on an iPhone or Mac — a program's power without being one.
PROFILE_EXTENSIONS = frozenset({"mobileconfig"})
# Scripts and packages that need an interpreter or an installer step: risky, but ordinary between
# developers, so they are reported below critical.
SCRIPT_EXTENSIONS = _words("sh bash csh ksh zsh command py pyw pl rb php apk deb rpm appimage")
# OneNote notebooks carry files that run when their icon is double-clicked (the 2023 malware wave);
# colleagues share notebooks by link, not as attachments.
NOTEBOOK_EXTENSIONS = frozenset({"one", "onepkg"})
DISK_IMAGE_EXTENSIONS = frozenset({"iso", "img", "vhd", "vhdx", "udf", "dmg"})
HTML_EXTENSIONS = frozenset({"html", "htm", "shtml", "shtm", "xhtml", "xht", "svg", "svgz", "mht", "mhtml"})
# What the facts stage may call executable content when sniffing magic bytes.
EXECUTABLE_TYPES = frozenset({"pe", "exe", "dll", "elf", "macho", "mach-o", "lnk", "msi", "jar", "class",
                              "script", "shell", "batch", "vbs", "vbscript", "js", "javascript", "jscript",
                              "powershell", "ps1", "hta", "wsf", "chm", "apk", "dex", "cpl", "reg"})
DISK_IMAGE_TYPES = frozenset({"iso", "iso9660", "udf", "vhd", "vhdx", "img", "dmg"})
HTML_TYPES = frozenset({"html", "svg", "xhtml", "mhtml"})
ARCHIVE_TYPES = _words("zip rar 7z gzip gz tar bzip2 xz cab lzh ace arj")
# declared extension -> sniffed types that agree with it
EXPECTED_TYPES: dict[str, frozenset[str]] = {
    "pdf": frozenset({"pdf"}),
    "png": frozenset({"png"}), "gif": frozenset({"gif"}), "bmp": frozenset({"bmp"}),
    "jpg": frozenset({"jpeg", "jpg"}), "jpeg": frozenset({"jpeg", "jpg"}),
    "tif": frozenset({"tiff"}), "tiff": frozenset({"tiff"}), "webp": frozenset({"webp"}),
    "zip": frozenset({"zip"}), "rar": frozenset({"rar"}), "7z": frozenset({"7z"}),
    "gz": frozenset({"gzip", "gz"}), "tgz": frozenset({"gzip", "gz"}),
    "docx": frozenset({"zip", "ooxml", "docx"}), "xlsx": frozenset({"zip", "ooxml", "xlsx"}),
    "pptx": frozenset({"zip", "ooxml", "pptx"}), "docm": frozenset({"zip", "ooxml"}),
    "xlsm": frozenset({"zip", "ooxml"}), "pptm": frozenset({"zip", "ooxml"}),
    "odt": frozenset({"zip", "odf"}), "ods": frozenset({"zip", "odf"}),
    "doc": frozenset({"ole", "cfb", "doc", "rtf"}), "xls": frozenset({"ole", "cfb", "xls"}),
    "ppt": frozenset({"ole", "cfb", "ppt"}), "msg": frozenset({"ole", "cfb"}),
    "rtf": frozenset({"rtf"}), "txt": frozenset({"text", "txt"}), "csv": frozenset({"text", "csv"}),
    "ics": frozenset({"text", "ics"}),
}
# VBA inside a nested document, as archive listings name it (a.zip › doc.xlsm/xl/vbaProject.bin)
_MACRO_MEMBERS = re.compile(r"(^|/)(vbaProject\.bin|_VBA_PROJECT(_CUR)?|vbaData\.xml)$|(^|/)Macros/VBA(/|$)",
                            re.IGNORECASE)
_MACRO_EXTENSIONS = frozenset({"docm", "dotm", "xlsm", "xltm", "xlam", "pptm", "potm", "ppsm", "sldm"})
# Spaces, dots and bidi tricks between the decoy extension and the real one are normalised away first.
_DECOY_EXTENSIONS = _words("pdf doc docx xls xlsx ppt pptx odt rtf txt csv"
                           " jpg jpeg png gif zip rar html htm mp3 mp4")


def extension(name: str | None) -> str:
    """The real extension of a file name, after the tricks used to hide it (trailing dots and
    spaces, right-to-left override, zero-width characters)."""
    if not name:
        return ""
    clean = "".join(c for c in unicodedata.normalize("NFKC", name) if unicodedata.category(c) != "Cf")
    clean = clean.strip().rstrip(". ")
    base = clean.replace("\\", "/").rsplit("/", 1)[-1]
    return base.rsplit(".", 1)[-1].lower() if "." in base else ""


def double_extension(name: str | None) -> str | None:
    """`Resume.pdf.exe` → "pdf" when an executable hides behind a decoy document extension."""
    if not name:
        return None
    clean = "".join(c for c in unicodedata.normalize("NFKC", name) if unicodedata.category(c) != "Cf")
    base = clean.replace("\\", "/").rsplit("/", 1)[-1].rstrip(". ")
    parts = [p.strip().lower() for p in base.split(".") if p.strip()]  # "a.pdf .  .exe" hides nothing
    if len(parts) >= 3 and parts[-1] in EXECUTABLE_EXTENSIONS and parts[-2] in _DECOY_EXTENSIONS:
        return parts[-2]
    return None


def _bidi_trick(name: str | None) -> bool:
    return name is not None and any(c in name for c in "\u202e\u202d\u2066\u2067\u2068")


def _sniffed(att: Attachment) -> str:
    return (att.sniffed_type or "").lower()


def _indexed(facts: Facts) -> Iterator[tuple[int, Attachment]]:
    yield from enumerate(facts.attachments[:200])


# ---------------------------------------------------------------------------------------------
# attachment.executable


def _file_reason(name: str, sniffed: str = "") -> tuple[str, bool] | None:
    """Why a file (attachment or archive member) is executable, and whether it is the critical kind."""
    ext = extension(name)
    if decoy := double_extension(name):
        return f"double extension .{decoy}.{ext}", True
    if _bidi_trick(name):
        return "right-to-left trick in the name", True
    if sniffed in EXECUTABLE_TYPES - {"script"}:
        return f"executable content ({sniffed})", True
    if ext in EXECUTABLE_EXTENSIONS:
        return f".{ext} file", True
    if ext in PROFILE_EXTENSIONS:
        return f".{ext} configuration profile (installs certificates, VPN or accounts)", True
    if ext in SCRIPT_EXTENSIONS or sniffed == "script":
        return (f".{ext} script" if ext in SCRIPT_EXTENSIONS else "script content"), False
    if ext in NOTEBOOK_EXTENSIONS or sniffed == "onenote":
        return "OneNote notebook (files inside run when double-clicked)", False
    return None


def _executable_reasons(att: Attachment) -> list[tuple[str, bool]]:
    """(what a person can check, critical?) for the attachment itself and its archive members."""
    name = att.filename or "(no name)"
    reasons: list[tuple[str, bool]] = []
    if found := _file_reason(att.filename or "", _sniffed(att)):
        reasons.append((f"{name}: {found[0]}", found[1]))
    for member in att.members[:_MAX_MEMBERS]:
        if found := _file_reason(member):
            reasons.append((f"{name} › {member}: {found[0]}", found[1]))
        if len(reasons) >= 8:
            break
    return reasons


@check(
    "attachment.executable", "critical", 8.0,
    variants={"script": 3.0},
    title=T("Executable attachment", "実行ファイルの添付"),
    detail=T(
        "An attachment is a program, or contains one: {files}. Opening it runs code on your computer; "
        "this is how malware arrives. Do not open it, even if the name looks like a document.",
        "添付ファイルがプログラムであるか、プログラムを含んでいます：{files}。開くとパソコン上でプログラムが"
        "実行されます。マルウェア感染の典型的な手口です。文書のような名前でも開かないでください。"),
    reason=T("it carries an executable attachment", "実行ファイルが添付されています"),
)
def executable(ctx: CheckContext) -> Iterator[Hit]:
    reasons: list[tuple[str, bool]] = []
    indexes: list[int] = []
    for i, att in _indexed(ctx.facts):
        if found := _executable_reasons(att):
            reasons += found
            indexes.append(i)
    if not reasons:
        return
    evidence = {"files": [r for r, _ in reasons][:12]}
    if any(critical for _, critical in reasons):
        yield Hit(evidence, attachments=indexes)
    else:
        yield Hit(evidence, attachments=indexes, severity="medium", variant="script", detail=fmt(T(
            "An attachment is a script, an installer package or a OneNote notebook ({files}). It runs code "
            "if opened with its program; open it only if you expected it from this sender.",
            "添付ファイルがスクリプト、インストーラー、または OneNote ノートブックです（{files}）。対応する"
            "プログラムで開くとコードが実行されることがあります。この送信者から届く予定のあったものでなければ"
            "開かないでください。"),
            files=", ".join(evidence["files"][:4])))


# ---------------------------------------------------------------------------------------------
# attachment.disk_image


@check(
    "attachment.disk_image", "high", 5.0,
    title=T("Disk image attachment", "ディスクイメージの添付"),
    detail=T(
        "An attachment is a disk image ({files}). Windows opens such files as a drive, which lets the "
        "programs inside slip past the warning shown for files from the internet. Ordinary senders do "
        "not mail disk images.",
        "添付ファイルがディスクイメージです（{files}）。Windows では開くとドライブとして扱われ、中の"
        "プログラムがインターネットから来たファイルへの警告を受けずに実行されてしまいます。"
        "通常のメールでディスクイメージが送られてくることはまずありません。"),
    reason=T("it carries a disk image", "ディスクイメージが添付されています"),
)
def disk_image(ctx: CheckContext) -> Iterator[Hit]:
    files: list[str] = []
    indexes: list[int] = []
    for i, att in _indexed(ctx.facts):
        hit = extension(att.filename) in DISK_IMAGE_EXTENSIONS or _sniffed(att) in DISK_IMAGE_TYPES
        inner = [m for m in att.members[:_MAX_MEMBERS] if extension(m) in DISK_IMAGE_EXTENSIONS]
        if hit or inner:
            files += [att.filename or "(no name)"] if hit else [f"{att.filename} › {m}" for m in inner[:4]]
            indexes.append(i)
    if files:
        yield Hit({"files": files[:12]}, attachments=indexes)


# ---------------------------------------------------------------------------------------------
# attachment.macro


@check(
    "attachment.macro", "high", 5.0,
    title=T("Office document with macros", "マクロ付きの Office 文書"),
    detail=T(
        "{files} contains macros (VBA). If you press “Enable content”, the macro runs with your rights; "
        "this is a common way to install malware. Do not enable macros in a document received by mail.",
        "{files} にマクロ（VBA）が含まれています。「コンテンツの有効化」を押すとマクロが実行され、"
        "マルウェアに感染させる手口としてよく使われます。メールで届いた文書のマクロは有効にしないでください。"),
    reason=T("it carries an Office document with macros", "マクロ付きの文書が添付されています"),
)
def macro(ctx: CheckContext) -> Iterator[Hit]:
    files: list[str] = []
    indexes: list[int] = []
    for i, att in _indexed(ctx.facts):
        name = att.filename or "(no name)"
        inner = [f"{name} › {m}" for m in att.members[:_MAX_MEMBERS]
                 if extension(m) in _MACRO_EXTENSIONS or _MACRO_MEMBERS.search(m)]
        if has_macros(att):
            files.append(name)
        elif inner:
            files += inner[:4]
        else:
            continue
        indexes.append(i)
    if files:
        yield Hit({"files": files[:12]}, attachments=indexes)


# ---------------------------------------------------------------------------------------------
# attachment.html


@check(
    "attachment.html", "medium", 3.0,
    variants={"scripted_image": 5.0},
    title=T("Web page attached", "Web ページ（HTML）の添付"),
    detail=T(
        "{files} is a web page. Opened, it displays in your browser, often as a copy of a login page that "
        "sends what you type to the attacker. Do not enter any password into a page that came as an "
        "attachment.",
        "{files} は Web ページです。開くとブラウザーで表示され、ログイン画面を装って入力内容を攻撃者に"
        "送る偽ページであることがよくあります。添付ファイルとして届いたページにパスワードを入力しないでください。"),
    reason=T("it carries a web page as an attachment", "Web ページが添付されています"),
)
def html_attachment(ctx: CheckContext) -> Iterator[Hit]:
    files: list[str] = []
    indexes: list[int] = []
    for i, att in _indexed(ctx.facts):
        if not att.filename and att.content_type.lower() in ("text/html", "application/xhtml+xml"):
            continue  # an unnamed HTML part is the message body's alternative, not an attachment
        ext = extension(att.filename)
        inner = [m for m in att.members[:_MAX_MEMBERS] if extension(m) in HTML_EXTENSIONS]
        if ext in HTML_EXTENSIONS or _sniffed(att) in HTML_TYPES or inner:
            files += [att.filename or "(no name)"] + [f"{att.filename} › {m}" for m in inner[:4]]
            indexes.append(i)
    if not files:
        return
    evidence = {"files": list(dict.fromkeys(files))[:12]}
    scripted = [ctx.facts.attachments[i].filename or "(no name)" for i in indexes if ctx.facts.attachments[i].scripted]
    if scripted:  # a picture that is a program: the SVG smuggling of phishing pages and downloads
        evidence["scripted"] = scripted[:12]
        yield Hit(evidence, attachments=indexes, severity="high", variant="scripted_image", detail=fmt(_SCRIPTED_SVG,
                  files=", ".join(scripted[:12])))
        return
    yield Hit(evidence, attachments=indexes)


_SCRIPTED_SVG = T(
    "{files} looks like a picture (SVG) but runs script or embeds a page when opened: a drawing has no "
    "need of that. Such files open in the browser and take you to a fake login page or start a download. "
    "Do not open it.",
    "{files} は画像（SVG）に見えますが、開くとスクリプトを実行するか Web ページを埋め込んで表示します。"
    "画像にそのような必要はありません。ブラウザーで開かれ、偽のログイン画面へ誘導したりダウンロードを始めたり"
    "する手口です。開かないでください。")


# ---------------------------------------------------------------------------------------------
# attachment.type_mismatch


@check(
    "attachment.type_mismatch", "medium", 2.0,
    variants={"harmless": 1.0},
    title=T("Attachment is not what its name says", "添付ファイルの中身が名前と違う"),
    detail=T(
        "{files}. A file whose content differs from its name is usually disguised on purpose, to look "
        "harmless or to get past filters.",
        "{files}。名前と中身の種類が違うファイルは、無害に見せかけたりフィルターをすり抜けたりするために"
        "偽装されていることがほとんどです。"),
    reason=T("an attachment is disguised as another type", "添付ファイルの種類が偽装されています"),
)
def type_mismatch(ctx: CheckContext) -> Iterator[Hit]:
    files: list[str] = []
    indexes: list[int] = []
    severe = False
    for i, att in _indexed(ctx.facts):
        ext, sniffed = extension(att.filename), _sniffed(att)
        expected = EXPECTED_TYPES.get(ext)
        if not expected or not sniffed or sniffed in expected or sniffed in ("unknown", "data", "binary"):
            continue
        if sniffed in EXECUTABLE_TYPES:
            continue  # attachment.executable says it louder
        files.append(f"{att.filename}: named .{ext}, but the content is {sniffed}")
        indexes.append(i)
        severe = severe or sniffed in ARCHIVE_TYPES or sniffed in HTML_TYPES
    if files:
        hit = Hit({"files": files[:12]}, attachments=indexes)
        if not severe:
            hit.severity, hit.variant = "low", "harmless"
        yield hit


# ---------------------------------------------------------------------------------------------
# attachment.encrypted_archive_password, attachment.encrypted_archive

def _naming(found: list[tuple[int, Attachment]], **evidence: object) -> Hit:
    """A hit about these (index, attachment) pairs: their names (12 at most) and where they are."""
    return Hit({"files": [a.filename or "(no name)" for _, a in found][:12], **evidence},
               attachments=[i for i, _ in found])


def _encrypted(facts: Facts) -> list[tuple[int, Attachment]]:
    return [(i, a) for i, a in _indexed(facts) if a.encrypted]


@check(
    "attachment.encrypted_archive_password", "high", 4.5,
    title=T("Encrypted attachment with its password in the mail",
            "パスワード付き添付ファイルとそのパスワード"),
    detail=T(
        "{files} is encrypted and the password ({password}) is in the message itself. Encryption that "
        "ships with its key protects nothing; it only stops virus scanners from looking inside, which "
        "is why malware is sent this way.",
        "{files} は暗号化されており、そのパスワード（{password}）がメール本文に書かれています。鍵と一緒に"
        "送る暗号化には保護の意味がなく、ウイルス対策ソフトに中身を検査させないための手口として"
        "マルウェアの送付によく使われます。"),
    reason=T("it carries an encrypted attachment with the password in the mail",
             "暗号化された添付ファイルとパスワードが同じメールにあります"),
)
def encrypted_archive_password(ctx: CheckContext) -> Iterator[Hit]:
    encrypted = _encrypted(ctx.facts)
    if not encrypted:
        return
    if ctx.facts.attachment_password:
        yield _naming(encrypted, password=ctx.facts.attachment_password)


@check(
    "attachment.encrypted_archive", "low", 1.5,
    title=T("Encrypted attachment", "暗号化された添付ファイル"),
    detail=T(
        "{files} is encrypted, so no virus scanner could look inside. Open it only if you expected it "
        "from this sender.",
        "{files} は暗号化されているため、ウイルス対策ソフトで中身を検査できません。この送信者から"
        "届く予定のあったファイルでなければ開かないでください。"),
    reason=T("it carries an encrypted attachment", "暗号化された添付ファイルがあります"),
)
def encrypted_archive(ctx: CheckContext) -> Iterator[Hit]:
    encrypted = _encrypted(ctx.facts)
    if encrypted and not ctx.facts.attachment_password:
        yield _naming(encrypted)


# ---------------------------------------------------------------------------------------------
# attachment.nested_archive

_ARCHIVE_SUFFIXES = (".zip", ".rar", ".7z", ".jar", ".gz", ".tgz", ".tar", ".cab", ".iso", ".lzh")
# what facts/attachments.py records when an archive inside an archive was left unopened
_UNOPENED = frozenset({"nested-archive-depth", "nested-archive-unreadable", "nested-archive-too-large",
                       "nested-archive-count"})


def _only_archives(att: Attachment) -> bool:
    """The archive's own members (not those of archives within) are all archives again."""
    top = [name for name in att.members if "!/" not in name and not name.endswith("/")]
    return bool(top) and all(name.lower().endswith(_ARCHIVE_SUFFIXES) for name in top)


@check(
    "attachment.nested_archive", "low", 2.0,
    title=T("Archives packed inside archives", "圧縮ファイルの中に圧縮ファイル"),
    detail=T(
        "{files} holds nothing but further archives, nested deeper than Whence opens (or too large or "
        "broken to open), so what they finally contain was not checked. Packing archives in archives is "
        "a way to get a file past scanners, and the trick of decompression bombs; people send the files "
        "themselves.",
        "{files} の中身は圧縮ファイルだけで、Whence が開く深さより深く入れ子になっている（または大きすぎる・"
        "壊れている）ため、最終的な中身は調べられていません。圧縮ファイルを何重にも包むのは検査をすり抜ける"
        "手口で、解凍爆弾の手口でもあります。普通はファイルそのものを送ります。"),
    reason=T("an attachment hides its content in archives within archives",
             "添付ファイルが圧縮ファイルを何重にも包んで中身を隠しています"),
)
def nested_archive(ctx: CheckContext) -> Iterator[Hit]:
    hidden = [(i, a) for i, a in _indexed(ctx.facts) if _UNOPENED & set(a.skipped) and _only_archives(a)]
    if hidden:
        yield _naming(hidden, why=sorted(_UNOPENED.intersection(hidden[0][1].skipped)))


# ---------------------------------------------------------------------------------------------
# attachment.random_name

_NAME_PART = re.compile(r"[A-Za-z0-9]{10,}")
_HEX = re.compile(r"[0-9A-Fa-f]+")


def _random_part(stem: str) -> str | None:
    """A run of letters and digits no person or program names a file with — upper and lower case
    mixed in an implausible string ("h5xBHKBQ5TA2433", "dbgejVNMGFUxk"): the per-copy name that keeps
    bulk mail's attachments from matching one another. Cameras, scanners and systems name files with
    words, dates, counters or hex."""
    for m in _NAME_PART.finditer(stem):
        part = m.group(0)
        if sum(c.isupper() for c in part) >= 2 and sum(c.islower() for c in part) >= 2 and \
                not _HEX.fullmatch(part) and (looks_random(part[:40]) or _base62(part[:40])):
            return part
    return None


_CASE_RUN = re.compile(r"[A-Z]+|[a-z]+")


def _base62(part: str) -> bool:
    """An identifier drawn from letters of both cases and digits ("03TwVCg6SXx41"): digits among the
    letters and the case switching every letter or two, as no word, CamelCase name or date does."""
    runs = _CASE_RUN.findall(part)
    return sum(c.isdigit() for c in part) >= 2 and len(runs) >= 5 and \
        sum(map(len, runs)) / len(runs) <= 1.6


@check(
    "attachment.random_name", "low", 1.5,
    title=T("An attachment with a random name", "ランダムな名前の添付ファイル"),
    detail=T("{files} is named with a random string. Bulk senders give every copy's attachment a "
             "different random name so that filters cannot recognise the file; people and the programs "
             "they use name files with words, dates or numbers.",
             "{files} はランダムな文字列で名付けられています。一斉送信では、フィルターに同じファイルと"
             "見抜かれないよう1通ずつ違うランダムな名前を付けます。人や普通のソフトは単語・日付・番号で名付けます。"),
    reason=T("an attachment has a random per-copy name", "添付ファイルが1通ごとのランダムな名前です"),
)
def random_name(ctx: CheckContext) -> Iterator[Hit]:
    for i, att in enumerate(ctx.facts.attachments[:50]):
        stem = (att.filename or "").rsplit(".", 1)[0]
        part = _random_part(stem[:200])
        if part:
            yield Hit({"files": [att.filename], "part": part}, attachments=[i])
            return


# ---------------------------------------------------------------------------------------------
# attachment.qr_code


def _qr_domain(payload: str) -> str | None:
    text = payload.strip()
    if not re.match(r"^(https?://|www\.)", text, re.IGNORECASE):
        return None
    try:
        host = urlsplit(text if "://" in text else f"http://{text}").hostname
    except ValueError:
        return None
    if not host:
        return None
    return registrable_domain(host) or host.lower()


@check(
    "attachment.qr_code", "medium", 3.0,
    variants={"foreign": 4.5, "own": 0.0},
    title=T("QR code in an attachment", "添付ファイル内の QR コード"),
    detail=T(
        "{files} shows a QR code pointing to {payloads}. A QR code moves the link to your phone, out of "
        "reach of your mail filter and of this check; do not scan it to log in or to pay.",
        "{files} に QR コードがあり、読み取ると {payloads} を開きます。QR コードはリンクをスマートフォンに"
        "移し、メールのフィルターやこの確認の目を逃れる手口です。ログインや支払いのために読み取らないでください。"),
    reason=T("it carries a QR code", "QR コードが添付されています"),
)
def qr_code(ctx: CheckContext) -> Iterator[Hit]:
    facts = ctx.facts
    sender = registrable_domain(facts.from_.domain) if facts.from_ and facts.from_.domain else None
    files: list[str] = []
    payloads: list[str] = []
    foreign: list[str] = []
    indexes: list[int] = []
    drawn: list[str] = []
    for i, att in _indexed(facts):
        if not att.qr_payloads:
            continue
        if att.sniffed_type in _DRAWN:
            drawn.append(att.sniffed_type)
        files.append(att.filename or ("(drawn in the message)" if att.sniffed_type in _DRAWN else "(no name)"))
        indexes.append(i)
        for p in att.qr_payloads[:8]:
            payloads.append(p[:300])
            domain = _qr_domain(p)
            if domain and domain != sender:
                foreign.append(domain)
    if not files:
        return
    evidence = {"files": files[:12], "payloads": payloads[:12], "sender_domain": sender,
                "domains": list(dict.fromkeys(foreign))[:12]}
    detail = None
    if drawn and len(drawn) == len(files):  # no picture at all: the code was drawn to pass for text
        evidence["drawn"] = drawn
        how = [_DRAWN[kind] for kind in dict.fromkeys(drawn)]
        shown = ", ".join(payloads[:4])
        detail = fmt_each(_DRAWN_DETAIL, {"how": " and ".join(h["en"] for h in how), "payloads": shown},
                          {"how": "と".join(h["ja"] for h in how), "payloads": shown})
    if foreign:
        yield Hit(evidence, attachments=indexes, severity="high", variant="foreign", detail=detail)
    elif from_authenticated(ctx) and not drawn:  # an e-ticket: the code leads back to the sender's own site
        yield Hit(evidence, attachments=indexes, severity="info", variant="own")
    else:
        yield Hit(evidence, attachments=indexes, detail=detail)


# facts.drawn's kinds of drawing, as a person reads them
_DRAWN = {TABLE: T("table cells", "表のセル"), BLOCKS: T("block characters (█▀▄)", "ブロック文字（█▀▄）")}
_DRAWN_DETAIL = T(
    "The message draws a QR code out of {how} instead of showing a picture; scanned, it opens {payloads}. "
    "A code is drawn so that filters which read pictures miss it: nobody sends a real QR code this way. "
    "Do not scan it to log in or to pay.",
    "このメールは画像ではなく{how}で QR コードを描いており、読み取ると {payloads} を開きます。画像を読む"
    "フィルターをすり抜けるための描き方で、正規の QR コードがこの形で届くことはありません。ログインや"
    "支払いのために読み取らないでください。")
