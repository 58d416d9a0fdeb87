"""Structural signals of issue 10 — how a phish is built, not what one said — each beside the
legitimate mail built the same way that must stay quiet. Real pipeline, offline, messages built here."""

from __future__ import annotations

from email.message import EmailMessage

import pytest

from tests.test_checks_core import analyse, ids, message

LIST_ID = "<devel.lists.example.org>"


def list_mail(*, sender: str, text: str, html: str | None = None, reply_to: str | None = None,
              list_post: str = "<mailto:devel@lists.example.org>") -> bytes:
    """A message as a list server delivers it: the list's own servers in the route, list headers."""
    msg = EmailMessage()
    msg["Received"] = ("from lists.example.org (lists.example.org [198.51.100.7]) by mx.example.jp (Postfix) "
                       "with ESMTPS id 4WyK2n; Tue, 3 Sep 2024 02:54:43 +0900")
    msg["Received"] = ("from mail.author.example (mail.author.example [203.0.113.5]) by lists.example.org "
                       "(Postfix) with ESMTPS id 9QpX1; Tue, 3 Sep 2024 02:54:41 +0900")
    msg["From"] = sender
    msg["To"] = "devel@lists.example.org"
    if reply_to:
        msg["Reply-To"] = reply_to
    msg["Subject"] = "Re: [PATCH] fix the frobnicator"
    msg["Date"] = "Tue, 3 Sep 2024 02:54:40 +0900"
    msg["Message-ID"] = "<2@author.example>"
    msg["List-Id"] = f"Developers {LIST_ID}"
    msg["List-Post"] = list_post
    msg.set_content(text)
    if html is not None:
        msg.add_alternative(html, subtype="html")
    return msg.as_bytes()


# --- a list that rewrote From to its own address (DMARC mitigation) ------------------------------

def test_list_that_rewrote_from_is_a_list_and_reply_to_the_author_is_normal() -> None:
    r = analyse(list_mail(sender="Jane Dev via Devel <devel@lists.example.org>",
                          reply_to="Jane Dev <jane@author.example>", text="Looks good to me."))
    assert "route.mailing_list" in ids(r)
    assert "sender.reply_to_mismatch" not in ids(r)


def test_a_digest_from_the_lists_request_address_is_the_list_speaking() -> None:
    r = analyse(list_mail(sender="devel-request@lists.example.org", text="Today's Topics: 1. Re: fix (Jane)"))
    assert "route.mailing_list" in ids(r)


def test_list_address_in_from_without_the_list_in_the_route_is_not_a_list() -> None:
    """Anyone can write a list's address and List-Post; only the list's own servers make it a list."""
    raw = message(sender="Devel <devel@lists.example.org>", text="Confirm your account.",
                  client="203.0.113.66", client_name="vps66.hosting.example",
                  extra={"List-Id": LIST_ID, "List-Post": "<mailto:devel@lists.example.org>",
                         "Reply-To": "claims@payout-desk.example"})
    r = analyse(raw)
    assert "route.mailing_list" not in ids(r)
    assert "sender.reply_to_mismatch" in ids(r)


# --- a bug bot's page quoted in list discussion ---------------------------------------------------

def test_free_hosting_quoted_in_plain_list_discussion_is_only_information() -> None:
    r = analyse(list_mail(sender="Bot <bot@author.example>",
                          text="Reported at https://ci-bot.appspot.com/bug?id=12345 — please have a look."))
    f = next(f for f in r["findings"] if f["id"] == "link.free_hosting")
    assert f["severity"] == "info"
    assert f["score"] < 1.0


@pytest.mark.parametrize("url", ["https://ci-bot.appspot.com/bug?id=12345", "https://preview-42.netlify.app/"])
def test_a_url_a_member_typed_in_a_client_that_also_writes_html_is_still_a_citation(url: str) -> None:
    """Gmail and Outlook send a plain and an HTML version; the HTML one links the URL with itself as text."""
    r = analyse(list_mail(sender="Jane Dev <jane.dev@gmail.com>", text=f"The log is at {url} if you need it.",
                          html=f'<div dir="ltr">The log is at <a href="{url}">{url}</a> if you need it.</div>'))
    f = next(f for f in r["findings"] if f["id"] == "link.free_hosting")
    assert f["severity"] == "info" and f["score"] < 1.0
    assert r["verdict"]["level"] == "safe"


def test_a_host_cited_by_address_and_also_behind_a_button_stays_evidence() -> None:
    url = "https://verify-box.pages.dev/"
    r = analyse(list_mail(sender="Support <support@author.example>", text=f"Verify your mailbox: {url}",
                          html=f'<p>Verify your mailbox: {url}</p><a href="{url}login">Verify</a>'))
    f = next(f for f in r["findings"] if f["id"] == "link.free_hosting")
    assert f["severity"] != "info" and f["score"] >= 2.0


def test_free_hosting_behind_a_button_in_list_mail_stays_evidence() -> None:
    r = analyse(list_mail(sender="Support <support@author.example>", text="Verify your mailbox.",
                          html='<p>Verify your mailbox.</p><a href="https://verify-box.pages.dev/">Verify</a>'))
    f = next(f for f in r["findings"] if f["id"] == "link.free_hosting")
    assert f["severity"] != "info"
    assert f["score"] >= 2.0


# --- a brand's own domain in From, handed over by a server that is not the brand's -----------------

BRAND_PAGE = ('<p>Your account is on hold until we hear from you. Please review the recent orders on your '
              'account and tell us whether you placed them. Orders you did not place will be refunded '
              'to your card within three days.</p>'
              '<img src="https://images.amazon.co.jp/logo.png" alt="Amazon">'
              '<a href="https://www.amazon.co.jp/help">Help</a> <a href="https://account-hold.example/">Sign in</a>')


@pytest.mark.parametrize(("server", "severity"), [
    ("static.9.113.0.203.clients.hosting.example", "critical"),  # the forged-brand phish
    ("smtp-out-9.amazon.co.jp", "medium"),  # the brand's own server with a partner link: a hint
])
def test_brand_domain_in_from_is_judged_by_the_server_that_handed_it_over(server: str, severity: str) -> None:
    r = analyse(message(sender="Amazon <account-update@amazon.co.jp>", subject="Your account is on hold",
                        text="Your account is on hold.", html=BRAND_PAGE, client="203.0.113.9", client_name=server))
    f = next(f for f in r["findings"] if f["id"] == "brand.impersonation")
    assert f["severity"] == severity
    assert (r["verdict"]["level"] == "dangerous") == (severity == "critical")


# --- the fitted weight table ------------------------------------------------------------------------

