"""Direct-quote spans found from the quote marks of the raw text.

Quote marks in news are messy: straight and curly marks mixed, stray marks,
an opening mark never closed, quotes that run over several paragraphs (each
paragraph opens with a mark, only the last one closes). ``find_quotes`` pairs
marks paragraph by paragraph so an unbalanced mark can never swallow the rest
of an article, and never raises.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

OPENING = "\u201c\u201e\u00ab"  # “ „ «
CLOSING = "\u201d\u00bb\u201f"  # ” » ‟
STRAIGHT = '"'
ALL_MARKS = OPENING + CLOSING + STRAIGHT
#: Two-character marks some newsrooms (and Penn Treebank text) use: '' for a straight
#: double mark, `` for an opening one.
DOUBLE_APOSTROPHE = "''"
DOUBLE_BACKTICK = "``"
#: Every token text that is a quote mark.
MARK_TOKENS = frozenset(ALL_MARKS) | {DOUBLE_APOSTROPHE, DOUBLE_BACKTICK}

# Longest quote we accept inside one paragraph that is never closed (chars).
MAX_UNCLOSED = 600
_PARAGRAPH = re.compile(r"\n")


@dataclass(frozen=True)
class Quote:
    """A quoted passage: ``text[start:end]`` includes the marks, ``inner_*`` excludes them."""

    start: int
    end: int
    inner_start: int
    inner_end: int
    closed: bool  # False when the closing mark was missing (the quote ends at its paragraph)
    paragraphs: int = 1  # how many paragraphs it runs over


def _mark_at(text: str, i: int) -> tuple[str, int] | None:
    """The quote mark starting at ``i``: ("open" | "close" | "straight", its width), or None."""
    ch = text[i]
    if ch in OPENING:
        return "open", 1
    if ch in CLOSING:
        return "close", 1
    if ch == STRAIGHT:
        return "straight", 1
    if text.startswith(DOUBLE_APOSTROPHE, i) and not text.startswith(DOUBLE_APOSTROPHE + "'", i):
        return "straight", 2
    if text.startswith(DOUBLE_BACKTICK, i):
        return "open", 2
    return None


def _is_opening_straight(text: str, i: int, width: int = 1) -> bool | None:
    """True/False when the context decides whether a straight '"' opens, None when it does not."""
    before = text[i - 1] if i > 0 else " "
    after = text[i + width] if i + width < len(text) else " "
    if (before.isspace() or before in "([{-\u2014\u2013/") and not after.isspace():
        return True
    if not before.isspace() and (after.isspace() or after in ".,;:!?)]}-\u2014\u2013"):
        return False
    return None


def _paragraph_spans(text: str) -> list[tuple[int, int]]:
    spans, start = [], 0
    for m in _PARAGRAPH.finditer(text):
        spans.append((start, m.start()))
        start = m.end()
    spans.append((start, len(text)))
    return [(s, e) for s, e in spans if text[s:e].strip()]


def _first_mark(text: str, start: int, end: int) -> int | None:
    """Offset of the paragraph's first non-space char if it is an opening mark."""
    j = start
    while j < end and text[j].isspace():
        j += 1
    mark = _mark_at(text, j) if j < end else None
    if mark is not None and (mark[0] == "open" or (mark[0] == "straight" and _is_opening_straight(text, j, mark[1]) is not False)):
        return j
    return None


def _rstrip_end(text: str, start: int, end: int) -> int:
    while end > start and text[end - 1].isspace():
        end -= 1
    return end


def find_quotes(text: str) -> list[Quote]:
    """Yield every quoted passage of ``text`` in order, pairing marks paragraph by paragraph.

    - curly and straight marks may be mixed (“…" or "…”);
    - a closing mark with nothing open is ignored (stray);
    - an opening mark never closed in its paragraph continues into the next
      paragraph only if that paragraph opens with a mark (a multi-paragraph
      quote); otherwise it ends at its paragraph's end (``closed=False``), and
      only if it is not longer than ``MAX_UNCLOSED`` characters.
    """
    quotes: list[Quote] = []
    paragraphs = _paragraph_spans(text)
    open_at: int | None = None  # offset of the opening mark of the quote being read
    open_width = 1
    n_paragraphs = 1
    for p_index, (p_start, p_end) in enumerate(paragraphs):
        i = p_start
        if open_at is not None:
            # we only get here from a continuation: skip its opening mark
            first = _first_mark(text, p_start, p_end)
            if first is not None:
                mark = _mark_at(text, first)
                i = first + (mark[1] if mark else 1)
        while i < p_end:
            mark = _mark_at(text, i)
            if mark is None:
                i += 1
                continue
            kind, width = mark
            if open_at is None:
                if kind == "open" or (kind == "straight" and _is_opening_straight(text, i, width) is not False):
                    open_at, open_width = i, width
                    n_paragraphs = 1
                # a closing mark with nothing open: stray, ignored
            else:
                closes = kind == "close" or (kind == "straight" and _is_opening_straight(text, i, width) is not True)
                if kind == "open" and i > open_at + open_width:
                    # a second opening mark while one is open: the first was stray
                    # unless what lies between is tiny; restart the quote here.
                    open_at, open_width = i, width
                    n_paragraphs = 1
                elif closes and i > open_at + open_width:
                    quotes.append(Quote(open_at, i + width, open_at + open_width, i, True, n_paragraphs))
                    open_at = None
            i += width
        if open_at is not None:
            nxt = paragraphs[p_index + 1] if p_index + 1 < len(paragraphs) else None
            if nxt is not None and _first_mark(text, *nxt) is not None:
                n_paragraphs += 1
                continue  # multi-paragraph quote: keep it open
            end = _rstrip_end(text, open_at, p_end)
            if end - open_at <= MAX_UNCLOSED and end > open_at + open_width:
                quotes.append(Quote(open_at, end, open_at + open_width, end, False, n_paragraphs))
            open_at = None
    return quotes
