"""Reporting abuse from a real Thunderbird: Report in the panel, the recipients as checkboxes, a
compose window addressed to the chosen ones with the RFC 5965 report attached (the original
inside it), and a second Report of the same message asking first. Nothing is ever sent.

The host's lookups go to the loopback DNS/RDAP serving the cases' data, so the recipients are
the ones the registries name for etc-phish (see tests/test_reporting_live.py for the host side).
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.conftest import SCREENSHOTS, case, start_thunderbird
from tests.e2e.harness import (
    INBOX_URL,
    UI,
    Thunderbird,
    close_tab,
    free_port,
    imap_prefs,
    in_page,
    open_panel_tab,
    read_page,
    wait_for,
)
from tests.e2e.test_thunderbird import message_id

RAW = case("etc-phish.eml")
ORIGIN = "ipas@cnnic.cn"  # UCloud's network, where the mail came from
REGISTRAR = "DomainAbuse@service.aliyun.com"  # the link domain's registrar
NATIONAL = "info@antiphishing.jp"  # the ETC impersonation targets Japanese users
CLOUDFLARE_FORM = "https://abuse.cloudflare.com/"  # hosts the link; takes reports by form only

COMPOSE_DETAILS = """
    const wins = [...Services.wm.getEnumerator("msgcompose")];
    const out = [];
    for (const w of wins) {
      if (w.document.readyState != "complete" || !w.gMsgCompose) return null;
      w.Recipients2CompFields(w.gMsgCompose.compFields);  // the address pills as the user sees them
      const c = w.gMsgCompose.compFields;
      const attachments = [];
      for (const item of w.gAttachmentBucket.itemChildren) {
        const a = item.attachment;
        const file = Services.io.newURI(a.url).QueryInterface(Ci.nsIFileURL).file;
        const bytes = await IOUtils.read(file.path, {maxBytes: 4 * 1024 * 1024});
        let binary = "";
        for (let i = 0; i < bytes.length; i += 32768) {
          binary += String.fromCharCode(...bytes.subarray(i, i + 32768));
        }
        attachments.push({name: a.name, contentType: a.contentType, data: binary});
      }
      out.push({to: c.to, cc: c.cc, bcc: c.bcc, subject: c.subject, attachments,
                identity: w.gCurrentIdentity?.email || null});
    }
    return out;
"""

CLOSE_COMPOSE = """
    for (const w of [...Services.wm.getEnumerator("msgcompose")]) {
      w.gContentChanged = false;  // a draft nobody wants: close without the save prompt
      w.gMsgCompose.bodyModified = false;
      w.close();
    }
    for (let i = 0; i < 50 && Services.wm.getMostRecentWindow("msgcompose"); i++) await sleep(100);
    return !Services.wm.getMostRecentWindow("msgcompose");
"""

REPORT_FORM = """
    const form = d.getElementById("report-form");
    const again = d.getElementById("report-again");
    return {
      form: !form.hidden, again: !again.hidden,
      againText: d.getElementById("report-again-text").textContent,
      note: d.getElementById("report-note").textContent,
      button: !d.getElementById("report-button").disabled,
      recipients: [...d.querySelectorAll("#report-recipients input[type=checkbox]")]
        .map((i) => ({address: i.value, checked: i.checked,
                      label: d.querySelector(`label[for="${i.id}"]`)?.textContent || ""})),
      forms: [...d.querySelectorAll("#report-forms li")].map((li) => li.textContent),
      links: d.querySelectorAll("#report-forms a").length,
    };
