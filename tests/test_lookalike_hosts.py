"""Link hosts that carry a brand or a domain ending inside a subdomain of an unrelated domain.

Each pattern has a phishing example and a legitimate host of the same shape that must not fire; the
last tests run whole messages through the real pipeline, offline.
"""

from __future__ import annotations

from email.message import EmailMessage

import pytest
from whence.brands import disguised_suffix, lookalike
from whence.pipeline import Analysis
from whence.settings import Settings


@pytest.mark.parametrize(("host", "kind", "brand"), [
    # the brand's whole domain spelt out, with dots, hyphens or both
    ("rakuten-card.co.jp.qzvtmx.com", "brand_in_subdomain", "rakuten"),
    ("www-aeon-co-jp.wandering-owl-garden.com", "brand_in_subdomain", "aeon"),
    ("smile-etc.jp.qzvtmx.cn", "brand_in_subdomain", "etc"),
    # a brand's label or listed name as a label of its own, hyphens included
    ("www.eki-net.qzvtmx.com", "brand_in_subdomain", "ekinet"),
    ("etc-meisai.qzvtmx.sbs", "brand_in_subdomain", "etc"),
    ("e-tax-kakunin.qzvtmx.cn", "brand_in_subdomain", "nta"),
    # a brand-like name before a domain ending: swapped or dropped letters, or an ordinary-word brand
    ("amzaon.co.jp.qzvtmx.cn", "suffix_in_subdomain", "amazon"),
    ("www.amazo-co.login.qzvtmx.cn", "suffix_in_subdomain", "amazon"),
    ("jcb.co.qzvtmx.shop", "suffix_in_subdomain", "jcb"),
    ("www.monex.co.qzvtmx.sbs", "suffix_in_subdomain", "monex"),
    ("www.amazonupdate-account.co.jp.qzvtmx.cn", "suffix_in_subdomain", "amazon"),
    ("rakuten-kakunin-co-jp.qzvtmx.cn", "suffix_in_subdomain", "rakuten"),
    # a Japanese brand's label shortened to its first word, a letter changed, or "jp" alone after it
    ("www.eki-co-jp-adrm-info.qzvtmx.cn", "suffix_in_subdomain", "ekinet"),
    ("www.login-eki.co.jp.qzvtmx.cn", "suffix_in_subdomain", "ekinet"),
    ("www2.etc-merisai.jp.login.qzvtmx.cn", "suffix_in_subdomain", "etc"),
    ("www2.etc-maisai.login.qzvtmx.com", "mangled_in_subdomain", "etc"),
    # mangled brand in front: digits for letters, numbers tacked on, nn for m, i for l, hyphens dropped
    ("etc1-melsai.qzvtmx.cn", "mangled_in_subdomain", "etc"),
    ("etc2-nnelsai.qzvtmx.cn", "mangled_in_subdomain", "etc"),
    ("ekl-net.qzvtmx.shop", "mangled_in_subdomain", "ekinet"),
    ("www.smileetc.qzvtmx.cn", "mangled_in_subdomain", "etc"),
    ("rnercari.qzvtmx.com", "mangled_in_subdomain", "mercari"),
    ("paypall-secure.qzvtmx.com", "mangled_in_subdomain", "paypal"),
    # a long brand name with letters run on, anywhere in the subdomain
    ("amazonoe.qzvtmx.icu", "brand_in_subdomain", "amazon"),
    ("wwwsaisoncald.qzvtmx.com", "brand_in_subdomain", "saison"),
    ("jp.mercariloguser.qzvtmx.com", "brand_in_subdomain", "mercari"),
    # a hyphen dropped in the registrable label itself
    ("smbcard-forcelogin.com", "typo", "smbc"),
])
def test_brand_in_a_subdomain(host: str, kind: str, brand: str) -> None:
    found = lookalike(host)
    assert found is not None, host
    assert (found.kind, found.brand.key) == (kind, brand)


@pytest.mark.parametrize(("host", "brand"), [
    ("line-login.com", "line"), ("apple-supp0rt.com", "apple"), ("visa-card.top", "visa"),
    ("ledger-live-web3.com", "ledger"), ("notifications-ledger.com", "ledger"), ("epos-point.com", "epos"),
    ("ups-order-tracking.com", "ups"), ("apple-updateaddcard.com", "apple"),
])
def test_a_brand_that_is_an_ordinary_word_counts_beside_its_account_services(host: str, brand: str) -> None:
    """"line", "apple", "visa" name businesses too (hair-salon-line.jp, apple-farm.jp): beside a word of
    an account's services, or under a cheap ending, they are the brand's login page."""
    found = lookalike(host)
    assert found is not None and (found.kind, found.brand.key) == ("combo", brand), host


