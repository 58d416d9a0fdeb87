"""The reader's own mail as evidence, in a real Thunderbird (issue 14's acceptance).

A folder holds a year of real mail from a brand (authenticated, from one network) and one
impersonation from a look-alike domain. The live lookups run against DNS and RDAP servers on
loopback, so the history learns each message's origin network (Team Cymru's answers) as well as its
domains. Scanning the folder builds the sender history; the impersonation is then flagged with
`history.brand_departure` — naming the brand's usual domain and network — and the real ones are
not; the panel says how much mail the sender has sent before. Clearing the history from the options
page removes the finding. This module has a $HOME (and so a history) of its own: the other modules'
mail must not teach it anything, nor it them.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from email import message_from_bytes
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import CASES
from tests.e2e.conftest import SCREENSHOTS, install_host, start_thunderbird
from tests.e2e.harness import (
    ADDON_ID,
    INBOX_URL,
    UI,
    Thunderbird,
    close_tab,
    in_page,
    open_panel_tab,
    read_page,
    wait_for,
)
from tests.fixtures.dnsserver import LoopbackDNS, Zone
from tests.fixtures.rdapserver import LoopbackRDAP

PROVIDER = "mx.example-mail.jp"
START = datetime(2025, 1, 10, 9, 30, tzinfo=timezone.utc)
SENT_URL = "mailbox://nobody@Local%20Folders/Sent"
HISTORY_RISKS = {"history.brand_departure", "history.first_contact", "history.sender_changed"}
FAKE_IP = "159.89.200.7"  # a rented cloud server


def real_ip(n: int) -> str:
    return f"54.240.27.{10 + n}"  # Amazon SES, one network


def network() -> tuple[LoopbackDNS, LoopbackRDAP]:
    """The DNS the live lookups see: who owns each origin (Team Cymru), the senders' SPF and DMARC."""
    zone = Zone()
    for ip, asn in [*((real_ip(n), 16509) for n in range(12)), (FAKE_IP, 14061)]:
        zone.add(".".join(reversed(ip.split("."))) + ".origin.asn.cymru.com", "TXT",
                 f"{asn} | {ip.rsplit('.', 1)[0]}.0/24 | US | arin | 2010-01-01")
    zone.add("AS16509.asn.cymru.com", "TXT", "16509 | US | arin | 2000-05-04 | AMAZON-02, US")
    zone.add("AS14061.asn.cymru.com", "TXT", "14061 | US | arin | 2012-09-25 | DIGITALOCEAN-ASN, US")
    zone.add("amazon.co.jp", "TXT", "v=spf1 ip4:54.240.27.0/24 -all")
    zone.add("_dmarc.amazon.co.jp", "TXT", "v=DMARC1; p=quarantine")
    zone.add("amazon-co-jp-security.com", "TXT", f"v=spf1 ip4:{FAKE_IP} -all")
    zone.add("_dmarc.amazon-co-jp-security.com", "TXT", "v=DMARC1; p=none")
    return LoopbackDNS(zone), LoopbackRDAP(CASES / "rdap")


def brand_mail(n: int) -> bytes:
    """A real order notice from Amazon.co.jp: DMARC-aligned, from Amazon's mail servers, monthly."""
    when = START + timedelta(days=30 * n)
    msg = EmailMessage()
    msg["Authentication-Results"] = (f"{PROVIDER}; spf=pass smtp.mailfrom=amazon.co.jp; dkim=pass "
                                     "header.d=amazon.co.jp; dmarc=pass header.from=amazon.co.jp")
    msg["Return-Path"] = f"<shipment-tracking-{n}@amazon.co.jp>"
    msg["Received"] = (f"from a27-{n}.smtp-out.amazonses.com (a27-{n}.smtp-out.amazonses.com [{real_ip(n)}]) "
                       f"by {PROVIDER} (Postfix) with ESMTPS id 4Wy{n:03}; {format_datetime(when)}")
    msg["From"] = "Amazon.co.jp <shipment-tracking@amazon.co.jp>"
    msg["To"] = "taro@example.jp"
    msg["Subject"] = f"Your Amazon.co.jp order #503-{n:07} has shipped"
    msg["Date"] = format_datetime(when)
    msg["Message-ID"] = f"<0100{n:04}.shipment@email.amazon.co.jp>"
    msg.set_content("Your order has shipped. Track your package in Your Orders.")
    msg.add_alternative('<p>Your order has shipped.</p><a href="https://www.amazon.co.jp/gp/css/order-history">'
                        "Your Orders</a>", subtype="html")
    return msg.as_bytes()


