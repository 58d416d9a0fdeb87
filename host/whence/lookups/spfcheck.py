"""SPF re-check (RFC 7208) with pyspf, its DNS routed through our resolver and cache.

pyspf calls the module-level `spf.DNSLookup`; we install one dispatcher that uses the resolver
of the message being checked in this worker thread (a thread-local), so concurrent messages with
different settings never share answers and pyspf never asks the system resolver.
"""

from __future__ import annotations

import asyncio
import threading

import spf

from ..model import AuthResult
from .dns import Resolver, current_depth, start_thread_depth
from .threads import EXECUTOR

_local = threading.local()
OLD_NAMES = {"unknown": "permerror", "error": "temperror"}


def _dns_lookup(name: str, qtype: str, strict: object = True, timeout: object = None) -> list:
    resolver: Resolver | None = getattr(_local, "resolver", None)
    if resolver is None:
        raise spf.TempError("DNS: no resolver for this check")
    answer = resolver.query_sync(name, qtype)
    if answer.failed:
        raise spf.TempError(f"DNS {answer.error}")
    out: list = []
    for r in answer.records:
        if qtype in ("TXT", "SPF"):
            out.append(((name, qtype), tuple(s.encode("latin-1") for s in r)))
        elif qtype == "MX":
            out.append(((name, qtype), (int(r[0]), r[1])))
        else:
            out.append(((name, qtype), r))
    return out


spf.DNSLookup = _dns_lookup


class _Query(spf.query):
    """pyspf's query, with RFC 7208 §5.5's rule that a DNS error on one PTR name skips that name."""

    def validated_ptrs(self) -> list[str]:
        if self.strict > 1:
            return super().validated_ptrs()
        out = []
        for name in self.dns_ptr(self.i)[: spf.MAX_PTR]:
            try:
                addresses = self.dns_a(name, self.A)
            except spf.TempError:
                continue
            if self.cidrmatch(addresses, self.cidrmax):
                out.append(name)
        return out


def _run(resolver: Resolver, ip: str, mailfrom: str, helo: str, depth: int,
         default_explanation: str | None) -> tuple[str, str]:
    _local.resolver = resolver
    start_thread_depth(depth)
    try:
        q = _Query(i=ip, s=mailfrom, h=helo, timeout=resolver.timeout,
                      querytime=max(0.05, resolver.remaining()))
        if default_explanation is not None:
            q.set_default_explanation(default_explanation)
        result, _code, explanation = q.check()
    except (ValueError, spf.PermError) as exc:  # a malformed IP or identity
        return "permerror", str(exc)
    finally:
        _local.resolver = None
    return OLD_NAMES.get(result, result), explanation


async def run_spf(resolver: Resolver, ip: str, mailfrom: str, helo: str,
                  default_explanation: str | None = None) -> tuple[str, str]:
    """(result, explanation) for one identity, evaluated in a worker thread."""
    loop = asyncio.get_running_loop()
    resolver.loop = loop
    return await loop.run_in_executor(EXECUTOR, _run, resolver, ip, mailfrom, helo, current_depth(),
                                      default_explanation)


async def spf_recheck(resolver: Resolver, ip: str, mailfrom: str | None, helo: str | None) -> AuthResult:
    """The SPF result the origin would get today: MAIL FROM identity, or HELO for a null sender."""
    mailfrom = (mailfrom or "").strip().strip("<>")
    helo = (helo or "").strip().strip("[]")
    props = {"smtp.mailfrom": mailfrom, "smtp.helo": helo, "client-ip": ip}
    if not mailfrom and not helo:
        return AuthResult("spf", "none", props, reason="no MAIL FROM or HELO identity to check")
    try:
        result, explanation = await run_spf(resolver, ip, mailfrom, helo)
    except Exception as exc:
        return AuthResult("spf", "temperror", props, reason=f"{type(exc).__name__}: {exc}"[:200])
    return AuthResult("spf", result, props, reason=explanation[:300] if explanation else None)
