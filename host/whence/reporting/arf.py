"""The abuse report as an RFC 5965 Abuse Reporting Format message, built with the stdlib email package.

    multipart/report; report-type=feedback-report
      ├─ text/plain                  what Whence found, in the user's language and in English
      ├─ message/feedback-report     machine-readable fields (Feedback-Type, Source-IP, Reported-URI ...)
      └─ message/rfc822              the original, byte for byte (line ends made CRLF)

The original is attached unchanged so its DKIM signature can still be verified by the receiver;
only the optional redaction of the recipient's own address alters it (and so breaks DKIM).
"""

from __future__ import annotations

import json
import re
import secrets
import urllib.parse
from datetime import datetime
from email import policy
from email.message import EmailMessage, Message
from email.utils import format_datetime, formatdate, make_msgid
from typing import Any

from .. import __version__
from ..i18n import T, Text, pick
from ..model import Facts
from . import classify

POLICY = policy.SMTP  # CRLF line ends, RFC 2047 for non-ASCII headers, refuses CR/LF in header values
REDACTED = "redacted@redacted.invalid"
MAX_URIS = 20
MAX_DOMAINS = 20
MAX_FINDINGS = 15
# Above this the original's header block alone is attached (text/rfc822-headers, RFC 5965 §2):
# the report has to fit the native messaging reply (1 MiB) and an abuse desk's size limit.
MAX_ATTACHED = 350_000
_CONTROL = re.compile(r"[\x00-\x1f\x7f]+")


def clean(value: Any, limit: int = 300) -> str:
    """One line of header-safe text: hostile input cannot add fields or break the part."""
    text = "-" if value is None else _CONTROL.sub(" ", str(value)).strip()
    return text[:limit]


def ascii_uri(url: str) -> str:
    """A URI fit for a header field: control characters dropped, non-ASCII percent-encoded."""
    url = _CONTROL.sub("", url)[:2000]
    return urllib.parse.quote(url, safe="!#$%&'()*+,/:;=?@[]~-._")


def ascii_domain(domain: str) -> str | None:
    domain = clean(domain, 253).lower().rstrip(".")
    if not domain or " " in domain:
        return None
    try:
        return domain.encode("idna").decode("ascii")
    except UnicodeError:
        return None


def defang(url: str) -> str:
    """A URL nobody opens by accident in the readable part (the machine part keeps it exact)."""
    url = clean(url, 500)
    url = re.sub(r"^http", "hxxp", url, flags=re.IGNORECASE)
    return re.sub(r"\.(?=[^./]*(/|$|\?|#|:))", "[.]", url, count=1)


def normalise_lines(raw: bytes) -> bytes:
    """CRLF line ends throughout, as RFC 5322 and DKIM canonicalisation expect."""
    return re.sub(rb"\r?\n", b"\r\n", raw)


def own_addresses(facts: Facts | None) -> list[str]:
    """The recipient's own addresses: what redaction hides."""
    if facts is None:
        return []
    return [a for a in dict.fromkeys((facts.recipient, facts.context.account_email)) if a and "@" in a]


def redact_text(text: str, addresses: list[str]) -> str:
    """TEXT with each address replaced, also where a URL carries it percent-encoded ("%40")."""
    for address in addresses:
        for form in (address, address.replace("@", "%40")):
            text = re.sub(re.escape(form), REDACTED, text, flags=re.IGNORECASE)
    return text


def redacted_report(report: dict[str, Any], addresses: list[str]) -> dict[str, Any]:
    """The report with the recipient's addresses taken out everywhere: links (lure URLs often carry
    them), finding details, the message summary."""
    if not addresses:
        return report
    return json.loads(redact_text(json.dumps(report, ensure_ascii=False, default=str), addresses))


def redact(raw: bytes, addresses: list[str]) -> bytes:
    """The original with each of the recipient's own addresses replaced (case-insensitive)."""
    for address in addresses:
        if address and "@" in address:
            raw = re.sub(re.escape(address.encode("utf-8", "replace")), REDACTED.encode(), raw,
                         flags=re.IGNORECASE)
    return raw


# ---------------------------------------------------------------------------------------------
# The machine-readable part


def arrival_date(report: dict[str, Any]) -> str | None:
    """When the recipient's provider received the message: the time of the hop that recorded the origin."""
    hops = report.get("hops") or []
    index = (report.get("origin") or {}).get("hop_index")
    candidates = [hops[index]] if isinstance(index, int) and 0 <= index < len(hops) else []
    candidates += [h for h in hops if h.get("trusted")] + hops[:1]
    for hop in candidates:
        try:
            return format_datetime(datetime.fromisoformat(hop["time"]))
        except (KeyError, TypeError, ValueError):
            continue
    return None


