"""Checks that need the lookups stage: the origin's network, reverse DNS and HELO, blocklists, the
age and reputation of link domains and of the sender's domain, and honest notes where our re-checks
disagree with the provider.

Each reads `ctx.lookups` only; with no lookups (offline) none of them fires. The provider's own
results stay the lead's `spf.fail` / `dkim.fail` / `dmarc.fail` (which already fall back to our
re-checks when the provider said nothing), so nothing here counts the same failure twice.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timezone
from typing import Any

from ..domainlists import is_free_email
from ..domains import registrable_domain
from ..i18n import T
from .common import from_authenticated, from_domain
from .registry import CheckContext, Hit, check

KIND_JA = {"hosting": "ホスティング", "cloud": "クラウド", "vpn": "VPN", "residential": "家庭用回線",
           "mobile": "モバイル回線", "unknown": "不明"}
YOUNG_DAYS = 90


def _origin(ctx: CheckContext) -> dict[str, Any]:
    return ctx.lookups.origin if ctx.lookups.done else {}


def _platform_origin(ctx: CheckContext) -> bool:
    """The origin is a well-known platform's own mail server (FCrDNS name under a popular domain)."""
    from ..domainlists import popular_rank

    names = _origin(ctx).get("fcrdns_names") or []
    return any(popular_rank(registrable_domain(n) or "") for n in names)


def _where(network: dict[str, Any]) -> dict[str, str]:
    """A network's country and AS number for a text, leaving out what the lookups did not find
    ("CN, AS4134", "CN", "AS4134", or "country unknown")."""
    parts = [str(network["country"])] if network.get("country") else []
    if network.get("asn"):
        parts.append(f"AS{network['asn']}")
    return {"where": ", ".join(parts) or "country unknown", "where_ja": "、".join(parts) or "国は不明"}


@check(
    "origin.hosting_network", "low", 1.5,
    variants={"vpn": 2.0},
    title=T("Sent from a rented server, not a mail service",
            "メールサービスではなく、レンタルサーバーから送信されています"),
    detail=T("The origin {ip} belongs to {org} ({where}), a {kind} network. Companies send "
             "mail through their own or their mail provider's servers; a server rented by the hour is a "
             "common choice for bulk phishing.",
             "送信元 {ip} は {org}（{where_ja}）の{kind_ja}ネットワークのアドレスです。企業は自社や"
             "メール事業者のサーバーから送信するのが普通で、時間貸しのサーバーはフィッシングの大量送信によく使われます。"),
    reason=T("it was sent from a {kind} network ({org}, {country})",
             "{org}（{country}）の{kind_ja}ネットワークから送信されています"),
    needs_network=True,
)
def hosting_network(ctx: CheckContext) -> Iterator[Hit]:
    o = _origin(ctx)
    kind = o.get("network_kind")
    if kind not in ("hosting", "cloud", "vpn") or ctx.facts.origin.authenticated or _platform_origin(ctx):
        return
    yield Hit(evidence={"ip": o.get("ip"), "org": o.get("org") or "?", "country": o.get("country") or "?",
                        "asn": o.get("asn") or "?", **_where(o), "kind": kind, "kind_ja": KIND_JA.get(kind, kind),
                        "operator": o.get("network_operator")},
              variant="vpn" if kind == "vpn" else None)


@check(
    "origin.fcrdns_fail", "low", 1.0,
    title=T("The sending server's name is not confirmed", "送信サーバーの名前が正引きで確認できません"),
    detail=T("The origin {ip} calls itself {ptr} in reverse DNS, but none of those names leads back to "
             "{ip}. Properly run mail servers have matching forward and reverse names.",
             "送信元 {ip} の逆引き名は {ptr} ですが、どの名前も {ip} に正引きされません。"
             "きちんと運用されたメールサーバーでは逆引きと正引きが一致します。"),
    reason=T("its server's reverse DNS is not confirmed", "送信サーバーの逆引きが確認できません"),
    needs_network=True,
)
def fcrdns_fail(ctx: CheckContext) -> Iterator[Hit]:
    o = _origin(ctx)
    if o.get("fcrdns") is False and o.get("ptr") and not ctx.facts.origin.authenticated:
        yield Hit(evidence={"ip": o.get("ip"), "ptr": o.get("ptr")})


