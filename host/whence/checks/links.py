"""Where the links really go: shown text against target, look-alikes, throwaway and free hosting."""

from __future__ import annotations

import base64
import re
import unicodedata
from collections.abc import Iterator
from urllib.parse import unquote, urlsplit

from ..brands import owner_of
from ..domainlists import (
    free_host,
    image_host,
    is_free_email,
    popular_rank,
    shortener,
    suspicious_tld,
    tenant_platform,
)
from ..domains import MAX_HOST, ip_of, known_tld, normalise_host, registrable_domain
from ..i18n import T, fmt
from ..wordiness import looks_random
from .common import (
    authenticated_brand,
    authenticated_brands,
    authenticated_domains,
    by_list,
    cited_on_list,
    css_picture_hosts,
    from_authenticated,
    from_domain,
    host_lookalike,
    infrastructure_domains,
    is_tracker,
    one_organisation,
    origin_name,
)
from .registry import CheckContext, Hit, check
from .sender import KIND_JA, unrelated_name

_DOMAINISH = re.compile(r"^(?:https?://)?(?:www\.)?((?:[a-z0-9\u00a1-\uffff-]+\.)+[a-z\u00a1-\uffff]{2,})(?::\d+)?(?:[/?#].*)?$",
                        re.I)


_UNSUBSCRIBE = re.compile(r"unsub|opt-?out|remove|preferences|manage|list-?manage")



def _shown_domain(text: str | None) -> str | None:
    if not text or len(text) > 300:
        return None
    # full-width forms read as the address they show ("ｗｗｗ．ａｍａｚｏｎ．ｃｏ．ｊｐ", "https：//"); an
    # ideographic full stop is a dot to browsers too (UTS 46)
    text = unicodedata.normalize("NFKC", text).replace("。", ".")
    text = text.strip().strip("<>()[]「」").strip()
    if " " in text or len(text) > 300:
        return None
    m = _DOMAINISH.match(text)
    if not m:
        return None
    host = normalise_host(m.group(1))
    # "invoice.pdf" is a file name, not a domain: only a real top-level domain makes one
    return registrable_domain(host) if host and known_tld(host) else None


@check(
    "link.text_mismatch", "medium", 3.5,
    variants={"brand": 7.0},
    title=T("A link shows one address but goes to another", "表示されたリンクと実際のリンク先が違います"),
    detail=T("The link shows “{shown}” but really goes to {target}.",
             "リンクには「{shown}」と表示されていますが、実際のリンク先は {target} です。"),
    reason=T("a link that shows {shown_domain} really goes to {target_domain}",
             "{shown_domain} と表示されたリンクが実際には {target_domain} へ向かいます"),
)
def text_mismatch(ctx: CheckContext) -> Iterator[Hit]:
    # a relay that rewrites From (a privacy relay, a ticket address) keeps the sender's real address
    # in the name; links back to that domain are the sender's own tracker, not a decoy
    own = authenticated_domains(ctx) | {from_domain(ctx)} | _named_domains(ctx)
    # the brand whose own domain is the authenticated From may show any of its domains (mercari.jp
    # mailing about jp.mercari.com through its ESP's tracker); a DKIM signer alone does not count:
    # amazonses.com signs every customer's mail
    sender = authenticated_brand(ctx)
    for i, link in enumerate(ctx.facts.links):
        if not link.clickable or not link.domain:
            continue
        shown = _shown_domain(link.text)
        if not shown or shown == link.domain:
            continue
        assert link.text is not None  # _shown_domain() found a domain in it
        a, b = owner_of(shown), owner_of(link.domain)
        if a and a is b:
            continue
        # the sender's own click tracker (its ESP, or a tracking host under its own domain), or a
        # redirector that names the shown site as its destination: how newsletters count clicks
        if (link.domain in own or is_tracker(link.domain)) and (shown in own or a is None or a is sender):
            continue
        if a is None and shown in unquote(unquote(link.url)).lower().split("?", 1)[-1]:
            continue
        yield Hit(evidence={"shown": link.text.strip()[:200], "shown_domain": shown, "target": link.url[:300],
                            "target_domain": link.domain},
                  severity="critical" if a else None, variant="brand" if a else None, links=[i])
            # a shown brand domain that leads elsewhere is the classic phish; others are often trackers


