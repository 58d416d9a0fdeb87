"""Links from HTML and text, host normal forms and registrable domains (Public Suffix List)."""

from __future__ import annotations

import ipaddress
from pathlib import Path

import pytest
from whence.domains import ip_of, normalise_host, registrable_domain
from whence.facts.links import MAX_LINKS, extract_links
from whence.facts.text import extract_text
from whence.model import Link
from whence.parse import parse_message

CASES = Path(__file__).parent / "data" / "cases"


def links_of(html: str = "", text: str = "") -> list[Link]:
    return extract_links(parse_message(b"\r\n"), text, html)


# --- hosts and domains -------------------------------------------------------------------------

@pytest.mark.parametrize(("host", "expected"), [
    ("WWW.Example.COM.", "www.example.com"),
    ("user:pw@www.example.com:8443", "www.example.com"),
    ("xn--cckwcxetd.xn--zckzah", "アマゾン.テスト"),
    ("ＡＭＡＺＯＮ．ｃｏ．ｊｐ", "amazon.co.jp"),  # full-width letters and dots, as IDNA maps them
    ("[2001:DB8::1]:443", "2001:db8::1"),
    ("3232235777", "192.168.1.1"),  # integer form browsers accept
    ("0x7f.1", "127.0.0.1"),
    ("%61mazon.com", "amazon.com"),
    ("bad host", None),
    ("", None),
    ("a..b", None),
])
def test_normalise_host(host: str, expected: str | None) -> None:
    assert normalise_host(host) == expected


@pytest.mark.parametrize(("host", "expected"), [
    ("www.amazon.co.jp", "amazon.co.jp"),
    ("smile.amazon.com", "amazon.com"),
    ("pub-050c.r2.dev", "pub-050c.r2.dev"),  # private-section suffix: each subdomain is a registrant
    ("a.b.example.pages.dev", "example.pages.dev"),
    ("www.xn--cckwcxetd.jp", "アマゾン.jp"),  # punycode in, the same form as normalise_host out
    ("www.アマゾン.jp", "アマゾン.jp"),
    ("co.jp", None),
    ("jp", None),
    ("192.0.2.1", None),
    ("mail.city.kawasaki.jp", "city.kawasaki.jp"),
])
def test_registrable_domain(host: str, expected: str | None) -> None:
    assert registrable_domain(host) == expected


@pytest.mark.parametrize("text", [
    "192.0.2.1", "2001:db8::1", "::ffff:192.0.2.1", "fe80::1%eth0", "::", "1.2.3", "256.1.1.1", "01.2.3.4",
    "１.２.３.４", "[2001:db8::1]", " 192.0.2.1", "example.com", "1.2.3.4.example", "١.٢.٣.٤", "", ".",
])
def test_ip_of_reads_exactly_what_ipaddress_reads(text: str) -> None:
    """The pre-filter that spares host names an exception must never turn away an address."""
    try:
        expected = ipaddress.ip_address(text)
    except ValueError:
        expected = None
    assert ip_of(text) == expected


# --- HTML --------------------------------------------------------------------------------------

def test_anchor_text_entities_and_nested_image_alt() -> None:
    html = ('<a href=" https://evil.example/login?a=1&amp;b=2 ">Sign in to <b>Amazon</b>'
            '<img src="cid:logo" alt="Amazon logo"></a>')
    (link,) = links_of(html)
    assert link.url == "https://evil.example/login?a=1&b=2"
    assert link.text == "Sign in to Amazon Amazon logo"
    assert (link.host, link.domain) == ("evil.example", "evil.example")
    assert (link.scheme, link.source) == ("https", "html-a")


def test_forms_areas_images_and_schemes() -> None:
    html = ('<form action="https://collect.example.net/p"><input type=submit value=Go></form>'
            '<map><area href="http://map.example.org/x" alt="click"></map>'
            '<img src="https://cdn.example.com/a.png" alt="banner"><img src="data:image/png;base64,AA">'
            '<img src="https://t.example.com/o.gif" width=1 height="1px"><img src="https://t.example.com/h.gif" '
            'style="border:0; display: none">'
            '<a href="//proto.example.com/x">p</a><a href="mailto:Info@Example.JP?subject=hi">mail</a>'
            '<a href="#top">top</a><a href="javascript:void(0)">js</a><a href="www.bare.example.com">w</a>')
    got = {(link.source, link.url, link.host, link.scheme) for link in links_of(html)}
    assert got == {
        ("html-form", "https://collect.example.net/p", "collect.example.net", "https"),
        ("html-area", "http://map.example.org/x", "map.example.org", "http"),
        ("html-img", "https://cdn.example.com/a.png", "cdn.example.com", "https"),
        ("html-pixel", "https://t.example.com/o.gif", "t.example.com", "https"),
        ("html-pixel", "https://t.example.com/h.gif", "t.example.com", "https"),
        ("html-a", "https://proto.example.com/x", "proto.example.com", "https"),
        ("html-a", "mailto:Info@Example.JP?subject=hi", "example.jp", "mailto"),
        ("html-a", "javascript:void(0)", None, "javascript"),
        ("html-a", "http://www.bare.example.com", "www.bare.example.com", "http"),
    }


