"""Contradictions between claims: which claims cannot both be true, and why.

Four kinds, each found by a small rule over the claims' contents (no model):

``polarity``
    a clause of one claim says what a clause of the other says, negated or denied:
    content words overlapping by at least :data:`POLARITY_NEAR` (Jaccard) with an odd
    number of negations on one side only ("there is no imminent threat to Kyiv" / "the
    threat to Kyiv is imminent"), or reported with a denial cue ("X denied that ...").
    Clauses without a verb, with a verb that negates by itself ("rejected" agrees with
    "did not ratify") or with a pronoun for subject on two claimants' sides ("it filed" /
    "it has not filed") are not compared.
``numbers``
    the same quantity of the same thing given differently: "2,800 Russian soldiers"
    against "1,300 Russian soldiers", with scale and units normalised (``$3.5 billion``,
    "127,000 troops", "thousands of", "at least 20", "mln dlrs", "pct").  Two claimants,
    first seen within :data:`NUMBER_WINDOW_DAYS` of each other (a count that grows over
    weeks is news), the same period, the same named subject, ranges that cannot overlap.
``opposites``
    antonymous words said of the same word ("prorogation was unlawful" / "proroguing
    Parliament is legal") from the opposites lexicon (:mod:`kg.resolve.opposites`), in
    claims naming the same subject, with the same polarity on both sides ("not safe"
    and "dangerous" agree).
``change_of_story``
    polarity or opposites between two claims of the *same* named claimant first seen on
    different dates; two claimants disagreeing keep the kind of their evidence.

Candidates come only from claims about the same subject (:func:`candidate_pairs`):
clauses with similar words, found by a prefix-filtered similarity join (rarest words
first, so common words never make a candidate on their own); figures of one unit said
of one name within the date window; the two poles of a pair said of one word in claims
naming one subject.  The cost grows with those groups, not with the square of the claims.

An optional ``judge`` (a local NLI model, say) can be given: it scores the
candidate pairs the rules left alone, ``judge(text_a, text_b) -> probability of
contradiction``; pairs at or above :data:`JUDGE_THRESHOLD` are added as
``polarity`` contradictions naming the judge.  Off by default; nothing is downloaded.
"""

from __future__ import annotations

import logging
import math
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date

from spacy.lang.en.stop_words import STOP_WORDS

from kg.resolve.opposites import BUILTIN_OPPOSITES, OppositesLexicon

log = logging.getLogger(__name__)

__all__ = [
    "ClaimFacts", "Contradiction", "DetectionClaim", "Judge", "KINDS", "Quantity",
    "analyse", "candidate_pairs", "detect_contradictions", "find_quantities", "judge_name", "similar_pairs",
]

KINDS = ("polarity", "numbers", "opposites", "change_of_story")

#: word-set Jaccard at and above which two claims say the same but for a negation
POLARITY_NEAR = 0.6
#: stem-set Jaccard (the counted things left out) at and above which two figures may be of one thing
NUMBER_CONTEXT_NEAR = 0.2
#: numbers are compared only between claims first seen this many days apart or less
NUMBER_WINDOW_DAYS = 3
#: two exact figures closer than this (relative) are the same figure, rounded
NUMBER_TOLERANCE = 0.1
#: a judge's contradiction probability at and above which a pair is recorded
JUDGE_THRESHOLD = 0.9
#: stems are the first letters of a word (truncation stemming)
_STEM = 6
#: an opposite word is said of the content words up to this many words before it
_SUBJECT_WINDOW = 5
#: words before an opposite word that are not what it is said of ("expected to rise")
_NOT_SUBJECTS = frozenset("expected expect expects likely unlikely set continue continued continues seen forecast "
                          "forecasts projected predicted due going begin began start started pct percent cent".split())
#: ... and of what follows it, up to this many words in the same clause ("win the nomination")
_OBJECT_WINDOW = 3

#: a local model's verdict: the probability that ``b`` contradicts ``a``
Judge = Callable[[str, str], float]


@dataclass(frozen=True)
class DetectionClaim:
    """What detection needs to know of one resolved claim."""

    iri: str
    text: str
    claimant: str | None  # entity IRI
    claimant_name: str = ""
    stance: str = "assert"
    cue: str = ""  # the cue word of its first appearance ("denied", "said")
    date: str | None = None  # first seen, YYYY-MM-DD
    mentions: tuple[str, ...] = ()  # entity IRIs the claim is about
    hedge: str | None = None
    doc_id: str | None = None  # the article of its first appearance


@dataclass(frozen=True)
class Quantity:
    """A figure in a claim: its range after normalisation, and what it counts."""

    low: float
    high: float
    unit: str  # "$", "%", or the counted thing's head word ("soldier")
    modifiers: frozenset[str]  # words before the head ("russian")
    text: str  # as written: "2,800 Russian soldiers"
    roles: frozenset[str] = frozenset()  # what happened to them, from the words around: "dead", "injured"
    left: frozenset[str] = frozenset()  # stems of the content words just before it, in its clause ("sales")
    left_names: frozenset[str] = frozenset()  # ... of those, the capitalised ones ("ford")
    self_ref: bool = False  # a pronoun ("its sales") is the figure's subject: the claimant's own figure

    def overlaps(self, other: Quantity) -> bool:
        low, high = max(self.low, other.low), min(self.high, other.high)
        if low <= high:
            return True
        # exact figures a little apart are one figure rounded differently
        return (low - high) / max(abs(low), abs(high), 1e-9) < NUMBER_TOLERANCE


@dataclass(frozen=True)
class Clause:
    """One clause of a claim's content: its words and whether it is negated."""

    text: str
    words: frozenset[str]
    negated: bool
    figures: frozenset[str]  # its figures as written
    self_ref: bool = False  # a pronoun is its subject ("it has not filed"): about the claimant itself


