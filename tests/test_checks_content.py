"""Content checks: on the acceptance cases through the real pipeline, and on hand-written messages."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from whence.checks import CATALOGUE, run_checks
from whence.checks.content import (
    crypto_addresses,
    invisible_chars,
    simplified_glyphs_in_japanese,
    simplified_only_glyphs,
)
from whence.checks.registry import CheckContext, Hit
from whence.model import Address, AuthFacts, AuthResult, Context, Facts, Lookups, Message, Origin
from whence.pipeline import Analysis
from whence.settings import Settings

CASES = Path(__file__).parent / "data" / "cases"


def case_facts(name: str) -> Facts:
    analysis = Analysis((CASES / name).read_bytes(), Settings(offline=True))
    assert analysis.facts is not None, analysis.failure
    return analysis.facts


def make_facts(subject: str = "", text: str = "", sender: str = "someone@example.com", name: str = "",
               auth: list[AuthResult] | None = None, is_list: bool = False) -> Facts:
    """Facts for a message written in the test, as the facts stage would hand them over."""
    domain = sender.rsplit("@", 1)[-1]
    return Facts(
        message=Message(headers=[], parts=[], raw_size=len(text)), from_=Address(name, sender, domain),
        reply_to=[], sender=None, to=[], return_path=None, subject=subject, date=None, hops=[],
        origin=Origin(), auth=AuthFacts(results=auth or []), links=[], attachments=[], text=text,
        html="", list_id=None, is_list=is_list, context=Context(), recipient=None)


def hits(check_id: str, facts: Facts) -> list[Hit]:
    return list(CATALOGUE[check_id].func(CheckContext(facts, Lookups())))


def severity(check_id: str, hit: Hit) -> str:
    return hit.severity or CATALOGUE[check_id].severity


PASS = [AuthResult("spf", "pass"), AuthResult("dkim", "pass", {"header.d": "example-shop.jp"}),
        AuthResult("dmarc", "pass", {"header.from": "example-shop.jp"})]


# ---------------------------------------------------------------------------------------------
# content.extortion_btc

def test_bitcoin_addresses_are_checked_by_their_checksums() -> None:
    valid = {
        "1GtGZpzfRkAVBL48F68mi8bTcatwpTZGm8": "bitcoin-p2pkh",  # the sextortion case
        "3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy": "bitcoin-p2sh",
        "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq": "bitcoin-segwit",
        "bc1p5d7rjq7g6rdk2yhzks9smlaqtedr4dekq08ge8ztwac72sfr9rusxg3297": "bitcoin-taproot",
        "0x52908400098527886E0F7030069857D2E4169EE7": "ethereum",
        "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t": "tron",  # USDT-TRC20's own contract address
    }
    text = " / ".join(valid)
    assert {a.address: a.kind for a in crypto_addresses(text)} == valid
    # one character changed: the double-SHA-256 or bech32 checksum no longer holds
    broken = ("1GtGZpzfRkAVBL48F68mi8bTcatwpTZGm9 bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdr "
              "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6u")
    assert crypto_addresses(broken) == []
    # a taproot (v1) address with a bech32 (v0-style) checksum is not valid either
    v1_with_bech32_checksum = "bc1pw508d6qejxtdg4y5r3zarvary0c5xw7kw508d6qejxtdg4y5r3zarvary0c5xw7k7grplx"
    assert crypto_addresses(v1_with_bech32_checksum) == []
    # Tron's version byte under a Bitcoin-looking start, or Bitcoin's under a T, is neither
    assert crypto_addresses("Tokyo TheQuickBrownFoxJumpsAndRunsAwayZ") == []


def test_sextortion_case_is_critical_and_shows_the_address() -> None:
    found = hits("content.extortion_btc", case_facts("sextortion.eml"))
    assert len(found) == 1 and severity("content.extortion_btc", found[0]) == "critical"
    assert found[0].evidence["address"] == "1GtGZpzfRkAVBL48F68mi8bTcatwpTZGm8"  # after a full-width colon
    assert "ビットコイン" in found[0].evidence["terms"]


def test_english_extortion_is_critical() -> None:
    text = ("I hacked your device and recorded a video of you through your webcam. Pay $1500 in Bitcoin to "
            "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq within 48 hours or I send it to all your contacts.")
    found = hits("content.extortion_btc", make_facts("Your account was hacked", text))
    assert severity("content.extortion_btc", found[0]) == "critical"


@pytest.mark.parametrize("written", [
    "1GtG ZpzfR kAVBL 48F68 mi8bT catwp TZGm8",  # in groups, as extortion mails now write it
    "1GtGZpzfRkAVBL48F6\n8mi8bTcatwpTZGm8",  # over two lines
    "1GtGZpzf\u200bRkAVBL48F68\u200cmi8bTcatwpTZGm8",  # zero-width characters inside
    "1GtGZpzfRkAVB\u00adL48F68mi8bTcatwpTZGm8",  # a soft hyphen
    "bc1qar0srr r7xfkvy5l6 43lydnw9re 59gtzzwf5mdq",
])
def test_an_address_broken_up_to_slip_past_filters_is_read_whole(written: str) -> None:
    text = ("I hacked your device and recorded a video of you through your webcam. Send $1500 in Bitcoin "
            f"within 48 hours or I send it to all your contacts. To: {written}")
    found = hits("content.extortion_btc", make_facts("Your account was hacked", text))
    assert [severity("content.extortion_btc", h) for h in found] == ["critical"]
    assert found[0].evidence["address"] == written.translate({ord(c): None for c in " \n\u200b\u200c\u00ad"})


def test_words_joined_up_are_not_an_address() -> None:
    text = ("Bitcoin fell 3 percent. Tokyo Traders Take 1 Thing To Think Through Twice: 3 reasons "
            "ETH and BTC diverge, 1 chart. The wallet market grew 12 percent.")
    assert hits("content.extortion_btc", make_facts("Crypto weekly", text)) == []


def test_an_address_without_threats_is_not_critical() -> None:
    alone = hits("content.extortion_btc", make_facts(
        "Re: donations", "Our project wallet is 3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy — thanks all!"))
    assert [severity("content.extortion_btc", h) for h in alone] == ["low"]
    invoice = hits("content.extortion_btc", make_facts(
        "Invoice 42", "Please send the payment of 0.01 BTC to 3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy."))
    assert [severity("content.extortion_btc", h) for h in invoice] == ["medium"]
    # threats without a valid address are not this finding
    assert hits("content.extortion_btc", make_facts("x", "I hacked your webcam video, pay bitcoin now")) == []


# ---------------------------------------------------------------------------------------------
# content.smtp_test

SEED_SUBJECTS = [  # seed 004 (Cisco Talos): subjects of credential-stuffing test messages
    "Mail Inbox Test IDF50F22", "You get a new smtp", "smtp id 2496130", "g1ukczr0iz3b6o6xsk0al0tyqy8ggr",
    "test", "Testing: mx.example.com", "new SMTP from MadCat checker",
    "Smart Tools Shop – Test SMTP ID: 1016587",
    "MailRip Test Result ID0BAB7A", "!XProad mx.example.com|2525|nywepaq@example.com|f29r21caT4.",
    "SMTP Check #131085 – Jemex Shop", "TESTING RELAY!", "SMTP Check #6148 – Spyxe Shop",
    "Your Account ID #62363", "Mail Test Result ID0CD637.", "aloha: 127.0.0.255", "Mail Auto-Email ID86E8A6",
    "Mail Email Test ID23CB4D", "Mail Test Result IDD762AB", "New working smtp #50131001", "テストメール",
]


def test_smtp_test_case_fires_and_masks_the_password() -> None:
    found = hits("content.smtp_test", case_facts("smtp-test.eml"))
    assert len(found) == 1
    evidence = found[0].evidence
    assert evidence["matched"] == "MailRip Test Result ID0BAB7A"
    assert evidence["credentials"].startswith("smtp.example-mail.jp|587|taro@example.jp|h")
    assert "hunter2" not in repr(evidence)


@pytest.mark.parametrize("subject", SEED_SUBJECTS)
def test_every_published_test_subject_fires(subject: str) -> None:
    assert hits("content.smtp_test", make_facts(subject, ""))


def test_a_credentials_line_alone_fires() -> None:
    assert hits("content.smtp_test", make_facts("hello", "mail.example.org:465:bob@example.org:s3cret!\n"))


CHECKER_REPORT = "SMTP: smtp.example-mail.jp\nPort: 587\nUser: taro@example-mail.jp\nPass: hunter2\n"
SETTINGS_NOTICE = ("ご契約のメールアカウント情報です。\nサーバー：sv1234.xserver.jp\nポート：587\n"
                   "ユーザー名：info@example-shop.jp\nパスワード：初期パスワードはお送りしていません\n")


def test_a_labelled_credentials_block_alone_fires_without_repeating_the_password() -> None:
    found = hits("content.smtp_test", make_facts("Hello", CHECKER_REPORT))
    assert len(found) == 1
    assert found[0].evidence["labels"] == ["host", "port", "user", "password"]
    assert "hunter2" not in repr(found[0].evidence)


def test_a_hosting_companys_own_settings_notice_is_not_a_checker_report() -> None:
    """The same block from a provider with a name of its own, authenticated: your account's settings."""
    own = [AuthResult("spf", "pass"), AuthResult("dkim", "pass", {"header.d": "xserver.jp"}),
           AuthResult("dmarc", "pass", {"header.from": "xserver.jp"})]
    assert hits("content.smtp_test", make_facts("【Xserver】メールアカウント設定のお知らせ", SETTINGS_NOTICE,
                                                sender="support@xserver.jp", auth=own)) == []


