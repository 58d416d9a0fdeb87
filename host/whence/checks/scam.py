"""Scam and bulk-spam hallmarks that are not about a brand: advance-fee stories, prize and survey
lures, being greeted by your e-mail address, a From address that cannot be real.

The phrase groups cover the languages this mail arrives in (English, Japanese, German, Portuguese,
Spanish, French, Dutch); each check needs two independent groups, so one word never decides.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from itertools import pairwise

from ..brands import owner_of
from ..domainlists import free_host, is_free_email, popular_rank
from ..domains import known_tld
from ..i18n import T, fmt
from .common import (
    I_FOR_L,
    LOOKALIKE_SCRIPTS,
    TOLL_FREE,
    TOLL_FREE_DIGITS,
    authenticated_brand,
    by_list,
    css_picture_hosts,
    domain_of,
    from_domain,
    known_sender,
    own_campaign,
    relayed,
)
from .content import _nfkc, _phrases, _rx, _search
from .registry import CheckContext, Hit, check
from .sender import borrowed_mailbox, mailbox_words

_MONEY = _rx(r"(?:[$€£¥]|US\$|USD|EUR|R\$)\s?\d[\d,.]*(?:\s?(?:million|millones|milhões|mil|billion|k|m))?"
             r"|\b\d[\d,.]*\s?(?:million|millones|milhões|millions|mio\.?|billion)\b"
             r"|\d[\d,.]*\s?(?:万|億)?円|\b\d[\d,.]*\s?(?:dollars|euros?|usd|eur)\b")

_ADVANCE_FEE = [
    ("story", _rx(r"\b(beneficiar(y|io)|next of kin|inheritance|heran[cç]a|herencia|erbschaft|late (client|husband"
                  r"|father)|deceased|consignment|compensation fund|unclaimed|dormant account|barrister|attorney at"
                  r"|diplomat|embassy|foreign partner|business proposal|proposta de neg[oó]cio|trusted partner"
                  r"|investment (plan|proposal|opportunity)|financ(e|ing) your (business|project)|loan offer"
                  r"|charity work|donat(e|ion) to you|lottery|winning (number|notification)|won the sum"
                  r"|(your|the) (fund|funds|compensation|atm card|inheritance) (transfer|payment|release)"
                  r"|atm (visa )?card|western union|moneygram|reply back|bank draft|mining balance"
                  r"|(urgent|confidential|huge|lucrative|private) business "
                  r"(dealing|transaction|proposal|deal|magnitude)"
                  r"|seek your (consent|assistance|cooperation|partnership)|project financ\w*|investment of a"
                  r"|proposta de (investimento|parceria)|propuesta de (inversi[oó]n|negocio)"
                  r"|fundos n[aã]o reclamados|fondos no reclamados|fonds non r[eé]clam[eé]s|falecido|fallecido"
                  r"|d[eé]c[eé]d[eé]|advogado pessoal|abogado personal|avocat personnel|parente mais pr[oó]ximo"
                  r"|pariente m[aá]s cercano|herdeiro|heredero|h[eé]ritier|need (a )?loans?|give out loans"
                  r"|loans? at (a )?low (interest )?rates?)\b"
                  r"|遺産|相続人|受取人|投資(案件|のご提案)|融資のご案内|当選(金|しました)")),
    ("secrecy", _rx(r"\b(strictly confidential|confidential(ity)?|secret|discreet|private (email|matter)"
                    r"|reply (to|via) (my|this) (private )?e-?mail|contact me (via|on|at)|get back to me"
                    r"|your (full )?(name|address|phone|telephone)( number)?|respond urgently|kindly)\b"
                    r"|内密|極秘|ご連絡(ください|をお待ち)")),
]
_PRIZE = [
    ("win", _rx(r"\b(you('ve| have)? (won|been selected|been chosen)|congratulations|winner|claim your (prize|reward"
                r"|gift|bonus)|free (gift|spins)|gift ?card|voucher|gutschein|gewinn(en|spiel)|freispiele|ausgew[aä]hlt"
                r"|herzlichen gl[uü]ckwunsch|parab[eé]ns|pr[eê]mio|ganhe|sorteio|premio|ganaste|cadeau|gagnez"
                r"|f[eé]licitations|gefeliciteerd|gratis|airdrop|welcome bonus|willkommensbonus|no deposit|"
                r"keine einzahlung|casino|jackpot|reward)\b|当選|プレゼント|ギフト券|無料で?(もらえる|進呈)")),
    ("task", _rx(r"\b(survey|questionnaire|umfrage|pesquisa|encuesta|sondage|enqu[eê]te|short (questions|quiz)"
                 r"|take part|participate|mitmachen|participe|claim (now|it|here|your)|click (here|below)|jetzt|agora"
                 r"|confirm|best[aä]tigen|retire|resgate|reclam[ae]|r[eé]clamez|einl[oö]sen|redeem"
                 r"|limited time|only today|nur heute|expires|hurry|act now|in \d+ (hours|stunden|horas))\b"
                 r"|アンケート|今すぐ|期間限定|本日限り")),
]


def _brand_in_own_words(ctx: CheckContext) -> bool:
    """A brand's own authenticated mail in its own words: what a scam story imitates, not the scam."""
    return authenticated_brand(ctx) is not None and not relayed(ctx)


