"""Abuse reports offline: the RFC 5965 message parsed back field by field, and who it goes to.

The cases in tests/data/cases are the acceptance messages (provenance: tests/data/cases/README.md).
"""

from __future__ import annotations

import asyncio
import base64
import json
import re
from email import message_from_bytes, policy
from email.message import Message
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any

import dkim
import pytest
import whence
from whence.lookups import rdap
from whence.model import Lookups
from whence.pipeline import Analysis
from whence.reporting import arf, build_report, recipients
from whence.settings import Settings

CASES = Path(__file__).parent / "data" / "cases"
OFFLINE = Settings(offline=True)


def case(name: str) -> bytes:
    return (CASES / name).read_bytes()


def run(raw: bytes, settings: Settings = OFFLINE, lang: str = "en") -> dict[str, Any]:
    return asyncio.run(build_report(raw, settings, None, lang))


def report_bytes(result: dict[str, Any]) -> bytes:
    """The report's exact bytes: `arf` itself, or `arf_base64` when the original is not UTF-8."""
    if "arf_base64" in result:
        return base64.b64decode(result["arf_base64"])
    return result["arf"].encode("utf-8")


def parts(result: dict[str, Any]) -> tuple[Message, Message, Message, Message]:
    """The report parsed back: (whole, readable part, feedback fields, attached original)."""
    msg = message_from_bytes(report_bytes(result), policy=policy.default)
    assert msg.get_content_type() == "multipart/report"
    assert msg.get_param("report-type") == "feedback-report"
    body = msg.get_payload()
    assert [p.get_content_type() for p in body] == ["text/plain", "message/feedback-report",
                                                     "message/rfc822"]
    return msg, body[0], body[1].get_payload(0), body[2].get_payload(0)


def attached_bytes(result: dict[str, Any]) -> bytes:
    """The third part's content exactly as it stands in the report (between its headers and the boundary)."""
    copy = report_bytes(result)
    boundary = message_from_bytes(copy, policy=policy.default).get_boundary().encode()
    segment = copy.split(b"--" + boundary)[3]
    return segment.removeprefix(b"\r\n").split(b"\r\n\r\n", 1)[1].removesuffix(b"\r\n")


def addresses(result: dict[str, Any]) -> dict[str, str]:
    return {r["address"].lower(): r["role"] for r in result["recipients"]}


# ---------------------------------------------------------------------------------------------
# RDAP walking on registry-shaped answers


def test_rdap_abuse_contacts_from_the_cases_registries() -> None:
    ucloud = json.loads((CASES / "rdap/ip/117.50.174.153.json").read_text("utf-8"))
    aliyun = json.loads((CASES / "rdap/domain/mtocgra.cn.json").read_text("utf-8"))
    assert rdap.abuse_emails(ucloud) == ["ipas@cnnic.cn"]
    assert rdap.abuse_emails(aliyun, under="registrar") == ["DomainAbuse@service.aliyun.com"]
    assert rdap.entity_name(aliyun, "registrar") == "Alibaba Cloud Computing (Beijing) Co., Ltd."
    assert rdap.network_name(ucloud) == "UCLOUD-NET (Shanghai UCloud Information Technology Company Limited)"


def _entity(roles: list[str], emails: list[tuple[str, dict[str, Any]]], children: list[Any] = ()) -> dict:
    card = [["version", {}, "text", "4.0"]] + [["email", params, "text", e] for e, params in emails]
    return {"objectClassName": "entity", "roles": roles, "vcardArray": ["vcard", card],
            "entities": list(children)}