def test_every_fitted_key_names_a_check_and_one_of_its_variants() -> None:
    """A renamed check or variant would silently fall back to its prior; the table must follow."""
    from whence.checks import CATALOGUE
    from whence.weights import _table, thresholds

    table = _table()
    assert table["weights"], "data/weights.json is missing or empty"
    for key in table["weights"]:
        cid, _, variant = key.partition(":")
        assert cid in CATALOGUE, key
        assert not variant or variant in CATALOGUE[cid].variants, key
        assert not CATALOGUE[cid].needs_network, f"{key}: a live check cannot be fitted offline"
    bounds = [b for _, b in thresholds()]
    assert bounds == sorted(bounds, reverse=True) and bounds[-1] > 0


def test_weights_keep_the_sign_of_their_priors() -> None:
    from whence.checks import CATALOGUE
    from whence.weights import _table

    for key, w in _table()["weights"].items():
        cid, _, variant = key.partition(":")
        p = CATALOGUE[cid].variants[variant] if variant else CATALOGUE[cid].score
        assert w * p >= 0, key


# --- a lone organisation name on a designed page from a domain without it ----------------------------

def test_lone_organisation_name_from_an_unrelated_domain_on_a_designed_page() -> None:
    r = analyse(message(sender="Exodus <emailmkt@flower-shop.example>", subject="Secure your wallet",
                        html='<p>Secure your wallet</p><a href="https://wallet-check.example/">Start</a>'))
    f = next(f for f in r["findings"] if f["id"] == "sender.name_unrelated")
    assert f["evidence"]["name"] == "Exodus"


def test_a_persons_name_or_the_own_domain_is_not_a_bare_trading_name() -> None:
    html = '<p>Hi</p><a href="https://photos.example/album">Album</a>'
    for sender in ("Dave <dave.smith@company.example>", "Zoom <no-reply@zoom.example>",
                   "Dave Smith <d.smith@company.example>"):
        r = analyse(message(sender=sender, subject="Photos", html=html))
        assert "sender.name_unrelated" not in ids(r), sender
    r = analyse(message(sender="Exodus <emailmkt@flower-shop.example>", text="Plain words, no page."))
    assert "sender.name_unrelated" not in ids(r)


def test_a_name_a_sender_and_a_site_that_are_three_parties_are_named_so() -> None:
    r = analyse(message(sender="Exodus <emailmkt@flower-shop.example>", subject="Secure your wallet",
                        html='<p>Secure your wallet</p><a href="https://wallet-check.example/">Start</a>'))
    f = next(f for f in r["findings"] if f["id"] == "link.elsewhere")
    assert f["evidence"]["name"] == "Exodus"  # the name that neither the sender nor the site carries
    assert "wallet-check.example" in f["detail"]["ja"] and "flower-shop.example" in f["detail"]["en"]


def test_links_to_the_named_organisations_site_make_two_parties_not_three() -> None:
    # an organisation mailing through another domain still links to its own site
    r = analyse(message(sender="Exodus <emailmkt@flower-shop.example>", subject="Release notes",
                        html='<p>New release</p><a href="https://exodus-wallet.example/notes">Read</a>'))
    f = next(f for f in r["findings"] if f["id"] == "link.elsewhere")
    assert "name" not in f["evidence"]


# --- ARC seals: a forwarder's, or the provider's own platform sealing what its tenants send --------

def arc_mail(sealer: str, headers: str = "") -> bytes:
    return (
        "Received: from BN8PR.namprd.prod.outlook.com (2603:10b6:408::1) by SA1PR.namprd.prod.outlook.com"
        " with HTTPS; Tue, 3 Sep 2024 02:54:45 +0000\r\n"
        "Authentication-Results: spf=pass smtp.mailfrom=shop.example; dkim=none; dmarc=none\r\n"
        "ARC-Seal: i=2; a=rsa-sha256; s=arcselector10001; d=microsoft.com; cv=pass; b=AAAA\r\n"
        "Received: from mail.relay.example (203.0.113.7) by BN8PR.namprd.prod.outlook.com"
        " with ESMTPS; Tue, 3 Sep 2024 02:54:44 +0000\r\n"
        f"ARC-Seal: i=1; a=rsa-sha256; s=arc1; d={sealer}; cv=none; b=BBBB\r\n"
        f"{headers}From: Offers <deals@shop.example>\r\nTo: someone@hotmail.com\r\nSubject: Deals\r\n"
        "Date: Tue, 3 Sep 2024 02:54:40 +0000\r\nMessage-ID: <1@shop.example>\r\n\r\nHello.\r\n").encode()


def test_a_seal_by_the_providers_own_organisation_does_not_make_a_forwarder() -> None:
    assert "route.mailing_list" not in ids(analyse(arc_mail("microsoft.com")))


def test_a_seal_by_another_organisation_before_the_provider_is_a_forwarder() -> None:
    assert "route.mailing_list" in ids(analyse(arc_mail("lists.example.net")))


def outbound_sealed(sealer_hops: str, sealer: str) -> bytes:
    """Mail to another provider (mx.example-mail.jp) that SEALER sealed before handing it over."""
    return (
        "Received: from out.sealer.example (out.sealer.example [203.0.113.9]) by mx.example-mail.jp (Postfix)"
        " with ESMTPS id A; Tue, 3 Sep 2024 11:54:46 +0900\r\n"
        "Authentication-Results: mx.example-mail.jp; spf=pass smtp.mailfrom=partner-co.example; "
        "dkim=pass header.d=partner-co.example; dmarc=pass header.from=partner-co.example\r\n"
        f"ARC-Seal: i=1; a=rsa-sha256; s=arc1; d={sealer}; cv=none; b=BBBB\r\n{sealer_hops}"
        "From: Hanako <hanako@partner-co.example>\r\nTo: taro@example.jp\r\nSubject: 見積\r\n"
        "Date: Tue, 3 Sep 2024 11:54:40 +0900\r\nMessage-ID: <1@partner-co.example>\r\n\r\nよろしくお願いします。\r\n"
    ).encode()


def test_a_seal_by_the_platform_the_mail_began_on_does_not_make_a_forwarder() -> None:
    # Microsoft 365 seals what its tenants send on the way out: the oldest Received is its own
    tenant = ("Received: from TY3PR01MB1234.jpnprd01.prod.outlook.com (2603:1096:400::5) by "
              "TY3PR01MB1234.jpnprd01.prod.outlook.com with HTTPS; Tue, 3 Sep 2024 02:54:41 +0000\r\n")
    assert "route.mailing_list" not in ids(analyse(outbound_sealed(tenant, "microsoft.com")))
    # a mailbox's forwarding rule at another organisation: the mail began on the author's own server
    forwarded = ("Received: from mail.partner-co.example (mail.partner-co.example [198.51.100.4]) by mx.google.com"
                 " with ESMTPS; Tue, 3 Sep 2024 02:54:42 +0000\r\n"
                 "Received: from pc01 (unknown [10.0.0.5]) by mail.partner-co.example (Postfix) with ESMTPSA;"
                 " Tue, 3 Sep 2024 11:54:41 +0900\r\n")
    assert "route.mailing_list" in ids(analyse(outbound_sealed(forwarded, "google.com")))


