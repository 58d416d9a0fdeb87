"""Drive a real Thunderbird: Xvfb, a fresh profile that talks to nothing but loopback, the add-on
sideloaded, Marionette in chrome context, and a local dovecot IMAP server.

Facts this relies on are in the project's notes on driving Thunderbird (profile prefs,
sideloading, where the native host manifest is read, Marionette's chrome context).
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from marionette_driver.marionette import Marionette

ADDON_ID = "whence@whence.example"
WIDGET_ID = "whence_whence_example"  # the add-on id with every non-alphanumeric turned into "_"
BUTTON_ID = f"{WIDGET_ID}-messageDisplayAction-toolbarbutton"
INBOX_URL = "mailbox://nobody@Local%20Folders/Inbox"


def require(program: str) -> str:
    """The path of a program the e2e tests need; a missing one fails the test (never a skip)."""
    path = shutil.which(program)
    if not path:
        raise AssertionError(
            f"{program} is not installed: apt-get install -y thunderbird xvfb dovecot-imapd "
            "(see README.md, end-to-end tests)")
    return path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for(check: Callable[[], Any], timeout: float, what: str, interval: float = 0.25) -> Any:
    """Polls until check() returns something truthy; fails with `what` and the last value."""
    deadline = time.monotonic() + timeout
    last: Any = None
    while time.monotonic() < deadline:
        last = check()
        if last:
            return last
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout} s waiting for {what} (last: {last!r})")


# ---------------------------------------------------------------------------------------------
# Xvfb


class Xvfb:
    """A virtual X display of its own (display numbers from 90 up, the first free one)."""

    def __init__(self) -> None:
        require("Xvfb")
        for n in range(90, 140):
            if not Path(f"/tmp/.X11-unix/X{n}").exists() and not Path(f"/tmp/.X{n}-lock").exists():
                self.display = f":{n}"
                break
        else:
            raise AssertionError("no free X display number")
        self.proc = subprocess.Popen(
            ["Xvfb", self.display, "-screen", "0", "1280x900x24", "-nolisten", "tcp"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_for(lambda: Path(f"/tmp/.X11-unix/X{self.display[1:]}").exists() or self.proc.poll() is not None,
                 10, "Xvfb")
        if self.proc.poll() is not None:
            raise AssertionError("Xvfb did not start")

    def stop(self) -> None:
        self.proc.terminate()
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.proc.wait(5)


# ---------------------------------------------------------------------------------------------
# Profile


def _pref_value(value: Any) -> str:
    return json.dumps(value)


# Nothing but loopback: no updates, telemetry, start page, remote settings, safe browsing,
# captive portal or connectivity checks, and every HTTP(S) request sent to a dead loopback proxy.
QUIET_PREFS: dict[str, Any] = {
    "app.update.enabled": False,
    "app.update.auto": False,
    "app.update.checkInstallTime": False,
    "app.update.disabledForTesting": True,
    "app.update.service.enabled": False,
    "app.update.staging.enabled": False,
    "app.normandy.enabled": False,
    "browser.safebrowsing.malware.enabled": False,
    "browser.safebrowsing.phishing.enabled": False,
    "browser.safebrowsing.downloads.enabled": False,
    "browser.safebrowsing.blockedURIs.enabled": False,
    "browser.safebrowsing.provider.google4.updateURL": "",
    "browser.safebrowsing.provider.google.updateURL": "",
    "browser.region.network.url": "",
    "browser.region.update.enabled": False,
    "datareporting.policy.dataSubmissionEnabled": False,
    "datareporting.healthreport.uploadEnabled": False,
    "datareporting.policy.firstRunURL": "",
    "toolkit.telemetry.enabled": False,
    "toolkit.telemetry.unified": False,
    "toolkit.telemetry.archive.enabled": False,
    "toolkit.telemetry.server": "",
    "toolkit.crashreporter.enabled": False,
    "toolkit.startup.max_resumed_crashes": -1,
    "extensions.update.enabled": False,
    "extensions.update.autoUpdateDefault": False,
    "extensions.getAddons.cache.enabled": False,
    "extensions.blocklist.enabled": False,
    "extensions.systemAddon.update.enabled": False,
    "extensions.autoDisableScopes": 0,
    "extensions.enabledScopes": 15,
    "services.settings.server": "http://127.0.0.1:9/",
    "services.settings.poll_interval": 86400 * 365,
    "mailnews.start_page.enabled": False,
    "mailnews.start_page.url": "",
    "mailnews.start_page.override_url": "",
    "mail.provider.suppress_dialog_on_startup": True,
    "mail.provider.enabled": False,
    "mail.shell.checkDefaultClient": False,
    "mail.rights.override": True,
    "mail.rights.version": 1,
    "mail.biff.show_alert": False,
    "mail.biff.play_sound": False,
    "mail.biff.use_system_alert": False,
    "mail.cloud_files.enabled": False,
    "mail.spellcheck.inline": False,
    "mail.inappnotifications.enabled": False,
    "mailnews.auto_config_url": "",
    "mailnews.auto_config.fetchFromISP.enabled": False,
    "mailnews.auto_config.fetchFromExchange.enabled": False,
    "mailnews.mx_service_url": "",
    "network.captive-portal-service.enabled": False,
    "network.connectivity-service.enabled": False,
    "network.dns.disablePrefetch": True,
    "network.prefetch-next": False,
    "network.predictor.enabled": False,
    "network.http.speculative-parallel-limit": 0,
    "network.trr.mode": 5,
    "network.proxy.type": 1,
    "network.proxy.http": "127.0.0.1",
    "network.proxy.http_port": 9,
    "network.proxy.ssl": "127.0.0.1",
    "network.proxy.ssl_port": 9,
    "network.proxy.no_proxies_on": "",
    "dom.push.connection.enabled": False,
    "dom.push.serverURL": "",
    "geo.enabled": False,
    "geo.provider.network.url": "",
    "security.OCSP.enabled": 0,
    "security.remote_settings.crlite_filters.enabled": False,
    "security.remote_settings.intermediates.enabled": False,
    "identity.fxaccounts.enabled": False,
    "calendar.timezone.useSystemTimezone": True,
    "intl.locale.requested": "en-US",
    "browser.aboutConfig.showWarning": False,
    "devtools.console.stdout.content": True,
    # Extension pages in the main process, so the tests can read the panel's DOM from chrome.
    "extensions.webextensions.remote": True,
    "devtools.console.stdout.chrome": True,
    # Local Folders without the first-run wizard
    "mail.accountmanager.localfoldersserver": "server1",
    "mail.account.account1.server": "server1",
    "mail.server.server1.type": "none",
    "mail.server.server1.hostname": "Local Folders",
    "mail.server.server1.name": "Local Folders",
    "mail.server.server1.userName": "nobody",
    "mail.server.server1.directory-rel": "[ProfD]Mail/Local Folders",
    "mail.server.server1.storeContractID": "@mozilla.org/msgstore/berkeleystore;1",
}


def imap_prefs(port: int, user: str) -> dict[str, Any]:
    """An IMAP account on 127.0.0.1:port, plain text, no mail check until the test asks."""
    return {
        "mail.account.account2.server": "server2",
        "mail.account.account2.identities": "id1",
        "mail.identity.id1.useremail": f"{user}@example.test",
        "mail.identity.id1.fullName": "Test User",
        "mail.identity.id1.valid": True,
        "mail.server.server2.type": "imap",
        "mail.server.server2.hostname": "127.0.0.1",
        "mail.server.server2.port": port,
        "mail.server.server2.userName": user,
        "mail.server.server2.name": "Loopback IMAP",
        "mail.server.server2.socketType": 0,
        "mail.server.server2.authMethod": 3,
        "mail.server.server2.directory-rel": "[ProfD]ImapMail/loopback",
        "mail.server.server2.login_at_startup": False,
        "mail.server.server2.check_new_mail": False,
        "mail.server.server2.use_idle": True,
        "mail.server.server2.spamLevel": 0,
        "mail.server.server2.moveOnSpam": False,
    }


def mbox(messages: Iterable[bytes]) -> bytes:
    """An mbox Thunderbird reads in place, with room for tags (X-Mozilla-Keys)."""
    out = []
    for raw in messages:
        raw = raw.replace(b"\r\n", b"\n")
        head, sep, body = raw.partition(b"\n\n")
        lines = [(b">" + line if line.startswith(b"From ") else line) for line in body.split(b"\n")]
        out.append(b"From - Mon Jan  1 00:00:00 2024\n"
                   b"X-Mozilla-Status: 0000\nX-Mozilla-Status2: 00000000\n"
                   b"X-Mozilla-Keys: " + b" " * 80 + b"\n" + head + sep + b"\n".join(lines).rstrip(b"\n")
                   + b"\n\n")
    return b"".join(out)


def make_profile(root: Path, xpi: Path, marionette_port: int, folders: dict[str, list[bytes]],
                 extra_prefs: dict[str, Any] | None = None) -> Path:
    """A fresh profile: prefs, Local Folders with the given mbox folders, the add-on sideloaded."""
    profile = root / "profile"
    (profile / "extensions").mkdir(parents=True)
    shutil.copy(xpi, profile / "extensions" / f"{ADDON_ID}.xpi")
    prefs = dict(QUIET_PREFS)
    prefs["marionette.port"] = marionette_port
    accounts = ["account1"]
    if extra_prefs:
        prefs.update(extra_prefs)
        if "mail.account.account2.server" in extra_prefs:
            accounts.append("account2")
    prefs["mail.accountmanager.accounts"] = ",".join(reversed(accounts))
    if "account2" in accounts:
        prefs["mail.accountmanager.defaultaccount"] = "account2"
    (profile / "user.js").write_text(
        "".join(f"user_pref({json.dumps(k)}, {_pref_value(v)});\n" for k, v in prefs.items()), "utf-8")
    local = profile / "Mail" / "Local Folders"
    local.mkdir(parents=True)
    for name, messages in folders.items():
        (local / name).write_bytes(mbox(messages))
    return profile


# ---------------------------------------------------------------------------------------------
# Thunderbird


class Thunderbird:
    """One Thunderbird process with Marionette; `js` runs chrome-context JavaScript."""

    def __init__(self, profile: Path, env: dict[str, str], port: int, log: Path) -> None:
        binary = require("thunderbird")
        self.log_path = log
        self.log = log.open("wb")
        self.proc = subprocess.Popen(
            [binary, "--profile", str(profile), "--no-remote", "--marionette",
             "--remote-allow-system-access"],
            env=env, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True)
        self.m = Marionette(host="127.0.0.1", port=port, startup_timeout=90)
        try:
            self.m.start_session()
        except Exception:
            self.kill()
            raise AssertionError(f"Thunderbird did not start; log:\n{self.output()[-3000:]}") from None
        self.m.set_context("chrome")
        self.m.timeout.script = 60

    def screenshot(self, out: Path) -> Path:
        """The main window as PNG (Marionette draws it; no extra packages needed)."""
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_bytes(self.m.screenshot(format="binary"))
        return out

    def output(self) -> str:
        return self.log_path.read_text("utf-8", errors="replace")

    def js(self, script: str, *args: Any) -> Any:
        """Runs an (async) function body in the main window's chrome scope; returns its value."""
        wrapped = ("const [resolve] = [arguments[arguments.length - 1]];"
                   "(async (...args) => {" + script + "})(...Array.from(arguments).slice(0, -1))"
                   ".then(v => resolve({ok: v === undefined ? null : v}),"
                   " e => resolve({err: String(e) + '\\n' + (e && e.stack || '')}));")
        result = self.m.execute_async_script(wrapped, script_args=list(args), new_sandbox=False)
        if "err" in result:
            raise AssertionError(f"chrome script failed: {result['err']}")
        return result["ok"]

    def quit(self) -> None:
        with contextlib.suppress(Exception):
            self.m._send_message("Marionette:Quit", {"flags": ["eForceQuit"]})
        with contextlib.suppress(Exception):
            self.m.delete_session(send_request=False)
        try:
            self.proc.wait(20)
        except subprocess.TimeoutExpired:
            self.kill()
        self.log.close()

    def kill(self) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.proc.wait(10)

    # -- helpers over chrome JavaScript --------------------------------------------------------

    def wait_ready(self) -> None:
        """The main window is up, the add-on's background has started, Local Folders exist."""
        wait_for(lambda: self.js("""
            const w = Services.wm.getMostRecentWindow("mail:3pane");
            return Boolean(w && w.document.readyState == "complete" && w.gMailInit?._loadComplete !== false
                           && w.document.getElementById("tabmail")?.currentAbout3Pane);
        """), 60, "the main window")
        wait_for(lambda: "whence: background ready" in self.output(), 60, "the add-on's background")


