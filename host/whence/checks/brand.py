"""brand.impersonation: a message that claims a brand none of whose domains sent it or hosts its links.

Most of this module says when a brand named in a message is *not* a claim, because a reader's ordinary
mail names brands all the time: a friend's "楽天カードの件", a colleague's "Microsoft Teams会議の件", a
shop's campaign offering "Amazonギフトカード", "ドコモショップ神田店" selling the brand, a list's topic, a
brand's own mail through its platforms. Each exception keeps the shape phishing uses out: a heading over
an account notice, a link away from the brand, a request for credentials, a number to call.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import cast

from ..brands import Brand, normalise
from ..domainlists import is_free_email, popular_rank
from ..domains import registrable_domain
from ..i18n import T, fmt
from ..model import Address
from .common import (
    GENERIC_WORDS,
    LURE,
    MONEY_BRANDS,
    TOLL_FREE,
    VIA,
    authenticated_brands,
    bare_greeting,
    by_list,
    claimed_brands,
    disguised_brands,
    foreign_link_domains,
    from_authenticated,
    from_domain,
    infrastructure_domains,
    is_tracker,
    known_sender,
    link_domains,
    mostly_japanese,
    one_organisation,
    origin_name,
    own_campaign,
    result_of,
)
from .registry import CheckContext, Hit, check

_FORWARD = re.compile(r"\s*(fwd?|fw|tr|wg|rv|enc|転送)\s*:", re.I)
_WHERE = {"display_name": ("the sender's name", "差出人名"), "subject": ("the subject", "件名"),
          "address": ("the sender's address", "差出人アドレス"), "body": ("the letterhead", "本文の冒頭"),
          "domain": ("the sender's domain", "差出人のドメイン")}


@check(
    "brand.impersonation", "high", 6.0,
    variants={"weak": 3.0, "unknown_sender": 8.0, "disguised": 8.0},
    title=T("Claims to be a brand it does not come from",
            "ブランドを名乗っているが、そのブランドからのメールではありません"),
    detail=T("{where_en} names {brand_name}, but the sender ({from_domain}) is not an authenticated "
             "{brand_name} domain and links lead elsewhere ({links}). {brand_name}'s own domains "
             "include {official}.",
             "{where_ja}に「{brand_name_ja}」とありますが、送信元（{from_domain}）は認証された{brand_name_ja}の"
             "ドメインではなく、リンクも{brand_name_ja}以外（{links}）へ向かっています。{brand_name_ja}の正規ドメインは"
             "{official} などです。"),
    reason=T("claims to be {brand_name} but neither the sender nor the links belong to it",
             "{brand_name_ja}を名乗っているのに、送信元もリンク先も{brand_name_ja}のものではありません"),
)
def brand_impersonation(ctx: CheckContext) -> Iterator[Hit]:
    if _to_yourself(ctx) or _colleague(ctx):
        return
    sender = from_domain(ctx)
    known = known_sender(ctx)
    for brand, word, where in claimed_brands(ctx):
        if brand.key in authenticated_brands(ctx):
            continue
        disguised = brand.key in disguised_brands(ctx)
        # an authenticated, established sender may write about others (a card issuer on ETC cards, a
        # shop on Apple products); only the name it sends under claims an identity ("Binance" sending
        # as notifications@github.com)
        if known and where != "display_name":
            continue
        # a subject that merely mentions a brand ("Re: Google's new API") claims nothing; it counts
        # when the mail is Japanese-targeted or the subject itself is a lure
        if where == "subject" and not (disguised or mostly_japanese(ctx.facts.subject + ctx.facts.text)
                                       or LURE.search(ctx.facts.subject) or _pure_claim(ctx, word, where)
                                       or (is_free_email(sender) and brand.category in MONEY_BRANDS)):
            continue
        if where in ("subject", "display_name") and not disguised and _in_passing(ctx, word, where):
            continue
        if where in ("subject", "body") and not disguised and _chatting(ctx, brand, word, where):
            continue
        if where == "subject" and not disguised and _prize_currency(ctx, word):
            continue
        if _site_software(ctx, brand):
            continue
        foreign = foreign_link_domains(ctx, brand)
        if by_list(ctx) and not foreign and not disguised and \
                not any(link.clickable and not link.domain for link in ctx.facts.links):  # bare IP addresses
            continue  # a list member's name or topic ("au user", "Re: ANA parser"), sending you nowhere
        # phishing mixes the brand's real links with its own; all links at the brand clears the mail,
        # and so does the brand's own From domain when nothing contradicts it. Not from a free-mail
        # box: a bank or shop never writes from one, and a "receipt" there whose only links are the
        # brand's logo wants a phone call, not a click (unless it is a forward)
        callback = is_free_email(sender) and brand.category in MONEY_BRANDS and not _FORWARD.match(ctx.facts.subject)
        # (the links of a bulk sender's own infrastructure, its unsubscribe and tracking hosts, are
        # neither: they vouch for no brand)
        if not foreign and not callback and any(brand.owns(d) for d in link_domains(ctx)):
            continue
        weak = False
        if brand.owns(sender) and result_of(ctx, "dmarc") != "fail" and \
                result_of(ctx, "spf") not in ("fail", "softfail"):
            if not foreign:
                continue
            # the brand's own address, unchecked, with links both to the brand and elsewhere: could be
            # a partner link in a real newsletter, could be a spoof — say so, but not loudly. Unless
            # the server that handed it over is not the brand's: then it is the forged-brand phish
            weak = not (ctx.facts.auth.results or ctx.facts.auth.received_spf) and \
                len(foreign) < len(link_domains(ctx)) and _brand_network(ctx, brand)
        # the links lead to sites nobody has heard of: a brand does not send you there
        unknown = any(not popular_rank(d) for d in foreign)
        if where == "domain" and (weak or not _lure_elsewhere(ctx, brand)):
            continue  # the address alone claims the brand: only the forged shape counts
        # a sender linking to its own site under its own name talks *about* the brand (a fan
        # newsletter, a reseller); a name that is the brand alone claims to be it
        if sender and not is_free_email(sender) and not VIA.search(cast(Address, ctx.facts.from_).display_name) and \
                not _pure_claim(ctx, word, where) and not _account_notice(ctx, word, where) and \
                (sender in foreign or _named_publication(ctx, where)) and \
                (not brand.owns(sender) or _brand_network(ctx, brand)):
            if sender in link_domains(ctx) and _named_publication(ctx, where) and not disguised:
                continue  # a publication under its own name and site ("Lockergnome Apple Core")
            weak, unknown = True, False
        evidence = {"brand": brand.key, "brand_name": brand.name, "brand_name_ja": brand.name_ja,
                    "matched": word, "where": where, "disguised": disguised,
                    "where_en": _WHERE[where][0].capitalize(), "where_ja": _WHERE[where][1],
                    "from_domain": sender or "?", "links": foreign[:5] or "—",
                    "official": list(brand.domains[:3])}
        if where == "domain":
            evidence["origin"] = origin_name(ctx) or ctx.facts.origin.ip or "?"
        yield Hit(
            evidence=evidence,
            severity="critical" if disguised else "medium" if weak else "critical" if unknown else None,
            variant="disguised" if disguised else "weak" if weak else "unknown_sender" if unknown else None,
            detail=fmt(_FORGED_DETAIL, **{k: ", ".join(v) if isinstance(v, list) else v for k, v in evidence.items()})
            if where == "domain" else None,
        )
        return


_FORGED_DETAIL = T(
    "The mail comes from an address at {from_domain}, {brand_name}'s own domain, but nothing vouches for it: "
    "no authentication passed, the server that handed it over ({origin}) is not {brand_name}'s, and its links "
    "lead elsewhere ({links}). Anyone can write a brand's address in From; only SPF, DKIM and DMARC prove it.",
    "差出人は{brand_name_ja}の正規ドメイン {from_domain} のアドレスですが、それを裏付けるものがありません。"
    "認証は通っておらず、メールを渡したサーバー（{origin}）は{brand_name_ja}のものではなく、リンクも"
    "{brand_name_ja}以外（{links}）へ向かっています。差出人欄にはブランドのアドレスを誰でも書けます。"
    "それを証明するのは SPF・DKIM・DMARC だけです。")


def _lure_elsewhere(ctx: CheckContext, brand) -> bool:  # brand: Brand
    """A designed page (HTML: a person at the brand writes plain text) most of whose links to click
    (not its pictures: a newsletter's images come from CDNs) lead to sites nobody has heard of, not
    the brand's: what a forged brand mail is sent for. A brand's own newsletter links mostly to the
    brand, a few partners beside."""
    if not ctx.facts.html:
        return False
    infra = infrastructure_domains(ctx)
    ours = elsewhere = 0
    for link in ctx.facts.links:
        if link.clickable and link.domain and link.domain not in infra:
            if brand.owns(link.domain):
                ours += 1
            elif not popular_rank(link.domain) and not is_tracker(link.domain):  # an ESP's click tracker
                elsewhere += 1
    return elsewhere > 0 and elsewhere >= ours


def _to_yourself(ctx: CheckContext) -> bool:
    """Your own authenticated mail to yourself, with nothing to click: Outlook's account test arrives as
    "Microsoft Outlook <you@example.jp>", and a note to self may name any brand. It claims nothing."""
    f, recipient = ctx.facts.from_, ctx.facts.recipient
    return bool(f and recipient and f.address == recipient.lower()
                and (from_authenticated(ctx) or ctx.facts.origin.authenticated)
                and not any(link.clickable for link in ctx.facts.links))


def _colleague(ctx: CheckContext) -> bool:
    """Your own organisation's authenticated mail: its IT desk writes "Microsoft 365 パスワード変更のお願い"
    about the services it runs. (A free-mail domain is everybody's, not an organisation.)"""
    # the mailbox it was delivered to, as the provider or the mail client says (a bulk mail addressed
    # To its own sender names no colleague), and not the sender's own address
    facts, sender = ctx.facts, from_domain(ctx)
    recipient = (facts.delivered_to or facts.context.account_email or "").lower()
    return bool("@" in recipient and sender and not is_free_email(sender) and facts.from_
                and recipient != facts.from_.address.lower()
                and registrable_domain(recipient.rsplit("@", 1)[1]) == sender and from_authenticated(ctx))


def _site_software(ctx: CheckContext, brand) -> bool:  # brand: Brand
    """Software people run on their own sites mails from each of them under its own name: "WordPress
    <wordpress@example-blog.com>" linking only to example-blog.com is that site's notice (a new comment,
    a password reset), not WordPress.com's."""
    f = ctx.facts.from_
    if brand.category != "software" or f is None or f.address.split("@")[0].lower() not in brand.labels:
        return False
    sender = from_domain(ctx)
    return all(d == sender or one_organisation(d, sender) for d in link_domains(ctx))


def _brand_network(ctx: CheckContext, brand) -> bool:  # brand: Brand
    """Whether the origin server names itself (rDNS, else HELO) under the brand's own domains, or
    the mail came through a list or forwarder, whose route says nothing about the brand. A greeting
    with the brand's bare domain ("HELO amazon.co.jp") is no such name (see `bare_greeting`)."""
    if ctx.facts.is_list:
        return True
    return not bare_greeting(ctx) and brand.owns(registrable_domain(origin_name(ctx)) or "")




def _named_publication(ctx: CheckContext, where: str) -> bool:
    """A Latin-script sender name that names its own domain beside the brand ("Lockergnome Apple
    Core" from lockergnome.com): a publication about the brand, not the brand. Japanese senders
    compose brand and service names ("楽天カード株式会社"), so this reading is kept to Latin script."""
    f = ctx.facts.from_
    if where != "display_name" or f is None or not f.display_name.isascii():
        return False
    label = from_domain(ctx).split(".")[0]
    # the publication names itself: its own domain's name stands in the sender name too
    return len(label) >= 4 and label in re.sub(r"[\W_]+", "", f.display_name.lower())


# an account's own trouble, in Japanese: a notice's words in a shop's campaign and in a colleague's mail alike
_ACCOUNT_TROUBLE = ("アカウント|停止|制限|凍結|ログイン|パスワード|本人|認証|不正|問題|未払|滞納|セキュリティ|"
                    "至急|緊急|失効")
# what an account notice says and a shop's campaign does not ("verify", "確認", "停止"); paying is both's
# topic ("PayPayでのお支払いで10%還元"), a problem with it only the notice's
_ACCOUNT_WORDS = re.compile(r"(?i)\b(account|verif|confirm|suspend|locked|unusual|sign[- ]?in|log[- ]?in|password|"
                            r"refund|security|expire|unlock|restrict|declined|failed|overdue|unpaid)"
                            r"|確認|更新|失敗|できません|エラー|重要|期限|" + _ACCOUNT_TROUBLE)
# a heading at the start of a subject: 【Amazon】, [PayPay], 「楽天」 name who is writing
_HEADING = re.compile(r"^\s*(?:【[^】]{1,40}】|\[[^\]]{1,40}\]|「[^」]{1,40}」|<[^>]{1,40}>)")


def _account_notice(ctx: CheckContext, word: str, where: str) -> bool:
    """The subject is the brand's account notice: the brand as its heading and words of an account
    notice ("【Amazon】お支払い方法の更新"): no newsletter about a brand is written so."""
    if where != "subject":
        return False
    subject = normalise(ctx.facts.subject)
    return _heading_names(subject, word) and bool(_ACCOUNT_WORDS.search(subject))


# words by which a business sells or services a brand under a name of its own
_RESELLER = re.compile(r"(?i)ショップ|店|代理店|販売|取扱|修理|専門|\b(shop|store|dealer|reseller|agency|repair)\b")


def _reseller(ctx: CheckContext, word: str) -> bool:
    """The sender's name is a business of its own that sells the brand: a shop, agency or repairer
    word and a name besides ("ドコモショップ神田店", not "ドコモショップ" or "楽天カード お客様センター")."""
    rest = _sender_name(ctx).replace(word, " ")
    return bool(_RESELLER.search(rest)) and bool(GENERIC_WORDS.sub("", _RESELLER.sub(" ", rest)).strip(" ()（）・-"))


_PRIZE_JA = re.compile(r"当選|賞金|賞品|プレゼント|特典|還元|キャンペーン")


# what makes a subject an account notice even in a colleague's words (renewals and checks, 更新 and 確認, are not)
_NOTICE_WORDS = re.compile(_ACCOUNT_TROUBLE + "|支払い?方法")
# and a text that sends you to type your credentials
_CREDENTIAL_WORDS = re.compile(r"(?i)ログイン|パスワード|暗証|本人確認|カード情報|アカウント情報"
                               r"|\b(sign[- ]?in|log[- ]?in|password|verify)\b")


def _chatting(ctx: CheckContext, brand: Brand, word: str, where: str) -> bool:
    """A person writing under their own authenticated address about a brand: a friend from a Gmail box
    ("楽天カードの件", "PayPayで送金したよ", a bank account to pay into: "みずほ銀行 新宿支店 普通…"), a
    colleague or a vendor ("Microsoft Teams会議の件", "Microsoft 365 ライセンス更新のお見積り"). No link
    away from the brand but to the sender's own site; no heading and no subject that is the brand alone;
    no notice or prize word in the subject unless there is nothing to click or open ("PayPal payment
    received" between people) — and, when the brand stands at the top of the text, none there either
    (a notice's "口座を凍結しました"); no link beside a request for credentials and no toll-free number to
    call (the callback scam's receipt)."""
    facts = ctx.facts
    subject = normalise(facts.subject)
    sender = from_domain(ctx)
    head = facts.text[:1500]
    if where == "body" and (_NOTICE_WORDS.search(normalise(head)) or LURE.search(head)):
        return False
    nothing_to_act_on = not any(link.clickable for link in facts.links) and not facts.attachments
    return from_authenticated(ctx) and not [d for d in foreign_link_domains(ctx, brand) if d != sender] \
        and (nothing_to_act_on or not (_NOTICE_WORDS.search(subject) or LURE.search(subject)
                                       or _PRIZE_JA.search(subject))) \
        and not _HEADING.match(subject) and not _pure_claim(ctx, word, "subject") \
        and not TOLL_FREE.search(facts.text[:3000]) and not _asks_to_sign_in(ctx)


def _asks_to_sign_in(ctx: CheckContext) -> bool:
    """The top of the text asks for credentials and there is a link to type them behind."""
    return bool(_CREDENTIAL_WORDS.search(ctx.facts.text[:1500])) and any(link.clickable for link in ctx.facts.links)


# what a brand is the currency of: the gift card or points an offer pays out in
_CURRENCY = re.compile(r"(?i)\s*(ギフト(券|カード|コード)|ポイント|gift ?(card|code|certificate)|points?|credit)")


def _prize_currency(ctx: CheckContext, word: str) -> bool:
    """The subject names the brand only as what an offer pays out in ("Amazonギフト券が当たる", "楽天ポイント
    プレゼント") and the sender goes by a name of its own ("みどり堂"): a shop's campaign, whoever delivers
    it. A prize scam stays one (content.prize_lure) but is not the brand; a heading (【Amazon】) or an
    account notice's words, or a request to sign in beside a link, still make the brand the writer."""
    subject = normalise(ctx.facts.subject)
    name = _sender_name(ctx)
    at = subject.lower().find(word.lower())
    if at < 0 or not _CURRENCY.match(subject, at + len(word)) or word.lower() in name.lower():
        return False
    rest = subject[:at] + subject[at + len(word):]
    return bool(GENERIC_WORDS.sub("", name).strip()) and not _heading_names(subject, word) \
        and word.lower() not in rest.lower() and not _ACCOUNT_WORDS.search(subject) and not _asks_to_sign_in(ctx)


def _sender_name(ctx: CheckContext) -> str:
    """The sender's display name as the brand tables read it (normalised); "" for none."""
    return normalise(ctx.facts.from_.display_name if ctx.facts.from_ else "")


def _in_passing(ctx: CheckContext, word: str, where: str) -> bool:
    """A business's own mailing names the brand in passing: a campaign (it offers an unsubscribe link)
    from a sender vouched for under its own domain, every link to its own site, with no word of an
    account notice, offering "Amazonギフトカード" or "PayPayポイント" in its subject, or selling the
    brand under its own name ("ドコモショップ神田店", "ソフトバンク光 正規代理店 ひかりネット"). A heading
    (【Amazon】) still names who writes."""
    if not own_campaign(ctx) or (where == "display_name" and not _reseller(ctx, word)):
        return False
    subject = normalise(ctx.facts.subject)
    return not _heading_names(subject, word) and not _ACCOUNT_WORDS.search(subject)


# what may stand beside a brand in a heading that names the sender: 【Amazon】, 【楽天カードより】, [PayPay 公式]
# (the brand's business lines too: 【楽天カード】, 【楽天ポイント】 — but 【楽天ポイント10倍】 is a campaign)
_SENDER_HEADING = re.compile(r"(?i)^(より|から|公式|運営|事務局|サポート|センター|カスタマー|サービス|お知らせ|ご案内|"
                             r"重要|緊急|至急|株式会社|カード|銀行|証券|生命|保険|モバイル|ポイント|ペイ|"
                             r"official|support|notice|info|card|bank|pay|points?|[\s・:：/|｜-])*$")


def _heading_names(subject: str, word: str) -> bool:
    """The subject's heading names the sender as the brand: the brand and at most words like 公式 or
    より ("【Amazon】", "【楽天カードより】"), not an event or goods ("【楽天スーパーSALE】", "【Apple製品】")."""
    heading = _HEADING.match(subject)
    if not heading or word.lower() not in heading.group(0).lower():
        return False
    inner = heading.group(0).strip()[1:-1]
    rest = re.sub(re.escape(word), " ", inner, flags=re.I)
    return bool(_SENDER_HEADING.match(rest))


def _pure_claim(ctx: CheckContext, word: str, where: str) -> bool:
    """The sender's name (or the whole subject) is the brand and nothing else but words like "Support Team"."""
    if where == "subject":  # counts when the sender goes by no name of its own ("noreply")
        if GENERIC_WORDS.sub("", _sender_name(ctx)).strip():
            return False
        text = ctx.facts.subject
    elif where == "display_name" and ctx.facts.from_ is not None:
        text = VIA.sub("", ctx.facts.from_.display_name)
    else:
        return False
    rest = normalise(text).replace(word, " ").replace("_", " ")
    return not GENERIC_WORDS.sub("", rest).strip()