def provider_auth_results(facts: Facts | None, report: dict[str, Any]) -> list[str]:
    """The provider's own Authentication-Results, else one derived from its Received-SPF."""
    if facts is None:
        return []
    authserv = facts.auth.authserv_id
    out = []
    if authserv:
        for value in facts.message.get_all("Authentication-Results")[:5]:
            text = re.sub(r"\s+", " ", value).strip()
            if text.split(";", 1)[0].strip().split(" ")[0].lower() == authserv.lower():
                out.append(clean(text, 2000))
    spf = facts.auth.received_spf
    if not out and spf is not None:
        hops = report.get("hops") or []
        by = authserv or (hops[0].get("by_host") if hops else None) or "unknown"
        mailfrom = spf.props.get("envelope-from") or spf.props.get("smtp.mailfrom") or facts.return_path
        field = f"{clean(by, 200)}; spf={clean(spf.result, 20).lower()}"
        if mailfrom:
            field += f" smtp.mailfrom={clean(mailfrom, 254)}"
        out.append(field)
    return out


def reported_domains(report: dict[str, Any], facts: Facts | None, link_domains: list[str]) -> list[str]:
    """The sender's domains and the reported link domains, never the recipient's own."""
    own = ""
    if facts is not None and facts.recipient and "@" in facts.recipient:
        own = facts.recipient.rsplit("@", 1)[1].lower()
    candidates: list[str] = []
    if facts is not None:
        if facts.from_ is not None:
            candidates.append(facts.from_.domain)
        if facts.return_path and "@" in facts.return_path:
            candidates.append(facts.return_path.rsplit("@", 1)[1].strip("<> "))
    candidates += link_domains
    out: list[str] = []
    for d in candidates:
        ascii_d = ascii_domain(d or "")
        if ascii_d and ascii_d != own and ascii_d not in out:
            out.append(ascii_d)
    return out[:MAX_DOMAINS]


def feedback_fields(report: dict[str, Any], facts: Facts | None, link_domains: list[str],
                    redacted: bool) -> list[tuple[str, str]]:
    """The fields of the message/feedback-report part, in the order of RFC 5965 §3.5."""
    fields: list[tuple[str, str]] = [
        ("Feedback-Type", classify.FEEDBACK_TYPE[classify.kind(report)]),
        ("User-Agent", f"Whence/{__version__}"),
        ("Version", "1"),
    ]
    if facts is not None and facts.return_path is not None:
        fields.append(("Original-Mail-From", f"<{clean(facts.return_path.strip('<> '), 254)}>"))
    if facts is not None and facts.recipient and not redacted:
        fields.append(("Original-Rcpt-To", f"<{clean(facts.recipient, 254)}>"))
    date = arrival_date(report)
    if date:
        fields.append(("Arrival-Date", date))
    ip = (report.get("origin") or {}).get("ip")
    if ip:
        fields.append(("Source-IP", clean(ip, 64)))
    fields += [("Authentication-Results", a) for a in provider_auth_results(facts, report)]
    fields += [("Reported-Domain", d) for d in reported_domains(report, facts, link_domains)]
    uris: list[str] = []
    for link in report.get("links", [])[:200]:
        uri = ascii_uri(str(link.get("url") or ""))
        if uri and uri not in uris:
            uris.append(uri)
    fields += [("Reported-URI", u) for u in uris[:MAX_URIS]]
    return fields


# ---------------------------------------------------------------------------------------------
# The readable part

TEXTS: dict[str, Text] = {
    "intro": T("This is an abuse report about a message a user of Whence received. The original message is "
               "attached unchanged as message/rfc822, with all its headers.",
               "Whence の利用者が受け取ったメールについての不正利用の報告です。元のメールは全ヘッダー付きで、"
               "そのまま message/rfc822 として添付しています。"),
    "intro_redacted": T("This is an abuse report about a message a user of Whence received. The original "
                        "message is attached as message/rfc822; the recipient's own address in it was "
                        f"replaced by {REDACTED}, so its DKIM signatures no longer verify.",
                        "Whence の利用者が受け取ったメールについての不正利用の報告です。元のメールを "
                        "message/rfc822 として添付していますが、受信者のアドレスを "
                        f"{REDACTED} に置き換えたため、DKIM 署名は検証できなくなっています。"),
    "headers_only": T("The original was too large to attach whole; only its header block is attached "
                      "(text/rfc822-headers).",
                      "元のメールは大きすぎるため、ヘッダー部分のみを "
                      "text/rfc822-headers として添付しています。"),
    "kind": T("Kind", "種類"),
    "verdict": T("Whence's verdict", "Whence の判定"),
    "origin": T("Sent from", "送信元"),
    "arrival": T("Received", "受信日時"),
    "envelope": T("Envelope sender", "エンベロープ送信者"),
    "from": T("From", "差出人"),
    "subject": T("Subject", "件名"),
    "auth": T("Authentication (recipient's provider)", "認証結果（受信側プロバイダー）"),
    "links": T("Links (defanged)", "リンク（無害化表記）"),
    "findings": T("Findings", "検出事項"),
    "ask": T("Please investigate and stop this abuse (suspend the account, domain or content concerned).",
             "調査のうえ、関係するアカウント・ドメイン・コンテンツの停止などの対応をお願いします。"),
    "footer": T(f"Generated by Whence {__version__} at the request of the recipient, who reviewed it before "
                "sending.", f"Whence {__version__} が受信者の依頼で作成し、受信者が確認のうえ送信しました。"),
}
LABELLED = {"kind", "verdict", "origin", "arrival", "envelope", "from", "subject", "auth", "links", "findings"}
KIND_NAMES: dict[str, Text] = {
    "phishing": T("phishing", "フィッシング"),
    "malware": T("malware", "マルウェア"),
    "scam": T("fraud / extortion", "詐欺・恐喝"),
    "spam": T("unsolicited mail (spam)", "迷惑メール（スパム）"),
}