@dataclass
class ClaimFacts:
    """A claim's content, analysed: words, polarity, figures, opposite words."""

    claim: DetectionClaim
    words: frozenset[str]  # content words (normalised) and mentioned entities, negations left out
    negated: bool  # an odd number of negations in the content
    denied: bool  # reported with a denial cue ("denied", "disputed", ...)
    quantities: list[Quantity] = field(default_factory=list)
    poles: dict[int, int] = field(default_factory=dict)  # opposites pair -> pole used (one pole only)
    pole_words: frozenset[str] = frozenset()  # the words that matched a pole
    subjects: dict[int, frozenset[str]] = field(default_factory=dict)  # pair -> stems just before its word
    objects: dict[int, frozenset[str]] = field(default_factory=dict)  # pair -> stems just after its word
    stems: frozenset[str] = frozenset()  # content-word stems (see _stem)
    clauses: tuple[Clause, ...] = ()  # polarity is compared clause by clause
    names: frozenset[str] = frozenset()  # stems of capitalised words inside the content ("Parliament")
    day: int | None = None  # the first-seen date as a day number (date.toordinal)
    comparable: bool = True  # a proposition (not a question, not too long)

    @property
    def polarity(self) -> int:
        return -1 if self.negated != self.denied else 1


@dataclass(frozen=True)
class Contradiction:
    """Two claims that cannot both be true: the earlier is ``a``."""

    a: str  # claim IRI
    b: str
    kind: str  # one of KINDS
    basis: str  # polarity, numbers or opposites (for change_of_story, what changed)
    confidence: float
    reason: str


# ---------------------------------------------------------------------------- words

_WORD = re.compile(r"[A-Za-z0-9\u00C0-\u024F]+(?:[-'\u2019][A-Za-z0-9\u00C0-\u024F]+)*")
_NEGATIONS = frozenset("not no never nobody nothing neither nor cannot without".split())
_CONTRACTIONS = re.compile(r"(\w+)(?:n['\u2019]t)\b", re.IGNORECASE)
_IRREGULAR_NT = {"wo": "will", "ca": "can", "sha": "shall", "ai": "is"}
#: reported speech shifts tenses ("have" -> "had"): compare the words unshifted
_BACKSHIFT = {"had": "have", "has": "have", "was": "is", "were": "are", "would": "will", "could": "can",
              "might": "may", "should": "shall", "am": "is"}
#: negation-bearing words that are not a negation of the claim ("not only", "no doubt")
_NOT_NEGATING = (("not", "only"), ("no", "doubt"), ("not", "just"), ("nothing", "but"), ("no", "longer"),
                 ("not", "forget"), ("never", "forget"))
#: cue words whose report denies the content ("X denied that ...")
DENIAL_CUES = frozenset(
    "deny denies denied denying denial denials dispute disputes disputed disputing refute refutes refuted "
    "refuting rebut rebuts rebutted rebutting contradict contradicts contradicted contradicting".split()
)
_QUESTION_WORDS = frozenset("whether if".split())
_STOP = frozenset(w.lower() for w in STOP_WORDS) | {"s", "t", "said", "say", "says", "told", "tell", "according"}


def _tokens(text: str) -> list[str]:
    """Lower-case words, contractions expanded ("don't" -> "do not")."""
    def expand(m: re.Match[str]) -> str:
        stem = m.group(1).lower()
        return f"{_IRREGULAR_NT.get(stem, stem)} not"

    return [w.lower().replace("\u2019", "'") for w in _WORD.findall(_CONTRACTIONS.sub(expand, text))]


def _norm(word: str) -> str:
    """A crude lemma: tenses unshifted, plurals singular, possessives dropped."""
    w = _BACKSHIFT.get(word, word)
    if w.endswith("'s"):
        w = w[:-2]
    if len(w) > 4 and w.endswith("ies"):
        return w[:-3] + "y"
    if len(w) > 3 and w.endswith("s") and not w.endswith(("ss", "us", "is")):
        return w[:-1]
    return w


def _stem(word: str) -> str:
    """A cruder lemma for matching across parts of speech: "prorogation" and "proroguing" share "prorog"."""
    return _norm(word)[:_STEM]


def _negations(tokens: Sequence[str]) -> int:
    n = 0
    for i, w in enumerate(tokens):
        if w in _NEGATIONS and (w, tokens[i + 1] if i + 1 < len(tokens) else "") not in _NOT_NEGATING:
            n += 1
    return n


# ---------------------------------------------------------------------------- figures

_SCALES = {"thousand": 1e3, "million": 1e6, "billion": 1e9, "trillion": 1e12, "bn": 1e9, "mn": 1e6, "m": 1e6,
           "mln": 1e6, "bln": 1e9,
           "k": 1e3, "hundred": 1e2}
_SMALL = {w: i for i, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
    "seventeen eighteen nineteen twenty".split())}
