"""Derived knowledge several checks share, computed once per message and memoised on the context."""

from __future__ import annotations

import itertools
import re
from functools import lru_cache

from ..brands import Brand, _confusables, claimed, lookalike, misspelt, owner_of
from ..domainlists import free_host, is_free_email, popular_rank
from ..domains import registrable_domain
from ..model import AuthResult
from .registry import CheckContext


def auth_results(ctx: CheckContext) -> list[AuthResult]:
    """Provider results, then our re-checks for methods the provider did not report."""
    provider = list(ctx.facts.auth.results)
    if ctx.facts.auth.received_spf and not any(r.method == "spf" for r in provider):
        provider.append(ctx.facts.auth.received_spf)
    methods = {r.method for r in provider}
    return provider + [r for r in ctx.lookups.rechecks if r.method not in methods]


def result_of(ctx: CheckContext, method: str) -> str | None:
    return next((r.result for r in auth_results(ctx) if r.method == method), None)


def domain_of(value: str | None) -> str:
    value = (value or "").strip().strip("<>").lower()
    return value.rsplit("@", 1)[-1] if value else ""


def authenticated_domains(ctx: CheckContext) -> set[str]:
    """Registrable domains that passed SPF or DKIM (per the provider or our re-check)."""
    def compute() -> set[str]:
        out = set()
        for r in auth_results(ctx):
            if r.result != "pass":
                continue
            if r.method == "dkim":
                d = r.props.get("header.d") or domain_of(r.props.get("header.i"))
            elif r.method == "spf":
                d = domain_of(r.props.get("smtp.mailfrom") or r.props.get("envelope-from")
                               or r.props.get("smtp.helo"))
            elif r.method == "dmarc":
                d = domain_of(r.props.get("header.from"))
            else:
                continue
            reg = registrable_domain(d) if d else None
            if reg:
                out.add(reg)
        return out
    return ctx.memo("authenticated_domains", compute)


def from_authenticated(ctx: CheckContext) -> bool:
    """The From domain is vouched for: DMARC pass, or a pass for a domain aligned with From."""
    f = ctx.facts.from_
    if f is None or not f.domain:
        return False
    if result_of(ctx, "dmarc") in ("pass", "bestguesspass"):
        return True
    return registrable_domain(f.domain) in authenticated_domains(ctx)


def from_domain(ctx: CheckContext) -> str:
    f = ctx.facts.from_
    return registrable_domain(f.domain) or f.domain if f and f.domain else ""


def one_organisation(a: str, b: str) -> bool:
    """Two registrable domains of one organisation's name: one's name inside the other's (fool.com and
    motleyfool.com, example.co.jp and example-mail.jp). Free-mail names do not count."""
    x, y = a.split(".")[0], b.split(".")[0]
    short, long_ = sorted((x, y), key=len)
    return len(short) >= 4 and short in long_ and not (is_free_email(a) or is_free_email(b))


def authenticated_brand(ctx: CheckContext) -> Brand | None:
    """The brand whose own domain sent this mail, authenticated (not a free-mail box or a free host's
    subdomain under it). Its words may still be someone else's: see `relayed`. Memoised: five checks ask."""
    def compute() -> Brand | None:
        f = ctx.facts.from_
        if f is None or not from_authenticated(ctx):
            return None
        sender = from_domain(ctx)
        brand = owner_of(sender)
        return brand if brand and not is_free_email(sender) and not free_host(f.domain) else None
    return ctx.memo("authenticated_brand", compute)


def known_sender(ctx: CheckContext) -> bool:
    """The From domain is authenticated and has a reputation: a brand's own or a popular domain,
    not a free-mail box or a customer's name on a shared platform — and the words are its own (see
    `relayed`)."""
    return reputable_sender(ctx) and not relayed(ctx)


def reputable_sender(ctx: CheckContext) -> bool:
    """The From domain is authenticated and has a reputation (a brand's own or a popular domain), not
    a free-mail box or a customer's name on a shared platform; whose words they are, it does not say."""
    f = ctx.facts.from_
    if f is None or not from_authenticated(ctx):
        return False
    sender = from_domain(ctx)
    return bool(owner_of(sender) or popular_rank(sender)) and not is_free_email(sender) and not free_host(f.domain)


_ON_BEHALF = re.compile(r"\(via [^()]{2,60}\)|\s+via\s+\S+\s*$", re.I)


