"""The panel's world map data (extension/map/countries.json, built by scripts/build_map.py from
Natural Earth via world-atlas) and the per-hop `country` the JSON report gives the map."""

from __future__ import annotations

import asyncio
import io
import json
import re
from pathlib import Path
from typing import Any

from rich.console import Console
from whence.pipeline import Analysis
from whence.render.terminal import build
from whence.settings import Settings, load

from tests.fixtures.dnsserver import LoopbackDNS, Zone
from tests.fixtures.rdapserver import LoopbackRDAP

ROOT = Path(__file__).parent.parent
MAP = ROOT / "extension" / "map"
CASES = Path(__file__).parent / "data" / "cases"
EDGE_RECORDS = [  # Team Cymru's answers for the provider's edge in etc-phish-via-mx.eml
    {"name": "10.0.242.133.origin.asn.cymru.com.", "type": "TXT", "ttl": 300,
     "data": "9370 | 133.242.0.0/16 | JP | apnic | 2000-01-01"},
    {"name": "AS9370.asn.cymru.com.", "type": "TXT", "ttl": 300,
     "data": "9370 | JP | apnic | 2000-01-01 | SAKURA-B SAKURA Internet Inc., JP"},
]
PATH = re.compile(r"^(M[-\d. ]+(L[-\d. ]+)*Z)+$")


def test_outlines_are_bundled_with_their_licence() -> None:
    data = json.loads((MAP / "countries.json").read_text("utf-8"))
    assert "Natural Earth" in data["source"] and "world-atlas" in data["source"]
    licence = (MAP / "LICENSE.txt").read_text("utf-8")
    assert "public domain" in licence and "Michael Bostock" in licence
    countries = {c["code"]: c for c in data["countries"]}
    assert len(countries) > 160 and "AQ" not in countries
    for code in ("CN", "JP", "US", "DE", "RU", "BR", "AU", "FJ"):
        c = countries[code]
        assert PATH.match(c["d"]), code
        assert 0 <= c["x"] <= data["width"] and 0 <= c["y"] <= data["height"], code
    # label points sit where the countries are: Japan east of China, Brazil south of the USA
    assert countries["JP"]["x"] > countries["CN"]["x"] and countries["BR"]["y"] > countries["US"]["y"]
    assert (MAP / "countries.json").stat().st_size < 120_000  # simplified: small enough for the add-on


def _report(raw: bytes, settings: Settings) -> dict[str, Any]:
    return asyncio.run(Analysis(raw, settings, file="etc-phish.eml").final_report())


def test_hops_carry_the_origin_country_after_the_lookups(cases_network: tuple[LoopbackDNS, LoopbackRDAP],
                                                         tmp_path: Path) -> None:
    dns, rdap = cases_network
    settings = load(tmp_path / "none.toml", {"WHENCE_NAMESERVERS": dns.address, "WHENCE_RDAP_BASE": rdap.base_url})
    raw = (CASES / "etc-phish.eml").read_bytes()
    live = _report(raw, settings)
    assert live["origin"]["country"] == "CN"
    # texts name what the lookups found and leave out the rest (no AS number here): never "AS?"
    details = [f["detail"][lang] for f in live["findings"] for lang in ("en", "ja")]
    assert any("UCloud" in d and "（CN）" in d for d in details) and not any("AS?" in d for d in details)
    assert [h["country"] for h in live["hops"]] == ["CN"]  # hop 0 is the origin's
    offline = Analysis(raw, Settings(offline=True)).offline_report()
    assert [h["country"] for h in offline["hops"]] == [None]  # unknown offline: the map says so
    assert [(h["asn"], h["org"], h["network_kind"]) for h in offline["hops"]] == [(None, None, None)]


def test_a_networks_country_and_as_number_in_texts() -> None:
    from whence.checks.network import _where

    assert _where({"country": "CN", "asn": 4134}) == {"where": "CN, AS4134", "where_ja": "CN、AS4134"}
    assert _where({"asn": 4134})["where"] == "AS4134"
    assert _where({}) == {"where": "country unknown", "where_ja": "国は不明"}


def test_the_providers_own_public_servers_get_their_country(tmp_path: Path) -> None:
    """A message that reached the provider's public edge (mx, in Japan) from the origin (in China): the map
    gets both countries; the hop the sender's side claims below the origin is never looked up."""
    raw = (Path(__file__).parent / "e2e" / "data" / "etc-phish-via-mx.eml").read_bytes()
    records = json.loads((CASES / "dns.json").read_text("utf-8"))["records"] + EDGE_RECORDS
    dns = LoopbackDNS(Zone.from_records(records))
    rdap = LoopbackRDAP(CASES / "rdap")
    try:
        env = {"WHENCE_NAMESERVERS": dns.address, "WHENCE_RDAP_BASE": rdap.base_url, "WHENCE_DNSBLS": "none"}
        report = _report(raw, load(tmp_path / "none.toml", env))
    finally:
        dns.close()
        rdap.close()
    hops = {h["from_ip"]: h for h in report["hops"]}
    assert report["origin"]["ip"] == "117.50.174.153"
    assert hops["133.242.0.10"]["trusted"] and hops["133.242.0.10"]["country"] == "JP"
    assert hops["133.242.0.10"]["org"].startswith("SAKURA")
    assert hops["133.242.0.10"]["network_kind"] == "hosting"  # the legend names the owner and the kind
    assert hops["117.50.174.153"]["network_kind"] == report["origin"]["network_kind"] == "cloud"
    assert hops["117.50.174.153"]["country"] == "CN"
    assert hops["8.8.4.4"]["country"] is None  # below the origin: the sender's side wrote it
    assert not any("4.4.8.8" in (r["query"] or "") for r in report["lookups"])
    # the terminal report names the countries too, at any width
    languages = (("en", "Authentication", r"Network lookups: \d+"),
                 ("ja", "送信ドメイン認証", r"ネットワーク照会：\d+ 件"))
    for width in (60, 120):
        for lang, auth, footer in languages:
            console = Console(width=width, record=True, color_system=None, file=io.StringIO())
            console.print(build(report, lang, width=width))
            text = console.export_text()
            route = text.split(auth)[0]
            assert re.search(r"117\.50\.174\.153\]?\s+CN", route), route
            assert re.search(r"133\.242\.0\.10\]?\s+JP", route), route
            assert re.search(footer, text), text[-200:]