def test_official_names_the_domain_imitated() -> None:
    assert lookalike("amzaon.co.jp.qzvtmx.cn").official == "amazon.co.jp"
    assert lookalike("jcb.co.qzvtmx.shop").official == "jcb.co.jp"
    assert lookalike("etc1-melsai.qzvtmx.cn").official == "etc-meisai"


@pytest.mark.parametrize("host", [
    # the brands' own hosts, however deep
    "mail.google.com", "www.jreast.co.jp", "email.mg.smbc-card.com", "www.rakuten.co.jp", "help.jp.mercari.com",
    "click.mail.ana.co.jp",
    # popular sites, whatever their subdomains say
    "s.amazon-adsystem.com", "u17296288.ct.sendgrid.net", "lists.sourceforge.net", "git.kernel.org",
    "nl.com.com", "raw.githubusercontent.com",
    # providers whose host names carry their customers' domains: CDN aliases, translation proxies,
    # the library proxy of a university
    "www.amazon.co.jp.cdn.cloudflare.net", "www.rakuten.co.jp.edgekey.net", "www-amazon-co-jp.translate.goog",
    "www-jcb-co-jp.ezproxy.lib.example-u.ac.jp",
    # ordinary words near brand names: not a slip of binance, booking, icloud, correios, saison, and
    # words that are also a brand's label (crypto.com, priceless.com, cvs.com, ing.com, block.xyz)
    "finance.qzvtmx.com", "cooking.qzvtmx.com", "cloud.carbonite.com", "correio.empresa-exemplo.com.br",
    "salon.qzvtmx.jp", "crypto.qzvtmx.com", "geo-crypto.qzvtmx.com", "priceless.qzvtmx.co.uk",
    "cvs.xemacs.org", "mail-ing.qzvtmx.org", "online-me.qzvtmx.com", "block.qzvtmx.org",
    # a subdomain a SaaS customer picked after its own domain
    "example-co-jp.backlog.jp", "www.jp.qzvtmx.com", "shop-jp.qzvtmx.com",
    # hosts that made brands from JPCERT/CC's list fire until their entries were trimmed: a shared
    # label of an ISP's subscriber domain (home.ne.jp), a city name (tokyo), ordinary words
    "home.adelphia.net", "crystal-tokyo.com", "xorg-xserver.org", "keepyourpromise.com",
    "customsforge.com", "mysakura.com", "nifty-deals.com",
    # the new brands' own hosts
    "www.nenkin.go.jp", "www.jabank.org", "coin.z.com", "www.soumu.go.jp",
    # one letter from another brand, and a brand of its own: Spain's post is not a slip of Brazil's;
    # a mail provider's own domain (outlook.es) imitates nothing
    "www.correos.es", "outlook.es",
    # ordinary words that begin with a brand's label
    "bookings.qzvtmx.com", "cryptozoo.qzvtmx.com", "targeted.qzvtmx.com", "celsiusdata.qzvtmx.com",
    # businesses named with a word that is also a brand's label: a law office, a farm, a salon's line
    "www.law-office.jp", "tax-office.co.jp", "design-office.co.jp", "apple-farm.jp", "sky-net.jp",
    "hair-salon-line.jp", "line-up.jp", "sharm-blue-sky.com",
])
def test_legitimate_hosts_do_not_fire(host: str) -> None:
    assert lookalike(host) is None, host
    assert disguised_suffix(host) is None, host


@pytest.mark.parametrize(("host", "suffix"), [
    ("www.co.jp.qzvtmx.cn", "co.jp"),
    ("www.reservation.co.jp.qzvtmx.cn", "co.jp"),
    ("www.login-web.co.jp.qzvtmx.cn", "co.jp"),
    ("fos_rekntau_co_jp.qzvtmx.com", "co.jp"),
    ("www.jp.co.qzvtmx.cn", "co"),
    ("secure.com.br.qzvtmx.top", "com.br"),
])
def test_domain_ending_inside_a_subdomain(host: str, suffix: str) -> None:
    assert lookalike(host) is None  # no brand named: the hosts check reports these
    assert disguised_suffix(host) == suffix