def relayed(ctx: CheckContext) -> bool:
    """A reputable platform's notification that carries someone else's words: a document shared "(via
    Google Docs)", a calendar invitation, a web form's or help desk's auto-reply, whose name or
    Reply-To is the person behind it. The platform is authenticated; the content is not (seed 004).
    Lists relay too, but are recognised as lists."""
    def compute() -> bool:
        f = ctx.facts.from_
        if f is None or by_list(ctx) or not reputable_sender(ctx):
            return False
        if _ON_BEHALF.search(f.display_name or ""):
            return True
        platform = owner_of(from_domain(ctx))
        if _stranger_name(f.display_name or "", from_domain(ctx), platform):
            return True
        for addr in ctx.facts.reply_to[:5]:
            reg = registrable_domain(addr.domain) or addr.domain
            if reg and reg != from_domain(ctx) and not (platform and platform.owns(reg)):
                return True
        return False
    return ctx.memo("relayed", compute)


_NAME_WORD = re.compile(r"[^\W\d_]{2,}")


def _stranger_name(name: str, domain: str, platform: Brand | None) -> bool:
    """A platform's no-reply address under a name the platform's customer chose: an organiser's
    "Support BASE" <noreply@event.eventbrite.com>, not "Eventbrite" or "GitHub" (words of the
    platform's own name or domain) and not a person writing through it ("Jane Doe")."""
    words = [w.lower() for w in _NAME_WORD.findall(name[:200])]
    if not words or not name.isascii():  # 三井住友カード for smbc-card.com: names in other scripts are not read
        return False
    if platform and any(b is platform for b, _ in claimed(name)):
        return False
    own = {domain.split(".")[0], *(platform.name.lower().split() if platform else ())}
    if any(w in own or any(w in o or o in w for o in own if len(o) >= 4 and len(w) >= 4) for w in words):
        return False
    return not (len(words) in (2, 3) and name.istitle() and all(w.isalpha() for w in words))


# brands whose name at the top of a free-mail message is a lure: money, parcels, authorities
MONEY_BRANDS = frozenset({"bank", "card", "payment", "crypto", "government", "logistics", "telecom", "utility"})


# Greek, Cyrillic, Armenian, Cherokee, phonetic Latin, Coptic: alphabets whose letters pass for Latin ones
LOOKALIKE_SCRIPTS = re.compile("[\u0370-\u03ff\u0400-\u04ff\u0530-\u058f\u13a0-\u13ff\uab70-\uabbf"
                                "\u1d00-\u1dbf\u2c80-\u2cff\ua640-\ua69f]")
_MIXED_WORD = re.compile(r"[^\W\d_]*[A-Za-z][^\W\d_]*")


# a capital I for a small l ("WaIIet", "DecIined", "PaypaI"): the same glyph in the sans-serif fonts of
# mail clients; camelCase code ("getItem") never doubles it or ends a word with it
I_FOR_L = re.compile(r"\b[A-Za-z]*(?:[a-z]I[Iil]|[a-z][il]I|[a-z]I(?![A-Za-z]))[A-Za-z]*\b")


def unmask(text: str) -> str:
    """TEXT with the look-alike letters of other alphabets inside Latin words read as the Latin
    letters they imitate (Cyrillic е, Cherokee Ꮮ, Greek ο), a capital I written for a small l read
    as l ("Trust WaIIet") and a small l for a capital I as I ("lRS"); case kept, other words untouched."""
    def fold(m: re.Match[str]) -> str:
        word = m.group(0)
        if word.isascii():
            return word
        return "".join(_latin_twin(ch) if LOOKALIKE_SCRIPTS.match(ch) else ch for ch in word)
    text = _SPACED.sub(lambda m: _SPACE_IN.sub("", m.group(0)), text[:500])
    text = _DOTTED.sub(lambda m: m.group(0)[::2], text)
    text = _DIGITS_IN.sub(_letters_for_digits, text)
    text = _KANA_RUN.sub(lambda m: m.group(0).translate(_KATAKANA_TWINS), text)
    text = _MIXED_WORD.sub(fold, text)
    text = I_FOR_L.sub(lambda m: re.sub(r"(?<=[a-zIl])I", "l", m.group(0)), text)
    return _L_FOR_I.sub("I", text)  # and the other way round: "lRS.GOV"


