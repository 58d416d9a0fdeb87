"""The bulk-scam checks (checks/scam.py), each on a message built here that has the hallmark and on a
legitimate look-alike that must stay quiet. Every message goes through the real pipeline, offline."""

from __future__ import annotations

import pytest

from tests.test_checks_core import analyse, ids, message


def finding(report: dict, check_id: str) -> dict:
    return next(f for f in report["findings"] if f["id"] == check_id)


# --- content.advance_fee -------------------------------------------------------------------------

def test_advance_fee_story_with_money_and_secrecy_is_high() -> None:
    r = analyse(message(sender="Barrister James <james@law-office-mail.net>", subject="Inheritance",
                        text="I am the barrister of your late client. The inheritance of US$ 7,500,000 awaits you. "
                             "Kindly reply with your full name and telephone number. Strictly confidential."))
    f = finding(r, "content.advance_fee")
    assert f["severity"] == "high"
    assert "US$ 7,500,000" in f["evidence"]["phrases"]


def test_advance_fee_story_answered_at_a_free_mail_box_is_high() -> None:
    r = analyse(message(sender="Mr. Taras <t@club-mail.net>", subject="HI",
                        text="I found you capable of handling this huge business magnitude.",
                        extra={"Reply-To": "taras.invest@gmail.com"}))
    assert finding(r, "content.advance_fee")["evidence"]["reply_to_free_mail"] is True


def test_a_business_letter_about_investment_is_not_advance_fee() -> None:
    r = analyse(message(sender="IR <ir@company-mail.net>", subject="Quarterly report",
                        text="Our investment in new plants grew revenue by 4%. The report is attached."))
    assert "content.advance_fee" not in ids(r)


# --- content.prize_lure / content.spam_topic -------------------------------------------------------

def test_prize_and_survey_lure_with_a_link_fires() -> None:
    r = analyse(message(subject="Congratulations!", text="You have been selected. Take part in our survey: "
                        "https://prize-claim.example/s", html='<p>You have been selected.</p>'
                        '<a href="https://prize-claim.example/s">Take part in our survey</a>'))
    assert "content.prize_lure" in ids(r)


def test_prize_words_without_a_link_are_not_a_lure() -> None:
    r = analyse(message(subject="Congratulations!", text="Congratulations on the new job! Take part in the party."))
    assert "content.prize_lure" not in ids(r)


def test_one_topic_word_alone_is_not_a_spam_topic() -> None:
    r = analyse(message(subject="Slots for the meeting", text="Which slots suit you on Monday?"))
    assert "content.spam_topic" not in ids(r)


# --- content.crypto_lure -------------------------------------------------------------------------

@pytest.mark.parametrize("subject,text", [
    ("Allocation Event Opens Today", "Register to claim your XRP allocation. Eligible accounts receive 30% of their "
                                     "balance."),
    ("Active mining balance 0.7495 BTC", "Your Bitcoin mining account has a balance of $25,745. Withdraw your "
                                         "funds now."),
    ("Trust Wallet", "Your Trust Wallet has not yet been verified; unverified accounts will be suspended."),
    ("仮想通貨の配布", "暗号資産を無料で受け取れます。ボーナスは本日まで。"),
])
def test_crypto_give_aways_and_wallet_checks_fire(subject: str, text: str) -> None:
    r = analyse(message(sender="News <news@promo-mail.net>", subject=subject, text=text))
    assert "content.crypto_lure" in ids(r)


def test_crypto_lure_names_its_words() -> None:
    r = analyse(message(subject="Airdrop", text="Join the airdrop: claim free tokens, rewards for everyone."))
    ev = finding(r, "content.crypto_lure")["evidence"]
    assert ev["crypto"].lower() == "airdrop" and "claim" in ev["gain"]


