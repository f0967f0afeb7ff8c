"""Attributed claims in a parsed document: direct quotes, reported speech, "according to".

Each ``*_candidates`` function looks at a spaCy ``Doc`` and yields
:class:`Candidate` records (token-level: cue token, speaker head, content span);
``claims_from_doc`` merges them (a quote and the clause around it are one
claim), resolves speakers in text order, and returns :class:`~kg.records.Claim`
records with character offsets into the document text.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field, replace

from spacy.tokens import Doc, Token
from spacy.tokens import Span as SpacySpan

from kg.extract.cue_classes import CueClass, load_cue_classes
from kg.extract.lexicon import CueLexicon, default_lexicon
from kg.extract.quotes import ALL_MARKS, MARK_TOKENS, Quote, find_quotes
from kg.extract.relays import (AUDIENCE_WORDS, as_saying_content, citing_source, is_citing, quoted_speaker, relay_nested,
                               relays_of, reported_subject)
from kg.extract.speakers import SpeakerResolver, subject_of
from kg.extract.utterance_dates import DayAnchors, carry_dates, event_day, just_said, leading_date, utterance_when
from kg.records import Claim, Document, Mention, Span, Speaker
from kg.resolve.names import DocumentNames

log = logging.getLogger(__name__)

HEDGES = ("reportedly", "allegedly", "purportedly", "supposedly", "apparently", "rumoured", "rumored")
HEDGE_PHRASES = ("is said to", "are said to", "was said to", "is believed to", "are believed to",
                 "is reported to", "are reported to", "was reported to", "would have")
SENTENCE_END = frozenset({".", "!", "?"})
#: cue verbs that report a clause, never a plain object: "said the increase ... makes" is a misparse
CLAUSE_ONLY_CUES = frozenset({"say", "claim", "argue", "insist", "contend", "assert", "believe", "think", "predict", "warn"})
MIN_FLOATING_WORDS = 6  # a quote with no cue must be this long to count as speech, not a scare quote
MAX_FRAME_AFTER = 14  # tokens after a quote searched for its cue
MAX_FRAME_BEFORE = 30


@dataclass
class Candidate:
    """One attribution before speaker resolution (token indices into the spaCy Doc)."""

    kind: str  # direct | indirect | mixed | according_to
    content_start: int  # char offsets
    content_end: int
    cue: Token | None = None
    cue_start: int | None = None  # char span of the cue when it is not a single token ("according to")
    cue_end: int | None = None
    speaker_head: Token | None = None
    speaker_tokens: tuple[int, int] | None = None  # explicit token range for the speaker phrase
    stance: str = "assert"
    floating: bool = False
    relay: list[str] = field(default_factory=list)
    cue_class: str | None = None  # speech, belief, ...: None until decided from the cue (kg.extract.cue_classes)

    @property
    def anchor(self) -> int:
        """Where in the text this attribution is decided (for text-order resolution)."""
        points = [self.content_start]
        if self.speaker_head is not None:
            points.append(self.speaker_head.idx)
        return min(points)


# ----------------------------------------------------------------------------- helpers
_SENTS_KEY = "_kg_sentence_index"


def sentence_of(token: Token) -> SpacySpan:
    """``token.sent`` in O(1): spaCy's own walks the document on every call."""
    doc = token.doc
    index = doc.user_data.get(_SENTS_KEY)
    if index is None:
        sents = list(doc.sents)
        owner = [0] * len(doc)
        for k, sent in enumerate(sents):
            for i in range(sent.start, sent.end):
                owner[i] = k
        index = (sents, owner)
        doc.user_data[_SENTS_KEY] = index
    return index[0][index[1][token.i]]


def _in_any(pos: int, quotes: list[Quote]) -> bool:
    return any(q.start <= pos < q.end for q in quotes)


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    """Shrink [start, end) past outer whitespace and trailing commas/colons/dashes."""
    while start < end and (text[start].isspace() or text[start] in ",;:\u2014\u2013-"):
        start += 1
    while end > start and (text[end - 1].isspace() or text[end - 1] in ",;:\u2014\u2013-"):
        end -= 1
    return start, end


def _token_range_chars(doc: Doc, start: int, end: int) -> tuple[int, int]:
    return doc[start].idx, doc[end - 1].idx + len(doc[end - 1].text)


def _is_cue_verb(token: Token, lexicon: CueLexicon) -> str | None:
    if token.pos_ not in ("VERB",) and not (token.pos_ == "AUX" and token.lemma_ == "say"):
        return None
    return lexicon.verb_stance(token.lemma_) or lexicon.verb_stance(verb_lemma(token))


def verb_lemma(token: Token) -> str:
    """The lexicon's lemma for a verb whose spaCy lemma is wrong ("hopes" -> "hop")."""
    lower = token.lower_
    for suffix, repl in (("ies", "y"), ("es", "e"), ("s", ""), ("ed", "e"), ("ing", "e")):
        if lower.endswith(suffix) and len(lower) > len(suffix) + 2:
            return lower[: -len(suffix)] + repl
    return lower


def _complement(verb: Token) -> Token | None:
    """The clause a cue verb reports (``ccomp``), if any."""
    for child in verb.children:
        if child.dep_ == "ccomp":
            return child
    return None


def _finite(clause: Token) -> bool:
    """Whether a complement is a finite clause (has a subject or 'that'), not "expect to ..."."""
    return any(c.dep_ in ("nsubj", "nsubjpass", "expl", "mark", "csubj") for c in clause.children) or clause.dep_ == "ccomp"


