"""Who the message claims to be from, against who it demonstrably is."""

from __future__ import annotations

import re
from collections.abc import Iterator

from ..brands import Brand, normalise, owner_of
from ..domainlists import is_free_email, popular_rank, suspicious_tld
from ..domains import MAX_HOST, registrable_domain
from ..i18n import T, fmt
from ..wordiness import looks_random
from .common import (
    LURE,
    MONEY_BRANDS,
    TOLL_FREE,
    authenticated_brands,
    bare_greeting,
    by_list,
    claimed_brands,
    disguised_brands,
    domain_of,
    foreign_link_domains,
    from_authenticated,
    from_domain,
    host_lookalike,
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

# words that name a function, not an organisation: "Amazon Support Team" claims to be Amazon itself
_GENERIC = re.compile(r"(?i)\b(team|support|services?|security|customer|care|accounts?|notifications?|alerts?|official|"
                      r"info(rmation)?|help|cent(er|re)|desk|online|billing|no-?reply|mail|admin|update|"
                      r"verification|department|dept|japan|jp|co|inc|ltd|corp|the|of|via|your|and|&|news|"
                      r"newsletter|sicherheit|kundenservice|kundendienst|suporte|atendimento|seguran[cç]a|"
                      r"seguridad|s[eé]curit[eé]|service client|equipe|equipo|klantenservice|klant\w*)\b"
                      r"|カスタマー|サポート|センター|事務局|公式|お知らせ|株式会社|サービス|[\W\d_]+")
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
        if where == "subject" and not disguised and _chatting(ctx, brand, word):
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
        if sender and not is_free_email(sender) and not _VIA.search(ctx.facts.from_.display_name) and \
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


_VIA = re.compile(r"\s+via\s+\S+\s*$", re.I)  # "Name via List": the list's rewrite, not the sender's
_FORWARD = re.compile(r"\s*(fwd?|fw|tr|wg|rv|enc|転送)\s*:", re.I)


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


# what an account notice says and a shop's campaign does not ("verify", "アカウント", "停止"); paying
# is both's topic ("PayPayでのお支払いで10%還元"), a problem with it only the notice's
_ACCOUNT_WORDS = re.compile(r"(?i)\b(account|verif|confirm|suspend|locked|unusual|sign[- ]?in|log[- ]?in|password|"
                            r"refund|security|expire|unlock|restrict|declined|failed|overdue|unpaid)"
                            r"|アカウント|確認|停止|制限|凍結|ログイン|パスワード|本人|認証|更新|不正|問題|失敗|未払|"
                            r"滞納|できません|エラー|セキュリティ|重要|至急|緊急|失効|期限")
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
    rest = normalise(ctx.facts.from_.display_name if ctx.facts.from_ else "").replace(word, " ")
    return bool(_RESELLER.search(rest)) and bool(_GENERIC.sub("", _RESELLER.sub(" ", rest)).strip(" ()（）・-"))


_PRIZE_JA = re.compile(r"当選|賞金|賞品|プレゼント|特典|還元|キャンペーン")


# what makes a subject an account notice even in a colleague's words (renewals and checks are not)
_NOTICE_WORDS = re.compile(r"アカウント|停止|制限|凍結|ログイン|パスワード|本人|認証|不正|未払|滞納|失効|"
                           r"セキュリティ|至急|緊急|問題|支払い?方法")
# and a text that sends you to type your credentials
_CREDENTIAL_WORDS = re.compile(r"(?i)ログイン|パスワード|暗証|本人確認|カード情報|アカウント情報"
                               r"|\b(sign[- ]?in|log[- ]?in|password|verify)\b")


def _chatting(ctx: CheckContext, brand: Brand, word: str) -> bool:
    """A person writing under their own authenticated address about a brand: a friend from a Gmail box
    ("楽天カードの件", "PayPayで送金したよ"), a colleague or a vendor ("Microsoft Teams会議の件", "Microsoft
    365 ライセンス更新のお見積り"). No link away from the brand but to the sender's own site; no heading
    and no subject that is the brand alone; no notice or prize word in the subject unless there is
    nothing to click or open ("PayPal payment received" between people); no link beside a request for
    credentials and no toll-free number to call (the callback scam's receipt)."""
    facts = ctx.facts
    subject = normalise(facts.subject)
    sender = from_domain(ctx)
    head = facts.text[:1500]
    nothing_to_act_on = not any(link.clickable for link in facts.links) and not facts.attachments
    return from_authenticated(ctx) and not [d for d in foreign_link_domains(ctx, brand) if d != sender] \
        and (nothing_to_act_on or not (_NOTICE_WORDS.search(subject) or LURE.search(subject)
                                       or _PRIZE_JA.search(subject))) \
        and not _HEADING.match(subject) and not _pure_claim(ctx, word, "subject") \
        and not TOLL_FREE.search(facts.text[:3000]) \
        and not (_CREDENTIAL_WORDS.search(head) and any(link.clickable for link in facts.links))


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
        name = ctx.facts.from_.display_name if ctx.facts.from_ else ""
        if _GENERIC.sub("", normalise(name)).strip():
            return False
        text = ctx.facts.subject
    elif where == "display_name" and ctx.facts.from_ is not None:
        text = _VIA.sub("", ctx.facts.from_.display_name)
    else:
        return False
    rest = normalise(text).replace(word, " ").replace("_", " ")
    return not _GENERIC.sub("", rest).strip()


_ADDRESS_IN_NAME = re.compile(r"[\w.+-]+@([\w-]+(?:\.[\w-]+)+)|(?<![\w@.-])((?:[\w-]+\.)+[a-z]{2,})(?![\w.-])",
                              re.I)


@check(
    "sender.display_name_spoof", "medium", 2.5,
    variants={"brand": 5.0, "other": 2.0},
    title=T("The sender's name shows a different address or domain",
            "差出人名に別のアドレスやドメインが書かれています"),
    detail=T("The display name shows “{shown}”, but the mail is actually from {address}.",
             "差出人名には「{shown}」と表示されていますが、実際の差出人は {address} です。"),
    reason=T("its sender name pretends to be {shown}", "差出人名で {shown} を装っています"),
)
def display_name_spoof(ctx: CheckContext) -> Iterator[Hit]:
    f = ctx.facts.from_
    if f is None or not f.display_name:
        return
    # read through invisible characters and joiners sprinkled between the letters ("s͏e͏r͏v͏i͏c͏e͏@…")
    for m in _ADDRESS_IN_NAME.finditer(normalise(f.display_name[:300])):
        shown = (m.group(1) or m.group(2) or "").lower()
        reg = registrable_domain(shown)
        if not reg or reg == registrable_domain(f.domain):
            continue
        look = host_lookalike(ctx, shown)  # a look-alike of a brand's domain shown as the sender
        brand = owner_of(reg) or (look.brand if look else None)
        yield Hit(evidence={"shown": m.group(0), "shown_domain": reg, "address": f.address},
                  severity="high" if brand else None, variant="brand" if brand else "other")
        return


# the labels that mark a public-sector or academic domain (dicle.edu.tr, interior.gov.pk, anambaskab.go.id,
# harvard.edu, u-tokyo.ac.jp, city.chiba.lg.jp, comune.camaiore.lu.it): institutions that give staff
# mailboxes and answer from them
_INSTITUTION_LABELS = frozenset({"edu", "ac", "ed", "gov", "go", "lg", "gob", "gouv", "govt", "gv", "mil", "sch",
                                 "k12", "comune"})
_ASCII_WORD = re.compile(r"[a-z]{3,}")


def _institution(domain: str) -> bool:
    return not _INSTITUTION_LABELS.isdisjoint(domain.split("."))


def _naming_words(text: str) -> list[str]:
    """The lower-case ASCII words of TEXT that name a person or an organisation, not a function."""
    return [w for w in _ASCII_WORD.findall(text) if not _GENERIC.fullmatch(w)]


def mailbox_words(address: str) -> list[str]:
    """The naming words of ADDRESS's mailbox name."""
    return _naming_words(address[:320].split("@")[0])


def borrowed_mailbox(name: str, sender: str, reply: str) -> bool:
    """Sent from a staff mailbox of an institution, or under a name that belongs to the reply mailbox
    ("Alice Walton" <support@…> answered at alicewalton7549@gmail.com) — and the reply mailbox is not
    the sending mailbox's owner's own free address (nurcan.akgunes@… answered at nurcan.akgunes@gmail).
    SENDER and REPLY are lower-cased addresses (model.Address)."""
    name, sender, reply = name[:200], sender[:320], reply[:320]  # a display name, an address: no more
    words = _naming_words(name.lower())
    reply_local = reply.split("@")[0]
    if any(w in reply_local for w in mailbox_words(sender)):
        return False  # the same person's own address
    in_reply = any(w in reply_local for w in words)
    if in_reply and any(w in sender for w in words):
        return False  # the name is the sending mailbox's or its organisation's ("Shop" <news@shop.example>)
    return in_reply or _institution(sender.rsplit("@", 1)[-1])


@check(
    "sender.reply_to_mismatch", "low", 1.5,
    variants={"free_mail": 2.5, "throwaway": 3.0, "hijacked": 4.0},
    title=T("Replies go to a different domain", "返信先が別のドメインになっています"),
    detail=T("Replies would go to {reply_to}, not to the sender's domain {from_domain}.",
             "返信すると差出人のドメイン {from_domain} ではなく {reply_to} に届きます。"),
    reason=T("replies go to {reply_to}", "返信先が {reply_to} です"),
)
def reply_to_mismatch(ctx: CheckContext) -> Iterator[Hit]:
    facts = ctx.facts
    if facts.from_ is None or not facts.reply_to or by_list(ctx):
        return
    sender = from_domain(ctx)
    for addr in facts.reply_to[:5]:
        reg = registrable_domain(addr.domain) or addr.domain
        if not reg or reg == sender:
            continue
        a, b = owner_of(reg), owner_of(sender)
        if (a and a is b) or one_organisation(reg, sender):
            continue
        free = is_free_email(reg) and not is_free_email(sender)
        # replies to a throwaway domain: machine-made or under an abused ending, where nobody keeps
        # an organisation's mailbox (the person behind a relayed notification, a scam's real desk)
        throwaway = not popular_rank(reg) and bool(_machine_made(addr.domain.lower()) or suspicious_tld(reg))
        # a staff mailbox of a university or public office, or a mailbox under another person's name,
        # that asks for replies at free mail: the account is borrowed, the scammer reads the free one
        hijacked = free and borrowed_mailbox(facts.from_.display_name, facts.from_.address, addr.address)
        variant = "hijacked" if hijacked else "free_mail" if free else "throwaway" if throwaway else None
        evidence = {"reply_to": addr.address, "from_domain": sender, "free_email": free, "throwaway": throwaway,
                    "hijacked": hijacked}
        detail = {"hijacked": _HIJACKED_DETAIL, "throwaway": _THROWAWAY_DETAIL}.get(variant or "")
        yield Hit(evidence=evidence, severity="high" if hijacked else "medium" if variant else None,
                  variant=variant, detail=fmt(detail, **evidence) if detail else None)
        return


_HIJACKED_DETAIL = T(
    "Replies would go to the free-mail address {reply_to}, not to {from_domain}. The mail is sent from an "
    "institution's staff mailbox or under someone else's name, and only the reply address belongs to the "
    "writer: a hijacked account used to carry a scam while the answers go to the scammer.",
    "返信すると {from_domain} ではなく、フリーメールの {reply_to} に届きます。大学・官公庁などの職員用"
    "アドレスや別人名義のアドレスから送られ、書き手のものは返信先だけです。乗っ取られたアカウントで詐欺メール"
    "を送り、返事は詐欺師が受け取る手口です。")

_THROWAWAY_DETAIL = T(
    "Replies would go to {reply_to}, not to the sender's domain {from_domain} — and that domain looks "
    "throwaway (machine-made, or under an ending abused for spam), not like an organisation's mailbox.",
    "返信すると差出人のドメイン {from_domain} ではなく {reply_to} に届きます。しかもそのドメインは、組織の"
    "メールアドレスではなく使い捨てのもの（機械的に生成された名前か、迷惑メールに多用される末尾）に見えます。")


@check(
    "sender.self_spoof", "high", 5.0,
    title=T("Pretends to come from your own address", "あなた自身のアドレスから送られたように装っています"),
    detail=T("The From address is your own ({address}), but the message was not authenticated as "
             "coming from your domain. Senders forge this to suggest your account was hacked.",
             "差出人があなた自身のアドレス（{address}）になっていますが、あなたのドメインから送られたことは"
             "認証されていません。アカウントが乗っ取られたと思わせるための偽装です。"),
    reason=T("it forges your own address as the sender", "あなた自身のアドレスを差出人に偽装しています"),
)
def self_spoof(ctx: CheckContext) -> Iterator[Hit]:
    f, recipient = ctx.facts.from_, ctx.facts.recipient
    if f is not None and recipient and f.address == recipient.lower() and (evidence := _disowned(ctx)):
        yield Hit(evidence=evidence)


def _disowned(ctx: CheckContext) -> dict[str, str] | None:
    """The From address's evidence when checks ran and none vouched for it (not a list, not the
    account's own authenticated submission): None otherwise."""
    facts = ctx.facts
    if facts.from_ is None or from_authenticated(ctx):
        return None
    if not (facts.auth.results or facts.auth.received_spf) or facts.is_list:
        return None  # nobody checked: "could not check" is not "unauthenticated"
    if facts.origin.authenticated:
        return None  # submitted through the provider with the account's credentials: not a forgery
    return {"address": facts.from_.address, "spf": result_of(ctx, "spf") or "unknown",
            "dmarc": result_of(ctx, "dmarc") or "unknown"}


@check(
    "sender.colleague_spoof", "medium", 3.0,
    title=T("Pretends to come from your own organisation", "あなたの組織のアドレスから送られたように装っています"),
    detail=T("The From address {address} is at your own organisation's domain {domain}, but the message was "
             "not authenticated as coming from it (SPF {spf}, DMARC {dmarc}). Attackers forge a colleague's or "
             "a department's address, often through the organisation's own inbound gateway, to borrow its "
             "trust; confirm with the person by another channel before acting on it.",
             "差出人 {address} はあなたの組織のドメイン {domain} のアドレスですが、そのドメインから送られたことは"
             "認証されていません（SPF {spf}、DMARC {dmarc}）。攻撃者は同僚や部署のアドレスを、組織自身の受信"
             "ゲートウェイ経由などで偽装して信用を借ります。対応する前に、別の手段で本人に確認してください。"),
    reason=T("it forges an address of your own organisation", "あなたの組織のアドレスを偽装しています"),
)
def colleague_spoof(ctx: CheckContext) -> Iterator[Hit]:
    # another address at the reader's organisation: not at a free-mail provider, where strangers share the
    # domain, and only where the reader is known from the account or the delivery, not from To — bulk
    # mail writes its own domain's addresses in To and reaches its readers by Bcc
    f, recipient = ctx.facts.from_, (ctx.facts.delivered_to or "").lower()
    domain = recipient.rpartition("@")[2]
    if f is None or not domain or f.address == recipient or f.domain != domain or is_free_email(domain):
        return
    if evidence := _disowned(ctx):
        yield Hit(evidence={**evidence, "domain": domain})


@check(
    "sender.lookalike_domain", "high", 5.0,
    title=T("The sender's domain imitates a brand's", "差出人のドメインがブランドのドメインに似せてあります"),
    detail=T("{domain} looks like {official} ({brand_name}) but is not theirs ({kind}).",
             "{domain} は {brand_name_ja} の {official} に似ていますが、別物です（{kind_ja}）。"),
    reason=T("it is sent from {domain}, a look-alike of {brand_name}",
             "{brand_name_ja}に似せたドメイン {domain} から送られています"),
)
def sender_lookalike(ctx: CheckContext) -> Iterator[Hit]:
    f = ctx.facts.from_
    if f is None or not f.domain:
        return
    la = host_lookalike(ctx, f.domain)
    if la:
        yield Hit(evidence={"domain": f.domain, "brand": la.brand.key, "brand_name": la.brand.name,
                            "brand_name_ja": la.brand.name_ja,
                            "official": la.official, "kind": la.kind, "kind_ja": KIND_JA[la.kind]})


KIND_JA = {"homoglyph": "似た文字の置き換え", "typo": "綴りの違い", "combo": "ブランド名に語を足したもの",
           "tld_swap": "トップレベルドメインの差し替え", "brand_in_subdomain": "サブドメインにブランド名",
           "suffix_in_subdomain": "サブドメインにブランド名と「.co.jp」などのドメイン末尾",
           "mangled_in_subdomain": "サブドメインにブランド名を崩した綴り"}


@check(
    "sender.random_domain", "low", 1.5,
    variants={"envelope": 1.5},
    title=T("The sender's domain looks machine-generated", "差出人のドメインが機械的に生成されたように見えます"),
    detail=T("{domain} looks like a random string, typical of throwaway domains registered in bulk.",
             "{domain} はランダムな文字列に見えます。使い捨てで大量に取得されるドメインの特徴です。"),
    reason=T("it comes from a random-looking domain ({domain})",
             "ランダムな文字列のドメイン（{domain}）から送られています"),
)
def sender_random_domain(ctx: CheckContext) -> Iterator[Hit]:
    host = ctx.facts.from_.domain.lower() if ctx.facts.from_ else ""
    kind = _machine_made(host)
    if kind:
        yield Hit(evidence={"domain": from_domain(ctx) if kind == "domain" else host})
        return
    # the envelope (Return-Path, where bounces go) on a random domain of its own: bulk senders rotate
    # throwaway bounce domains behind a presentable From; an organisation's bounces go to its own
    # domain or to its mail service's well-known one (and a list's to the list: lists rewrite it)
    envelope = domain_of(ctx.facts.return_path)[:MAX_HOST]
    reg = registrable_domain(envelope) or envelope
    sender = from_domain(ctx)
    if not envelope or not sender or reg == sender or by_list(ctx) or one_organisation(reg, sender):
        return
    kind = _machine_made(envelope)
    if kind:
        evidence = {"domain": reg if kind == "domain" else envelope, "from_domain": sender}
        yield Hit(evidence=evidence, variant="envelope", detail=fmt(_ENVELOPE_DETAIL, **evidence))


_ENVELOPE_DETAIL = T(
    "The mail shows {from_domain} as its sender, but its bounces go to {domain}, a random string unrelated to "
    "it: bulk senders rotate throwaway envelope domains behind a presentable From.",
    "差出人は {from_domain} と表示されていますが、配送エラーの戻り先（エンベロープ）は無関係でランダムな文字列の "
    "{domain} です。迷惑メール業者は見せかけの差出人の裏で使い捨てのドメインを次々に使います。")


def _machine_made(host: str) -> str | None:
    """Whether HOST is a random-looking domain ("domain"), or a random name under an unknown domain
    ("asdhbsvjldmopsfj10.zindagitech.live": "subdomain"); a mail service's numbered hosts sit under
    its own, well-known domain."""
    reg = registrable_domain(host) or host
    if not reg or is_free_email(reg) or owner_of(reg):
        return None
    if looks_random(reg.split(".")[0]):
        return "domain"
    if popular_rank(reg) or not host.endswith("." + reg):
        return None
    if any(len(label) >= 6 and looks_random(label) for label in host[:-len(reg) - 1].split(".")[:5]):
        return "subdomain"
    return None


_MARKS = str.maketrans("", "", "®™©–—’")  # trading names carry these; they are not another script
# words of a trading name: a name with one of these presents an organisation, not a person
_TRADING = re.compile(r"(?i)\b(shop|store|warranty|insurance|savings?|deals?|offers?|services?|center|centre|care|"
                      r"team|network|solutions|support|alerts?|protection|security|bonus|rewards?|quotes?|health|"
                      r"energy|finance|loans?|cash|club|official|buyers?|professionals|experts?|specialists?|"
                      r"platform|helpdesk|department|notifications?|billing|customer|delivery|orders?)\b")


@check(
    "sender.name_unrelated", "low", 1.5,
    variants={"bare": 1.0},
    title=T("The sender's trading name has nothing to do with its domain",
            "差出人の名乗る事業者名とドメインが無関係です"),
    detail=T("The mail presents itself as “{name}”, but comes from {domain}, a domain that shares no word "
             "with that name. Businesses send from domains with their own name; bulk mailers rent or "
             "hijack unrelated ones.",
             "「{name}」と名乗っていますが、送信元の {domain} はその名前と一語も共通しないドメインです。事業者は"
             "自社名のドメインから送ります。迷惑メール業者は無関係なドメインを借りたり乗っ取ったりして使います。"),
    reason=T("it trades as “{name}” from the unrelated domain {domain}",
             "「{name}」を名乗りながら無関係なドメイン {domain} から送られています"),
)
def name_unrelated(ctx: CheckContext) -> Iterator[Hit]:
    found = unrelated_name(ctx)
    if found:
        name, _words, variant = found
        yield Hit(evidence={"name": name, "domain": ctx.facts.from_.domain}, variant=variant)


def unrelated_name(ctx: CheckContext) -> tuple[str, list[str], str | None] | None:
    """The organisation's name the sender trades under when its domain shares no word with it:
    (name, the name's words, "bare" for a lone name or None). Memoised: link checks ask too."""
    def compute() -> tuple[str, list[str], str | None] | None:
        facts = ctx.facts
        f = facts.from_
        # a list names itself in List-Id and may rewrite From ("Author via List"); bulk senders add
        # List-Unsubscribe too, which must not excuse them
        if f is None or not f.domain or facts.list_id or is_free_email(f.domain) or owner_of(f.domain):
            return None
        name = f.display_name.strip()
        if not name.translate(_MARKS).isascii():
            return None  # a script whose words cannot be compared with a domain
        domain = f.domain.lower().replace("-", "")
        if not _TRADING.search(name):
            # a lone name ("Exodus", "KetoXplode") on a designed page: an organisation's name, which
            # its own domain would carry — a person's name would stand in their address instead
            word = re.sub(r"[\W_]+", "", name.translate(_MARKS)).lower()
            local = f.address.split("@")[0].lower()
            if " " not in name and len(word) >= 4 and word.isalpha() and facts.html and facts.links and \
                    word not in local and word not in domain and not _GENERIC.fullmatch(word):
                return name[:80], [word], "bare"
            return None
        words = [w.lower() for w in re.findall(r"[A-Za-z0-9]{3,}", _VIA.sub("", name))]
        distinctive = [w for w in words if not _GENERIC.fullmatch(w) and not _TRADING.fullmatch(w)]
        if distinctive and not any(w in domain for w in words):
            return name[:80], distinctive, None
        return None
    return ctx.memo("sender.unrelated_name", compute)


# stray punctuation around a sender name — "-Bezorging-van-NL", "~..Entrega perdida..", "DIE Lösung!,",
# '""-PaymentRejected~""' — or a serial number in it ("BB - Restitua seu IRPF [1581188227855]", "Your Order
# #6541"): left by senders who vary the name per copy to slip past filters
_NAME_NOISE = re.compile(r"""^\s*["']*\s*[-~.*#_]|""|[,(~]["'\s]*$|\d{5,}|#\d{3,}""")


@check(
    "sender.name_noise", "medium", 2.0,
    title=T("Stray punctuation or a serial number in the sender's name",
            "差出人名に不自然な記号や番号が付いています"),
    detail=T("The sender's name “{name}” is padded with stray punctuation or carries a serial number. Bulk "
             "senders vary the name of every copy like this so that filters do not recognise them; "
             "people and companies go by their names.",
             "差出人名「{name}」に不自然な記号や番号が付いています。一斉送信でフィルターに認識されないよう、"
             "1通ずつ名前を変える手口です。人や企業は名前だけを名乗ります。"),
    reason=T("its sender name is padded with stray punctuation or numbers",
             "差出人名が不自然な記号や番号で飾られています"),
)
def name_noise(ctx: CheckContext) -> Iterator[Hit]:
    f = ctx.facts.from_
    if f is not None and f.display_name and _NAME_NOISE.search(f.display_name[:200]):
        yield Hit(evidence={"name": f.display_name[:80]})


# The marks a self-hosted bulk-mail program leaves: its tracking and unsubscribe paths, its
# Feedback-ID. MailWizz names campaigns, lists and subscribers by 13-character ids.
_MAILWIZZ_PATH = re.compile(r"/campaigns/[a-z0-9]{13}/(?:track-url|track-opening|report-abuse)/"
                            r"|/lists/[a-z0-9]{13}/unsubscribe/", re.I)
_HEADER_URL = re.compile(r"https?://([^/\s<>]+)(/[^\s<>]*)")
_MAILWIZZ_FEEDBACK = re.compile(r"^\s*[a-z0-9]{13}:[a-z-]+:[a-z0-9]{13}:[a-z0-9]{13}\s*$", re.I)


@check(
    "sender.self_hosted_mailer", "medium", 2.5,
    title=T("Sent by a bulk-mail program on the sender's own server",
            "送信者自身のサーバーの一斉送信ソフトから送られています"),
    detail=T("This mail was sent with {software}, a bulk-mail program installed on {host} ({marker}), not through "
             "a mail service. Mail services vet their senders and act on abuse reports; a program on a rented "
             "server answers to nobody, which is how spam and phishing runs with throwaway domains are sent.",
             "このメールは {host} に設置された一斉送信ソフト {software} から送られています（{marker}）。"
             "配信事業者は送信者を審査し苦情に対応しますが、レンタルサーバー上のソフトには誰のチェックも入りません。"
             "使い捨てドメインによる迷惑メールやフィッシングはこうして送られます。"),
    reason=T("it was sent by {software} on the sender's own server",
             "送信者自身のサーバーの {software} から送られています"),
)
def self_hosted_mailer(ctx: CheckContext) -> Iterator[Hit]:
    facts = ctx.facts
    if facts.from_ is None or by_list(ctx) or known_sender(ctx):
        return  # a brand or a widely used domain running its own mailer has a reputation to lose
    for i, link in enumerate(facts.links):
        if link.host and _MAILWIZZ_PATH.search(link.url[:500]):
            yield Hit(evidence={"software": "MailWizz", "host": link.host, "marker": link.url[:120]}, links=[i])
            return
    for name in ("List-Unsubscribe", "X-Report-Abuse"):
        m = _HEADER_URL.search((facts.message.get(name) or "")[:1000])
        if m and _MAILWIZZ_PATH.search(m.group(2)):
            yield Hit(evidence={"software": "MailWizz", "host": m.group(1).lower(),
                                "marker": f"{name}: {m.group(0)[:120]}"})
            return
    feedback = facts.message.get("Feedback-ID") or ""
    if _MAILWIZZ_FEEDBACK.match(feedback[:200]):
        yield Hit(evidence={"software": "MailWizz", "host": facts.from_.domain or "?",
                            "marker": f"Feedback-ID: {feedback.strip()[:60]}"})
