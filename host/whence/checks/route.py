"""How the message travelled: the Received chain, its times and the origin's names."""

from __future__ import annotations

from collections.abc import Iterator

from ..brands import owner_of
from ..domains import registrable_domain
from ..i18n import T, fmt
from .common import bare_greeting, origin_unnamed
from .registry import CheckContext, Hit, check


def _receipt_time(ctx: CheckContext):  # -> datetime | None
    """When the recipient's side first received it: the time of the origin's Received header."""
    facts = ctx.facts
    i = facts.origin.hop_index
    if i is not None and 0 <= i < len(facts.hops) and facts.hops[i].time:
        return facts.hops[i].time
    return next((h.time for h in facts.hops if h.time), None)


@check(
    "route.date_mismatch", "low", 1.0,
    variants={"severe": 2.0},
    title=T("The Date header disagrees with the delivery time", "Date ヘッダーと実際の配送時刻が食い違っています"),
    detail=T("The message says it was written at {date}, but it reached your provider at {received} "
             "({hours} hours apart). Bulk senders often forge or reuse dates.",
             "メールの日付は {date} ですが、受信サーバーに届いたのは {received} です（{hours} 時間のずれ）。大量送信の"
             "迷惑メールは日付を偽ったり使い回したりします。"),
    reason=T("its date is {hours} hours off its delivery time", "日付が配送時刻と {hours} 時間ずれています"),
)
def date_mismatch(ctx: CheckContext) -> Iterator[Hit]:
    date, received = ctx.facts.date, _receipt_time(ctx)
    if not date or not received:
        return
    try:
        hours = (received - date).total_seconds() / 3600
    except TypeError:
        return
    if -2 <= hours <= 72:
        return
    severe = abs(hours) > 24 * 30
    yield Hit(evidence={"date": date.isoformat(), "received": received.isoformat(), "hours": round(hours, 1)},
              severity="medium" if severe else None, variant="severe" if severe else None)


@check(
    "route.clock_skew", "info", 0.0,
    title=T("A server's clock was off", "途中のサーバーの時計がずれています"),
    detail=T("Hop {index} is stamped {seconds} s before the hop beneath it: a clock is wrong somewhere "
             "on the route. Shown, not hidden; it is not in itself suspicious.",
             "経路 {index} の時刻が一つ前の経路より {seconds} 秒早くなっています。"
             "どこかのサーバーの時計がずれています。"
             "それ自体は不審な点ではありません。"),
)
def clock_skew(ctx: CheckContext) -> Iterator[Hit]:
    for hop in ctx.facts.hops:
        if hop.delay_s is not None and hop.delay_s < -60:
            yield Hit(evidence={"index": hop.index, "seconds": round(-hop.delay_s)})
            return


@check(
    "route.helo_mismatch", "low", 1.0,
    variants={"brand": 2.0},
    title=T("The sending server's names disagree", "送信サーバーの名乗りと逆引きの名前が一致しません"),
    detail=T("The origin {ip} introduced itself as {helo}, but its address resolves to {rdns}.",
             "送信元 {ip} は {helo} と名乗りましたが、そのアドレスの逆引きは {rdns} です。"),
    reason=T("its server introduced itself under a name that is not its own ({helo})",
             "送信サーバーが自分のものではない名前（{helo}）を名乗っています"),
)
def helo_mismatch(ctx: CheckContext) -> Iterator[Hit]:
    o = ctx.facts.origin
    if not o.helo or o.authenticated:
        return
    helo = o.helo.lower().strip("[]").rstrip(".")
    if helo[:1].isdigit() or "." not in helo:
        return
    if not o.hostname:
        # no name recorded, and the greeting is a brand's bare domain ("outlook.com", "adobe.com")
        brand = owner_of(bare) if (bare := bare_greeting(ctx)) else None
        if brand is not None:
            yield Hit(evidence={"ip": o.ip, "helo": helo, "brand": brand.key}, variant="brand",
                      detail=fmt(_BRAND_GREETING, ip=o.ip, helo=helo, brand=brand.name, brand_ja=brand.name_ja))
        return
    a, b = registrable_domain(helo), registrable_domain(o.hostname.lower())
    if a and b and a != b:
        yield Hit(evidence={"ip": o.ip, "helo": helo, "rdns": o.hostname.lower()})