def test_cryptography_and_an_exchanges_own_mail_are_not_crypto_lures() -> None:
    talk = analyse(message(subject="Crypto review", text="The crypto code is free software; verify the balance "
                                                        "of the tree before the merge."))
    assert "content.crypto_lure" not in ids(talk)
    own = analyse(message(sender="Coinbase <no-reply@coinbase.com>", subject="Withdrawal confirmed",
                          text="Your bitcoin withdrawal is complete. Your balance is 0.1 BTC.",
                          auth="spf=pass smtp.mailfrom=coinbase.com; dkim=pass header.d=coinbase.com; "
                               "dmarc=pass header.from=coinbase.com"))
    assert "content.crypto_lure" not in ids(own)


# --- content.subject_token ------------------------------------------------------------------------

@pytest.mark.parametrize("subject,name,token", [
    ("Bespaar nú op je energierekening – zonder overstapstress.PCOK", "Energie", "PCOK"),
    ("Win vandaag een cadeaukaart van €250-🏆\t-\tQZTFWBB", "Cadeau", "QZTFWBB"),
    ("Uw pakket wacht", "Bezorging   .....QN649", "QN649"),
    ("Saldo Disponível-4VFyNHiOuFn3dIsgSRG", "Banco", "4VFyNHiOuFn3dIsgSRG"),
])
def test_random_tags_at_the_end_of_subject_or_name_fire(subject: str, name: str, token: str) -> None:
    r = analyse(message(sender=f'"{name}" <news@bulk-mail.net>', subject=subject))
    assert finding(r, "content.subject_token")["evidence"]["token"] == token


@pytest.mark.parametrize("subject", ["Meeting with NASA", "Re: Patch for ASP.NET", "Photos from Hawaii  URGENT",
                                     "Release 2.6.ABCD", "Flight AF123 tomorrow", "Invoice No. 2024-0042"])
def test_ordinary_subject_endings_are_not_tags(subject: str) -> None:
    assert "content.subject_token" not in ids(analyse(message(subject=subject)))


# --- content.styled_letters ---------------------------------------------------------------------------

@pytest.mark.parametrize("subject", ["𝐨𝐩𝐞𝐧 𝐧𝐨𝐰 ! 𝐟𝐨𝐫 𝐲𝐨𝐮", "We've bᥣoᥴkᥱd your account", "~ᑕ.lou-d.ᗩ-lert",
                                     "E n t r e g a fallida"])
def test_look_alike_and_spaced_letters_fire(subject: str) -> None:
    assert "content.styled_letters" in ids(analyse(message(subject=subject)))


def test_circled_numbers_in_japanese_are_not_styled_letters() -> None:
    r = analyse(message(subject="①お申し込み ②お支払い ③完了", text="ご確認ください。"))
    assert "content.styled_letters" not in ids(r)


# --- content.image_only --------------------------------------------------------------------------------

def test_a_mail_of_remote_pictures_and_a_link_fires() -> None:
    html = ('<a href="https://offer.example/c"><img src="https://cdn.example/banner.png"></a>'
            '<div style="background:url(https://cdn.example/b.png)"></div>')
    r = analyse(message(subject="For you", text="", html=html))
    assert finding(r, "content.image_only")["evidence"]["letters"] < 100


def test_a_newsletter_with_pictures_and_words_is_not_image_only() -> None:
    words = "Our autumn collection is here. " * 5 + "Unsubscribe: reply STOP. Shop Ltd, 1-2-3 Chiyoda, Tokyo."
    html = f'<img src="https://cdn.example/banner.png"><p>{words}</p><a href="https://shop.example/">Shop</a>'
    assert "content.image_only" not in ids(analyse(message(text=words, html=html)))


def test_a_photo_without_a_link_is_not_image_only() -> None:
    html = '<p>see pic</p><img src="https://photos.example/p/1.jpg">'
    assert "content.image_only" not in ids(analyse(message(text="see pic", html=html)))


