"""Who is speaking: the speaker phrase of a cue, and its resolution to a canonical claimant.

``subject_of`` finds the grammatical speaker of a cue verb without trusting a
single arc (conjoined verbs inherit their subject; the small model's
"A source close to X has assured ..." misparse is undone). ``SpeakerResolver``
turns the phrase into a :class:`~kg.records.Speaker`: a named person or
organisation with the fullest name the article gives, a pronoun or a definite
description ("the spokeswoman", "the person") resolved to an earlier speaker
or mention, or an anonymous source with its stated affiliation.
"""

from __future__ import annotations

from dataclasses import replace

from spacy.tokens import Doc, Token

from kg.extract.relays import looks_like_outlet
from kg.records import Speaker
from kg.resolve.names import OUTLET_WORDS, DocumentNames, NamedMention, clean_name, name_key

PERSONAL_PRONOUNS = frozenset({"he", "she", "him", "her", "his"})  # "his belief that ..."
PLURAL_PRONOUNS = frozenset({"they", "them", "their"})
NEUTER_PRONOUNS = frozenset({"it", "its"})
FIRST_PERSON = frozenset({"i", "we", "me", "us", "my", "our"})
ANONYMOUS_HEADS = frozenset(
    """source official insider aide adviser advisor someone somebody person people diplomat staffer
    officer employee member spokesperson analyst expert observer critic resident witness
    lawmaker legislator negotiator investigator prosecutor""".split()
)
GROUP_HEADS = frozenset(
    """officials sources people experts analysts critics residents witnesses lawmakers
    legislators investigators prosecutors protesters activists voters citizens
    ukrainians americans russians democrats republicans""".split()
)
# Heads of a definite description that can only mean a person named earlier:
# "the politician", "the Ukrainian leader".  Modifiers must fit that person's roles.
GENERIC_PERSON_HEADS = frozenset("leader politician man woman head premier statesman".split())

GOVERNMENT_HEADS = frozenset(
    "ministry department government administration authority authorities police army military embassy kremlin "
    "command regulator watchdog".split()
)
#: heads of an organisation's description: "the industry publication", "state media"
MEDIA_HEADS = frozenset("media publication newspaper broadcaster outlet outlets channel website site".split())
#: what anonymous unnamed sources are called when they are texts: "reports said", "some reports"
REPORT_HEADS = frozenset("report reports rumour rumours rumor rumors".split())
#: things that carry words: "a statement saying ...", "a letter alleging ..."
DOCUMENT_NOUNS = frozenset(
    "statement letter report release note memo tweet post message email e-mail article ad advertisement "
    "video filing complaint lawsuit suit document column editorial op-ed".split()
)
#: things that carry findings, spoken for by whoever made them: "the CREA data show ..."
FINDINGS_NOUNS = frozenset("data datum website page account update analysis survey study findings poll assessment figures intelligence".split())
#: heads that name a person by role or trade: "Hill, a doctor", "the minister", "a spokeswoman"
PERSON_ROLE_HEADS = frozenset(
    """president minister secretary spokesman spokeswoman spokesperson senator governor general judge
    mayor chancellor king queen prince ambassador commissioner director chairman chairwoman ceo
    executive adviser advisor attorney lawyer doctor physician nurse teacher professor economist
    scientist researcher journalist reporter editor author writer student farmer owner founder
    manager coach player actor singer father mother wife husband son daughter candidate nominee
    deputy representative envoy commander officer sheriff chief pastor priest bishop surgeon
    historian strategist pollster consultant activist""".split()
)
SPOKES_HEADS = frozenset({"spokesman", "spokeswoman", "spokesperson", "representative"})
#: a description names whoever holds any of these roles ("the spokeswoman" = the press secretary)
ROLE_SYNONYMS = {h: {"spokesman", "spokeswoman", "spokesperson", "press"} for h in SPOKES_HEADS - {"representative"}}
ORG_POSSESSIVES = frozenset({"its", "their"})

ORG_HEADS = frozenset(
    """ministry department government administration agency company firm group party
    council commission committee office authority authorities police army military
    campaign organisation organization union bank court embassy kremlin command regulator watchdog
    movement producer database""".split()
)
SUBJECT_DEPS = ("nsubj", "nsubjpass", "csubj")
CUT_DEPS = frozenset({"relcl", "acl", "advcl", "punct", "cc", "conj", "parataxis"})


