"""What kind of abuse a report is about, and whether the mail targets people in Japan.

Both decide where a report goes: phishing to the anti-phishing council, unsolicited advertising
to the spam desk; both read only the finished report and the facts, never the network.
"""

from __future__ import annotations

from typing import Any

from .. import brands
from ..model import Facts

PHISHING = frozenset({"brand.impersonation", "link.lookalike", "link.text_mismatch", "link.free_hosting",
                      "attachment.qr_code"})
MALWARE = frozenset({"attachment.executable"})
# Stories that ask for money or a call rather than a password: fraud (RFC 5965), not advertising, so
# not for a spam desk either.
SCAM = frozenset({"content.extortion_btc", "content.advance_fee", "content.money_waiting", "content.prize_lure",
                  "content.crypto_lure", "content.callback_lure"})
# Abuse that is not advertising, so not for a spam desk: credential tests through the user's account.
NOT_ADVERTISING = frozenset({"content.smtp_test"})

# RFC 5965 §7.3 registered feedback types for each kind.
FEEDBACK_TYPE = {"phishing": "fraud", "scam": "fraud", "malware": "virus", "spam": "abuse"}

TEXT_LIMIT = 20000


def finding_ids(report: dict[str, Any]) -> set[str]:
    return {f.get("id", "") for f in report.get("findings", []) if isinstance(f, dict)}


def kind(report: dict[str, Any]) -> str:
    """phishing | malware | scam | spam — the first that the findings support."""
    ids = finding_ids(report)
    if ids & PHISHING or any(i.startswith("feed.") for i in ids):
        return "phishing"
    if ids & MALWARE:
        return "malware"
    if ids & SCAM:
        return "scam"
    return "spam"


def impersonated_brands(report: dict[str, Any]) -> list[dict[str, Any]]:
    """Evidence of each `brand.impersonation` finding: {"brand": key, "brand_name": ...}."""
    out = []
    for f in report.get("findings", []):
        if not isinstance(f, dict) or f.get("id") != "brand.impersonation":
            continue
        if isinstance(f.get("evidence"), dict):
            out.append(f["evidence"])
    return out


def scam_mailboxes(report: dict[str, Any]) -> list[str]:
    """The mailboxes the mail asks its victims to write to, as the findings name them: a free-mail
    address in the text (`sender.contact_elsewhere`), a free-mail Reply-To (`sender.reply_to_mismatch`).
    Never the From address, which anyone can forge."""
    out: list[object] = []
    for f in report.get("findings", []):
        evidence = f.get("evidence") if isinstance(f, dict) else None
        if not isinstance(evidence, dict):
            continue
        if f.get("id") == "sender.contact_elsewhere":
            out.append(evidence.get("address"))
        elif f.get("id") == "sender.reply_to_mismatch" and (evidence.get("free_email") or evidence.get("hijacked")):
            out.append(evidence.get("reply_to"))
    return list(dict.fromkeys(str(a).lower() for a in out if isinstance(a, str) and "@" in a))[:5]


def japanese_share(text: str) -> float:
    """Share of Japanese letters among all letters; Chinese without kana does not count."""
    kana = kanji = latin = 0
    for ch in text[:TEXT_LIMIT]:
        o = ord(ch)
        if 0x3040 <= o <= 0x30FF or 0xFF66 <= o <= 0xFF9F:
            kana += 1
        elif 0x4E00 <= o <= 0x9FFF or 0x3400 <= o <= 0x4DBF:
            kanji += 1
        elif ch.isalpha() and ch.isascii():
            latin += 1
    letters = kana + kanji + latin
    if not letters or kana < max(3, (kana + kanji) // 20):
        return 0.0
    return (kana + kanji) / letters


def targets_japan(report: dict[str, Any], facts: Facts | None) -> tuple[bool, str | None]:
    """(True, why) when the mail aims at people in Japan: a Japanese brand, Japanese text, a .jp mailbox."""
    for ev in impersonated_brands(report):
        brand = brands.by_key(str(ev.get("brand", "")))
        if brand is not None and brand.japanese:
            return True, "brand"
    if facts is not None:
        if japanese_share(f"{facts.subject}\n{facts.text}") >= 0.5:
            return True, "text"
        mailbox = facts.recipient or facts.context.account_email or ""
        if mailbox.lower().rstrip(".").endswith(".jp"):
            return True, "recipient"
    return False, None
