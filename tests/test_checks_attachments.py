"""Attachment checks: on the acceptance cases through the real pipeline, and on attachment facts as the
facts stage reports them (name, declared type, sniffed type, members, encryption, QR payloads)."""

from __future__ import annotations

from pathlib import Path

import pytest
from whence.checks import CATALOGUE, run_checks
from whence.checks.attachments import double_extension, extension
from whence.checks.registry import CheckContext, Hit
from whence.facts.attachments import given_password
from whence.model import Address, Attachment, AuthFacts, AuthResult, Context, Facts, Lookups, Message, Origin
from whence.pipeline import Analysis
from whence.settings import Settings

from tests.test_attachments import zip_bytes
from tests.test_checks_core import analyse, message

CASES = Path(__file__).parent / "data" / "cases"
IDS = ["attachment.executable", "attachment.disk_image", "attachment.macro", "attachment.html",
       "attachment.type_mismatch", "attachment.encrypted_archive_password", "attachment.encrypted_archive",
       "attachment.qr_code"]


def case_facts(name: str) -> Facts:
    analysis = Analysis((CASES / name).read_bytes(), Settings(offline=True))
    assert analysis.facts is not None, analysis.failure
    return analysis.facts


def make_facts(*attachments: Attachment, text: str = "", sender: str = "someone@example.com") -> Facts:
    return Facts(
        message=Message(headers=[], parts=[], raw_size=0), from_=Address("", sender, sender.split("@")[1]),
        reply_to=[], sender=None, to=[], return_path=None, subject="", date=None, hops=[], origin=Origin(),
        auth=AuthFacts(), links=[], attachments=list(attachments), text=text, html="", list_id=None,
        is_list=False, context=Context(), recipient=None, attachment_password=given_password(text))


def att(filename: str | None, sniffed: str | None, content_type: str = "application/octet-stream",
        **kw: object) -> Attachment:
    return Attachment(filename=filename, content_type=content_type, size=100, sniffed_type=sniffed, **kw)


def hits(check_id: str, facts: Facts) -> list[Hit]:
    return list(CATALOGUE[check_id].func(CheckContext(facts, Lookups())))


def fired(facts: Facts) -> dict[str, str]:
    """check id -> severity of its hit, for every attachment check that fired."""
    out = {}
    for cid in IDS:
        for h in hits(cid, facts):
            out[cid] = h.severity or CATALOGUE[cid].severity
    return out


# ---------------------------------------------------------------------------------------------
# The acceptance cases

def test_daum_case_finds_the_exe_behind_a_pdf_name_inside_the_zip() -> None:
    facts = case_facts("daum-xoip.eml")
    found = hits("attachment.executable", facts)
    assert len(found) == 1 and found[0].attachments == [0]
    assert found[0].evidence["files"] == [
        "Resume_MinjiKim.zip › Resume_MinjiKim.pdf.exe: double extension .pdf.exe"]
    findings, _ = run_checks(facts, Lookups())
    assert "attachment.executable" in facts.attachments[0].findings  # the per-attachment list is filled
    assert next(f for f in findings if f.id == "attachment.executable").severity == "critical"


def test_qr_case_escalates_for_a_foreign_domain() -> None:
    found = hits("attachment.qr_code", case_facts("qr-tax-cn.eml"))
    assert len(found) == 1 and found[0].severity == "high"
    assert found[0].evidence["domains"] == ["aaaefiubew.cn"]


@pytest.mark.parametrize("case", ["freight-xlsx.eml", "amazon-jp-legit.eml", "personal-iso2022jp.eml",
                                  "newsletter-tracking.eml", "mailing-list-arc.eml", "webform-abuse.eml"])
def test_harmless_cases_have_no_attachment_findings(case: str) -> None:
    assert fired(case_facts(case)) == {}


# ---------------------------------------------------------------------------------------------
# attachment.executable and attachment.disk_image

@pytest.mark.parametrize("name,ext,decoy", [
    ("Resume.pdf.exe", "exe", "pdf"),
    ("Invoice.PDF .scr", "scr", "pdf"),
    ("photo.jpg.  .js.", "js", "jpg"),
    ("report\u200b.docx.\u200bcmd", "cmd", "docx"),
    ("setup.exe", "exe", None),
    ("archive.tar.gz", "gz", None),
    ("", "", None),
])
def test_extensions_see_through_the_usual_tricks(name: str, ext: str, decoy: str | None) -> None:
    assert extension(name) == ext
    assert double_extension(name) == decoy