_NAMED_ADDRESS = re.compile(r"[\w.+-]+@((?:[\w-]+\.)+[a-z]{2,})", re.I)


def _named_domains(ctx: CheckContext) -> set[str]:
    """Registrable domains of addresses written in the sender's name that the links also lead to."""
    f = ctx.facts.from_
    named = {registrable_domain(m.group(1).lower()) for m in _NAMED_ADDRESS.finditer(f.display_name[:300])} \
        if f and f.display_name else set()
    linked = {link.domain for link in ctx.facts.links}
    return {d for d in named if d and d in linked}


@check(
    "link.lookalike", "high", 6.0,
    title=T("A link goes to a look-alike of a brand's domain", "リンク先がブランドのドメインに似せた偽ドメインです"),
    detail=T("{host} imitates {official} ({brand_name}): {kind}.",
             "{host} は {brand_name_ja} の {official} に似せてあります（{kind_ja}）。"),
    reason=T("it links to {host}, a look-alike of {brand_name}", "{brand_name_ja}に似せた {host} へリンクしています"),
)
def link_lookalike(ctx: CheckContext) -> Iterator[Hit]:
    seen = set()
    for i, link in enumerate(ctx.facts.links):
        if not link.clickable or link.host in seen:
            continue
        assert link.host is not None  # a clickable link has a host
        seen.add(link.host)
        la = host_lookalike(ctx, link.host)
        if la:
            yield Hit(evidence={"host": link.host, "brand": la.brand.key, "brand_name": la.brand.name,
                                "brand_name_ja": la.brand.name_ja,
                                "official": la.official, "kind": la.kind, "kind_ja": KIND_JA[la.kind]},
                      links=[i])


def _own_tenant(ctx: CheckContext, host: str) -> bool:
    """HOST is the authenticated sender's own workspace on a big provider's platform:
    examplecorp.sharepoint.com in examplecorp.com's mail. Names on registries anyone can take (sa.com)
    are not workspaces."""
    platform = tenant_platform(host)
    if not platform or not owner_of(platform) or not from_authenticated(ctx):
        return False
    customer = re.sub(r"[^a-z0-9]", "", host[:-len(platform) - 1].split(".")[-1].lower())
    return one_organisation(customer, re.sub(r"[^a-z0-9]", "", from_domain(ctx).split(".")[0]))


# content on IPFS, served by any of its public gateways: /ipfs/<content id> (or /ipns/<name>) on the
# gateway's host, or the id as the host's first label (<cid>.ipfs.dweb.link). Anyone publishes there,
# and no one can take the page down.
_IPFS = re.compile(r"^https?://(?:[a-z0-9]{40,}\.ip[fn]s\.[^/?#]+|[^/?#]+/ip[fn]s/[A-Za-z0-9._-]{20,})", re.I)


def _ipfs(url: str) -> tuple[str, str] | None:
    return ("IPFS", "file") if _IPFS.match(url) else None


@check(
    "link.free_hosting", "medium", 3.0,
    variants={"file_host": 2.0, "discussion": 0.5},
    title=T("A link goes to free hosting", "リンク先が無料のホスティングサービスです"),
    detail=T("{host} is on {service}, a free hosting service anyone can publish on in minutes — a common "
             "home for phishing pages.",
             "{host} は誰でもすぐに公開できる無料ホスティング {service} 上にあります。フィッシングページによく"
             "使われます。"),
    reason=T("it links to a page on free hosting ({service})",
             "無料ホスティング（{service}）上のページへリンクしています"),
)
def link_free_hosting(ctx: CheckContext) -> Iterator[Hit]:
    own = authenticated_domains(ctx)
    # the platform's own notification pointing into the platform: SharePoint mails from
    # sharepointonline.com about a file on partnerco.sharepoint.com
    platform = authenticated_brand(ctx)
    for i, link in enumerate(ctx.facts.links):
        if not link.clickable or link.domain in own or (platform and platform.owns(link.domain or "")) \
                or _own_tenant(ctx, link.host or ""):
            continue
        hit = free_host(link.host) or _ipfs(link.url)
        if hit:
            quoted = link.host in cited_on_list(ctx)  # a bug bot's page cited on a list
            yield Hit(evidence={"host": link.host, "service": hit[0], "kind": hit[1]}, links=[i],
                      severity="info" if quoted else None,
                      variant="discussion" if quoted else None if hit[1] == "subdomain" else "file_host")
            return