LEVEL_NAMES: dict[str, Text] = {
    "safe": T("safe", "安全"), "caution": T("caution", "注意"), "suspicious": T("suspicious", "不審"),
    "dangerous": T("dangerous", "危険"), "unknown": T("unknown", "判定不能"),
}
RESULT_NAMES_JA = {"pass": "成功", "fail": "失敗", "softfail": "失敗（ソフト）", "neutral": "中立", "none": "なし",
                   "temperror": "一時的なエラー", "permerror": "設定エラー", "unknown": "不明", "policy": "ポリシー"}
SEVERITY_NAMES: dict[str, Text] = {
    "critical": T("critical", "重大"), "high": T("high", "高"), "medium": T("medium", "中"),
    "low": T("low", "低"), "info": T("info", "情報"),
}


def _local_date(report: dict[str, Any], lang: str) -> str | None:
    """The arrival date for people: RFC 5322 in English, `2023年1月2日 7時22分02秒（+09:00）` in Japanese."""
    date = arrival_date(report)
    if lang != "ja" or date is None:
        return date
    from email.utils import parsedate_to_datetime

    try:
        d = parsedate_to_datetime(date)
    except (TypeError, ValueError):
        return date
    offset = d.strftime("%z")
    return (f"{d.year}年{d.month}月{d.day}日 {d.hour}時{d.minute:02d}分{d.second:02d}秒"
            + (f"（{offset[:3]}:{offset[3:]}）" if offset else ""))


def summary_text(report: dict[str, Any], facts: Facts | None, lang: str, redacted: bool,
                 headers_only: bool = False) -> str:
    """The readable summary in one language."""
    def t(key: str) -> str:
        return pick(TEXTS[key], lang) + (sep if key in LABELLED else "")

    sep = "：" if lang == "ja" else ": "

    kind = classify.kind(report)
    lines = [t("intro_redacted" if redacted else "intro")]
    lines += [t("headers_only"), ""] if headers_only else [""]
    lines.append(f"{t('kind')}{pick(KIND_NAMES[kind], lang)} "
                 f"(Feedback-Type: {classify.FEEDBACK_TYPE[kind]})")
    verdict = report.get("verdict") or {}
    level = str(verdict.get("level", "unknown"))
    lines.append(f"{t('verdict')}{pick(LEVEL_NAMES.get(level), lang) or clean(level, 20)} — "
                 f"{clean(pick(verdict.get('summary'), lang), 500)}")
    o = report.get("origin") or {}
    if o.get("ip"):
        extra = ", ".join(clean(x, 120) for x in (o.get("hostname"), o.get("helo") and f"HELO {o['helo']}",
                                                  o.get("org"), o.get("asn") and f"AS{o['asn']}",
                                                  o.get("country")) if x)
        lines.append(f"{t('origin')}{clean(o['ip'], 64)}" + (f" ({extra})" if extra else ""))
    date = _local_date(report, lang)
    if date:
        lines.append(f"{t('arrival')}{date}")
    if facts is not None:
        if facts.return_path:
            lines.append(f"{t('envelope')}{clean(facts.return_path, 254)}")
        if facts.from_ is not None:
            name, address = clean(facts.from_.display_name, 120), clean(facts.from_.address, 254)
            lines.append(f"{t('from')}{name} <{address}>")
        lines.append(f"{t('subject')}{clean(facts.subject, 300)}")
    def result(value: Any) -> str:
        value = clean(value, 20)
        return RESULT_NAMES_JA.get(value, value) if lang == "ja" else value

    auth = report.get("auth") or {}
    dkim = ", ".join(f"{result(d.get('result'))} ({clean(d.get('domain'), 100)})"
                     for d in (auth.get("dkim") or [])[:4]) or ("なし" if lang == "ja" else "none")
    spf, dmarc = auth.get("spf") or {}, auth.get("dmarc") or {}
    lines.append(f"{t('auth')}SPF {result(spf.get('result', 'unknown'))} "
                 f"({clean(spf.get('domain'), 100)}), DKIM {dkim}, "
                 f"DMARC {result(dmarc.get('result', 'unknown'))} ({clean(dmarc.get('domain'), 100)})")
    links = report.get("links") or []
    if links:
        lines += ["", t("links")]
        for link in links[:MAX_URIS]:
            ids = ", ".join(clean(i, 60) for i in link.get("findings", [])[:5])
            lines.append(f"  - {defang(str(link.get('url', '')))}" + (f"  [{ids}]" if ids else ""))
    findings = [f for f in report.get("findings", []) if f.get("severity") != "info" or f.get("score", 0) > 0]
    if findings:
        lines += ["", t("findings")]
        for f in findings[:MAX_FINDINGS]:
            sev = str(f.get("severity"))
            lines.append(f"  - [{pick(SEVERITY_NAMES.get(sev), lang) or clean(sev, 10)}] "
                         f"{clean(pick(f.get('title'), lang), 200)}{sep}"
                         f"{clean(pick(f.get('detail'), lang), 600)}")
    lines += ["", t("ask"), "", t("footer")]
    return "\r\n".join(lines) + "\r\n"