# a word spelt out letter by letter ("A m a z o n", "楽　天"): four Latin letters or two CJK ones at least
_SPACED = re.compile(r"(?<![^\W\d_])(?:[A-Za-z] ){3,}[A-Za-z](?![^\W\d_])"
                     r"|(?<![\u3040-\u30ff\u4e00-\u9fff])(?:[\u3040-\u30ff\u4e00-\u9fff][ \u3000])+"
                     r"[\u3040-\u30ff\u4e00-\u9fff](?![\u3040-\u30ff\u4e00-\u9fff])")
_SPACE_IN = re.compile(r"[ \u3000]")
# a word spelt out with one mark between its letters ("A.m.a.z.o.n", "P-a-y-P-a-l")
_DOTTED = re.compile(r"(?<![^\W\d_])[A-Za-z]([.\-_*·•])[A-Za-z](?:\1[A-Za-z]){2,}(?![^\W\d_])")
# digits (and the ideographic zero) for letters inside a word of five or more ("AMAZ0N", "Amaz〇n",
# "PayPa1", "Micr0s0ft"): at least four letters, never a word led by a digit (a code, a model number)
_DIGITS_IN = re.compile(r"(?<![\w〇])[A-Za-z](?=[A-Za-z013457〇]{4,}(?![\w〇]))[A-Za-z]*[013457〇][A-Za-z013457〇]*")
_DIGIT_TWINS = {"0": "oO", "〇": "oO", "1": "lI", "3": "eE", "4": "aA", "5": "sS", "7": "tT"}


def _letters_for_digits(m: re.Match[str]) -> str:
    word = m.group(0)
    if sum(ch.isalpha() and ch.isascii() for ch in word) < 4:
        return word
    upper = word.replace("〇", "").isupper()
    return "".join(_DIGIT_TWINS[ch][upper] if ch in _DIGIT_TWINS else ch for ch in word)
# kanji that look like katakana, written inside a katakana word ("メル力リ", "サ一ビス", "三井住友力一ド")
_KATAKANA_TWINS = str.maketrans("力一口工夕卜二八", "カーロエタトニハ")
_KANA_RUN = re.compile(r"[\u30a0-\u30ff力一口工夕卜二八]*[\u30a0-\u30ff][\u30a0-\u30ff力一口工夕卜二八]*")


_L_FOR_I = re.compile(r"(?<![A-Za-z])l(?=[A-Z]{2,}(?![a-z]))")


@lru_cache(maxsize=4096)
def _latin_twin(ch: str) -> str:
    for glyph in _confusables().get(ch, []):  # loaded on first use: its import alone costs 25 ms
        c = glyph.get("c", "")
        if len(c) == 1 and c.isascii() and c.isalpha():
            return c
    return ch


_REPLY = re.compile(r"^\s*((re|aw|sv|antw|r|rif|返信)\s*[:：]|\[(patch|rfc|git pull)\b)", re.I)


def in_thread(ctx: CheckContext) -> bool:
    """A reply within a conversation: a reply or patch subject and the headers that tie it to the
    message it answers. Its words ("Re: ETC account lockup in the driver") are the thread's."""
    m = ctx.facts.message
    return bool(_REPLY.match(ctx.facts.subject or "")) and bool(m.get("In-Reply-To") or m.get("References"))


# click-tracking domains of e-mail service providers: a mismatch through them is how newsletters work
ESP_TRACKERS = frozenset({
    "sendgrid.net", "list-manage.com", "mailchimp.com", "mcsv.net", "rs6.net", "exacttarget.com",
    "awstrack.me", "mailgun.org", "sparkpostmail.com", "hubspotlinks.com", "hs-sites.com", "cmail19.com",
    "cmail20.com", "createsend.com", "mktoweb.com", "mkt.com", "klclick.com", "klclick1.com", "ctrk.klclick.com",
    "sendibt3.com", "sendinblue.com", "brevo.com", "mailjet.com", "mjt.lu", "salesforce.com", "sfmc-content.com",
    "emltrk.com", "postmarkapp.com", "mandrillapp.com", "convertkit-mail.com", "ck.page", "substack.com",
    "benchmarkemail.com", "blastmail.jp", "cuenote.jp", "bme.jp", "hmp.jp", "mpse.jp", "aweber.com",
    "constantcontact.com", "icontact.com", "getresponse.com", "campaign-archive.com", "emlnk.com",
    "ymlp.com", "pardot.com", "ccsend.com", "em.linkedin.com", "safelinks.protection.outlook.com",
    "urldefense.com", "urldefense.proofpoint.com", "mimecast.com",
})