@check(
    "link.shortener", "low", 1.5,
    variants={"discussion": 0.5},
    title=T("A link hides its destination behind a URL shortener", "短縮URLでリンク先が隠されています"),
    detail=T("{host} is a URL shortener: the real destination is not visible in the message.",
             "{host} は短縮URLサービスです。本当のリンク先はメールからは分かりません。"),
    reason=T("it hides a link behind a URL shortener", "短縮URLでリンク先を隠しています"),
)
def link_shortener(ctx: CheckContext) -> Iterator[Hit]:
    for i, link in enumerate(ctx.facts.links):
        if link.clickable and shortener(link.host):
            quoted = link.host in cited_on_list(ctx)
            yield Hit(evidence={"host": link.host, "url": link.url[:200]}, links=[i],
                      severity="info" if quoted else None, variant="discussion" if quoted else None)
            return


# Google's translation proxy and AMP viewer show another site's page at an address of Google's own
_WEB_PROXY = re.compile(r"https?://(?:(translate\.google\.[a-z.]+/translate\?|[a-z0-9-]+\.translate\.goog[/:?#]|"
                        r"[a-z0-9-]+\.translate\.goog$)|(?:www\.)?google\.[a-z.]+/amp/)", re.I)


@check(
    "link.web_proxy", "medium", 3.0,
    title=T("A link hides its site behind Google's translation or AMP viewer",
            "リンク先のサイトが Google の翻訳・AMP 表示の陰に隠されています"),
    detail=T("A link opens {domain} inside Google's {proxy} ({url}): the address you see, and the one link "
             "scanners check, is Google's, while the page is {domain}'s. An organisation links its own "
             "pages directly; wrapping a little-known site this way is how phishing slips past filters.",
             "リンク（{url}）は {domain} を Google の{proxy_ja}の中で開きます。表示されるアドレスも、"
             "リンク検査が確かめるアドレスも Google のものですが、ページは {domain} のものです。"
             "組織は自分のページへ直接リンクします。無名のサイトをこうして包むのは、フィルターを"
             "すり抜けるフィッシングの手口です。"),
    reason=T("a link hides {domain} behind Google's {proxy}", "リンクが {domain} を Google の{proxy_ja}で隠しています"),
)
def link_web_proxy(ctx: CheckContext) -> Iterator[Hit]:
    # people and lists pass on translated pages and phone-shared articles of whatever they discuss;
    # a designed page speaks for its sender
    if not ctx.facts.html or by_list(ctx):
        return
    for i, link in enumerate(ctx.facts.links):
        m = _WEB_PROXY.match(link.via or "") if link.source == "redirect" else None
        # a reader sharing a news article from their phone passes on such an address of a known site
        if not m or not link.domain or popular_rank(link.domain) or owner_of(link.domain):
            continue
        translate = bool(m.group(1))
        yield Hit(evidence={"domain": link.domain, "url": (link.via or "")[:200],
                            "proxy": "translation proxy" if translate else "AMP viewer",
                            "proxy_ja": "翻訳プロキシ" if translate else "AMP 表示"}, links=[i])
        return


@check(
    "link.image_host", "medium", 2.5,
    variants={"linked": 1.5},
    title=T("Its pictures come from a public image-sharing site", "画像が誰でも使える画像共有サイトから読み込まれます"),
    detail=T("The message shows or links pictures stored on {service} ({host}), where anyone can upload one. "
             "Organisations serve their pictures from their own site or mail service; bulk mail that "
             "puts its words into pictures, out of a filter's sight, borrows these sites.",
             "このメールは誰でも画像を置ける {service}（{host}）上の画像を表示・リンクしています。企業は自社サイトや"
             "配信サービスから画像を出します。文面を画像にしてフィルターから隠す迷惑メールがこうしたサイトを使います。"),
    reason=T("its pictures are stored on {service}, a public image-sharing site",
             "画像を画像共有サイト {service} に置いています"),
)
def link_image_host(ctx: CheckContext) -> Iterator[Hit]:
    # pictures come as <img> and links, and as CSS backgrounds, which carry no link
    links = ctx.facts.links
    hosts: list[tuple[int | None, str]]
    hosts = [(i, link.host) for i, link in enumerate(links) if link.host and link.source == "html-img"]
    hosts += [(None, host) for host in css_picture_hosts(ctx)]
    hosts += [(i, link.host) for i, link in enumerate(links) if link.host and link.source != "html-img"]
    for i, host in hosts:
        service = image_host(host)
        if not service:
            continue
        owner = owner_of(service)
        if owner and owner.key in authenticated_brands(ctx):
            continue  # a platform's own notification showing its own users' pictures
        # a picture shown from such a site is the bulk trick; a link to one is how people share photos
        shown = i is None or links[i].source == "html-img"
        yield Hit(evidence={"host": host, "service": service, "shown": shown}, links=[] if i is None else [i],
                  severity=None if shown else "low", variant=None if shown else "linked")
        return