# Chrome-context snippets shared by the helpers below.
PRELUDE = """
const { MailServices } = ChromeUtils.importESModule("resource:///modules/MailServices.sys.mjs");
const win = Services.wm.getMostRecentWindow("mail:3pane");
const tabmail = win.document.getElementById("tabmail");
const about3Pane = tabmail.currentAbout3Pane;
const sleep = (ms) => new Promise((r) => win.setTimeout(r, ms));
"""


class UI:
    """What a person does in Thunderbird, through chrome JavaScript."""

    def __init__(self, tb: Thunderbird) -> None:
        self.tb = tb

    def run(self, script: str, *args: Any) -> Any:
        return self.tb.js(PRELUDE + script, *args)

    def show_folder(self, url: str, count: int) -> None:
        """Displays a folder in the 3-pane tab and waits until `count` messages are indexed."""
        self.run("""
            const folder = MailServices.folderLookup.getFolderForURL(args[0]);
            try { about3Pane.displayFolder(folder.URI); } catch (e) {}
            for (let i = 0; i < 200; i++) {
              try { if ([...folder.messages].length >= args[1]) return; } catch (e) {}
              await sleep(100);
            }
            throw new Error("folder not indexed: " + args[0]);
        """, url, count)

    def messages(self, url: str) -> list[dict[str, Any]]:
        """subject, message-id and tag keys of every message in a folder."""
        return self.run("""
            const folder = MailServices.folderLookup.getFolderForURL(args[0]);
            return [...folder.messages].map((h) => ({
              subject: h.mime2DecodedSubject, messageId: h.messageId, key: h.messageKey,
              tags: (h.getStringProperty("keywords") || "").split(/\\s+/).filter(Boolean),
            }));
        """, url)

    def select(self, url: str, message_id: str) -> None:
        """Selects (and so displays) the message with this Message-ID in the 3-pane tab."""
        self.run("""
            const folder = MailServices.folderLookup.getFolderForURL(args[0]);
            const hdr = [...folder.messages].find((h) => h.messageId == args[1]);
            if (!hdr) throw new Error("no message " + args[1]);
            tabmail.switchToTab(0);
            if (about3Pane.gFolder?.URI != folder.URI) about3Pane.displayFolder(folder.URI);
            about3Pane.selectMessage(hdr);
            // selecting only starts loading: until the message shows, the badge and the panel
            // still speak of the one shown before (a busy machine's stale "!!")
            const deadline = Date.now() + 30000;
            const shown = () => about3Pane.messageBrowser?.contentWindow?.gMessage?.messageId == args[1];
            while (!shown() && Date.now() < deadline) await sleep(100);
            if (!shown()) throw new Error("message " + args[1] + " not displayed within 30 s");
        """, url, message_id)

    def fetch_inbox(self, account: str, password: str) -> str:
        """Log in to ACCOUNT's IMAP server and fetch its new mail; the inbox's folder URL."""
        return self.run("""
            const server = MailServices.accounts.getIncomingServer(args[0]);
            server.password = args[1];
            const inbox = server.rootFolder.getFolderWithFlags(Ci.nsMsgFolderFlags.Inbox);
            inbox.getNewMessages(win.msgWindow, null);
            return inbox.URI;
        """, account, password)

    def scan_folder(self, url: str) -> None:
        """Scan this folder, from the folder pane's context menu, as a person would."""
        self.run("""
            const folder = MailServices.folderLookup.getFolderForURL(args[0]);
            const row = about3Pane.folderPane.getRowForFolder(folder);
            const menu = about3Pane.document.getElementById("folderPaneContext");
            const shown = new Promise((r) => menu.addEventListener("popupshown", r, { once: true }));
            const rect = row.getBoundingClientRect();
            row.dispatchEvent(new about3Pane.MouseEvent("contextmenu", {
              bubbles: true, cancelable: true, button: 2, clientX: rect.x + 10, clientY: rect.y + 5 }));
            await shown;
            let item = null;
            for (let i = 0; i < 50 && !item; i++) {
              item = [...menu.querySelectorAll("menuitem")].find((m) => m.id.endsWith("whence-scan"));
              if (!item) await sleep(100);
            }
            if (!item) throw new Error("no Scan item in the folder menu");
            menu.activateItem(item);
        """, url)

    def button_state(self) -> dict[str, Any] | None:
        """The message view's Whence button: badge text, tooltip and label."""
        return self.run(f"""
            const doc = about3Pane.messageBrowser?.contentDocument;
            const b = doc?.getElementById("{BUTTON_ID}");
            if (!b) return null;
            return {{badge: b.getAttribute("badge"), title: b.getAttribute("tooltiptext"),
                     label: b.getAttribute("label")}};
        """)

    def wait_badge(self, accept: Callable[[str], bool], timeout: float = 45) -> dict[str, Any]:
        return wait_for(lambda: (s := self.button_state()) and s.get("badge") and accept(s["badge"]) and s,
                        timeout, "the Whence badge")


