"""Who should receive an abuse report, each with a role and a reason the user can judge.

Sources, in order: the origin network's abuse desk (RDAP, else Abusix's DNS zone), for each
link domain its registrar's and its hosting network's abuse desks, the impersonated brand's
published address, the free-mail service of a mailbox the scam asks victims to write to, the
Japanese national desks when the mail targets people in Japan, and the user's own configured
recipients. Providers that accept reports only through a web form become
`forms`. The same mailbox is named once.
"""

from __future__ import annotations

import asyncio
import ipaddress
from dataclasses import dataclass, field
from typing import Any

import dns.reversename

from ..i18n import T, Text, fmt
from ..lookups import rdap
from ..model import Facts, Lookups
from ..settings import Settings
from . import classify, contacts
from .contacts import Provider

MAX_LINK_DOMAINS = 8
MAX_FORM_URLS = 20
ABUSIX_ZONE = "abuse-contacts.abusix.zone"

WHY_JAPAN: dict[str, Text] = {
    "brand": T("it impersonates a Japanese brand", "日本のブランドを騙っているため"),
    "text": T("it is written in Japanese", "日本語で書かれているため"),
    "recipient": T("it was sent to a .jp mailbox", ".jp のメールアドレス宛てのため"),
}


# Each recipient's role as the command line names it (the add-on has the same words in its _locales).
ROLES: dict[str, Text] = {
    "user": T("your own report address", "あなたが設定した報告先"),
    "origin-network": T("sending network's abuse desk", "送信元ネットワークの不正利用窓口"),
    "registrar": T("domain registrar", "ドメインの登録事業者"),
    "hosting": T("web host", "ホスティング事業者"),
    "brand": T("impersonated organisation", "騙られた組織の窓口"),
    "national": T("national reporting desk", "公的な受付窓口"),
    "form": T("web form", "Web フォーム"),
}

# Why each recipient is named; {placeholders} are filled per report.
REASONS: dict[str, Text] = {
    "origin_form": T(
        "The message came from {ip} ({network}), a {provider} network; {provider} takes abuse reports only "
        "through its web form",
        "このメールは {provider} のネットワーク（{ip}、{network}）から送られました。"
        "{provider} は不正利用の報告をWebフォームでのみ受け付けています"),
    "origin": T(
        "Abuse desk of the network that sent the message ({ip}, {network}), from its RDAP record",
        "このメールを送り出したネットワーク（{ip}、{network}）の不正利用窓口"
        "（RDAP の登録情報より）"),
    "origin_abusix": T(
        "Abuse desk of the network that sent the message ({ip}), from Abusix's abuse contact database "
        "(RDAP named none)",
        "このメールを送り出したネットワーク（{ip}）の不正利用窓口"
        "（RDAP に記載がないため Abusix のデータベースより）"),
    "origin_form_also": T(
        "{provider} also takes reports about its network through this form",
        "{provider} はこのフォームでも報告を受け付けています"),
    "registrar": T(
        "Registrar of the link domain {domain} ({registrar}); registrars can suspend the domain",
        "リンク先ドメイン {domain} のレジストラ（{registrar}）。ドメインの利用停止ができます"),
    "hosting": T(
        "Abuse desk of the network hosting the link domain {domain} ({ip}, {network})",
        "リンク先ドメイン {domain} をホストするネットワーク（{ip}、{network}）の不正利用窓口"),
    "hosting_form": T(
        "{provider} serves {domain} ({ip}); {provider} takes abuse reports through its web form",
        "{domain}（{ip}）は {provider} 経由で配信されています。"
        "{provider} はWebフォームで報告を受け付けています"),
    "host_form": T(
        "The link {host} is hosted on {provider}; {provider} takes abuse reports through its web form",
        "リンク先 {host} は {provider} 上にあります。"
        "{provider} はWebフォームで報告を受け付けています"),
    "ns_form": T(
        "{provider} runs the name servers of {domain}; {provider} takes abuse reports through its web form",
        "{domain} のネームサーバーは {provider} です。"
        "{provider} はWebフォームで報告を受け付けています"),
    "mailbox_form": T(
        "The mail asks its readers to write to {addresses}, a mailbox at {provider}; {provider} takes reports "
        "about its users' mailboxes through this web form (paste the address there)",
        "このメールは {addresses}（{provider} のメールアドレス）への連絡を求めています。{provider} は利用者の"
        "アドレスについての報告をこのWebフォームで受け付けています（アドレスを貼り付けてください）"),
    "brand": T(
        "{brand} asks that mail impersonating it be forwarded to this address",
        "{brand} が、なりすましメールの転送先として案内している窓口です"),
    "jp_phishing": T(
        "The Council of Anti-Phishing Japan collects phishing aimed at people in Japan and passes it to the "
        "police and the impersonated companies; this mail targets Japan: {why}",
        "フィッシング対策協議会：日本の利用者を狙うフィッシングの報告を受け付け、"
        "警察や騙られた組織に情報提供しています（このメールは{why}日本の利用者を狙っています）"),
    "jp_spam": T(
        "The Japan Data Communications Association's spam desk collects unsolicited advertising mail for the "
        "Ministry of Internal Affairs; this mail targets Japan: {why}",
        "日本データ通信協会 迷惑メール相談センター：総務省の委託で、同意のない広告宣伝メールの"
        "情報を受け付けています（このメールは{why}日本の利用者宛てと判断しました）"),
    "user": T("You configured this recipient in Whence's settings",
              "Whence の設定であなたが指定した宛先です"),
}