_STRANGER_DETAIL = T(
    "This designed mail trades as “{name}”, comes from {from_domain}, a domain unrelated to that name, and links "
    "only to {domains}, related to neither. An organisation's own mail names it, comes from its domain and links "
    "to its site; here the name, the sender and the site are three different parties.",
    "このメールは「{name}」を名乗っていますが、送信元の {from_domain} はその名前と無関係で、リンク先の {domains} は"
    "そのどちらとも無関係です。組織自身のメールなら、名前・送信ドメイン・リンク先は同じ組織のものです。ここでは"
    "名乗り・送信者・サイトがばらばらの三者です。")


@check(
    "link.elsewhere", "medium", 2.0,
    variants={"stranger": 2.5},
    title=T("The mail never links to its sender's own site", "差出人自身のサイトへのリンクがひとつもありません"),
    detail=T("This designed mail comes from {from_domain}, yet none of its links lead there: they lead to "
             "{domains}, sites unrelated to the sender and not widely known. An organisation's own mail "
             "links to its own site; a borrowed or throwaway sending domain does not.",
             "このメールは {from_domain} から送られていますが、そこへのリンクはひとつもなく、送信元と無関係で"
             "知名度もない {domains} へ向かいます。組織自身のメールは自分のサイトへリンクします。"
             "借りた、または使い捨ての送信ドメインはそうしません。"),
    reason=T("it links only to sites unrelated to its sender ({domains})",
             "送信元と無関係なサイト（{domains}）にしかリンクしていません"),
)
def link_elsewhere(ctx: CheckContext) -> Iterator[Hit]:
    facts = ctx.facts
    sender = from_domain(ctx)
    # people and lists link wherever the conversation goes; a designed page (or an attached
    # document with links) speaks for its sender
    designed = facts.html or any(link.source == "attachment" for link in facts.links)
    if not sender or not designed or by_list(ctx) or is_free_email(sender):
        return
    own = authenticated_domains(ctx) | infrastructure_domains(ctx) | {sender}
    brand = owner_of(sender)
    elsewhere: list[str] = []
    for link in facts.links:
        d = link.domain
        if not link.clickable or not d or d in elsewhere:
            continue
        if d in own or one_organisation(d, sender) or (brand and brand.owns(d)):
            return  # one link home is enough
        # social profiles, app stores, an ESP's opaque click tracker: neither home nor elsewhere
        if not (popular_rank(d) or owner_of(d) or is_tracker(d)):
            elsewhere.append(d)
    if not elsewhere:
        return
    evidence: dict[str, object] = {"from_domain": sender, "domains": elsewhere[:5]}
    links = [i for i, link in enumerate(facts.links) if link.domain in elsewhere][:10]
    # the sender also trades under a name its domain does not carry, and no link carries it either
    named = unrelated_name(ctx)
    linked = [link.domain.replace("-", "") for link in facts.links if link.clickable and link.domain]
    if named and not any(word in d for word in named[1] for d in linked):
        evidence["name"] = named[0]
        yield Hit(evidence=evidence, links=links, variant="stranger",
                  detail=fmt(_STRANGER_DETAIL, name=named[0], from_domain=sender, domains=", ".join(elsewhere[:5])))
    else:
        yield Hit(evidence=evidence, links=links)