def test_rdap_nested_pref_and_placeholders() -> None:
    # ARIN style: the abuse entity sits under the organisation; pref 1 beats an unpreferred one.
    arin = {"objectClassName": "ip network", "entities": [
        _entity(["registrant"], [("noc@hoster.example.org", {})], [
            _entity(["abuse"], [("second@hoster-abuse.net", {}), ("first@hoster-abuse.net", {"pref": "1"})]),
        ]),
    ]}
    assert rdap.abuse_emails(arin) == ["first@hoster-abuse.net", "second@hoster-abuse.net"]
    # gTLD registry style: registrant abuse at the top is a fallback to the registrar's own desk,
    # and redaction notices are never addresses.
    domain = {"objectClassName": "domain", "entities": [
        _entity(["abuse"], [("Please query the RDDS service of the Registrar of Record", {})]),
        _entity(["registrant"], [("REDACTED FOR PRIVACY", {})]),
        _entity(["registrar"], [], [_entity(["abuse"], [("abuse@registrar.test-reg.com", {})])]),
        _entity(["abuse"], [("fallback@registry-desk.net", {})]),
    ]}
    assert rdap.abuse_emails(domain, under="registrar") == ["abuse@registrar.test-reg.com",
                                                            "fallback@registry-desk.net"]
    for junk in ("redacted@redacted.com", "abuse@example.com", "x@example.co.jp", "noreply@registrar.com",
                 "not an address", "a@b", None, 42, "abuse@host.invalid"):
        assert rdap.clean_address(junk) is None, junk
    assert rdap.clean_address("mailto:Abuse@Registrar.com") == "Abuse@Registrar.com"


def test_rdap_hostile_shapes_are_bounded() -> None:
    deep: dict[str, Any] = _entity(["abuse"], [("deep@nowhere-abuse.net", {})])
    for _ in range(50):
        deep = {"roles": ["registrant"], "entities": [deep]}
    assert rdap.abuse_emails(deep) == []  # deeper than anyone nests; not walked for ever
    wide = {"entities": [_entity(["abuse"], [(f"a{i}@wide-abuse.net", {})]) for i in range(1000)]}
    assert len(rdap.abuse_emails(wide)) <= rdap.MAX_ENTITIES
    for bad in (None, [], "x", {"entities": "x"}, {"entities": [1, None, {"vcardArray": ["vcard", None]}]}):
        assert rdap.abuse_emails(bad) == []


def test_recipients_from_the_lookups_contract_shape() -> None:
    """Lookups.origin / Lookups.domains as the lookups stage fills them, read from their raw RDAP."""
    def load(path: str) -> Any:
        return json.loads((CASES / "rdap" / path).read_text("utf-8"))

    raw = case("etc-phish.eml")
    analysis = Analysis(raw, OFFLINE)
    report = analysis.offline_report()
    found = Lookups(origin={"rdap": load("ip/117.50.174.153.json")}, done=True, domains={
        "mtocgra.cn": {"rdap": load("domain/mtocgra.cn.json"), "ns": [],
                       "hosting": {"ip": "104.21.84.26", "rdap": load("ip/104.21.84.26.json")}}})
    chosen = recipients.collect(report, analysis.facts, found, OFFLINE)
    roles = {r["address"]: r["role"] for r in chosen.mail}
    assert roles["ipas@cnnic.cn"] == "origin-network"
    assert roles["DomainAbuse@service.aliyun.com"] == "registrar"
    assert "abuse@cloudflare.com" not in roles  # CLOUDFLARENET: the form instead
    [form] = chosen.forms
    assert form["url"] == "https://abuse.cloudflare.com/" and "104.21.84.26" in form["reason"]["en"]
    # Without RDAP for the hosting address, Abusix's answer is used for it.
    found.domains["mtocgra.cn"]["hosting"] = {"ip": "93.184.215.14", "rdap": None}
    assert "93.184.215.14" in recipients.abusix_candidates(report, analysis.facts, found)
    abusix = {"93.184.215.14": ["abuse@hoster-desk.net"]}
    chosen = recipients.collect(report, analysis.facts, found, OFFLINE, abusix)
    assert {r["address"]: r["role"] for r in chosen.mail}["abuse@hoster-desk.net"] == "hosting"


# ---------------------------------------------------------------------------------------------
# The report for the acceptance case, offline


