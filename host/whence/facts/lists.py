"""Mailing lists and forwarders: recognised so that the checks do not mistake a list's changes
(subject tags, footers that break the author's DKIM, a different envelope) for forgery."""

from __future__ import annotations

from ..model import Address, AuthFacts, Message

_LIST_HEADERS = ("list-id", "list-post", "list-help", "list-subscribe", "mailing-list", "x-mailing-list",
                 "x-beenthere", "x-loop")


def list_facts(message: Message, auth: AuthFacts, from_: Address | None, boundary_pos: int = -1,
               ) -> tuple[str | None, bool]:
    """(List-Id, whether the message came through a list or forwarder).

    An ARC seal counts only when it was added before the recipient's provider got the message: big
    providers (Microsoft 365) seal every message they handle, which says nothing about lists."""
    list_id = message.get("List-Id")
    names = {k.lower() for k, _ in message.headers}
    is_list = bool(list_id) or any(h in names for h in _LIST_HEADERS)
    if (message.get("Precedence") or "").strip().lower() == "list":
        is_list = True
    # a list's own signature beside the author's, or an ARC set from another domain, marks a forwarder
    from_domain = from_.domain if from_ else ""
    if any(s.domain and s.domain != from_domain and s.header_pos > boundary_pos >= 0 for s in auth.arc_sets):
        is_list = True
    if "resent-from" in names or "x-forwarded-to" in names:
        is_list = True
    return (list_id.strip()[:300] if list_id else None), is_list