def hedge_of(doc: Doc, start: int, end: int, quotes: list[Quote]) -> str | None:
    """Hedging words in the claim's sentence outside quotes ("reportedly", "is said to")."""
    span = doc.char_span(start, end, alignment_mode="expand")
    if span is None:
        return None
    for sent in {sentence_of(span[0]), sentence_of(span[-1])}:
        for token in sent:
            if token.lower_ in HEDGES and not _in_any(token.idx, quotes):
                return token.lower_
        lowered = sent.text.lower()
        for phrase in HEDGE_PHRASES:
            at = lowered.find(phrase)
            if at >= 0 and not _in_any(sent.start_char + at, quotes):
                return phrase
    return None


# ----------------------------------------------------------------------------- candidate finders
def reported_speech_candidates(doc: Doc, text: str, quotes: list[Quote], lexicon: CueLexicon) -> list[Candidate]:
    """Cue verbs with a reported clause: "X said (that) Y", "Y, X said", "X told reporters Y"."""
    found: list[Candidate] = []
    for token in doc:
        stance = _is_cue_verb(token, lexicon)
        if stance is None or _in_any(token.idx, quotes):
            continue
        span = _reported_span(doc, text, token, quotes, lexicon)
        if span is not None:
            found.append(Candidate("indirect", *span, cue=token, speaker_head=subject_of(token), stance=stance))
    return found


def _tidy(text: str, start: int, end: int, min_len: int, quotes: list[Quote] | None = None) -> tuple[int, int] | None:
    """Chars ``[start, end)`` without outer space and final punctuation, if at least
    ``min_len`` long (and, given ``quotes``, not starting inside one)."""
    start, end = _trim(text, start, end)
    end = _strip_final_punct(text, start, end)
    if end - start < min_len or (quotes is not None and _in_any(start, quotes)):
        return None
    return start, end


def _reported_span(doc: Doc, text: str, token: Token, quotes: list[Quote], lexicon: CueLexicon
                   ) -> tuple[int, int] | None:
    """The chars cue verb ``token`` reports, trying its frames in order of confidence."""
    clause = _complement(token) or _clause_under_statement(token)
    around = [c for c in token.children if c.dep_ == "ccomp"]
    if (len(around) >= 2 and around[0].i < token.i < around[-1].i
            and not any(_in_any(c.idx, quotes) for c in (around[0], around[-1]))):
        # "It is no surprise, Mr. Garin said, that she did better": one clause split by its cue
        return _tidy(text, *_token_range_chars(doc, max(around[0].left_edge.i, sentence_of(token).start),
                                               around[-1].right_edge.i + 1), min_len=0)
    inverted = _inverted_content(token, clause) or _parenthetical_content(token, clause)
    span = _tidy(text, *inverted, min_len=3) if inverted is not None else None
    if span is not None:
        return span
    misparsed = None
    if clause is None and token.lemma_ in CLAUSE_ONLY_CUES:
        misparsed = _misparsed_clause(token) or _gerund_clause(token)
    if misparsed is not None:
        clause = misparsed
    if clause is not None and (misparsed is not None or _finite(clause)):
        first, last = clause.left_edge.i, clause.right_edge.i
        if token.lemma_ in CLAUSE_ONLY_CUES:  # "said his focus groups and research show that ...":
            for child in token.rights:        # the clause's subject was parsed as the cue's object
                if (child.dep_ in ("dobj", "nsubj", "attr") and token.i < child.i < first
                        and child.lower_ not in AUDIENCE_WORDS and child.pos_ in ("NOUN", "PROPN", "PRON")):
                    first = min(first, child.left_edge.i)
        last = _cut_at_participle_cue(doc, first, last, lexicon)
        start, end = _token_range_chars(doc, first, last + 1)
        if start < token.idx < end:  # the cue sits inside its own clause: a misparse
            return None
        start, end = _trim(text, start, end)  # the clause keeps its final punctuation, as annotators do
        return (start, end) if end - start >= 3 else None
    frames = lexicon.verb_frames(token.lemma_) or lexicon.verb_frames(verb_lemma(token))
    other = _other_complement(token, frames)
    if other is not None:
        right = other.right_edge.i
        for sibling in token.children:  # "called Trump 'unhinged'": the predicate belongs to it
            if sibling.dep_ in ("oprd", "ccomp", "xcomp") and sibling.i > other.i and other.dep_ == "dobj":
                right = max(right, sibling.right_edge.i)
            # "accused Trump of lying", "blamed Congress for the delay": the charge is the content too
            if (sibling.dep_ == "prep" and sibling.lower_ in ("of", "for") and sibling.i == right + 1
                    and other.dep_ == "dobj"):
                right = max(right, sibling.right_edge.i)
        span = _tidy(text, *_token_range_chars(doc, other.left_edge.i, right + 1), min_len=2, quotes=quotes)
        if span is not None:
            return span
    as_clause = _as_clause_content(token) if clause is None else None
    span = _tidy(text, *as_clause, min_len=3, quotes=quotes) if as_clause is not None else None
    if span is not None:
        return span
    # "X reported:" closing its paragraph -> the next paragraph is what was reported
    nxt = doc[token.i + 1] if token.i + 1 < len(doc) else None
    if nxt is not None and nxt.text == ":" and _ends_paragraph(doc, nxt.i):
        para = _next_paragraph(text, nxt.idx + 1)
        if para is not None and not _in_any(para[0], quotes):
            return para
    return None