@check(
    "content.advance_fee", "high", 4.5,
    variants={"weak": 3.0},
    title=T("An advance-fee or investment scam story", "前払い詐欺・投資詐欺によくある話です"),
    detail=T("The message tells a story of money waiting for you ({phrases}) and asks you to answer "
             "privately. These stories end in requests for fees or personal data.",
             "あなたに大金が渡るという話（{phrases}）で、個別に返信するよう求めています。最終的に手数料や"
             "個人情報を要求される典型的な詐欺です。"),
    reason=T("it tells an advance-fee scam story", "前払い詐欺によくある話をしています"),
)
def advance_fee(ctx: CheckContext) -> Iterator[Hit]:
    if _brand_in_own_words(ctx):
        return  # a bank's transfer receipt names the payee (受取人) and the amount
    text = _nfkc(ctx)[:1_500]
    found = _phrases(_ADVANCE_FEE, text)
    if "story" not in found:
        return
    money = _MONEY.search(text)
    facts = ctx.facts
    # answers are to go to a free-mail box other than the sender's: the classic set-up
    reply_free = any(is_free_email(a.domain) and a.domain != (facts.from_.domain if facts.from_ else "")
                     for a in facts.reply_to)
    if not (money or len(found) == 2 or reply_free):
        return
    phrases = list(found.values()) + ([money.group(0)] if money else [])
    strong = (money and len(found) == 2) or reply_free
    yield Hit(evidence={"phrases": phrases[:5], "reply_to_free_mail": reply_free},
              severity=None if strong else "medium", variant=None if strong else "weak")


# an address written in the (NFKC) text, also glued to Japanese ("ご連絡はabc@gmail.comまで": ASCII
# classes); not one inside a web address (lore.kernel.org/…/id@gmx.com/) or another address
_TEXT_ADDRESS = re.compile(r"(?<![\w.+/=%@-])([\w.+-]{1,64})@((?:[a-z0-9-]{1,63}\.){1,8}[a-z]{2,24})(?![\w/@-])",
                           re.I | re.A)
# a line that cites another message's author rather than asking you to write ("From: …", "… wrote:")
_CITATION = re.compile(r"^\W*(from|de|von|to|para|à|a|an|cc|sent|envoyé|enviado|差出人|宛先)\s*:"
                       r"|(wrote|schrieb|a écrit|escreveu|escribió)\W*$", re.I)


_CONTACT_TEXT = 3_000


def contact_addresses(ctx: CheckContext) -> list[str]:
    """Free-mail addresses the text gives that are none of the message's own (From, Reply-To, To,
    the recipient's), once each in order: where the writer asks to be answered instead. Read in the
    opening, where a short scam puts it; further down, newsletters and digests list their readers'."""
    def compute() -> list[str]:
        facts = ctx.facts
        text = _nfkc(ctx)[:_CONTACT_TEXT]
        if "@" not in text:
            return []
        # a hostile To may list thousands: the first few are whoever a reply could mean
        own = {a.address for a in [facts.from_, *facts.reply_to[:5], *facts.to[:20]] if a and a.address}
        if facts.recipient:
            own.add(facts.recipient.lower())
        own_words = {w for address in own for w in mailbox_words(address)}
        found: list[str] = []
        for line in text.splitlines():
            if "@" not in line:
                continue
            line = line.strip()
            if line.startswith(">") or _CITATION.search(line[:200]):
                continue  # a quotation, or the header of one
            for m in _TEXT_ADDRESS.finditer(line):
                address = m.group(0).lower()
                if address in found or line[:m.start()].endswith("<") or not is_free_email(m.group(2).lower()):
                    continue  # seen, cited as "Name <address>", or no free mailbox
                local = address.split("@")[0]
                if address not in own and not any(w in local for w in own_words):  # not yours, nor the sender's
                    found.append(address)
            if len(found) >= 3:
                break
        return found
    return ctx.memo("contact_addresses", compute)