def test_a_short_newsletter_with_an_open_tracking_pixel_is_not_image_only() -> None:
    words = "New post: how we moved our build to Rust. Read it on the blog."
    pixel = '<img src="https://t.mailer.example/open/abc.gif" width="1" height="1" alt="">'
    html = f'<p>{words}</p><a href="https://blog.example/rust">Read</a>{pixel}'
    assert "content.image_only" not in ids(analyse(message(text=words, html=html)))
    hidden = '<img src="https://t.mailer.example/open/abc.gif" style="display:none">'
    assert "content.image_only" not in ids(analyse(message(text=words, html=html.replace(pixel, hidden))))
    banner = '<img src="https://cdn.example/banner.png" width="600" height="1200">'
    assert "content.image_only" in ids(analyse(message(text=words, html=html.replace(pixel, banner))))


# --- link.image_host -------------------------------------------------------------------------------------

def test_pictures_on_an_image_sharing_site_fire() -> None:
    html = '<a href="https://offer.example/"><img src="https://i.imgur.com/abc.png"></a><p>Hot deal</p>'
    f = finding(analyse(message(html=html, text="Hot deal")), "link.image_host")
    assert f["evidence"] == {"host": "i.imgur.com", "service": "imgur.com", "shown": True}


def test_a_platforms_own_pictures_are_not_borrowed() -> None:
    html = '<p>New post</p><img src="https://pbs.twimg.com/media/x.jpg"><a href="https://x.com/a">See</a>'
    r = analyse(message(sender="X <notify@x.com>", html=html, text="New post",
                        auth="spf=pass smtp.mailfrom=x.com; dkim=pass header.d=x.com; dmarc=pass header.from=x.com"))
    assert "link.image_host" not in ids(r)


# --- content.money_subject / sender.invalid_address / content.address_as_name -------------------------

def test_money_in_a_strangers_subject_fires_but_not_in_a_known_shops() -> None:
    stranger = analyse(message(sender="Orinda <orinda@mailbox-now.net>", subject="Your balance +26637$"))
    assert "content.money_subject" in ids(stranger)
    own = analyse(message(sender="Amazon <store-news@amazon.co.jp>", subject="¥1,980 のセール",
                          auth="spf=pass smtp.mailfrom=amazon.co.jp; dkim=pass header.d=amazon.co.jp; "
                               "dmarc=pass header.from=amazon.co.jp"))
    assert "content.money_subject" not in ids(own)


def test_a_from_address_without_a_real_domain_fires() -> None:
    assert "sender.invalid_address" in ids(analyse(message(sender="phishing@pot")))


def test_greeting_by_address_fires() -> None:
    r = analyse(message(text="Dear taro@example.jp, your parcel is waiting.",
                        extra={"Delivered-To": "taro@example.jp"}))
    assert "content.address_as_name" in ids(r)


def test_your_address_as_the_senders_name_fires() -> None:
    r = analyse(message(sender="taro@example.jp <ebike-prize@promo-mail.example>", subject="Win an e-bike!",
                        extra={"Delivered-To": "taro@example.jp"}))
    f = finding(r, "content.address_as_name")
    assert f["evidence"]["where"] == "sender's name" and "差出人名" in f["detail"]["ja"]


def test_your_own_mail_or_a_colleagues_name_is_not_your_address_as_a_name() -> None:
    own = message(sender="taro@example.jp <taro@example.jp>", extra={"Delivered-To": "taro@example.jp"})
    colleague = message(sender="Hanako (hanako@example.jp) <hanako@example.jp>",
                        extra={"Delivered-To": "taro@example.jp"})
    assert "content.address_as_name" not in ids(analyse(own)) | ids(analyse(colleague))


# --- brand claims in a subject ----------------------------------------------------------------------