def subject_of(verb: Token) -> Token | None:
    """The token heading the speaker phrase of cue verb ``verb``, or None.

    Looks beyond a single arc: a conjoined or participial verb ("... and claimed",
    "..., saying") takes its head verb's subject; a passive takes its agent
    ("was told by X"); and a cue parsed as a relative clause of a noun with no
    relative pronoun ("A source close to X has assured ...") takes that noun.
    """
    misparsed = misparsed_subject(verb)
    if misparsed is not None:
        return misparsed[0]
    for child in verb.children:
        if child.dep_ in SUBJECT_DEPS and child.tag_ not in ("EX",):
            return child
    if verb.dep_ == "acl" and verb.head.pos_ in ("NOUN", "PROPN") and verb.tag_ == "VBG":
        noun = verb.head
        if noun.lemma_.lower() in DOCUMENT_NOUNS and noun.dep_ in ("dobj", "pobj"):
            # "the campaign issued a statement saying ...": the issuer speaks through the document
            issuer = noun.head.head if noun.dep_ == "pobj" and noun.head.dep_ == "prep" else noun.head
            if issuer.pos_ in ("VERB", "AUX"):
                owner = subject_of(issuer)
                if owner is not None:
                    return owner
        return noun  # "Trump, saying that ...", "officials saying they ..."
    if verb.dep_ == "pcomp" and verb.head.pos_ == "ADP" and verb.head.head.pos_ in ("VERB", "AUX"):
        return subject_of(verb.head.head)  # "responded by saying ...", "after suggesting ..."
    if (verb.dep_ == "advcl" and verb.tag_ == "VBG" and verb.head.dep_ == "ccomp"
            and verb.head.head.pos_ in ("VERB", "AUX") and verb.i > 0 and verb.doc[verb.i - 1].text == ","):
        return subject_of(verb.head.head)  # "X argued that A would B, saying ...": X, not A
    for child in verb.children:
        if child.dep_ == "agent":
            pobj = next((c for c in child.children if c.dep_ == "pobj"), None)
            if pobj is not None:
                return pobj
    for child in verb.lefts:  # "Lopez, writing for The Guardian, reported": parsed as subject of "writing"
        if child.dep_ == "advcl" and child.tag_ == "VBG":
            subj = next((c for c in child.children if c.dep_ in SUBJECT_DEPS and c.i < child.i), None)
            if subj is not None:
                return subj
    if verb.dep_ in ("conj", "advcl", "xcomp") and verb.head is not verb and verb.head.pos_ in ("VERB", "AUX", "ADJ"):
        if any(c.dep_ == "mark" and c.lower_ == "as" for c in verb.children):
            return None  # "..., as Axios reported": the main clause's subject is what was reported on
        return subject_of(verb.head)
    return None


def misparsed_subject(verb: Token) -> tuple[Token, int, int] | None:
    """Undo "A source close to X has assured ...": the parse makes X the subject of a relative clause.

    Returns the real head ("source") and the token range of the whole phrase, or None
    when the verb is not in that pattern (a true relative clause has a wh-word or "that").
    """
    head = verb.head
    if verb.dep_ != "relcl" or head.pos_ not in ("NOUN", "PROPN"):
        return None
    if head.lemma_.lower() not in ANONYMOUS_HEADS and head.lower_ not in GROUP_HEADS:
        return None
    subj = next((c for c in verb.children if c.dep_ in SUBJECT_DEPS), None)
    if subj is None or not head.i < subj.i < verb.i:
        return None
    doc = verb.doc
    between = doc[head.i + 1 : verb.i]
    if any(t.tag_ in ("WDT", "WP", "WP$") or t.lower_ == "that" for t in between):
        return None
    return head, head.left_edge.i, subj.right_edge.i + 1


def phrase_bounds(head: Token) -> tuple[int, int]:
    """Token range [start, end) of the noun phrase headed by ``head``, without trailing clauses."""
    start, end = head.i, head.i + 1
    for child in head.lefts:
        if child.dep_ not in CUT_DEPS:
            start = min(start, child.left_edge.i)
    for child in head.rights:
        if child.dep_ in CUT_DEPS and child.dep_ != "punct":
            break
        if child.dep_ == "punct":
            # keep commas around an appositive ("Hill, a doctor,") but not at the end
            continue
        if child.dep_ == "case":  # "Russia's claim": the claimant is "Russia"
            continue
        end = max(end, child.right_edge.i + 1)
    doc = head.doc
    while end - 1 > start and doc[end - 1].is_punct:
        end -= 1
    while start < end - 1 and doc[start].is_punct:
        start += 1
    return start, end