@pytest.mark.parametrize("subject,text,is_list", [
    ("[PATCH] net: smtp test for the relay helper", "This adds a test.\n" * 40, True),
    ("Re: test", "Yes, the test passed on my machine.\n" * 10, False),
    ("test", "Testing the new list server, please ignore.", True),
    ("Test results for v5.10-rc3", "All 412 tests passed on x86_64 and arm64.", False),
    ("SMTP test suite broken on CI", "Since yesterday the SMTP test suite fails with a timeout. " * 20,
     False),
    ("テスト", "来週のテストの範囲を教えてください。" * 30, False),
])
def test_genuine_test_discussion_does_not_fire(subject: str, text: str, is_list: bool) -> None:
    assert hits("content.smtp_test", make_facts(subject, text, is_list=is_list)) == []


# ---------------------------------------------------------------------------------------------
# content.simplified_chinese_in_japanese

def test_simplified_only_set_keeps_japanese_kanji_out() -> None:
    glyphs = simplified_only_glyphs()
    assert {"汇", "诧", "许", "说", "这", "们"} <= glyphs
    assert not {"国", "学", "会", "后", "日", "本", "語", "様"} & glyphs  # all usable in Japanese


def test_etc_phish_case_shows_the_glyphs() -> None:
    found = hits("content.simplified_chinese_in_japanese", case_facts("etc-phish.eml"))
    assert len(found) == 1
    assert set(found[0].evidence["glyphs"]) == {"汇", "后", "诧"}
    assert any("汇濫" in e for e in found[0].evidence["examples"])