def test_a_subject_that_is_only_a_brand_claims_it_when_the_sender_has_no_name() -> None:
    r = analyse(message(sender="noreply <stainless@events-mail.net>", subject="Trust Wallet",
                        text="Your wallet needs verification.",
                        auth="spf=pass smtp.mailfrom=events-mail.net; dkim=pass header.d=events-mail.net"))
    assert finding(r, "brand.impersonation")["evidence"]["brand"] == "trustwallet"


def test_a_named_writer_titling_a_post_with_a_brand_claims_nothing() -> None:
    r = analyse(message(sender="oblomovka <feeds@blog-mail.net>", subject="Google News",
                        text="Notes on the news aggregator."))
    assert "brand.impersonation" not in ids(r)


# --- content.money_waiting ----------------------------------------------------------------------------

@pytest.mark.parametrize("subject,text", [
    ("Arely", "Your account already has +23.774$ Dursley."),
    ("Saldo Disponível", "Prezado, Você tem R$4.593,21 à restituir. Siga o arquivo em anexo."),
])
def test_a_stranger_saying_money_waits_fires(subject: str, text: str) -> None:
    r = analyse(message(sender="James <james.turner.mail@gmail.com>", subject=subject, text=text))
    assert "content.money_waiting" in ids(r)


def test_a_bill_or_a_known_shops_balance_is_not_money_waiting() -> None:
    bill = analyse(message(subject="Invoice", text="Please pay the attached invoice of $45.00 by Friday."))
    assert "content.money_waiting" not in ids(bill)
    shop = analyse(message(sender="Amazon <store-news@amazon.co.jp>", subject="ポイント",
                           text="You have $5.00 in rewards.",
                           auth="spf=pass smtp.mailfrom=amazon.co.jp; dkim=pass header.d=amazon.co.jp; "
                                "dmarc=pass header.from=amazon.co.jp"))
    assert "content.money_waiting" not in ids(shop)


# --- sender.name_unrelated / sender.name_noise -------------------------------------------------------------

def test_a_trading_name_on_an_unrelated_domain_fires() -> None:
    f = finding(analyse(message(sender="Walk-in Bathtub Shop <bnctc@zhishangmingzhan-mail.net>")),
                "sender.name_unrelated")
    assert f["evidence"] == {"name": "Walk-in Bathtub Shop", "domain": "zhishangmingzhan-mail.net"}


@pytest.mark.parametrize("sender", ["Acme Shop <news@acme-mail.net>", "Taro Yamada <taro@company-mail.net>",
                                    "Customer Service <help@company-mail.net>", "楽天市場 <info@rakuten-mail.net>"])
def test_own_names_people_and_generic_roles_are_not_unrelated(sender: str) -> None:
    assert "sender.name_unrelated" not in ids(analyse(message(sender=sender)))


@pytest.mark.parametrize(("sender", "unrelated"), [
    ("ZOZOTOWN <info@zozo.jp>", False), ("Freebitco.in <noreply@freebitco.in>", False),
    ("Exodus <news@wallet-mails.net>", True)])
def test_a_lone_name_is_related_when_the_domain_is_its_short_form(sender: str, unrelated: bool) -> None:
    """A designed page under a lone name its domain does not carry is a rented domain's mail; but a
    domain whose name is the trading name's short form, or the name written as a host, is its own."""
    raw = message(sender=sender, html='<p>Our news</p><a href="https://example.org/news">Read</a>')
    assert ("sender.name_unrelated" in ids(analyse(raw))) is unrelated


@pytest.mark.parametrize("name", ["-Bezorging-van-NL", "~..Entrega perdida..", "DIE Lösung! Endlich!,",
                                  "BB - Restitua seu IRPF [1581188227855]", "Your Order #6541"])
def test_stray_punctuation_or_serials_in_the_name_fire(name: str) -> None:
    r = analyse(message(sender=f'"{name}" <news@bulk-mail.net>'))
    assert finding(r, "sender.name_noise")["evidence"]["name"] == r["message"]["from"]["name"]