@check(
    "sender.contact_elsewhere", "medium", 2.5,
    variants={"hijacked": 4.0},
    title=T("Asks you to write to another, free-mail address", "別のフリーメールアドレスへの連絡を求めています"),
    detail=T("The text asks for answers at {address}, a free-mail mailbox that is neither the sender ({sender}) "
             "nor the reply address. Scams move the conversation to a mailbox the sending account cannot be "
             "traced to.",
             "本文は、差出人（{sender}）でも返信先でもないフリーメールのアドレス {address} への連絡を求めています。"
             "送信元のアカウントからたどれないメールボックスにやり取りを移すのは詐欺の手口です。"),
    reason=T("it asks you to write to {address}", "{address} への連絡を求めています"),
)
def contact_elsewhere(ctx: CheckContext) -> Iterator[Hit]:
    facts = ctx.facts
    if facts.from_ is None or by_list(ctx):
        return  # list posts carry their members' addresses and signatures
    addresses = contact_addresses(ctx)
    if not addresses:
        return
    # sent from an institution's staff mailbox or under the contact mailbox's owner's name: the account
    # is borrowed, and only the free mailbox is the writer's
    hijacked = not is_free_email(facts.from_.domain) and \
        borrowed_mailbox(facts.from_.display_name, facts.from_.address, addresses[0])
    yield Hit(evidence={"address": addresses[0], "sender": facts.from_.address, "hijacked": hijacked},
              severity="high" if hijacked else None, variant="hijacked" if hijacked else None,
              detail=fmt(_CONTACT_HIJACKED_DETAIL, address=addresses[0], sender=facts.from_.address)
              if hijacked else None)


_CONTACT_HIJACKED_DETAIL = T(
    "The text asks for answers at the free-mail address {address}, but the mail is sent from {sender}, an "
    "institution's staff mailbox or one under another person's name: a borrowed account carries the scam, "
    "and the scammer reads the free mailbox.",
    "本文はフリーメールのアドレス {address} への連絡を求めていますが、送信元は {sender}（機関の職員用アドレス、"
    "または別人名義のアドレス）です。乗っ取ったアカウントで詐欺メールを送り、詐欺師はフリーメールの方を読みます。")


@check(
    "content.prize_lure", "medium", 3.0,
    title=T("A prize, bonus or survey lure", "懸賞・ボーナス・アンケートを口実にした誘い文句です"),
    detail=T("The message promises a prize or reward ({phrases}) for a click or a survey — the bait of "
             "survey scams and of phishing for card details.",
             "クリックやアンケートと引き換えに賞品や報酬（{phrases}）を約束しています。アンケート詐欺やカード情報を"
             "狙うフィッシングの餌です。"),
    reason=T("it dangles a prize or bonus", "賞品やボーナスで釣ろうとしています"),
)
def prize_lure(ctx: CheckContext) -> Iterator[Hit]:
    if _brand_in_own_words(ctx) or own_campaign(ctx):
        return  # a brand's or shop's own campaign may promise what it likes: its prizes are its own
    text = _nfkc(ctx)[:1_500]
    found = _phrases(_PRIZE, text)
    if len(found) == 2 and ctx.facts.links:
        yield Hit(evidence={"phrases": list(found.values())})


@check(
    "content.address_as_name", "medium", 2.0,
    title=T("Greets you by your e-mail address", "あなたをメールアドレスで呼んでいます"),
    detail=T("The {where} uses your address ({address}) where a name would be: the sender knows your "
             "address, not you — typical of bulk mail sent to harvested lists.",
             "{where_ja}で名前の代わりにメールアドレス（{address}）が使われています。送信者はあなたの名前を知らず、"
             "収集したアドレスに一斉送信しているだけです。"),
    reason=T("it greets you by your e-mail address", "あなたをメールアドレスで呼んでいます"),
)
def address_as_name(ctx: CheckContext) -> Iterator[Hit]:
    facts = ctx.facts
    rcpt = (facts.recipient or "").lower()
    if not rcpt or "@" not in rcpt or authenticated_brand(ctx):
        return  # a brand's template may name whose mailbox it is ("Invitation: … (taro@example.jp)")
    if rcpt in facts.subject.lower() and not any(  # a calendar names whose invitation it is
            (part.content_type or "").lower() == "text/calendar" for part in facts.message.parts[:50]):
        yield Hit(evidence={"where": "subject", "where_ja": "件名", "address": rcpt})
        return
    # the sender's name is your address: the field a sender fills with its own name, filled per copy
    if facts.from_ is not None and facts.from_.address != rcpt and rcpt in facts.from_.display_name.lower():
        yield Hit(evidence={"where": "sender's name", "where_ja": "差出人名", "address": rcpt})
        return
    head = facts.text[:300].lower()
    if rcpt not in head:
        return  # before the address is made into a pattern: compiling one costs more than the rest
    greeting = re.search(r"(hello|hi|dear|hallo|ol[aá]|bonjour|hola|beste|liebe[r]?)[ ,:]+" + re.escape(rcpt), head)
    if greeting or re.match(r"\s*" + re.escape(rcpt) + r"\s*(様|さま|殿)", head):
        yield Hit(evidence={"where": "greeting", "where_ja": "書き出し", "address": rcpt})