@pytest.mark.parametrize("case", ["qr-tax-cn.eml", "freight-xlsx.eml", "personal-iso2022jp.eml",
                                  "amazon-jp-legit.eml"])
def test_pure_chinese_and_genuine_japanese_do_not_fire(case: str) -> None:
    assert hits("content.simplified_chinese_in_japanese", case_facts(case)) == []


def test_names_empresses_and_single_typos_are_not_evidence() -> None:
    counts, _ = simplified_glyphs_in_japanese(
        "陈伟様、いつもお世話になっております。張さんにもよろしくお伝えください。")
    assert counts == {}
    counts, _ = simplified_glyphs_in_japanese("皇后陛下がご出席になりました。その后、会議が始まりました。")
    assert counts == {"后": 1}  # 皇后 is Japanese; 后 for 後 is not
    one = make_facts("ご案内", "本日の会议はこちらです。よろしくお願いします。")
    assert hits("content.simplified_chinese_in_japanese", one) == []


def test_chinese_lines_quoted_in_japanese_mail_do_not_count() -> None:
    text = ("お世話になっております。先方からの返信です。\n> 请尽快查阅附件通知，谢谢\n"
            "> 这个问题我们会处理\nよろしくお願いします。")
    assert hits("content.simplified_chinese_in_japanese", make_facts("Re: 見積", text)) == []


