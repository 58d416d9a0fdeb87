"""Inline forwards: where a message passes on (or, in Outlook's replies, quotes) another one in its
text, and who sent that one.

Mail clients mark the start of a forwarded message with a line of their own (Thunderbird's
"-------- Forwarded Message --------", Gmail's "---------- Forwarded message ---------", Outlook's
"-----Original Message-----", Apple Mail's "Begin forwarded message:", in the reader's language),
then its headers. Below that line the words and links are the forwarded message's, not the
forwarder's: a colleague passing a phish on to IT is not the one impersonating the bank.
"""

from __future__ import annotations

import re

from ..model import Forward

_SEARCHED = 20_000  # the forwarder's own words come first: the separator is near the top
_SEPARATOR = re.compile(
    r"^[ \t>]*(?:-{5,}[ \t]*(?:original message|forwarded message|転送メッセージ|転送されたメッセージ|元のメッセージ"
    r"|message transféré|message d'origine|weitergeleitete nachricht|ursprüngliche nachricht"
    r"|mensagem encaminhada|mensaje reenviado|mensaje original)[ \t]*-{5,}"
    r"|begin forwarded message:|転送されたメッセージ[:：])[ \t]*$", re.I | re.M)
_FROM_LINE = re.compile(r"^[ \t>]*(?:from|差出人|送信者|von|de)[ \t]*[:：][ \t]*(?P<who>\S.{0,200})$", re.I | re.M)
_HEADER_BLOCK = 600  # the forwarded headers follow the separator directly


def find_forward(text: str) -> Forward | None:
    """The inline-forwarded message in TEXT: where it begins and its From line, if the client wrote one."""
    separator = _SEPARATOR.search(text[:_SEARCHED])
    if separator is None:
        return None
    sender = _FROM_LINE.search(text, separator.end(), separator.end() + _HEADER_BLOCK)
    return Forward(at=separator.start(), sender=sender.group("who").strip() if sender else None)