def is_tracker(domain: str) -> bool:
    """DOMAIN is a tracker's or below one (each parent looked up, not each tracker compared)."""
    if domain in ESP_TRACKERS:
        return True
    dot = domain.find(".")
    while dot >= 0:
        if domain[dot + 1:] in ESP_TRACKERS:
            return True
        dot = domain.find(".", dot + 1)
    return False


def origin_unnamed(ctx: CheckContext) -> bool:
    """The provider looked up the origin's name and found none ("unknown [IP]", Postfix and kin);
    formats that never record a name (Exchange, Exim without one) prove nothing."""
    o, i = ctx.facts.origin, ctx.facts.origin.hop_index
    return bool(o.ip and not o.hostname and i is not None and 0 <= i < len(ctx.facts.hops)
                and _UNKNOWN_NAME.search(ctx.facts.hops[i].raw))


_UNKNOWN_NAME = re.compile(r"\(\s*unknown\s*\[", re.I)


def bare_greeting(ctx: CheckContext) -> str | None:
    """The origin's greeting when it is a bare registrable domain ("outlook.com", "amazon.co.jp") and
    the provider recorded no name for the server: what mass mailers copy from the From they forge.
    An organisation's servers greet with host names of their own."""
    o = ctx.facts.origin
    if o.hostname or not o.helo:
        return None
    helo = o.helo.lower().strip("[]").rstrip(".")
    return helo if "." in helo and registrable_domain(helo) == helo else None


def origin_name(ctx: CheckContext) -> str:
    """The origin server's name: its reverse DNS as the provider recorded it, else the name it greeted
    with, unless the provider found it has none (then the greeting is only the sender's word)."""
    o = ctx.facts.origin
    return o.hostname or ("" if origin_unnamed(ctx) else o.helo or "")


# words of a notice that wants something done (English and the languages phishing most often uses)
LURE = re.compile(r"(?i)\b(account|verif|confirm|suspend|locked|unusual|sign[- ]?in|log[- ]?in|password|"
                  r"payment|billing|invoice|refund|security alert|expire|unlock|reward|prize|"
                  r"conta|cuenta|konto|compte|rekening|pagamento|pago|zahlung|paiement|betaling|fatura|factura|"
                  r"rechnung|facture|aviso|compra|entrega|paket|colis|pakket|bloque|gesperrt|suspens|"
                  r"win|gift|voucher|giveaway|bonus|survey|cadeau|gewinn|verlo[st]|sorteio|pr[eê]mio|regalo)")


# toll-free numbers, where callback scams take their calls: North America's 8xx and Japan's 0120/0800
TOLL_FREE = re.compile(r"(?<![\d-])(?:\+?1[\s.-]*)?\(?8(?:00|33|44|55|66|77|88)\)?[\s.-]*\d{3}[\s.-]*\d{4}(?![\d-])"
                       r"|(?<![\d-])(?:0120|0800)[\s-]?\d{2,3}[\s-]?\d{3,4}(?![\d-])")
# digits every number TOLL_FREE reads holds: the regex tries every position of a long text, a text
# without any of these is passed over at C speed
TOLL_FREE_DIGITS = ("800", "833", "844", "855", "866", "877", "888", "0120")


def letterhead(text: str) -> str:
    """The heading lines at the top of a body ("PayPal", "PayPal,LLC", "三井住友カード" over a notice):
    short lines among the first few, without a sentence's punctuation."""
    lines = [line.strip() for line in text[:300].split("\n") if line.strip()][:5]
    return "\n".join(line for line in lines if len(line) <= 40 and not _SENTENCE.search(line))


_SENTENCE = re.compile(r"[、。！？]|[.!?](?:\s|$)")


