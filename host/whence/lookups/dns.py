"""The one DNS layer: dnspython's async resolver, a per-lookup timeout, one deadline, the disk cache.

Every caller (our own checks, pyspf and dkimpy through `query_sync`) goes through `Resolver.query`,
so every answer is cached by its TTL, recorded for the report, and bounded in time. Identical
queries in flight are shared, so prefetching makes the synchronous libraries hit warm answers.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextvars
import itertools
import threading
import time
from dataclasses import dataclass, field
from typing import Any

import dns.asyncresolver
import dns.exception
import dns.name
import dns.nameserver
import dns.rdatatype
import dns.resolver

from ..model import LookupRecord
from ..settings import Settings
from .cache import Cache

NEGATIVE_TTL = 300  # when the server sent no SOA to say how long "no such name" holds
MAX_QUERIES = 400  # per message: a hostile message cannot make us query without end
CUT_OFF = "cut off at the message's deadline"  # a lookup under way when the lookups stage ended

_depth: contextvars.ContextVar[int] = contextvars.ContextVar("whence_lookup_depth", default=0)
_thread_depth = threading.local()


@dataclass
class DnsAnswer:
    name: str
    rdtype: str
    status: str  # ok | nxdomain | nodata | error
    records: list[Any] = field(default_factory=list)  # A/AAAA/PTR/NS/CNAME: str; MX: [pref, host]; TXT: [str]
    ttl: int = 0
    error: str | None = None
    cached: bool = False
    depth: int = 0  # position on the critical path of network round trips (0 = from cache)

    @property
    def ok(self) -> bool:
        return self.status == "ok"

    @property
    def failed(self) -> bool:
        return self.status == "error"

    def txt(self) -> list[str]:
        """TXT records, each joined from its character-strings (RFC 7208 §3.3, RFC 6376 §3.6.2.2)."""
        return [b"".join(s.encode("latin-1") for s in r).decode("utf-8", "replace") for r in self.records]

    def txt_bytes(self) -> list[tuple[bytes, ...]]:
        return [tuple(s.encode("latin-1") for s in r) for r in self.records]

    def summary(self) -> str:
        if self.status != "ok":
            return self.status.upper() if self.status != "error" else (self.error or "error")
        shown = self.txt() if self.rdtype in ("TXT", "SPF") else [_show(r) for r in self.records]
        text = " | ".join(shown[:6]) + (f" (+{len(shown) - 6})" if len(shown) > 6 else "")
        return text[:300]


def _show(record: Any) -> str:
    return " ".join(str(x) for x in record) if isinstance(record, list) else str(record)


def _key(name: str) -> str:
    return name.strip().lower().rstrip(".")


def nameservers(settings: Settings) -> list[dns.nameserver.Nameserver]:
    """`host:port` (or `[v6]:port`, or bare host = port 53) → dnspython nameservers."""
    out: list[dns.nameserver.Nameserver] = []
    for item in settings.nameservers:
        host, port = item.strip(), 53
        if host.startswith("["):
            host, _, rest = host[1:].partition("]")
            port = int(rest.lstrip(":") or 53)
        elif host.count(":") == 1:
            host, _, p = host.partition(":")
            port = int(p)
        out.append(dns.nameserver.Do53Nameserver(host, port))
    return out


class Resolver:
    """DNS for one message: records every lookup, tracks the critical-path depth, honours the deadline."""

    def __init__(self, settings: Settings, cache: Cache | None, deadline: float | None = None) -> None:
        self.settings = settings
        self.cache = cache
        self.timeout = max(0.05, settings.lookup_timeout_ms / 1000)
        self.deadline = deadline  # time.monotonic() value
        self.records: list[LookupRecord] = []
        self.max_depth = 0
        self.queries = 0
        self.loop: asyncio.AbstractEventLoop | None = None
        self._memo: dict[tuple[str, str], DnsAnswer] = {}
        self._inflight: dict[tuple[str, str], asyncio.Future[DnsAnswer]] = {}
        self._resolver = self._make_resolver()
        self.closed = False
        # lookups under way, by token: (kind, query, start); those left when the stage ends are recorded
        self._unfinished: dict[int, tuple[str, str, float]] = {}
        self._tokens = itertools.count()

    def _make_resolver(self) -> dns.asyncresolver.Resolver:
        if self.settings.nameservers:
            r = dns.asyncresolver.Resolver(configure=False)
            r.nameservers = nameservers(self.settings)
        else:
            r = dns.asyncresolver.Resolver()  # the system's resolver, as DESIGN §5 says
        r.cache = None  # our own cache, shared across processes
        r.timeout = self.timeout
        r.lifetime = self.timeout
        r.retry_servfail = False
        return r

    def remaining(self) -> float:
        if self.deadline is None:
            return self.timeout
        return self.deadline - time.monotonic()

    # -- async API -----------------------------------------------------------------------------

    async def query(self, name: str, rdtype: str, depth: int | None = None) -> DnsAnswer:
        """Resolve `name`/`rdtype`; never raises: failures come back with status 'error'."""
        if self.loop is None:
            self.loop = asyncio.get_running_loop()
        key = (_key(name), rdtype.upper())
        parent = _depth.get() if depth is None else depth
        if key in self._memo:
            answer = self._memo[key]
            self._note_depth(parent, answer)
            return answer
        if key not in self._inflight:
            task = asyncio.ensure_future(self._resolve(*key, parent + 1))
            self._inflight[key] = task
        answer = await asyncio.shield(self._inflight[key])
        self._note_depth(parent, answer)
        return answer

    def _note_depth(self, parent: int, answer: DnsAnswer) -> None:
        here = max(parent, answer.depth)
        _depth.set(max(_depth.get(), here))
        self.max_depth = max(self.max_depth, here)

    async def _resolve(self, name: str, rdtype: str, depth: int) -> DnsAnswer:
        key = (name, rdtype)
        try:
            answer = await self._resolve_uncached(name, rdtype)
        finally:
            self._inflight.pop(key, None)
        answer.depth = 0 if answer.cached else depth
        self._memo[key] = answer  # one message, one answer: a timeout is not retried
        return answer

    async def _resolve_uncached(self, name: str, rdtype: str) -> DnsAnswer:
        cache_key = f"dns:{rdtype}:{name}"
        if self.cache is not None:
            hit = self.cache.get(cache_key)
            if isinstance(hit, dict):
                answer = DnsAnswer(name, rdtype, hit.get("status", "error"), hit.get("records", []),
                                   int(hit.get("ttl", 0)), None, cached=True)
                self._record(answer, 0.0)
                return answer
        started = time.perf_counter()
        token = self.begin("dns", f"{rdtype} {name}")
        answer = await self._ask(name, rdtype)
        self.end(token)
        self._record(answer, (time.perf_counter() - started) * 1000)
        if self.cache is not None and answer.status != "error":
            self.cache.put(cache_key, {"status": answer.status, "records": answer.records,
                                       "ttl": answer.ttl}, answer.ttl)
        return answer

    async def _ask(self, name: str, rdtype: str) -> DnsAnswer:
        try:
            qname = dns.name.from_text(name)
        except (dns.exception.DNSException, UnicodeError, ValueError) as exc:
            return DnsAnswer(name, rdtype, "nxdomain", error=f"invalid name: {exc}")
        if self.closed:
            return DnsAnswer(name, rdtype, "error", error="lookups finished")
        self.queries += 1
        if self.queries > MAX_QUERIES:
            return DnsAnswer(name, rdtype, "error", error="query limit reached")
        budget = min(self.timeout, self.remaining())
        if budget <= 0:
            return DnsAnswer(name, rdtype, "error", error="deadline")
        try:
            result = await self._resolver.resolve(qname, rdtype, lifetime=budget, raise_on_no_answer=False,
                                                  search=False)
        except dns.resolver.NXDOMAIN as exc:
            return DnsAnswer(name, rdtype, "nxdomain", ttl=_negative_ttl(exc))
        except dns.resolver.LifetimeTimeout:
            return DnsAnswer(name, rdtype, "error", error="timeout")
        except dns.resolver.NoNameservers as exc:
            return DnsAnswer(name, rdtype, "error", error=_servfail_text(exc))
        except dns.exception.DNSException as exc:
            return DnsAnswer(name, rdtype, "error", error=f"{type(exc).__name__}: {exc}"[:200])
        except OSError as exc:
            return DnsAnswer(name, rdtype, "error", error=f"network: {exc}"[:200])
        if result.rrset is None:
            ttl = NEGATIVE_TTL
            for rrset in result.response.authority:
                if rrset.rdtype == dns.rdatatype.SOA:
                    ttl = min(rrset.ttl, rrset[0].minimum)
            return DnsAnswer(name, rdtype, "nodata", ttl=ttl)
        records = [_rdata(rdtype, r) for r in result.rrset]
        return DnsAnswer(name, rdtype, "ok", [r for r in records if r is not None], result.rrset.ttl)

    def begin(self, kind: str, query: str) -> int:
        """Note a network lookup under way; `end(token)` when it has answered."""
        token = next(self._tokens)
        self._unfinished[token] = (kind, query, time.perf_counter())
        return token

    def end(self, token: int) -> None:
        self._unfinished.pop(token, None)

    def record_unfinished(self) -> None:
        """Record the lookups still under way when the stage ends: asked, never answered in time."""
        now = time.perf_counter()
        for kind, query, started in self._unfinished.values():
            self.records.append(LookupRecord(kind, query, None, round((now - started) * 1000, 2), CUT_OFF))
        self._unfinished.clear()

    def _record(self, answer: DnsAnswer, ms: float) -> None:
        summary = answer.summary()
        if answer.cached:
            summary += " (cached)"
        self.records.append(LookupRecord("dns", f"{answer.rdtype} {answer.name}", summary, round(ms, 2),
                                         answer.error if answer.failed else None))

    # -- sync bridge for pyspf and dkimpy, which run in worker threads ---------------------------

    def query_sync(self, name: str, rdtype: str) -> DnsAnswer:
        """The same lookup from a worker thread: runs on the message's event loop and waits."""
        loop = self.loop
        if loop is None or self.closed or loop.is_closed():
            return DnsAnswer(_key(name), rdtype, "error", error="lookups finished")
        parent = depth_of_thread() or 0
        try:
            future = asyncio.run_coroutine_threadsafe(self.query(name, rdtype, depth=parent), loop)
            answer = future.result(timeout=max(0.01, min(self.timeout, self.remaining()) + 0.5))
        except (concurrent.futures.TimeoutError, RuntimeError, concurrent.futures.CancelledError):
            return DnsAnswer(_key(name), rdtype, "error", error="timeout")
        _thread_depth.value = max(parent, answer.depth)
        return answer


