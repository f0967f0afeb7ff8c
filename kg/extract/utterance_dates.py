"""When a claim was made: the day the text fixes for the act of saying, or ``None``.

    >>> days = DayAnchors(text, article_date)           # live-blog entries date what they report
    >>> day, period = utterance_when(cue, (start, end), days.at(cue.idx))
    >>> claims = carry_dates(claims, cues, text)        # "He added, ..." keeps the date of "he said on Friday"

Where the text says when:

- a date on the act of saying, anywhere in the cue's own clause outside the content:
  "told parliament on Thursday", "In a speech on Saturday, X said", "a report released
  on Friday said", "while addressing the press yesterday, X said", "in its March 8 release";
- a live-blog entry's timestamp ("23 Jul 2022 22.52") dates what the entry reports as just
  said ("has said", "says"), and relative days in the entry count from the entry's day;
- a content reporting an event of the article's own day was said that day;
- further words from the same statement carry its date: "He added", a quote with no cue,
  "the statement also said", by the same speaker right after.

Never a guess: "earlier this week" is a period, not a day, and an article's date alone
does not date a claim.  The word lists and limits are data (``kg/data/utterance_dates.json``).
"""

from __future__ import annotations

import bisect
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from importlib import resources

from spacy.tokens import Token

from kg.extract.dates import resolve_day, resolve_period
from kg.records import Claim
from kg.resolve.names import name_key

__all__ = ["DateRules", "DayAnchors", "carry_dates", "date_rules", "event_day", "just_said", "leading_date",
           "utterance_when"]


@dataclass(frozen=True)
class DateRules:
    """What :mod:`kg.extract.utterance_dates` walks and trusts (from ``kg/data/utterance_dates.json``)."""

    walk_dependencies: frozenset[str]
    date_prepositions: frozenset[str]
    subject_dependencies: frozenset[str]
    max_depth: int
    day_words: frozenset[str]
    continuation_cues: frozenset[str]
    other_time_words: frozenset[str]
    statement_nouns: frozenset[str]
    max_carry_characters: int
    near_characters: int
    occasion_verbs: frozenset[str]
    live_blog_entry: re.Pattern[str]


@lru_cache(maxsize=1)
def date_rules() -> DateRules:
    data = json.loads(resources.files("kg").joinpath("data/utterance_dates.json").read_text(encoding="utf-8"))
    return DateRules(
        walk_dependencies=frozenset(data["walk_dependencies"]),
        date_prepositions=frozenset(data["date_prepositions"]),
        subject_dependencies=frozenset(data["subject_dependencies"]),
        max_depth=int(data["max_depth"]),
        day_words=frozenset(data["day_words"]),
        continuation_cues=frozenset(data["continuation_cues"]),
        other_time_words=frozenset(data["other_time_words"]),
        statement_nouns=frozenset(data["statement_nouns"]),
        max_carry_characters=int(data["max_carry_characters"]),
        near_characters=int(data["near_characters"]),
        occasion_verbs=frozenset(data["occasion_verbs"]),
        live_blog_entry=re.compile(data["live_blog_entry"], re.MULTILINE),
    )


class DayAnchors:
    """The day relative dates count from at each character: a live-blog entry's, else the article's."""

    def __init__(self, text: str, article_date: str | None, rules: DateRules | None = None) -> None:
        rules = rules or date_rules()
        self.article_date = article_date
        self._starts: list[int] = []
        self._days: list[str | None] = []
        for m in rules.live_blog_entry.finditer(text):
            self._starts.append(m.start())
            self._days.append(resolve_day(m.group(1), None))

    def at(self, pos: int) -> str | None:
        """The anchor day (ISO) for a claim whose cue is at character ``pos``."""
        return self.entry_day(pos) or self.article_date

    def entry_day(self, pos: int) -> str | None:
        """The day of the live-blog entry holding character ``pos``, or None outside entries."""
        k = bisect.bisect_right(self._starts, pos) - 1
        return self._days[k] if k >= 0 else None


def _expression(token: Token) -> str:
    """The date words around ``token``: its whole DATE/TIME entity, else the token."""
    if token.ent_type_ in ("DATE", "TIME"):
        doc = token.doc
        start = token.i
        while start > 0 and doc[start].ent_iob_ == "I":
            start -= 1
        end = token.i + 1
        while end < len(doc) and doc[end].ent_iob_ == "I":
            end += 1
        return doc[start:end].text
    return token.text


