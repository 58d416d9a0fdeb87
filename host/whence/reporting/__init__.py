"""One-click abuse reporting: who should hear about a message, and the RFC 5965 report to send them.

`build_report` runs the analysis (offline or with lookups, as the settings say), reads the
recipients from the report and the raw lookups, and builds the ARF message. It never sends
anything: the user reviews the recipients and the report in the mail client first.
"""

from __future__ import annotations

import base64
from typing import Any

from ..model import Context
from ..pipeline import Analysis
from ..settings import Settings
from . import arf, classify, recipients

__all__ = ["build_report"]


async def build_report(raw: bytes, settings: Settings, context: Context | None = None,
                       lang: str = "en", picked: list[str] | None = None) -> dict[str, Any]:
    """Recipients, forms and the whole RFC 5965 report for one message.

    PICKED, when given, is the user's pick among the proposed recipients: the report is then
    addressed to those only, so that it never names a bystander the user unticked.

    -> {"recipients": [{"address", "role", "reason": {"en", "ja"}, "source"?}],
        "forms": [{"url", "reason", "provider", "source", "urls"}],
        "arf": str, "arf_base64"?: str, "format": "arf", "kind", "feedback_type", "redacted"}
    `arf` is the message as text; when the original has 8-bit bytes that are not UTF-8 it cannot
    be carried exactly in a string, and `arf_base64` (present only then) holds the exact bytes.
    """
    lang = lang if lang in ("en", "ja") else "en"
    analysis = Analysis(raw, settings, context)
    found = await analysis.gather()
    report = analysis.report(found)
    if settings.redact_recipient:
        report = arf.redacted_report(report, arf.own_addresses(analysis.facts))
    abusix = await recipients.abusix_contacts(recipients.abusix_candidates(report, analysis.facts, found),
                                              settings)
    chosen = recipients.collect(report, analysis.facts, found, settings, abusix)
    domains = list(recipients.link_domains(report, analysis.facts))
    sender = context.account_email if context is not None else None
    addressed = [r["address"] for r in chosen.mail]
    if picked is not None:
        wanted = {a.strip().lower() for a in picked}
        addressed = [a for a in addressed if a.lower() in wanted]
    message = arf.build_arf(raw, report, analysis.facts, addressed, lang=lang,
                            redact_recipient=settings.redact_recipient, link_domains=domains, sender=sender)
    kind = classify.kind(report)
    try:
        text, exact = message.decode("utf-8"), True
    except UnicodeDecodeError:
        text, exact = message.decode("utf-8", "replace"), False
    result: dict[str, Any] = {
        "recipients": chosen.mail,
        "forms": chosen.forms,
        "arf": text,
        "format": "arf",
        "kind": kind,
        "feedback_type": classify.FEEDBACK_TYPE[kind],
        "redacted": bool(settings.redact_recipient and analysis.facts is not None
                         and (analysis.facts.recipient or analysis.facts.context.account_email)),
        "verdict": report.get("verdict"),
        "lookups_done": found.done,
    }
    if not exact:
        result["arf_base64"] = base64.b64encode(message).decode("ascii")
    return result