# ---------------------------------------------------------------------------------------------
# content.form_abuse

def test_webform_abuse_case_shows_the_injected_field() -> None:
    found = hits("content.form_abuse", case_facts("webform-abuse.eml"))
    assert len(found) == 1
    evidence = found[0].evidence
    assert "bit.ly/3xQ9bonus" in evidence["field"] and evidence["sender_domain"] == "example-univ.ac.jp"
    assert {"link", "shortener", "money", "crypto"} <= set(evidence["signals"])


@pytest.mark.parametrize("case", ["newsletter-tracking.eml", "amazon-jp-legit.eml", "mailing-list-arc.eml",
                                  "personal-iso2022jp.eml"])
def test_genuine_automated_and_personal_mail_do_not_fire(case: str) -> None:
    assert hits("content.form_abuse", case_facts(case)) == []


def test_form_abuse_needs_authentication_and_an_injected_field() -> None:
    spam_field = "Dear 🎁 Win a FREE iPhone, visit https://tinyurl.com/abc123 🎁,\n\nThanks for asking.\n"
    assert hits("content.form_abuse", make_facts("Thank you for contacting us", spam_field,
                                                 "noreply@example-shop.jp", auth=PASS))
    unauthenticated = [AuthResult("dmarc", "fail")]
    assert hits("content.form_abuse", make_facts("Thank you for contacting us", spam_field,
                                                 "noreply@example-shop.jp", auth=unauthenticated)) == []
    ordinary = "Dear Taro Yamada,\n\nThank you for registering. Visit https://www.example-shop.jp/account\n"
    assert hits("content.form_abuse", make_facts("Registration confirmed", ordinary,
                                                 "noreply@example-shop.jp", auth=PASS)) == []
    japanese = "【副業で月収100万円】今すぐ登録 https://bit.ly/xyz 様\n\nお問い合わせありがとうございます。\n"
    assert hits("content.form_abuse", make_facts("お問い合わせを受け付けました", japanese,
                                                 "info@example-shop.jp", auth=PASS))


def test_any_field_a_form_echoes_back_can_carry_the_spam() -> None:
    # a contact form's auto-reply: the name is plain, the company field carries the pitch
    company = ("この度はお問い合わせいただき、ありがとうございます。以下の内容で受け付けました。\n\n"
               "お名前：taro\n会社名：★副業で月収100万円★ 今すぐ登録 https://bit.ly/3Kx9fuk\n"
               "お問い合わせ内容：こんにちは\n")
    found = hits("content.form_abuse", make_facts("お問い合わせありがとうございます（自動返信）", company,
                                                  "info@example-shop.jp", auth=PASS))
    assert found and found[0].evidence["label"] == "会社名" and "shortener" in found[0].evidence["signals"]
    # an event registration laid out with brackets, the name field below a preamble
    bracket = ("※このメールはシステムからの自動送信です。\n\n市立図書館です。\n"
               "講演会へのお申し込みを受け付けました。\n\n【お名前】💰 ビットコイン 30万円 無料プレゼント https://bit.ly/4bTc0in\n【参加人数】1名\n")
    found = hits("content.form_abuse", make_facts("講演会お申し込み受付", bracket, "noreply@example-shop.jp",
                                                  auth=PASS))
    assert found and found[0].evidence["label"] == "お名前"
    assert "欄「お名前」" in found[0].detail["ja"] and "“お名前”" in found[0].detail["en"]
    # a calendar invitation whose title is the pitch
    title = "Invitation: 💰 USDT 5000ドル 受取確定 https://bit.ly/3Vq8Lzk 💰 @ Sat Jul 20, 2024 10am (JST)"
    found = hits("content.form_abuse", make_facts(title, "You have been invited to the following event.\n",
                                                  "calendar-notification@example-shop.jp", auth=PASS))
    assert found and found[0].evidence["label"] == ""