def _as_clause_content(cue: Token) -> tuple[int, int] | None:
    """For "The firm will cut jobs, as Axios reported." the chars of the main clause.

    The cue heads an ``as`` clause (``advcl`` with mark "as") of a verb; the content is
    that verb's clause without the ``as`` clause and its comma, on either side of it.
    """
    if cue.dep_ != "advcl" or not any(c.dep_ == "mark" and c.lower_ == "as" for c in cue.children):
        return None
    main = cue.head
    if main.pos_ not in ("VERB", "AUX") or subject_of(cue) is None:
        return None
    doc = cue.doc
    sent = sentence_of(cue)
    inner_start, inner_end = cue.left_edge.i, cue.right_edge.i + 1
    if inner_start > main.i:  # the main clause comes first
        start, end = max(main.left_edge.i, sent.start), inner_start
    else:
        start, end = inner_end, min(main.right_edge.i + 1, sent.end)
    while start < end and (doc[start].is_punct or doc[start].is_space):
        start += 1
    while end > start and (doc[end - 1].is_punct or doc[end - 1].is_space):
        end -= 1
    if end - start < 3:
        return None
    return _token_range_chars(doc, start, end)


def _other_complement(verb: Token, frames: frozenset[str]) -> Token | None:
    """A non-clausal content slot the lexicon allows: "vowed to resign" (to), "denied the report" (np)."""
    if "to" in frames:
        for child in verb.children:
            if child.dep_ == "xcomp" and any(c.dep_ == "aux" and c.lower_ == "to" for c in child.children):
                return child
    if "np" in frames:
        for child in verb.children:
            if child.dep_ == "dobj" and child.pos_ in ("NOUN", "PROPN", "PRON") and child.lower_ not in AUDIENCE_WORDS:
                if child.pos_ == "PRON" and child.lower_ in ("it", "this", "that", "them", "him", "her", "me", "us", "you"):
                    continue
                return child
    return None


def _inverted_content(cue: Token, clause: Token | None) -> tuple[int, int] | None:
    """For "Y, X said (to Z on Friday)." the chars of Y: everything before the comma that opens "X said".

    Applies when the speaker and cue close the sentence (every later token hangs from the
    cue), whatever the parser made of Y (it often hangs Y and the cue as two conjuncts).
    """
    subj = subject_of(cue)
    if subj is None or subj.i > cue.i or (clause is not None and clause.i > cue.i):
        return None
    sent = sentence_of(cue)
    left = subj.left_edge.i
    if left <= sent.start + 1:
        return None
    doc = cue.doc
    comma = left - 1
    if doc[comma].text in MARK_TOKENS and comma - 1 >= sent.start:
        comma -= 1
    if doc[comma].text != ",":
        return None
    addressee_ok = cue.lemma_ in ("tell", "inform", "brief", "assure", "warn", "remind")
    if any(c.dep_ in ("dobj", "xcomp", "attr", "oprd") and not (addressee_ok and c.dep_ == "dobj")
           for c in cue.children):
        return None  # "the leader would have rejected the evacuation": the slot is filled
    if not any(t.pos_ in ("VERB", "AUX") for t in doc[sent.start : comma]):
        return None  # "Until now, however, X rejected ...": no clause to report
    subtree = {t.i for t in cue.subtree}
    if any(not (t.is_punct or t.is_space or t.i in subtree) for t in doc[left : sent.end]):
        return None
    start = doc[sent.start].idx
    end = doc[comma].idx
    return start, end


def noun_cue_candidates(doc: Doc, text: str, quotes: list[Quote], lexicon: CueLexicon) -> list[Candidate]:
    """Cue nouns with their content and owner: "Russia's claim that its troops had left",
    "the announcement by the Pentagon that …", "his call to bring the parties together".

    The speaker is the possessor or the ``by``/``from`` phrase; a cue noun with no owner
    ("the claim that …") is skipped: whose claim it is cannot be told.
    """
    found: list[Candidate] = []
    for token in doc:
        if token.pos_ != "NOUN" or _in_any(token.idx, quotes):
            continue
        stance = lexicon.noun_stance(token.lemma_) or lexicon.noun_stance(token.lower_)
        if stance is None:
            continue
        content: Token | None = None
        for child in token.children:
            if child.i < token.i:
                continue
            if child.dep_ in ("acl", "ccomp", "relcl") and any(
                    c.dep_ == "mark" and c.lower_ == "that" for c in child.children):
                content = child
                break
            if child.dep_ == "acl" and "to" in lexicon.verb_frames(token.lemma_) and any(
                    c.dep_ == "aux" and c.lower_ == "to" for c in child.children):
                content = child
                break
        if content is None:
            continue
        owner: Token | None = None
        for child in token.children:
            if child.dep_ == "poss":
                owner = child
            elif child.dep_ == "prep" and child.lower_ in ("by", "from") and child.i < content.i:
                owner = next((c for c in child.children if c.dep_ == "pobj"), None)
        if owner is None:
            continue
        start, end = _token_range_chars(doc, content.left_edge.i, content.right_edge.i + 1)
        start, end = _trim(text, start, end)
        end = _strip_final_punct(text, start, end)
        if end - start >= 3:
            found.append(Candidate("indirect", start, end, cue=token, speaker_head=owner, stance=stance))
    return found


def _parenthetical_content(cue: Token, clause: Token | None) -> tuple[int, int] | None:
    """For "A comic tone, she said, would make it easier." the chars of the whole clause.

    The cue and its subject sit between commas inside the clause they report (the parser
    hangs the cue from that clause's verb as ``parataxis``).  The content runs from the
    start of that clause to its end and includes the parenthesis, as annotators mark it.
    """
    head = cue.head
    if head.dep_ in ("aux", "auxpass") and head.head.pos_ in ("VERB", "AUX"):
        head = head.head  # "Even then, he said, he's learned ...": hung from the auxiliary
    if cue.dep_ != "parataxis" or head.pos_ not in ("VERB", "AUX") or clause is not None:
        return None
    subj = subject_of(cue)
    if subj is None or not (head.left_edge.i < subj.i < cue.i < head.right_edge.i):
        return None
    doc = cue.doc
    before = doc[subj.left_edge.i - 1] if subj.left_edge.i > 0 else None
    last = max(t.i for t in cue.subtree if not t.is_punct)
    after = doc[last + 1] if last + 1 < len(doc) else None
    if before is None or after is None or before.text not in (",", "—", "--") or after.text not in (",", "—", "--"):
        return None
    left = max(head.left_edge.i, sentence_of(cue).start)
    return doc[left].idx, doc[head.right_edge.i].idx + len(doc[head.right_edge.i])


