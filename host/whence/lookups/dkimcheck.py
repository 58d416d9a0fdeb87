"""DKIM (RFC 6376/8463) and ARC (RFC 8617) re-verification with dkimpy, keys from our resolver.

The key records are fetched concurrently first; dkimpy then runs in a worker thread and its
`dnsfunc` reads the same answers. A key we could not fetch is a temperror, never a pass or fail.
"""

from __future__ import annotations

import asyncio
import logging
from functools import lru_cache
from typing import Any

import dkim
import dkim.util

from ..model import AuthResult
from .dns import Resolver, current_depth, start_thread_depth
from .threads import EXECUTOR

_quiet = logging.getLogger("whence.dkim")
_quiet.addHandler(logging.NullHandler())
_quiet.propagate = False


class KeyTempFail(Exception):
    """Raised through dkimpy so that 'could not fetch the key' stays distinct from 'bad signature'."""


def _dnsfunc(resolver: Resolver):
    def txt(name: bytes, timeout: float = 5) -> bytes | None:
        try:
            qname = name.decode("ascii") if isinstance(name, bytes) else str(name)
        except UnicodeDecodeError:
            return None
        answer = resolver.query_sync(qname, "TXT")
        if answer.failed:
            raise KeyTempFail(answer.error or "DNS error")
        if not answer.ok or not answer.records:
            return None
        return b"".join(answer.txt_bytes()[0])

    return txt


@lru_cache(maxsize=4)
def _headers(raw: bytes) -> list[tuple[bytes, bytes]]:
    """The header block parsed once per message (dkimpy's parser, body left out)."""
    cuts = [i for i in (raw.find(b"\n\n"), raw.find(b"\r\n\r\n")) if i >= 0]
    head = raw[: min(cuts)] if cuts else raw
    try:
        headers, _body = dkim.rfc822_parse(head + b"\r\n\r\n")
    except Exception:  # hostile input
        return []
    return headers


def signature_tags(raw: bytes, header: bytes) -> list[dict[bytes, bytes]]:
    """Tag lists of every `header` (DKIM-Signature, ARC-Seal ...) in message order; bad ones skipped."""
    headers = _headers(raw)
    out = []
    for name, value in headers:
        if name.lower() == header.lower():
            try:
                out.append(dkim.util.parse_tag_value(value))
            except Exception:
                out.append({})
    return out


def key_names(raw: bytes) -> list[str]:
    """The key records the signatures and seals point at, for prefetching."""
    names = []
    for header in (b"DKIM-Signature", b"ARC-Seal", b"ARC-Message-Signature"):
        for tags in signature_tags(raw, header):
            s, d = tags.get(b"s"), tags.get(b"d")
            if s and d:
                try:
                    names.append(f"{s.decode('ascii').strip()}._domainkey.{d.decode('ascii').strip()}")
                except UnicodeDecodeError:
                    continue
    return list(dict.fromkeys(names))[:20]


def _verify_dkim(resolver: Resolver, raw: bytes, depth: int) -> list[tuple[int, str, str | None]]:
    start_thread_depth(depth)
    count = len(signature_tags(raw, b"DKIM-Signature"))
    out = []
    for idx in range(min(count, 10)):
        d = dkim.DKIM(raw, logger=_quiet, timeout=resolver.timeout)
        try:
            ok = d.verify(idx=idx, dnsfunc=_dnsfunc(resolver))
            out.append((idx, "pass" if ok else "fail", None if ok else "signature did not verify"))
        except KeyTempFail as exc:
            out.append((idx, "temperror", f"key lookup failed: {exc}"))
        except dkim.DKIMException as exc:
            # RFC 8601 §2.7.1: a signature that does not verify (altered body, expired) is "fail";
            # permerror is for signatures or keys that cannot be processed at all
            text = str(exc)
            verdict = "fail" if any(w in text for w in ("body hash mismatch", "is past", "expired")) \
                else "permerror"
            out.append((idx, verdict, text[:200]))
        except Exception as exc:
            out.append((idx, "permerror", f"{type(exc).__name__}: {exc}"[:200]))
    return out


async def verify_dkim(resolver: Resolver, raw: bytes) -> list[tuple[int, str, str | None]]:
    """(index, result, reason) for each DKIM-Signature, in header order."""
    loop = asyncio.get_running_loop()
    resolver.loop = loop
    return await loop.run_in_executor(EXECUTOR, _verify_dkim, resolver, raw, current_depth())


def _verify_arc(resolver: Resolver, raw: bytes, depth: int) -> tuple[str, list[dict[str, Any]], str]:
    start_thread_depth(depth)
    try:
        cv, results, comment = dkim.arc_verify(raw, logger=_quiet, dnsfunc=_dnsfunc(resolver))
    except KeyTempFail as exc:
        return "temperror", [], f"key lookup failed: {exc}"
    except Exception as exc:
        return "fail", [], f"{type(exc).__name__}: {exc}"[:200]
    if cv is None:  # a seal reported failure: the chain was terminated earlier (RFC 8617 §5.2)
        return "", results, comment
    return cv.decode().lower(), results, comment


async def verify_arc(resolver: Resolver, raw: bytes) -> tuple[str, list[dict[str, Any]], str]:
    """(cv, per-instance results, reason): cv is pass | fail | none | temperror, or "" when a seal
    already reported failure and the chain ended there (no new validation result)."""
    loop = asyncio.get_running_loop()
    resolver.loop = loop
    return await loop.run_in_executor(EXECUTOR, _verify_arc, resolver, raw, current_depth())


def _text(value: bytes | None) -> str:
    return value.decode("ascii", "replace").strip() if value else ""


async def dkim_rechecks(resolver: Resolver, raw: bytes, aligned_with: str | None,
                        org_domain: Any) -> list[AuthResult]:
    """One AuthResult per DKIM-Signature; `aligned` is relaxed alignment with the From domain."""
    tags = signature_tags(raw, b"DKIM-Signature")
    if not tags:
        return []
    results = await verify_dkim(resolver, raw)
    out = []
    for idx, result, reason in results:
        t = tags[idx] if idx < len(tags) else {}
        d = _text(t.get(b"d")).lower()
        aligned = bool(aligned_with and d and org_domain(d) == org_domain(aligned_with))
        out.append(AuthResult("dkim", result, {"header.d": d, "header.s": _text(t.get(b"s")),
                                               "aligned": "true" if aligned else "false",
                                               "header.a": _text(t.get(b"a"))}, reason=reason))
    return out


async def arc_recheck(resolver: Resolver, raw: bytes) -> AuthResult | None:
    seals = signature_tags(raw, b"ARC-Seal")
    if not seals:
        return None
    cv, results, comment = await verify_arc(resolver, raw)
    cv = cv or "fail"  # a chain that an earlier sealer already declared failed is not a pass
    instances = sorted(results, key=lambda r: r.get("instance", 0))
    sealers = [_text(r.get("as-domain")) for r in instances if r.get("as-domain")]
    if not sealers:
        sealers = [_text(t.get(b"d")) for t in sorted(seals, key=lambda t: _text(t.get(b"i")))]
    top = max((int(_text(t.get(b"i")) or 0) for t in seals if _text(t.get(b"i")).isdigit()), default=0)
    return AuthResult("arc", cv, {"sealers": ",".join(s for s in sealers if s), "i": str(top)},
                      reason=comment)