@check(
    "origin.helo_mismatch", "low", 1.0,
    title=T("The server's greeting name does not lead to its address",
            "送信サーバーの名乗った名前がそのアドレスを指していません"),
    detail=T("The origin {ip} greeted the receiving server as {helo}, but {helo} {how}.",
             "送信元 {ip} は受信サーバーに {helo} と名乗りましたが、{how_ja}。"),
    reason=T("its server's name {helo} does not resolve to its address",
             "送信サーバーの名乗り {helo} がそのアドレスを指していません"),
    needs_network=True,
)
def helo_mismatch(ctx: CheckContext) -> Iterator[Hit]:
    o, origin = _origin(ctx), ctx.facts.origin
    if not origin.helo or origin.authenticated or o.get("helo_matches_ip") is not False:
        return
    if o.get("helo_resolves") is False:
        how, how_ja = "does not resolve at all", f"{origin.helo} は DNS に存在しません"
    elif o.get("helo_resolves"):
        shown = ", ".join(o.get("helo_addresses") or []) or "other addresses"
        how, how_ja = f"resolves to {shown}", f"{origin.helo} は {shown} を指しています"
    else:
        how, how_ja = "is an address literal of another host", "別のアドレスが名乗られています"
    yield Hit(evidence={"ip": o.get("ip"), "helo": origin.helo, "how": how, "how_ja": how_ja})


@check(
    "origin.dnsbl_listed", "high", 3.0,
    title=T("The sending server is on a blocklist", "送信サーバーがブロックリストに載っています"),
    detail=T("The origin {ip} is listed on {lists}.", "送信元 {ip} は {lists} に掲載されています。"),
    reason=T("its server is on a blocklist ({lists})",
             "送信サーバーがブロックリスト（{lists}）に載っています"),
    needs_network=True,
)
def dnsbl_listed(ctx: CheckContext) -> Iterator[Hit]:
    o = _origin(ctx)
    listed = [z for z, state in (o.get("dnsbl") or {}).items() if state == "listed"]
    if listed and not ctx.facts.origin.authenticated:
        yield Hit(evidence={"ip": o.get("ip"), "lists": listed, "codes": o.get("dnsbl_codes", {})})


def _links_for(ctx: CheckContext, domain: str) -> list[int]:
    return [i for i, link in enumerate(ctx.facts.links) if (link.domain or "").lower() == domain]


def _domains(ctx: CheckContext) -> dict[str, dict[str, Any]]:
    return ctx.lookups.domains if ctx.lookups.done else {}


def _age_at_message(ctx: CheckContext, info: dict[str, Any]) -> int | None:
    registered = info.get("registered")
    if not registered:
        return None
    try:
        when = datetime.fromisoformat(registered).replace(tzinfo=timezone.utc)
    except ValueError:
        return info.get("age_days")
    # when the recipient's side received it (the newest Received header is its own), else the Date
    # header the sender wrote: a Date a year ahead must not age a domain registered yesterday
    received = next((hop.time for hop in ctx.facts.hops[:1] if hop.time), None)
    sent = received or ctx.facts.date or datetime.now(timezone.utc)
    if sent.tzinfo is None:
        sent = sent.replace(tzinfo=timezone.utc)
    return max(0, (sent - when).days)


@check(
    "link.young_domain", "medium", 2.5,
    variants={"month": 3.5},
    title=T("A link goes to a newly registered domain", "リンク先が登録されたばかりのドメインです"),
    detail=T("{domain} was registered on {registered}, {age} days before this mail was sent "
             "(registrar: {registrar}). Phishing sites live on domains only days or weeks old.",
             "{domain} は {registered} に登録され、このメールの送信時点で {age} 日しか経っていません"
             "（レジストラ：{registrar}）。"
             "フィッシングサイトは登録から数日〜数週間のドメインでよく運用されます。"),
    reason=T("a link goes to a domain registered {age} days earlier",
             "リンク先が登録から {age} 日のドメインです"),
    needs_network=True,
)
def young_domain(ctx: CheckContext) -> Iterator[Hit]:
    for domain, info in _domains(ctx).items():
        links = _links_for(ctx, domain)
        age = _age_at_message(ctx, info)
        if not links or age is None or age >= YOUNG_DAYS or info.get("popular_rank"):
            continue
        yield Hit(evidence={"domain": domain, "registered": info.get("registered"), "age": age,
                            "registrar": info.get("registrar") or "?"},
                  links=links, variant="month" if age < 30 else None)