REPLY_ELSEWHERE = "Reply-To: desk@claims-office.example\r\n"
LIST_HEADERS = "List-Id: Claims <claims.lists.example.net>\r\nList-Post: <mailto:claims@lists.example.net>\r\n"


def test_a_forwarder_leaves_the_authors_reply_to_as_evidence() -> None:
    # a mailbox's forwarding rule seals the message and passes it on as written: the Reply-To is the author's
    r = analyse(arc_mail("forwarder.example.net", REPLY_ELSEWHERE))
    assert "route.mailing_list" in ids(r)
    assert "sender.reply_to_mismatch" in ids(r)


def _relay_finding(report: dict) -> dict:
    return next(f for f in report["findings"] if f["id"] == "route.mailing_list")


def test_a_forwarder_is_named_as_such_in_both_languages() -> None:
    finding = _relay_finding(analyse(arc_mail("forwarder.example.net")))
    assert finding["evidence"]["forwarded"] is True
    assert "forwarder" in finding["detail"]["en"]
    assert "転送" in finding["detail"]["ja"] and "forwarder" not in finding["detail"]["ja"]


def test_a_list_is_named_by_its_list_id() -> None:
    finding = _relay_finding(analyse(arc_mail("lists.example.net", LIST_HEADERS)))
    assert finding["evidence"] == {"list": "Claims <claims.lists.example.net>", "forwarded": False}
    assert "claims.lists.example.net" in finding["detail"]["ja"]


def test_a_list_that_seals_sets_reply_to_itself_and_is_excused() -> None:
    # the same seal with list headers: a list, which sets Reply-To to wherever its discussion goes
    r = analyse(arc_mail("lists.example.net", REPLY_ELSEWHERE + LIST_HEADERS))
    assert "route.mailing_list" in ids(r)
    assert "sender.reply_to_mismatch" not in ids(r)


# --- per-copy random names and disguised letters ----------------------------------------------------

def with_attachment(filename: str) -> bytes:
    msg = EmailMessage()
    msg["From"] = "Notice <notice@example.org>"
    msg["To"] = "taro@example.jp"
    msg["Subject"] = "Document"
    msg.set_content("See the attached document.")
    msg.add_attachment(b"%PDF-1.4\n%%EOF\n", maintype="application", subtype="pdf", filename=filename)
    return msg.as_bytes()


@pytest.mark.parametrize("filename", ["h5xBHKBQ5TA2433.pdf", "Statement_dbgejVNMGFUxk.pdf", "03TwVCg6SXx41.pdf"])
def test_a_random_per_copy_attachment_name_is_seen(filename: str) -> None:
    assert "attachment.random_name" in ids(analyse(with_attachment(filename)))


@pytest.mark.parametrize("filename", ["IMG_20240301_123456.pdf", "Invoice-2024-00123.pdf", "DSC01234.pdf",
                                      "3f2a9c1e8b7d4a6f.pdf", "QuarterlyReport.pdf", "MyThesisDraftV2.pdf",
                                      "iPhone12ProMax.pdf", "Report_Q3FY24v2.pdf", "WhatsAppImage2024.pdf",
                                      "eBay2023OrderIDx.pdf"])
def test_names_people_and_programs_give_files_are_not_random(filename: str) -> None:
    assert "attachment.random_name" not in ids(analyse(with_attachment(filename)))


@pytest.mark.parametrize(("sender", "subject"), [
    ("Trust WaIIet <a@example.org>", "Hello"), ("Billing <a@example.org>", "Payment DecIined"),
    ("PaypaI <a@example.org>", "Hello")])
def test_capital_i_for_small_l_is_a_disguised_word(sender: str, subject: str) -> None:
    r = analyse(message(sender=sender, subject=subject))
    assert "content.mixed_script" in ids(r)


@pytest.mark.parametrize("subject", ["Re: [PATCH] use getItem() in isInitialized", "IBM ThinkPad X1",
                                     "iPhone and iPad", "Hello from Ireland"])
def test_camel_case_and_capitals_are_not_disguised_words(subject: str) -> None:
    assert "content.mixed_script" not in ids(analyse(message(subject=subject)))


def test_a_code_woven_of_capitals_and_digits_in_the_sender_name_is_a_tag() -> None:
    r = analyse(message(sender="Conta - Atendimento: W2BSAGXRAO88YRSRJC <a@example.org>"))
    assert next(f for f in r["findings"] if f["id"] == "content.subject_token")["evidence"]["where"] == "sender's name"


@pytest.mark.parametrize("sender", ["AreYouLoco <a@example.org>", "ACME Support <a@example.org>",
                                    "Order Desk 2024 <a@example.org>"])
def test_nicknames_and_plain_names_carry_no_tag(sender: str) -> None:
    assert "content.subject_token" not in ids(analyse(message(sender=sender)))


# --- brands spelt with look-alike letters; invisible characters inside words ------------------------

def test_a_brand_spelt_with_look_alike_letters_is_still_claimed() -> None:
    r = analyse(message(sender="Ꮮеdgеr <support@channel-news.example>", subject="Verify your wallet",
                        html='<p>Verify</p><a href="https://ledger-verify.example/">Verify</a>'))
    assert next(f for f in r["findings"] if f["id"] == "brand.impersonation")["evidence"]["brand"] == "ledger"


def test_cyrillic_words_and_japanese_names_are_left_as_they_are() -> None:
    from whence.checks.common import unmask

    assert unmask("Москва и Paris") == "Москва и Paris"
    assert unmask("Amazonアカウント") == "Amazonアカウント"
    assert unmask("Vеrіfy Yоur Wаllеt") == "Verify Your Wallet"


def test_letter_spaced_names_and_kanji_for_katakana_are_read_as_written_to_be_seen() -> None:
    """Spelling a name out letter by letter, or writing 力 for カ and 一 for ー inside a katakana word,
    keeps a brand's name from a filter and shows it to a reader."""
    from whence.checks.common import unmask

    assert unmask("A m a z o n") == "Amazon"
    assert unmask("楽　天 カ ー ド") == "楽天カード"
    assert unmask("メル力リ") == "メルカリ"
    assert unmask("三井住友力一ド") == "三井住友カード"
    # people's names, initials and kanji words stay as they are
    for text in ("山田　太郎", "J R Smith", "Q & A", "一人で工事のお知らせ"):
        assert unmask(text) == text
    for name in ("メル力リ", "A m a z o n", "F.e.d.E.x", "AMAZ0N"):  # the last two: the next test's shapes
        r = analyse(message(sender=f"{name} <info@kqwx-mail.top>", subject="ご利用確認",
                            html='<a href="https://secure.kqwx.top/x">確認</a>'))
        hit = next(f for f in r["findings"] if f["id"] == "brand.impersonation")
        assert hit["severity"] == "critical" and hit["evidence"]["disguised"], name


