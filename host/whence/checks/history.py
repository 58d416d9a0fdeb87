"""The reader's own mail as evidence (history.py): who has written before, from where, and how.

Each check reads `ctx.history` (a `whence.history.View`; None when history is off, as for
`whence analyze` by default — then none of them fires) beside the facts; none touches the network.
Mailing-list mail is left out both ways: its From is someone else's words relayed by the list.
`observation` is what one message leaves in the history for later messages.
"""

from __future__ import annotations

import re
import time
import unicodedata
from collections.abc import Iterator

from ..brands import by_key, owner_of
from ..domainlists import is_free_email
from ..domains import registrable_domain
from ..history import Aggregate, Observation, message_key
from ..i18n import T
from ..model import Facts
from .common import (
    authenticated_domains,
    claimed_brands,
    from_authenticated,
    from_domain,
    known_sender,
    relayed,
)
from .content import _LURE_ACTION, _nfkc, _phrases
from .registry import CheckContext, Hit, check

MIN_HISTORY = 30  # messages the history must hold before a first-time sender means anything
HABIT = 3  # authenticated, unflagged messages that make a habit
HABIT_DOMAINS = 3  # a name sent from more domains than this has no single home: no habit
KNOWN = 5  # messages from one address that make a long-known sender ...
KNOWN_DAYS = 30  # ... over at least this span
CONSISTENT = 0.9  # the share of them that must have been authenticated
# a button that asks for credentials ("Sign in", "Verify your account", "ログイン"), not "Update section"
_ACT_LINK = re.compile(r"(?i)^\W*(log ?in|sign[ -]?in|verify|confirm|unlock|reactivate)\b"
                       r"|\b(log ?in|sign[ -]?in) (now|here)\b"
                       r"|\bverify (your|my|account|now|identity)\b|\bconfirm (your|my|account|identity)\b"
                       r"|ログイン|サインイン|本人確認|アカウント(の)?確認")
_NAME_NOISE = re.compile(r"[\W_]+")
_VIA_NAME = re.compile(r"\(via [^()]{2,60}\)|\s+via\s+\S+\s*$", re.I)


def _active(ctx: CheckContext) -> bool:
    return ctx.history is not None and ctx.facts.from_ is not None and not ctx.facts.is_list


def _day(ts: float | None) -> str:
    return time.strftime("%Y-%m-%d", time.gmtime(ts)) if ts is not None else "?"


def _day_ja(ts: float | None) -> str:
    """The date as Japanese writes it: 2025年1月10日."""
    if ts is None:
        return "?"
    day = time.gmtime(ts)
    return f"{day.tm_year}年{day.tm_mon}月{day.tm_mday}日"


def _networks(agg: Aggregate) -> str:
    return ", ".join(f"AS{asn}" + (f" {org}" if org else "") for asn, org in agg.networks[:3]) or "—"


def _origin(ctx: CheckContext) -> tuple[int | None, str | None]:
    o = ctx.lookups.origin if ctx.lookups.done else {}
    asn = o.get("asn")
    try:
        return (int(asn) if asn is not None else None), o.get("org")
    except (TypeError, ValueError):
        return None, o.get("org")


def name_key(display_name: str) -> str | None:
    """The history's key for a sender name ("Rakuten Card" → "name:rakutencard"), or None for names too
    short or generic to stand for anyone."""
    text = _NAME_NOISE.sub("", unicodedata.normalize("NFKC", display_name or "").lower())
    if len(text) < 4 or "@" in (display_name or "") or text in _GENERIC_NAMES:
        return None
    return "name:" + text[:80]


_GENERIC_NAMES = frozenset({"noreply", "donotreply", "support", "info", "admin", "notification", "notifications",
                            "customerservice", "service", "team", "mailer", "postmaster", "mailerdaemon"})


def claim_keys(ctx: CheckContext) -> list[str]:
    """What this message calls itself: brands claimed by its name or address, the brand owning its
    authenticated From domain, and its sender name."""
    def compute() -> list[str]:
        keys = [b.key for b, _w, where in claimed_brands(ctx) if where in ("display_name", "address")]
        owner = owner_of(from_domain(ctx)) if from_authenticated(ctx) else None
        if owner and owner.key not in keys:
            keys.append(owner.key)
        name = name_key(ctx.facts.from_.display_name) if ctx.facts.from_ else None
        if name:
            keys.append(name)
        return keys
    return ctx.memo("history.claims", compute)


def observation_key(facts: Facts) -> tuple[str, str, str]:
    """(key, From address, its registrable domain): what the history is asked about for FACTS."""
    f = facts.from_
    address = f.address if f else ""
    domain = (registrable_domain(f.domain) or f.domain) if f and f.domain else ""
    return message_key(facts.message.get("Message-ID"), address, facts.message.get("Date")), address, domain


