"""The lookups stage: the only code that touches the network (DNS, RDAP, feeds).

`gather` runs every lookup concurrently under one deadline and returns what it learned;
offline mode never calls it.
"""

from __future__ import annotations

from ..model import Facts, Lookups
from ..settings import Settings


async def gather(facts: Facts, raw: bytes, settings: Settings) -> Lookups:
    """Placeholder until the live checks land: no lookups, so nothing is claimed."""
    return Lookups(done=False)