@pytest.mark.parametrize("name", ['John "Jack" Smith', "O'Brien, Pat", "Dr. Tanaka", "ACME Corp."])
def test_ordinary_names_have_no_noise(name: str) -> None:
    assert "sender.name_noise" not in ids(analyse(message(sender=f'"{name}" <someone@company-mail.net>')))


def test_an_address_with_two_at_signs_cannot_be_real() -> None:
    r = analyse(message(sender="Truco <newsletter.someone@pot@goitrogen-mail.us>"))
    assert "sender.invalid_address" in ids(r)


# --- auth.borrowed_domain ------------------------------------------------------------------------------

def test_a_known_domain_sent_by_someone_else_fires() -> None:
    r = analyse(message(sender="VistaFocus <reply@telekom.com>",
                        auth="spf=pass smtp.mailfrom=beationev-mail.net; dkim=none; dmarc=none"))
    f = finding(r, "auth.borrowed_domain")
    assert f["evidence"]["domain"] == "telekom.com" and "beationev-mail.net" in f["evidence"]["passed"]


def test_borrowed_domain_stays_quiet_when_the_domain_vouches_or_is_unknown() -> None:
    own = analyse(message(sender="Telekom <service@telekom.com>",
                          auth="spf=pass smtp.mailfrom=telekom.com; dkim=pass header.d=telekom.com"))
    assert "auth.borrowed_domain" not in ids(own)
    unknown = analyse(message(sender="Shop <info@tiny-shop-mail.net>",
                              auth="spf=pass smtp.mailfrom=esp-mail.net; dkim=none; dmarc=none"))
    assert "auth.borrowed_domain" not in ids(unknown)
    failed = analyse(message(sender="Telekom <service@telekom.com>",
                             auth="spf=fail smtp.mailfrom=telekom.com; dmarc=fail header.from=telekom.com"))
    assert "auth.borrowed_domain" not in ids(failed) and "dmarc.fail" in ids(failed)


def test_css_background_pictures_on_an_image_sharing_site_fire() -> None:
    html = ('<a href="https://offer.example.net/"><div style="background: url(\'https://cdn.imgchest.com/f/1.png\')">'
            '</div></a>')
    f = finding(analyse(message(html=html, text="")), "link.image_host")
    assert f["evidence"] == {"host": "cdn.imgchest.com", "service": "imgchest.com", "shown": True}


def test_split_off_initials_are_styled_letters_but_single_letter_words_are_not() -> None:
    assert "content.styled_letters" in ids(analyse(message(sender='"G emeentelijk E nergieadvies" <n@bulk-mail.net>')))
    assert "content.styled_letters" not in ids(analyse(message(subject="I think A lot of Plan B is done")))


def test_a_portuguese_advance_fee_answered_at_free_mail_fires() -> None:
    r = analyse(message(sender="Khan <travel@agency-mail.net>", subject="Bom dia",
                        text="Prezado, escrevo sobre os seus fundos não reclamados. Aguardo o seu contato.",
                        extra={"Reply-To": "khan.f68@yahoo.com"}))
    assert "content.advance_fee" in ids(r)


def test_an_envelope_on_a_tenant_platform_counts_as_free_hosting() -> None:
    r = analyse(message(sender="Cloud <hello@cloud-mail.net>",
                        extra={"Return-Path": "<x@bru19953811.onmicrosoft.com>"}))
    assert finding(r, "sender.free_hosting")["evidence"]["domain"] == "bru19953811.onmicrosoft.com"


