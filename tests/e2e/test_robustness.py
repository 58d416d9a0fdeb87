"""Hostile content stays inert in a real Thunderbird, and a host that dies loses no tagging job.

Inertness: one message carries script and markup payloads in every field Whence shows — subject,
sender and recipient names, link texts and targets (javascript:, data:, vbscript:, an attribute
break-out), a form action, attachment and archive member names — and the loopback DNS and RDAP
servers answer its lookups with payloads too (the Team Cymru AS name, the SPF and DMARC TXT
records, the RDAP network name, owner and registrar). The panel, the report's compose window, the
scan page (of a folder whose name is a payload) and the options page (with payloads in the
settings) are shown; then:
- no payload ran: every payload, if it ran or loaded, would call a loopback beacon server or set a
  window title, and the beacon stays silent and no title changed;
- no Content-Security-Policy violation was reported to the console (markup that became elements
  would trip one); a positive control proves the console check sees a violation when there is one;
- no element from a payload exists, and no link in the panel is a live javascript:/data: URL.

Fault tolerance: a burst of new mail arrives over IMAP and the native host is killed (SIGKILL)
twice while it analyses; the add-on reconnects and re-sends what was in flight, and every message
is tagged.
"""

from __future__ import annotations

import base64
import contextlib
import io
import json
import os
import re
import signal
import threading
import time
import zipfile
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import CASES, cases_zone
from tests.e2e.conftest import case, start_thunderbird
from tests.e2e.harness import (
    ADDON_ID,
    INBOX_URL,
    UI,
    Dovecot,
    Thunderbird,
    close_tab,
    imap_prefs,
    in_page,
    open_panel_tab,
    read_page,
    wait_for,
)
from tests.e2e.test_report import CLOSE_COMPOSE, choose_recipients, click, compose_windows
from tests.e2e.test_thunderbird import TAGS, message_id
from tests.fixtures.dnsserver import LoopbackDNS
from tests.fixtures.rdapserver import LoopbackRDAP

ORIGIN_IP = "45.67.89.10"  # any global address: its lookups go to the loopback servers only
FOLDER = "<img src=x onerror=document.title='pwned-folder'>"


class Beacon:
    """A loopback HTTP server every payload would call if it ran (or loaded) anywhere."""

    def __init__(self) -> None:
        self.hits: list[str] = []
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                owner.hits.append(self.path)
                self.send_response(204)
                self.end_headers()

            do_POST = do_GET

            def log_message(self, *args: Any) -> None:
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def payload(b: str, where: str) -> str:
    """Markup that, parsed anywhere, loads the beacon, runs script that calls it, and retitles."""
    return (f"<img src={b}/img-{where} onerror=fetch('{b}/js-{where}');document.title='pwned-{where}'>"
            f"<script>fetch('{b}/script-{where}');document.title='pwned-{where}'</script>")


def hostile_message(b: str) -> bytes:
    zbuf = io.BytesIO()
    with zipfile.ZipFile(zbuf, "w") as z:
        z.writestr(payload(b, "member").replace("/", "\u2215") + ".exe", b"MZ")
    encoded_from = base64.b64encode(payload(b, "from").encode()).decode()
    html = f"""<html><body><p>{payload(b, "body").replace("<", "&lt;")}</p>
<a href="javascript:fetch('{b}/js-href');document.title='pwned-href'">&lt;svg onload=fetch('{b}/js-linktext')&gt;</a>
<a href="data:text/html,&lt;script&gt;fetch('{b}/js-data')&lt;/script&gt;">https://www.etc-meisai.jp/</a>
<a href='https://xss-link.example/"&gt;&lt;img src={b}/img-break onerror=fetch(`{b}/js-break`)&gt;'>ETC</a>
<a href="vbscript:msgbox('pwned-vb')">vb</a>
<form action="javascript:fetch('{b}/js-form')"><input name="q"></form>
</body></html>"""
    return (f"Received: from mail.xss-sender.example (mail.xss-sender.example [{ORIGIN_IP}])\r\n"
            f"\tby mx.example-mail.jp (Postfix) with ESMTP id 4XSS; Mon, 06 Jan 2025 10:00:02 +0900\r\n"
            f"Authentication-Results: mx.example-mail.jp; spf=fail smtp.mailfrom=xss-sender.example\r\n"
            f"From: =?utf-8?b?{encoded_from}?= <attacker@xss-sender.example>\r\n"
            f"To: {payload(b, 'to')} <user@example-mail.jp>\r\n"
            f"Subject: ETC {payload(b, 'subject')}\r\n"
            f"Date: Mon, 06 Jan 2025 10:00:00 +0900\r\nMessage-ID: <xss-1@xss-sender.example>\r\n"
            f"MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=X\r\n\r\n"
            f"--X\r\nContent-Type: text/html; charset=utf-8\r\n\r\n{html}\r\n"
            f"--X\r\nContent-Type: application/zip\r\nContent-Disposition: attachment; "
            f"filename*=utf-8''{_pct(payload(b, 'file') + '.pdf.exe')}\r\nContent-Transfer-Encoding: base64\r\n\r\n"
            f"{base64.encodebytes(zbuf.getvalue()).decode()}--X--\r\n").encode()


