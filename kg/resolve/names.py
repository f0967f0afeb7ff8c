"""Canonical names within one document.

An article names a person in full once ("White House Press Secretary Jen Psaki")
and then by surname ("Psaki"), by title ("the spokeswoman") or by pronoun ("she").
``DocumentNames`` indexes the named entities of a parsed document so that any
later mention can be mapped to the fullest name the article gives, with a type.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # no spaCy import for name keys alone
    from spacy.tokens import Doc, Span as SpacySpan

# Words that may precede a name inside an entity or noun phrase but are not part of it.
TITLE_WORDS = frozenset(
    """
    mr mr. mrs mrs. ms ms. miss dr dr. prof prof. sir dame lord lady
    president vice prime minister secretary press spokesman spokeswoman spokesperson
    sen sen. senator rep rep. representative gov gov. governor gen gen. general
    lt lt. col col. capt capt. sgt sgt. rev rev. judge justice chief mayor chancellor
    king queen prince princess pope ambassador commissioner director chairman chairwoman
    chair ceo leader minister deputy former acting candidate nominee adviser advisor
    attorney state foreign defense defence interior finance house white the
    """.split()
)

PERSON_LABELS = frozenset({"PERSON"})
ORG_LABELS = frozenset({"ORG"})
PLACE_LABELS = frozenset({"GPE", "LOC", "FAC"})
GROUP_LABELS = frozenset({"NORP"})
GOVERNMENT_WORDS = frozenset(
    "government ministry department administration kremlin white house cabinet parliament "
    "congress senate pentagon state council commission agency police army military".split()
)
OUTLET_WORDS = frozenset(
    "news post times journal press reuters axios cnn bbc abc nbc cbs fox msnbc npr tass "
    "guardian telegraph herald tribune gazette magazine agency afp ap bloomberg politico "
    "buzzfeed wikinews interfax xinhua efe radio tv television daily weekly chronicle "
    "observer independent economist atlantic vox slate breitbart hill".split()
)

#: names that are news outlets on their own, whatever label NER gives them ("Axios" comes out NORP)
OUTLET_BRANDS = frozenset(
    "reuters axios cnn bbc abc nbc cbs msnbc npr tass afp ap bloomberg politico buzzfeed wikinews "
    "interfax xinhua efe breitbart vox slate".split()
)

_GLUED = re.compile(r"(?<=[a-z]{4})(?=[A-Z][a-z])")
_POSSESSIVE = re.compile(r"(?:'s|\u2019s|'|\u2019)$")


def split_glued(token_text: str) -> str:
    """'UkraineVolodymyr' -> 'Volodymyr' (two words glued by a lost space); 'McDonald' is kept."""
    parts = _GLUED.split(token_text)
    return parts[-1] if len(parts) > 1 else token_text


ARTICLES = frozenset({"the", "a", "an"})


def clean_name(text: str, person: bool = True) -> str:
    """A name as it should be shown: no possessive, glued words split, no leading article,
    and for people no leading titles ("President", "Press Secretary")."""
    words = [split_glued(w) for w in text.replace("\n", " ").split()]
    strip = TITLE_WORDS if person else ARTICLES
    while words and words[0].lower().strip(",.") in strip and len(words) > 1:
        words = words[1:]
    if words:
        words[-1] = _POSSESSIVE.sub("", words[-1])
    return " ".join(w.strip(",;:") for w in words if w.strip(",;:"))


def name_key(name: str) -> str:
    """Case- and accent-insensitive key of a name."""
    norm = unicodedata.normalize("NFKD", name)
    norm = "".join(c for c in norm if not unicodedata.combining(c))
    return re.sub(r"[^a-z0-9]+", " ", norm.casefold()).strip()


def entity_type(label: str, name: str = "") -> str:
    """Our entity type for a spaCy NER label (and the name, to spot government bodies)."""
    if name_key(name) in OUTLET_BRANDS:
        return "organisation"
    if label in PERSON_LABELS:
        return "person"
    if label in ORG_LABELS:
        words = set(name_key(name).split())
        if words & OUTLET_WORDS:
            return "organisation"
        if words & GOVERNMENT_WORDS:
            return "government"
        return "organisation"
    if label in PLACE_LABELS:
        return "place"
    if label in GROUP_LABELS:
        return "group"
    return "other"


@dataclass
class NamedMention:
    """One mention of a named entity in the document."""

    start: int  # char offsets
    end: int
    text: str
    name: str  # canonical name
    type: str
    roles: set[str] = field(default_factory=set)  # title/description words ("president", "spokeswoman")


_ACRONYM_WORD = r"[A-Z][A-Za-z]?[A-Z]{1,6}"  # "UN", "UNESCO", "DoD"
_ACRONYM = re.compile(rf"^{_ACRONYM_WORD}$")
_CAPITALS = re.compile(rf"\b{_ACRONYM_WORD}\b")
_SPELLED_OUT = re.compile(rf"([A-Z][\w'’&,\- ]{{3,120}}?)\s+\(({_ACRONYM_WORD})\)")  # "Full Name (FN)"
_INITIALS_SKIP = frozenset({"of", "and", "for", "the", "on", "in", "de", "du", "des", "&"})


def _initials(name: str) -> str:
    """"United Nations Educational, Scientific and Cultural Organization" -> "UNESCO"."""
    words = re.split(r"[\s\-]+", name.replace(",", ""))
    return "".join(w[0] for w in words if w and w.lower() not in _INITIALS_SKIP).upper()


def _acronyms(text: str, names: list[str]) -> dict[str, str]:
    """Acronym -> full name, from "Full Name (ACR)" in the text or a name elsewhere whose initials spell it
    ("UNESCO" -> "United Nations Educational, Scientific and Cultural Organization")."""
    found: dict[str, str] = {}
    for m in _SPELLED_OUT.finditer(text):
        full, short = m.group(1).strip(), m.group(2)
        words = full.split()
        for k in range(len(words)):  # the shortest tail of the phrase whose initials spell the acronym
            tail = " ".join(words[k:])
            if _initials(tail) == short.upper():
                found.setdefault(short, clean_name(tail, person=False))
                break
    longer = [n for n in names if len(n.split()) >= 2]
    for short in {n for n in names if _ACRONYM.match(n)}:
        if short in found:
            continue
        matches = {n for n in longer if _initials(n) == short.upper()}
        if len(matches) == 1:
            found[short] = matches.pop()
    return found


class DocumentNames:
    """Index of the named entities of one parsed document, for canonical names and antecedents."""

    def __init__(self, doc: Doc, text: str | None = None) -> None:
        """``text``: ``doc.text`` if the caller has it (spaCy builds it anew, token by token, at each access)."""
        self.doc = doc
        self._full_by_surname: dict[str, str] = {}
        self._full_by_first: dict[str, set[str]] = {}
        self._type_votes: dict[str, dict[str, int]] = {}
        self._person_surnames: set[str] = set()
        raw: list[tuple[SpacySpan, str]] = []
        for ent in doc.ents:
            name = clean_name(ent.text, person=ent.label_ in PERSON_LABELS)
            if not name or not any(c.isalpha() for c in name):
                continue
            raw.append((ent, name))
            if ent.label_ in PERSON_LABELS:
                tokens = name.split()
                self._person_surnames.add(name_key(tokens[-1]))
                if len(tokens) >= 2:
                    surname = name_key(tokens[-1])
                    current = self._full_by_surname.get(surname)
                    if current is None or len(name) > len(current):
                        self._full_by_surname[surname] = name
                    self._full_by_first.setdefault(name_key(tokens[0]), set()).add(name)
        text = doc.text if text is None else text
        self._acronyms = _acronyms(text, [name for ent, name in raw if ent.label_ not in PERSON_LABELS]
                                   + sorted(set(_CAPITALS.findall(text))))
        for ent, name in raw:
            etype = entity_type(ent.label_, name)
            canonical = self.canonical(name, etype)
            if etype != "person" and len(name.split()) == 1 and name_key(name) in self._person_surnames:
                etype = "person"  # "Psaki" mis-tagged ORG in one sentence, PERSON elsewhere
                canonical = self.canonical(name, etype)
            votes = self._type_votes.setdefault(name_key(canonical), {})
            votes[etype] = votes.get(etype, 0) + 1
        self.mentions: list[NamedMention] = []
        for ent, name in raw:
            etype = entity_type(ent.label_, name)
            if etype != "person" and len(name.split()) == 1 and name_key(name) in self._person_surnames:
                etype = "person"
            canonical = self.canonical(name, etype)
            etype = self.type_of(canonical, etype)
            self.mentions.append(
                NamedMention(ent.start_char, ent.end_char, ent.text, canonical, etype, self._roles(ent))
            )

    def canonical(self, name: str, etype: str = "person") -> str:
        """The fullest name the document gives for ``name`` ("Psaki" -> "Jen Psaki")."""
        name = clean_name(name, person=etype == "person")
        if etype != "person" or not name:
            return self._acronyms.get(name, name) if name else name
        tokens = name.split()
        full = self._full_by_surname.get(name_key(tokens[-1]))
        if full and set(name_key(name).split()) <= set(name_key(full).split()):
            return full
        if len(tokens) == 1:
            firsts = self._full_by_first.get(name_key(tokens[0]), set())
            if len(firsts) == 1:
                return next(iter(firsts))
        return name

    def type_of(self, canonical: str, default: str = "other") -> str:
        """The type most mentions of ``canonical`` carry in this document."""
        votes = self._type_votes.get(name_key(canonical))
        if not votes:
            return default
        return max(sorted(votes), key=lambda t: votes[t])

    def is_person_name(self, text: str) -> bool:
        tokens = clean_name(text).split()
        return bool(tokens) and name_key(tokens[-1]) in self._person_surnames

    def mention_at(self, start: int, end: int) -> NamedMention | None:
        """The longest named mention inside ``[start, end)`` (people first)."""
        inside = [m for m in self.mentions if m.start >= start and m.end <= end]
        if not inside:
            return None
        inside.sort(key=lambda m: (m.type != "person", -(m.end - m.start), m.start))
        return inside[0]

    def mentions_before(self, offset: int, types: frozenset[str] | set[str] | None = None) -> list[NamedMention]:
        """Mentions ending before ``offset``, nearest first, optionally of the given types."""
        found = [m for m in self.mentions if m.end <= offset and (types is None or m.type in types)]
        return sorted(found, key=lambda m: -m.start)

    def _roles(self, ent: SpacySpan) -> set[str]:
        """Title and description words around a name: 'President', 'the White House spokeswoman, X'."""
        roles: set[str] = set()
        doc = ent.doc
        # words before the name in the same noun phrase ("Ukrainian President Volodymyr Zelensky")
        i = ent.start - 1
        while i >= 0 and i >= ent.start - 4 and doc[i].pos_ in ("PROPN", "NOUN", "ADJ") and not doc[i].ent_type_ == "PERSON":
            roles.add(doc[i].lemma_.lower())
            i -= 1
        for t in ent:
            if t.text.lower() in TITLE_WORDS:
                roles.add(t.text.lower())
        glued = _GLUED.split(ent[0].text)
        if len(glued) > 1:  # "the president of UkraineVolodymyr Zelensky": "Ukraine" lost its space
            roles.add(glued[0].lower())
        root = ent.root
        # appositives both ways ("the spokeswoman, Jen Psaki," / "Jen Psaki, the spokeswoman,")
        if root.dep_ == "pobj" and root.head.lower_ == "of" and root.head.head.pos_ == "NOUN":
            roles.add(root.head.head.lemma_.lower())  # "the president of Ukraine, X" / "the president of X"
        if root.dep_ == "appos":
            roles.add(root.head.lemma_.lower())
            roles.update(c.lemma_.lower() for c in root.head.children if c.dep_ in ("compound", "amod"))
        for child in root.children:
            if child.dep_ == "appos":
                roles.add(child.lemma_.lower())
        return {r for r in roles if r.isalpha()}