"""


def addresses(header: str) -> set[str]:
    return {a.strip().lower() for a in header.split(",") if a.strip()}


def click(ui: UI, element_id: str) -> None:
    in_page(ui, f"d.getElementById({element_id!r}).click();")


def report_form(ui: UI) -> dict[str, Any]:
    return in_page(ui, REPORT_FORM)


def compose_windows(ui: UI) -> list[dict[str, Any]]:
    return ui.run(COMPOSE_DETAILS) or []


def wait_compose(ui: UI) -> dict[str, Any]:
    """The one compose window, once its recipients and attachment are in place."""
    wins = wait_for(lambda: (w := ui.run(COMPOSE_DETAILS)) and w[0]["to"] and w[0]["attachments"] and w,
                    30, "the compose window with the report")
    assert len(wins) == 1, [w["to"] for w in wins]
    return wins[0]


def open_report_panel(ui: UI) -> None:
    ui.show_folder(INBOX_URL, 1)
    ui.select(INBOX_URL, message_id(RAW))
    ui.wait_badge(lambda b: b == "!!", timeout=60)  # the final verdict, lookups done
    open_panel_tab(ui)
    wait_for(lambda: (p := read_page(ui)) and p["visible"]["report"] and p, 60, "the panel's report")


def choose_recipients(ui: UI) -> dict[str, Any]:
    """Waits for the recipient checkboxes the host proposed."""
    return wait_for(lambda: (f := report_form(ui)) and f["form"] and f, 60, "the report's recipients")


@pytest.fixture(scope="module")
def tb(tmp_path_factory: pytest.TempPathFactory, host_home: Path, display: Any, xpi: Path,
       network: Any) -> Iterator[tuple[Thunderbird, UI]]:
    dns, rdap = network
    # A mail account with an identity to write from; its IMAP port has nobody listening and is never
    # contacted (no login at start-up, no mail check), so nothing can be sent anywhere.
    tb = start_thunderbird(tmp_path_factory.mktemp("tb-report"), host_home, display, xpi, {"Inbox": [RAW]},
                           dns.address, rdap.base_url, imap_prefs(free_port(), "tester"))
    ui = UI(tb)
    ui.run("win.focus(); win.maximize();")
    try:
        yield tb, ui
    finally:
        tb.quit()


@pytest.fixture(scope="module")
def first_report(tb: tuple[Thunderbird, UI]) -> dict[str, Any]:
    """Report from the panel as a user would, leaving every proposed recipient ticked."""
    thunderbird, ui = tb
    assert not compose_windows(ui)
    open_report_panel(ui)
    before = report_form(ui)
    assert not before["form"] and not before["again"] and before["button"], before
    click(ui, "report-button")
    form = choose_recipients(ui)
    handles = set(thunderbird.m.chrome_window_handles)
    click(ui, "report-compose")
    compose = wait_compose(ui)
    note = wait_for(lambda: (f := report_form(ui)) and not f["form"] and f["note"], 10, "the panel's note")
    new = [h for h in thunderbird.m.chrome_window_handles if h not in handles]
    assert len(new) == 1, new
    main = thunderbird.m.current_chrome_window_handle
    thunderbird.m.switch_to_window(new[0])
    try:
        time.sleep(0.5)
        thunderbird.screenshot(SCREENSHOTS / "report-compose.png")
    finally:
        thunderbird.m.switch_to_window(main)
    assert ui.run(CLOSE_COMPOSE), "the compose window did not close"
    close_tab(ui)
    return {"form": form, "compose": compose, "note": note}


@pytest.mark.e2e
def test_report_proposes_the_responsible_parties(first_report: dict[str, Any]) -> None:
    form = first_report["form"]
    proposed = {r["address"].lower(): r for r in form["recipients"]}
    for address in (ORIGIN, REGISTRAR, NATIONAL):
        assert address.lower() in proposed, (address, proposed)
        assert proposed[address.lower()]["checked"]  # ticked by default; the user unticks bystanders
        assert proposed[address.lower()]["label"].startswith(address)  # shown with its role
    for address, role in ((ORIGIN, "sending network's abuse desk"), (REGISTRAR, "domain registrar"),
                          (NATIONAL, "national reporting desk")):
        assert proposed[address.lower()]["label"] == f"{address} ({role})", proposed[address.lower()]
    # Cloudflare hosts the link but only takes reports by web form: offered as a form, never mailed.
    assert any(f.startswith(CLOUDFLARE_FORM) and "mtocgra.cn" in f for f in form["forms"]), form["forms"]
    assert not any("cloudflare" in a for a in proposed), proposed
    assert form["links"] == 0  # the form's address is text to copy, not a link the panel opens


@pytest.mark.e2e
def test_compose_window_is_addressed_with_the_report_and_original_attached(first_report: dict[str, Any]) -> None:
    compose = first_report["compose"]
    ticked = {r["address"].lower() for r in first_report["form"]["recipients"] if r["checked"]}
    assert addresses(compose["to"]) == ticked, compose["to"]
    assert {ORIGIN.lower(), REGISTRAR.lower(), NATIONAL.lower()} <= addresses(compose["to"])
    assert not compose["cc"] and not compose["bcc"]
    assert compose["identity"] == "tester@example.test"  # written from the user's own account
    original = message_from_bytes(RAW, policy=policy.default)
    assert compose["subject"].startswith("Abuse report: ") and str(original["Subject"]) in compose["subject"]
    assert "report attached is open" in first_report["note"], first_report["note"]

    [attachment] = compose["attachments"]
    assert attachment["name"] == "report.eml" and attachment["contentType"] == "message/rfc822"
    report = message_from_bytes(attachment["data"].encode("latin-1"), policy=policy.default)
    assert report.get_content_type() == "multipart/report"
    assert report.get_param("report-type") == "feedback-report"
    parts = report.get_payload()
    assert [p.get_content_type() for p in parts] == ["text/plain", "message/feedback-report", "message/rfc822"]
    fields = parts[1].get_payload(0)
    assert fields["Feedback-Type"] == "fraud"
    assert fields["Source-IP"] == "117.50.174.153"
    assert fields["Reported-Domain"]
    inner = parts[2].get_payload(0)
    assert isinstance(inner, EmailMessage)
    # the original itself, headers intact (the DKIM evidence survives)
    for header in ("Message-ID", "From", "Subject", "Date", "DKIM-Signature"):
        assert inner[header] == original[header], header
    assert inner.get_all("Received") == original.get_all("Received")


@pytest.mark.e2e
def test_reporting_the_same_message_again_asks_first(tb: tuple[Thunderbird, UI],
                                                     first_report: dict[str, Any]) -> None:
    _thunderbird, ui = tb
    first = addresses(first_report["compose"]["to"])
    open_report_panel(ui)  # a fresh panel: the log lives in the add-on's storage, not the page
    try:
        click(ui, "report-button")
        asked = wait_for(lambda: (f := report_form(ui)) and f["again"] and f, 20, "the report-again question")
        assert not asked["form"], asked  # nothing prepared before the user answers
        assert all(a in asked["againText"].lower() for a in first), asked["againText"]
        assert re.search(r"prepared on \d{1,2} [A-Z][a-z]+ \d{4}(,| at) \d\d:\d\d, to ", asked["againText"]), \
            asked["againText"]  # a date a person reads, in the reader's language
        assert not compose_windows(ui)

        click(ui, "report-again-no")  # cancel: nothing happens
        cancelled = report_form(ui)
        assert not cancelled["again"] and not cancelled["form"] and cancelled["button"], cancelled
        time.sleep(0.5)
        assert not compose_windows(ui)

        click(ui, "report-button")
        wait_for(lambda: report_form(ui)["again"], 20, "the question again")
        click(ui, "report-again-yes")
        form = choose_recipients(ui)
        # this time the user unticks a bystander
        index = [r["address"] for r in form["recipients"]].index(REGISTRAR)
        in_page(ui, f"d.getElementById('rcpt-{index}').click();")
        click(ui, "report-compose")
        compose = wait_compose(ui)
        assert REGISTRAR.lower() not in addresses(compose["to"]), compose["to"]
        assert addresses(compose["to"]) == first - {REGISTRAR.lower()}
        # the attached report is addressed to the same pick: it names no unticked bystander
        attached = message_from_bytes(compose["attachments"][0]["data"].encode("latin-1"), policy=policy.default)
        assert addresses(attached["To"]) == first - {REGISTRAR.lower()}
        assert ui.run(CLOSE_COMPOSE)

        # the log now says what went to whom the second time
        click(ui, "report-button")
        asked = wait_for(lambda: (f := report_form(ui)) and f["again"] and f, 20, "the question, third time")
        assert REGISTRAR.lower() not in asked["againText"].lower(), asked["againText"]
        assert ORIGIN.lower() in asked["againText"].lower()
        click(ui, "report-again-no")
    finally:
        ui.run(CLOSE_COMPOSE)
        close_tab(ui)