def depth_of_thread() -> int | None:
    return getattr(_thread_depth, "value", None)


def start_thread_depth(depth: int) -> None:
    _thread_depth.value = depth


def current_depth() -> int:
    return _depth.get()


def _rdata(rdtype: str, r: Any) -> Any:
    if rdtype in ("A", "AAAA"):
        return r.address
    if rdtype in ("TXT", "SPF"):
        return [s.decode("latin-1") for s in r.strings]
    if rdtype == "MX":
        return [r.preference, r.exchange.to_text(omit_final_dot=True)]
    if rdtype in ("PTR", "NS", "CNAME"):
        return r.target.to_text(omit_final_dot=True)
    return r.to_text()


def _negative_ttl(exc: dns.resolver.NXDOMAIN) -> int:
    ttl = NEGATIVE_TTL
    try:
        for response in exc.responses().values():
            for rrset in response.authority:
                if rrset.rdtype == dns.rdatatype.SOA:
                    ttl = min(ttl, rrset.ttl, rrset[0].minimum)
    except Exception:
        pass
    return ttl


def _servfail_text(exc: dns.resolver.NoNameservers) -> str:
    text = str(exc)
    return "SERVFAIL" if "SERVFAIL" in text else text[:200]


def mark_depth(resolver: Resolver, parent: int, here: int) -> None:
    """Another kind of round trip (RDAP) on the same critical path."""
    _depth.set(max(_depth.get(), parent, here))
    resolver.max_depth = max(resolver.max_depth, here)