@check(
    "sender.young_domain", "medium", 2.0,
    variants={"month": 3.0},  # below the link's: a new business's own first mails come from one too
    title=T("The sender's domain was registered only recently", "差出人のドメインは登録されたばかりです"),
    detail=T("The sender's domain {domain} was registered on {registered}, {age} days before this mail was "
             "sent (registrar: {registrar}). Passing SPF or DKIM proves only that the mail came from that "
             "domain; bulk phishing and spam run on domains registered days or weeks before, and thrown away.",
             "差出人のドメイン {domain} は {registered} に登録され、このメールの送信時点で {age} 日しか経って"
             "いません（レジストラ：{registrar}）。SPF や DKIM の合格はそのドメインから送られたことの証明に"
             "すぎません。フィッシングや迷惑メールは登録から数日〜数週間の使い捨てドメインでよく送られます。"),
    reason=T("its sender's domain was registered {age} days earlier", "差出人のドメインは登録から {age} 日です"),
    needs_network=True,
)
def sender_young_domain(ctx: CheckContext) -> Iterator[Hit]:
    """The From domain's age; link.young_domain speaks for it instead when the mail links to it."""
    domain = from_domain(ctx).lower()
    info = _domains(ctx).get(domain)
    if not info or info.get("popular_rank") or is_free_email(domain) or _links_for(ctx, domain):
        return
    age = _age_at_message(ctx, info)
    if age is not None and age < YOUNG_DAYS:
        yield Hit(evidence={"domain": domain, "registered": info.get("registered"), "age": age,
                            "registrar": info.get("registrar") or "?"},
                  variant="month" if age < 30 else None)


@check(
    "link.domain_blocklisted", "high", 4.0,
    title=T("A link's domain is on a blocklist", "リンク先のドメインがブロックリストに載っています"),
    detail=T("{domain} is listed on {lists}.", "{domain} は {lists} に掲載されています。"),
    reason=T("a link's domain is blocklisted ({domain})", "リンク先 {domain} がブロックリストに載っています"),
    needs_network=True,
)
def domain_blocklisted(ctx: CheckContext) -> Iterator[Hit]:
    for domain, info in _domains(ctx).items():
        if info.get("blocklisted"):
            yield Hit(evidence={"domain": domain, "lists": info["blocklisted"]},
                      links=_links_for(ctx, domain))


@check(
    "link.phishing_feed", "critical", 7.0,
    title=T("A link is a known phishing site", "リンク先は既知のフィッシングサイトです"),
    detail=T("A link to {domain} appears in the phishing feed {feeds} (downloaded copy).",
             "{domain} へのリンクがフィッシング情報フィード {feeds}"
             "（ダウンロード済みのもの）に掲載されています。"),
    reason=T("a link is listed as phishing ({domain})",
             "リンク先 {domain} がフィッシングとして登録されています"),
    needs_network=True,
)
def phishing_feed(ctx: CheckContext) -> Iterator[Hit]:
    for domain, info in _domains(ctx).items():
        if info.get("feed"):
            yield Hit(evidence={"domain": domain, "feeds": info["feed"]}, links=_links_for(ctx, domain))


@check(
    "link.hosted_on", "info", 0.0,
    title=T("Where the linked site is hosted", "リンク先サイトのホスティング先"),
    detail=T("{domain} is served from {ip}, on {org}'s network ({where}); abuse reports go to "
             "{abuse}.",
             "{domain} は {org} のネットワーク（{where_ja}）の {ip} から配信されています。"
             "不正利用の報告先：{abuse}。"),
    needs_network=True,
)
def hosted_on(ctx: CheckContext) -> Iterator[Hit]:
    for domain, info in _domains(ctx).items():
        host = info.get("hosting") or {}
        links = _links_for(ctx, domain)
        if not links or not host.get("org") or info.get("popular_rank"):
            continue
        yield Hit(evidence={"domain": domain, "ip": host.get("ip"), "org": host["org"],
                            "country": host.get("country") or "?", "asn": host.get("asn") or "?", **_where(host),
                            "abuse": host.get("abuse_emails") or "?",
                            "network_kind": host.get("network_kind")},
                  links=links)