def test_names_dotted_out_or_with_digits_for_letters_are_read_as_meant() -> None:
    """"F.e.d.E.x" and "AMAZ0N" are written for a reader and against a filter, like spaced letters."""
    from whence.checks.common import unmask

    assert unmask("F.e.d.E.x") == "FedEx" and unmask("P-a-y-P-a-l") == "PayPal"
    assert unmask("【AMAZ0N】") == "【AMAZON】" and unmask("Amaz〇n") == "Amazon"
    assert unmask("PayPa1 Service") == "PayPal Service" and unmask("Micr0s0ft") == "Microsoft"
    # codes, model numbers, versions, acronyms and abbreviations stay as they are
    for text in ("Win10 Pro", "MP3", "COVID19", "x86_64", "H2O", "A4 paper", "B2B2C", "ver1.2.3", "e.g.",
                 "U.S.A.", "3Dmodel"):
        assert unmask(text) == text


def test_an_invisible_character_inside_a_latin_word_of_the_name_is_severe() -> None:
    r = analyse(message(sender="Gemini Se\U000e0139r\U000e0139vice <a@example.org>"))
    assert next(f for f in r["findings"] if f["id"] == "content.invisible_chars")["severity"] == "medium"


def test_zwnj_in_a_persian_name_is_spelling_not_a_trick() -> None:
    r = analyse(message(sender="می\u200cخواهم <a@example.org>"))
    f = next((f for f in r["findings"] if f["id"] == "content.invisible_chars"), None)
    assert f is None or f["severity"] != "medium"


# --- a reputable platform carrying someone else's words ---------------------------------------------

GOOGLE_AUTH = "spf=pass smtp.mailfrom=doclist.bounces.google.com; dkim=pass header.d=google.com; dmarc=pass"


def test_a_share_notification_on_behalf_of_a_stranger_earns_no_relief() -> None:
    r = analyse(message(sender="Sondles Coones (via Google Docs) <drive-shares-noreply@google.com>",
                        subject="Your coin is on its way", auth=GOOGLE_AUTH,
                        client="209.85.219.77", client_name="mail-sor-f77.google.com",
                        text="Your Bitcoin withdrawal is pending. Claim your balance now at https://coin-claim.example/",
                        extra={"Reply-To": "admin@coin-claim.example"}))
    assert all(f["score"] >= 0 for f in r["findings"] if f["id"].startswith("auth."))
    assert "content.crypto_lure" in ids(r)


def test_the_platforms_own_notification_keeps_its_relief() -> None:
    r = analyse(message(sender="Google <no-reply@accounts.google.com>", subject="Security alert",
                        auth="spf=pass smtp.mailfrom=accounts.google.com; dkim=pass header.d=google.com; dmarc=pass",
                        client="209.85.219.77", client_name="mail-sor-f77.google.com",
                        text="A new sign-in on Windows. If this was you, you need not do anything."))
    assert any(f["score"] < 0 for f in r["findings"] if f["id"] == "auth.brand_authenticated")


# --- one organisation under two names; relays that keep the sender's address in the name -----------

def test_replies_to_the_same_organisations_other_domain_are_not_a_mismatch() -> None:
    r = analyse(message(sender="The Motley Fool <Fool@motleyfool.example>",
                        extra={"Reply-To": "Otto@fool.example"}))
    assert "sender.reply_to_mismatch" not in ids(r)


def test_replies_to_a_free_mail_box_stay_a_mismatch() -> None:
    r = analyse(message(sender="Billing <billing@shop-mail.example>", extra={"Reply-To": "shop.billing@gmail.com"}))
    assert "sender.reply_to_mismatch" in ids(r)


def test_a_relay_keeps_the_senders_address_in_the_name_and_its_tracker_is_its_own() -> None:
    html = '<a href="http://lists.serverside.example/t/123/45/">HostJ2EE.com</a>'
    r = analyse(message(sender='"Newsletter newsletter@serverside.example" <ticket_ab12@relay.example>',
                        subject="News", html=html))
    assert "link.text_mismatch" not in ids(r)
    r = analyse(message(sender="Newsletter <ticket_ab12@relay.example>", subject="News", html=html))
    assert "link.text_mismatch" in ids(r)


# --- brand names that are ordinary words, in a thread's subject ------------------------------------

def test_a_reply_in_a_thread_does_not_claim_the_brands_its_subject_mentions() -> None:
    thread = {"In-Reply-To": "<1@kernel-dev.org>", "References": "<1@kernel-dev.org>"}
    r = analyse(message(sender="Jane Dev <jane@kernel-dev.org>", subject="Re: ETC account lockup in the driver",
                        text="The ETC register locks the account table.", extra=thread))
    assert "brand.impersonation" not in ids(r)


def test_a_fake_reply_without_a_thread_still_claims_the_brand() -> None:
    r = analyse(message(sender="ETC Service <info@etc-notice.example>", subject="Re: ETC account suspended",
                        text="ETCサービスのアカウントが停止されました。ログインして確認してください。",
                        html='<a href="https://etc-check.example/">ログイン</a>'))
    assert "brand.impersonation" in ids(r)


# --- where a redirector sends the reader on to ------------------------------------------------------

def test_a_redirector_on_a_famous_domain_is_followed_to_where_it_sends_the_reader() -> None:
    html = ('<a href="https://www.bing.com/ck/a?!&&p=1a2b&u=a1aHR0cHM6Ly9wYXlvdXQtZGVzay5leGFtcGxlL2xvZ2lu&ntb=1">'
            'Accept terms</a>')
    r = analyse(message(sender="Microsoft Personal <billing@shop-mail.example>", subject="Your services agreement",
                        html=html))
    assert any(link["source"] == "redirect" and link["domain"] == "payout-desk.example" for link in r["links"])
    assert "brand.impersonation" in ids(r)  # the click ends at payout-desk.example, not at Microsoft


def test_a_newsletter_trackers_destination_is_the_site_it_shows() -> None:
    html = ('<a href="https://click.mailer.example/t?url=https%3A%2F%2Fwww.shop.example%2Fsale">'
            'www.shop.example</a>')
    r = analyse(message(sender="Shop <news@shop.example>", subject="Autumn sale", html=html))
    assert any(link["source"] == "redirect" and link["domain"] == "shop.example" for link in r["links"])
    assert "link.text_mismatch" not in ids(r)