def observation(ctx: CheckContext, level: str) -> Observation | None:
    """What this message leaves in the history: facts, never content. None for list mail and mail
    without a sender address."""
    f = ctx.facts.from_
    if f is None or not f.address or ctx.facts.is_list:
        return None
    asn, org = _origin(ctx)
    date = ctx.facts.date.timestamp() if ctx.facts.date else time.time()
    key, _address, domain = observation_key(ctx.facts)
    return Observation(
        key=key, date=date, address=f.address, domain=domain, authenticated=from_authenticated(ctx),
        auth_domains=sorted(authenticated_domains(ctx)), asn=asn, org=org, brands=claim_keys(ctx), level=level)


# ---------------------------------------------------------------------------------------------


def _asks_to_act(ctx: CheckContext) -> str | None:
    """The message asks the reader to do something: lure wording near the top, or a link whose shown
    text is a button to log in or verify. (A form alone is not: newsletters carry search and
    subscription forms.)"""
    phrases = _phrases(_LURE_ACTION, _nfkc(ctx)[:1_500])
    if phrases:
        return next(iter(phrases.values()))
    for link in ctx.facts.links[:200]:
        if link.text and link.source == "html-a" and len(link.text) <= 40 and _ACT_LINK.search(link.text):
            return link.text.strip()
    return None


@check(
    "history.first_contact", "medium", 1.5,
    title=T("The first message you have had from this sender, and it asks you to act",
            "初めて届いた送信元からのメールで、操作を求めています"),
    detail=T("Of the {total} messages in your history, none came from {address} or anyone else at {domain}, "
             "and this one asks you to act (\u201c{action}\u201d). A first message from a stranger that wants "
             "a login, a payment or a confirmation deserves a second look.",
             "これまでの {total} 通の履歴に {address} や {domain} からのメールはありません。その初めての"
             "メールが操作（「{action}」）を求めています。見知らぬ送信元からの初めてのメールでログイン・"
             "支払い・確認を求められたら、よく確かめてください。"),
    reason=T("it is the first message from this sender and asks you to act",
             "初めての送信元から操作を求めるメールです"),
)
def first_contact(ctx: CheckContext) -> Iterator[Hit]:
    if not _active(ctx) or known_sender(ctx):  # a real shop's first mail after you signed up
        return
    assert ctx.facts.from_ is not None  # _active()
    h = ctx.history
    # a free-mail domain says nothing about who holds the address: there only the address counts
    known_domain = h.sender_domain().count and not is_free_email(from_domain(ctx))
    if h.total() < MIN_HISTORY or h.sender().count or known_domain or h.contact():
        return
    action = _asks_to_act(ctx)
    if action:
        yield Hit({"address": ctx.facts.from_.address, "domain": from_domain(ctx), "total": h.total(),
                   "action": action[:60]})


@check(
    "history.brand_departure", "high", 3.5,
    variants={"name": 2.0, "reputable": 1.0},
    title=T("Not where this sender's mail has always come from",
            "この名前のメールがいつも届く送信元ではありません"),
    detail=T("Mail calling itself {claim} has always come from {habit_domains}{via} ({count} authenticated "
             "messages since {since}). This one comes from {from_domain}{network}.",
             "「{claim}」を名乗るメールは、これまでいつも {habit_domains}{via_ja}から届いていました（{since_ja}以降の"
             "認証済み {count} 通）。このメールは {from_domain}{network_ja}から届いています。"),
    reason=T("mail calling itself {claim} has always come from {habit_domains}, this one does not",
             "「{claim}」のメールはいつも {habit_domains} から届くのに、今回は違います"),
)
def brand_departure(ctx: CheckContext) -> Iterator[Hit]:
    # a platform writing on someone's behalf ("PayPal via Shopify") is not the name's own mail
    if not _active(ctx):
        return
    assert ctx.facts.from_ is not None  # _active()
    if relayed(ctx) or _VIA_NAME.search(ctx.facts.from_.display_name or ""):
        return
    h = ctx.history
    if h.contact() or h.sender().trusted:  # this very address: written to, or sent authenticated mail before
        return
    reputable = known_sender(ctx)  # an established, authenticated domain of its own: say it, softly
    sender = from_domain(ctx)
    authenticated = from_authenticated(ctx)
    asn, org = _origin(ctx)
    for key in claim_keys(ctx):
        habit = ctx.history.brand(key)
        if habit.count < HABIT or not habit.domains or len(habit.domains) > HABIT_DOMAINS:
            continue
        if sender in habit.domains:
            continue
        brand = by_key(key) if not key.startswith("name:") else None
        if brand and brand.owns(sender) and authenticated:  # the brand's other real domain
            continue
        if authenticated and any(d in authenticated_domains(ctx) for d in habit.domains):
            continue  # signed by the usual domain, sent under another of its names
        network = f"AS{asn}{' ' + org if org else ''}" if asn is not None else ""
        claim = brand.name if brand else ctx.facts.from_.display_name.strip()[:60]
        via = _networks(habit) if habit.networks else ""
        yield Hit({"claim": claim, "key": key, "habit_domains": habit.domains[:3], "count": habit.count,
                   "since": _day(habit.first), "since_ja": _day_ja(habit.first),
                   "habit_networks": [f"AS{n}" for n, _o in habit.networks[:3]],
                   "via": f" through {via}" if via else "", "via_ja": f"（{via} 経由）" if via else " ",
                   "from_domain": sender or "?", "network": f" ({network})" if network else "",
                   "network_ja": f"（{network}）" if network else " "},
                  variant="reputable" if reputable else "name" if brand is None else None,
                  severity="low" if reputable else "medium" if brand is None else None)
        return