@check(
    "sender.invalid_address", "high", 4.5,
    title=T("The From address cannot be real", "差出人アドレスが実在し得ない形式です"),
    detail=T("The From address “{address}” has no valid domain, so nobody can reply to it and no "
             "domain can vouch for it.",
             "差出人アドレス「{address}」には有効なドメインがなく、返信もできず、どのドメインも送信を保証できません。"),
    reason=T("its From address cannot be real", "差出人アドレスが実在し得ない形式です"),
)
def invalid_address(ctx: CheckContext) -> Iterator[Hit]:
    f = ctx.facts.from_
    if ctx.facts.message.get("From") is None:
        return
    address = f.address if f else ""
    if f is None or not f.domain or "." not in f.domain.strip(".") or not known_tld(f.domain) \
            or address.count("@") > 1:
        yield Hit(evidence={"address": address or "(none)", "domain": from_domain(ctx) or "?"})


# mathematical letters (𝐨𝐩𝐞𝐧), and letters of other scripts and symbol blocks that pass for Latin ones:
# Canadian syllabics (ᑕ ᗩ), Tai Le (ᥣ ᥴ ᥱ), Lisu (ꓮ), circled and squared letters (Ⓐ 🄰), small capitals (ᴀ)
_MATH_ALNUM = re.compile("[\U0001d400-\U0001d7ff\u1400-\u167f\u1950-\u197f\ua4d0-\ua4ff\u24b6-\u24e9"
                         "\U0001f130-\U0001f189\u1d00-\u1d2b]")
_SPACED = re.compile(r"(?<!\S)(?:[^\W\d_] ){4,}[^\W\d_](?!\S)")
# a word's first letter split off, twice or more: "G emeentelijk E nergieadvies", "R ltuaIs W lnactie"
# (not A, I, O, U, Y, which are words of their own)
_SPLIT_INITIAL = re.compile(r"(?<!\w)[B-HJ-NP-TV-XZ] [a-z]{3,}")


@check(
    "content.styled_letters", "medium", 2.5,
    title=T("Letters disguised with look-alike symbols", "装飾文字で書かれた文言があります"),
    detail=T("The {where} is written with look-alike letter symbols or split-up letters (“{sample}”) "
             "that read like normal words but slip past word filters.",
             "{where_ja}が装飾文字・よく似た別の文字や一文字ずつ空けた綴り（「{sample}」）で書かれています。普通の文字に見えますが、迷惑メールの"
             "単語フィルターをすり抜けるための手口です。"),
    reason=T("it disguises words with look-alike letter symbols", "装飾文字で単語を偽装しています"),
)
def styled_letters(ctx: CheckContext) -> Iterator[Hit]:
    facts = ctx.facts
    for where, where_ja, text in (("subject", "件名", facts.subject),
                                  ("sender's name", "差出人名", facts.from_.display_name if facts.from_ else "")):
        found = _MATH_ALNUM.findall(text or "")
        if len(found) >= 2 or _SPACED.search(text or "") or len(_SPLIT_INITIAL.findall(text or "")) >= 2:
            yield Hit(evidence={"where": where, "where_ja": where_ja, "sample": (text or "")[:60]})
            return


@check(
    "sender.free_hosting", "medium", 2.5,
    title=T("Sent from a free hosting or app-platform domain",
            "無料ホスティング／アプリ基盤のドメインから送信されています"),
    detail=T("The sender's domain {domain} is a free subdomain on {service}: anyone can create one in "
             "minutes, and no organisation stands behind it.",
             "差出人のドメイン {domain} は {service} 上の無料サブドメインです。"
             "誰でもすぐに作れ、背後に組織はありません。"),
    reason=T("it is sent from a free subdomain on {service}", "{service} の無料サブドメインから送られています"),
)
def sender_free_hosting(ctx: CheckContext) -> Iterator[Hit]:
    f = ctx.facts.from_
    # the From address, or the envelope sender (Return-Path) that bounces go to
    for domain in (f.domain if f else "", domain_of(ctx.facts.return_path)):
        hit = free_host(domain) if domain else None
        if hit and hit[1] == "subdomain":
            yield Hit(evidence={"domain": domain, "service": hit[0]})
            return


_MARKUP_RESIDUE = re.compile(r"<[^>]{0,60}>|https?://\S+")
_NOT_LETTERS = re.compile(r"[\W\d_]+")