def _pct(text: str) -> str:
    return "".join(f"%{c:02X}" for c in text.encode())


def hostile_network(b: str) -> tuple[LoopbackDNS, LoopbackRDAP]:
    zone = cases_zone()
    rev = ".".join(reversed(ORIGIN_IP.split(".")))
    zone.add(f"{rev}.origin.asn.cymru.com", "TXT", "64496 | 45.67.89.0/24 | JP | apnic | 2020-01-01")
    zone.add("AS64496.asn.cymru.com", "TXT", f"64496 | JP | apnic | 2020-01-01 | {payload(b, 'asname')}, JP")
    zone.add("xss-sender.example", "TXT", f"v=spf1 {payload(b, 'spf')} -all")
    zone.add("_dmarc.xss-sender.example", "TXT", f"v=DMARC1; p=reject; rua=mailto:{payload(b, 'dmarc')}")
    zone.add("xss-sender.example", "MX", [10, "mail.xss-sender.example"])
    zone.add("mail.xss-sender.example", "A", ORIGIN_IP)
    rdap = LoopbackRDAP(CASES / "rdap")

    def card(name: str, email: str | None = None) -> list[Any]:
        rows: list[Any] = [["version", {}, "text", "4.0"], ["fn", {}, "text", name]]
        if email:
            rows.append(["email", {}, "text", email])
        return ["vcard", rows]

    rdap.objects[f"/ip/{ORIGIN_IP}"] = {
        "objectClassName": "ip network", "handle": "<b>NET-XSS</b>", "name": payload(b, "rdapname"),
        "country": "JP", "startAddress": "45.67.89.0", "endAddress": "45.67.89.255",
        "entities": [{"roles": ["registrant"], "vcardArray": card(payload(b, "owner") + " Evil Corp")},
                     {"roles": ["abuse"], "vcardArray": card("abuse", "abuse@hostile-net.jp")}]}
    rdap.objects["/domain/xss-link.example"] = {
        "objectClassName": "domain", "ldhName": "xss-link.example",
        "events": [{"eventAction": "registration", "eventDate": "2025-01-01T00:00:00Z"}],
        "entities": [{"roles": ["registrar"],
                      "vcardArray": card(payload(b, "registrar"), "abuse@hostile-registrar.com")}]}
    return LoopbackDNS(zone), rdap


# Every console message about a Content Security Policy, since the given count (chrome context).
CSP_MESSAGES = """
    const all = Services.console.getMessageArray() || [];
    return all.slice(args[0]).map((m) => {
      const e = m instanceof Ci.nsIScriptError ? m : null;
      return {text: String(e ? e.errorMessage : m.message), category: e ? String(e.category) : "",
              source: e ? String(e.sourceName) : ""};
    }).filter((m) => /content.security.policy|CSP/i.test(m.category + " " + m.text));
"""
CONSOLE_COUNT = "return (Services.console.getMessageArray() || []).length;"

# Titles of every window (chrome and content) and whether any payload set one.
TITLES = """
    const out = [];
    for (const w of Services.wm.getEnumerator(null)) {
      out.push(w.document.title);
      const tm = w.document.getElementById("tabmail");
      for (const t of tm?.tabInfo || []) out.push(t.title || "", t.browser?.contentTitle || "");
    }
    return out;
"""

PAGE_CHECK = """
    const bad = [...d.querySelectorAll("img, script, svg:not(#route-picture svg):not(#route-map svg), iframe, "
                                        + "object, embed, form, input[name=q], video, audio")]
      .filter((e) => !e.closest("#route-picture, #route-map"))
      .filter((e) => !(e.tagName == "SCRIPT" && e.src.startsWith(d.location.origin + "/"))  // the page's own
                     && !(e.tagName == "FORM" && ["report-form", "form"].includes(e.id)))
      .map((e) => e.outerHTML.slice(0, 200));
    const links = [...d.querySelectorAll("a[href], area[href], [action]")]
      .map((a) => a.getAttribute("href") || a.getAttribute("action"));
    const handlers = [...d.querySelectorAll("*")].filter((e) => [...e.attributes].some((a) => /^on/i.test(a.name)))
      .map((e) => e.outerHTML.slice(0, 200));
    return {bad, links, handlers, title: d.title, text: d.body.innerText};
"""