def test_base_href_resolves_relative_links() -> None:
    (link,) = links_of('<base href="https://phish.example/kit/"><a href="login.php">Log in</a>')
    assert link.url == "https://phish.example/kit/login.php" and link.domain == "phish.example"


def test_idn_hosts_both_ways() -> None:
    html = '<a href="https://xn--80ak6aa92e.com/">apple</a><a href="https://аррӏе.com/x">apple</a>'
    first, second = links_of(html)
    assert first.host == second.host == "аррӏе.com"  # Cyrillic lookalike, shown as a reader sees it
    assert first.domain == "аррӏе.com"


def test_dedupe_and_bound() -> None:
    html = '<a href="https://a.example/">x</a>' * 3 + '<a href="https://a.example/">y</a>'
    assert [link.text for link in links_of(html)] == ["x", "y"]
    many = "".join(f'<a href="https://h{i}.example/">{i}</a>' for i in range(MAX_LINKS + 50))
    assert len(links_of(many)) == MAX_LINKS


def test_broken_markup_never_raises() -> None:
    for html in ('<a href="http://[::1">x', "<a href=", "<" * 5000, '<a href="https://x.example/">' * 2000,
                 "<form action>", '<a href="http://%zz%">'):
        assert isinstance(links_of(html), list)


# --- bare URLs in text -------------------------------------------------------------------------

def test_bare_urls_in_japanese_text() -> None:
    text = ("詳しくはhttps://example.co.jp/info。からご確認ください（https://example.com/a_(b)）\n"
            "または www.example.org/path, や http://xn--cckwcxetd.jp/ を。hxxp://defanged.example/ は除く")
    got = [(link.url, link.domain, link.text, link.source) for link in links_of(text=text)]
    assert got == [
        ("https://example.co.jp/info", "example.co.jp", None, "text"),
        ("https://example.com/a_(b)", "example.com", None, "text"),
        ("http://www.example.org/path", "example.org", None, "text"),
        ("http://xn--cckwcxetd.jp/", "アマゾン.jp", None, "text"),
    ]


def test_text_urls_already_linked_or_shown_are_not_repeated() -> None:
    html = '<a href="https://evil.example/x">https://www.amazon.co.jp/</a>'
    text = "https://www.amazon.co.jp/ and https://evil.example/x and https://other.example/"
    got = [(link.source, link.url) for link in links_of(html, text)]
    assert got == [("html-a", "https://evil.example/x"), ("text", "https://other.example/")]


# --- the acceptance cases ----------------------------------------------------------------------

def case_links(name: str) -> list[Link]:
    message = parse_message((CASES / name).read_bytes())
    text, html = extract_text(message)
    return extract_links(message, text, html)


def test_case_lookalike_link_text_vs_target() -> None:
    (link,) = [link for link in case_links("mew-lookalike.eml") if link.source == "html-a"]
    assert link.text and "myetherwallet.com" in link.text
    assert link.domain != "myetherwallet.com" and link.domain


def test_case_kagoya_free_hosting_domain() -> None:
    domains = {link.domain for link in case_links("kagoya-phish.eml")}
    assert any(d and d.endswith(".r2.dev") for d in domains)


def test_case_webform_short_link_in_text() -> None:
    assert "bit.ly" in {link.domain for link in case_links("webform-abuse.eml")}


def test_raw_text_elements_cannot_swallow_the_links_after_them() -> None:
    from whence.facts.text import read_html
    # browsers read <noframes> as raw text, so its "<style>" opens nothing; a parser that knew only
    # script and style would lose every link and word that follows
    text, links, _, _skipped = read_html('<noframes><xml><style></xml></noframes><a href="https://offer.example.net/c">Go</a>'
                            '<p>Hi</p><iframe><a href="https://hidden.example.net/">x</a></iframe>')
    assert [href for href, *_ in links] == ["https://offer.example.net/c"]
    assert text.split() == ["Go", "Hi"]


@pytest.mark.parametrize("href", ["https:\\\\kq7vz3.cn\\login", "https:/\\kq7vz3.cn/login", "https:/kq7vz3.cn/login",
                                  "https:kq7vz3.cn/login", "https:///kq7vz3.cn/login", "HTTPS:\\\\kq7vz3.cn/login"])
def test_slashes_are_read_as_a_browser_reads_them(href: str) -> None:
    """WHATWG URL parsing for http(s): a backslash is a slash and any number of slashes may follow the
    scheme. Phishing writes "https:/host" and "https:\\\\host"; urlsplit saw no host in either."""
    (link,) = links_of(f'<a href="{href}">Sign in</a>')
    assert link.host == "kq7vz3.cn" and link.url.lower() == "https://kq7vz3.cn/login"


def test_backslashes_in_a_query_stay_as_written() -> None:
    (link,) = links_of('<a href="https://kq7vz3.cn/a\\b?path=c\\d#e\\f">x</a>')
    assert link.url == "https://kq7vz3.cn/a/b?path=c\\d#e\\f"