@check(
    "content.image_only", "medium", 2.5,
    title=T("Pictures instead of words", "文章の代わりに画像だけのメールです"),
    detail=T("The message has almost no text ({letters} letters) but shows pictures loaded from the web and "
             "a link: what it says is in the pictures, out of a filter's sight. Real senders write their "
             "message, their address and how to unsubscribe as text.",
             "本文にほとんど文字がなく（{letters} 文字）、Web から読み込む画像とリンクだけでできています。"
             "内容を画像に入れてフィルターから隠す手口です。正規の送信者は本文・所在地・配信停止方法を文字で書きます。"),
    reason=T("it says what it says in pictures, not words", "文章ではなく画像で内容を伝えています"),
)
def image_only(ctx: CheckContext) -> Iterator[Hit]:
    facts = ctx.facts
    if not facts.html or not any(link.source in ("html-a", "html-area") for link in facts.links):
        return
    remote = any(link.source == "html-img" and link.scheme in ("http", "https") for link in facts.links)
    if not (remote or css_picture_hosts(ctx)):
        return
    letters = len(_NOT_LETTERS.sub("", _MARKUP_RESIDUE.sub(" ", facts.text[:5_000])))
    if letters < 150:
        yield Hit(evidence={"letters": letters})


_PLACEHOLDER = re.compile(r"\[(?:username|user_?name|first_?name|name|email)\]|\{\{\s*\w+\s*\}\}|%%\w+%%|\$\{\w+\}"
                          r"|\{(?:first_?name|name|email)\}", re.I)


@check(
    "content.unfilled_template", "low", 1.5,
    title=T("Bulk mail with an unfilled name field", "差し込み欄が埋まっていない一斉送信メールです"),
    detail=T("The text contains a mail-merge placeholder that was never filled in (“{placeholder}”): the "
             "sender does not know who you are.",
             "本文に差し込み用の欄（「{placeholder}」）がそのまま残っています。送信者はあなたが誰かを知りません。"),
    reason=T("it is bulk mail with an unfilled placeholder", "差し込み欄が埋まっていない一斉送信です"),
)
def unfilled_template(ctx: CheckContext) -> Iterator[Hit]:
    m = _PLACEHOLDER.search(ctx.facts.subject + "\n" + ctx.facts.text[:5000])
    if m:
        yield Hit(evidence={"placeholder": m.group(0)})


_WORD = re.compile(r"[^\W\d_]{3,}")


@check(
    "content.mixed_script", "medium", 2.5,
    variants={"i_for_l": 2.5},
    title=T("Words spelt with letters from other alphabets", "他の文字体系の文字を混ぜて綴られた単語があります"),
    detail=T("“{word}” mixes Latin letters with look-alike letters from another alphabet ({scripts}) — a "
             "trick to get brand names and alarm words past filters.",
             "「{word}」はラテン文字に別の文字体系のそっくりな文字（{scripts}）を混ぜて綴られています。ブランド名や"
             "警告文をフィルターに引っかからないようにする手口です。"),
    reason=T("it spells words with look-alike letters from other alphabets",
             "他の文字体系のそっくりな文字で単語を綴っています"),
)
def mixed_script(ctx: CheckContext) -> Iterator[Hit]:
    facts = ctx.facts
    name = facts.from_.display_name if facts.from_ else ""
    for text in (facts.subject, name, facts.text[:3000]):
        if not LOOKALIKE_SCRIPTS.search(text or ""):  # a single-letter class: no word of TEXT has one
            continue
        for m in _WORD.finditer(text or ""):
            word = m.group(0)
            if not LOOKALIKE_SCRIPTS.search(word):
                continue
            latin = sum(c.isascii() for c in word)
            if latin and latin < len(word):
                scripts = sorted({unicodedata.name(c, "?").split()[0] for c in word if not c.isascii()})
                yield Hit(evidence={"word": word[:40], "scripts": scripts[:3]})
                return
    # within one alphabet: a capital I for a small l (common.I_FOR_L)
    for text in (facts.subject, name):
        found = I_FOR_L.search(text or "")
        if found:
            yield Hit(evidence={"word": found.group(0)[:40], "scripts": ["LATIN CAPITAL I for l"]}, variant="i_for_l")
            return


_CAMEL_WORDS = re.compile(r"(?:[A-Z]{1,2}[a-z]{2,})+")
_CODE = re.compile(r"(?<![\w.@-])(?=[A-Z0-9]*\d)(?=[A-Z0-9]*[A-Z])[A-Z0-9]{12,}(?![\w@.-])")
_TOKEN = re.compile(r"(?<![\w/.@])(?=[A-Za-z0-9]*[a-z])(?=[A-Za-z0-9]*[A-Z])(?=[A-Za-z0-9]*\d)?[A-Z"
                    r"a-z0-9]{10,}(?![\w@.-])")