def _gerund_clause(cue: Token) -> Token | None:
    """"He said legalizing it could put thousands to work": the small model makes the
    gerund subject ("legalizing") the cue's ``xcomp`` and hangs the finite verb under it.
    Return the gerund when its subtree holds a finite verb."""
    for child in cue.rights:
        if child.dep_ == "xcomp" and child.tag_ == "VBG" and child.i == cue.i + 1:
            if any(t.dep_ in ("ccomp", "conj") and t.tag_ in ("VBZ", "VBD", "VBP") or
                   any(a.dep_ == "aux" and a.tag_ == "MD" for a in t.children)
                   for t in child.subtree if t is not child):
                return child
    return None


def _cut_at_participle_cue(doc: Doc, first: int, last: int, lexicon: CueLexicon) -> int:
    """The last token of a reported clause, before a trailing ", insisting that ..." (a second
    claim by the same speaker, with its own cue) that the parse hung inside the clause."""
    for i in range(first + 2, last + 1):
        token = doc[i]
        if token.tag_ == "VBG" and doc[i - 1].text == "," and _is_cue_verb(token, lexicon):
            end = i - 2
            while end > first and (doc[end].is_punct or doc[end].is_space):
                end -= 1
            return end
    return last


def _clause_under_statement(cue: Token) -> Token | None:
    """"said in a statement released on Wednesday that the border was closed": the small model hangs
    the that-clause from the participle of the statement noun, not from the cue."""
    for prep in (c for c in cue.children if c.dep_ == "prep"):
        for noun in (c for c in prep.children if c.dep_ == "pobj"):
            for acl in (c for c in noun.children if c.dep_ == "acl"):
                for clause in (c for c in acl.children if c.dep_ == "ccomp"):
                    if any(m.dep_ == "mark" and m.lower_ == "that" for m in clause.children):
                        return clause
    return None


def _misparsed_clause(cue: Token) -> Token | None:
    """"Stone says the increase in X that Y decries also makes Z less likely": the small
    model hangs the reported clause's verb from the object noun (``relcl``/``acl``).
    The object is then the start of the clause: return it when its subtree holds a verb
    and runs to the end of the sentence."""
    for child in cue.children:
        if child.dep_ in ("dobj", "attr") and child.i > cue.i and child.pos_ in ("NOUN", "PROPN"):
            if child.lower_ in AUDIENCE_WORDS:
                return None
            verbs = [t for t in child.subtree if t.pos_ in ("VERB", "AUX") and t.dep_ in ("relcl", "acl")]
            last = sentence_of(cue).end - 1
            while last > child.i and (cue.doc[last].is_punct or cue.doc[last].is_space):
                last -= 1
            if verbs and child.right_edge.i >= last and any(
                    v.dep_ == "relcl" and not any(c.dep_ in ("nsubj", "nsubjpass") and c.tag_ in ("WDT", "WP") for c in v.children)
                    and v.tag_ in ("VBZ", "VBD", "VBP", "MD") for v in verbs):
                return child
    return None


def according_to_candidates(doc: Doc, text: str, quotes: list[Quote]) -> list[Candidate]:
    """ "According to X, Y" and "Y, according to X": X is the speaker, Y the claim."""
    found: list[Candidate] = []
    for token in doc:
        if token.lower_ != "according" or _in_any(token.idx, quotes):
            continue
        to = next((c for c in token.children if c.lower_ == "to"), None)
        if to is None and token.i + 1 < len(doc) and doc[token.i + 1].lower_ == "to":
            to = doc[token.i + 1]
        if to is None:
            continue
        pobj = next((c for c in to.children if c.dep_ == "pobj"), None)
        if pobj is None:
            continue
        speaker = pobj
        for child in pobj.children:  # "according to a report by Axios", "according to Axios' report"
            if child.dep_ == "prep" and child.lower_ in ("by", "from", "of"):
                inner = next((c for c in child.children if c.dep_ == "pobj"), None)
                if inner is not None and inner.pos_ == "PROPN":
                    speaker = inner
            if child.dep_ == "poss" and child.pos_ == "PROPN":
                speaker = child
        phrase_start, phrase_end = token.i, max(to.right_edge.i, pobj.right_edge.i) + 1
        sent = sentence_of(token)
        # the claim is the rest of the sentence on the longer side of the phrase
        left = (sent.start, phrase_start)
        right = (phrase_end, sent.end)
        side = right if (right[1] - right[0]) >= (left[1] - left[0]) else left
        if side[1] - side[0] < 3:
            continue
        start, end = _token_range_chars(doc, side[0], side[1])
        start, end = _trim(text, start, end)
        if side is right:
            end = _strip_final_punct(text, start, end)
        if end - start < 3:
            continue
        cue_start, cue_end = token.idx, to.idx + len(to.text)
        found.append(
            Candidate("according_to", start, end, cue=token, cue_start=cue_start, cue_end=cue_end,
                      speaker_head=speaker, stance="report")
        )
    return found


def _strip_final_punct(text: str, start: int, end: int) -> int:
    while end > start and text[end - 1] in ".!?":
        end -= 1
    return end


def _ends_paragraph(doc: Doc, i: int) -> bool:
    if i + 1 >= len(doc):
        return True
    return "\n" in doc[i].whitespace_ or "\n" in doc[i + 1].text