def _why(text: Text, why: Text) -> Text:
    """Fill {why} in each language with that language's clause."""
    return {lang: s.replace("{why}", why.get(lang, "")) for lang, s in text.items()}


@dataclass
class Recipients:
    """The recipients and forms being collected, deduplicated as they come."""

    mail: list[dict[str, Any]] = field(default_factory=list)
    forms: list[dict[str, Any]] = field(default_factory=list)

    def add(self, address: str | None, role: str, reason: Text, source: str | None = None) -> None:
        clean = rdap.clean_address(address)
        if not clean or any(r["address"].lower() == clean.lower() for r in self.mail):
            return
        entry: dict[str, Any] = {"address": clean, "role": role, "reason": reason}
        if source:
            entry["source"] = source
        self.mail.append(entry)

    def add_form(self, provider: Provider, reason: Text, urls: list[str]) -> None:
        for f in self.forms:
            if f["url"] == provider.form:
                f["urls"].extend(u for u in urls if u not in f["urls"])
                del f["urls"][MAX_FORM_URLS:]
                return
        self.forms.append({"url": provider.form, "reason": reason, "provider": provider.key,
                           "source": provider.source, "urls": list(dict.fromkeys(urls))[:MAX_FORM_URLS]})


def _public_ip(ip: Any) -> str | None:
    try:
        addr = ipaddress.ip_address(str(ip))
    except ValueError:
        return None
    return str(addr) if addr.is_global else None


def abusix_name(ip: str) -> str | None:
    """`<reversed address>.abuse-contacts.abusix.zone` for a public address."""
    if not _public_ip(ip):
        return None
    reverse = dns.reversename.from_address(ip).to_text()
    for suffix in (".in-addr.arpa.", ".ip6.arpa."):
        if reverse.endswith(suffix):
            return reverse[: -len(suffix)] + "." + ABUSIX_ZONE
    return None


async def abusix_contacts(ips: list[str], settings: Settings) -> dict[str, list[str]]:
    """Abuse mailboxes from Abusix's DNS zone for addresses RDAP gave none for (never raises)."""
    every = {ip: abusix_name(ip) for ip in dict.fromkeys(ips)}
    names = {ip: n for ip, n in every.items() if n}
    if settings.offline or not names:
        return {}
    try:
        from ..lookups.dns import Resolver  # the one DNS layer: same servers, timeouts, recording
        resolver = Resolver(settings, None)
        answers = await asyncio.gather(*(resolver.query(n, "TXT") for n in names.values()),
                                       return_exceptions=True)
    except Exception:  # a fallback must never sink the report
        return {}
    out: dict[str, list[str]] = {}
    for ip, answer in zip(names, answers, strict=True):
        if isinstance(answer, BaseException) or not getattr(answer, "ok", False):
            continue
        found = []
        for txt in answer.txt()[:5]:
            for word in txt.replace(",", " ").replace(";", " ").split()[:10]:
                clean = rdap.clean_address(word)
                if clean:
                    found.append(clean)
        if found:
            out[ip] = list(dict.fromkeys(found))
    return out