def test_query_values_that_are_no_address_are_no_destination() -> None:
    from whence.facts.links import destinations

    assert destinations("https://example.org/?q=hello+world&id=aGVsbG8gd29ybGQgaGVsbG8") == []
    assert destinations("https://example.org/?next=/account") == []
    assert destinations("https://www.google.com/url?q=https://a.example/x&sa=D") == ["https://a.example/x"]
    assert destinations("https://www.google.com/search?q=example.com") == []  # a search, not a hand-on
    assert destinations("https://shop.example/?to=v1.2") == []  # a version, not a place
    assert destinations("https://example.org/amp/s/site.example/") == []  # only Google's viewer shows others' pages


@pytest.mark.parametrize("href,domain", [
    # Google Translate's proxy names the site without a scheme; the AMP viewer names it in its path
    ("https://translate.google.com/translate?sl=auto&tl=en&u=payout-desk.example/login.php?c=1", "payout-desk.example"),
    ("https://google.co.jp/amp/s/payout-desk.example/claim", "payout-desk.example"),
])
def test_googles_proxies_are_followed_to_the_site_they_show(href: str, domain: str) -> None:
    r = analyse(message(sender="Rewards <news@shop-mail.example>", subject="Claim now",
                        html=f'<a href="{href}">JOIN NOW</a>'))
    assert any(link["source"] == "redirect" and link["domain"] == domain for link in r["links"])


def test_a_little_known_site_shown_through_googles_proxy_is_named() -> None:
    r = analyse(message(sender="Rewards <news@shop-mail.example>", subject="Claim now",
                        html='<a href="https://www.google.com/amp/s/payout-desk.example/claim">JOIN NOW</a>'))
    f = next(f for f in r["findings"] if f["id"] == "link.web_proxy")
    assert f["evidence"]["domain"] == "payout-desk.example" and f["evidence"]["proxy"] == "AMP viewer"
    assert "payout-desk.example" in f["detail"]["ja"] and "AMP" in f["detail"]["ja"]


def test_a_site_written_into_a_translate_goog_host_name_is_read_back() -> None:
    from whence.facts.links import destinations

    assert destinations("https://payout--desk-example.translate.goog/claim?_x_tr_sl=auto") == \
        ["https://payout-desk.example/claim"]
    assert destinations("https://translate.goog/") == []
    r = analyse(message(sender="Rewards <news@shop-mail.example>", subject="Claim now",
                        html='<a href="https://payout--desk-example.translate.goog/claim">JOIN NOW</a>'))
    f = next(f for f in r["findings"] if f["id"] == "link.web_proxy")
    assert f["evidence"]["domain"] == "payout-desk.example" and f["evidence"]["proxy"] == "translation proxy"


def test_a_random_code_after_the_hash_of_a_link_is_seen() -> None:
    r = analyse(message(sender="Rewards <news@shop-mail.example>", subject="Claim now",
                        html='<a href="https://storage.example-cloud.net/b/offer.html#4BgUZy1455lCBS6kesrgpewlp257X">'
                             'Claim</a>'))
    f = next(f for f in r["findings"] if f["id"] == "link.fragment_token")
    assert f["evidence"]["token"] == "4BgUZy1455lCBS6kesrgpewlp257X"


@pytest.mark.parametrize("href", [
    "https://github.com/owner/repo/issues/12#issuecomment-1234567890",  # a site's own anchor
    "https://lore.kernel.org/all/20240101.abc@example.org/#m3c5e0f9a2b7d41e6c8a9b0f1d2e3c4b5a6978877",  # hex id
    "https://example.org/guide#installing-on-debian-12",  # a readable anchor
    "https://mail.example.org/#inbox/FMfcgzGtwgfXqLrNbZKpWvMj",  # an application's own route
    "https://mega.nz/file/AbCdEfGh#Kq3ZrT8vLmN2pQ7sW4xY9bC1dF6gH0jK5lM8nP3rS2t",  # an encrypted share's key
])
def test_anchors_routes_and_share_keys_after_the_hash_are_not_codes(href: str) -> None:
    r = analyse(message(sender="Jane <jane@example.org>", html=f'<a href="{href}">see</a>'))
    assert "link.fragment_token" not in ids(r)


def test_a_written_out_proxy_address_is_followed_too() -> None:
    # a form platform's notification carrying a creator's text: the address is written, not an <a>
    r = analyse(message(sender="Forms <notifications@forms.example>", subject="New response",
                        text="JOIN NOW - https://translate.google.com/translate?sl=auto&tl=en&u=payout-desk.example/go",
                        html="<p>JOIN NOW - https://translate.google.com/translate?sl=auto&tl=en&u=payout-desk.example/go</p>"))
    assert any(link["source"] == "redirect" and link["domain"] == "payout-desk.example" for link in r["links"])
    assert "link.web_proxy" in ids(r)


@pytest.mark.parametrize("kind", ["known site", "plain mail"])
def test_a_shared_article_through_googles_proxy_is_not_hiding_anything(kind: str) -> None:
    # a reader passing on a news article from their phone, or a translated page in a plain note
    if kind == "known site":
        raw = message(sender="Shop <news@shop.example>", subject="In the press",
                      html='<a href="https://www.google.com/amp/s/www.bbc.co.uk/news/business-1">read</a>')
    else:
        raw = message(sender="Jane <jane@example.org>", subject="look at this",
                      text="Translated: https://translate.google.com/translate?u=small-museum.example/exhibits")
    assert "link.web_proxy" not in ids(analyse(raw))


# --- brand names spelt to get past filters ------------------------------------------------------------

def test_a_brand_disguised_in_the_subject_is_claimed_even_without_a_lure_word() -> None:
    r = analyse(message(sender="Account Support <notice@dekadepos.example>",
                        subject="Your Am\u0430zon \u0430cc\u043eunt is on hold", text="See the attached notice."))
    f = next(f for f in r["findings"] if f["id"] == "brand.impersonation")
    assert f["evidence"]["brand"] == "amazon" and f["evidence"]["disguised"]


def test_a_subject_that_merely_mentions_a_brand_in_plain_letters_claims_nothing() -> None:
    r = analyse(message(sender="Jane <jane@kernel-dev.example>", subject="Amazon's new storage API",
                        text="Notes from the meeting."))
    assert "brand.impersonation" not in ids(r)


def test_capital_i_for_small_l_in_a_brand_name_is_read_as_the_brand() -> None:
    from whence.checks.common import unmask

    assert unmask("Trust WaIIet") == "Trust Wallet"
    assert unmask("getItem IBM IIS") == "getItem IBM IIS"
    assert unmask("Ϲoіոbаѕе") == "Coinbase"  # Armenian ո among the Cyrillic letters


