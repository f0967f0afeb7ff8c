"""When a claim was made: relative and explicit day expressions resolved against the article date.

``resolve_day("on Friday", "2022-02-26")`` is ``"2022-02-25"``: a weekday means
the latest such day on or before the article's date; "yesterday" the day
before; "January 21" that day in the article's year (or the year before, when
that would fall after the article). Expressions that do not fix a day ("last
week", "in January") resolve to ``None``.
"""

from __future__ import annotations

import datetime as dt
import re

WEEKDAYS = {
    name: i
    for i, names in enumerate(
        [("monday", "mon"), ("tuesday", "tue", "tues"), ("wednesday", "wed"), ("thursday", "thu", "thurs"),
         ("friday", "fri"), ("saturday", "sat"), ("sunday", "sun")]
    )
    for name in names
}
MONTHS = {
    name: i + 1
    for i, names in enumerate(
        [("january", "jan"), ("february", "feb"), ("march", "mar"), ("april", "apr"), ("may",),
         ("june", "jun"), ("july", "jul"), ("august", "aug"), ("september", "sep", "sept"),
         ("october", "oct"), ("november", "nov"), ("december", "dec")]
    )
    for name in names
}
_ISO = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")
_MONTH_DAY = re.compile(r"\b([a-z]+)\.?\s+(\d{1,2})(?:st|nd|rd|th)?(?:,?\s+(\d{4}))?\b")
_DAY_MONTH = re.compile(r"\b(\d{1,2})(?:st|nd|rd|th)?\s+(?:of\s+)?([a-z]+)\.?(?:,?\s+(\d{4}))?\b")


def parse_iso(value: str | None) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value[:10])
    except ValueError:
        return None


def _safe_date(year: int, month: int, day: int) -> dt.date | None:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def resolve_day(expression: str, article_date: str | None) -> str | None:
    """The ISO day an expression like "on Friday", "yesterday" or "Jan. 21" names, or None."""
    text = expression.lower().strip()
    anchor = parse_iso(article_date)
    m = _ISO.search(text)
    if m:
        d = _safe_date(int(m[1]), int(m[2]), int(m[3]))
        return d.isoformat() if d else None
    for rx, month_group, day_group in ((_MONTH_DAY, 1, 2), (_DAY_MONTH, 2, 1)):
        m = rx.search(text)
        if m and m[month_group] in MONTHS:
            month, day = MONTHS[m[month_group]], int(m[day_group])
            if m[3]:
                d = _safe_date(int(m[3]), month, day)
                return d.isoformat() if d else None
            if anchor is None:
                return None
            d = _safe_date(anchor.year, month, day)
            if d and d > anchor:
                d = _safe_date(anchor.year - 1, month, day)
            return d.isoformat() if d else None
    if anchor is None:
        return None
    words = re.findall(r"[a-z]+", text)
    if "yesterday" in words:
        return (anchor - dt.timedelta(days=1)).isoformat()
    if "today" in words or "tonight" in words or ("this" in words and ("morning" in words or "afternoon" in words or "evening" in words)):
        return anchor.isoformat()
    if "week" in words or "month" in words or "year" in words:
        return None
    for word in words:
        if word in WEEKDAYS and word not in ("sun", "sat", "wed", "mar", "may"):
            target = WEEKDAYS[word]
            delta = (anchor.weekday() - target) % 7
            if "last" in words and delta == 0:
                delta = 7
            return (anchor - dt.timedelta(days=delta)).isoformat()
    return None


def _month_end(year: int, month: int) -> dt.date:
    nxt = dt.date(year + (month == 12), month % 12 + 1, 1)
    return nxt - dt.timedelta(days=1)


def resolve_period(expression: str, article_date: str | None) -> tuple[str, str] | None:
    """The first and last ISO day an expression can name, or None.

    A day gives ``(day, day)``; "last week" the Monday to Sunday before the article's
    week; "earlier this week" / "this month" from the start of that week or month to the
    article's date; "last month" / "last year" / "last weekend" the whole of it; "in
    January" that month (of the article's year, or the year before when it would lie after
    the article).
    """
    day = resolve_day(expression, article_date)
    if day:
        return day, day
    anchor = parse_iso(article_date)
    if anchor is None:
        return None
    words = re.findall(r"[a-z]+", expression.lower())
    monday = anchor - dt.timedelta(days=anchor.weekday())
    period: tuple[dt.date, dt.date] | None = None
    if "last" in words or "past" in words or "previous" in words:
        if "weekend" in words:
            saturday = monday - dt.timedelta(days=2)
            period = (saturday, saturday + dt.timedelta(days=1))
        elif "week" in words:
            period = (monday - dt.timedelta(days=7), monday - dt.timedelta(days=1))
        elif "month" in words:
            last = anchor.replace(day=1) - dt.timedelta(days=1)
            period = (last.replace(day=1), last)
        elif "year" in words:
            period = (dt.date(anchor.year - 1, 1, 1), dt.date(anchor.year - 1, 12, 31))
    elif "this" in words or "earlier" in words:
        if "week" in words:
            period = (monday, anchor)
        elif "month" in words:
            period = (anchor.replace(day=1), anchor)
        elif "year" in words:
            period = (dt.date(anchor.year, 1, 1), anchor)
    if period is None:
        months = [MONTHS[w] for w in words if w in MONTHS and len(w) > 3 or w == "may"]
        if len(months) == 1 and not any(w.isdigit() for w in words):
            year = anchor.year if months[0] <= anchor.month else anchor.year - 1
            first = dt.date(year, months[0], 1)
            period = (first, min(_month_end(year, months[0]), anchor))
    if period is None:
        return None
    return period[0].isoformat(), period[1].isoformat()
