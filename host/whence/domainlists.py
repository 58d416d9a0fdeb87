"""The bundled domain lists (data/*.txt, mostly from Sublime Security's static-files, MIT): shorteners,
free hosting, abused TLDs, free mail providers, popular domains, image-sharing sites. Loaded once, on first use,
from the tables cache once parsed. The answers per host are cached too: several checks ask about every link."""

from __future__ import annotations

from collections.abc import Iterator
from functools import cache, lru_cache
from importlib import resources

from . import tables


def _path(name: str) -> str:
    return str(resources.files("whence.data").joinpath(name))


def _text(name: str) -> str:
    return resources.files("whence.data").joinpath(name).read_text(encoding="utf-8")


def _entries(name: str) -> frozenset[str]:
    return frozenset(line.strip().lower() for line in _text(name).splitlines()
                     if line.strip() and not line.startswith("#"))


@cache
def _load(name: str) -> frozenset[str]:
    """A short list, matched by suffix many times per message: a frozenset, the fastest lookup."""
    return tables.cached(f"list-{name.split('.')[0]}", 1, [_path(name)], lambda: _entries(name))


@cache
def _free_email() -> tables.HashedTable:
    """22,000 domains, asked about a few times per message: hashed, so that a fresh host loads it at once.
    Japanese carriers' and ISPs' mailboxes (consumer_mailboxes.txt) are people's addresses too."""
    names = ("free_email_providers.txt", "consumer_mailboxes.txt")
    return tables.HashedTable(tables.cached("free_email", 2, [_path(n) for n in names],
                                            lambda: tables.HashedTable.pack(_entries(names[0]) | _entries(names[1]))))


POPULAR = "tranco_top_10k.csv"


def _tranco_rows() -> Iterator[tuple[int, str]]:
    for line in _text(POPULAR).splitlines():
        rank, _, domain = line.partition(",")
        if domain.strip() and rank.isdigit():
            yield int(rank), domain.strip().lower()


@cache
def _ranks() -> tables.HashedTable:
    def build() -> tuple[bytes, bytes]:
        ranks: dict[str, int] = {}
        for rank, domain in _tranco_rows():
            ranks.setdefault(domain, rank)
        return tables.HashedTable.pack(ranks)

    return tables.HashedTable(tables.cached("ranks", 2, [_path(POPULAR)], build))


def popular_domains() -> list[str]:
    """The popular domains themselves, in rank order (for building derived tables; lookups use popular_rank)."""
    return [domain for _, domain in _tranco_rows()]


def popular_source() -> str:
    """The popular-domain list's path, for the tables cache of what is derived from it."""
    return _path(POPULAR)


def _suffix_in(host: str, names: frozenset[str]) -> str | None:
    """The longest suffix of HOST (at a dot boundary) that is in NAMES."""
    host = host.lower().rstrip(".")
    parts = host.split(".")
    for i in range(len(parts)):
        candidate = ".".join(parts[i:])
        if candidate in names:
            return candidate
    return None


@lru_cache(maxsize=4096)
def shortener(host: str) -> str | None:
    return _suffix_in(host, _load("url_shorteners.txt"))


@lru_cache(maxsize=4096)
def free_host(host: str) -> tuple[str, str] | None:
    """(matched suffix, kind) when HOST is on a free subdomain or file host; the bare service excepted."""
    for name, kind in (("free_subdomain_hosts.txt", "subdomain"), ("tenant_platforms.txt", "subdomain"),
                       ("dynamic_dns.txt", "subdomain"), ("free_file_hosts.txt", "file"),
                       ("self_service_creation_platform_domains.txt", "site_builder")):
        hit = _customer_of(host, name) if kind == "subdomain" else _suffix_in(host, _load(name))
        if hit:
            return hit, kind
    return None


@lru_cache(maxsize=4096)
def tenant_platform(host: str) -> str | None:
    """The platform (onmicrosoft.com, zendesk.com …) that HOST is a customer's name under."""
    return _customer_of(host, "tenant_platforms.txt")


def _customer_of(host: str, list_name: str) -> str | None:
    """The service of LIST_NAME that HOST is a name under; the bare service itself is no customer's."""
    hit = _suffix_in(host, _load(list_name))
    return hit if hit and host.lower().rstrip(".") != hit else None


@lru_cache(maxsize=4096)
def image_host(host: str) -> str | None:
    """The public image-sharing site (imgur.com, ibb.co …) HOST belongs to."""
    return _suffix_in(host, _load("image_hosts.txt"))


@lru_cache(maxsize=4096)
def suspicious_tld(host: str) -> str | None:
    return _suffix_in(host, _load("suspicious_tlds.txt"))


@lru_cache(maxsize=8192)
def is_free_email(domain: str) -> bool:
    return bool(domain) and domain.lower() in _free_email()


@lru_cache(maxsize=8192)
def popular_rank(domain: str | None) -> int | None:
    """The domain's rank among the 10,000 most popular (Tranco), if it is one of them."""
    return _ranks().get(domain.lower().rstrip(".")) if domain else None