# an uppercase or letters-and-digits tag set off at the very end by a dot, a tab or a run of dots
# (or, for letters-and-digits, of spaces): "… overstapstress.PCOK", "… €250-🏆\t-\tQZTFWBB",
# "Team   .....QN649" — the per-copy tag of a bulk run; real subjects end in words
_TAG = r"([A-Z]{1,3}\d{3,}|[a-z]{2,4}[A-Z]{2,4})"
_TAIL_TAG = re.compile(r"(?:(?:(?<=[^\s.\d])\.|\s\.|\t|\.{2,})[\s.\t-]*([A-Z]{4,}|" + _TAG[1:]
                       + r"|\s{3,}[\s.\t-]*" + _TAG + r")\s*$")


@check(
    "content.subject_token", "low", 1.5,
    title=T("A random tag in the subject or sender name", "件名や差出人名にランダムな識別子が付いています"),
    detail=T("The {where} carries a random string (“{token}”) that bulk senders add so that every copy "
             "looks different to filters.",
             "{where_ja}にランダムな文字列（「{token}」）が付いています。一斉送信で1通ずつ違って見せ、フィルターを"
             "避けるためのものです。"),
    reason=T("its {where} carries a random anti-filter tag",
             "{where_ja}にフィルター回避用のランダムな文字列があります"),
)
def subject_token(ctx: CheckContext) -> Iterator[Hit]:
    facts = ctx.facts
    name = facts.from_.display_name if facts.from_ else ""
    for where, where_ja, text in (("subject", "件名", facts.subject), ("sender's name", "差出人名", name)):
        for m in _TOKEN.finditer(text[:300]):
            token = m.group(0)
            upper = sum(c.isupper() for c in token)
            lower = sum(c.islower() for c in token)
            changes = sum(1 for a, b in pairwise(token) if a.isupper() != b.isupper())
            if upper >= 3 and lower >= 3 and changes >= 4 and not re.search(r"[a-z]{5,}", token) and \
                    not _CAMEL_WORDS.fullmatch(token):  # "AreYouLoco", "SChoolHouseRocks": words run together
                yield Hit(evidence={"token": token, "where": where, "where_ja": where_ja})
                return
    # a name is words; a code of capitals and digits woven together ("W2BSAGXRAO88YRSRJC") is a tag
    for m in _CODE.finditer(name[:300]):
        code = m.group(0)
        if sum(1 for a, b in pairwise(code) if a.isdigit() != b.isdigit()) >= 3:
            yield Hit(evidence={"token": code, "where": "sender's name", "where_ja": "差出人名"})
            return
    for where, where_ja, text in (("subject", "件名", facts.subject),
                                  ("sender's name", "差出人名", facts.from_.display_name if facts.from_ else "")):
        found = _TAIL_TAG.search((text or "")[-80:])
        if found:
            yield Hit(evidence={"token": found.group(1) or found.group(2), "where": where, "where_ja": where_ja})
            return


_SUBJECT_MONEY = _rx(r"(?:[$€£¥]|R\$|US\$)\s?\d[\d,.]*|\d[\d,.]*\s?(?:[$€£](?!\w)|(?:usd|eur|btc|eth|usdt)\b)"
                     r"|\d[\d,.]*\s?円|(?<![\d.,])\d+[.,]\d+[\s_]*(?:btc|eth)\b")


@check(
    "content.money_subject", "medium", 2.0,
    title=T("A stranger puts money in the subject", "見知らぬ送信者が件名に金額を書いています"),
    detail=T("The subject names a sum (“{amount}”) and the sender ({domain}) is not authenticated as an "
             "organisation you could know — money in the subject is how payment and crypto scams open.",
             "件名に金額（「{amount}」）があり、送信者（{domain}）は認証された組織ではありません。件名に金額を"
             "出すのは支払い詐欺や仮想通貨詐欺の常套手段です。"),
    reason=T("a stranger puts a sum of money in the subject", "見知らぬ送信者が件名に金額を書いています"),
)
def money_subject(ctx: CheckContext) -> Iterator[Hit]:
    m = _SUBJECT_MONEY.search(ctx.facts.subject[:300])
    if not m:
        return
    sender = from_domain(ctx)
    if not is_free_email(sender) and (owner_of(sender) or popular_rank(sender)):
        return  # a known organisation's own mail: prices in subjects are its business
    yield Hit(evidence={"amount": m.group(0), "domain": sender or "?"})