@check(
    "link.random_domain", "medium", 3.0,
    variants={"subdomain": 2.0},
    title=T("A link goes to a machine-generated-looking domain",
            "リンク先のドメインが機械的に生成されたように見えます"),
    detail=T("{domain} looks like a random string, typical of throwaway domains registered for one campaign.",
             "{domain} はランダムな文字列に見えます。攻撃のために使い捨てで取得されるドメインの特徴です。"),
    reason=T("it links to a random-looking domain ({domain})",
             "ランダムな文字列のドメイン（{domain}）へリンクしています"),
)
def link_random_domain(ctx: CheckContext) -> Iterator[Hit]:
    own = authenticated_domains(ctx) | {from_domain(ctx)}  # a sender linking its own site chose the name
    subdomain: tuple[int, str] | None = None
    for i, link in enumerate(ctx.facts.links):
        if not link.clickable or not link.domain or link.domain in own or popular_rank(link.domain) or \
                _brand_domain(link.domain):  # a brand chose its name ("smbcnikko"), however it reads
            continue
        assert link.host is not None  # a clickable link has a host
        if looks_random(link.domain.split(".")[0]):
            yield Hit(evidence={"domain": link.domain, "url": link.url[:200]}, links=[i])
            return
        # a random name under an unknown domain ("jwcikmflxcuwsaay.lsx631.com"): one domain, a new
        # throwaway host name for each batch of mail (not in list discussion, where hosts are projects')
        if subdomain is None and _random_host(link.host, link.domain) and not by_list(ctx) and \
                not is_tracker(link.domain):  # an ESP's per-customer tracking hosts ("d2v8tf04.na1.hubspotlinks.com")
            subdomain = (i, link.host)
    if subdomain is not None:
        i, host = subdomain
        yield Hit(evidence={"domain": host, "url": ctx.facts.links[i].url[:200]}, links=[i], variant="subdomain",
                  detail=fmt(_RANDOM_HOST_DETAIL, host=host))


def _random_host(host: str, domain: str) -> bool:
    """A label of 8+ characters that reads as random in front of DOMAIN (shorter ones are project
    and machine names: "elixir", "kisskb")."""
    if not host.endswith("." + domain):
        return False
    return any(len(label) >= 8 and looks_random(label) for label in host[:-len(domain) - 1].split(".")[:5])


_RANDOM_HOST_DETAIL = T(
    "{host} is a random string put in front of a little-known domain: throwaway host names, a new one for each "
    "batch of mail, under one domain registered for the campaign.",
    "{host} は、知名度の低いドメインの前にランダムな文字列を付けた名前です。キャンペーン用に取得した"
    "一つのドメインの下で、メールの送信ごとに使い捨てのホスト名を作る手口です。")


def _brand_domain(domain: str) -> bool:
    """One of a brand's own domains, not a customer's name under a brand's platform (an S3 bucket
    under amazonaws.com is a registrable domain of its own)."""
    brand = owner_of(domain)
    return brand is not None and domain.lower() in brand.domains


@check(
    "link.suspicious_tld", "low", 1.0,
    title=T("A link uses a top-level domain popular with abuse", "悪用の多いトップレベルドメインへのリンクがあります"),
    detail=T("{host} is under .{tld}, a top-level domain where cheap registrations attract abuse.",
             "{host} は .{tld} の下にあります。安価に取得でき悪用が多いトップレベルドメインです。"),
    reason=T("it links to a .{tld} domain", ".{tld} のドメインへリンクしています"),
)
def link_suspicious_tld(ctx: CheckContext) -> Iterator[Hit]:
    # a page on a hosting platform (x.netlify.app, x.pages.dev) is under the platform's choice of
    # ending, not a cheap registration of its author's: link.free_hosting speaks for it
    for i, link in enumerate(ctx.facts.links):
        if link.clickable and not popular_rank(link.domain or "") and not _brand_domain(link.domain or "") \
                and not free_host(link.host or ""):
            tld = suspicious_tld(link.host)
            if tld:
                yield Hit(evidence={"host": link.host, "tld": tld}, links=[i])
                return