def _as_list(value: Any) -> list[Any]:
    if isinstance(value, list):
        return value
    return [value] if value else []


def network_abuse(info: dict[str, Any] | None) -> list[str]:
    """Abuse mailboxes for a network the lookups described: our own reading of its raw RDAP first."""
    if not isinstance(info, dict):
        return []
    emails = rdap.abuse_emails(info.get("rdap"))
    if not emails:
        emails = [e for e in (rdap.clean_address(x) for x in _as_list(info.get("abuse_emails"))[:10]) if e]
    return emails


def _provider_for(info: dict[str, Any], emails: list[str], role: str,
                  ns: list[str] | tuple[str, ...] = ()) -> Provider | None:
    org = info.get("org") or rdap.network_name(info.get("rdap"))
    for p in contacts.providers():
        if role in p.applies_to and p.matches(asn=info.get("asn"), org=org, emails=emails, ns=ns):
            return p
    return None


def _network_label(info: dict[str, Any]) -> str:
    name = rdap.network_name(info.get("rdap")) or info.get("org") or ""
    asn = info.get("asn")
    label = str(name)[:120]
    if asn:
        label = f"{label}, AS{str(asn).upper().removeprefix('AS')}" if label else f"AS{asn}"
    return label or "?"


def origin_ip(report: dict[str, Any]) -> str | None:
    return _public_ip((report.get("origin") or {}).get("ip"))


def link_domains(report: dict[str, Any], facts: Facts | None) -> dict[str, list[dict[str, Any]]]:
    """Link domains worth reporting, with their links: not the brand's own, not a popular bystander."""
    from .. import brands  # imported late: the brand table is only needed when links exist

    own = (facts.recipient or "").rsplit("@", 1)[-1].lower() if facts and facts.recipient else ""
    out: dict[str, list[dict[str, Any]]] = {}
    for link in report.get("links", [])[:200]:
        domain = (link.get("domain") or "").lower()
        if not domain or (own and (own == domain or own.endswith("." + domain))):
            continue
        if brands.owner_of(domain) is not None:
            continue
        flagged = bool(link.get("findings"))
        hosted = any(p.serves_host(link.get("host")) for p in contacts.providers())
        if not (flagged or hosted) and domain in contacts.popular():
            continue
        if domain not in out and len(out) >= MAX_LINK_DOMAINS:
            continue
        out.setdefault(domain, []).append(link)
    return out


def abusix_candidates(report: dict[str, Any], facts: Facts | None, found: Lookups | None) -> list[str]:
    """Addresses (the origin, the link domains' hosts) for which RDAP named no abuse mailbox."""
    found = found or Lookups()
    out = []
    ip = origin_ip(report)
    if ip and not network_abuse(found.origin):
        out.append(ip)
    for domain in link_domains(report, facts):
        for host_info in _as_list((found.domains.get(domain) or {}).get("hosting"))[:4]:
            if isinstance(host_info, dict):
                host_ip = _public_ip(host_info.get("ip"))
                if host_ip and not network_abuse(host_info):
                    out.append(host_ip)
    return list(dict.fromkeys(out))[:8]


def collect(report: dict[str, Any], facts: Facts | None, found: Lookups | None, settings: Settings,
            abusix: dict[str, list[str]] | None = None) -> Recipients:
    """Every recipient and form for this report (pure: the network answers come in as arguments)."""
    found = found or Lookups()
    abusix = abusix or {}
    out = Recipients()
    _origin(out, report, found, abusix)
    for domain, links in link_domains(report, facts).items():
        _link_domain(out, domain, links, found.domains.get(domain) or {}, abusix)
    _brands(out, report)
    _mailboxes(out, report)
    _national(out, report, facts)
    for address in settings.report_recipients:
        out.add(address, "user", REASONS["user"])
    return out


def _origin(out: Recipients, report: dict[str, Any], found: Lookups, abusix: dict[str, list[str]]) -> None:
    ip = origin_ip(report)
    if not ip:
        return
    info = dict(found.origin)
    emails = network_abuse(info)
    values = {"ip": ip, "network": _network_label(info)}
    provider = _provider_for(info, emails, "origin")
    if provider and provider.form_only:
        out.add_form(provider, fmt(REASONS["origin_form"], provider=provider.name, **values), [])
        return
    if emails:
        for e in emails[:2]:
            out.add(e, "origin-network", fmt(REASONS["origin"], **values))
    else:
        for e in abusix.get(ip, [])[:2]:
            out.add(e, "origin-network", fmt(REASONS["origin_abusix"], **values))
    if provider:
        out.add_form(provider, fmt(REASONS["origin_form_also"], provider=provider.name), [])


