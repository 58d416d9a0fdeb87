"""Who the message claims to be from, against who it demonstrably is."""

from __future__ import annotations

import re
from collections.abc import Iterator

from ..brands import normalise, owner_of
from ..domainlists import is_free_email, popular_rank, suspicious_tld
from ..domains import MAX_HOST, registrable_domain
from ..i18n import T, fmt
from ..wordiness import looks_random
from .common import (
    GENERIC_WORDS,
    VIA,
    by_list,
    domain_of,
    from_authenticated,
    from_domain,
    host_lookalike,
    known_sender,
    one_organisation,
    result_of,
)
from .registry import CheckContext, Hit, check

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
    return [w for w in _ASCII_WORD.findall(text) if not GENERIC_WORDS.fullmatch(w)]


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
        assert ctx.facts.from_ is not None  # unrelated_name() found a name only in a From
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
        word = re.sub(r"[\W_]+", "", name.translate(_MARKS)).lower()  # the name run together
        # the domain's own name may be the short form of the trading name ("ZOZOTOWN" at zozo.jp)
        label = from_domain(ctx).split(".")[0].replace("-", "")
        if len(label) >= 4 and label in word:
            return None
        if not _TRADING.search(name):
            # a lone name ("Exodus", "KetoXplode") on a designed page: an organisation's name, which
            # its own domain would carry — a person's name would stand in their address instead
            local = f.address.split("@")[0].lower()
            if " " not in name and len(word) >= 4 and word.isalpha() and facts.html and facts.links and \
                    word not in local and word not in domain and not GENERIC_WORDS.fullmatch(word):
                return name[:80], [word], "bare"
            return None
        words = [w.lower() for w in re.findall(r"[A-Za-z0-9]{3,}", VIA.sub("", name))]
        distinctive = [w for w in words if not GENERIC_WORDS.fullmatch(w) and not _TRADING.fullmatch(w)]
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