# --- a bulk sender's own links vouch for no brand ----------------------------------------------------

def test_a_brand_name_from_an_unrelated_bulk_sender_with_only_its_esp_links_is_impersonation() -> None:
    html = '<a href="https://e.esp-mail.example/c/123">Open wallet</a>'
    r = analyse(message(sender="MetaMask <ceo@growforme.example>", subject="Your wallet has been blocked",
                        html=html, extra={"List-Unsubscribe": "<https://e.esp-mail.example/unsub/123>"}))
    assert "brand.impersonation" in ids(r)


def test_the_brands_own_newsletter_linking_to_the_brand_is_not_impersonation() -> None:
    html = ('<a href="https://metamask.io/news">News</a> '
            '<a href="https://e.esp-mail.example/unsub/123">Unsubscribe</a>')
    r = analyse(message(sender="MetaMask <news@metamask.io>", subject="What's new in MetaMask", html=html,
                        auth="spf=pass smtp.mailfrom=metamask.io; dkim=pass header.d=metamask.io; dmarc=pass",
                        extra={"List-Unsubscribe": "<https://e.esp-mail.example/unsub/123>"}))
    assert "brand.impersonation" not in ids(r)


# --- a designed mail that never links home -----------------------------------------------------------

def test_a_designed_mail_whose_links_all_lead_away_from_its_sender() -> None:
    html = ('<img src="https://cdn.growforme.example/logo.png"><a href="https://wallet-restore.example/">Restore</a>'
            '<a href="https://twitter.com/x">Follow us</a>')
    r = analyse(message(sender="Support <ceo@growforme.example>", subject="News", html=html))
    f = next(f for f in r["findings"] if f["id"] == "link.elsewhere")
    assert f["evidence"]["domains"] == ["wallet-restore.example"]


@pytest.mark.parametrize("links", [
    '<a href="https://www.shop.example/sale">Sale</a><a href="https://partner-outlet.example/">Outlet</a>',
    '<a href="https://shop-campaign.example/">Campaign</a><a href="https://partner-outlet.example/">Outlet</a>',
    '<a href="https://u123.ct.sendgrid.net/ls/click?upn=abc">Sale</a><a href="https://twitter.com/shop">X</a>',
])
def test_an_organisations_own_mail_links_home_or_through_its_esp(links: str) -> None:
    r = analyse(message(sender="Shop <news@shop.example>", subject="Autumn sale", html=links))
    assert "link.elsewhere" not in ids(r)


def test_people_writing_from_free_mail_and_list_mail_link_wherever_they_like() -> None:
    html = '<a href="https://some-blog.example/post">this post</a>'
    assert "link.elsewhere" not in ids(analyse(message(sender="Taro <taro@gmail.com>", html=html)))
    assert "link.elsewhere" not in ids(analyse(list_mail(sender="Jane <jane@author.example>", text="see", html=html)))


# --- replies to a throwaway domain ------------------------------------------------------------------

@pytest.mark.parametrize("reply_to", ["admin@zbnscxovdb.xyci.hair", "desk@qwxzvbnmtr.example"])
def test_replies_to_a_throwaway_domain_are_named_as_such(reply_to: str) -> None:
    r = analyse(message(sender="Billing <billing@shop-mail.example>", extra={"Reply-To": reply_to}))
    f = next(f for f in r["findings"] if f["id"] == "sender.reply_to_mismatch")
    assert f["evidence"]["throwaway"] and "throwaway" in f["detail"]["en"]


def test_replies_to_an_ordinary_other_domain_are_a_plain_mismatch() -> None:
    r = analyse(message(sender="Billing <billing@shop-mail.example>",
                        extra={"Reply-To": "help@helpdesk-partner.example"}))
    f = next(f for f in r["findings"] if f["id"] == "sender.reply_to_mismatch")
    assert not f["evidence"]["throwaway"]


# --- a borrowed mailbox: replies to someone else's free mail ---------------------------------------

@pytest.mark.parametrize(("sender", "reply_to"), [
    ("Nurcan Akgunes <nurcan.akgunes@dicle.edu.tr>", "vehbi.1807@gmail.com"),  # staff mailbox, another's reply
    ("DAVID MURRAY <jadelpulda@anambaskab.go.id>", "dm4457152@gmail.com"),
    ("市民課 <shimin@city.chiba.lg.jp>", "refund.desk2024@outlook.com"),  # a Japanese city office
    ("Alice Walton <support@market-reports.example>", "alicewalton7549@gmail.com"),  # the name is the reply's
])
def test_a_borrowed_mailbox_answered_at_free_mail_is_hijacked(sender: str, reply_to: str) -> None:
    r = analyse(message(sender=sender, text="I have a proposal for you. Kindly reply.", extra={"Reply-To": reply_to}))
    f = next(f for f in r["findings"] if f["id"] == "sender.reply_to_mismatch")
    assert f["evidence"]["hijacked"] and f["severity"] == "high" and "hijacked" in f["detail"]["en"]
    assert r["verdict"]["level"] in ("suspicious", "dangerous")


@pytest.mark.parametrize(("sender", "reply_to"), [
    ("Nurcan Akgunes <nurcan.akgunes@dicle.edu.tr>", "nurcan.akgunes@gmail.com"),  # her own free address
    ("Alice Walton <alice.walton@market-reports.example>", "alicewalton7549@gmail.com"),
    ("Billing <billing@shop-mail.example>", "shop.help@gmail.com"),
    ("Bakery <news@bakery.example>", "bakery.orders@gmail.com"),  # the name is the organisation's
])
def test_a_mailbox_answered_at_its_owners_free_mail_is_not_hijacked(sender: str, reply_to: str) -> None:
    r = analyse(message(sender=sender, text="See you on Monday.", extra={"Reply-To": reply_to}))
    f = next(f for f in r["findings"] if f["id"] == "sender.reply_to_mismatch")
    assert not f["evidence"]["hijacked"] and f["severity"] == "medium"


def test_an_institution_answered_at_its_own_domain_is_no_mismatch() -> None:
    r = analyse(message(sender="Registrar <registrar@dicle.edu.tr>", extra={"Reply-To": "office@cs.dicle.edu.tr"}))
    assert "sender.reply_to_mismatch" not in ids(r)


# --- a brand's name misspelt in the sender's name; an address hidden behind joiners -------------------

def test_a_long_brand_name_misspelt_by_one_letter_in_the_senders_name_is_a_claim() -> None:
    r = analyse(message(sender="Conta Microsft - Atendimento <louisa562@gmail.com>", subject="Acesso indevido",
                        html='<a href="https://acesso-conta.example/">Verificar</a>'))
    f = next(f for f in r["findings"] if f["id"] == "brand.impersonation")
    assert f["evidence"]["brand"] == "microsoft" and f["evidence"]["disguised"]