def _link_domain(out: Recipients, domain: str, links: list[dict[str, Any]], info: dict[str, Any],
                 abusix: dict[str, list[str]]) -> None:
    urls = [str(link.get("url", ""))[:2000] for link in links if link.get("url")]
    # Registrar: from the domain's own RDAP answer, the abuse contact nested under the registrar.
    registrar_emails = rdap.abuse_emails(info.get("rdap"), under="registrar")
    if not registrar_emails:
        listed = _as_list(info.get("registrar_abuse"))[:5]
        registrar_emails = [e for e in (rdap.clean_address(x) for x in listed) if e]
    registrar = rdap.entity_name(info.get("rdap"), "registrar") or info.get("registrar") or "?"
    for e in registrar_emails[:2]:
        out.add(e, "registrar", fmt(REASONS["registrar"], domain=domain, registrar=str(registrar)[:120]))
    # Hosting: each address the domain resolved to, and any provider that serves its host names.
    ns = [str(n) for n in _as_list(info.get("ns"))[:10]]
    for host_info in _as_list(info.get("hosting"))[:4]:
        if not isinstance(host_info, dict):
            continue
        emails = network_abuse(host_info)
        ip = _public_ip(host_info.get("ip"))
        if not emails and ip:
            emails = abusix.get(ip, [])
        values = {"domain": domain, "ip": ip or "?", "network": _network_label(host_info)}
        provider = _provider_for(host_info, emails, "hosting", ns)
        if provider:
            out.add_form(provider, fmt(REASONS["hosting_form"], provider=provider.name, **values), urls)
            if provider.form_only:
                continue
        for e in emails[:2]:
            out.add(e, "hosting", fmt(REASONS["hosting"], **values))
    # Host names on a provider's own domains (r2.dev, pages.dev ...) are known without the network.
    for link in links:
        for p in contacts.providers():
            if "hosting" in p.applies_to and p.serves_host(link.get("host")):
                out.add_form(p, fmt(REASONS["host_form"], host=str(link.get("host"))[:200], provider=p.name),
                             urls)
    # Name servers at a provider (Cloudflare's proxy hides the host behind its own addresses).
    for p in contacts.providers():
        if "hosting" in p.applies_to and p.matches(ns=ns):
            out.add_form(p, fmt(REASONS["ns_form"], domain=domain, provider=p.name), urls)


def _brands(out: Recipients, report: dict[str, Any]) -> None:
    for ev in classify.impersonated_brands(report):
        entry = contacts.brand_contact(str(ev.get("brand") or ""), str(ev.get("brand_name") or ""))
        if entry:
            reason = fmt(REASONS["brand"], brand=entry["name"])
            out.add(entry["address"], "brand", reason, entry.get("source"))


def _mailboxes(out: Recipients, report: dict[str, Any]) -> None:
    """The free-mail service of each mailbox the scam reads: closing it cuts the scam off."""
    mailboxes = classify.scam_mailboxes(report)
    for p in contacts.providers():
        kept = [a for a in mailboxes if p.keeps_mailbox(a)] if "mailbox" in p.applies_to else []
        if kept:
            out.add_form(p, fmt(REASONS["mailbox_form"], addresses=", ".join(kept[:3]), provider=p.name), [])


def _national(out: Recipients, report: dict[str, Any], facts: Facts | None) -> None:
    japan, why = classify.targets_japan(report, facts)
    if not japan:
        return
    because = WHY_JAPAN.get(why or "", T("", ""))
    key = {"phishing": "jp_phishing", "spam": "jp_spam"}.get(classify.kind(report))
    if key == "jp_spam" and classify.finding_ids(report) & classify.NOT_ADVERTISING:
        return
    entry = contacts.national(key) if key else None
    if entry:
        assert key is not None  # the entry is the key's
        out.add(entry["address"], "national", _why(REASONS[key], because), entry.get("source"))