def test_etc_phish_offline_is_a_complete_rfc5965_report() -> None:
    raw = case("etc-phish.eml")
    result = run(raw)
    assert result["format"] == "arf"
    msg, text, fields, original = parts(result)
    assert "arf_base64" not in result  # UTF-8 and 7-bit originals travel exactly in `arf`

    assert fields["Feedback-Type"] == "fraud"
    assert fields["User-Agent"] == f"Whence/{whence.__version__}"
    assert fields["Version"] == "1"
    assert fields["Source-IP"] == "117.50.174.153"
    assert fields["Original-Mail-From"] == "<etc-meisai@fevcvxs.cn>"
    assert fields["Original-Rcpt-To"] == "<rohhie@example.net>"
    # The provider received it at 22:22:02 +0900 (its Received header), not at the sender's Date.
    assert parsedate_to_datetime(fields["Arrival-Date"]).isoformat() == "2023-01-01T22:22:02+09:00"
    assert "mtocgra.cn" in fields.get_all("Reported-Domain")
    assert "fevcvxs.cn" in fields.get_all("Reported-Domain")
    assert "https://mtocgra.cn?Rfunccode=1013000000&nextfunc=1013000000" in fields.get_all("Reported-URI")
    auth = fields.get_all("Authentication-Results")
    assert auth and re.search(r"\bspf=pass\b", auth[0]) and "smtp.mailfrom=etc-meisai@fevcvxs.cn" in auth[0]

    # The original travels byte for byte (line ends as on the wire).
    assert attached_bytes(result) == arf.normalise_lines(raw)
    assert original["Message-ID"] == "<167257686412.5.2190@fevcvxs.cn>"

    # Addressed to the Council of Anti-Phishing Japan: an ETC (Japanese brand) phishing mail.
    assert addresses(result).get("info@antiphishing.jp") == "national"
    assert "info@antiphishing.jp" in msg["To"]
    for r in result["recipients"]:
        assert r["reason"]["en"] and r["reason"]["ja"] and "{" not in r["reason"]["en"] + r["reason"]["ja"]
    assert "meiwaku@dekyo.or.jp" not in addresses(result)  # phishing, not advertising

    readable = text.get_content()
    assert "117.50.174.153" in readable and "hxxps://mtocgra[.]cn" in readable
    assert "https://mtocgra.cn" not in readable  # defanged in the part people read


def test_report_in_japanese_carries_english_too() -> None:
    result = run(case("etc-phish.eml"), lang="ja")
    _msg, text, _fields, _original = parts(result)
    readable = text.get_content()
    assert "不正利用の報告" in readable and "This is an abuse report" in readable
    assert readable.index("不正利用の報告") < readable.index("This is an abuse report")
    assert text["Content-Language"] == "ja, en"


def test_redaction_removes_the_recipient_and_breaks_dkim() -> None:
    raw = case("amazon-jp-legit.eml")
    zone = json.loads((CASES / "dns.json").read_text("utf-8"))["records"]

    def dnsfunc(name: bytes, timeout: int = 5) -> bytes:
        wanted = name.decode().rstrip(".") + "."
        return "".join(r["data"] for r in zone if r["name"] == wanted and r["type"] == "TXT").encode()

    plain = run(raw)
    _m, _t, fields, _o = parts(plain)
    assert fields["Original-Rcpt-To"] == "<taro@example.jp>"
    assert dkim.verify(attached_bytes(plain), dnsfunc=dnsfunc), "the unredacted copy keeps its DKIM evidence"

    redacted = run(raw, Settings(offline=True, redact_recipient=True))
    assert redacted["redacted"] is True
    _m, text, fields, original = parts(redacted)
    assert fields["Original-Rcpt-To"] is None
    copy = report_bytes(redacted)
    assert b"taro@example.jp" not in copy
    assert arf.REDACTED in original["To"]
    assert "DKIM" in text.get_content()
    assert not dkim.verify(attached_bytes(redacted), dnsfunc=dnsfunc), "redaction changes signed headers"


# ---------------------------------------------------------------------------------------------
# Recipients offline


def test_free_hosting_on_r2_dev_offers_cloudflares_form() -> None:
    result = run(case("kagoya-phish.eml"))
    forms = {f["url"]: f for f in result["forms"]}
    assert "https://abuse.cloudflare.com/" in forms
    cloudflare = forms["https://abuse.cloudflare.com/"]
    assert any(".r2.dev" in u for u in cloudflare["urls"])
    assert cloudflare["reason"]["en"] and cloudflare["reason"]["ja"]
    assert not any(r["address"].endswith("@cloudflare.com") for r in result["recipients"])
    assert "info@antiphishing.jp" in addresses(result)  # Kagoya is a Japanese brand, sent to a .jp mailbox