_SMALL.update({"thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90})
#: vague amounts: "thousands of troops" is 2,000 to 9,999 of them
_VAGUE = {"dozens": (24, 99), "hundreds": (200, 999), "thousands": (2_000, 9_999),
          "tens of thousands": (20_000, 99_999), "hundreds of thousands": (200_000, 999_999),
          "millions": (2e6, 9.99e6), "billions": (2e9, 9.99e9)}
_LOWER_BOUND = ("at least", "more than", "over", "above", "upwards of", "in excess of", "as many as", "some")
_UPPER_BOUND = ("up to", "less than", "fewer than", "under", "below", "at most", "no more than")
_APPROX = ("about", "around", "nearly", "almost", "approximately", "roughly", "close to", "an estimated",
           "estimated", "some")
_CURRENCY = {"$": "$", "us$": "$", "€": "€", "£": "£", "dollars": "$", "dollar": "$", "euros": "€", "euro": "€",
             "dlrs": "$", "dlr": "$", "stg": "£", "yen": "¥",
             "pounds": "£", "usd": "$", "eur": "€", "gbp": "£"}
_NOT_COUNTED = frozenset(
    "year years month months week weeks day days hour hours minute minutes second seconds am pm a.m p.m "
    "january february march april may june july august september october november december "
    "monday tuesday wednesday thursday friday saturday sunday percent per cent th st nd rd o'clock".split()
)
_NUMBER = re.compile(
    r"(?P<qual>\b(?:" + "|".join(sorted(set(_LOWER_BOUND + _UPPER_BOUND + _APPROX), key=len, reverse=True))
    + r")\s+)?"
    r"(?P<cur>US\$|[$€£])?\s?"
    r"(?P<num>(?<![\w.,:/-])\d{1,3}(?:,\d{3})+(?:\.\d+)?(?![\d:/])|(?<![\w.,:/-])\d+(?:\.\d+)?(?![\d:/,]\d))"
    r"(?:\s?(?P<scale>thousand|million|billion|trillion|hundred|bn|mn|mln|bln|m|k)\b)?"
    r"(?:\s?(?P<pct>%|percent\b|per cent\b|pct\b))?",
    re.IGNORECASE,
)
_VAGUE_RE = re.compile(r"\b(?P<vague>tens of thousands|hundreds of thousands|dozens|hundreds|thousands|millions|billions)"
                       r"\s+of\b", re.IGNORECASE)
_WORD_NUMBER = re.compile(r"\b(?P<qual>(?:" + "|".join(sorted(set(_LOWER_BOUND + _UPPER_BOUND + _APPROX), key=len,
                                                              reverse=True)) + r")\s+)?(?P<word>"
                          + "|".join(sorted(_SMALL, key=len, reverse=True)) + r")\b(?:\s(?P<scale>thousand|million|billion|hundred)\b)?",
                          re.IGNORECASE)
#: "300 delegates fewer than", "5% more": a difference between figures, not a figure
_COMPARATIVE = re.compile(r"(?:\s*[\w.%-]+){0,3}?\s+(?:fewer|more|less|higher|lower|ahead|behind|short)\b"
                          r"(?:\s+than\b)?", re.IGNORECASE)
_NOT_THINGS = frozenset("rose fell grew rise fall rises falls was were is are said says compared versus against "
                        "period".split())
_PLURALS = frozenset("people children men women police personnel staff cattle sheep fish aircraft".split())
_THING = re.compile(r"\s*([A-Za-z][A-Za-z.\-'\u2019]*)")


def _counted(text: str, end: int) -> tuple[str, frozenset[str], int] | None:
    """The thing counted after position ``end``: its head word and the words before it (up to three)."""
    words: list[str] = []
    ends: list[int] = []
    pos = end
    while len(words) < 4:
        m = _THING.match(text, pos)
        if not m:
            break
        w = m.group(1).lower().rstrip(".").replace("\u2019", "'")
        if w in ("of",) and not words:  # "thousands of troops"
            pos = m.end()
            continue
        if w in _CURRENCY and not words:  # "40 million euros"
            return w, frozenset(), m.end()
        if w in _STOP or w in _NOT_COUNTED or w in _CURRENCY or (words and _role(w) and _norm(w) not in _PEOPLE_UNITS):
            if w in _NOT_COUNTED and not words:
                return None
            break
        words.append(w)
        pos = m.end()
        ends.append(pos)
        if text[pos : pos + 1] in ",;:!?)\"\u201d":
            break
    if not words:
        return None
    # the head is the first plural-looking word ("118,381 cases worldwide"), else the last
    # ("2,800 Russian soldiers": "Russian" modifies "soldiers")
    at = next((i for i, w in enumerate(words) if w in _PLURALS or len(w) > 3 and w.endswith("s")
               and not w.endswith("ss")), len(words) - 1)
    head = _norm(words[at])
    if head in _NOT_COUNTED or head in _NOT_THINGS or head.endswith("ed"):
        return None  # "21,177 compared with", "28 period rose": a verb, not what is counted
    return head, frozenset(_norm(w) for w in words[:at]), ends[at]


#: what a count is of, by the words around it: killed and injured are different counts
_ROLES = {
    "dead": ("kill", "dead", "die", "died", "death", "fatal", "toll", "murder", "drown", "perish", "bodie", "body"),
    "injured": ("injur", "wound", "hurt", "hospit"),
    "missing": ("missin",),
    "arrested": ("arrest", "detain", "detent", "custod", "jail", "prison"),
    "rescued": ("rescue", "evacu", "saved", "surviv"),
    "infected": ("infect", "case", "positi", "tested"),
}
_ROLE_OF = {stem: role for role, stems in _ROLES.items() for stem in stems}
_ROLE_WINDOW = 3
_CLAUSE_BREAK = re.compile(r"[,;:.()]|\band\b|\bbut\b|\bwhile\b")


def _roles(text: str, start: int, stop: int) -> frozenset[str]:
    """The roles named by the words just around a figure: up to four before it and after what it counts."""
    before_text = _CLAUSE_BREAK.split(text[max(0, start - 60) : start])[-1]
    after_text = _CLAUSE_BREAK.split(text[stop : stop + 60])[0]
    words = _tokens(before_text)[-2:] + _tokens(text[start:stop]) + _tokens(after_text)[:_ROLE_WINDOW]
    return frozenset(r for r in map(_role, words) if r)


_LEFT_WINDOW = 6
#: a sentence ends at ; : ( ) or a full stop that does not close an abbreviation ("U.S.")
_SENTENCE_BREAK = re.compile(r"[;:()]|(?<![A-Z])\.\s|\bbut\b")
#: units that measure anything (money, shares, weight): a figure in one is the same quantity only
#: when the same name stands just before both ("Ford's sales rose 29 pct" / "Ford's sales rose 20 pct")
GENERIC_UNITS = frozenset("% $ € £ ¥ cent share point tonne ton barrel ounce bushel mark franc unit vote "
                          "stock lot contract".split())


def _left(text: str, start: int) -> tuple[frozenset[str], frozenset[str], bool]:
    """Stems of the content words (and of the capitalised ones) up to six words before a figure, in
    its clause, and whether a pronoun is the clause's subject."""
    sentence = _SENTENCE_BREAK.split(text[max(0, start - 300) : start])[-1]
    clause = re.split(r"\band\b|\bbut\b|\bwhile\b|,", sentence)[-1]
    words = [m.group(0) for m in _WORD.finditer(clause)][-_LEFT_WINDOW:]
    stems = {_stem(w.lower()) for w in words if w.lower() not in _STOP and not w.isdigit()}
    # a capitalised first word is a name only if a possessive or another capitalised word follows
    # ("Acme's sales", "Hong Kong's"), not in "Sales rose 5 pct"
    first = _WORD.search(sentence)
    opener = None
    if first and not re.match(r"(?:'s|\u2019s)?\s+[A-Z]|'s|\u2019s", sentence[first.end() :]):
        opener = first.group(0)
    names = {_stem(w.lower()) for w in words if w[:1].isupper() and w.lower() not in _STOP
             and w != opener and len(w) > 2 and w.lower() not in _NOT_COUNTED and w.lower() not in _NOT_NAMES}
    return frozenset(stems), frozenset(names), _self_subject(sentence)


def _role(word: str) -> str | None:
    for n in (len(word), 6, 5, 4):
        role = _ROLE_OF.get(word[:n])
        if role:
            return role
    return None


def _bounds(value: float, qual: str | None) -> tuple[float, float]:
    q = (qual or "").lower().strip()
    if q in _LOWER_BOUND:
        return value, math.inf
    if q in _UPPER_BOUND:
        return 0.0, value
    if q in _APPROX:
        return value * 0.8, value * 1.2
    return value, value


def find_quantities(text: str) -> list[Quantity]:
    """The figures of ``text`` that count something: value range, unit and what is counted.

    Years ("in 2019"), dates, times, durations and ages are not quantities; a figure
    with neither a currency, a percent sign nor a counted noun after it is left out.
    """
    out: list[Quantity] = []
    taken: list[tuple[int, int]] = []
    for m in _NUMBER.finditer(text):
        num = m.group("num").replace(",", "")
        try:
            value = float(num)
        except ValueError:
            continue
        scale = (m.group("scale") or "").lower()
        if scale == "m" and not m.group("cur"):
            scale = ""  # "5 m" is metres unless it is money
        value *= _SCALES.get(scale, 1.0)
        cur = m.group("cur")
        stop = m.end()
        if _COMPARATIVE.match(text, m.end()):
            continue
        if m.group("pct"):
            unit, mods = "%", frozenset()
        else:
            counted = _counted(text, m.end())
            if counted:
                stop = counted[2]
            if cur:
                unit, mods = _CURRENCY[cur.lower()], frozenset(counted[1] | {counted[0]}) if counted else frozenset()
            elif counted:
                if counted[0] in _CURRENCY:
                    unit, mods = _CURRENCY[counted[0]], counted[1]
                else:
                    unit, mods = counted[0], counted[1]
            else:
                continue
        is_year = not cur and not scale and not m.group("pct") and "," not in m.group("num") and "." not in num \
            and 1800 <= value <= 2100
        if is_year:
            continue
        low, high = _bounds(value, m.group("qual"))
        begin = m.start("cur") if cur else m.start("num")
        out.append(Quantity(low, high, unit, mods, text[begin:stop].strip(), _roles(text, begin, stop),
                            *_left(text, m.start())))
        taken.append((m.start(), m.end()))
    for m in _VAGUE_RE.finditer(text):
        counted = _counted(text, m.end())
        if not counted:
            continue
        low, high = _VAGUE[m.group("vague").lower()]
        out.append(Quantity(float(low), float(high), counted[0], counted[1], text[m.start() : counted[2]],
                            _roles(text, m.start(), counted[2]), *_left(text, m.start())))
    for m in _WORD_NUMBER.finditer(text):
        if any(s <= m.start("word") < e for s, e in taken):
            continue
        counted = _counted(text, m.end())
        if not counted or counted[0] in ("of",):
            continue
        value = float(_SMALL[m.group("word").lower()]) * _SCALES.get((m.group("scale") or "").lower(), 1.0)
        if value < 2:  # "one of", "a single": not a count worth comparing
            continue
        low, high = _bounds(value, m.group("qual"))
        out.append(Quantity(low, high, counted[0], counted[1], text[m.start("word") : counted[2]].strip(),
                            _roles(text, m.start("word"), counted[2]), *_left(text, m.start())))
    return out


# ---------------------------------------------------------------------------- analysis

_CLAUSE_SPLIT = re.compile(r"[.;!?]+(?:\s|$)|\s[\u2014\u2013]\s|\[\.\.\.\]|\u2026|,?\s+(?:but|and|while|whereas)\s+|,?\s+however,?\s+",
                           re.IGNORECASE)


def _content_words(tokens: Sequence[str]) -> frozenset[str]:
    """Normalised words that carry content: no stop words (before or after normalising), negations or digits."""
    normed = (_norm(w) for w in tokens if w not in _STOP and w not in _NEGATIONS and not w.isdigit())
    return frozenset(w for w in normed if w not in _STOP and len(w) > 1)


#: verbs that negate what follows ("rejected the deal" is "did not accept the deal"): a clause
#: with one is not compared for polarity ("rejected" and "did not ratify" agree)
_IMPLICIT_NEGATIONS = frozenset(
    "reject rejected rejecting refuse refused refusing fail failed failing decline declined declining "
    "deny denied denying lack lacked lacking veto vetoed vetoing block blocked blocking oppose opposed opposing "
    "halt halted stop stopped abandon abandoned cancel cancelled canceled scrap scrapped".split()
)


def _implicit_negations(tokens: Sequence[str]) -> int:
    return sum(1 for w in tokens if w in _IMPLICIT_NEGATIONS)


#: words that make a content a clause (something that can be true), not a noun phrase
_FINITE = frozenset("is are was were be been has have had will would did does do can could may might must "
                    "shall should".split())


def _is_clause(tokens: Sequence[str], raw: Sequence[str] | None = None) -> bool:
    """Has a verb, as far as words alone tell: "that ...", an auxiliary, a past form ("filed", not
    "United") or an infinitive.  ``raw``: the same words as written, for their case."""
    if not tokens:
        return False
    written = raw if raw is not None and len(raw) == len(tokens) else tokens
    if tokens[0] == "that" or any(t in _FINITE or (t.endswith("ed") and w.islower() and len(t) > 3)
                                  for t, w in zip(tokens, written)):
        return True
    return any(a == "to" and b not in _STOP for a, b in zip(tokens, tokens[1:]))


_NAME = re.compile(r"(?<![.!?\u201c\"]\s)\b([A-Z][a-z\u00E0-\u024F]+(?:[-'][A-Za-z]+)*)")


#: capitalised words that name no subject of their own: corporate suffixes, months, days
_NOT_NAMES = frozenset("inc corp co ltd plc llc group company corporation holdings sa ag nv class series common "
                       "preferred".split())


def _names(text: str) -> frozenset[str]:
    """Stems of capitalised words that do not open a sentence: the names a content mentions."""
    return frozenset(_stem(w) for w in (m.group(1).lower() for m in _NAME.finditer(text.strip()))
                     if w not in _STOP and w not in _NOT_NAMES and w not in _NOT_COUNTED and w not in _PERIOD_WORDS)


#: pronouns whose referent is the claimant itself in most reports ("it said its sales rose")
_SELF = frozenset("i me my we our ours us it its they their he his she her".split())


def _self_subject(before: str) -> bool:
    """Does a pronoun stand before any name in ``before`` (a clause up to a word)?  Then the
    clause is most likely about the claimant itself ("its sales rose 5 pct")."""
    first = _WORD.search(before)
    if first and first.group(0).lower() in _FINITE | {"not"}:
        return True  # no subject at all: "has not, as yet, filed a plan" is the claimant's own
    for m in _WORD.finditer(before):
        w = m.group(0)
        if w.lower() in _SELF and (not w.isupper() or w == "I"):  # "US" is a country, not "us"
            return True
        if w[:1].isupper() and m.start() > 0 and w.lower() not in _STOP and w.lower() not in _NOT_COUNTED:
            return False
    return False


_YEAR = re.compile(r"\b(1[89]\d\d|20\d\d)\b")
_PERIOD_WORDS = frozenset("january february march april june july august september october november december "
                          "monday tuesday wednesday thursday friday saturday sunday quarter half week weekend month "
                          "months year years today yesterday tomorrow".split())


def _period(text: str) -> frozenset[str]:
    """The time words of a content ("january", "quarter", "1986"): figures of other periods differ."""
    words = {w for w in _tokens(text) if w in _PERIOD_WORDS}
    return frozenset(words | set(_YEAR.findall(text)))


def _clauses(text: str) -> tuple[Clause, ...]:
    """The clauses of a content (split at sentence ends, dashes, ellipses and "but"), each analysed."""
    out: list[Clause] = []
    for part in _CLAUSE_SPLIT.split(text):
        tokens = _tokens(part)
        if tokens and tokens[0] == "that":
            tokens = tokens[1:]
        words = _content_words(tokens)
        raw = [w for w in _WORD.findall(_CONTRACTIONS.sub(lambda m: f"{m.group(1)} not", part))]
        if tokens and tokens[0] == "to":
            continue  # "[declined] to comment on ...": what the cue does, not a proposition
        # a clause with no verb has no truth value; one with "rejected", "cancelled" has
        # a polarity the words cannot tell ("rejected" agrees with "did not ratify")
        if len(words) < 2 or not _is_clause(tokens, raw if raw[:1] != ["that"] or tokens[:1] == ["that"] else None) \
                or _implicit_negations(tokens):
            continue
        out.append(Clause(part.strip(), words, _negations(tokens) % 2 == 1,
                          frozenset(q.text for q in find_quantities(part)), _self_subject(part)))
    return tuple(out)


def analyse(claim: DetectionClaim, opposites: OppositesLexicon = BUILTIN_OPPOSITES,
            index: dict[str, list[tuple[tuple[str, ...], int, int]]] | None = None) -> ClaimFacts:
    """What the rules compare of one claim: its words, polarity, figures and opposite words."""
    tokens = _tokens(claim.text)
    if tokens and tokens[0] == "that":
        tokens = tokens[1:]
    index = index if index is not None else opposites.index()
    poles: dict[int, set[int]] = defaultdict(set)
    pole_words: set[str] = set()
    subjects: dict[int, set[str]] = defaultdict(set)
    objects: dict[int, set[str]] = defaultdict(set)
    for i, w in enumerate(tokens):
        for form, pair, pole in index.get(w, ()):
            if tuple(tokens[i : i + len(form)]) == form:
                poles[pair].add(pole)
                pole_words.update(form)
                # what the word is said of: the content words just before it ("prorogation was unlawful")
                before = [t for t in tokens[max(0, i - _SUBJECT_WINDOW) : i] if t not in _STOP and t not in _NEGATIONS
                          and not t.isdigit() and t not in _NOT_SUBJECTS and not t.endswith("ly")]
                subjects[pair].update(_stem(t) for t in before[-2:])
                after = _CLAUSE_BREAK.split(" ".join(tokens[i + len(form) : i + len(form) + _OBJECT_WINDOW]))[0]
                objects[pair].update(_stem(t) for t in after.split() if t not in _STOP and t not in _NEGATIONS)
    quantities = find_quantities(claim.text)
    figure_words = {w for q in quantities for w in _tokens(q.text)}
    words = set(_content_words([w for w in tokens if w not in figure_words]))
    words |= {"@" + m for m in claim.mentions}
    cue = claim.cue.lower().split()[-1] if claim.cue.strip() else ""
    return ClaimFacts(
        claim=claim,
        words=frozenset(words),
        negated=_negations(tokens) % 2 == 1,
        denied=cue in DENIAL_CUES and _is_clause(_tokens(claim.text)),
        quantities=quantities,
        poles={p: next(iter(s)) for p, s in poles.items() if len(s) == 1},
        pole_words=frozenset(_norm(w) for w in pole_words),
        subjects={p: frozenset(subjects[p]) for p, s in poles.items() if len(s) == 1},
        objects={p: frozenset(objects[p]) for p, s in poles.items() if len(s) == 1},
        stems=frozenset(_stem(w) for w in words if not w.startswith("@")),
        clauses=_clauses(claim.text),
        names=_names(claim.text),
        day=_ordinal(claim.date),
        comparable=bool(tokens) and not (_QUESTION_WORDS & set(tokens[:3]))
        and not claim.text.rstrip().endswith("?") and claim.stance != "question",
    )


def _jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)


#: a word in more than this many clauses (or claims) is too common to make a candidate pair
#: on its own: it keeps the work linear in the claims (each posting list is at most this long)
MAX_POSTINGS = 200


def similar_pairs(sets: dict[str, frozenset[str]], threshold: float,
                  max_postings: int | None = None) -> Iterable[tuple[str, str, float]]:
    """Pairs of keys whose sets have Jaccard >= ``threshold`` (prefix filtering, bounded).

    Words are ranked rarest first; two sets with Jaccard >= t must share one of the
    first ``|x| - ceil(t * |x|) + 1`` words of each, so only those are indexed.  A word
    in more than ``max_postings`` sets is not indexed; every set is also indexed by the
    pairs of its three rarest words ("naval" and "patrols" are common, "naval patrols"
    less so), so that sets of common words still meet, and a key still that common is
    skipped.  So no posting list is longer than ``max_postings`` and the work stays
    linear in the number of sets.
    """
    cap = MAX_POSTINGS if max_postings is None else max_postings
    df: dict[str, int] = defaultdict(int)
    for words in sets.values():
        for w in words:
            df[w] += 1
    keys_of: dict[str, list[str]] = {}
    for key, words in sets.items():
        if not words:
            continue
        ranked = sorted(words, key=lambda w: (df[w], w))
        prefix = ranked[: len(ranked) - math.ceil(threshold * len(ranked)) + 1]
        rare = [w for w in prefix if df[w] <= cap]
        keys_of[key] = rare + [f"{a}\u0000{b}" for i, a in enumerate(ranked[:3]) for b in ranked[i + 1 : 3]]
    kf: dict[str, int] = defaultdict(int)
    for ks in keys_of.values():
        for k in ks:
            kf[k] += 1
    index: dict[str, list[str]] = defaultdict(list)
    for key in sorted(keys_of):
        words = sets[key]
        seen: set[str] = set()
        for k in keys_of[key]:
            if kf[k] > cap:
                continue
            for other in index[k]:
                if other in seen:
                    continue
                seen.add(other)
                o = sets[other]
                # size filter: Jaccard >= t needs t*|x| <= |y| <= |x|/t
                if len(o) < threshold * len(words) or len(words) < threshold * len(o):
                    continue
                j = _jaccard(words, o)
                if j >= threshold:
                    yield (other, key, j)
            index[k].append(key)


# ---------------------------------------------------------------------------- rules

def _days(x: ClaimFacts, y: ClaimFacts) -> int | None:
    """Days between two claims first seen, or None if either date is unknown."""
    return abs(x.day - y.day) if x.day is not None and y.day is not None else None


#: claimant "names" that are a pronoun or a determiner left unresolved: nobody to hold to a claim
_NOT_A_NAME = frozenset("i you he she it we they that this these those there who which what one someone".split())


def _named(name: str) -> bool:
    words = name.strip().lower().split()
    return bool(words) and words[0] not in _NOT_A_NAME


def _who(c: DetectionClaim) -> str:
    return c.claimant_name or "an unnamed source"


def _quote(text: str, limit: int = 90) -> str:
    text = " ".join(text.split())
    if text.lower().startswith("that "):
        text = text[5:]
    return "\u201c" + (text if len(text) <= limit else text[: limit - 1].rstrip() + "\u2026") + "\u201d"


def _names_claimant(text: str, c: DetectionClaim) -> bool:
    """Does ``text`` name claimant ``c`` (one of the proper words of its name)?"""
    own = {_stem(w) for w in c.claimant_name.lower().split() if w not in _STOP and w not in _NOT_NAMES}
    return bool(own & _names(text))


def _polarity(x: ClaimFacts, y: ClaimFacts) -> tuple[float, str] | None:
    """A clause of one claim says what a clause of the other says, negated or denied."""
    if not (x.comparable and y.comparable) or any(x.poles[p] != y.poles[p] for p in x.poles.keys() & y.poles.keys()):
        return None  # opposite words and a negation may well agree ("not safe" / "dangerous")
    best: tuple[float, Clause, Clause] | None = None
    for cx in x.clauses:
        for cy in y.clauses:
            if (cx.negated != x.denied) == (cy.negated != y.denied) or cx.figures != cy.figures:
                continue
            if x.claim.claimant != y.claim.claimant and (
                (cx.self_ref and not _names_claimant(cy.text, x.claim)) or (cy.self_ref and not _names_claimant(cx.text, y.claim))
            ):
                continue  # "it filed" / "it has not filed": two claimants, each about itself
            j = _jaccard(cx.words, cy.words)
            if j >= POLARITY_NEAR and len(cx.words & cy.words) >= 2 and (best is None or j > best[0]):
                best = (j, cx, cy)
    if best is None:
        return None
    j, cx, cy = best
    (neg, nc), (pos, pc) = sorted(((x, cx), (y, cy)), key=lambda fc: fc[1].negated != fc[0].denied, reverse=True)
    how = "denies it" if neg.denied else "says the opposite"
    whole = 1.0 if len(x.clauses) == len(y.clauses) == 1 else 0.9
    confidence = (0.55 + 0.4 * j) * whole - (0.1 if (x.claim.hedge or y.claim.hedge) else 0.0)
    reason = f"{_who(pos.claim)} says {_quote(pc.text)}; {_who(neg.claim)} {how}: {_quote(nc.text)}"
    return confidence, reason


#: counts of people: "2,300 Artsakh soldiers [killed]" and "103 Artsakh deaths" count the same dead
_PEOPLE_UNITS = frozenset("death casualty fatality soldier troop people person civilian fighter serviceman "
                          "servicemen militant child children victim body bodie resident".split())


def _same_toll(qx: Quantity, qy: Quantity) -> bool:
    """Two counts of people with the same fate and the same named group ("Artsakh"), whatever the noun."""
    return (qx.unit in _PEOPLE_UNITS and qy.unit in _PEOPLE_UNITS and bool(qx.roles & qy.roles)
            and bool(qx.modifiers & qy.modifiers))


def _same_quantity(qx: Quantity, qy: Quantity, x: ClaimFacts, y: ClaimFacts) -> bool:
    """Are two figures of one unit a count of the same thing?  (Different things are the rule.)"""
    if qx.unit != qy.unit and not _same_toll(qx, qy):
        return False
    if qx.modifiers and qy.modifiers and not qx.modifiers & qy.modifiers:
        return False  # Russian soldiers / Ukrainian soldiers
    if qx.roles and qy.roles and not qx.roles & qy.roles:
        return False  # killed / injured
    if qx.self_ref or qy.self_ref:
        return False  # "its sales": each claimant's own figure
    if qx.unit in GENERIC_UNITS:
        # money, percentages, tonnes: only with the same name right before both figures
        return bool(qx.left_names & qy.left_names) and bool((qx.left & qy.left) - qx.left_names)
    # counted things: both claims name the same subject, and the figures share a word around them
    names = (x.names & y.names) | {w for w in x.words & y.words if w.startswith("@")}
    return bool(names) and bool((qx.modifiers & qy.modifiers) or (qx.left & qy.left))


def _figures(x: ClaimFacts, y: ClaimFacts) -> tuple[float, str] | None:
    if not (x.quantities and y.quantities) or x.polarity != y.polarity:
        return None
    if x.claim.claimant == y.claim.claimant:
        return None  # one source's figure that changes from day to day is an update, not a U-turn
    days = _days(x, y)
    if days is None or days > NUMBER_WINDOW_DAYS:
        return None
    units = {_stem(q.unit) for q in x.quantities + y.quantities}
    cx, cy = x.stems - units, y.stems - units
    j = _jaccard(cx, cy)
    if j < NUMBER_CONTEXT_NEAR:
        return None
    px, py = _period(x.claim.text), _period(y.claim.text)
    if px and py and px != py:
        return None  # "in 1986" / "in January": figures of different periods
    if {q.low for q in x.quantities if q.low == q.high} & {q.low for q in y.quantities if q.low == q.high}:
        return None  # one figure in both ("25 planes from Airbus, 15 from Boeing" / "15 planes from Boeing")
    pairs = [(qx, qy) for qx in x.quantities for qy in y.quantities if _same_quantity(qx, qy, x, y)]
    # the words around: two shared, or one and the same named group counted ("Artsakh soldiers killed")
    if len(cx & cy) < 2:
        pairs = [(qx, qy) for qx, qy in pairs if cx & cy and qx.modifiers & qy.modifiers]
    if not pairs or any(qx.overlaps(qy) for qx, qy in pairs):
        return None  # no figure of one thing on both sides, or one figure both give
    for qx, qy in pairs[:1]:
        vague = any(math.isinf(q.high) or q.low != q.high for q in (qx, qy))
        confidence = 0.6 + 0.3 * j - (0.15 if vague else 0.0) - (0.1 if (x.claim.hedge or y.claim.hedge) else 0.0)
        fate = f" {'/'.join(sorted(qx.roles & qy.roles))}" if qx.roles & qy.roles else ""
        reason = (f"{_who(x.claim)} gives {qx.text!r} where {_who(y.claim)} gives {qy.text!r}: one count{fate}, "
                  f"two figures ({_quote(x.claim.text, 60)} / {_quote(y.claim.text, 60)})")
        return confidence, reason
    return None


def _opposed(x: ClaimFacts, y: ClaimFacts, opposites: OppositesLexicon) -> tuple[float, str] | None:
    if x.polarity != y.polarity or not (x.comparable and y.comparable):
        return None
    pairs = [p for p in sorted(x.poles.keys() & y.poles.keys())
             if x.poles[p] != y.poles[p] and x.subjects[p] & y.subjects[p]
             # "win the nomination" / "lose in a landslide": said of other things
             and not (x.objects[p] and y.objects[p] and not x.objects[p] & y.objects[p])]
    if not pairs:
        return None
    pole_stems = {_stem(w) for w in x.pole_words | y.pole_words}
    shared = (x.stems & y.stems) - pole_stems
    shared_names = {w for w in x.words & y.words if w.startswith("@")} | (x.names & y.names)
    if len(shared) < 2 or not shared_names:
        return None  # about the same named subject only: "sales rose" / "sales fell" of two firms differ
    pair = pairs[0]
    a, b = opposites.pairs[pair]
    said_x = " ".join((a if x.poles[pair] == 0 else b)[0])
    said_y = " ".join((a if y.poles[pair] == 0 else b)[0])
    j = _jaccard(x.stems - pole_stems, y.stems - pole_stems)
    confidence = 0.6 + 0.3 * min(1.0, 2 * j) - (0.1 if (x.claim.hedge or y.claim.hedge) else 0.0)
    subject = next(w for w in x.words if _stem(w) in x.subjects[pair] & y.subjects[pair]) \
        if any(_stem(w) in x.subjects[pair] & y.subjects[pair] for w in x.words) else "the same subject"
    reason = (f"{_who(x.claim)} says {said_x!r} where {_who(y.claim)} says {said_y!r} of {subject!r}: "
              f"{_quote(_clause_with(x.claim.text, a + b), 90)} / {_quote(_clause_with(y.claim.text, a + b), 90)}")
    return confidence, reason


def _clause_with(text: str, forms: Sequence[tuple[str, ...]]) -> str:
    """The sentence of ``text`` that holds one of ``forms`` (else the whole text), for a reason to quote."""
    for part in re.split(r"(?<=[.;!?])\s+|\s[\u2014\u2013]\s", text):
        tokens = _tokens(part)
        if any(tuple(tokens[i : i + len(f)]) == f for f in forms for i in range(len(tokens))):
            return part.strip()
    return text


def _order(x: ClaimFacts, y: ClaimFacts) -> tuple[ClaimFacts, ClaimFacts]:
    kx = (x.claim.date is None, x.claim.date or "", x.claim.iri)
    ky = (y.claim.date is None, y.claim.date or "", y.claim.iri)
    return (x, y) if kx <= ky else (y, x)


def _nested(x: ClaimFacts, y: ClaimFacts) -> bool:
    """One claim's words are a run of the other's in the same article: one report inside another.

    ("I don't believe that this is the end" holds "this is the end", reported by
    the same sentence; the inner one is not a second opinion.)
    """
    if x.claim.doc_id != y.claim.doc_id:
        return False
    tx, ty = " ".join(_tokens(x.claim.text)), " ".join(_tokens(y.claim.text))
    return bool(tx and ty) and (tx in ty or ty in tx)


def judge_name(judge: Judge) -> str:
    """What reasons and the detection stamp call a judge: its ``name``, else its ``__name__``."""
    return str(getattr(judge, "name", None) or getattr(judge, "__name__", "judge"))


def _judge_pair(judge: Judge, x: ClaimFacts, y: ClaimFacts) -> tuple[float, str] | None:
    p = float(judge(x.claim.text, y.claim.text))
    if p < JUDGE_THRESHOLD:
        return None
    return min(p, 0.99), f"{judge_name(judge)} judges {_quote(y.claim.text, 60)} to contradict {_quote(x.claim.text, 60)} (p={p:.2f})"


def candidate_pairs(facts: dict[str, ClaimFacts]) -> set[tuple[str, str]]:
    """The pairs worth comparing: claims about the same subject (keys sorted in each pair).

    * nearly the same words (Jaccard >= :data:`POLARITY_NEAR`, entities included): polarity;
    * figures of the same unit first seen within :data:`NUMBER_WINDOW_DAYS`: numbers;
    * the two poles of an opposites pair said of the same word: opposites.
    """
    out: set[tuple[str, str]] = set()

    def add(a: str, b: str) -> None:
        if a != b:
            out.add((a, b) if a < b else (b, a))

    comparable = {k: f for k, f in facts.items() if f.comparable}
    clauses = {f"{k}\u001f{i}": c.words for k, f in comparable.items() for i, c in enumerate(f.clauses)}
    for a, b, _ in similar_pairs(clauses, POLARITY_NEAR):
        add(a.split("\u001f", 1)[0], b.split("\u001f", 1)[0])
    # numbers: figures of one unit, said of one name, first seen within the window
    by_unit: dict[tuple[str, str], list[tuple[int, str]]] = defaultdict(list)
    for k, f in facts.items():
        day = f.day
        if day is None:
            continue
        for key in _figure_keys(f):
            by_unit[key].append((day, k))
    for dated in by_unit.values():
        dated.sort()
        start = 0
        for i, (day, k) in enumerate(dated):
            while dated[start][0] < day - NUMBER_WINDOW_DAYS:
                start += 1
            for _, other in dated[start:i]:
                add(other, k)
    # opposites: the two poles of a pair, said of one word, in claims naming one subject
    by_subject: dict[tuple[int, str, str], tuple[list[str], list[str]]] = defaultdict(lambda: ([], []))
    for k, f in comparable.items():
        names = f.names | {w for w in f.words if w.startswith("@")}
        for pair, pole in f.poles.items():
            for stem in f.subjects[pair]:
                for name in names:
                    by_subject[(pair, stem, name)][pole].append(k)
    for left, right in by_subject.values():
        if len(left) + len(right) > MAX_POSTINGS:
            continue  # a word and a name too common to say which claims speak of one thing
        for a in left:
            for b in right:
                add(a, b)
    return out


def _figure_keys(f: ClaimFacts) -> set[tuple[str, str]]:
    """(unit, name) keys under which a claim's figures can meet another's (see :func:`_same_quantity`)."""
    keys: set[tuple[str, str]] = set()
    names = f.names | {w for w in f.words if w.startswith("@")}
    for q in f.quantities:
        if q.self_ref:
            continue
        if q.unit in GENERIC_UNITS:
            keys.update((q.unit, n) for n in q.left_names)
        else:
            keys.update((q.unit, n) for n in names)
    return keys


def _ordinal(day: str | None) -> int | None:
    try:
        return date.fromisoformat(day[:10]).toordinal() if day else None
    except ValueError:
        return None


def detect_contradictions(
    claims: Sequence[DetectionClaim],
    opposites: OppositesLexicon = BUILTIN_OPPOSITES,
    *,
    judge: Judge | None = None,
    min_confidence: float = 0.5,
) -> list[Contradiction]:
    """Every contradiction among ``claims``, at most one per pair (the most confident), sorted.

    Pairs of the same claimant first seen on the same day are not compared (one
    statement reported twice, or an extraction slip, far more often than a U-turn).
    """
    index = opposites.index()
    facts = {c.iri: analyse(c, opposites, index) for c in claims if c.claimant and _named(c.claimant_name)}
    candidates = candidate_pairs(facts)
    log.debug("contradiction candidates: %d pairs among %d claims", len(candidates), len(facts))

    found: list[Contradiction] = []
    for ka, kb in sorted(candidates):
        x, y = _order(facts[ka], facts[kb])
        if _nested(x, y):
            continue
        # one source, twice: a claimant with a proper name ("economists" in two articles are two groups)
        same_claimant = x.claim.claimant == y.claim.claimant and any(ch.isupper() for ch in x.claim.claimant_name)
        days = _days(x, y)
        if same_claimant and not days:
            continue
        verdicts: list[tuple[float, str, str]] = []
        for basis, rule in (("polarity", _polarity), ("numbers", _figures)):
            v = rule(x, y)
            if v:
                verdicts.append((v[0], basis, v[1]))
        v = _opposed(x, y, opposites)
        if v:
            verdicts.append((v[0], "opposites", v[1]))
        if not verdicts and judge is not None and x.comparable and y.comparable:
            v = _judge_pair(judge, x, y)
            if v:
                verdicts.append((v[0], "polarity", v[1]))
        if not verdicts:
            continue
        confidence, basis, reason = max(verdicts, key=lambda v: (v[0], v[1]))
        kind = basis
        if same_claimant:
            kind = "change_of_story"
            reason = f"{_who(x.claim)} changed their story between {x.claim.date} and {y.claim.date}: {reason}"
        confidence = round(max(0.0, min(confidence, 0.99)), 2)
        if confidence < min_confidence:
            continue
        found.append(Contradiction(x.claim.iri, y.claim.iri, kind, basis, confidence, reason))
    found.sort(key=lambda c: (c.a, c.b))
    log.info("contradictions: %d among %d claims (%d candidate pairs)", len(found), len(facts), len(candidates))
    return found
