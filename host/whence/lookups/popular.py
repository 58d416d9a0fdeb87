"""Popular-domain ranks (Tranco top 10k, bundled) as positive evidence; no network."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

DATA = Path(__file__).resolve().parents[1] / "data"


@lru_cache(maxsize=1)
def _ranks() -> dict[str, int]:
    ranks: dict[str, int] = {}
    try:
        text = (DATA / "tranco_top_10k.csv").read_text("utf-8")
    except OSError:
        return ranks
    for line in text.splitlines():
        rank, _, domain = line.partition(",")
        if rank.strip().isdigit() and domain.strip():
            ranks.setdefault(domain.strip().lower(), int(rank))
    return ranks


def popular_rank(domain: str | None) -> int | None:
    return _ranks().get(domain.lower().rstrip(".")) if domain else None