def test_a_genuine_inquiry_may_name_sites_and_prices() -> None:
    echo = ("山田 太郎 様\n\nお問い合わせいただきありがとうございます。以下の内容で受け付けました。\n\n"
            "■お名前：山田 太郎\n■お問い合わせ内容：https://www.youtube.com/watch?v=abc123 で紹介されていた色です。\n"
            "■ご希望の商品：セーター 5,800円 https://other-shop.example/items/1\n")
    assert hits("content.form_abuse", make_facts("お問い合わせを受け付けました", echo,
                                                 "info@example-shop.jp", auth=PASS)) == []
    # a link's scheme is no field label: "Visit http://…" stays one line of prose
    prose = "Thank you for registering.\nVisit https://bit.ly/abc for 🎁 free gifts\n"
    assert hits("content.form_abuse", make_facts("Registration confirmed", prose, "noreply@example-shop.jp",
                                                 auth=PASS)) == []


GOOGLE = [AuthResult("dkim", "pass", {"header.d": "google.com"}),
          AuthResult("dmarc", "pass", {"header.from": "google.com"})]
SHARE = ("{who} ({addr}) has shared a document with you:\n“{note}”\nOpen\n"
         "You have received this email because {addr} shared a document with you from Google Docs.")


@pytest.mark.parametrize("note", [
    "Your account will be suspended. Verify your payroll details now: https://payroll-check.example/login",
    "アカウントが停止されます。至急こちらでご確認ください https://kyuyo-kakunin.example/login",
    "Your Bitcoin withdrawal of 0.75 BTC is pending. Confirm at https://btc-release.example/",
])
def test_a_lure_typed_into_a_shared_files_note_is_injected(note: str) -> None:
    text = SHARE.format(who="Alex Admin", addr="alex@payroll-team.example", note=note)
    found = hits("content.form_abuse", make_facts('Document shared with you: "Payroll"', text,
                                                  "drive-shares-dm-noreply@google.com", auth=GOOGLE))
    assert found and found[0].evidence["label"] == '"'
    assert "unknown_site" in found[0].evidence["signals"]


@pytest.mark.parametrize("note", [
    "Draft for Monday, the figures are from https://www.wikipedia.org/ as discussed",  # a site everyone knows
    "Please verify the numbers before Monday: https://intranet.hanako-corp.example/report",  # the sharer's own
    "Minutes of Tuesday's meeting, please check the figures.",  # no link
])
def test_a_colleagues_note_on_a_shared_file_is_not(note: str) -> None:
    text = SHARE.format(who="Hanako Sato", addr="hanako@hanako-corp.example", note=note)
    assert hits("content.form_abuse", make_facts('Document shared with you: "Draft"', text,
                                                 "drive-shares-dm-noreply@google.com", auth=GOOGLE)) == []


@pytest.mark.parametrize(("subject", "text"), [
    ("Invitation to join Bitcoin Rewards 2025",  # a group invitation's message
     "Bitcoin Rewards Center has invited you to join the group with this message:\n"
     "Your wallet has received 0.85 BTC ($58,200). Withdraw now at https://btc-rewards-claim.example/ today.\n"
     "Accept this invitation"),
    ("Your Account Has Been Credited With $7,850",  # a quiz's text
     "Thanks for filling out Survey\nScore: 0/0\n"
     "Your account has been credited with $7,850. To withdraw, sign in at https://payout-portal.example/ now.\n"),
])
def test_a_platforms_line_sending_you_to_a_little_known_site_about_money_is_a_strangers(subject: str,
                                                                                         text: str) -> None:
    found = hits("content.form_abuse", make_facts(subject, text, "noreply@google.com", auth=GOOGLE))
    assert found and found[0].evidence["label"] == "line"