def _next_paragraph(text: str, pos: int) -> tuple[int, int] | None:
    while pos < len(text) and text[pos].isspace():
        pos += 1
    if pos >= len(text):
        return None
    end = text.find("\n", pos)
    end = len(text) if end < 0 else end
    while end > pos and text[end - 1].isspace():
        end -= 1
    return (pos, end) if end - pos >= 3 else None


def direct_quote_candidates(doc: Doc, text: str, quotes: list[Quote], lexicon: CueLexicon) -> list[Candidate]:
    """Quoted passages with the cue and speaker of the frame around them, or floating ones."""
    found: list[Candidate] = []
    for q in quotes:
        inner = text[q.inner_start : q.inner_end]
        n_words = len(inner.split())
        cue, speaker_head, speaker_tokens = _frame_cue(doc, text, q, quotes, lexicon)
        if cue is None and speaker_tokens is None and speaker_head is None:
            if not any(c in inner for c in ".!?,") or (
                    n_words < MIN_FLOATING_WORDS and not _resumes_quoted_sentence(text, q, quotes)):
                continue  # a scare quote or a title, not speech
            found.append(Candidate("direct", q.inner_start, q.inner_end, floating=True))
            continue
        stance = _is_cue_verb(cue, lexicon) if cue is not None else "assert"
        if cue is not None and n_words < 2 and not inner.rstrip().endswith((",", ".", "!", "?")):
            continue  # a scare quote near a cue ('called it "dopey"'); '"Absolutely," he said' is speech
        found.append(
            Candidate("direct", q.inner_start, q.inner_end, cue=cue, speaker_head=speaker_head,
                      speaker_tokens=speaker_tokens, stance=stance or "assert")
        )
    return found


def _resumes_quoted_sentence(text: str, q: Quote, quotes: list[Quote]) -> bool:
    """Whether a quote opens a sentence right after a sentence of the same paragraph that
    held a quote: '"I hope so," Tilton said after the rally. "I don't know."' goes on."""
    before = text[max(0, q.start - 300) : q.start]
    stripped = before.rstrip(" ")
    if not stripped or stripped[-1] not in ".!?" or "\n" in before[len(stripped):]:
        return False
    paragraph_start = max(q.start - 300, text.rfind("\n", 0, q.start) + 1)
    return any(paragraph_start <= other.start and other.end <= q.start for other in quotes)


def _frame_cue(doc: Doc, text: str, q: Quote, quotes: list[Quote], lexicon: CueLexicon
               ) -> tuple[Token | None, Token | None, tuple[int, int] | None]:
    """Find the cue (and speaker) of a quote in the text just after it, then just before it."""
    after_span = doc.char_span(q.end, min(len(text), q.end + 400), alignment_mode="expand")
    closes_sentence = text[q.inner_start : q.inner_end].rstrip().endswith((".", "!", "?"))
    if after_span is not None and closes_sentence:
        # '"... border." House Speaker Pelosi said': a capitalised word after a finished
        # sentence starts the next sentence, whose cue is not this quote's
        first = next((t for t in after_span if not t.is_space), None)
        if first is None or first.text[:1].isupper():
            after_span = None
    if after_span is not None:
        tokens = []
        for t in after_span[:MAX_FRAME_AFTER]:
            if "\n" in t.text or t.text in OPENING_OR_STRAIGHT:
                break
            tokens.append(t)
            if t.text in SENTENCE_END:
                break
        # attribution line: "…" -Commissioner X  /  "…" — X
        if tokens and tokens[0].text in ("-", "\u2014", "\u2013") and len(tokens) > 1 and tokens[1].pos_ == "PROPN":
            j = 1
            while j < len(tokens) and tokens[j].pos_ in ("PROPN", "NOUN", "ADJ") or (j < len(tokens) and tokens[j].text == "."):
                j += 1
            return None, tokens[j - 1], (tokens[1].i, tokens[j - 1].i + 1)
        for t in tokens:
            if _is_cue_verb(t, lexicon) and not _in_any(t.idx, quotes):
                head = subject_of(t)
                if head is not None and _in_any(head.idx, quotes):
                    head = None
                if head is None:
                    head = _adjacent_speaker(t)
                return t, head, None
    before_span = doc.char_span(max(0, q.start - 400), q.start, alignment_mode="contract")
    if before_span is not None and len(before_span):
        tokens = []
        for t in reversed(before_span):
            if "\n" in t.text and not tokens:
                label = _label_line(doc, t.i)
                if label is not None:
                    return None, label, None
            if "\n" in t.text or t.text in SENTENCE_END or _in_any(t.idx, quotes):
                break  # a quote opening a sentence has no cue before it: that one is the last sentence's
            tokens.append(t)
            if len(tokens) >= MAX_FRAME_BEFORE:
                break
        tokens.reverse()
        for t in reversed(tokens):
            if _is_cue_verb(t, lexicon):
                head = subject_of(t)
                if head is None:
                    head = _adjacent_speaker(t)
                return t, head, None
        # a speaker label: "Zelensky: “…”" / "And from X:"
        if tokens and tokens[-1].text == ":":
            prev = [t for t in tokens[:-1] if t.pos_ in ("PROPN", "NOUN", "PRON")]
            if prev:
                last = prev[-1]
                return None, last, None
    return None, None, None


MAX_LABEL_TOKENS = 12


def _label_line(doc: Doc, newline: int) -> Token | None:
    """The speaker of a short line ending in ':' just before a quote's paragraph.

    "And from Commissioner Maria Lopez:" / "Zelensky's reply:" -> the last name or noun
    of the line (not a cue verb's line: those are found as cues).
    """
    i = newline - 1
    while i >= 0 and doc[i].is_space:
        i -= 1
    if i < 0 or doc[i].text != ":":
        return None
    line: list[Token] = []
    j = i - 1
    while j >= 0 and "\n" not in doc[j].text and len(line) <= MAX_LABEL_TOKENS:
        line.append(doc[j])
        j -= 1
    if not line or len(line) > MAX_LABEL_TOKENS or any(t.pos_ == "VERB" for t in line):
        return None
    names = [t for t in line if t.pos_ == "PROPN"] or [t for t in line if t.pos_ == "NOUN"]
    return names[0] if names else None  # line is reversed: names[0] is the last one