def test_a_free_mail_receipt_under_a_payment_brand_is_impersonation_even_with_only_brand_links() -> None:
    html = ('<img src="https://www.paypalobjects.com/logo.png"><p>PayPal, Inc. Sale Receipt. Charged $483. '
            'Call 1-800-000-0000 to cancel.</p>')
    r = analyse(message(sender="<mdfaisan8294013@gmail.com>", subject="Transaction 3318", html=html,
                        text="PayPal, Inc. Sale Receipt. Charged $483. Call 1-800-000-0000 to cancel.",
                        auth="spf=pass smtp.mailfrom=gmail.com; dkim=pass header.d=gmail.com; dmarc=pass"))
    assert finding(r, "brand.impersonation")["evidence"]["brand"] == "paypal"
    forward = analyse(message(sender="<mdfaisan8294013@gmail.com>", subject="Fwd: Transaction 3318", html=html,
                              text="PayPal, Inc. Sale Receipt. Charged $483.",
                              auth="spf=pass smtp.mailfrom=gmail.com; dkim=pass header.d=gmail.com; dmarc=pass"))
    assert "brand.impersonation" not in ids(forward)


@pytest.mark.parametrize("name,brand", [("Plateforme CPF Formation", "moncompteformation"),
                                        ("Plano Saúde Amil", "amil"), ("Disney Liberté", "disney")])
def test_names_of_commonly_borrowed_brands_are_claims(name: str, brand: str) -> None:
    from whence.brands import claimed
    assert brand in [b.key for b, _ in claimed(name)]


def test_a_link_to_a_shared_photo_weighs_less_than_a_picture_shown_from_one() -> None:
    f = finding(analyse(message(text="Our trip: https://imgur.com/a/xyz", html='<p>Our trip: '
                                '<a href="https://imgur.com/a/xyz">album</a></p>')), "link.image_host")
    assert f["evidence"]["shown"] is False and f["score"] < 2.5


def test_crypto_lure_reads_attachment_names() -> None:
    msg = message(sender="Karen <karen.anderson.xwz6@gmail.com>", subject="Hello", text="Your account grows.")
    from email import message_from_bytes, policy
    m = message_from_bytes(msg, policy=policy.default)
    m.add_attachment(b"%PDF-1.4\n", maintype="application", subtype="pdf",
                     filename="Mining_balance_0.7495_BTC_free_withdrawal.pdf")
    assert "content.crypto_lure" in ids(analyse(m.as_bytes()))


def test_casino_bonus_amounts_are_a_gambling_topic() -> None:
    r = analyse(message(subject="Free for all players", text="Your Dragonia Casino: $750 bonus approved. Spin now!"))
    assert "gambling" in finding(r, "content.spam_topic")["evidence"]["topics"]


def test_a_random_name_under_an_unknown_domain_is_a_random_sender_domain() -> None:
    r = analyse(message(sender="Hims <leighton@asdhbsvjldmopsfj10.zindagitech.live>"))
    assert finding(r, "sender.random_domain")["evidence"]["domain"] == "asdhbsvjldmopsfj10.zindagitech.live"
    esp = analyse(message(sender="Shop <news@em3193.mail.shop-mail.net>"))
    assert "sender.random_domain" not in ids(esp)


def test_trademark_signs_do_not_hide_a_trading_name() -> None:
    r = analyse(message(sender="RAPIDecision® Life Offer from Fidelity Life <z@space.smarts-mail.us>"))
    assert "sender.name_unrelated" in ids(r)


def test_claim_up_to_a_sum_is_money_waiting() -> None:
    r = analyse(message(sender="Collectief <info@actualites-mail.com>", subject="Energierekening te hoog",
                        text="Je betaalde te veel: claim tot €10.000 terug."))
    assert "content.money_waiting" in ids(r)


def test_list_unsubscribe_alone_does_not_excuse_an_unrelated_trading_name() -> None:
    r = analyse(message(sender="Cloud Infrastructure Team <sgjxscu@eaux.smedialy-mail.com>",
                        extra={"List-Unsubscribe": "<https://unsub.bulk-list.net/u/1>"}))
    assert "sender.name_unrelated" in ids(r)


# --- content.callback_lure -----------------------------------------------------------------------

RENEWAL = ("Dear Member, your two-year subscription was renewed and you have been charged $299.95. "
           "If you did not authorise this transaction, please call us at +1 (866) 955-9506. Team Support")