@pytest.mark.parametrize("name", ["Financial Times", "Cooking Club", "Bookings Desk", "Telegrams Weekly",
                                  "Blockchains Research"])
def test_ordinary_words_near_a_brand_name_claim_nothing(name: str) -> None:
    from whence.brands import misspelt

    assert misspelt(name) == []


def test_an_address_written_with_joiners_between_its_letters_is_still_read() -> None:
    name = "".join(ch + "\u034f" for ch in "service@account.paypl.com")
    r = analyse(message(sender=f'"{name}" <student1762@hotel.example>', subject="Your account is suspended"))
    f = next(f for f in r["findings"] if f["id"] == "sender.display_name_spoof")
    assert f["evidence"]["shown_domain"] == "paypl.com" and f["severity"] == "high"


def test_a_small_l_for_a_capital_i_is_read_as_the_capital() -> None:
    from whence.checks.common import unmask

    assert unmask("lRS.GOV notice") == "IRS.GOV notice"
    assert unmask("lt is late, html and lPhone") == "lt is late, html and lPhone"


# --- text hidden from the reader ----------------------------------------------------------------------

SALAD = " ".join(["vakuutukseen että minun ja kenraalin yhtyminen pikemmin oli meille"] * 8)


@pytest.mark.parametrize("style", ["display:none", "font-size:0px;", "visibility: hidden", "opacity:0;"])
def test_a_block_of_text_hidden_by_its_style_is_seen(style: str) -> None:
    html = f'<p>Your parcel is waiting.</p><div style="{style}"><span>{SALAD}</span></div><p>Pay the fee.</p>'
    r = analyse(message(sender="Parcel <info@parcel-desk.example>", subject="Parcel", html=html))
    f = next(f for f in r["findings"] if f["id"] == "content.hidden_text")
    assert f["evidence"]["count"] >= 300 and f["evidence"]["sample"].startswith("vakuutukseen")


def test_a_newsletters_hidden_preview_line_is_not_hidden_text() -> None:
    preheader = "Our autumn collection is here: 20% off everything this weekend." + "&zwnj;&nbsp;" * 80
    html = (f'<div style="display:none;max-height:0;overflow:hidden">{preheader}</div>'
            f'<h1>Autumn sale</h1><p>{SALAD}</p>')
    r = analyse(message(sender="Shop <news@shop.example>", subject="Autumn sale", html=html))
    assert "content.hidden_text" not in ids(r)


def test_hidden_elements_end_where_their_tags_end() -> None:
    from whence.facts.text import read_html

    text, _, hidden, _skipped = read_html('<div style="display:none"><p>secret<br>words</div><p>shown</p>')
    assert hidden == "secret words" and "shown" in text


def test_a_publication_under_its_own_name_and_site_writing_about_a_brand_claims_nothing() -> None:
    html = ('<a href="http://www.lockergnome.example/apple/">Lockergnome</a> '
            '<a href="http://www.gnomedex.example/">See you at Gnomedex</a>')
    r = analyse(message(sender="Lockergnome Apple Core <subscriptions@lockergnome.example>",
                        subject="[Lockergnome Apple Core] Skip Content", html=html))
    assert "brand.impersonation" not in ids(r)
    # the brand's name alone over the same links still claims to be the brand
    r = analyse(message(sender="Apple <subscriptions@lockergnome.example>", subject="Your Apple ID", html=html))
    assert "brand.impersonation" in ids(r)


EVENTBRITE_AUTH = "spf=pass smtp.mailfrom=event.eventbrite.com; dkim=pass header.d=eventbrite.com; dmarc=pass"


def test_a_platform_notification_under_a_name_its_customer_chose_earns_no_relief() -> None:
    r = analyse(message(sender="Support BASE <noreply@event.eventbrite.com>", subject="Immediate action required",
                        auth=EVENTBRITE_AUTH, client="192.174.82.1", client_name="o1.event.eventbrite.com",
                        text="Your wallet is frozen. Verify it now."))
    assert all(f["score"] >= 0 for f in r["findings"] if f["id"].startswith("auth."))


@pytest.mark.parametrize("sender", ["Eventbrite <noreply@event.eventbrite.com>",
                                    "Jane Doe <noreply@event.eventbrite.com>"])
def test_the_platforms_own_name_or_a_person_writing_through_it_keeps_the_relief(sender: str) -> None:
    from whence.brands import owner_of
    from whence.checks.common import _stranger_name

    name = sender.split(" <")[0]
    assert not _stranger_name(name, "eventbrite.com", owner_of("eventbrite.com"))


# --- a bulk-mail program on the sender's own server ------------------------------------------------

_MAILWIZZ_LINK = "https://mail.dates-now.example/index.php/campaigns/ox861zjsvp8c8/track-url/hc5725ka8xa27/ec6767"


@pytest.mark.parametrize("extra,html", [
    ({}, f'<p>Meet her now</p><a href="{_MAILWIZZ_LINK}">Sign up</a>'),
    ({"List-Unsubscribe": "<https://mail.dates-now.example/index.php/lists/xl549k556q576/unsubscribe/"
                          "hc5725ka8xa27/ox861zjsvp8c8>"}, "<p>Meet her now</p>"),
    ({"Feedback-ID": "ox861zjsvp8c8:regular:xl549k556q576:om095sok4p53d"}, "<p>Meet her now</p>"),
])
def test_a_self_hosted_bulk_mailer_is_named(extra: dict[str, str], html: str) -> None:
    r = analyse(message(sender="Your match <notification@mail.dates-now.example>", html=html, extra=extra,
                        auth="spf=pass smtp.mailfrom=mail.dates-now.example"))
    hit = next(f for f in r["findings"] if f["id"] == "sender.self_hosted_mailer")
    assert hit["evidence"]["software"] == "MailWizz"
    assert "MailWizz" in hit["detail"]["ja"]


@pytest.mark.parametrize("link,extra", [
    ("https://shop.example/campaigns/summer-sale-2024/track-url/now", {}),  # a page that merely says "campaigns"
    ("https://acme.us12.list-manage.com/track/click?u=abc&id=def", {}),  # a mail service's tracker
    ("https://shop.example/a", {"Feedback-ID": "1234:campaign:acme:mailchimp"}),  # an ESP's Feedback-ID
])
def test_mail_services_and_ordinary_paths_are_no_self_hosted_mailer(link: str, extra: dict[str, str]) -> None:
    r = analyse(message(sender="Acme <news@shop.example>", html=f'<a href="{link}">Sale</a>', extra=extra))
    assert "sender.self_hosted_mailer" not in ids(r)