_BRAND_GREETING = T(
    "The origin {ip} introduced itself as {helo}, {brand}'s own domain, and your provider recorded no name "
    "for it. {brand}'s servers greet with host names of their own that their addresses confirm; a server "
    "giving a brand's bare domain as its name is borrowing it.",
    "送信元 {ip} は {brand_ja} の正規ドメイン {helo} を名乗りましたが、受信サーバーはこのアドレスの名前を"
    "記録していません。{brand_ja} のサーバーは、アドレスから確かめられる自分のホスト名で名乗ります。ブランドの"
    "ドメインそのものを名乗るサーバーは、その名前を借りています。")


@check(
    "route.no_rdns", "low", 1.0,
    title=T("The sending server has no name", "送信サーバーに逆引きの名前がありません"),
    detail=T("Your provider found no host name for the origin {ip}; mail servers run by real organisations "
             "nearly always have one.",
             "送信元 {ip} には逆引きのホスト名がありません。"
             "まともに運用されているメールサーバーにはほぼ必ずあります。"),
    reason=T("its server has no host name", "送信サーバーにホスト名がありません"),
)
def no_rdns(ctx: CheckContext) -> Iterator[Hit]:
    if origin_unnamed(ctx) and not ctx.facts.origin.authenticated:
        yield Hit(evidence={"ip": ctx.facts.origin.ip})


@check(
    "route.webmail_client", "info", 0.0,
    title=T("Written in webmail from a recorded address", "Webメールから送信され、送信者のアドレスが記録されています"),
    detail=T("The sender's webmail service recorded the client address {client_ip}: that is where the "
             "author really was (or their VPN).",
             "送信者の Web メールサービスが接続元アドレス {client_ip} を記録しています。これが送信者の実際の所在地"
             "（または VPN）です。"),
)
def webmail_client(ctx: CheckContext) -> Iterator[Hit]:
    if ctx.facts.origin.client_ip:
        yield Hit(evidence={"client_ip": ctx.facts.origin.client_ip})


@check(
    "route.mailing_list", "info", 0.0,
    title=T("Came through a mailing list or forwarder", "メーリングリストまたは転送を経由しています"),
    detail=T("This message was redistributed by {list}; lists change messages (subject tags, footers), "
             "which explains failing author signatures.",
             "このメールは {list} によって再配送されています。リストは件名やフッターを変更するため、作成者の署名が"
             "失敗することがあります。"),
)
def mailing_list(ctx: CheckContext) -> Iterator[Hit]:
    facts = ctx.facts
    if not facts.is_list:
        return
    if facts.forwarded:
        yield Hit(evidence={"list": None, "forwarded": True}, detail=_FORWARDED)
    elif facts.list_id:
        yield Hit(evidence={"list": facts.list_id, "forwarded": False})
    else:
        yield Hit(evidence={"list": None, "forwarded": False}, detail=_UNNAMED_LIST)


_FORWARDED = T(
    "This message was passed on by a forwarder (a mailbox's forwarding rule), which explains failing SPF "
    "and broken signatures. A forwarder does not change the message: what it says is its author's.",
    "このメールは転送設定などの転送サービスを経由しています。SPF の失敗や署名の破損はそのためかもしれません。"
    "転送ではメール自体は変わらないので、内容は送信者が書いたままです。")
_UNNAMED_LIST = T(
    "This message was redistributed by a mailing list; lists change messages (subject tags, footers), "
    "which explains failing author signatures.",
    "このメールはメーリングリストによって再配送されています。リストは件名やフッターを変更するため、作成者の署名が"
    "失敗することがあります。")


@check(
    "route.authenticated_submission", "info", 0.0,
    title=T("Sent with your provider's login", "プロバイダーのアカウントでログインして送信されています"),
    detail=T("The message was handed to the provider by {ip} after logging in as {user}. If you did not "
             "send it, that account's password is known to someone else.",
             "このメールは {ip} から {user} としてログインして送信されています。あなたが送っていないなら、その"
             "アカウントのパスワードが第三者に知られています。"),
)
def authenticated_submission(ctx: CheckContext) -> Iterator[Hit]:
    o = ctx.facts.origin
    if not o.authenticated or o.hop_index is None:
        return
    hop = ctx.facts.hops[o.hop_index] if 0 <= o.hop_index < len(ctx.facts.hops) else None
    yield Hit(evidence={"ip": o.ip, "user": (hop.auth_user if hop else None) or "?"})