_AMOUNT = r"(?:[$€£¥]|us\$|r\$|usd|eur|brl)\s?\+?\d[\d.,]*|\+?\d[\d.,]*\s?(?:[$€£]|usd|eur|btc|reais|euros?|dollars)"
_CURRENCY = _rx(r"usd|eur|brl|btc|reais|dollars")
_WAITING = _rx(r"(your (account|balance|wallet|score)( already)? (has|is|shows|contains|has been released for)"
               r"|balance of|(you|voc[eê]) (have|has|tem|possui)|tiene[sn]?|sie haben|vous avez"
               r"|saldo (de|dispon[ií]vel)|[aà] restituir|para (receber|resgatar|sacar)|disponible para"
               r"|zur auszahlung|[aà] recevoir|claim (back )?(tot|up to|bis zu|jusqu'[aà]|at[eé]|hasta))"
               r"\W{0,3}(?:\S+\s){0,3}?\W{0,2}(" + _AMOUNT + ")")


@check(
    "content.money_waiting", "medium", 2.5,
    title=T("A stranger says money is waiting for you", "見知らぬ送信者が、あなたのお金が待っていると言っています"),
    detail=T("The message says a sum is yours (“{phrase}”) — a balance, a refund, a payout — but the sender "
             "is not an organisation that could hold your money. Promised money is the hook of advance-fee, "
             "fake-refund and crypto-balance scams.",
             "「{phrase}」と、残高・還付・払い戻しなどのお金があなたのものだと書いていますが、送信者はあなたのお金を"
             "預かり得る組織ではありません。約束されたお金は前払い詐欺・偽の還付・仮想通貨残高詐欺の餌です。"),
    reason=T("a stranger says money is waiting for you", "見知らぬ送信者があなたのお金が待っていると言っています"),
)
def money_waiting(ctx: CheckContext) -> Iterator[Hit]:
    text = _nfkc(ctx)[:2_000]
    lower = text.lower()
    if not any(c in text for c in "$€£¥") and not _search(_CURRENCY, text, lower):
        return  # most mail names no sum: skip the costlier phrase search
    m = _search(_WAITING, text, lower)
    if m and not known_sender(ctx):
        yield Hit(evidence={"phrase": " ".join(m.group(0).split())[:80]})


_CRYPTO = _rx(r"\b(bitcoins?|btc|ethereum|usdt|usdc|erc-?20|trc-?20|cryptocurrenc(y|ies)|criptomoedas?|criptomonedas?"
             r"|kryptow[aä]hrung(en)?|airdrops?|xrp|blockchain|nfts?|staking|metamask|trust ?wallet|seed phrase"
             r"|recovery phrase|digital assets|crypto (wallet|assets|account|tokens?)|(escrowed|reserve) tokens)\b"
             r"|仮想通貨|暗号資産|ビットコイン")
_GAIN = _rx(r"\b(claim(ed|ing)?|withdraw(al|als|ing|n)?|allocation|eligible|bonus|free|rewards?|balance|payout|mining|"
            r"verif(y|ied|ication)|suspend(ed)?|redeem|distribution|redistribution|earn(ed|ings?)?|giveaway|profits?|"
            r"cash (out|the funds)|saldo|resgat\w+|sacar|retirar|gr[aá]tis|auszahlung|guthaben|gewinn)\b"
            r"|受け取|出金|残高|無料|ボーナス|報酬|配布")


@check(
    "content.crypto_lure", "medium", 3.5,
    title=T("Crypto money on offer or at risk", "仮想通貨がもらえる・失われると持ちかけています"),
    detail=T("The message talks of cryptocurrency ({crypto}) together with {gain}: a balance to withdraw, tokens "
             "to claim, a wallet to verify. Give-aways, forgotten mining balances and wallet checks are how "
             "crypto scams and wallet-draining phishing open; nobody hands out crypto by e-mail.",
             "仮想通貨（{crypto}）の話に「{gain}」といった言葉が並んでいます。引き出せる残高、受け取れるトークン、"
             "ウォレットの確認などは、仮想通貨詐欺やウォレットを乗っ取るフィッシングの入り口です。メールで仮想通貨を"
             "配る人はいません。"),
    reason=T("it dangles cryptocurrency ({crypto})", "仮想通貨（{crypto}）で釣ろうとしています"),
)
def crypto_lure(ctx: CheckContext) -> Iterator[Hit]:
    # what the message says, and what its attachments are called ("Mining_balance_0.7495_BTC.pdf")
    names = " ".join(a.filename or "" for a in ctx.facts.attachments[:10]).replace("_", " ")
    text = _nfkc(ctx)[:1_500] + ("\n" + names if names else "")
    crypto = _search(_CRYPTO, text, text.lower())
    if not crypto:
        return
    gains = list(dict.fromkeys(m.group(0).lower() for m in _GAIN.finditer(text)))
    if len(gains) < 2:
        return
    if known_sender(ctx):
        return  # an exchange's own authenticated mail about your balance is its business
    yield Hit(evidence={"crypto": crypto.group(0), "gain": ", ".join(gains[:3])})


