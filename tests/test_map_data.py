"""The panel's world map data (extension/map/countries.json, built by scripts/build_map.py from
Natural Earth via world-atlas) and the per-hop `country` the JSON report gives the map."""

from __future__ import annotations

import asyncio
import json
import re
from pathlib import Path
from typing import Any

from whence.pipeline import Analysis
from whence.settings import Settings, load

from tests.fixtures.dnsserver import LoopbackDNS
from tests.fixtures.rdapserver import LoopbackRDAP

ROOT = Path(__file__).parent.parent
MAP = ROOT / "extension" / "map"
CASES = Path(__file__).parent / "data" / "cases"
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
    assert [h["country"] for h in live["hops"]] == ["CN"]  # hop 0 is the origin's
    offline = Analysis(raw, Settings(offline=True)).offline_report()
    assert [h["country"] for h in offline["hops"]] == [None]  # unknown offline: the map says so