def test_a_known_brand_running_its_own_mailer_is_not_held_to_it() -> None:
    r = analyse(message(sender="Amazon.co.jp <store-news@amazon.co.jp>", html=f'<a href="{_MAILWIZZ_LINK}">x</a>',
                        auth="spf=pass smtp.mailfrom=amazon.co.jp; dkim=pass header.d=amazon.co.jp; "
                             "dmarc=pass header.from=amazon.co.jp"))
    assert "sender.self_hosted_mailer" not in ids(r)


# --- a cloud mail account that is not the sender's ---------------------------------------------------

def _signed_by(domain: str) -> dict[str, str]:
    return {"DKIM-Signature": f"v=1; a=rsa-sha256; c=relaxed/relaxed; d={domain}; s=selector1-x; "
                              "h=From:Date:Subject:Message-ID; bh=AAAA; b=BBBB"}


def test_mail_signed_by_an_unrelated_microsoft_365_tenant_borrows_its_account() -> None:
    r = analyse(message(sender="Tool Upgrade <sales@cfkconstruction.example>",
                        extra=_signed_by("qlb18.onmicrosoft.com")))
    f = next(f for f in r["findings"] if f["id"] == "auth.foreign_tenant")
    assert f["evidence"] == {"tenant": "qlb18.onmicrosoft.com", "platform": "onmicrosoft.com",
                             "domain": "cfkconstruction.example"}
    assert "qlb18.onmicrosoft.com" in f["detail"]["ja"]


def test_mail_signed_by_another_google_workspace_domain_is_foreign() -> None:
    r = analyse(message(sender="Shop <news@cfkconstruction.example>",
                        extra=_signed_by("bloomcomputers-in.20230601.gappssmtp.com")))
    assert "auth.foreign_tenant" in ids(r)


@pytest.mark.parametrize(("sender", "tenant"), [
    ("Zach <zweiss@equinix.com>", "equinixinc.onmicrosoft.com"),  # the company's own tenant
    ("Student <craver1553@student.d211.org>", "studentd211.onmicrosoft.com"),
    ("Helpdesk <help@ibm.example>", "ibm.onmicrosoft.com"),  # a short name, whole
    ("Lab <lab@social.helwan.edu.eg>", "socialhelwanedu.onmicrosoft.com"),
    ("Ops <ops@acme-tools.example>", "acme-tools-example.20230601.gappssmtp.com"),  # Workspace's default
])
def test_an_organisations_own_tenant_is_not_foreign(sender: str, tenant: str) -> None:
    assert "auth.foreign_tenant" not in ids(analyse(message(sender=sender, extra=_signed_by(tenant))))


def test_a_list_members_tenant_says_nothing_of_the_list() -> None:
    raw = list_mail(sender="Jane Dev <jane@author.example>", text="Looks good to me.")
    raw = b"".join(f"{k}: {v}\n".encode() for k, v in _signed_by("doellnl.onmicrosoft.com").items()) + raw
    assert "auth.foreign_tenant" not in ids(analyse(raw))


def test_a_hostile_signing_domain_is_not_compared() -> None:
    """A d= of 100,000 characters is no domain name: it is skipped, not compared letter by letter."""
    r = analyse(message(sender="Shop <news@cfkconstruction.example>",
                        extra=_signed_by("a." * 50_000 + "onmicrosoft.com")))
    assert "auth.foreign_tenant" not in ids(r)


# --- bounces to a throwaway domain ---------------------------------------------------------------------

def test_bounces_to_a_random_domain_behind_a_presentable_sender() -> None:
    r = analyse(message(sender="Gazelle <win@aprimarse.example>",
                        extra={"Return-Path": "<b-77@gkqt82yykygv8mvjdjp.com>"}))
    f = next(f for f in r["findings"] if f["id"] == "sender.random_domain")
    assert f["evidence"] == {"domain": "gkqt82yykygv8mvjdjp.com", "from_domain": "aprimarse.example"}
    assert "gkqt82yykygv8mvjdjp.com" in f["detail"]["ja"] and "bounces" in f["detail"]["en"]


@pytest.mark.parametrize("return_path", [
    "<0100018f2c-abc@amazonses.com>",  # the mail service's own bounce domain
    "<bounce-7f3a9c@shop.example>",  # the sender's own
    "<news+caf_=taro=example.jp@gmail.com>",  # a mailbox's forwarder
])
def test_bounces_to_a_mail_service_or_home_are_ordinary(return_path: str) -> None:
    r = analyse(message(sender="Shop <news@shop.example>", extra={"Return-Path": return_path}))
    assert "sender.random_domain" not in ids(r)


def test_links_rewritten_by_mail_gateways_are_read_back() -> None:
    """A mail forwarded from a company behind a mail gateway carries every link rewritten: Proofpoint v3
    in the path, v2 in `u` with "-XX" for "%XX" and "_" for "/"; Cisco percent-encoded in the path."""
    from whence.facts.links import destinations

    assert destinations("https://urldefense.com/v3/__https://payout-desk.example/login__;!!Ab12!cd$") == \
        ["https://payout-desk.example/login"]
    assert destinations("https://urldefense.proofpoint.com/v2/url?u=https-3A__payout-2Ddesk.example_log-5Fin"
                        "-3Fid-3D1&d=DwMF&c=x") == ["https://payout-desk.example/log_in?id=1"]
    assert destinations("https://urldefense.com/v3/") == []
    # Cisco Secure Email keeps the address percent-encoded in the path
    assert destinations("https://secure-web.cisco.com/1AbC-dEf/https%3A%2F%2Fpayout-desk.example%2Flogin") == \
        ["https://payout-desk.example/login"]
    assert destinations("https://web.archive.org/web/2024/https://site.example/") == []  # an archive, not a hand-on
    r = analyse(message(sender="Sato <sato@example-corp.example>", subject="Fw: payment",
                        html='<a href="https://urldefense.com/v3/__https://payout-desk.example/login__;!!Ab12$">'
                             'View document</a>'))
    assert any(link["source"] == "redirect" and link["domain"] == "payout-desk.example" for link in r["links"])


@pytest.mark.parametrize("href", ["https://cloudflare-ipfs.com/ipfs/QmXoypizjW3WknFiJnKLwHCnL72vedxjQkDDP1mXWo6uco/",
                                  "https://bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi.ipfs.w3s.link/"])
def test_a_page_on_ipfs_through_any_gateway_is_free_hosting(href: str) -> None:
    r = analyse(message(sender="Mail Admin <admin@corp-mail.example>", subject="Mailbox full",
                        html=f'<p>Verify your account to keep receiving mail.</p><a href="{href}">Verify</a>'))
    assert next(f for f in r["findings"] if f["id"] == "link.free_hosting")["evidence"]["service"] == "IPFS"
    # a gateway whose host is itself a public suffix is still a site of its own, not "no domain"
    assert r["links"][0]["domain"]