@check(
    "history.sender_changed", "high", 3.0,
    variants={"new_network": 1.5},
    title=T("A sender you know, but not sent the way they always send",
            "よく知っている送信元ですが、いつもと違う送られ方です"),
    detail=T("You have had {count} messages from {address} since {since}; {how}",
             "{address} からは {since_ja}以降 {count} 通届いています。{how_ja}"),
    reason=T("it does not come the way {address} always sends", "{address} のいつもの送られ方と違います"),
)
def sender_changed(ctx: CheckContext) -> Iterator[Hit]:
    if not _active(ctx) or from_authenticated(ctx):
        return
    assert ctx.facts.from_ is not None  # _active()
    seen = ctx.history.sender()
    if seen.count < HABIT:
        return
    evidence = {"address": ctx.facts.from_.address, "count": seen.count, "since": _day(seen.first),
                "since_ja": _day_ja(seen.first)}
    if seen.authenticated >= CONSISTENT * seen.count:  # account takeover or spoofing of someone you know
        yield Hit({**evidence,
                   "how": "every one of them was authenticated, and this one is not. Someone may be "
                          "sending in their name.",
                   "how_ja": "これまではすべて認証されていましたが、このメールは認証されていません。"
                             "誰かがこの人の名前で送っている可能性があります。"})
        return
    asn, org = _origin(ctx)
    known = {n for n, _o in seen.networks}
    if asn is not None and seen.with_network >= HABIT and asn not in known:
        yield Hit({**evidence, "asn": asn, "org": org, "usual": _networks(seen),
                   "how": f"they always came through {_networks(seen)}, and this one through AS{asn} {org or ''}"
                          ", unauthenticated.",
                   "how_ja": f"いつもは {_networks(seen)} から届いていましたが、このメールは認証されずに "
                             f"AS{asn} {org or ''} から届いています。"},
                  severity="medium", variant="new_network")


@check(
    "history.known_sender", "info", -1.5,
    title=T("A sender you have long had mail from, authenticated as always",
            "長くメールを受け取っている送信元で、いつも通り認証されています"),
    detail=T("You have had {count} messages from {address} since {since}, {authenticated} of them "
             "authenticated; this one is authenticated too ({domains}).",
             "{address} からは {since_ja}以降 {count} 通届いており、うち {authenticated} 通が認証済みです。"
             "このメールも認証されています（{domains}）。"),
)
def known_sender_history(ctx: CheckContext) -> Iterator[Hit]:
    if not _active(ctx) or not from_authenticated(ctx) or relayed(ctx):
        return
    assert ctx.facts.from_ is not None  # _active()
    seen = ctx.history.sender()
    if seen.count < KNOWN or seen.first is None or seen.last is None or \
            seen.last - seen.first < KNOWN_DAYS * 86400 or seen.authenticated < CONSISTENT * seen.count:
        return
    if from_domain(ctx) not in seen.domains:
        return
    asn, _org = _origin(ctx)
    if asn is not None and seen.with_network >= HABIT and asn not in {n for n, _o in seen.networks}:
        return  # a new network: no relief, even if signed
    yield Hit({"address": ctx.facts.from_.address, "count": seen.count, "since": _day(seen.first),
               "since_ja": _day_ja(seen.first), "authenticated": seen.authenticated,
               "domains": sorted(authenticated_domains(ctx))[:3] or [from_domain(ctx)]})
