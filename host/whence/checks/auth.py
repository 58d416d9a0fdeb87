"""Sender authentication as the provider recorded it (and, live, as we re-checked it).

"Could not check" never counts as a pass: a missing result adds nothing either way.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from difflib import SequenceMatcher

from ..brands import owner_of
from ..domainlists import free_host, is_free_email, popular_rank, tenant_platform
from ..domains import MAX_HOST, registrable_domain
from ..i18n import T, Text
from .common import auth_results, authenticated_brand, by_list, from_authenticated, from_domain, relayed, result_of
from .registry import CheckContext, Hit, check


def _arc_vouches(ctx: CheckContext) -> bool:
    return ctx.facts.is_list and result_of(ctx, "arc") == "pass"


@check(
    "dmarc.fail", "high", 4.5,
    variants={"list_arc": 0.5, "list": 1.5},
    title=T("DMARC failed: the sender's domain did not authorise this mail", "DMARC 認証に失敗しています"),
    detail=T("The provider's DMARC check for {domain} failed (policy {policy}): neither SPF nor DKIM "
             "vouched for the address in From.",
             "受信サーバーでの {domain} の DMARC 検証が失敗しました（ポリシー {policy}）。差出人アドレスは SPF でも "
             "DKIM でも裏付けられていません。"),
    reason=T("it fails DMARC for {domain}", "{domain} の DMARC 認証に失敗しています"),
)
def dmarc_fail(ctx: CheckContext) -> Iterator[Hit]:
    r = next((r for r in auth_results(ctx) if r.method == "dmarc"), None)
    if r is None or r.result != "fail":
        return
    domain = r.props.get("header.from") or from_domain(ctx)
    policy = r.props.get("policy.dmarc") or r.props.get("p") or _policy(r.reason) or "?"
    if ctx.facts.is_list:
        # lists rewrite messages; their ARC seal or the list itself explains the failure
        yield Hit(evidence={"domain": domain, "policy": policy, "list": True, "arc": result_of(ctx, "arc")},
                  severity="info", variant="list_arc" if _arc_vouches(ctx) else "list")
        return
    yield Hit(evidence={"domain": domain, "policy": policy})


def _policy(reason: str | None) -> str | None:
    m = re.search(r"\bp=(\w+)", reason or "")
    return m.group(1).lower() if m else None


@check(
    "spf.fail", "medium", 2.5,
    variants={"list": 0.5, "soft": 1.0, "forged": 4.0},
    title=T("SPF failed: the sending server is not allowed for this domain", "SPF 認証に失敗しています"),
    detail=T("The server that delivered this mail is not among those {domain} allows to send its mail "
             "(SPF {result}).",
             "このメールを届けたサーバーは、{domain} が送信を許可しているサーバーではありません（SPF {result}）。"),
    reason=T("its sending server is not authorised by SPF", "送信サーバーが SPF で許可されていません"),
)
def spf_fail(ctx: CheckContext) -> Iterator[Hit]:
    r = next((r for r in auth_results(ctx) if r.method == "spf"), None)
    if r is None or r.result not in ("fail", "softfail"):
        return
    domain = (r.props.get("smtp.mailfrom") or r.props.get("envelope-from") or from_domain(ctx) or "?")
    domain = domain.rsplit("@", 1)[-1]
    soft = r.result == "softfail"
    if ctx.facts.is_list:
        yield Hit(evidence={"domain": domain, "result": r.result}, severity="info", variant="list")
        return
    # the From domain's own SPF says no, and no DKIM speaks for it: its address is forged
    forged = not soft and registrable_domain(domain) == from_domain(ctx) and \
        not any(x.method == "dkim" and x.result == "pass" for x in auth_results(ctx))
    yield Hit(evidence={"domain": domain, "result": r.result},
              severity="low" if soft else "high" if forged else None,
              variant="soft" if soft else "forged" if forged else None)


@check(
    "dkim.fail", "low", 1.0,
    variants={"list": 0.0},
    title=T("A DKIM signature did not verify", "DKIM 署名の検証に失敗しています"),
    detail=T("The signature of {domain} did not verify ({reason}); the message may have been altered "
             "on the way, or the signature forged.",
             "{domain} の署名が検証できませんでした（{reason}）。途中で改変されたか、"
             "署名が偽造された可能性があります。"),
)
def dkim_fail(ctx: CheckContext) -> Iterator[Hit]:
    results = [r for r in auth_results(ctx) if r.method == "dkim"]
    failed = [r for r in results if r.result in ("fail", "permerror")]
    if not failed or any(r.result == "pass" for r in results):
        return
    r = failed[0]
    listed = ctx.facts.is_list
    yield Hit(evidence={"domain": r.props.get("header.d", "?"), "reason": r.reason or r.result},
              severity="info" if listed else None, variant="list" if listed else None)


@check(
    "auth.none", "low", 1.5,
    title=T("Nothing authenticates the sender", "差出人を裏付ける認証がありません"),
    detail=T("The provider checked the message, but neither SPF nor DKIM passed for any domain: "
             "anyone could have written this From address ({from_domain}).",
             "受信サーバーは認証を確認しましたが、SPF も DKIM もどのドメインでも成功していません。差出人アドレス"
             "（{from_domain}）は誰でも名乗れる状態です。"),
    reason=T("nothing authenticates the sender", "差出人が認証されていません"),
)
def auth_none(ctx: CheckContext) -> Iterator[Hit]:
    results = [r for r in auth_results(ctx) if r.method in ("spf", "dkim")]
    if not results or any(r.result == "pass" for r in results):
        return
    if ctx.facts.is_list or ctx.facts.origin.authenticated:
        return
    yield Hit(evidence={"from_domain": from_domain(ctx) or "?",
                        "results": {r.method: r.result for r in results}})


@check(
    "auth.borrowed_domain", "medium", 3.0,
    title=T("A well-known domain in From, but not sent by it",
            "有名なドメインを名乗っていますが、そこから送られていません"),
    detail=T("The From address is at {domain}, a domain with a reputation, yet neither its SPF nor its DKIM "
             "vouched for this mail ({passed}). A domain that publishes no DMARC policy cannot stop "
             "others from writing its name in From; this mail was sent by someone else.",
             "差出人アドレスは評判のあるドメイン {domain} ですが、そのドメインの SPF でも DKIM でも裏付けられて"
             "いません（{passed}）。DMARC ポリシーを公開していないドメインは他人に名乗られても防げません。"
             "このメールは別の誰かが送っています。"),
    reason=T("it writes {domain} in From but was not sent by {domain}",
             "{domain} を名乗っていますが、{domain} から送られていません"),
)
def borrowed_domain(ctx: CheckContext) -> Iterator[Hit]:
    facts = ctx.facts
    domain = from_domain(ctx)
    results = [r for r in auth_results(ctx) if r.method in ("spf", "dkim")]
    if not domain or not results or facts.is_list or facts.origin.authenticated or from_authenticated(ctx):
        return
    if result_of(ctx, "dmarc") == "fail" or not (popular_rank(domain) or owner_of(domain)):
        return  # dmarc.fail says it already; an unknown domain has no name to borrow
    passed = sorted({f"{r.method} {r.props.get('header.d') or r.props.get('smtp.mailfrom') or ''}".strip()
                     for r in results if r.result == "pass"})
    yield Hit(evidence={"domain": domain, "passed": ", ".join(passed) or "none"})


@check(
    "auth.aligned_pass", "info", -2.5,
    variants={"known_spf": -1.5, "unknown": 0.0, "relayed": 0.0},
    title=T("The sender's domain is authenticated", "差出人のドメインは認証されています"),
    detail=T("{domain} vouched for this message ({how}). This proves who sent it, not that it is harmless.",
             "{domain} がこのメールを送ったことが認証されています（{how}）。送信者の証明であって、内容が安全という"
             "意味ではありません。"),
)
def aligned_pass(ctx: CheckContext) -> Iterator[Hit]:
    if not from_authenticated(ctx):
        return
    assert ctx.facts.from_ is not None  # from_authenticated() vouched for it
    domain = from_domain(ctx)
    dkim = any(r.method == "dkim" and r.result == "pass" and registrable_domain(r.props.get("header.d", "")) == domain
               for r in auth_results(ctx))
    how = "DKIM" if dkim else "SPF"
    free = is_free_email(domain)
    tenant = bool(free_host(ctx.facts.from_.domain))  # a customer's name on a shared platform
    known = bool(popular_rank(domain) or owner_of(domain)) and not free and not tenant
    # authentication proves who sent it; it is reassuring only for a sender with a reputation. A
    # free-mail account or a throwaway domain passes SPF and DKIM as easily as a bank (seed 001)
    if known and relayed(ctx):  # the platform is authenticated, the words it carries are not
        yield Hit(evidence={"domain": domain, "how": how, "free_email": free, "known": known}, variant="relayed",
                  detail=_relayed_detail(domain, how))
        return
    yield Hit(evidence={"domain": domain, "how": how, "free_email": free, "known": known},
              variant=None if known and dkim else "known_spf" if known else "unknown")


def _relayed_detail(domain: str, how: str) -> Text:
    return T(f"{domain} vouched for this message ({how}), but it carries someone else's words (a shared "
             "document, an invitation, a form): the platform is genuine, its content is not vouched for.",
             f"{domain} がこのメールを送ったことは認証されています（{how}）。ただし中身は第三者の文章です"
             "（共有文書・招待・フォームなど）。サービス自体は本物でも、内容は保証されていません。")


@check(
    "auth.foreign_tenant", "low", 1.5,
    title=T("Sent through a cloud mail account that is not the sender's",
            "差出人とは無関係なクラウドメールのアカウントから送られています"),
    detail=T("The message was signed by {tenant}, an account on {platform} whose name shares nothing with the "
             "sender's domain {domain}. An organisation's own account carries its name; bulk senders open "
             "trial accounts, or take over other people's, to borrow the platform's good name.",
             "このメールは {platform} のアカウント {tenant} で署名されていますが、その名前は差出人のドメイン "
             "{domain} と何の共通点もありません。組織自身のアカウントには組織の名前が付きます。迷惑メール業者は"
             "試用アカウントを作ったり他人のアカウントを乗っ取ったりして、サービスの信用を借ります。"),
    reason=T("it was sent through {tenant}, an account unrelated to {domain}",
             "{domain} とは無関係なアカウント {tenant} から送られています"),
)
def foreign_tenant(ctx: CheckContext) -> Iterator[Hit]:
    f = ctx.facts.from_
    if f is None or not f.domain or by_list(ctx):
        return  # a list re-signs and rewrites; its members' tenants say nothing of the author
    sender = re.sub(r"[^a-z0-9]", "", f.domain[:MAX_HOST])
    for sig in ctx.facts.auth.dkim_signatures[:5]:  # d= is lower-cased by the facts stage
        if len(sig.domain) > MAX_HOST:
            continue  # no domain name: a hostile d= must not cost a quadratic comparison
        platform = tenant_platform(sig.domain)
        if platform is None:
            continue
        # the customer's label: qlb18.onmicrosoft.com; example-com.20230601.gappssmtp.com (Google
        # Workspace's default signature names the customer's domain, then a date)
        labels = [x for x in sig.domain[:-len(platform) - 1].split(".") if not x.isdigit()]
        name = re.sub(r"[^a-z0-9]", "", labels[-1]) if labels else ""
        if name and not _share_a_word(name, sender):
            yield Hit(evidence={"tenant": sig.domain, "platform": platform, "domain": f.domain})
            return


def _share_a_word(a: str, b: str) -> bool:
    """A common run of four characters (or all of the shorter name): equinixinc and equinix.com,
    socialhelwanedu and social.helwan.edu.eg, not qlb18 and cfkconstruction.net."""
    match = SequenceMatcher(None, a, b, autojunk=False).find_longest_match(0, len(a), 0, len(b))
    return match.size >= min(4, len(a), len(b))


@check(
    "auth.brand_authenticated", "info", -3.0,
    variants={"relayed": 0.0},
    title=T("Authenticated mail from the brand's own domain", "ブランド自身のドメインから認証済みで届いています"),
    detail=T("The mail comes authenticated from {domain}, one of {brand_name}'s own domains.",
             "このメールは {brand_name_ja} の正規ドメイン {domain} から認証済みで届いています。"),
)
def brand_authenticated(ctx: CheckContext) -> Iterator[Hit]:
    brand = authenticated_brand(ctx)
    if brand:
        yield Hit(evidence={"domain": from_domain(ctx), "brand": brand.key, "brand_name": brand.name,
                            "brand_name_ja": brand.name_ja}, variant="relayed" if relayed(ctx) else None)


@check(
    "auth.arc_list_pass", "info", -1.0,
    title=T("Delivered by a mailing list that vouches for it (ARC)", "メーリングリストが ARC で内容を保証しています"),
    detail=T("The message came through a mailing list or forwarder ({sealers}) whose ARC seal the provider "
             "verified; changes the list made explain failing author signatures.",
             "このメールはメーリングリストまたは転送サービス（{sealers}）を経由しており、その ARC 署名を受信サーバーが"
             "検証しています。作成者の署名が失敗しているのはリストによる改変のためです。"),
)
def arc_list_pass(ctx: CheckContext) -> Iterator[Hit]:
    if _arc_vouches(ctx):
        sealers = [s.domain for s in ctx.facts.auth.arc_sets if s.domain]
        yield Hit(evidence={"sealers": sealers or "?"})


_SPAM_HEADERS = (("x-spam-flag", re.compile(r"^\s*yes", re.I)), ("x-spam-status", re.compile(r"^\s*yes", re.I)),
                 ("x-ms-exchange-organization-scl", re.compile(r"^\s*[5-9]")),
                 ("x-forefront-antispam-report", re.compile(r"\bSCL:[5-9]\b")))
_SUBJECT_TAG = re.compile(r"^\s*(\[spam\]|\*+spam\*+|\[meiwaku\]|\[迷惑\]|【迷惑メール】)", re.I)


@check(
    "provider.spam_flag", "medium", 2.5,
    title=T("Your provider's own filter marked this as spam", "メール事業者のフィルターが迷惑メールと判定しています"),
    detail=T("The provider stamped the message as spam ({stamp}).",
             "受信サーバーがこのメールを迷惑メールと判定しています（{stamp}）。"),
    reason=T("your provider's filter marked it as spam", "メール事業者が迷惑メールと判定しています"),
)
def provider_spam(ctx: CheckContext) -> Iterator[Hit]:
    msg = ctx.facts.message
    limit = _origin_pos(ctx)  # stamps count only from the provider: above the origin's Received header
    for pos, (name, value) in enumerate(msg.headers):
        if limit >= 0 and pos >= limit:
            break
        for header, pattern in _SPAM_HEADERS:
            if name.lower() == header and pattern.search(value):
                yield Hit(evidence={"stamp": f"{name}: {value[:80]}"})
                return
    if _SUBJECT_TAG.search(ctx.facts.subject):
        yield Hit(evidence={"stamp": ctx.facts.subject[:80]})


def _origin_pos(ctx: CheckContext) -> int:
    i = ctx.facts.origin.hop_index
    if i is None or not (0 <= i < len(ctx.facts.hops)):
        return -1
    return ctx.facts.hops[i].header_pos


@check(
    "auth.compauth_fail", "medium", 2.0,
    variants={"soft": 1.0},
    title=T("Your provider judged the sender not authenticated", "受信サーバーの総合認証（compauth）が失敗しています"),
    detail=T("Your provider's composite authentication (compauth={result}, reason {reason}) concluded that "
             "the From address is not vouched for by its domain.",
             "受信サーバーの総合認証（compauth={result}、理由 {reason}）で、差出人アドレスはそのドメインによって"
             "裏付けられていないと判定されました。"),
    reason=T("your provider could not authenticate the sender", "受信サーバーが差出人を認証できませんでした"),
)
def compauth_fail(ctx: CheckContext) -> Iterator[Hit]:
    r = next((r for r in ctx.facts.auth.results if r.method == "compauth"), None)
    if r is None or r.result not in ("fail", "softfail") or ctx.facts.is_list:
        return
    yield Hit(evidence={"result": r.result, "reason": r.props.get("reason") or r.reason or "?"},
              variant=None if r.result == "fail" else "soft")