def assert_inert(ui: UI, beacon: Beacon, console_from: int, what: str) -> None:
    time.sleep(1.0)  # anything a payload would load or run has had its chance
    assert beacon.hits == [], f"{what}: the beacon was called: {beacon.hits}"
    titles = ui.run(TITLES)
    assert not any(re.fullmatch(r"pwned-[\w-]+", t or "") for t in titles), (what, titles)  # a payload set it
    csp = ui.run(CSP_MESSAGES, console_from)
    assert csp == [], (what, csp)


@pytest.fixture(scope="module")
def tb(tmp_path_factory: pytest.TempPathFactory, host_home: Path, display: Any,
       xpi: Path) -> Iterator[tuple[Thunderbird, UI, Dovecot, Beacon, bytes]]:
    beacon = Beacon()
    raw = hostile_message(beacon.url)
    dns, rdap = hostile_network(beacon.url)
    imap = Dovecot(tmp_path_factory.mktemp("dovecot-robust"))
    folders = {"Inbox": [raw], "Hostile": [raw, case("etc-phish.eml")]}
    thunderbird = start_thunderbird(tmp_path_factory.mktemp("tb-robust"), host_home, display, xpi, folders,
                                    dns.address, rdap.base_url, imap_prefs(imap.port, imap.USER))
    ui = UI(thunderbird)
    ui.run("win.focus(); win.maximize();")
    try:
        yield thunderbird, ui, imap, beacon, raw
    finally:
        thunderbird.quit()
        imap.stop()
        dns.close()
        rdap.close()
        beacon.close()


def show_hostile_panel(ui: UI, raw: bytes) -> dict[str, Any]:
    ui.show_folder(INBOX_URL, 1)
    ui.select(INBOX_URL, message_id(raw))
    ui.wait_badge(lambda b: b in ("!", "!!"), timeout=60)
    open_panel_tab(ui)
    return wait_for(lambda: (p := read_page(ui)) and p["visible"]["report"] and p, 60, "the panel with a report")


@pytest.mark.e2e
def test_payloads_in_every_field_stay_text_in_the_panel(tb: Any) -> None:
    _thunderbird, ui, _imap, beacon, raw = tb
    start = ui.run(CONSOLE_COUNT)
    page = show_hostile_panel(ui, raw)
    try:
        page = wait_for(lambda: (p := read_page(ui)) and "pwned-rdapname" in p["text"] and p, 60,
                        "the live lookups' answers in the panel")
        text = page["text"]
        shown = [w for w in ("subject", "from", "linktext", "file", "member", "asname", "rdapname", "owner", "spf",
                             "dmarc", "registrar") if any(f"{k}-{w}" in text for k in ("pwned", "js", "img"))]
        print("payloads shown as text in the panel:", shown)
        wanted = {"subject", "from", "linktext", "file", "member", "asname", "rdapname", "owner", "dmarc", "registrar"}
        assert wanted <= set(shown), (shown, text)
        checked = in_page(ui, PAGE_CHECK)
        assert checked["bad"] == [], checked["bad"]
        assert checked["handlers"] == [], checked["handlers"]
        assert not any(str(h).lower().startswith(("javascript:", "data:", "vbscript:")) for h in checked["links"]), \
            checked["links"]
        assert not checked["title"].startswith("pwned")
        assert_inert(ui, beacon, start, "panel")
        # Positive control: markup that does become an element is caught by the CSP check above.
        before = ui.run(CONSOLE_COUNT)
        in_page(ui, f"const i = d.createElement('img'); i.src = '{beacon.url}/control'; d.body.append(i);")
        wait_for(lambda: ui.run(CSP_MESSAGES, before), 10, "the control's CSP violation in the console")
        assert beacon.hits == [], beacon.hits  # and the policy blocked it
    finally:
        close_tab(ui)


