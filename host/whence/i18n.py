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


def pick(text: Text | None, lang: str) -> str:
    if not text:
        return ""
    return text.get(lang) or text.get("en") or ""