@check(
    "link.popular_domains", "info", -1.0,
    title=T("Links go only to well-known sites", "リンク先はよく知られたサイトだけです"),
    detail=T("Every link goes to a widely used domain ({domains}), and the sender's domain is authenticated.",
             "すべてのリンクが広く使われているドメイン（{domains}）を指しており、差出人ドメインも認証されています。"),
    needs_network=True,
)
def popular_domains(ctx: CheckContext) -> Iterator[Hit]:
    domains = _domains(ctx)
    linked = {(link.domain or "").lower() for link in ctx.facts.links if link.domain}
    if not linked or not from_authenticated(ctx):
        return
    ranks = {d: (domains.get(d) or {}).get("popular_rank") for d in linked}
    # The relief is for what the lookups saw: a domain none of them answered for was not checked.
    answered = all(_answered(domains.get(d) or {}) for d in linked)
    if answered and all(ranks.values()) and (domains.get(from_domain(ctx)) or {}).get("popular_rank"):
        yield Hit(evidence={"domains": sorted(linked), "ranks": ranks})


def _answered(info: dict[str, Any]) -> bool:
    """Some lookup about the domain came back (its registration, name servers or address)."""
    return bool(info.get("registered") or info.get("ns") or info.get("hosting"))


_METHOD = {"spf": "SPF", "dkim": "DKIM", "dmarc": "DMARC", "arc": "ARC"}


@check(
    "auth.recheck_disagrees", "info", 0.0,
    title=T("Our re-check disagrees with your provider", "再検証の結果が受信サーバーの判定と異なります"),
    detail=T("Your provider recorded {method} {provider} at delivery; checked again now it is {recheck}. "
             "{why}",
             "受信時の {method} 判定は {provider} でしたが、いま再検証すると {recheck} です。{why_ja}"),
    needs_network=True,
)
def recheck_disagrees(ctx: CheckContext) -> Iterator[Hit]:
    provider = {r.method: r for r in ctx.facts.auth.results}
    for r in ctx.lookups.rechecks:
        p = provider.get(r.method)
        if p is None or r.method == "dkim" or p.result == r.result:
            continue
        if r.result == "temperror" or (r.result == "none" and p.result == "pass"):
            continue  # could not check now: that is no disagreement, and says nothing of the delivery
        yield Hit(evidence={"method": _METHOD.get(r.method, r.method), "provider": p.result,
                            "recheck": r.result, **_why(r.method, p.result, r.result)})
    # DKIM per signature: the provider's pass for a domain, our fail for the same domain
    passed = {(r.props.get("header.d") or "").lower() for r in ctx.facts.auth.results
              if r.method == "dkim" and r.result == "pass"}
    for r in ctx.lookups.rechecks:
        if r.method == "dkim" and r.result in ("fail", "permerror") and r.props.get("header.d") in passed:
            yield Hit(evidence={"method": "DKIM", "provider": "pass", "recheck": r.result,
                                "domain": r.props.get("header.d"), **_why("dkim", "pass", r.result)})


def _why(method: str, provider: str, recheck: str) -> dict[str, str]:
    if provider == "pass" and method in ("dkim", "arc"):
        return {"why": "The signing key has most likely been rotated (or the stored copy altered) since "
                       "delivery; the provider's result at delivery time is the one that counts.",
                "why_ja": "署名鍵が受信後に更新された（または保存中に内容が変わった）可能性が高く、"
                          "判定としては受信時の結果が有効です。"}
    if method in ("spf", "dmarc"):
        return {"why": "The domain's DNS records may have changed since delivery.",
                "why_ja": "受信後にドメインの DNS 設定が変わった可能性があります。"}
    return {"why": "", "why_ja": ""}