# ---------------------------------------------------------------------------------------------
# Reading an extension page (a remote browser) from chrome: a frame script sends its DOM back.

PAGE_PROBE = """
const browser = args[0] === "current" ? tabmail.currentTabInfo.browser : null;
const mm = browser.messageManager;
const probe = `try {
  const d = content.document;
  if (!d.body || !d.getElementById("panel") && !d.getElementById("progress")) {
    throw new Error("not loaded: " + content.location.href);
  }
  const shown = (id) => d.getElementById(id) ? !d.getElementById(id).hidden : null;
  const markup = [...d.body.querySelectorAll("img, script, iframe, object, embed"),
                  ...d.querySelectorAll("script:not([src])")];
  const text = (sel) => [...d.querySelectorAll(sel)].map((e) => e.textContent);
  sendAsyncMessage("whence-test:dom", {
    url: content.location.href, title: d.title, text: d.body ? d.body.innerText : "",
    findings: [...d.querySelectorAll("#findings li[data-id]")].map((e) => e.dataset.id),
    origin: Object.fromEntries([...d.querySelectorAll("#origin dd[data-key]")]
      .map((e) => [e.dataset.key, e.textContent])),
    links: text("#links tbody tr td:first-child"),
    subject: d.getElementById("verdict-summary")?.textContent,
    shownSubject: d.querySelector("#subject-line bdi")?.textContent ?? null,
    elements: markup.map((e) => e.outerHTML.slice(0, 200)),
    visible: Object.fromEntries(["loading", "problem", "report", "nomessage", "install-help"]
      .map((id) => [id, shown(id)])),
    svg: d.querySelectorAll("#route-picture svg circle").length,
    chain: text("#route-picture svg text"),
    map: {
      markers: [...d.querySelectorAll("#route-map svg .hop-marker")].map((g) => ({
        country: g.dataset.country, hops: g.dataset.hops, origin: g.classList.contains("origin"),
        label: g.textContent})),
      marked: [...d.querySelectorAll("#route-map svg path.country.hop")].map((p) => p.dataset.code),
      countries: d.querySelectorAll("#route-map svg path.country").length,
      paths: d.querySelectorAll("#route-map svg path.route-line").length,
      alt: text("#map-alt li"),
      legend: text("#map-legend li"),
      unknown: d.getElementById("map-unknown")?.textContent || null,
      described: d.querySelector("#route-map svg")?.getAttribute("aria-describedby") || null,
    },
    hops: [...d.querySelectorAll("#hops tbody tr")].map((r) => [...r.cells].map((c) => c.textContent)),
    stage: d.getElementById("stage")?.textContent || "",
    lang: d.documentElement.lang,
    state: d.body?.dataset.state || null,
  });
} catch (e) { sendAsyncMessage("whence-test:dom", {error: String(e)}); }`;
return await new Promise((resolve, reject) => {
  const listener = (msg) => { mm.removeMessageListener("whence-test:dom", listener); resolve(msg.data); };
  mm.addMessageListener("whence-test:dom", listener);
  mm.loadFrameScript("data:," + encodeURIComponent(probe), false);
  win.setTimeout(() => reject(new Error("page probe timed out")), 10000);
});
"""