@pytest.mark.parametrize("attachment", [
    att("invoice.exe", "pe"),
    att("invoice.pdf", "pe", "application/pdf"),  # the content says it is a program
    att("Scan_0042\u202efdp.exe", None),  # shows as Scan_0042exe.pdf
    att("Order.pdf.lnk", "lnk"),
    att("update.hta", "html"),
    att("docs.zip", "zip", members=["docs/readme.txt", "docs/Invoice.pdf.js"]),
    att("docs.rar", "rar", members=["payment.vbs"]),
    att("email-settings.mobileconfig", "text", "application/x-apple-aspen-config"),
])
def test_executables_are_critical(attachment: Attachment) -> None:
    facts = make_facts(att("notes.txt", "text"), attachment)
    assert fired(facts).get("attachment.executable") == "critical"
    assert hits("attachment.executable", facts)[0].attachments == [1]


def test_scripts_between_developers_are_not_critical() -> None:
    assert fired(make_facts(att("build.sh", "script"))) == {"attachment.executable": "medium"}
    assert fired(make_facts(att("swasort", "script"))) == {"attachment.executable": "medium"}


@pytest.mark.parametrize("filename", ["Invoice_0042.one", "Scan.onepkg", "document.bin"])
def test_a_onenote_notebook_is_a_carrier_of_programs(filename: str) -> None:
    """The notebook's own magic bytes or name: files inside it run when their icon is double-clicked."""
    notebook = bytes.fromhex("e4525c7b8cd8a74daeb15378d02996d3") + bytes(400)
    content = notebook if filename != "Scan.onepkg" else b"MSCF" + bytes(400)
    report = analyse(message(sender="Accounts <billing@example.org>", subject="Invoice",
                             text="Please see the attached invoice.",
                             attachments=[(content, "application", "octet-stream", filename)]))
    found = next(f for f in report["findings"] if f["id"] == "attachment.executable")
    assert found["severity"] == "medium" and "OneNote" in found["evidence"]["files"][0]


def test_disk_images_have_their_own_finding() -> None:
    assert fired(make_facts(att("Invoice_2024.iso", "iso"))) == {"attachment.disk_image": "high"}
    found = fired(make_facts(att("Invoice.zip", "zip", members=["Invoice.img"])))
    assert found == {"attachment.disk_image": "high"}


def test_ordinary_documents_are_not_executable() -> None:
    facts = make_facts(att("見積書.pdf", "pdf", "application/pdf"), att("photo.JPG", "jpeg", "image/jpeg"),
                       att("data.xlsx", "ooxml", members=["[Content_Types].xml", "xl/workbook.xml"]))
    assert fired(facts) == {}


# ---------------------------------------------------------------------------------------------
# attachment.macro, attachment.html, attachment.type_mismatch

def test_macros_in_office_documents() -> None:
    xlsm = att("請求書.xlsm", "ooxml", members=["[Content_Types].xml", "xl/vbaProject.bin"])
    doc = att("Invoice.doc", "ole", members=["WordDocument", "Macros/VBA/ThisDocument", "Macros/PROJECT"])
    inner = att("docs.zip", "zip", members=["docs/order.docm"])
    assert hits("attachment.macro", make_facts(xlsm, doc, inner))[0].attachments == [0, 1, 2]
    plain = att("plain.docx", "ooxml", members=["word/document.xml"])
    assert hits("attachment.macro", make_facts(plain)) == []


def test_html_and_svg_attachments() -> None:
    facts = make_facts(att("Remittance.html", "html", "text/html"), att("fax.svg", "svg", "image/svg+xml"),
                       att("page.shtml", None), att(None, "html", "text/html"))
    found = hits("attachment.html", facts)
    assert found[0].attachments == [0, 1, 2]  # an unnamed text/html part is the body, not an attachment


def _with_svg(svg: bytes) -> bytes:
    from email.message import EmailMessage
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = "Accounts <ap@example.com>", "taro@example.jp", "Remittance"
    msg.set_content("Remittance advice attached.")
    msg.add_attachment(svg, maintype="image", subtype="svg+xml", filename="remittance.svg")
    return msg.as_bytes()