def test_redaction_reaches_the_urls_that_carry_the_address() -> None:
    plain = run(case("kagoya-phish.eml"))
    assert "taro@example.jp" in " ".join(plain["forms"][0]["urls"])  # the lure URL names its victim
    result = run(case("kagoya-phish.eml"), Settings(offline=True, redact_recipient=True))
    _m, _t, fields, _o = parts(result)
    assert "taro@example.jp" not in result["arf"] and "taro%40example.jp" not in result["arf"]
    assert "taro@example.jp" not in json.dumps(result["forms"])
    assert any(arf.REDACTED in u for u in fields.get_all("Reported-URI"))


def test_credential_tests_are_not_sent_to_the_spam_desk() -> None:
    result = run(case("smtp-test.eml"))
    assert "meiwaku@dekyo.or.jp" not in addresses(result)


def test_an_advance_fee_story_is_reported_as_fraud_not_to_the_spam_desk() -> None:
    from tests.test_checks_core import message
    raw = message(sender="Barrister James <james@law-office-mail.net>", subject="Inheritance",
                  text="I am the barrister of your late client. The inheritance of US$ 7,500,000 awaits you. "
                       "Kindly reply with your full name and telephone number. Strictly confidential.")
    result = run(raw)  # delivered to a .jp mailbox: a target in Japan
    _m, text, fields, _o = parts(result)
    assert fields["Feedback-Type"] == "fraud"
    assert "fraud / extortion" in text.get_content()
    assert "meiwaku@dekyo.or.jp" not in addresses(result)  # the spam desk takes advertising


def test_unsolicited_advertising_to_a_jp_mailbox_goes_to_the_spam_desk() -> None:
    result = run(case("freight-xlsx.eml"))
    _m, _t, fields, _o = parts(result)
    assert fields["Feedback-Type"] == "abuse"
    assert addresses(result).get("meiwaku@dekyo.or.jp") == "national"
    assert "info@antiphishing.jp" not in addresses(result)


def test_user_recipients_are_added_once() -> None:
    settings = Settings(offline=True, report_recipients=("Security@Corp-Mail.jp", "security@corp-mail.jp",
                                                         "info@antiphishing.jp", "not-an-address"))
    result = run(case("etc-phish.eml"), settings)
    found = [r["address"].lower() for r in result["recipients"]]
    assert found.count("security@corp-mail.jp") == 1
    assert found.count("info@antiphishing.jp") == 1
    assert "not-an-address" not in found
    assert addresses(result)["security@corp-mail.jp"] == "user"


def test_brand_table_entries_each_name_their_source() -> None:
    from whence.reporting import contacts

    table = contacts.table()
    for entry in table["brands"]:
        assert entry["source"].startswith("https://"), entry
        assert rdap.clean_address(entry["address"]) == entry["address"]
    for entry in table["national"].values():
        assert entry["source"].startswith("https://")
    for p in contacts.providers():
        assert p.form.startswith("https://") and p.source.startswith("https://")


def test_a_scams_gmail_mailbox_is_reported_through_googles_form() -> None:
    from tests.test_checks_core import message

    raw = message(sender="Registry Office <registry@univ-example.ac.jp>", subject="Grant approved",
                  text="Your grant is approved. Contact the claims desk at grant.claims.77@gmail.com",
                  extra={"Reply-To": "payments.office.12@googlemail.com"})
    forms = {f["url"]: f for f in run(raw)["forms"]}
    gmail = forms["https://support.google.com/mail/contact/abuse"]
    for lang in ("en", "ja"):  # both mailboxes, named where the reader pastes them from
        assert "grant.claims.77@gmail.com" in gmail["reason"][lang]
        assert "payments.office.12@googlemail.com" in gmail["reason"][lang]
    assert gmail["source"].startswith("https://support.google.com/")