def open_panel_tab(ui: UI) -> None:
    """Opens the details panel in a tab for the message shown in the 3-pane tab."""
    ui.run("""
        const policy = WebExtensionPolicy.getByID(args[0]);
        const tabId = policy.extension.tabManager.getWrapper(tabmail.tabInfo[0]).id;
        tabmail.openTab("contentTab", {url: policy.getURL("popup/panel.html?tabId=" + tabId)});
    """, ADDON_ID)


def read_page(ui: UI) -> dict[str, Any] | None:
    """The panel's (or scan window's) content as the probe sees it; None while it loads, or while a
    busy machine keeps its script from answering the probe in time (callers wait and ask again)."""
    try:
        page = ui.run(PAGE_PROBE, "current")
    except AssertionError as exc:
        if "page probe timed out" not in str(exc):
            raise
        return None
    return None if "error" in page else page


def close_tab(ui: UI) -> None:
    ui.run("tabmail.closeTab(tabmail.currentTabInfo); tabmail.switchToTab(0);")


# ---------------------------------------------------------------------------------------------
# A local IMAP server (Debian's dovecot) on a loopback port, so new mail arrives for real.


class Dovecot:
    USER = "tester"
    PASSWORD = "secret-e2e"

    def __init__(self, root: Path) -> None:
        binary = shutil.which("dovecot") or shutil.which("dovecot", path="/usr/sbin")
        if not binary:
            raise AssertionError("dovecot is not installed: apt-get install -y dovecot-imapd")
        self.root = root
        self.port = free_port()
        # The mail user (nobody) must traverse every parent: pytest's tmp dirs are private (0700).
        self.mailroot = Path(tempfile.mkdtemp(prefix="whence-e2e-mail-"))
        self.mailroot.chmod(0o711)
        self.maildir = self.mailroot / "mail" / self.USER
        for sub in ("cur", "new", "tmp"):
            (self.maildir / sub).mkdir(parents=True)
        import pwd

        nobody = pwd.getpwnam("nobody")
        for path in [self.mailroot / "mail", *(self.mailroot / "mail").rglob("*")]:
            os.chown(path, nobody.pw_uid, nobody.pw_gid)
        (root / "run").mkdir()
        conf = root / "dovecot.conf"
        conf.write_text(f"""
protocols = imap
listen = 127.0.0.1
base_dir = {root}/run
state_dir = {root}/run
log_path = {root}/dovecot.log
info_log_path = {root}/dovecot.log
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
mail_location = maildir:{self.mailroot}/mail/%u
first_valid_uid = 1
passdb {{
  driver = static
  args = password={self.PASSWORD}
}}
userdb {{
  driver = static
  args = uid={nobody.pw_uid} gid={nobody.pw_gid} home={self.mailroot}/mail/%u
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {self.port}
  }}
  inet_listener imaps {{
    port = 0
  }}
  chroot =
}}
service anvil {{
  chroot =
}}
""", "utf-8")
        self.proc = subprocess.Popen([binary, "-F", "-c", str(conf)], stdout=subprocess.DEVNULL,
                                     stderr=subprocess.STDOUT)

        def listening() -> bool:
            with socket.socket() as s:
                return s.connect_ex(("127.0.0.1", self.port)) == 0

        wait_for(lambda: listening() or self.proc.poll() is not None, 15, "dovecot")
        if self.proc.poll() is not None:
            logfile = root / "dovecot.log"
            log = logfile.read_text(errors="replace") if logfile.exists() else ""
            raise AssertionError(f"dovecot did not start: {log[-2000:]}")
        self.count = 0

    def deliver(self, raw: bytes) -> None:
        """Drops a message into the mailbox as a delivery agent would (tmp/ then new/)."""
        self.count += 1
        name = f"{int(time.time())}.e2e{self.count}.localhost"
        tmp = self.maildir / "tmp" / name
        tmp.write_bytes(raw.replace(b"\r\n", b"\n"))
        os.chown(tmp, *(lambda p: (p.pw_uid, p.pw_gid))(__import__("pwd").getpwnam("nobody")))
        tmp.rename(self.maildir / "new" / name)

    def stop(self) -> None:
        self.proc.terminate()
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.proc.wait(10)
        shutil.rmtree(self.mailroot, ignore_errors=True)


