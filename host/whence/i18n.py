"""Texts in the two languages every user-facing string comes in (`en`, `ja`)."""

from __future__ import annotations

Text = dict[str, str]


def T(en: str, ja: str) -> Text:
    """A text in both languages."""
    return {"en": en, "ja": ja}


def fmt(text: Text, **values: object) -> Text:
    """Fill `{name}` placeholders in both languages; a missing value leaves the placeholder visible."""
    out = {}
    for lang, s in text.items():
        try:
            out[lang] = s.format(**values)
        except (KeyError, IndexError, ValueError):
            out[lang] = s
    return out


def fmt_each(text: Text, en: dict[str, object], ja: dict[str, object]) -> Text:
    """Fill placeholders with values of each language's own (lists joined the local way)."""
    return {"en": fmt(text, **en)["en"], "ja": fmt(text, **ja)["ja"]}


def pick(text: Text | None, lang: str) -> str:
    if not text:
        return ""
    return text.get(lang) or text.get("en") or ""