def test_a_charge_to_dispute_by_phone_with_no_link_is_callback_phishing() -> None:
    f = finding(analyse(message(sender="Billing Desk <billing.desk4471@gmail.com>", subject="Order Confirmation",
                                text=RENEWAL)), "content.callback_lure")
    assert f["evidence"] == {"phone": "+1 (866) 955-9506", "amount": "$299.95"}
    assert "+1 (866) 955-9506" in f["detail"]["ja"]


def test_a_japanese_charge_with_a_0120_number_is_callback_phishing_too() -> None:
    r = analyse(message(sender="サポート <support-center@mail-desk.example>", subject="ご請求のお知らせ",
                        text="年間更新料 39,800円 を請求しました。"
                             "お心当たりのない場合は 0120-123-456 までお電話ください。"))
    assert "content.callback_lure" in ids(r)


@pytest.mark.parametrize("sender,text,html", [
    # a real receipt links to the account; the phone number is one way among others
    ("Shop <orders@shop.example>", RENEWAL, f'<p>{RENEWAL}</p><a href="https://shop.example/account">Account</a>'),
    # a person's note with a number to call and no price
    ("Jane <jane@example.org>", "Call me at 1-800-555-0199 when you land.", None),
    # a price and no toll-free number
    ("Jane <jane@example.org>", "The bike is $300; phone me on 0311 555 0199.", None),
])
def test_receipts_with_links_and_ordinary_numbers_are_not_callback_phishing(sender: str, text: str,
                                                                          html: str | None) -> None:
    assert "content.callback_lure" not in ids(analyse(message(sender=sender, text=text, html=html)))


# --- a brand's own, authenticated words are not a scam story ---------------------------------------

MUFG = ("spf=pass smtp.mailfrom=mail.bk.mufg.jp; dkim=pass header.d=bk.mufg.jp; "
        "dmarc=pass header.from=bk.mufg.jp")


def test_a_banks_transfer_receipt_names_the_payee_and_the_amount() -> None:
    text = ("お振込のお手続きを受け付けました。\n受取人：ヤマダ タロウ 様\n振込金額：55,000円\n"
            "お心当たりのない場合は、至急ご連絡ください。")
    sender = "三菱UFJ銀行 <info@bk.mufg.jp>"
    assert "content.advance_fee" not in ids(analyse(message(sender=sender, subject="振込受付のお知らせ",
                                                              text=text, auth=MUFG)))
    spoofed = "spf=fail smtp.mailfrom=bk.mufg.jp; dkim=none; dmarc=fail header.from=bk.mufg.jp"
    assert "content.advance_fee" in ids(analyse(message(sender=sender, subject="振込受付のお知らせ", text=text,
                                                          auth=spoofed)))


def test_a_calendar_invitation_names_whose_calendar_it_is() -> None:
    from email.message import EmailMessage

    def invitation(calendar: bool) -> bytes:
        msg = EmailMessage()
        msg["From"] = "Ichiro Suzuki <ichiro@partner-co.example>"
        msg["To"] = "taro@example.jp"
        msg["Delivered-To"] = "taro@example.jp"
        msg["Subject"] = "招待: 定例ミーティング @ 2025年5月20日 (火) 10:00 (taro@example.jp)"
        msg.set_content("定例ミーティングへの招待です。")
        if calendar:
            msg.add_attachment("BEGIN:VCALENDAR\nMETHOD:REQUEST\nEND:VCALENDAR\n", subtype="calendar")
        return msg.as_bytes()

    assert "content.address_as_name" not in ids(analyse(invitation(calendar=True)))
    assert "content.address_as_name" in ids(analyse(invitation(calendar=False)))


# --- sender.contact_elsewhere --------------------------------------------------------------------

