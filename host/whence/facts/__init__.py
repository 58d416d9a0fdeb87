"""The facts stage: plain data about what the message itself shows. No network."""

from __future__ import annotations

from functools import cache

from ..model import Context, Facts, Message
from ..settings import Settings
from .attachments import extract_attachments, given_password
from .auth import auth_facts
from .drawn import drawn_qr
from .forwards import find_forward
from .headers import addresses, delivered_to, parse_date, recipient_of
from .links import attachment_links, extract_links
from .lists import list_facts
from .route import build_route
from .text import extract_body


def build(message: Message, settings: Settings, context: Context) -> Facts:
    route = build_route(message, settings, context)
    from_ = next(iter(addresses(message.get("From") or "")), None)
    body = extract_body(message)
    subject = message.get("Subject") or ""

    @cache
    def password() -> str | None:  # read only for an encrypted attachment: a scan of the whole text
        return given_password(f"{subject}\n{body.text}")

    attachments = extract_attachments(message, password) + drawn_qr(message, body.html)
    text, html = body.text, body.html
    auth = auth_facts(message, route, from_.domain if from_ else "")
    list_id, is_list, forwarded = list_facts(message, auth, from_, route.boundary_pos, route.hops)
    delivered = delivered_to(message, context)
    return_path = message.get("Return-Path")
    if return_path:
        return_path = return_path.strip().strip("<>").strip() or None
    return Facts(
        message=message,
        from_=from_,
        reply_to=addresses(message.get("Reply-To") or ""),
        sender=next(iter(addresses(message.get("Sender") or "")), None),
        # shown in the report only: the first few dozen of a long Cc list are enough (parsing is costly)
        to=addresses(", ".join(message.get_all("To") + message.get_all("Cc")), max_chars=2048),
        return_path=return_path,
        subject=subject,
        date=parse_date(message.get("Date")),
        hops=route.hops,
        origin=route.origin,
        auth=auth,
        links=extract_links(message, text, html, body.links) + attachment_links(attachments),
        attachments=attachments,
        text=text,
        html=html,
        list_id=list_id,
        is_list=is_list,
        forwarded=forwarded,
        context=context,
        hidden_text=body.hidden,
        recipient=delivered or recipient_of(message, context),
        delivered_to=delivered,
        attachment_password=password() if any(a.encrypted for a in attachments) else None,
        inline_forward=find_forward(text),
        skipped=body.skipped,
    )