OPENING_OR_STRAIGHT = set("\u201c\u201e\u00ab\"") | {"''", "``"}


def _adjacent_speaker(cue: Token) -> Token | None:
    """When the parse gives a cue no subject: the name or pronoun right after or before it."""
    doc = cue.doc
    for i in range(cue.i + 1, min(len(doc), cue.i + 5)):
        t = doc[i]
        if t.pos_ in ("PROPN", "PRON") and t.text not in MARK_TOKENS:
            # extend over a multi-word name
            while i + 1 < len(doc) and doc[i + 1].pos_ == "PROPN":
                i += 1
            return doc[i]
        if t.pos_ in ("ADP", "PUNCT", "VERB"):
            break
    for i in range(cue.i - 1, max(-1, cue.i - 4), -1):
        t = doc[i]
        if t.pos_ in ("PROPN", "PRON", "NOUN") and t.text not in MARK_TOKENS:
            return t
        if t.text in MARK_TOKENS or t.text in SENTENCE_END:
            break
    return None


def _previous_subject(doc: Doc, start: int) -> Token | None:
    """For a quote with no cue: the named or pronoun subject before it in its own sentence, else of the
    sentence just before it.

    "Betsy Ebeling shook her head. “We never thought ...”" -> "Betsy Ebeling". Only a
    person-like subject (a name or he/she) of the sentence's main verb counts.
    """
    token = next((t for t in doc if t.idx >= start), None)
    if token is None:
        return None
    sent = sentence_of(token)
    # "Senator X spoke on Fox News, “…”": the quote's own sentence names who speaks before it
    before = [t for t in doc[sent.start:token.i]
              if t.dep_ in ("nsubj", "nsubjpass") and (t.pos_ == "PROPN" or t.lower_ in ("he", "she"))]
    if before:
        return before[-1]
    if sent.start == 0:
        return None
    previous = sentence_of(doc[sent.start - 1])
    root = previous.root
    subject = next((c for c in root.children if c.dep_ in ("nsubj", "nsubjpass")), None)
    if subject is None:
        return None
    if subject.pos_ == "PROPN" or subject.lower_ in ("he", "she"):
        return subject
    return None


# ----------------------------------------------------------------------------- assembly
def _merge(direct: list[Candidate], clausal: list[Candidate], text: str) -> list[Candidate]:
    """A quote and the reported clause around it are one claim: direct, or mixed if the clause is larger."""
    merged: list[Candidate] = []
    used: set[int] = set()
    for d in direct:
        best = None
        for k, c in enumerate(clausal):
            if k in used:
                continue
            inter = min(d.content_end, c.content_end) - max(d.content_start, c.content_start)
            if inter <= 0:
                continue
            if d.cue is not None and c.cue is not None and d.cue.i == c.cue.i:
                best = k
                break
            if d.cue is None and inter >= 0.5 * max(d.content_end - d.content_start, c.content_end - c.content_start):
                best = k
                break
        if best is None:
            merged.append(d)
            continue
        used.add(best)
        c = clausal[best]
        outside = text[c.content_start : max(c.content_start, d.content_start)]
        outside += text[min(c.content_end, d.content_end) : c.content_end]
        if len(outside.strip(" ,.\u201c\u201d\"'\n")) > 3:
            merged.append(replace(c, kind="mixed", speaker_head=c.speaker_head or d.speaker_head))
        else:
            merged.append(replace(d, cue=d.cue or c.cue, speaker_head=d.speaker_head or c.speaker_head,
                                  stance=c.stance if d.cue is None else d.stance))
    merged.extend(c for k, c in enumerate(clausal) if k not in used)
    return merged


def _sentence_span(doc: Doc, text: str, start: int, end: int) -> Span:
    """The sentence(s) around ``[start, end)`` (``text`` is ``doc.text``, which spaCy rebuilds on every access)."""
    span = doc.char_span(start, end, alignment_mode="expand")
    if span is None or len(span) == 0:
        return Span(text[start:end], start, end)
    s = min(sentence_of(t).start_char for t in (span[0], span[-1]))
    e = max(sentence_of(t).end_char for t in (span[0], span[-1]))
    while e > s and text[e - 1].isspace():
        e -= 1
    return Span(text[s:e], s, e)


def _mentions(names: DocumentNames, start: int, end: int) -> tuple[Mention, ...]:
    out = []
    for m in names.mentions:
        if m.start >= start and m.end <= end and m.type != "other" and any(ch.isupper() for ch in m.text):
            out.append(Mention(text=m.text, start=m.start, end=m.end, name=m.name, type=m.type))
    return tuple(out)


def _proposals_rules_missed(proposals: list[Candidate], found: list[Candidate]) -> list[Candidate]:
    """The proposals whose content overlaps no candidate the rules found, and whose cue no rule used."""
    cues = {c.cue.i for c in found if c.cue is not None}
    spans = [(c.content_start, c.content_end) for c in found]
    return [p for p in proposals if (p.cue is None or p.cue.i not in cues)
            and not any(min(p.content_end, e) > max(p.content_start, s) for s, e in spans)]