@pytest.mark.parametrize("svg", [
    b'<svg xmlns="http://www.w3.org/2000/svg"><script>location.href="https://login.example/"</script></svg>',
    b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" onload="location=atob(\'aHR0cA==\')"/>',
    b'<svg xmlns="http://www.w3.org/2000/svg"><foreignObject><form action="https://x.example"/></foreignObject></svg>',
])
def test_a_picture_that_runs_script_is_a_program(svg: bytes) -> None:
    report = Analysis(_with_svg(svg), Settings(offline=True)).offline_report()
    f = next(f for f in report["findings"] if f["id"] == "attachment.html")
    assert f["severity"] == "high" and f["evidence"]["scripted"] == ["remittance.svg"]


def test_a_drawing_is_only_an_attached_page() -> None:
    svg = b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 9 9"><circle cx="4" cy="4" r="3"/></svg>'
    f = next(f for f in Analysis(_with_svg(svg), Settings(offline=True)).offline_report()["findings"]
             if f["id"] == "attachment.html")
    assert f["severity"] == "medium" and "scripted" not in f["evidence"]


def test_type_mismatch() -> None:
    found = hits("attachment.type_mismatch", make_facts(att("statement.pdf", "zip", "application/pdf")))
    assert found and found[0].severity is None  # the check's default, medium
    assert "named .pdf, but the content is zip" in found[0].evidence["files"][0]
    low = hits("attachment.type_mismatch", make_facts(att("photo.jpg", "png", "image/jpeg")))
    assert low and low[0].severity == "low"
    # agreeing types, and executables (which attachment.executable reports) are not mismatches
    same = make_facts(att("a.docx", "ooxml"), att("b.pdf", "pdf"), att("c.pdf", "pe"), att("d.bin", "zip"))
    assert hits("attachment.type_mismatch", same) == []


# ---------------------------------------------------------------------------------------------
# Encrypted archives

@pytest.mark.parametrize("text,password", [
    ("Please find my resume attached. The archive is protected, password: 2022", "2022"),
    ("附件密码：【4739】", "4739"),
    ("添付ファイルのパスワードは「Xk29#pq」です。", "Xk29#pq"),
    ("解凍パスワード：ＡＢ１２３４", "AB1234"),
    ("PW: 8812", "8812"),
    ("文書のパスワードは #8127# です", "8127"),
    ("パスワードは別途お送りします。", None),
    ("Please reset your password below.", None),
])
def test_body_password(text: str, password: str | None) -> None:
    assert given_password(text) == password


def test_encrypted_archive_with_and_without_password_in_the_body() -> None:
    locked = att("請求書.zip", "zip", members=["請求書.xlsx"], encrypted=True)
    with_pw = make_facts(locked, text="請求書を送付します。解凍パスワード：7731")
    assert fired(with_pw) == {"attachment.encrypted_archive_password": "high"}
    assert hits("attachment.encrypted_archive_password", with_pw)[0].evidence["password"] == "7731"
    alone = make_facts(locked, text="請求書を送付します。パスワードは別のメールでお送りします。")
    assert fired(alone) == {"attachment.encrypted_archive": "low"}


# ---------------------------------------------------------------------------------------------
# attachment.qr_code

def test_qr_code_severity_depends_on_where_it_points() -> None:
    own = make_facts(att("ticket.png", "png", "image/png", qr_payloads=["https://www.example.com/t/1"]))
    assert fired(own) == {"attachment.qr_code": "medium"}
    text = make_facts(att("wifi.png", "png", "image/png", qr_payloads=["WIFI:S:guest;T:WPA;P:abc;;"]))
    assert fired(text) == {"attachment.qr_code": "medium"}
    foreign = make_facts(att("tax.pdf", "pdf", "application/pdf", qr_payloads=["http://login.example-cn.top/x"]))
    found = hits("attachment.qr_code", foreign)
    assert found[0].severity == "high" and found[0].evidence["domains"] == ["example-cn.top"]


def test_findings_name_the_files_in_both_languages() -> None:
    facts = make_facts(att("a.pdf.exe", "pe"), att("b.iso", "iso"), att("c.html", "html"),
                       att("d.zip", "zip", encrypted=True), att("e.png", "png", qr_payloads=["hello"]),
                       att("f.pdf", "zip"), att("g.xlsm", "ooxml", members=["xl/vbaProject.bin"]))
    findings, errors = run_checks(facts, Lookups())
    assert not errors
    ours = [f for f in findings if f.id.startswith("attachment.")]
    assert {f.id for f in ours} == set(IDS) - {"attachment.encrypted_archive_password"}
    for f in ours:
        for lang in ("en", "ja"):
            assert f.title[lang] and f.detail[lang] and "{" not in f.detail[lang], f


def test_hostile_attachment_lists_are_bounded() -> None:
    many = [att(f"x{i}.pdf.exe", "pe", members=[f"m{j}.exe" for j in range(5000)]) for i in range(300)]
    found = hits("attachment.executable", make_facts(*many))
    assert len(found) == 1 and len(found[0].evidence["files"]) <= 12


# ---------------------------------------------------------------------------------------------
# attachment.nested_archive, through the real facts stage (archives built here, listed by it)

def _mailed(name: str, payload: bytes, text: str = "attached", subtype: str = "zip") -> Facts:
    from email.message import EmailMessage

    msg = EmailMessage()
    msg["From"] = "someone@example.com"
    msg["To"] = "me@example.jp"
    msg["Subject"] = "files"
    msg.set_content(text)
    msg.add_attachment(payload, maintype="application", subtype=subtype, filename=name)
    analysis = Analysis(msg.as_bytes(), Settings(offline=True))
    assert analysis.facts is not None, analysis.failure
    return analysis.facts


def test_archives_nested_past_what_is_opened_are_said_to_hide_their_content() -> None:
    chain = zip_bytes({"setup.exe": b"MZ"})
    for level in range(4):
        chain = zip_bytes({f"level{level}.zip": chain})
    found = hits("attachment.nested_archive", _mailed("documents.zip", chain))
    assert len(found) == 1 and found[0].attachments == [0]
    assert found[0].evidence["why"] == ["nested-archive-depth"]
    assert CATALOGUE["attachment.nested_archive"].severity == "low"


def test_an_archive_with_files_beside_its_archives_or_opened_whole_is_not_flagged() -> None:
    inner = zip_bytes({"a.txt": b"hello"})
    opened = _mailed("photos.zip", zip_bytes({"part1.zip": inner, "part2.zip": inner}))  # one level: all seen
    assert not hits("attachment.nested_archive", opened)
    beside = _mailed("release.zip", zip_bytes({"README.txt": b"read me", "deep.zip": zip_bytes({"x.zip": inner})}))
    assert not hits("attachment.nested_archive", beside)


def test_a_qr_code_locked_in_a_pdf_with_the_password_in_the_body_is_read() -> None:
    payload = (Path(__file__).parent / "data" / "attachments" / "qr-password-3906.pdf").read_bytes()
    facts = _mailed("补贴通知.pdf", payload, "补贴申请通知，请查看附件。文件密码：【3906】", "pdf")
    assert facts.attachment_password == "3906"
    assert hits("attachment.qr_code", facts) and hits("attachment.encrypted_archive_password", facts)
    unopened = _mailed("补贴通知.pdf", payload, "补贴申请通知，请查看附件。", "pdf")
    assert not hits("attachment.qr_code", unopened) and hits("attachment.encrypted_archive", unopened)


def test_a_qr_code_back_to_the_authenticated_senders_own_site_is_an_e_ticket() -> None:
    ticket = att("ticket.png", "png", qr_payloads=["https://teket.example/t/8F2KQ"])
    facts = make_facts(ticket, sender="info@teket.example")
    [unverified] = hits("attachment.qr_code", facts)  # anyone can claim to be teket.example
    assert unverified.variant is None and unverified.severity is None
    facts.auth = AuthFacts(results=[AuthResult("dmarc", "pass", {"header.from": "teket.example"})])
    [hit] = hits("attachment.qr_code", facts)
    assert hit.variant == "own" and hit.severity == "info"
    elsewhere = make_facts(att("ticket.png", "png", qr_payloads=["https://pay.other.example/x"]),
                           sender="info@teket.example")
    elsewhere.auth = facts.auth
    assert hits("attachment.qr_code", elsewhere)[0].variant == "foreign"