@pytest.mark.e2e
def test_payloads_stay_text_in_the_report_compose_window(tb: Any) -> None:
    _thunderbird, ui, _imap, beacon, raw = tb
    start = ui.run(CONSOLE_COUNT)
    show_hostile_panel(ui, raw)
    try:
        click(ui, "report-button")
        form = choose_recipients(ui)
        labels = " ".join(r["label"] for r in form["recipients"])
        assert "abuse@hostile-net.jp" in labels, form
        click(ui, "report-compose")
        compose = wait_for(lambda: (w := compose_windows(ui)) and w[0]["attachments"] and w[0], 30,
                           "the compose window with the report")
        assert "pwned-subject" in compose["subject"]  # the subject, as text
        editor = ui.run("""
            const w = Services.wm.getMostRecentWindow("msgcompose");
            const doc = w.GetCurrentEditorElement().contentDocument;
            const bad = [...doc.querySelectorAll("img, script, svg, iframe, object, embed, form")]
              .map((e) => e.outerHTML.slice(0, 200));
            return {bad, text: doc.body.textContent, title: w.document.title};
        """)
        assert editor["bad"] == [], editor["bad"]
        assert not re.fullmatch(r"pwned-[\w-]+", editor["title"]), editor["title"]
        assert_inert(ui, beacon, start, "report compose window")
        assert ui.run(CLOSE_COMPOSE)
    finally:
        close_tab(ui)


@pytest.mark.e2e
def test_payloads_stay_text_on_the_scan_page(tb: Any) -> None:
    _thunderbird, ui, _imap, beacon, _raw = tb
    start = ui.run(CONSOLE_COUNT)
    ui.show_folder("mailbox://nobody@Local%20Folders/Hostile", 2)
    url = ui.run("""  // a folder name is the server's or the user's to choose: make it a payload
        const root = MailServices.accounts.localFoldersServer.rootFolder;
        let folder = [...root.subFolders].find((f) => f.name == args[0]);
        if (!folder) {
          root.getChildNamed("Hostile").rename(args[0], null);
          for (let i = 0; i < 50 && !folder; i++) {
            folder = [...root.subFolders].find((f) => f.name == args[0]);
            if (!folder) await sleep(100);
          }
        }
        return folder?.URI || null;
    """, FOLDER)
    assert url, "the folder could not be renamed to a payload"
    ui.show_folder(url, 2)
    ui.scan_folder(url)
    scan = wait_for(lambda: (page := ui.run(SCAN_PROBE)) and page.get("done") and page, 60,
                    "the scan window, finished")
    assert FOLDER in scan["folder"], scan  # the folder's name, as text
    assert scan["bad"] == [] and scan["handlers"] == [], scan
    assert not re.fullmatch(r"pwned-[\w-]+", scan["title"]) and "pwned" not in scan["windowTitle"], scan
    assert_inert(ui, beacon, start, "scan page")


@pytest.mark.e2e
def test_payloads_in_the_settings_stay_text_on_the_options_page(tb: Any) -> None:
    _thunderbird, ui, _imap, beacon, _raw = tb
    start = ui.run(CONSOLE_COUNT)
    bad = payload(beacon.url, "options")
    ui.run("""
        const policy = WebExtensionPolicy.getByID(args[0]);
        tabmail.openTab("contentTab", {url: policy.getURL("options/options.html")});
    """, ADDON_ID)
    wait_for(lambda: try_in_page(ui, "return Boolean(d.title && d.querySelector('textarea[name=trustedHosts]'));"),
             30, "the options page, its listeners attached (the title is set just before)")
    in_page(ui, f"""
        const area = d.querySelector("textarea[name=trustedHosts]");
        area.value = {json.dumps(bad + chr(10) + "example.org")};
        area.dispatchEvent(new content.Event("input", {{bubbles: true}}));
        area.dispatchEvent(new content.Event("change", {{bubbles: true}}));
    """)
    wait_for(lambda: try_in_page(ui, "return d.getElementById('saved')?.textContent;"), 30, "the settings saved")
    close_tab(ui)
    ui.run("""
        const policy = WebExtensionPolicy.getByID(args[0]);
        tabmail.openTab("contentTab", {url: policy.getURL("options/options.html")});
    """, ADDON_ID)
    try:
        shown = wait_for(lambda: (v := try_in_page(ui, "return d.querySelector('textarea[name=trustedHosts]')?.value;"))
                         and "pwned-options" in v and v, 30, "the saved settings shown again")
        assert bad in shown
        checked = in_page(ui, PAGE_CHECK)
        assert checked["bad"] == [] and checked["handlers"] == [], checked
        assert_inert(ui, beacon, start, "options page")
    finally:
        close_tab(ui)