def _class_of(cand: Candidate) -> str:
    """The class of a candidate's cue: a learned proposal carries its own; a rule's cue is from kg's lexicon,
    so it is speech unless ``kg/data/cue_classes.tsv`` lists it as something else."""
    if cand.cue_class is not None:
        return cand.cue_class
    if cand.cue is None or cand.kind == "according_to":
        return CueClass.SPEECH.value
    for lemma in (cand.cue.lemma_, verb_lemma(cand.cue), cand.cue.lower_):
        listed = load_cue_classes().get(lemma.lower())
        if listed is not None:
            return listed.value
    return CueClass.SPEECH.value


def claims_from_doc(doc: Doc, document: Document, lexicon: CueLexicon | None = None,
                    proposals: list[Candidate] | None = None, attributions: str = "speech") -> list[Claim]:
    """All attributed claims of a parsed document, in text order.

    ``proposals`` are attributions a learned tagger proposes (:mod:`kg.extract.learned`):
    those the rules did not find are added, and all go through the same speaker,
    relay, date and hedge resolution.  ``attributions="speech"`` (the default) keeps
    only speech acts; ``"all"`` keeps beliefs, perceptions, intentions and actions too
    (each claim's ``cue_class`` says which).
    """
    lexicon = lexicon or default_lexicon()
    text = doc.text
    quotes = find_quotes(text)
    names = DocumentNames(doc, text)
    resolver = SpeakerResolver(doc, names)
    direct = direct_quote_candidates(doc, text, quotes, lexicon)
    clausal = (reported_speech_candidates(doc, text, quotes, lexicon) + according_to_candidates(doc, text, quotes)
               + noun_cue_candidates(doc, text, quotes, lexicon))
    candidates = sorted(_merge(direct, clausal, text), key=lambda c: (c.content_start, c.content_end))
    if proposals:
        candidates += _proposals_rules_missed(proposals, candidates)
    candidates = [_as_quoted(c) for c in candidates if not is_citing(c.cue) and not _passive_infinitive(c, text)]
    classes = {id(c): _class_of(c) for c in candidates}
    if attributions == "speech":
        candidates = [c for c in candidates if classes[id(c)] == CueClass.SPEECH]

    days = DayAnchors(text, document.date)
    claims: list[Claim] = []
    cue_tokens: list[Token | None] = []
    for cand in sorted(candidates, key=lambda c: c.anchor):
        day, period, cand.content_start = _when(cand, days)  # first: a date opening the content leaves it
        speaker: Speaker | None = None
        if cand.speaker_tokens is not None:
            speaker = resolver.from_tokens(*cand.speaker_tokens)
        elif cand.speaker_head is not None:
            speaker = resolver.from_head(cand.speaker_head, cand.cue)
        elif (misparsed := reported_subject(cand.cue)) is not None:
            speaker = resolver.from_head(misparsed)  # "X reported its source said ...": the source says it
        introduced_by: Token | None = None  # the verb that introduces a quote with no cue in its own sentence
        if cand.speaker_tokens is None and cand.speaker_head is None and cand.floating:
            subject = _previous_subject(doc, cand.content_start)
            speaker = resolver.from_head(subject) if subject is not None else None
            if speaker is None or speaker.type not in ("person", "organisation", "government"):
                speaker = resolver.previous(cand.content_start)
            elif subject.sent.start_char <= cand.content_start <= subject.sent.end_char:
                resolver.remember(speaker)  # "X spoke on Fox News, “…”": the next quote with no cue is X's too
                introduced_by = subject.head
        if speaker is not None and not cand.floating:
            resolver.remember(speaker)
        cue_span = None
        if cand.cue is not None:
            cs = cand.cue_start if cand.cue_start is not None else cand.cue.idx
            ce = cand.cue_end if cand.cue_end is not None else cand.cue.idx + len(cand.cue.text)
            cue_span = Span(text[cs:ce], cs, ce)
        content = Span(text[cand.content_start : cand.content_end], cand.content_start, cand.content_end)
        points = [cand.content_start, cand.content_end]
        if speaker is not None and not cand.floating:
            points += [speaker.start, speaker.end]
        if cue_span is not None:
            points += [cue_span.start, cue_span.end]
        sentence = _sentence_span(doc, text, min(points), max(points))
        cue_or_verb = cand.cue if cand.cue is not None else introduced_by
        relay = relays_of(cue_or_verb, cand.speaker_head, names) if cue_or_verb is not None else []
        source = quoted_speaker(cand.cue) or citing_source(cand.cue)
        if source is not None and speaker is not None and cand.speaker_tokens is None:
            # "Tass quoted the mayor as saying", "Reuters, citing sources, reported": the outlet relays
            relay = [speaker.name, *relay]
            speaker = resolver.from_head(source, cand.cue)
        cue_tokens.append(cand.cue)
        claims.append(
            Claim(
                doc_id=document.id,
                content=content,
                speaker=speaker,
                cue=cue_span,
                kind=cand.kind,
                stance=cand.stance,
                hedge=hedge_of(doc, cand.content_start, cand.content_end, quotes) if cand.kind != "direct" else
                hedge_of(doc, sentence.start, sentence.end, quotes),
                relay=tuple(relay),  # relay_nested drops the speaker's own name and the article's outlet
                date=document.date,
                utterance_date=day,
                utterance_period=period,
                sentence=sentence,
                mentions=_mentions(names, cand.content_start, cand.content_end),
                cue_class=classes[id(cand)],
            )
        )
    doc.user_data.pop(_SENTS_KEY, None)
    claims = relay_nested(_drop_nested(carry_dates(claims, cue_tokens)), document.outlet,
                          drop_reports=attributions == "speech")  # "all" keeps every nested attribution
    claims.sort(key=lambda c: (c.content.start, c.content.end))
    return _join_continuations(claims, text)


