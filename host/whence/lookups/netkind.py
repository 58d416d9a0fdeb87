"""What kind of network an address belongs to (hosting, cloud, VPN, mobile, residential), from the
bundled, sourced map in data/networks.json: AS number first, then the owner's name."""

from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path
from typing import Any

DATA = Path(__file__).resolve().parents[1] / "data"

KINDS = ("hosting", "vpn", "residential", "mobile", "cloud", "unknown")


@lru_cache(maxsize=1)
def _table() -> dict[str, Any]:
    try:
        return json.loads((DATA / "networks.json").read_text("utf-8"))
    except (OSError, ValueError):
        return {"asn": {}, "names": []}


def classify(asn: int | None, *names: str | None) -> tuple[str, str | None]:
    """(kind, operator label) for an AS number and owner names; ("unknown", None) when not in the map."""
    table = _table()
    if asn is not None and str(asn) in table.get("asn", {}):
        kind, label = table["asn"][str(asn)]
        return kind, label
    text = " ".join(n for n in names if n).lower()
    if text:
        for pattern, kind in table.get("names", []):
            # at the start of a word: "ovh" in "OVHcloud", not "aws" in "LAWS" or "colo" in "COLOMBIA"
            if re.search(r"(?<![a-z0-9])" + re.escape(pattern), text):
                return kind, None
    return "unknown", None