def impersonation() -> bytes:
    """Amazon's name on a look-alike domain of the sender's own (authenticated for itself, as such
    domains are), through a rented server, asking to sign in."""
    when = START + timedelta(days=30 * 12 + 3)
    msg = EmailMessage()
    msg["Authentication-Results"] = (f"{PROVIDER}; spf=pass smtp.mailfrom=amazon-co-jp-security.com; dkim=pass "
                                     "header.d=amazon-co-jp-security.com; dmarc=pass "
                                     "header.from=amazon-co-jp-security.com")
    msg["Return-Path"] = "<bounce@amazon-co-jp-security.com>"
    msg["Received"] = (f"from vps-7.rented.example (vps-7.rented.example [{FAKE_IP}]) by {PROVIDER} (Postfix) "
                       f"with ESMTPS id 4Wz999; {format_datetime(when)}")
    msg["From"] = "Amazon.co.jp <account-update@amazon-co-jp-security.com>"
    msg["To"] = "taro@example.jp"
    msg["Subject"] = "Your Amazon.co.jp account has been locked"
    msg["Date"] = format_datetime(when)
    msg["Message-ID"] = "<lock-4242@amazon-co-jp-security.com>"
    msg.set_content("Your account has been locked. Verify your account within 24 hours.")
    msg.add_alternative("<p>Your account has been locked. Verify your account within 24 hours.</p>"
                        '<a href="https://amazon-co-jp-security.com/ap/signin">Sign in</a>', subtype="html")
    return msg.as_bytes()


def sent_mail() -> bytes:
    msg = EmailMessage()
    msg["From"] = "Taro <taro@example.jp>"
    msg["To"] = "Hanako <hanako@friend.example.org>"
    msg["Subject"] = "Lunch"
    msg["Date"] = format_datetime(START)
    msg["Message-ID"] = "<sent-1@example.jp>"
    msg.set_content("Lunch on Friday?")
    return msg.as_bytes()


REAL = [brand_mail(n) for n in range(12)]
FAKE = impersonation()


def message_id(raw: bytes) -> str:
    return str(message_from_bytes(raw)["Message-ID"]).strip().strip("<>")


@pytest.fixture(scope="module")
def tb(tmp_path_factory: pytest.TempPathFactory, display: Any, xpi: Path) -> Iterator[tuple[Thunderbird, UI, Path]]:
    home = tmp_path_factory.mktemp("home-history")
    install_host(home)
    folders = {"Inbox": [*REAL, FAKE], "Sent": [sent_mail()]}
    dns, rdap = network()
    try:
        tb = start_thunderbird(tmp_path_factory.mktemp("tb-history"), home, display, xpi, folders, dns.address,
                               rdap.base_url)
        ui = UI(tb)
        ui.run("win.focus(); win.maximize();")
        try:
            yield tb, ui, home
        finally:
            tb.quit()
    finally:
        dns.close()
        rdap.close()


def patient(probe: Any, *args: Any) -> Any:
    """A probe of a page that may still be loading on a busy machine (its script then times out): None."""
    try:
        return probe(*args)
    except AssertionError as exc:
        if "timed out" not in str(exc):
            raise
        return None


def set_language(ui: UI, value: str) -> None:
    ui.run("""
        const policy = WebExtensionPolicy.getByID(args[0]);
        tabmail.openTab("contentTab", {url: policy.getURL("options/options.html")});
        await sleep(1500);
    """, ADDON_ID)
    try:
        # the page listens for changes once it has read the settings; it asks for the history's size
        # right after, so a size shown means a change now is heard (a busy machine takes seconds)
        wait_for(lambda: patient(in_page, ui, "return d.getElementById('history-status').textContent;"),
                 30, "the options page to be ready")
        in_page(ui, f"""const s = d.getElementById("lang"); s.value = {value!r};
                        d.getElementById("form").dispatchEvent(new content.Event("change")); return true;""")
        wait_for(lambda: patient(in_page, ui, "return d.getElementById('saved').textContent;"),
                 30, "the language to be saved")
    finally:
        close_tab(ui)


def panel_of(ui: UI, raw: bytes, badge: str | None = None, shot: Path | None = None) -> dict[str, Any]:
    """The panel's findings and history line for one message of the Inbox."""
    ui.run("tabmail.switchToTab(0);")
    ui.select(INBOX_URL, message_id(raw))
    ui.wait_badge(lambda b: badge is None or b == badge, timeout=60)
    open_panel_tab(ui)
    try:
        wait_for(lambda: patient(in_page, ui, "const e = d.getElementById('stage'), s = e && e.textContent;"
                                              "return s && !s.includes('…') ? s : null;"), 60,
                 "the final stage (after the live lookups)")  # its row is in the history once it is shown
        page = wait_for(lambda: (p := read_page(ui)) and p["visible"]["report"] and p, 60, "the panel")
        line = wait_for(lambda: patient(in_page, ui, "const e = d.getElementById('history-line');"
                                                     "return e && !e.hidden ? e.textContent : null;"),
                        20, "the history line")
        if shot:
            time.sleep(0.5)
            ui.tb.screenshot(shot)
        return {"findings": set(page["findings"]), "history": line, "text": page["text"]}
    finally:
        close_tab(ui)