@check(
    "content.callback_lure", "medium", 3.0,
    title=T("A charge to dispute by phone, with no link", "電話で取り消すよう求める請求で、リンクがありません"),
    detail=T("The message reports a payment or renewal ({amount}) and gives a telephone number ({phone}) as the "
             "only way to act; it has no link at all. Real receipts link to your account. This is callback "
             "phishing: the “support agent” who answers talks you into installing remote-access software or "
             "paying a “refund”. Never call a number from such a mail; look up the company yourself.",
             "支払いや自動更新（{amount}）を知らせ、対応する手段として電話番号（{phone}）だけを示しており、"
             "リンクがひとつもありません。本物の領収書はあなたのアカウントへリンクします。これは電話をかけさせる"
             "詐欺（コールバック型フィッシング）で、電話に出た「サポート担当」が遠隔操作ソフトを入れさせたり"
             "「返金」名目で送金させたりします。メールの番号には電話せず、会社の連絡先を自分で調べてください。"),
    reason=T("it wants you to phone {phone} about a charge", "請求について {phone} に電話させようとしています"),
)
def callback_lure(ctx: CheckContext) -> Iterator[Hit]:
    # a link, a list, or a sender with a reputation of its own: mail of another kind
    if any(link.clickable for link in ctx.facts.links) or ctx.facts.is_list or known_sender(ctx):
        return
    text = _nfkc(ctx)
    phone = TOLL_FREE.search(text) if any(d in text for d in TOLL_FREE_DIGITS) else None
    amount = _MONEY.search(text) if phone else None
    if phone and amount:
        yield Hit(evidence={"phone": phone.group(0).strip(), "amount": amount.group(0).strip().rstrip(".,")})


_TOPICS = [
    ("gambling", _rx(r"\b(casino|(casino|deposit|cashback) bonus|wager(s|ing)?|"
                     r"free ?spins|freispiele|jackpot|slots?|roulette|betting|sportsbook|apuestas|cassino|"
                     r"giros gr[aá]tis|no deposit|keine einzahlung|sans d[eé]p[oô]t|welcome bonus|willkommensbonus)\b"
                     r"|[$€£]\s?\d[\d,.]*\s(bonus|free spins)|カジノ|パチンコ")),
    ("dating", _rx(r"\b(singles?|lonely|hot (girls?|women|ladies)|date (me|tonight)|sexy|hookup|dating|"
                   r"ukrainian (girls?|women)|meisjes?|frauen in deiner n[aä]he|encontros|namorad[ao])\b"
                   r"|出会い|人妻|セフレ")),
    ("pharma", _rx(r"\b(viagra|cialis|levitra|erection|erektion|erec[cç][aã]o|potency|potenz|weight loss|abnehmen|"
                   r"keto|fat burn|diet pills?|testosterone|libido|hair loss|cbd gummies|blood sugar|neuropathy)\b"
                   r"|精力剤|ダイエット")),
    ("miracle", _rx(r"\b(miracle|doctors? (hate|are stunned)|one weird trick|secret (trick|method)|this simple (trick|"
                    r"method)|wundermittel|milagre|milagro|gundry|shark tank|h[oö]hle der l[oö]wen|dragons'? den)\b")),
]


_TOPIC_NAMES = {"gambling": ("gambling", "ギャンブル"), "dating": ("dating", "出会い"),
                "pharma": ("pills and potions", "薬・健康食品"), "miracle": ("miracle cures", "奇跡の効果")}


@check(
    "content.spam_topic", "medium", 2.5,
    title=T("A topic of bulk scam mail", "迷惑メール・詐欺メールによくある話題です"),
    detail=T("The message is about {topics} ({phrases}) — the staples of unsolicited bulk mail and the scams "
             "behind it.",
             "このメールの話題（{topics_ja}：{phrases}）は、一方的に送られてくる迷惑メールや、その背後にある"
             "詐欺の定番です。"),
    reason=T("it is about {topics}, a staple of bulk scam mail", "迷惑メールの定番の話題（{topics_ja}）です"),
)
def spam_topic(ctx: CheckContext) -> Iterator[Hit]:
    text = _nfkc(ctx)[:1_500]
    found = _phrases(_TOPICS, text)
    if not found or (len(found) == 1 and len(_hits(_TOPICS, found, text)) < 2):
        return
    names = _TOPIC_NAMES
    yield Hit(evidence={"topics": [names[k][0] for k in found], "topics_ja": "・".join(names[k][1] for k in found),
                        "phrases": list(found.values())[:4]})


def _hits(patterns: list[tuple[str, re.Pattern[str]]], found: dict[str, str], text: str) -> set[str]:
    """Distinct words the found topic's pattern matches (one topic needs two of them)."""
    rx = dict(patterns)[next(iter(found))]
    return {m.group(0).lower() for m in rx.finditer(text)}