def _passive_infinitive(cand: Candidate, text: str) -> bool:
    """"The ship is expected to arrive", "Ofgem is expected to lift the cap": nobody named says it
    (the subject is what is expected of, not who expects); with "by X" X does."""
    cue = cand.cue
    if cue is None or not text[cand.content_start:cand.content_start + 3].lower() == "to ":
        return False
    children = list(cue.children)
    return any(c.dep_ == "auxpass" for c in children) and not any(c.dep_ == "agent" for c in children)


def _as_quoted(cand: Candidate) -> Candidate:
    """"Reuters reported the command as saying X": the content is X, not "the command" (its source)."""
    if cand.cue is None:
        return cand
    source = quoted_speaker(cand.cue)
    if source is None or not (source.left_edge.idx <= cand.content_start < source.right_edge.idx + len(source.right_edge.text)):
        return cand
    said = as_saying_content(cand.cue)
    return replace(cand, content_start=said[0], content_end=said[1]) if said else cand


def _when(cand: Candidate, days: DayAnchors) -> tuple[str | None, tuple[str, str] | None, int]:
    """The utterance day and period of a candidate, and where its content starts.

    A date on its cue's clause; else a date the parser put at the head of the reported
    clause (the content then starts after it); else the day of the live-blog entry that
    reports it as just said; else the article's day when the content reports an event of
    that day (:mod:`kg.extract.utterance_dates`).
    """
    content = (cand.content_start, cand.content_end)
    at = cand.cue.idx if cand.cue is not None else cand.content_start
    anchor = days.at(at)
    day, period = utterance_when(cand.cue, content, anchor)
    if day is not None:
        return day, period, cand.content_start
    if period is None and cand.kind == "indirect":
        leading = leading_date(cand.cue, content, anchor)
        if leading is not None:  # "said yesterday the laws should change"
            return leading[1], leading[2], leading[0]
    entry = days.entry_day(at)
    found = entry if entry is not None and just_said(cand.cue) else event_day(cand.cue, content, anchor)
    if found is not None and (period is None or period[0] <= found <= period[1]):
        return found, (found, found), cand.content_start
    return None, period, cand.content_start


_GAP_PUNCT = " \t\r\n.,;:!?-\u2014\u2013'`" + ALL_MARKS


def _continues(a: Claim, b: Claim, text: str) -> bool:
    """Whether ``b`` goes on with ``a``'s words: a quote split around its cue
    ('"A," he said, "B."'), or a cue-less quote right after, by the same speaker."""
    if b.content.start < a.content.end or b.kind != "direct":
        return False
    if b.cue is not None and (a.cue is None or b.cue.start != a.cue.start):
        return False
    if a.speaker is None or b.speaker is None or a.speaker.name != b.speaker.name:
        return False
    gap = text[a.content.end : b.content.start]
    if len(gap) > 250:
        return False
    if (a.cue is not None and a.content.end <= a.cue.start and a.cue.end <= b.content.start
            and "\n" not in gap.strip(_GAP_PUNCT) and not any(m in gap.strip(_GAP_PUNCT) for m in MARK_TOKENS)
            and sum(gap.strip(_GAP_PUNCT).count(p) for p in ".!?") == 0):
        # '"A," Tilton said after braving the cold to see the senator. "B."': one attribution
        return True
    for piece in (a.cue, a.speaker):
        if piece is not None and a.content.end <= piece.start and piece.end <= b.content.start:
            gap = gap.replace(piece.text, " ", 1)
    return not gap.strip(_GAP_PUNCT)


def _join_continuations(claims: list[Claim], text: str) -> list[Claim]:
    """Merge continuations into one claim whose content spans all its parts."""
    out: list[Claim] = []
    for claim in claims:
        prev = out[-1] if out else None
        if prev is not None and _continues(prev, claim, text):
            parts = (prev.parts or ((prev.content.start, prev.content.end),)) + ((claim.content.start, claim.content.end),)
            start, end = prev.content.start, claim.content.end
            sentence = prev.sentence
            if prev.sentence is not None and claim.sentence is not None:
                s, e = min(prev.sentence.start, claim.sentence.start), max(prev.sentence.end, claim.sentence.end)
                sentence = Span(text[s:e], s, e)
            out[-1] = replace(
                prev,
                content=Span(text[start:end], start, end),
                parts=parts,
                kind=prev.kind if prev.kind == claim.kind else "mixed",
                sentence=sentence,
                mentions=prev.mentions + claim.mentions,
                hedge=prev.hedge or claim.hedge,
            )
        else:
            out.append(claim)
    return out


_RELATIVE = re.compile(r",\s+(?:in which|which|who|whom|where)\b")


def _drop_nested(claims: list[Claim]) -> list[Claim]:
    """Drop a claim whose content lies inside another claim's content with the same cue or speaker."""
    keep: list[Claim] = []
    for c in claims:
        nested = False
        for other in claims:
            if other is c:
                continue
            inside = other.content.start <= c.content.start and c.content.end <= other.content.end
            same = (other.cue is not None and c.cue is not None and other.cue.start == c.cue.start) or (
                other.speaker is not None and c.speaker is not None and other.speaker.name == c.speaker.name
            )
            # "expressed the severity … in a press conference, in which he told reporters that Y": the
            # relative clause holds a claim of its own, with its own cue
            own_cue = (c.cue is not None and other.cue is not None and c.cue.start != other.cue.start
                       and other.content.start <= c.cue.start < other.content.end
                       and _RELATIVE.search(other.content.text[: c.cue.start - other.content.start]) is not None)
            if (inside and same and not own_cue
                    and (other.content.end - other.content.start) > (c.content.end - c.content.start)):
                nested = True
                break
            if (other.content.start, other.content.end) == (c.content.start, c.content.end) and claims.index(other) < claims.index(c):
                nested = True
                break
        if not nested:
            keep.append(c)
    return keep