# words that name a function, not an organisation: "Amazon Support Team" claims to be Amazon itself
GENERIC_WORDS = re.compile(r"(?i)\b(team|support|services?|security|customer|care|accounts?|notifications?|alerts?|"
                           r"official|info(rmation)?|help|cent(er|re)|desk|online|billing|no-?reply|mail|admin|update|"
                           r"verification|department|dept|japan|jp|co|inc|ltd|corp|the|of|via|your|and|&|news|"
                           r"newsletter|sicherheit|kundenservice|kundendienst|suporte|atendimento|seguran[cç]a|"
                           r"seguridad|s[eé]curit[eé]|service client|equipe|equipo|klantenservice|klant\w*)\b"
                           r"|カスタマー|サポート|センター|事務局|公式|お知らせ|株式会社|サービス|[\W\d_]+")
VIA = re.compile(r"\s+via\s+\S+\s*$", re.I)  # "Name via List": the list's rewrite, not the sender's


def claimed_brands(ctx: CheckContext) -> list[tuple[Brand, str, str]]:
    """Brands the message claims to be: (brand, matched words, where) from display name, subject, address."""
    def compute() -> list[tuple[Brand, str, str]]:
        facts = ctx.facts
        out: list[tuple[Brand, str, str]] = []
        seen: set[str] = set()
        places = [("display_name", facts.from_.display_name if facts.from_ else "")]
        if not in_thread(ctx):  # a reply's subject is the thread's topic, not the sender's name
            places.append(("subject", facts.subject))
        if facts.from_:
            places.append(("address", facts.from_.address.split("@")[0].replace(".", " ").replace("-", " ")))
            # a letterhead at the top of the body counts when a free-mail account writes it: banks,
            # card issuers and shops do not write from free-mail boxes (a friend's sentence about
            # their card is no letterhead)
            if is_free_email(facts.from_.domain):
                head = facts.text[:600]  # a notice or a bill to phone about: its first sentences name the brand too
                lure = LURE.search(head) or TOLL_FREE.search(head)
                places.append(("body", facts.text[:200] if lure else letterhead(facts.text)))
        # a brand spelt with look-alike letters of other alphabets ("Ꮮеdgеr") claims it all the more
        masked = [(where, unmasked) for where, text in places[:2] if (unmasked := unmask(text or "")) != text]
        for where, text in places + masked:
            for brand, word in claimed(text or ""):
                if where == "body" and brand.category not in MONEY_BRANDS:
                    continue
                if brand.key not in seen:
                    seen.add(brand.key)
                    out.append((brand, word, where))
                    if (where, text) in masked:
                        ctx.memo("disguised_brands", set).add(brand.key)
        # a brand's long name misspelt by one letter in the sender's name ("Conta Microsft")
        for brand, word in misspelt(places[0][1] or "") if not out else []:
            seen.add(brand.key)
            out.append((brand, word, "display_name"))
            ctx.memo("disguised_brands", set).add(brand.key)
        # an address at the brand's own domain claims the brand ("info@chase.com"), whatever the name
        # (brands named by ordinary words, "Chase", "Zoom", are claimed here or nowhere), when the
        # server that handed it over is not the brand's and no list carried it (a list's members
        # write from their employers' domains); a customer's tenant on a brand's platform is the
        # customer's, and a free-mail or carrier address (gmail.com, docomo.ne.jp) is a person's
        owner = owner_of(facts.from_.domain) if facts.from_ and facts.from_.domain else None
        origin = registrable_domain(origin_name(ctx)) or ""
        if owner is not None and facts.from_ is not None and owner.key not in seen and \
                from_domain(ctx) in owner.domains and not is_free_email(from_domain(ctx)) and \
                not is_free_email(facts.from_.domain) and not free_host(facts.from_.domain) and \
                not facts.is_list and not owner.owns(origin):
            out.append((owner, from_domain(ctx), "domain"))
        return out
    return ctx.memo("claimed_brands", compute)


def disguised_brands(ctx: CheckContext) -> set[str]:
    """Keys of the brands claimed only once look-alike letters are read as Latin: spelt to get past
    filters, which no brand does with its own name."""
    claimed_brands(ctx)
    return ctx.memo("disguised_brands", set)


_CSS_URL = re.compile(r"""url\(\s*['"]?\s*https?://([^/'"\s)]{1,253})""", re.I)


# "url(" in every case: the case-blind regex tries every position of a document, these are found at C speed
_CSS_URL_OPENINGS = tuple("".join(letters) + "(" for letters in itertools.product("uU", "rR", "lL"))