# ---------------------------------------------------------------------------------------------
# The message


def build_arf(raw: bytes, report: dict[str, Any], facts: Facts | None, recipients: list[str], *,
              lang: str = "en", redact_recipient: bool = False, link_domains: list[str] | None = None,
              sender: str | None = None) -> bytes:
    """The whole RFC 5965 report as bytes (CRLF line ends)."""
    own = own_addresses(facts)
    original = normalise_lines(raw)
    redacted = bool(redact_recipient and own)
    if redacted:
        original = redact(original, own)

    msg = EmailMessage(policy=POLICY)
    if sender:
        msg["From"] = clean(sender, 254)
    if recipients:
        msg["To"] = ", ".join(clean(r, 254) for r in recipients[:50])
    kind = classify.kind(report)
    subject = clean(facts.subject, 120) if facts is not None else ""
    source = (report.get("origin") or {}).get("ip")
    title = f"Abuse report ({pick(KIND_NAMES[kind], 'en')})"
    if source:
        title += f" from {clean(source, 64)}"
    msg["Subject"] = f"{title}: {subject}" if subject else title
    msg["Date"] = formatdate(localtime=False)
    domain = sender.rsplit("@", 1)[1] if sender and "@" in sender else "whence.invalid"
    msg["Message-ID"] = make_msgid("whence-report", domain=ascii_domain(domain) or "whence.invalid")
    msg["MIME-Version"] = "1.0"
    msg["Content-Type"] = "multipart/report; report-type=feedback-report"

    headers_only = len(original) > MAX_ATTACHED
    if headers_only:
        head, sep, _body = original.partition(b"\r\n\r\n")
        original = (head + sep)[:MAX_ATTACHED]
    body = summary_text(report, facts, lang, redacted, headers_only)
    if lang != "en":
        body += "\r\n" + "-" * 60 + "\r\n\r\n" + summary_text(report, facts, "en", redacted, headers_only)
    text = EmailMessage(policy=POLICY)
    text.set_content(body, subtype="plain", charset="utf-8", cte="8bit")
    del text["MIME-Version"]
    if lang != "en":
        text["Content-Language"] = f"{lang}, en"

    fields = EmailMessage(policy=POLICY)
    for name, value in feedback_fields(report, facts, link_domains or [], redacted):
        fields[name] = value
    feedback = Message(policy=POLICY)
    feedback["Content-Type"] = "message/feedback-report"
    feedback["Content-Transfer-Encoding"] = "7bit"
    feedback.set_payload([fields])

    attached = Message(policy=POLICY)
    attached["Content-Type"] = "text/rfc822-headers" if headers_only else "message/rfc822"
    attached["Content-Disposition"] = "attachment"
    attached["Content-Transfer-Encoding"] = "7bit" if original.isascii() else "8bit"
    # The generator would re-encode a parsed original (refolding headers, breaking DKIM) and
    # cannot write 8-bit bytes from a string payload; so it writes an unguessable placeholder
    # that is then swapped for the original's exact bytes.
    placeholder = f"whence-original-{secrets.token_hex(16)}"
    attached.set_payload(placeholder)

    msg.set_payload([text, feedback, attached])
    boundary = f"=_whence_{secrets.token_hex(16)}"
    while boundary.encode("ascii") in original:  # the generator never sees the original to check
        boundary = f"=_whence_{secrets.token_hex(16)}"
    msg.set_boundary(boundary)
    return msg.as_bytes(policy=POLICY).replace(placeholder.encode("ascii"), original, 1)