@pytest.mark.parametrize("text", [
    "A humanitarian grant has been issued to you. Kindly contact ( grants.desk833@gmail.com ) for quick claims.",
    "Hi! Are you there? I would like to chat. Write at lonely.anna92@gmail.com",
    # full-width, as Japanese text often writes it
    "ご当選おめでとうございます。受け取りのご連絡は　ｐｒｉｚｅ．ｄｅｓｋ＠ｇｍａｉｌ．ｃｏｍ　まで。",
    "ご当選おめでとうございます。受け取りのご連絡はprize.desk@gmail.comまで。",  # glued to the words
])
def test_a_free_mail_box_to_write_to_fires(text: str) -> None:
    r = analyse(message(sender="Office <office@trading-house.com>", subject="Hello", text=text))
    f = finding(r, "sender.contact_elsewhere")
    assert f["evidence"]["address"].endswith("@gmail.com") and not f["evidence"]["hijacked"]
    assert f["severity"] == "medium"


def test_a_staff_mailbox_asking_for_answers_at_free_mail_is_hijacked() -> None:
    r = analyse(message(sender="Registry Office <registry@univ-example.ac.jp>", subject="Approval",
                        text="Your grant is approved. Contact the claims desk at grant.claims.77@gmail.com"))
    f = finding(r, "sender.contact_elsewhere")
    assert f["evidence"]["hijacked"] and f["severity"] == "high"
    assert "grant.claims.77@gmail.com" in f["detail"]["en"] and "grant.claims.77@gmail.com" in f["detail"]["ja"]


@pytest.mark.parametrize("text", [
    # the author of a quotation, however it is cited
    "Yes, see below.\n\nOn Monday, Jiro Sato <jiro.sato@gmail.com> wrote:\n> shall we meet?",
    "Yes, see below.\n\nFrom: jiro.sato@gmail.com\nSent: Monday\n\nshall we meet?",
    "Thanks Jiro (jiro.sato@gmail.com) wrote:\nsee the patch",
    "> write to me at jiro.sato@gmail.com",
    # an address inside a web address, and the writer's own private mailbox
    "Fixed in https://lore.kernel.org/lkml/20200519-1-jiro.sato@gmx.com/ last week.",
    "My phone is dead; until Friday I read taro.private@gmail.com instead.",
])
def test_cited_authors_web_addresses_and_own_mailboxes_are_not_contacts(text: str) -> None:
    r = analyse(message(sender="Taro Yamada <taro@yamada-shoji.co.jp>", subject="Re: meeting", text=text))
    assert "sender.contact_elsewhere" not in ids(r)


def test_the_senders_and_reply_addresses_written_out_are_not_contacts() -> None:
    own = analyse(message(sender="Info <info@gmail.com>", subject="Opening hours",
                          text="We are open on Sunday. Questions: info@gmail.com"))
    assert "sender.contact_elsewhere" not in ids(own)
    reply = analyse(message(sender="Desk <desk@trading-house.com>", subject="Offer",
                            text="Answer to dr85855dr@gmail.com today.", extra={"Reply-To": "dr85855dr@gmail.com"}))
    assert "sender.contact_elsewhere" not in ids(reply)


def test_a_mailing_lists_post_and_a_digests_tail_are_not_contacts() -> None:
    post = analyse(message(sender="Jiro <jiro@yamada-shoji.co.jp>", subject="[dev] help",
                           text="Please write to the maintainer, old.maintainer@gmail.com, about it.",
                           extra={"List-Id": "<dev.lists.example.org>", "List-Post": "<mailto:dev@lists.example.org>"}))
    assert "sender.contact_elsewhere" not in ids(post)
    digest = analyse(message(sender="Digest <digest@weekly-news.com>", subject="Weekly digest",
                             text="News of the week.\n" + "An item of news, told at some length.\n" * 120
                                  + "Letters to the editor: reader.letters@yahoo.com"))
    assert "sender.contact_elsewhere" not in ids(digest)