def css_picture_hosts(ctx: CheckContext) -> list[str]:
    """Hosts of pictures loaded by CSS (`background: url(https://…)`): they carry no link."""
    def compute() -> list[str]:
        html = ctx.facts.html[:200_000]
        if not any(opening in html for opening in _CSS_URL_OPENINGS):
            return []
        return [m.group(1).lower() for m in _CSS_URL.finditer(html)]
    return ctx.memo("css_picture_hosts", compute)


def link_domains(ctx: CheckContext) -> list[str]:
    """Registrable domains of web links (http/https), in order, without duplicates."""
    def compute() -> list[str]:
        out: list[str] = []
        for link in ctx.facts.links:
            if link.domain and (link.scheme or "http").startswith("http") and link.domain not in out:
                out.append(link.domain)
        return out
    return ctx.memo("link_domains", compute)


def authenticated_brands(ctx: CheckContext) -> set[str]:
    """Keys of brands owning a domain that authenticated this message."""
    def compute() -> set[str]:
        domains = set(authenticated_domains(ctx))
        if from_authenticated(ctx):
            domains.add(from_domain(ctx))
        return {b.key for b in map(owner_of, domains) if b}
    return ctx.memo("authenticated_brands", compute)


def infrastructure_domains(ctx: CheckContext) -> set[str]:
    """Domains of the list or forwarder that delivered the message (its footer links are not the sender's)."""
    def compute() -> set[str]:
        out = set()
        for name in ("List-Id", "List-Unsubscribe", "List-Post", "List-Archive", "List-Help", "List-Subscribe"):
            for value in ctx.facts.message.get_all(name)[:3]:
                for host in re.findall(r"[\w.-]+\.[a-z]{2,}", value.lower())[:6]:
                    reg = registrable_domain(host)
                    if reg:
                        out.add(reg)
        return out
    return ctx.memo("infrastructure_domains", compute)


def own_campaign(ctx: CheckContext) -> bool:
    """A business's own mailing: an unsubscribe link, the sender vouched for under its own domain, and
    every link to its own site (or the list infrastructure the unsubscribe header names). What such a
    mail offers or names is the business's own campaign, whoever else it mentions."""
    def compute() -> bool:
        if not ctx.facts.message.get("List-Unsubscribe") or not from_authenticated(ctx):
            return False
        sender, infra = from_domain(ctx), infrastructure_domains(ctx)
        sites = link_domains(ctx)
        return sender in sites and all(d == sender or d in infra for d in sites)
    return ctx.memo("own_campaign", compute)


def foreign_link_domains(ctx: CheckContext, brand: Brand) -> list[str]:
    """Link domains that belong neither to BRAND, nor to the list that carried the mail."""
    infra = infrastructure_domains(ctx)
    return [d for d in link_domains(ctx) if not brand.owns(d) and d not in infra]


def cited_on_list(ctx: CheckContext) -> frozenset[str]:
    """Hosts that list discussion cites by their address: relayed by a list, and every link to the
    host shows the reader its address (a URL in the text, or an HTML link whose text is the URL,
    as mail clients write a URL a person typed). A lure is built as a page: words or a button over
    a target; a list member citing a bug bot's page is not."""
    def compute() -> frozenset[str]:
        if not by_list(ctx):
            return frozenset()
        shows: dict[str, bool] = {}
        for link in ctx.facts.links:
            if link.host:
                text = (link.text or "").strip().lower()
                shown = link.source == "text" or text.removeprefix("https://").removeprefix("http://") \
                    .startswith(link.host.lower())
                shows[link.host] = shows.get(link.host, True) and shown
        return frozenset(host for host, shown in shows.items() if shown)
    return ctx.memo("cited_on_list", compute)


def by_list(ctx: CheckContext) -> bool:
    """Came through a mailing list, which sets Reply-To, adds footers and carries its members' links
    and words. A mailbox's forwarder leaves the message as its author wrote it: only its
    authentication suffers (facts.is_list covers both)."""
    return ctx.facts.is_list and not ctx.facts.forwarded


def host_lookalike(ctx: CheckContext, host: str):  # -> Lookalike | None
    cache = ctx.memo("lookalikes", dict)
    if host not in cache:
        cache[host] = lookalike(host)
    return cache[host]


def mostly_japanese(text: str) -> bool:
    kana = sum(1 for ch in text[:5000] if "\u3040" <= ch <= "\u30ff")
    return kana >= 10