@pytest.mark.parametrize(("subject", "text"), [
    ("Invitation to join Tennis Club",  # the platform's own lines, a known site
     "Hanako Sato has invited you to join the group with this message:\nCourt fees are ¥500, see https://www.wikipedia.org/\n"),
    ("Re: Login broken on the demo",  # a conversation carries people's words by design
     "I can't log in to the demo at https://demo.myproject-site.example/login, the $5 plan shows an error.\n"),
    ("Invitation: 忘年会 @ Fri Dec 19, 2025",  # a fee, the venue's site, how to cancel
     "Invitation from Google Calendar\n会費 5,000円、お店は https://izakaya-hanako.example/ です。"
     "キャンセルする場合は前日までに連絡ください。無料駐車場あり\n"),
    ("出品者からのメッセージ",  # a seller's note: a refund through its own site, a price
     "ご注文ありがとうございます。返金のご依頼は当店サイト https://yamada-shop.example/contact から。"
     "商品代金 3,980円。\n"),
])
def test_a_platforms_ordinary_lines_and_conversations_are_not(subject: str, text: str) -> None:
    assert hits("content.form_abuse", make_facts(subject, text, "noreply@google.com", auth=GOOGLE)) == []


SHAREPOINT = [AuthResult("dkim", "pass", {"header.d": "sharepointonline.com"}),
              AuthResult("dmarc", "pass", {"header.from": "sharepointonline.com"})]


@pytest.mark.parametrize(("note", "lure"), [
    ("Your mailbox password expires today. Sign in to keep your account: https://mailbox-keep.example/", True),
    ("Please confirm you can open it; the vendor's guide is at https://small-vendor.example/guide", False),
])
def test_a_sharers_message_about_your_account_beside_a_little_known_site_is_a_lure(note: str, lure: bool) -> None:
    text = f"Alex Admin shared a file with you\n{note}\nPassword_Policy.pdf\nThis link will work for anyone."
    found = hits("content.form_abuse", make_facts('Alex Admin shared "Password_Policy" with you', text,
                                                  "no-reply@sharepointonline.com", auth=SHAREPOINT))
    assert bool(found) == lure


PAYPAL = [AuthResult("dkim", "pass", {"header.d": "paypal.com"}),
          AuthResult("dmarc", "pass", {"header.from": "paypal.com"})]


@pytest.mark.parametrize(("note", "scam"), [
    ("Your subscription renewed for $599.99. If you did not authorize this charge, call 1-888-555-0199 to cancel.",
     True),
    ("ご契約が64,800円で自動更新されました。身に覚えのない場合は 0120-555-019 までお電話ください。", True),
    ("Logo design, 2nd revision, $330. Questions: 1-888-555-0100", False),  # a seller's own number
    ("キャンセル料33,000円の請求です。ご不明点は0120-555-010まで。", False),  # a fee's name is no charge to dispute
    ("Cancellation policy: to cancel, call 1-888-555-0100; a $50 fee applies.", False),  # a booking's terms
])
def test_a_number_to_call_about_a_charge_in_an_invoices_note_is_a_callback_lure(note: str, scam: bool) -> None:
    text = f"Norton Billing sent you an invoice for $599.99 USD\nNote from seller: {note}\nView and Pay Invoice"
    found = hits("content.form_abuse", make_facts("Invoice from Norton Billing (0012)", text, "service@paypal.com",
                                                  auth=PAYPAL))
    assert bool(found) == scam
    if scam:
        assert {"phone", "money", "dispute"} <= set(found[0].evidence["signals"])


def test_a_user_name_is_a_name_field() -> None:
    echo = "Thank you for registering.\nUsername: www.qzkvx.blogspot.example - BINANCE 136 EURO\n"
    found = hits("content.form_abuse", make_facts("Registration confirmed", echo, "noreply@example-shop.jp", auth=PASS))
    assert found and found[0].evidence["label"] == "Username"


# ---------------------------------------------------------------------------------------------
# content.credential_lure

def test_lure_wording_is_found_in_both_languages() -> None:
    found = hits("content.credential_lure", case_facts("etc-phish.eml"))
    assert found and "12時間以内" in found[0].evidence["phrases"]
    english = make_facts("Action required", "We noticed unusual sign-in activity. Your account has been "
                         "suspended. Verify your account within 24 hours to restore access.")
    found = hits("content.credential_lure", english)
    assert found and severity("content.credential_lure", found[0]) == "medium"
    assert {"login", "verify", "suspension", "urgency"} <= set(found[0].evidence["groups"])