# The scan window's page, read by a frame script in its <browser>.
SCAN_PROBE = """
    for (const w of Services.wm.getEnumerator(null)) {
      const b = [...w.document.querySelectorAll("browser")].find(
        (x) => String(x.currentURI?.spec || "").includes("scan/scan.html"));
      if (!b) continue;
      const mm = b.messageManager;
      const topic = "whence-test:scan-" + Math.random().toString(36).slice(2);
      const script = `try {
        const d = content.document;
        const bad = [...d.querySelectorAll("img, script, svg, iframe, object, embed")]
          .filter((e) => !(e.tagName == "SCRIPT" && e.src.startsWith(d.location.origin + "/"))).map((e) => e.outerHTML);
        const handlers = [...d.querySelectorAll("*")].filter((e) => [...e.attributes].some((a) => /^on/i.test(a.name)))
          .map((e) => e.outerHTML.slice(0, 200));
        sendAsyncMessage(${JSON.stringify(topic)}, {folder: d.getElementById("folder")?.textContent || "",
          done: ["finished", "cancelled"].includes(d.body.dataset.state || ""), bad, handlers, title: d.title});
      } catch (e) { sendAsyncMessage(${JSON.stringify(topic)}, {error: String(e)}); }`;
      const data = await new Promise((resolve, reject) => {
        const listener = (msg) => { mm.removeMessageListener(topic, listener); resolve(msg.data); };
        mm.addMessageListener(topic, listener);
        mm.loadFrameScript("data:," + encodeURIComponent(script), false);
        win.setTimeout(() => reject(new Error("scan probe timed out")), 10000);
      });
      if (data.error) return null;
      data.windowTitle = w.document.title;
      return data;
    }
    return null;
"""


def try_in_page(ui: UI, body: str) -> Any:
    """in_page, or None while the tab's page is still loading (its frame script may not answer yet)."""
    try:
        return in_page(ui, body, timeout_ms=3000)
    except AssertionError:
        return None


def host_pids(thunderbird: Thunderbird) -> list[int]:
    """The native hosts Thunderbird started (its children running whence.native)."""
    out = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
            cmd = (entry / "cmdline").read_bytes()
        except (OSError, ValueError, IndexError):
            continue
        if ppid == thunderbird.proc.pid and b"whence.native" in cmd:
            out.append(int(entry.name))
    return out


@pytest.mark.e2e
def test_a_host_killed_mid_burst_loses_no_tagging_job(tb: Any) -> None:
    thunderbird, ui, imap, _beacon, _raw = tb
    inbox_url = ui.fetch_inbox("server2", imap.PASSWORD)
    time.sleep(2)  # the first sync sees an empty inbox
    before = thunderbird.output().count("whence: tagged new message")
    burst = []
    for i in range(24):
        raw = case("etc-phish.eml" if i % 2 else "kagoya-phish.eml")
        raw = re.sub(rb"(?im)^(message-id:\s*<)", rb"\g<1>burst%d." % i, raw, count=1)
        burst.append(message_id(raw))
        imap.deliver(raw)
    ui.fetch_inbox("server2", imap.PASSWORD)
    killed = []
    # Kill whichever host is analysing once each part of the burst is under way, at least twice and
    # until one kill has caught a request in flight: a kill can land in the moment between one reply
    # and the next request (about 1 run in 15 with two kills), which proves nothing about re-sending.
    while len(killed) < 6 and (len(killed) < 2 or "re-sending" not in thunderbird.output()):
        pids = wait_for(lambda: host_pids(thunderbird), 60, "a running native host", interval=0.05)
        wait_for(lambda: thunderbird.output().count("whence: tagged new message") > before + 2 * len(killed),
                 60, "the burst to be under way", interval=0.05)
        for pid in pids:
            with contextlib.suppress(ProcessLookupError):  # it may have just been replaced
                os.kill(pid, signal.SIGKILL)
                killed.append(pid)

    def untagged() -> list[str]:
        got = {m["messageId"]: m["tags"] for m in ui.messages(inbox_url)}
        return [mid for mid in burst if not any(t.startswith("whence_") for t in got.get(mid, []))]

    wait_for(lambda: not untagged(), 120, "every message of the burst to be tagged", interval=1)
    assert killed and all(pid not in host_pids(thunderbird) for pid in killed)
    assert "re-sending" in thunderbird.output(), "no request was in flight when the host was killed"
    got = {m["messageId"]: m["tags"] for m in ui.messages(inbox_url)}
    for mid in burst:
        assert TAGS["dangerous"] in got[mid] or TAGS["suspicious"] in got[mid], (mid, got[mid])