@check(
    "link.ip_address", "medium", 3.0,
    variants={"server_name": 3.0},
    title=T("A link goes to a bare IP address", "リンク先がIPアドレスそのものです"),
    detail=T("The link {url} points at an IP address instead of a domain name; legitimate services almost "
             "never do that.",
             "リンク {url} はドメイン名ではなくIPアドレスを指しています。正規のサービスではまずありません。"),
    reason=T("it links straight to a server by its address ({ip})",
             "サーバーのIPアドレス（{ip}）へ直接リンクしています"),
)
def link_ip(ctx: CheckContext) -> Iterator[Hit]:
    own: set[str] | None = None
    for i, link in enumerate(ctx.facts.links):
        if not link.clickable or not link.host:
            continue
        addr = ip_of(link.host.strip("[]"))
        if addr is not None:
            if addr.is_global:
                yield Hit(evidence={"url": link.url[:200], "ip": str(addr)}, links=[i])
                return
            continue
        # a server's name made of its address ("26.190.205.92.host.secureserver.net",
        # "static.1.2.3.4.clients.your-server.de", "x.20-218-142-124.cloud-xip.com"): a bare server
        # under the name its network gives every address, not a site's own name
        ip = _address_in_name(link.host)
        if ip is None:
            continue
        if own is None:  # a hosting company's mail about its customer's server, sent from its own network
            origin = origin_name(ctx)
            own = authenticated_domains(ctx) | {from_domain(ctx), registrable_domain(origin) or origin}
        reg = link.domain or ""
        if reg in own or any(one_organisation(reg, d) for d in own if d):
            continue
        yield Hit(evidence={"url": link.url[:200], "ip": ip, "host": link.host}, links=[i], variant="server_name",
                  detail=fmt(_SERVER_NAME_DETAIL, url=link.url[:200], ip=ip, host=link.host))
        return


_IP_IN_NAME = re.compile(r"(?:^|[.-])((?:25[0-5]|2[0-4]\d|1?\d?\d)(?:[.-](?:25[0-5]|2[0-4]\d|1?\d?\d)){3})(?=[.-])")
_SERVER_NAME_DETAIL = T(
    "The link {url} goes to {host}: the name a hosting network gives a bare server after its address "
    "(“{ip}”), not a website's own name. Legitimate services link to their own domain; a phishing page "
    "set up in a hurry sits on a rented server under whatever name came with it.",
    "リンク {url} の行き先 {host} は、ホスティング事業者がサーバーにIPアドレス（「{ip}」）から機械的に付けた名前で、"
    "ウェブサイト自身の名前ではありません。正規のサービスは自社のドメインへリンクします。急ごしらえの"
    "フィッシングサイトは、借りたサーバーに最初から付いている名前のまま置かれます。")


def _address_in_name(host: str) -> str | None:
    """The public IPv4 address a host name spells out in four numbers, if any."""
    m = _IP_IN_NAME.search(host[:MAX_HOST])
    if m is None:
        return None
    ip = m.group(1).replace("-", ".")
    addr = ip_of(ip)
    return ip if addr is not None and addr.is_global else None


@check(
    "link.userinfo_trick", "high", 4.0,
    title=T("A link hides its real host after an @", "リンクの本当の行き先が @ の後ろに隠されています"),
    detail=T("{url} looks like it starts with {shown}, but everything before the @ is ignored: it goes to {host}.",
             "{url} は {shown} で始まるように見えますが、@ より前は無視され、実際には {host} へ向かいます。"),
    reason=T("a link disguises its real host with an @", "@ を使ってリンク先を偽装しています"),
)
def link_userinfo(ctx: CheckContext) -> Iterator[Hit]:
    for i, link in enumerate(ctx.facts.links):
        if not link.clickable:
            continue
        try:
            parts = urlsplit(link.url)
        except ValueError:
            continue
        if parts.username and "." in parts.username:
            yield Hit(evidence={"url": link.url[:200], "shown": parts.username, "host": link.host}, links=[i])
            return