def test_a_gmail_sender_or_a_mailbox_elsewhere_is_not_sent_to_google() -> None:
    from tests.test_checks_core import message

    # the From address can be forged by anyone: it names no mailbox the scam reads
    own = run(message(sender="Taro <taro.yamada.1975@gmail.com>", subject="Hello", text="See you on Sunday."))
    other = run(message(sender="Office <office@trading-house.com>", subject="Grant",
                        text="A grant is yours. Kindly contact ( grants.desk833@outlook.com ) for quick claims."))
    for result in (own, other):
        assert "https://support.google.com/mail/contact/abuse" not in {f["url"] for f in result["forms"]}


def test_legitimate_brand_links_are_not_reported() -> None:
    result = run(case("amazon-jp-legit.eml"))
    _m, _t, fields, _o = parts(result)
    domains = fields.get_all("Reported-Domain") or []
    # Amazon's own links are the victim's, not the abuser's: no registrar/hosting desk for them.
    assert not [r for r in result["recipients"] if r["role"] in ("registrar", "hosting")]
    assert all(not d.endswith("example.jp") for d in domains)


# ---------------------------------------------------------------------------------------------
# Hostile input


@pytest.mark.parametrize("raw", [
    b"",
    b"\x00\xff\xfe garbage without headers",
    b"Subject: =?utf-8?b?8J+YgA==?=\r\nFrom: a\r\n\x1b$B$3$s$K$A$O\x1b(B\r\n",
    # 8-bit Shift_JIS body and a link whose text would inject a field if copied raw
    b"From: x@spam-sender.net\r\nTo: me@victim-mail.jp\r\nSubject: \x83e\x83X\x83g\r\n"
    b"Content-Type: text/plain; charset=shift_jis\r\n\r\n\x82\xb1\x82\xea\x82\xcd http://evil-site.net/a\x0dB\r\n",
])
def test_hostile_messages_still_give_a_parseable_report(raw: bytes) -> None:
    result = run(raw)
    _msg, _text, fields, _original = parts(result)
    assert fields["Feedback-Type"] in ("abuse", "fraud", "virus")
    assert fields["Version"] == "1"
    assert attached_bytes(result) == arf.normalise_lines(raw)  # the original, whatever it is, unchanged
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        assert "arf_base64" in result
    for name, value in fields.items():
        assert "\r" not in value and "\n" not in value, name
    for uri in fields.get_all("Reported-URI") or []:
        assert uri.isascii() and " " not in uri


def test_a_huge_original_is_reported_by_its_headers() -> None:
    raw = (b"From: x@spam-host.net\r\nTo: me@victim-mail.jp\r\nSubject: big\r\n"
           b"Content-Type: text/plain\r\n\r\n" + b"spam spam spam spam\r\n" * 60000)
    result = run(raw)
    msg = message_from_bytes(report_bytes(result), policy=policy.default)
    body = msg.get_payload()
    assert [p.get_content_type() for p in body][2] == "text/rfc822-headers"
    assert len(result["arf"]) < arf.MAX_ATTACHED + 20000
    assert "Subject: big" in body[2].get_content()
    assert "header" in body[0].get_content()


def test_oversized_header_values_are_bounded() -> None:
    url = "https://spam-host.net/" + "a" * 50000
    raw = (f"From: x@spam-host.net\r\nTo: me@victim-mail.jp\r\nSubject: {'件名' * 5000}\r\n"
           f"Content-Type: text/plain; charset=utf-8\r\n\r\n{url}\r\n").encode()
    result = run(raw)
    _msg, _text, fields, _original = parts(result)
    assert all(len(u) <= 2000 for u in fields.get_all("Reported-URI") or [])
    assert len(result["arf"]) < 3 * len(raw)


def test_report_is_addressed_only_to_the_recipients_the_user_picked() -> None:
    """A bystander the user unticked must not be named in the report they send."""
    raw = (CASES / "etc-phish.eml").read_bytes()
    settings = Settings(offline=True)
    proposed = asyncio.run(build_report(raw, settings))
    everyone = [r["address"] for r in proposed["recipients"]]
    kept = everyone[:1]
    picked = asyncio.run(build_report(raw, settings, picked=kept))
    to = message_from_bytes(picked["arf"].encode(), policy=policy.default)["To"]
    assert to == kept[0]
    assert all(a not in to for a in everyone[1:])
