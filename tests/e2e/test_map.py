"""The route on the world map in a real Thunderbird, in English and with Thunderbird in Japanese
(Debian's thunderbird-l10n-ja, `intl.locale.requested = ja`): the origin's country marked in the
verdict's colour, the text alternative listing every hop, Japanese throughout, and — offline —
a plain statement that the countries are unknown instead of a map drawn by guess.

Each language gets its own Thunderbird (the UI language is fixed at start-up); the screenshots are
the README's when WHENCE_UPDATE_SCREENSHOTS=1.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from email import message_from_bytes, policy
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.conftest import E2E_DATA, SCREENSHOTS, case, start_thunderbird
from tests.e2e.harness import (
    ADDON_ID,
    INBOX_URL,
    UI,
    Thunderbird,
    close_tab,
    in_page,
    open_panel_tab,
    read_page,
    scroll_to,
    wait_for,
)
from tests.e2e.test_thunderbird import message_id
from tests.test_map_data import EDGE_RECORDS

ETC = case("etc-phish.eml")
VIA_MX = (E2E_DATA / "etc-phish-via-mx.eml").read_bytes()  # origin in China, the provider's edge in Japan
SLOW = case("freight-xlsx.eml")  # analysed live here first, while the loopback DNS answers slowly
LATIN = re.compile(r"[A-Za-z]{3,}")
ALLOWED = {"Whence", "HELO", "SPF", "DKIM", "DMARC", "ARC", "ESMTPS", "ESMTP", "UTC", "GMT"}


def english_left(text: str, page: dict[str, Any]) -> list[str]:
    """Latin words in `text` that are not message or lookup data (hosts, owner) nor protocol names."""
    data = " ".join([page["origin"].get("originOwner", ""), "tkoviax.cn fevcvxs.cn mail.example.net"])
    for value in re.findall(r"\S+", data):
        text = text.replace(value, " ")
    return [w for w in LATIN.findall(text) if w not in ALLOWED and w not in data]


def english_in_panel(page: dict[str, Any]) -> list[str]:
    """English words in the whole Japanese panel outside the network lookups' log (queries and answers are
    protocol data): host names, addresses, acronyms and the owners the lookups found are data, not text."""
    text = page["text"]
    log_start, log_end = text.find("実行したネットワーク照会"), text.find("不正の報告")
    text = text[:log_start] + text[log_end:]
    for value in (page["origin"].get("originOwner", ""), "Cloudflare, Inc.", "SAKURA-B SAKURA Internet Inc., JP"):
        text = text.replace(value, " ")
    words = []
    for token in re.findall(r"\S+", text):
        if re.search(r"[-.@/:|=_\d]", token.strip(".,、。（）()")):
            continue  # host names, addresses, URLs
        words += [w for w in LATIN.findall(token) if not w.isupper() and w not in ("Whence", "forged")]
    return words


def _start(tmp: Path, home: Path, display: Any, xpi: Path, network: Any, locale: str,
           online: bool = True, dark: bool = False) -> tuple[Thunderbird, UI]:
    dns, rdap = network
    if not any("133.origin.asn.cymru" in name for name in dns.zone.entries):  # once per session's server
        for r in EDGE_RECORDS:
            dns.zone.add(r["name"], r["type"], r["data"], r["ttl"])
    prefs: dict[str, Any] = {"intl.locale.requested": locale}
    if dark:  # pages see prefers-color-scheme: dark
        prefs.update({"layout.css.prefers-color-scheme.content-override": 0, "ui.systemUsesDarkTheme": 1})
    tb = start_thunderbird(tmp, home, display, xpi, {"Inbox": [ETC, SLOW, VIA_MX]}, dns.address if online else None,
                           rdap.base_url if online else None, prefs)
    ui = UI(tb)
    ui.run("win.focus(); win.maximize();")
    return tb, ui


@pytest.fixture(scope="module", params=["en", "ja", "en-dark"])
def tb(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, host_home: Path, display: Any,
       xpi: Path, network: Any) -> Iterator[tuple[str, Thunderbird, UI]]:
    variant = request.param
    if variant == "ja":
        assert list(Path("/usr/lib/thunderbird").glob("**/langpack-ja@*.xpi")), \
            "Thunderbird's Japanese language pack is missing: apt-get install -y thunderbird-l10n-ja fonts-noto-cjk"
    tb, ui = _start(tmp_path_factory.mktemp(f"tb-map-{variant}"), host_home, display, xpi, network,
                    "ja" if variant == "ja" else "en-US", dark=variant.endswith("-dark"))
    try:
        yield variant, tb, ui
    finally:
        tb.quit()


def _read(ui: UI) -> dict[str, Any] | None:
    """The page as the probe sees it; None while it loads or when a busy machine makes the probe time out."""
    try:
        return read_page(ui)
    except AssertionError:
        return None


def _subject(raw: bytes) -> str:
    return str(message_from_bytes(raw, policy=policy.default)["Subject"])


def _panel(ui: UI, ready: Any, raw: bytes = ETC) -> dict[str, Any]:
    ui.run("tabmail.switchToTab(0);")  # the 3-pane tab, even after a panel tab stayed open
    wait_for(lambda: ui.run("return Boolean(tabmail.currentAbout3Pane?.gFolder !== undefined);"), 30,
             "the 3-pane tab")
    ui.show_folder(INBOX_URL, 3)
    ui.select(INBOX_URL, message_id(raw))
    ui.wait_badge(lambda b: b == "!!", timeout=60)
    open_panel_tab(ui)
    subject, seen = _subject(raw), []  # the panel of this message, not of the one shown before

    def panel() -> dict[str, Any] | None:
        p = _read(ui)
        seen[:] = [p and {k: p[k] for k in ("visible", "shownSubject", "stage", "map")}]
        return p if p and p["visible"]["report"] and p["shownSubject"] == subject and ready(p) else None

    try:
        return wait_for(panel, 60, "the panel with the map")
    except AssertionError as exc:
        raise AssertionError(f"{exc}; the panel last showed {seen[0]!r}") from None


@pytest.mark.e2e
def test_map_marks_the_origin_and_lists_the_hops(tb: tuple[str, Thunderbird, UI]) -> None:
    variant, thunderbird, ui = tb
    lang = variant.split("-")[0]
    page = _panel(ui, lambda p: p["map"]["markers"] and p["origin"].get("originOwner"))
    try:
        m = page["map"]
        assert m["countries"] > 150  # the bundled outlines are drawn
        assert m["markers"] == [{"country": "CN", "hops": "0", "origin": True, "label": "1"}], m
        assert m["marked"] == ["CN"]
        assert m["described"] == "map-alt"
        china = "中国" if lang == "ja" else "China"
        assert any("tkoviax.cn [117.50.174.153]" in a and china in a for a in m["alt"]), m["alt"]
        unknown = "国は不明" if lang == "ja" else "country unknown"
        assert any("mail.example.net" in a and unknown in a for a in m["alt"]), m["alt"]
        cloud = "ネットワークの種類：クラウド事業者" if lang == "ja" else "Kind of network: cloud provider"
        assert any(china in li and "UCloud" in li and cloud in li for li in m["legend"]), m["legend"]
        hop = page["hops"][0]
        assert "[117.50.174.153]" in hop[1]
        assert page["lang"] == lang
        if lang == "ja":
            assert page["title"].startswith("Whence：危険")
            assert "2023" not in hop[4] and "1月1日" in hop[4], hop  # a short Japanese date
            assert "解析：" in page["stage"] or "ネットワーク照会" in page["stage"], page["stage"]
            for text in (*m["alt"], *m["legend"], page["stage"], *hop[1:]):
                assert not english_left(text, page), (text, english_left(text, page))
            assert not english_in_panel(page), english_in_panel(page)
            log = page["text"][page["text"].find("実行したネットワーク照会"):page["text"].find("不正の報告")]
            assert "DNS " in log, log
            assert not re.search(r"\(cached\)|not found|timeout|deadline|\bdns |\brdap ", log), log
        else:
            assert re.search(r"Analysed (just now|\d+ (second|minute)s? ago)", page["stage"]), page["stage"]
        # the sea's colour, read again while the page is briefly elsewhere (a busy machine's late event)
        sea = wait_for(lambda: in_page(ui, """const s = d.querySelector('#route-map .sea');
                                            return s ? content.getComputedStyle(s).fill : null;"""), 15,
                       "the map's sea in the panel")
        light = sea == "rgb(230, 240, 248)"
        assert light != variant.endswith("-dark"), sea  # the theme's colours, light or dark
        time.sleep(0.5)
        suffix = {"en": "", "ja": "-ja", "en-dark": "-dark"}[variant]
        if lang == "ja":
            thunderbird.screenshot(SCREENSHOTS / "details-panel-ja.png")
        scroll_to(ui, "sec-route")
        thunderbird.screenshot(SCREENSHOTS / f"details-panel-map{suffix}.png")
    finally:
        close_tab(ui)


@pytest.mark.e2e
def test_offline_the_map_says_the_countries_are_unknown(tmp_path_factory: pytest.TempPathFactory, host_home: Path,
                                                        display: Any, xpi: Path, network: Any) -> None:
    thunderbird, ui = _start(tmp_path_factory.mktemp("tb-map-offline"), host_home, display, xpi, network, "en-US",
                             online=False)
    try:
        page = _panel(ui, lambda p: p["map"]["unknown"])
        m = page["map"]
        assert not m["markers"] and not m["countries"]  # nothing drawn by guess
        assert "no map is drawn" in m["unknown"], m
        assert any("117.50.174.153" in a and "country unknown" in a for a in m["alt"]), m["alt"]
        assert "without network lookups" in page["stage"], page["stage"]
        close_tab(ui)
    finally:
        thunderbird.quit()


def _open_page(ui: UI, path: str) -> None:
    ui.run("""
        const policy = WebExtensionPolicy.getByID(args[0]);
        tabmail.openTab("contentTab", {url: policy.getURL(args[1])});
        await sleep(1500);
    """, ADDON_ID, path)


@pytest.mark.e2e
def test_badge_options_and_scan_pages_speak_the_ui_language(tb: tuple[str, Thunderbird, UI]) -> None:
    variant, thunderbird, ui = tb
    lang = variant.split("-")[0]
    ui.run("tabmail.switchToTab(0);")
    ui.show_folder(INBOX_URL, 3)
    ui.select(INBOX_URL, message_id(ETC))
    state = ui.wait_badge(lambda b: b == "!!", timeout=60)
    assert state["title"].startswith("Whence：危険 — 危険：" if lang == "ja" else "Whence: dangerous — "), state
    for path, shot in (("options/options.html", "options"), ("scan/scan.html", None)):
        _open_page(ui, path)
        try:
            text = wait_for(lambda: (s := in_page(ui, "return d.body.innerText;")) and len(s) > 10 and s, 20,
                            f"the {path} page")
            if lang == "ja":
                words = [w for w in LATIN.findall(text) if w not in ALLOWED and w not in
                         ("DNS", "English", "Thunderbird", "lists", "example", "org", "zen", "dbl", "https", "feeds",
                          "list", "txt")]
                assert not words, (path, words, text)
                if shot:
                    thunderbird.screenshot(SCREENSHOTS / f"{shot}-ja.png")
            else:
                assert "Whence" in text
        finally:
            close_tab(ui)


def _set_language(ui: UI, value: str) -> None:
    _open_page(ui, "options/options.html")
    try:
        in_page(ui, f"""const s = d.getElementById("lang"); s.value = {value!r};
                        d.getElementById("form").dispatchEvent(new content.Event("change")); return true;""")
        time.sleep(1)
    finally:
        close_tab(ui)


@pytest.mark.e2e
def test_ui_lang_ja_in_an_english_thunderbird(tb: tuple[str, Thunderbird, UI]) -> None:
    variant, _thunderbird, ui = tb
    if variant != "en":
        return  # the Japanese Thunderbird is Japanese already; one English one is enough
    _set_language(ui, "ja")
    try:
        page = _panel(ui, lambda p: p["lang"] == "ja" and p["map"]["markers"])
        assert page["title"].startswith("Whence：危険"), page["title"]
        assert any("中国" in a for a in page["map"]["alt"]), page["map"]["alt"]
        assert "配送経路" in page["text"] and "Route" not in page["text"]
        close_tab(ui)
    finally:
        _set_language(ui, "auto")


@pytest.mark.e2e
def test_the_live_stage_shows_the_time_it_has_left(tb: tuple[str, Thunderbird, UI], network: Any) -> None:
    variant, _thunderbird, ui = tb
    if variant != "en":
        return  # once is enough: the message is analysed live only the first time
    dns, _rdap = network
    dns.delay = 0.7  # every DNS answer late: the lookups run into the host's 3 s deadline
    try:
        ui.run("tabmail.switchToTab(0);")
        ui.show_folder(INBOX_URL, 3)
        ui.select(INBOX_URL, message_id(SLOW))
        open_panel_tab(ui)
        live = wait_for(lambda: (p := _read(ui)) and "s left" in p["stage"] and p, 10, "the live stage")
        assert re.search(r"Analysing with network lookups… at most [1-3] s left", live["stage"]), live["stage"]
        done = wait_for(lambda: (p := _read(ui)) and "Analysed" in p["stage"] and p, 30, "the final stage")
        assert re.search(r"Analysed (just now|\d+ seconds? ago)\.", done["stage"]), done["stage"]
    finally:
        dns.delay = 0.0
        close_tab(ui)


@pytest.mark.e2e
def test_the_path_runs_from_the_origin_to_the_providers_country(tb: tuple[str, Thunderbird, UI]) -> None:
    variant, thunderbird, ui = tb
    lang = variant.split("-")[0]
    page = _panel(ui, lambda p: len(p["map"]["markers"]) == 2, VIA_MX)
    try:
        m = page["map"]
        markers = [(k["country"], k["origin"], k["label"]) for k in m["markers"]]
        assert markers == [("CN", True, "1"), ("JP", False, "2")], m
        assert m["paths"] == 1  # one leg, China to Japan
        japan = "日本" if lang == "ja" else "Japan"
        hosting = "ホスティング事業者" if lang == "ja" else "hosting provider"
        assert any(japan in li and "SAKURA" in li and "AS9370" in li and hosting in li for li in m["legend"]), \
            m["legend"]
        assert any("mx.example.net [133.242.0.10]" in a and japan in a for a in m["alt"]), m["alt"]
        assert any("8.8.4.4" in a and ("国は不明" if lang == "ja" else "country unknown") in a for a in m["alt"])
        lines = in_page(ui, "return [...d.querySelectorAll('#hops .ip')].map((e) => e.getClientRects().length);")
        assert lines == [1, 1, 1], lines  # every address on one line: never wrapped mid-number
        delays = [x for x in page["chain"] if x.startswith("+")]
        assert delays == (["+22 分", "+1 秒"] if lang == "ja" else ["+22 min", "+1 s"]), page["chain"]
        if lang == "ja":
            assert not english_in_panel(page), english_in_panel(page)
        time.sleep(0.5)
        scroll_to(ui, "sec-route")
        if variant in ("en", "ja"):
            thunderbird.screenshot(SCREENSHOTS / f"details-panel-map-path{'-ja' if lang == 'ja' else ''}.png")
    finally:
        close_tab(ui)