def affiliation_of(head: Token, start: int, end: int) -> str | None:
    """What an anonymous source is said to be close to or part of ("close to the president")."""
    doc = head.doc
    after = [c for c in head.rights if c.dep_ in ("amod", "prep", "acl") and c.i < end]
    if after:
        first = min(after, key=lambda t: t.i)
        text = doc[first.left_edge.i : end].text.strip()
        if text:
            return text
    before = [t for t in doc[start : head.i] if t.dep_ in ("compound", "amod") and t.pos_ in ("PROPN", "ADJ", "NOUN")]
    if before:
        return " ".join(t.text for t in before)
    return None


class SpeakerResolver:
    """Resolves speaker phrases of one document, remembering the speakers seen so far."""

    def __init__(self, doc: Doc, names: DocumentNames) -> None:
        self.doc = doc
        self.names = names
        self.history: list[Speaker] = []  # resolved speakers in text order

    # -- public -----------------------------------------------------------------
    def from_head(self, head: Token, cue: Token | None = None) -> Speaker:
        """A speaker for the phrase headed by token ``head`` (the subject of ``cue``, if given)."""
        verb = cue
        while verb is not None:  # "A source close to X has assured ... and claimed ..."
            misparsed = misparsed_subject(verb)
            if misparsed is not None and misparsed[0] == head:
                return self.from_tokens(misparsed[1], misparsed[2], head)
            verb = verb.head if verb.dep_ in ("conj", "advcl", "xcomp") and verb.head is not verb else None
        start, end = phrase_bounds(head)
        return self.from_tokens(start, end, head)

    def from_tokens(self, start: int, end: int, head: Token | None = None) -> Speaker:
        doc = self.doc
        span = doc[start:end]
        head = head if head is not None else span.root
        speaker = self._resolve(span.start_char, span.end_char, span.text, head)
        return speaker

    def remember(self, speaker: Speaker) -> None:
        self.history.append(speaker)

    def previous(self, before: int, max_distance: int = 1500) -> Speaker | None:
        """The nearest resolved speaker before char ``before`` (for floating quotes)."""
        for sp in reversed(self.history):
            if sp.start < before and before - sp.end <= max_distance and sp.type != "unknown":
                return sp
        return None

    # -- resolution --------------------------------------------------------------
    def _resolve(self, start: int, end: int, text: str, head: Token) -> Speaker:
        lower = head.lower_
        base = Speaker(text=text, start=start, end=end, name=clean_name(text), type="unknown")
        if head.tag_ in ("WDT", "WP") and head.head.dep_ == "relcl" and head.head.head.pos_ in ("NOUN", "PROPN"):
            # "the council, which said ...": the span stays "which", the claimant is the council
            antecedent = self.from_head(head.head.head)
            return replace(antecedent, text=text, start=start, end=end)
        if head.tag_ in ("WDT", "WP") and head.i > 0:
            # "according to police, who said ...": the relative clause misparsed, the noun just before
            before = head.i - 1
            while before > head.sent.start and self.doc[before].is_punct:
                before -= 1
            if self.doc[before].pos_ in ("NOUN", "PROPN") and before < head.i - 1:
                antecedent = self.from_head(self.doc[before])
                return replace(antecedent, text=text, start=start, end=end)
        if lower in PERSONAL_PRONOUNS | PLURAL_PRONOUNS | NEUTER_PRONOUNS | FIRST_PERSON:
            return self._pronoun(base, lower, start)
        if head.pos_ == "PROPN" and head.lower_ in PERSON_ROLE_HEADS and not any(
                m.start >= start and m.end <= end and (m.type == "person" or m.start <= head.idx < m.end)
                for m in self.names.mentions):
            return self._description(base, head)  # "The President said": a role, capitalised
        mention = self._mention_in(start, end, head)
        if (mention is not None and head.pos_ == "NOUN" and head.lemma_.lower() in ORG_HEADS
                and mention.end <= head.idx):
            # "the Trump campaign", "the Obama administration": the body, not the person
            etype = "government" if head.lemma_.lower() in GOVERNMENT_HEADS else "organisation"
            bounds = phrase_token_bounds(self.doc, mention.start, head.idx + len(head))
            return replace(base, name=clean_name(self.doc[bounds[0]:bounds[1]].text, person=False), type=etype)
        if mention is not None:
            etype = {"place": "government", "other": "unknown"}.get(mention.type, mention.type)
            if etype != "person" and _has_role_appositive(head):  # "Hill, a doctor": NER said ORG
                return replace(base, name=self.names.canonical(clean_name(mention.name), "person"), type="person")
            return replace(base, name=mention.name, type=etype)
        if head.pos_ == "PROPN":
            etype = "person" if self.names.is_person_name(text) or _has_role_appositive(head) else "organisation"
            name = clean_name(text, person=etype == "person")
            return replace(base, name=self.names.canonical(name, etype), type=etype)
        return self._description(base, head)

    def _mention_in(self, start: int, end: int, head: Token) -> NamedMention | None:
        # prefer the mention covering the head ("the White House spokeswoman, Jen Psaki": Psaki)
        covering = [m for m in self.names.mentions if m.start >= start and m.end <= end]
        if not covering:
            return None
        on_head = [m for m in covering if m.start <= head.idx < m.end]
        persons = [m for m in covering if m.type == "person"]
        if on_head:
            return on_head[0]
        naming = [m for m in covering if m.start > head.idx and self._names_head(m, head)]
        if naming:  # "the business secretary, Kwasi Kwarteng", "the gas firm Gazprom": the head's own name
            return next((m for m in naming if m.type == "person"), naming[0])
        if persons and head.lemma_.lower() not in ANONYMOUS_HEADS:
            return persons[0]
        if head.lemma_.lower() in ANONYMOUS_HEADS or head.lower_ in GROUP_HEADS:
            return None  # "a source close to Zelensky": the name is the affiliation
        if head.pos_ in ("NOUN",) and head.lemma_.lower() not in ORG_HEADS:
            return None  # a description ("the leader of X")
        return covering[0]

    def _names_head(self, mention: NamedMention, head: Token) -> bool:
        """Whether a mention after ``head`` is its name (an apposition), not a modifier ("of X", "for X")."""
        span = self.doc.char_span(mention.start, mention.end, alignment_mode="expand")
        return span is not None and span.root.head.i == head.i and span.root.dep_ in ("appos", "compound", "npadvmod", "nmod")

    def _pronoun(self, base: Speaker, lower: str, start: int) -> Speaker:
        if lower in FIRST_PERSON:
            return base
        if lower in PERSONAL_PRONOUNS:
            sp = self._nearest_person(start)
            if sp is not None:
                return replace(base, name=sp[0], type="person")
            return base
        types = {"organisation", "government"} if lower in NEUTER_PRONOUNS else {"organisation", "government", "group"}
        found = self._last_body(start, {"organisation", "government", "group", "anonymous"}, types)
        if isinstance(found, Speaker):
            return replace(base, name=found.name, type=found.type, anonymous=found.anonymous,
                           affiliation=found.affiliation)
        if found is not None:
            return replace(base, name=found.name, type=found.type)
        return base

    def _last_body(self, start: int, speaker_types: set[str], mention_types: set[str]
                   ) -> Speaker | NamedMention | None:
        """What "it", "they" or "its spokesman" refers to: the last earlier speaker of one of
        ``speaker_types``, else the last named mention of ``mention_types`` within 1,500 chars."""
        for sp in reversed(self.history):
            if sp.start < start and sp.type in speaker_types:
                return sp
        for m in self.names.mentions_before(start, mention_types):
            if start - m.end < 1500:
                return m
        return None

    def _nearest_person(self, start: int) -> tuple[str, int] | None:
        """Nearest person before ``start``: a previous person speaker or a named person in subject position."""
        best: tuple[str, int] | None = None
        for sp in reversed(self.history):
            if sp.start < start and sp.type == "person":
                best = (sp.name, sp.start)
                break
        for m in self.names.mentions_before(start, {"person"}):
            tok = self.doc.char_span(m.start, m.end, alignment_mode="expand")
            in_subject = tok is not None and tok.root.dep_ in ("nsubj", "nsubjpass", "appos", "compound")
            if best is None or (m.start > best[1] and in_subject):
                best = (m.name, m.start)
            break
        return best

    def _described_person(self, head: Token, start: int) -> str | None:
        """The nearest person before ``start`` whose roles fit the description's modifiers.

        "the Ukrainian leader" needs a person described as Ukrainian (or of Ukraine);
        a bare "the politician" takes the nearest person named in the last 3,000 characters.
        """
        modifiers = {
            c.lemma_.lower() for c in head.children if c.dep_ in ("amod", "compound") and c.is_alpha
        }
        roles: dict[str, set[str]] = {}
        for m in self.names.mentions:
            if m.type == "person":
                roles.setdefault(m.name, set()).update(m.roles)
        for m in self.names.mentions_before(start, {"person"}):
            if start - m.end >= 3000:
                return None
            if all(_fits(mod, roles[m.name]) for mod in modifiers):
                return m.name
        return None

    def _description(self, base: Speaker, head: Token) -> Speaker:
        lemma = head.lemma_.lower()
        definite = any(c.dep_ == "det" and c.lower_ in ("the", "this", "that") for c in head.children)
        start, end = base.start, base.end
        if lemma in DOCUMENT_NOUNS | FINDINGS_NOUNS:
            owner = self._document_owner(head, start, definite)
            if owner is not None:  # "the CREA data", "the government statement", "the statement" (its issuer)
                return replace(base, name=owner.name, type=owner.type, anonymous=owner.anonymous,
                               affiliation=owner.affiliation)
        # an anaphoric description: "the person", "the source", "the spokeswoman", "the ministry"
        if definite:
            if lemma in ANONYMOUS_HEADS:
                for sp in reversed(self.history):
                    if sp.start < start and sp.anonymous:
                        return replace(base, name=sp.name, type=sp.type, anonymous=True, affiliation=sp.affiliation)
            wanted = ROLE_SYNONYMS.get(lemma, {lemma, head.lower_})
            roles_match = [m for m in self.names.mentions_before(start, {"person"}) if wanted & m.roles]
            if roles_match and start - roles_match[0].end < 3000:
                return replace(base, name=roles_match[0].name, type="person")
            if lemma in GENERIC_PERSON_HEADS:
                person = self._described_person(head, start)
                if person is not None:
                    return replace(base, name=person, type="person")
            if lemma in ORG_HEADS:
                for m in self.names.mentions_before(start, {"organisation", "government"}):
                    if lemma in name_key(m.name).split() and start - m.end < 3000:
                        return replace(base, name=m.name, type=m.type)
        if lemma in SPOKES_HEADS:
            organisation = self._spoken_for(head, start)
            if organisation is not None:
                return replace(base, name=f"{organisation[0]} {lemma}", type="anonymous", anonymous=True,
                               affiliation=organisation[0])
        if lemma in ANONYMOUS_HEADS or head.lower_ in GROUP_HEADS:
            affiliation = affiliation_of(head, *phrase_token_bounds(head.doc, start, end))
            name = _anonymous_name(base.text)
            etype = "anonymous"
            return replace(base, name=name, type=etype, anonymous=True, affiliation=affiliation)
        if lemma in ORG_HEADS:
            return replace(base, name=_anonymous_name(base.text),
                           type="government" if lemma in GOVERNMENT_HEADS else "organisation")
        if definite and (lemma in MEDIA_HEADS or head.lower_ in MEDIA_HEADS):  # "the website": the outlet named before
            for m in self.names.mentions_before(start, {"organisation"}):
                if start - m.end < 3000 and looks_like_outlet(m.name):
                    return replace(base, name=m.name, type="organisation")
        if lemma in MEDIA_HEADS or head.lower_ in MEDIA_HEADS:  # "state media", "several Russian media outlets"
            return replace(base, name=_anonymous_name(base.text),
                           type="group" if head.tag_ == "NNS" and head.lower_ != "media" else "organisation")
        if lemma in REPORT_HEADS or head.lower_ in REPORT_HEADS:  # "reports said": nobody named
            return replace(base, name=_anonymous_name(base.text), type="anonymous", anonymous=True)
        if set(name_key(base.text).split()) & OUTLET_WORDS:
            return replace(base, name=clean_name(base.text, person=False), type="organisation")
        if lemma in PERSON_ROLE_HEADS:  # "the minister" nobody was named as: an unnamed person
            plural = head.tag_ in ("NNS", "NNPS")  # "reporters", "doctors": a group of them
            return replace(base, name=_anonymous_name(base.text), type="group" if plural else "person")
        if head.tag_ in ("NNS", "NNPS") and head.pos_ in ("NOUN", "PROPN"):  # "European Union states", "MPs"
            return replace(base, name=_anonymous_name(base.text), type="group")
        return replace(base, name=_anonymous_name(base.text), type="unknown")

    def _document_owner(self, head: Token, start: int, definite: bool) -> Speaker | None:
        """Who issued a document that speaks: its possessor or modifier ("Russia's statement", "the
        CREA data", "the government statement"), else, for "the statement", the speaker just before."""
        for owner in (c for c in head.children if c.dep_ in ("poss", "compound", "nmod")):
            if owner.pos_ == "PRON":
                found = self._last_body(start, {"organisation", "government"}, {"organisation", "government"})
                if isinstance(found, Speaker):
                    return found
                if found is not None:
                    return Speaker(text=owner.text, start=owner.idx, end=owner.idx + len(owner), name=found.name,
                                   type=found.type)
                continue
            b, e = phrase_bounds(owner)
            span = self.doc[b:e]
            resolved = self._resolve(span.start_char, span.end_char, span.text, owner)
            if resolved.type in ("organisation", "government", "person"):
                return resolved
            if owner.lemma_.lower() in GOVERNMENT_HEADS:
                return replace(resolved, name=owner.lemma_.lower(), type="government")
        if definite:  # "The Kremlin issued a statement. The statement said ...": who issued it
            for earlier in reversed(self.doc[max(0, head.i - 200):head.i]):
                if earlier.lemma_ == head.lemma_ and earlier.dep_ == "dobj":
                    issuer = next((c for c in earlier.head.children if c.dep_ == "nsubj"), None)
                    if issuer is not None and issuer.pos_ in ("PROPN", "NOUN"):
                        found = self.from_head(issuer)
                        if found.type in ("organisation", "government", "person"):
                            return found
                    break
        if definite and self.history:
            last = self.history[-1]
            if last.start < start and start - last.end < 1500 and last.type in ("organisation", "government", "person"):
                return last
        return None

    def _spoken_for(self, head: Token, start: int) -> tuple[str, str] | None:
        """The organisation a spokesperson speaks for: "its spokesman" (the last organisation),
        "a Kremlin spokesman", "the ministry's spokeswoman", "a spokesman for the ministry"."""
        owners = [c for c in head.children if c.dep_ in ("poss", "compound")]
        owners += [o for c in head.children if c.dep_ == "prep" and c.lower_ in ("for", "of")
                   for o in c.children if o.dep_ == "pobj"]
        bodies = {"organisation", "government"}
        for owner in owners:
            if owner.pos_ == "PRON":  # "its spokesman": the organisation last spoken of ("his" is no body)
                found = self._last_body(start, bodies, bodies) if owner.lower_ in ORG_POSSESSIVES else None
                if found is not None:
                    return found.name, found.type
                continue
            b, e = phrase_bounds(owner)
            span = self.doc[b:e]
            resolved = self._resolve(span.start_char, span.end_char, span.text, owner)
            if resolved.type in ("organisation", "government"):
                return resolved.name, resolved.type
            if owner.pos_ == "PROPN":
                return clean_name(span.text, person=False), "organisation"
        return None


def _has_role_appositive(head: Token) -> bool:
    """'Hill, a doctor at the clinic': an appositive naming a person's role or trade."""
    return any(c.dep_ == "appos" and c.lemma_.lower() in PERSON_ROLE_HEADS for c in head.children)


def _fits(modifier: str, roles: set[str]) -> bool:
    """'ukrainian' fits roles {'president', 'ukraine'}; 'russian' fits 'russia'."""
    return any(modifier == r or (len(r) > 3 and modifier.startswith(r.rstrip("e").rstrip("a"))) for r in roles)


def phrase_token_bounds(doc: Doc, start_char: int, end_char: int) -> tuple[int, int]:
    span = doc.char_span(start_char, end_char, alignment_mode="expand")
    if span is None:
        return 0, 0
    return span.start, span.end


def _anonymous_name(text: str) -> str:
    """'A source close to the president' -> 'source close to the president'."""
    words = text.replace("\n", " ").split()
    while words and words[0].lower() in ("a", "an", "the"):
        words = words[1:]
    return " ".join(words) if words else text