@pytest.mark.parametrize("mark", ["\u200b", "\u200c", "\u00ad", "\u2060", "\ufeff"])
def test_lure_words_broken_up_with_invisible_characters_are_read_whole(mark: str) -> None:
    text = "お客様のアカウントで不審なログインを検知しました。24時間以内にアカウント情報を確認してください。"
    found = hits("content.credential_lure", make_facts("お知らせ", mark.join(text)))
    assert found and "24時間以内" in found[0].evidence["phrases"]


def test_a_calendar_invitations_description_is_read_and_its_links_followed() -> None:
    """An invite's description is what Thunderbird shows of it: a lure there is a lure."""
    from tests.test_checks_core import analyse, message

    invite = ("BEGIN:VCALENDAR\r\nMETHOD:REQUEST\r\nBEGIN:VEVENT\r\nSUMMARY:Password expiry\r\n"
              "DESCRIPTION:Unusual sign-in activity. Verify your account within 24 hours or it will be "
              "suspended.\\nhttps://keep-password.kq7vz3.cn/login\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n")
    report = analyse(message(sender="IT Support <it@kq7vz3.cn>", subject="Invitation: Password review",
                             text="You have been invited to an event.",
                             attachments=[(invite, "text", "calendar", "invite.ics")]))
    assert "content.credential_lure" in {f["id"] for f in report["findings"]}
    assert [link["url"] for link in report["links"]] == ["https://keep-password.kq7vz3.cn/login"]


@pytest.mark.parametrize("case", ["personal-iso2022jp.eml", "newsletter-tracking.eml", "mailing-list-arc.eml",
                                  "smtp-test.eml"])
def test_ordinary_mail_has_no_lure(case: str) -> None:
    assert hits("content.credential_lure", case_facts(case)) == []


def test_lure_is_scored_modestly() -> None:
    assert CATALOGUE["content.credential_lure"].score <= 2.0


# ---------------------------------------------------------------------------------------------
# content.invisible_chars

def test_invisible_characters_inside_words_are_found() -> None:
    subject = "【コ\u2061インチェ\ufe09ック株式会社】アカウ\ufe09ント使用停止のお知\u2064らせです！"
    found = hits("content.invisible_chars", make_facts(subject, "本文"))
    assert len(found) == 1 and found[0].evidence["count"] == 4
    assert "⟨U+FE09⟩" in found[0].evidence["shown"]
    name = hits("content.invisible_chars", make_facts("hi", "", name="Mi\u200bcro\u200bsoft"))
    assert name and name[0].evidence["field"] == "sender name"


def test_emoji_sequences_and_ideographic_variants_are_not_invisible_tricks() -> None:
    assert invisible_chars("家族 👨\u200d👩\u200d👧 ❤\ufe0f 1\ufe0f\u20e3 葛\U000e0100城") == []
    assert hits("content.invisible_chars", make_facts("🎉 セール開催中 ❤\ufe0f", "")) == []


# ---------------------------------------------------------------------------------------------
# All of them

@pytest.mark.parametrize("case", sorted(p.name for p in CASES.glob("*.eml")))
def test_findings_have_both_languages_filled(case: str) -> None:
    findings, errors = run_checks(case_facts(case), Lookups())
    assert not [e for e in errors if e.startswith("content.")]
    for f in findings:
        if f.id.startswith("content."):
            for lang in ("en", "ja"):
                assert f.title[lang] and f.detail[lang] and "{" not in f.detail[lang], f


def test_hostile_text_is_handled_in_bounded_time() -> None:
    text = ("1" * 50 + " ") * 40_000 + "ア" * 100_000 + "\u200b" * 10_000 + "Dear " + "x" * 100_000 + ","
    facts = make_facts("t" * 10_000 + "\u200b" * 5000, text, name="\ufe09" * 10_000, auth=PASS)
    started = time.perf_counter()
    _, errors = run_checks(facts, Lookups())
    assert not [e for e in errors if e.startswith("content.")]
    assert time.perf_counter() - started < 10