def _dated(token: Token, rules: DateRules) -> bool:
    return token.ent_type_ in ("DATE", "TIME") or token.lower_ in rules.day_words


def utterance_when(cue: Token | None, exclude: tuple[int, int], anchor: str | None,
                   rules: DateRules | None = None) -> tuple[str | None, tuple[str, str] | None]:
    """The day (ISO) and the period of days the text gives for the act of saying, each or both None.

    Looks in the cue's clause outside the content ``exclude`` (characters): its
    prepositional phrases, adverbials and participle clauses down to ``max_depth`` arcs,
    the ``acl`` of its subject ("a report released on Friday"), and, for a participle cue
    ("…, adding that"), the clause it hangs from.  The nearest date word wins; relative
    days count from ``anchor``.
    """
    if cue is None:
        return None, None
    rules = rules or date_rules()
    inside = lambda t: exclude[0] <= t.idx < exclude[1]  # noqa: E731
    starts = [cue]
    for child in cue.children:
        if child.dep_ in ("nsubj", "nsubjpass"):
            starts += [c for c in child.children if c.dep_ in rules.subject_dependencies]
    if cue.dep_ in ("advcl", "conj") and cue.tag_ == "VBG" and cue.head is not cue:
        starts.append(cue.head)  # "said on Monday, adding that ...": the same act
    if cue.dep_ == "relcl":
        starts += _statement_release(cue, rules)
    seen = {t.i for t in starts}
    frontier = [(t, 0) for t in starts]
    while frontier:
        token, depth = frontier.pop(0)
        if token is not cue and _dated(token, rules) and not inside(token):
            period = resolve_period(_expression(token), anchor)
            if period:
                return (period[0] if period[0] == period[1] else None), period
        if depth >= rules.max_depth:
            continue
        for child in token.children:
            if child.i in seen or inside(child) or child.dep_ not in rules.walk_dependencies:
                continue
            if child.dep_ == "prep" and child.lower_ not in rules.date_prepositions:
                continue  # "as of September 30" dates the figures, not the saying
            if child.dep_ == "advcl" and child.tag_ != "VBG" and not any(
                    m.dep_ == "mark" and m.lower_ in ("while", "as") for m in child.children):
                continue  # "after it suspended Russia in April": another event; "while addressing ..." is not
            seen.add(child.i)
            frontier.append((child, depth + 1))
    return None, None


def leading_date(cue: Token | None, content: tuple[int, int], anchor: str | None,
                 rules: DateRules | None = None) -> tuple[int, str | None, tuple[str, str]] | None:
    """A date the parser put at the head of a reported clause: "said yesterday morning the gun laws
    should change" -> (where the content really starts, the day, the period), else None.

    Only when the date words open the content right after the cue and the clause's subject
    follows them: they tell when it was said, not when the reported event happens.
    """
    if cue is None:
        return None
    rules = rules or date_rules()
    doc = cue.doc
    span = doc.char_span(content[0], content[1], alignment_mode="expand")
    if span is None or len(span) < 3 or not _dated(span[0], rules) or not 0 < span[0].i - cue.i <= 7:
        return None
    if any(t.pos_ in ("VERB", "AUX", "PUNCT") for t in doc[cue.i + 1:span.start]):
        return None  # only the cue's own words between ("said at a press conference yesterday ...")
    end = span.start
    while end < span.end and _dated(doc[end], rules):
        end += 1
    if end >= span.end or doc[end].dep_ not in ("nsubj", "nsubjpass", "det", "compound", "amod", "poss"):
        return None
    period = resolve_period(doc[span.start:end].text, anchor)
    if period is None:
        return None
    return doc[end].idx, (period[0] if period[0] == period[1] else None), period


def _statement_release(cue: Token, rules: DateRules) -> list[Token]:
    """For a cue in a relative clause ("released a video on Thursday evening in which he said"), the
    verb that put out the statement, video or letter the clause hangs from, and that noun."""
    up = cue.head
    for _ in range(4):
        if up.pos_ == "VERB":
            made = [c for c in up.children if c.dep_ in ("dobj", "nsubjpass")
                    and c.lemma_.lower() in rules.statement_nouns]
            return [up, *made] if made else []
        if up.lemma_.lower() in rules.statement_nouns and up.dep_ not in ("dobj", "pobj", "nsubjpass"):
            return [up]
        if up.head is up:
            break
        up = up.head
    return []


