"""What a link's host name says about itself: a domain ending worn in the middle of the name.

`link.lookalike` (links.py) reports the hosts that carry a brand; this module the ones that borrow
only the ending — "www.co.jp.example.cn" reads as a .co.jp address at a glance, and no site that
owns a .co.jp name has a reason to spell it under another domain.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..brands import disguised_suffix
from ..i18n import T
from .common import authenticated_domains, host_lookalike
from .registry import CheckContext, Hit, check


@check(
    "link.suffix_in_subdomain", "high", 4.0,
    title=T("A link's address wears a domain ending in the middle",
            "リンク先のアドレスの途中にドメイン末尾が入っています"),
    detail=T("{host} puts “{suffix}” in front of its real domain, {domain}, so that at a glance it reads as "
             "a .{suffix} address. On a real .{suffix} site the ending comes last; this page is on {domain}.",
             "{host} は本当のドメイン {domain} の手前に「{suffix}」を入れて、一見 .{suffix} のアドレスに"
             "見せかけています。本物の .{suffix} のサイトなら末尾に来るはずです。実際のページは {domain} 上に"
             "あります。"),
    reason=T("it links to {host}, dressed up as a .{suffix} address",
             "{host} という .{suffix} に見せかけたアドレスへリンクしています"),
)
def suffix_in_subdomain(ctx: CheckContext) -> Iterator[Hit]:
    own = authenticated_domains(ctx)
    for i, link in enumerate(ctx.facts.links):
        if not link.clickable or link.domain in own:
            continue
        assert link.host is not None  # a clickable link has a host
        if host_lookalike(ctx, link.host):
            continue  # it names a brand too: link.lookalike says which
        suffix = disguised_suffix(link.host)
        if suffix:
            yield Hit(evidence={"host": link.host, "suffix": suffix, "domain": link.domain}, links=[i])
            return