@pytest.mark.parametrize("host", [
    "www.example.co.jp",  # the ending where it belongs
    "news.qzvtmx.com", "jp.qzvtmx.com", "app.qzvtmx.co.jp",  # one-label endings are ordinary subdomain names
    "dot-com.qzvtmx.net", "tokyo-co-jp.qzvtmx.com",  # hyphens are a customer's choice of name
    "shop.jp.qzvtmx.com", "media-co-jp.qzvtmx.com",
    "shop.osaka.jp.qzvtmx.com",  # a city, not a category ending
    "www.example.co.jp.s3.amazonaws.com",  # the CDN bucket named after its site, on a brand's own domain
])
def test_ordinary_subdomains_are_no_disguised_suffix(host: str) -> None:
    assert disguised_suffix(host) is None, host
    # nor a brand: "tokyo" of tokyo-gas and "media" of media-amazon are words other sites use too
    assert lookalike(host) is None, host


# --- through the pipeline -------------------------------------------------------------------------

def message(html: str, *, sender: str = "Info <info@qzvtmx.cn>", subject: str = "ご確認",
            auth: str | None = None) -> bytes:
    msg = EmailMessage()
    if auth is not None:
        msg["Authentication-Results"] = f"mx.example-mail.jp; {auth}"
    msg["Received"] = ("from mail.qzvtmx.cn (mail.qzvtmx.cn [192.0.2.10]) by mx.example-mail.jp (Postfix) "
                       "with ESMTPS id 4WyK2n; Tue, 3 Sep 2024 02:54:43 +0900")
    msg["From"] = sender
    msg["To"] = "taro@example.jp"
    msg["Subject"] = subject
    msg["Date"] = "Tue, 3 Sep 2024 02:54:40 +0900"
    msg["Message-ID"] = "<1@qzvtmx.cn>"
    msg.set_content("HTML only.")
    msg.add_alternative(html, subtype="html")
    return bytes(msg)


def analyse(raw: bytes) -> dict:
    return Analysis(raw, Settings(offline=True)).offline_report()


def findings(report: dict) -> dict[str, dict]:
    return {f["id"]: f for f in report["findings"]}


def test_ending_without_a_brand_is_its_own_finding() -> None:
    report = analyse(message('<p>お客様のアカウントを確認してください。</p>'
                             '<a href="https://www.co.jp.qzvtmx.cn/login">ログイン</a>'))
    found = findings(report)
    assert "link.lookalike" not in found
    hit = found["link.suffix_in_subdomain"]
    assert hit["evidence"] == {"host": "www.co.jp.qzvtmx.cn", "suffix": "co.jp", "domain": "qzvtmx.cn"}
    assert "co.jp" in hit["detail"]["ja"] and "{" not in hit["detail"]["ja"] + hit["detail"]["en"]
    assert "link.suffix_in_subdomain" in report["links"][0]["findings"]


def test_ending_with_a_brand_is_a_lookalike_once() -> None:
    report = analyse(message('<a href="https://amzaon.co.jp.qzvtmx.cn/signin">Amazon にログイン</a>'))
    found = findings(report)
    assert "link.suffix_in_subdomain" not in found  # one finding for one host
    hit = found["link.lookalike"]
    assert hit["evidence"]["kind"] == "suffix_in_subdomain" and hit["evidence"]["official"] == "amazon.co.jp"
    assert "ドメイン末尾" in hit["detail"]["ja"]


def test_mangled_brand_in_a_subdomain_through_the_pipeline() -> None:
    found = findings(analyse(message('<a href="https://etc1-melsai.qzvtmx.cn/">ETC利用照会サービス</a>')))
    assert found["link.lookalike"]["evidence"]["kind"] == "mangled_in_subdomain"


def test_legitimate_newsletter_links_do_not_fire() -> None:
    html = ('<a href="https://www.jreast.co.jp/">JR東日本</a> <a href="https://email.mg.smbc-card.com/c/x">明細</a> '
            '<a href="https://mail.google.com/">Gmail</a> <a href="https://git.kernel.org/">kernel</a> '
            '<a href="https://www-example-co-jp.translate.goog/">翻訳</a> '
            '<a href="https://www.amazon.co.jp.cdn.cloudflare.net/">cdn</a> '
            '<a href="https://example-co-jp.backlog.jp/view/PRJ-1">課題</a>')
    auth = "spf=pass smtp.mailfrom=example-shop.jp; dkim=pass header.d=example-shop.jp; dmarc=pass"
    found = findings(analyse(message(html, sender="News <news@example-shop.jp>", auth=auth)))
    assert "link.lookalike" not in found and "link.suffix_in_subdomain" not in found


def test_own_authenticated_domain_is_not_disguised() -> None:
    # a sender's own odd host name is its own business once the mail is authenticated as it
    found = findings(analyse(message('<a href="https://www.co.jp.qzvtmx.cn/">サイト</a>',
                                     auth="spf=pass smtp.mailfrom=qzvtmx.cn; dkim=pass header.d=qzvtmx.cn")))
    assert "link.suffix_in_subdomain" not in found