def just_said(cue: Token | None) -> bool:
    """Whether the cue reports the saying as just done: "has said", "have told", "says"."""
    if cue is None:
        return False
    if cue.tag_ in ("VBZ", "VBP"):
        return True
    return cue.tag_ == "VBN" and any(c.dep_ == "aux" and c.lemma_ == "have" and c.tag_ in ("VBZ", "VBP")
                                     for c in cue.children)


def event_day(cue: Token | None, content: tuple[int, int], anchor: str | None,
              rules: DateRules | None = None) -> str | None:
    """``anchor`` when the content reports something of that very day ("... was shelled this morning")."""
    if cue is None or anchor is None:
        return None
    rules = rules or date_rules()
    doc = cue.doc
    span = doc.char_span(content[0], content[1], alignment_mode="expand")
    if span is None:
        return None
    quoted = False
    for token in span:
        if token.is_quote:
            quoted = not quoted  # "today" inside a quotation is the speaker's today, not the article's
            continue
        if quoted:
            continue
        if _dated(token, rules) and (token.ent_iob_ == "B" or token.ent_type_ == "" or token.i == span.start):
            if resolve_day(_expression(token), anchor) == anchor:
                return anchor
    return None


def _new_occasion(cue: Token, rules: DateRules) -> bool:
    """Whether the cue's clause names an occasion of its own: "X, speaking to the prime minister, said",
    "in an interview", "in a statement" (an indefinite statement noun is a new one)."""
    subjects = [c for c in cue.children if c.dep_ in ("nsubj", "nsubjpass")]
    for child in [*cue.children, *(g for s in subjects for g in s.children)]:
        if child.dep_ in ("advcl", "acl") and child.lemma_.lower() in rules.occasion_verbs:
            return True
        if child.dep_ == "prep":
            for obj in child.children:
                if (obj.dep_ == "pobj" and obj.lemma_.lower() in rules.statement_nouns
                        and any(d.lower_ in ("a", "an") for d in obj.children if d.dep_ == "det")):
                    return True
    return False


def _continues_statement(cue: Token | None, rules: DateRules, gap: int) -> bool:
    """Whether a cue goes on with a statement already reported: "added", "also said", "the statement said",
    or any cue of the same speaker within ``near_characters`` that names no time of its own."""
    if cue is None:
        return True  # a quote with no cue of its own, given to the speaker before it
    if cue.tag_ in ("VBZ", "VBP"):
        return False  # "The president insists that ...": a standing position, not that statement
    doc = cue.doc
    if any(t.lower_ in rules.other_time_words or _dated(t, rules)
           for t in doc[max(cue.i - 3, cue.sent.start):min(cue.i + 4, cue.sent.end)]):
        return False  # "also said earlier", "said on Monday": a time of its own
    if _new_occasion(cue, rules):
        return False
    if gap <= rules.near_characters:
        return True
    if cue.lemma_.lower() in rules.continuation_cues:
        return True
    if any(c.lower_ == "also" for c in cue.children):
        return True
    sentence = cue.sent
    return any(t.lemma_.lower() in rules.statement_nouns and any(d.lower_ in ("the", "that", "this", "his", "her", "its", "their")
                                                                 for d in t.children if d.dep_ in ("det", "poss"))
               for t in sentence if t.pos_ == "NOUN")


def carry_dates(claims: Sequence[Claim], cues: Sequence[Token | None], rules: DateRules | None = None) -> list[Claim]:
    """Claims in text order, each undated one that goes on with the dated claim before it given that date.

    ``cues[k]`` is ``claims[k]``'s cue token (None for a quote with no cue).  The last claim
    before it by the same speaker (same name) must end at most ``max_carry_characters``
    before it, and the cue must continue the statement (:func:`_continues_statement`).
    """
    rules = rules or date_rules()
    out: list[Claim] = []
    for claim, cue in zip(claims, cues):
        prev = _last_by(out, claim)
        if (claim.utterance_date is None and prev is not None and prev.utterance_date is not None
                and 0 <= claim.content.start - prev.content.end <= rules.max_carry_characters
                and _continues_statement(cue, rules, claim.content.start - prev.content.end)):
            claim = replace(claim, utterance_date=prev.utterance_date,
                            utterance_period=(prev.utterance_date, prev.utterance_date))
        out.append(claim)
    return out


def _last_by(earlier: list[Claim], claim: Claim) -> Claim | None:
    """The last of ``earlier`` by the same speaker as ``claim`` (by name), if any."""
    if claim.speaker is None:
        return None
    key = name_key(claim.speaker.name)
    return next((c for c in reversed(earlier) if c.speaker is not None and name_key(c.speaker.name) == key), None)