def scroll_to(ui: UI, element_id: str) -> None:
    """Scrolls the current tab's page so an element is at the top (for screenshots)."""
    ui.run("""
        const mm = tabmail.currentTabInfo.browser.messageManager;
        mm.loadFrameScript("data:," + encodeURIComponent(
          `content.document.getElementById(${JSON.stringify(args[0])})?.scrollIntoView();`), false);
        await sleep(300);
    """, element_id)


def in_page(ui: UI, body: str, timeout_ms: int = 10000) -> Any:
    """Runs `body` (a function body over `d`, the page's document) in the current tab's page and
    returns its JSON-able value; a thrown error fails the test. For clicks and reads the probe
    above does not cover."""
    return ui.run("""
        const mm = tabmail.currentTabInfo.browser.messageManager;
        const topic = "whence-test:eval-" + Math.random().toString(36).slice(2);
        const script = `try {
          const d = content.document;
          const value = (() => {${args[0]}})();
          sendAsyncMessage(${JSON.stringify(topic)}, {value: JSON.parse(JSON.stringify(value ?? null))});
        } catch (e) { sendAsyncMessage(${JSON.stringify(topic)}, {error: String(e)}); }`;
        const data = await new Promise((resolve, reject) => {
          const listener = (msg) => { mm.removeMessageListener(topic, listener); resolve(msg.data); };
          mm.addMessageListener(topic, listener);
          mm.loadFrameScript("data:," + encodeURIComponent(script), false);
          win.setTimeout(() => reject(new Error("page script timed out")), args[1]);
        });
        if (data.error) throw new Error("page script failed: " + data.error);
        return data.value;
    """, body, timeout_ms)