@pytest.mark.e2e
def test_a_years_mail_makes_the_impersonation_stand_out_until_the_history_is_cleared(tb: Any) -> None:
    _thunderbird, ui, _home = tb
    # The Sent folder, as Thunderbird marks it, holds what the reader wrote (its recipients become contacts)
    ui.run("""
        const folder = MailServices.folderLookup.getFolderForURL(args[0]);
        folder.setFlag(Ci.nsMsgFolderFlags.SentMail);
    """, SENT_URL)
    ui.show_folder(SENT_URL, 1)
    ui.show_folder(INBOX_URL, len(REAL) + 1)
    ui.scan_folder(INBOX_URL)

    # Every message of the folder analysed: tags land on the impersonation (it is dangerous anyway)
    def fake_tagged() -> bool:
        got = {m["messageId"]: m["tags"] for m in ui.messages(INBOX_URL)}
        return "whence_dangerous" in got.get(message_id(FAKE), [])
    wait_for(fake_tagged, 120, "the scan to tag the impersonation")
    time.sleep(2)  # the scan's last analyses finish

    fake = panel_of(ui, FAKE, "!!", SCREENSHOTS / "history-impersonation.png")
    assert "history.brand_departure" in fake["findings"], fake["findings"]
    assert fake["history"] == "First message from this sender.", fake["history"]
    # "... has always come from amazon.co.jp through AS16509 AMAZON-02 ... This one comes from ... (AS14061 ...)"
    assert "amazon.co.jp through AS16509 AMAZON-02" in fake["text"], fake["text"][:3000]
    assert "amazon-co-jp-security.com (AS14061 DIGITALOCEAN-ASN" in fake["text"]

    for n, raw in enumerate(REAL):
        real = panel_of(ui, raw)
        assert not real["findings"] & HISTORY_RISKS, (n, real["findings"])
        if n == len(REAL) - 1:  # the scan runs three at once: the ones still in flight are not counted yet
            said = re.fullmatch(r"You have received (\d+) messages from this sender since 10 January 2025\.",
                                real["history"])
            assert said and 8 <= int(said.group(1)) <= 11, real["history"]
    last = ui.button_state()
    assert last and last["badge"] == "✓", last

    # Clearing the history from the options page takes the finding away
    ui.run("""
        const policy = WebExtensionPolicy.getByID(args[0]);
        tabmail.openTab("contentTab", {url: policy.getURL("options/options.html")});
        await sleep(1500);
    """, ADDON_ID)
    try:
        status = wait_for(lambda: patient(in_page, ui, "return d.getElementById('history-status').textContent;"),
                          20, "the history's size on the options page")
        assert status.startswith("13 messages from 2 senders since 10 January 2025;"), status
        assert status.endswith("addresses you wrote to: 1."), status
        in_page(ui, "d.getElementById('history-clear').click(); return true;")
        wait_for(lambda: patient(in_page, ui, "return d.getElementById('history-status').textContent;")
                 == "The history is empty.", 20, "the history to be cleared")
    finally:
        close_tab(ui)
    after = panel_of(ui, FAKE, "!!")
    assert not after["findings"] & HISTORY_RISKS, after["findings"]
    assert after["history"] == "First message from this sender."

    # The history line in Japanese (ui.lang = ja), with the date in Japanese
    set_language(ui, "ja")
    for n in range(3):
        panel_of(ui, REAL[n])  # analysed afresh after the clearing: the history grows again
    ja = panel_of(ui, REAL[3])
    assert ja["history"] == "この送信元からは 2025年1月10日以降 3 通のメールを受け取っています。", ja["history"]
    ui.run("""
        const policy = WebExtensionPolicy.getByID(args[0]);
        tabmail.openTab("contentTab", {url: policy.getURL("options/options.html")});
        await sleep(1500);
    """, ADDON_ID)
    try:  # the options page writes the date in Japanese too
        seen: list[Any] = []
        try:
            status = wait_for(lambda: (s := patient(in_page, ui, "return d.getElementById('history-status')"
                                                                 ".textContent;")) and (seen.append(s) or "以降" in s)
                              and s, 60, "the history's size in Japanese")
        except AssertionError as exc:
            raise AssertionError(f"{exc}; the page said {seen[-3:]}") from exc
        # REAL[0..3] and FAKE since the clearing (REAL[3]'s row may still be on its way)
        assert re.match(r"2025年1月10日以降、2 件の送信元から [45] 通。", status), (status, seen[-3:])
    finally:
        close_tab(ui)