@check(
    "link.recipient_in_url", "low", 1.0,
    title=T("A link carries your address", "リンクにあなたのメールアドレスが埋め込まれています"),
    detail=T("The link to {host} contains your address ({recipient}), so the page can greet you by name "
             "and pre-fill a login form — a hallmark of credential phishing.",
             "{host} へのリンクにあなたのアドレス（{recipient}）が含まれています。ページ側で名前を表示したり"
             "ログイン欄を埋めたりするためで、認証情報を盗むフィッシングの典型です。"),
    reason=T("its link is personalised with your address", "リンクにあなたのアドレスが埋め込まれています"),
)
def link_recipient(ctx: CheckContext) -> Iterator[Hit]:
    rcpt = (ctx.facts.recipient or "").lower()
    if not rcpt or "@" not in rcpt:
        return
    # phishing kits also take the address base64-encoded ("#dGFyb0BleGFtcGxlLmpw"), to slip past
    # filters that look for it in plain text
    encoded = {base64.b64encode(rcpt.encode()).decode().rstrip("="),
               base64.urlsafe_b64encode(rcpt.encode()).decode().rstrip("=")}
    # a sender's own site pre-filling your address (a newsletter's preferences, its "view online") is
    # how mailings work; the tell is a foreign page that knows who you are
    own = authenticated_domains(ctx)
    sender = from_domain(ctx)
    for i, link in enumerate(ctx.facts.links):
        d = link.domain or ""
        if not link.clickable or d in own or is_tracker(d):
            continue
        if sender and (d == sender or one_organisation(d, sender)):
            continue
        url = unquote(link.url)
        low = url.lower()
        if _UNSUBSCRIBE.search(low):
            continue
        how = "plain" if rcpt in low else "base64" if any(e in url for e in encoded) else None
        if how:
            yield Hit(evidence={"host": link.host, "recipient": rcpt, "encoding": how}, links=[i])
            return


# A fragment (after "#") never reaches the server: pages use it for anchors ("#pricing"), their own
# routes ("#/inbox/…"), or ids in a site's own alphabet (hex commit and message ids, "issuecomment-123").
# A long random code of mixed letters and digits there is read only by the page's own script — a phishing
# kit's way to recognise its target — or makes every copy's link unique, so that filters cannot match it.
_FRAGMENT_TOKEN = re.compile(r"[A-Za-z0-9]{16,200}")
_HEX_ID = re.compile(r"[A-Za-z]?[0-9a-fA-F]+")
# end-to-end encrypted shares, whose decryption key is the fragment by design
_FRAGMENT_KEYS = frozenset({"mega.nz", "mega.io", "proton.me", "tresorit.com", "cryptpad.fr", "1password.com"})


@check(
    "link.fragment_token", "medium", 2.0,
    title=T("A link carries a random per-copy code after “#”", "リンクの「#」の後にランダムな個別コードが付いています"),
    detail=T("The link to {host} ends in “#{token}”. The part after “#” is never sent to the site; it is read only "
             "by the page's own script. Phishing pages use such a code to recognise whom a copy was sent to, "
             "and bulk senders make every copy's link unique this way so that filters cannot recognise it. "
             "Ordinary links end in a readable anchor, if anything.",
             "{host} へのリンクの末尾に「#{token}」が付いています。「#」以降はサイトに送られず、ページ自身の"
             "スクリプトだけが読みます。フィッシングページはこうしたコードで送り先を見分け、一斉送信では1通ごとに"
             "リンクを変えてフィルターに見抜かれないようにします。普通のリンクの「#」以降は読める見出し名です。"),
    reason=T("a link carries a random per-copy code", "リンクにランダムな個別コードが付いています"),
)
def link_fragment_token(ctx: CheckContext) -> Iterator[Hit]:
    for i, link in enumerate(ctx.facts.links):
        if not link.clickable or "#" not in link.url or link.domain in _FRAGMENT_KEYS:
            continue
        token = link.url.partition("#")[2]
        if _FRAGMENT_TOKEN.fullmatch(token) and not _HEX_ID.fullmatch(token) and \
                sum(c.isdigit() for c in token) >= 2 and sum(c.isalpha() for c in token) >= 4:
            yield Hit(evidence={"host": link.host, "token": token[:60], "url": link.url[:200]}, links=[i])
            return


@check(
    "link.external_form", "low", 0.5,
    title=T("The message contains a form that sends data elsewhere", "メール内に外部へ送信するフォームがあります"),
    detail=T("A form in the message submits what you type to {host}.",
             "メール内のフォームは入力内容を {host} へ送信します。"),
    reason=T("it contains a form that submits to {host}", "{host} へ送信するフォームを含んでいます"),
)
def link_form(ctx: CheckContext) -> Iterator[Hit]:
    own = authenticated_domains(ctx)
    for i, link in enumerate(ctx.facts.links):
        if link.source == "html-form" and link.host and link.domain not in own:
            yield Hit(evidence={"host": link.host, "url": link.url[:200]}, links=[i])
            return
