"""Entity resolution across articles: one entity per real person or organisation.

Each article already maps its own mentions to a canonical name ("Psaki", "she" ->
"Jen Psaki"; see :mod:`kg.resolve.names`).  Here the names of all articles are
joined, deterministically (the same articles give the same entities and IRIs, in
any order of ingest):

1. anonymous sources stay per article (``kgr:source/...``): "a source" in two
   articles is not known to be one source;
2. alias rules (:mod:`kg.resolve.aliases`) merge what they list, and forbid what
   they forbid, before and above everything else;
3. the same name (case, accents and punctuation aside) of a compatible type is one
   entity; a person's full name is matched on first name and surname with
   transliterations folded (``Zelensky`` / ``Zelenskyy`` / ``Zelenskiy``) and an
   initial matching a first name (``V. Zelensky``);
4. a surname alone joins the full name that carries it only when exactly one
   person has that surname; two Smiths stay apart until something joins them;
5. a description ("the Ukrainian president") joins the one person who was named
   with that title in some article ("Ukrainian President Volodymyr Zelensky").

An entity's IRI comes from its key (folded first name and surname, or the folded
name), never from the order articles arrived in.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from kg.build.namespaces import KGR
from kg.build.rdf import article_key, slug
from kg.resolve.aliases import AliasRules
from kg.resolve.names import ARTICLES, TITLE_WORDS, name_key, split_glued

log = logging.getLogger(__name__)

__all__ = ["NameMention", "Entity", "resolve_entities", "person_key", "fold_token"]

PERSONISH = {"person"}
PLACE = {"place"}
GROUPISH = {"group"}
ORGISH = {"organisation", "organization", "government"}
VAGUE = {"unknown", "other", ""}


@dataclass(frozen=True)
class NameMention:
    """A name as one article uses it (a ``kg:Mention`` node of the article graph)."""

    iri: str
    doc_id: str
    name: str  # the canonical name in that article
    aliases: tuple[str, ...] = ()  # every form it was written in
    types: tuple[str, ...] = ()
    affiliations: tuple[str, ...] = ()
    anonymous: bool = False
    date: str | None = None  # the article's date (for choosing names, not identity)


@dataclass
class Entity:
    """One real-world claimant or subject, and the mentions that name it."""

    iri: str
    name: str
    type: str
    aliases: list[str] = field(default_factory=list)
    affiliations: list[str] = field(default_factory=list)
    mentions: list[str] = field(default_factory=list)  # mention IRIs
    key: str = ""


# ----------------------------------------------------------------------------- keys

_TRANSLIT_ENDINGS = re.compile(r"(yy|iy|ii|yi|ij|yj)$")


def fold_token(token: str) -> str:
    """A word folded for matching: ASCII, lower case, Slavic ``-yy/-iy/-ii`` endings as ``-y``."""
    t = unicodedata.normalize("NFKD", token)
    t = "".join(c for c in t if not unicodedata.combining(c)).casefold()
    t = re.sub(r"[^a-z0-9]", "", t)
    if len(t) > 4:
        t = _TRANSLIT_ENDINGS.sub("y", t)
    return t


def _name_tokens(name: str) -> list[str]:
    words = [w for w in re.split(r"[\s\-]+", name) if w]
    while len(words) > 1 and words[0].casefold().strip(".,") in TITLE_WORDS:
        words = words[1:]
    return [f for f in (fold_token(w) for w in words) if f]


_PARTICLES = frozenset("de da del della di du la le van von der den ten ter bin ibn al el y e dos das".split())


def _looks_like_a_name(name: str) -> bool:
    """'Volodymyr Zelensky', 'Ursula von der Leyen': yes; 'the Ukrainian president': no."""
    words = [w for w in re.split(r"[\s\-]+", name) if w]
    while len(words) > 1 and words[0].casefold().strip(".,") in TITLE_WORDS:
        words = words[1:]
    if not words or words[-1].casefold().strip(".,") in TITLE_WORDS:
        return False
    return all(w[:1].isupper() or w.casefold() in _PARTICLES or not w[:1].isalpha() for w in words)


def person_key(name: str) -> tuple[str, str] | None:
    """``(first name, surname)`` folded, for a name of two or more words, else ``None``."""
    if not _looks_like_a_name(name):
        return None
    tokens = _name_tokens(name)
    tokens = [t for t in tokens if t not in {"jr", "sr", "ii", "iii"}]
    if len(tokens) < 2:
        return None
    return tokens[0], tokens[-1]


def _surname(name: str) -> str | None:
    tokens = _name_tokens(name)
    return tokens[-1] if tokens else None


def _type_class(types: Iterable[str]) -> str:
    ts = set(types)
    for cls, members in (("person", PERSONISH), ("place", PLACE), ("group", GROUPISH), ("org", ORGISH)):
        if ts & members:
            return cls
    return "vague"


def _description_key(text: str) -> str:
    """'the Ukrainian president' / "Ukraine's President" -> 'ukrainian president'."""
    words = [w for w in name_key(text).split() if w not in ARTICLES]
    return " ".join(words)


# ----------------------------------------------------------------------------- union-find


class _Clusters:
    def __init__(self, n: int, keys: list[set[str]], forbidden: set[frozenset[str]]) -> None:
        self.parent = list(range(n))
        self.keys = keys  # name keys each cluster holds (for never-merge rules)
        self.forbidden = forbidden

    def find(self, i: int) -> int:
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]
            i = self.parent[i]
        return i

    def union(self, a: int, b: int) -> bool:
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return True
        if self.forbidden and any(frozenset((x, y)) in self.forbidden for x in self.keys[ra] for y in self.keys[rb]):
            return False
        if rb < ra:
            ra, rb = rb, ra
        self.parent[rb] = ra
        self.keys[ra] |= self.keys[rb]
        return True


# ----------------------------------------------------------------------------- resolution


def resolve_entities(mentions: Sequence[NameMention], rules: AliasRules | None = None) -> dict[str, Entity]:
    """Map every mention IRI to its :class:`Entity`; deterministic for a set of mentions."""
    rules = rules or AliasRules()
    ms = sorted(mentions, key=lambda m: m.iri)  # order of arrival must not matter
    named = [i for i, m in enumerate(ms) if not m.anonymous]
    keys = [{name_key(m.name)} | {name_key(a) for a in m.aliases} if not m.anonymous else set() for m in ms]
    keys = [{k for k in ks if k} for ks in keys]
    cl = _Clusters(len(ms), [set(ks) for ks in keys], rules.forbidden())
    classes = [_type_class(m.types) for m in ms]

    # 2. alias rules: every mention whose name or a written form a rule lists
    group_of = rules.group_of()
    rule_group: dict[int, int] = {}
    by_group: dict[int, list[int]] = defaultdict(list)
    for i in named:
        m = ms[i]
        hits = [group_of[k] for k in [name_key(m.name)] + [name_key(a) for a in m.aliases] if k in group_of]
        if hits:
            g = group_of.get(name_key(m.name), max(hits))  # its own name first, else a written form
            rule_group[i] = g
            by_group[g].append(i)
    for members in by_group.values():
        for j in members[1:]:
            cl.union(members[0], j)

    # 3a. the same name, compatible types
    by_name: dict[str, list[int]] = defaultdict(list)
    for i in named:
        by_name[name_key(ms[i].name)].append(i)
    for group in by_name.values():
        _union_compatible(cl, group, classes)

    # 3b. a person's full name: folded first name + surname; initials join a unique first name
    by_person: dict[tuple[str, str], list[int]] = defaultdict(list)
    for i in named:
        if classes[i] == "person":
            pk = person_key(ms[i].name)
            if pk is not None:
                by_person[pk].append(i)
    for group in by_person.values():
        for j in group[1:]:
            cl.union(group[0], j)
    firsts_by_surname: dict[str, dict[str, list[int]]] = defaultdict(lambda: defaultdict(list))
    for (first, last), group in by_person.items():
        firsts_by_surname[last][first].extend(group)
    for last, firsts in firsts_by_surname.items():
        full = {f: g for f, g in firsts.items() if len(f) > 1}
        for initial, group in firsts.items():
            if len(initial) == 1:
                fitting = [f for f in full if f.startswith(initial)]
                if len(fitting) == 1:
                    cl.union(full[fitting[0]][0], group[0])

    # 4. a surname alone joins the one person with that surname
    persons_by_surname: dict[str, set[int]] = defaultdict(set)
    for (_, last), group in by_person.items():
        persons_by_surname[last].add(cl.find(group[0]))
    for i in named:
        m = ms[i]
        tokens = _name_tokens(m.name)
        if len(tokens) != 1 or classes[i] not in ("person", "vague"):
            continue
        owners = {cl.find(r) for r in persons_by_surname.get(tokens[0], ())}
        if len(owners) == 1:
            cl.union(next(iter(owners)), i)

    # 5. a description joins the one person named with that title somewhere
    person_roots = {cl.find(g[0]) for g in by_person.values()}
    roles: dict[str, set[int]] = defaultdict(set)
    for i in named:
        if classes[i] != "person" or person_key(ms[i].name) is None:
            continue
        for written in ms[i].aliases:
            role = _role_of(written, ms[i].name)
            if role:
                roles[role].add(cl.find(i))
    for i in named:
        m = ms[i]
        if cl.find(i) in person_roots or classes[i] not in ("person", "vague"):
            continue
        owners = {cl.find(r) for r in roles.get(_description_key(m.name), ())}
        if len(owners) == 1:
            cl.union(next(iter(owners)), i)

    # entities
    members: dict[int, list[int]] = defaultdict(list)
    for i in range(len(ms)):
        members[cl.find(i)].append(i)
    entities: list[Entity] = []
    for root, idx in sorted(members.items()):
        group_rules = sorted({rule_group[i] for i in idx if i in rule_group})
        entities.append(_entity(ms, idx, classes, rules, group_rules))
    _make_iris_unique(entities)
    out: dict[str, Entity] = {}
    for ent in entities:
        for m in ent.mentions:
            out[m] = ent
    log.info("entity resolution: %d mentions -> %d entities", len(ms), len(entities))
    return out


def _union_compatible(cl: _Clusters, group: list[int], classes: list[str]) -> None:
    """Join mentions of one name unless their types clash (a place is not a person)."""
    by_class: dict[str, list[int]] = defaultdict(list)
    for i in group:
        by_class[classes[i]].append(i)
    firm = [c for c in by_class if c != "vague"]
    for members in by_class.values():
        for j in members[1:]:
            cl.union(members[0], j)
    if len(firm) == 1 and "vague" in by_class:  # untyped mentions join the one typed reading
        cl.union(by_class[firm[0]][0], by_class["vague"][0])


def _role_of(written: str, name: str) -> str | None:
    """The title before a name as written: ('Ukrainian President Volodymyr Zelensky', ...) -> 'ukrainian president'."""
    w, n = name_key(written).split(), name_key(name).split()
    if not n or len(w) <= len(n):
        return None
    # the name (or its surname) ends what was written
    for tail in (n, n[-1:]):
        if w[-len(tail):] == tail:
            role = [x for x in w[: -len(tail)] if x not in ARTICLES]
            return " ".join(role) if role else None
    return None


def _entity(ms: Sequence[NameMention], idx: list[int], classes: list[str], rules: AliasRules,
            group_rules: list[int]) -> Entity:
    first = ms[idx[0]]
    if first.anonymous:
        text = first.iri.rsplit("/", 1)[-1]  # the mention is keyed by the source's words, slugged
        return Entity(
            iri=f"{KGR}source/{article_key(first.doc_id)}/{text}",
            name=first.name,
            type="anonymous",
            aliases=_names_only({a for i in idx for a in ms[i].aliases} | {first.name}) or [first.name],
            affiliations=sorted({a for i in idx for a in ms[i].affiliations}),
            mentions=sorted(ms[i].iri for i in idx),
            key=f"source {first.doc_id} {text}",
        )
    type_votes = Counter(t for i in idx for t in ms[i].types if t not in VAGUE)
    rule_type = next((rules.types[g] for g in group_rules if rules.types.get(g)), None)
    if rule_type:
        etype = rule_type
    elif type_votes:
        # most mentions; a tie goes to person, then organisation, place, group (NER's usual slips)
        priority = {"person": 0, "organisation": 1, "government": 2, "place": 3, "group": 4}
        etype = sorted(type_votes.items(), key=lambda kv: (-kv[1], priority.get(kv[0], 9), kv[0]))[0][0]
    else:
        etype = sorted({t for i in idx for t in ms[i].types} or {"unknown"})[0]
    if group_rules:
        name = rules.shown_name(group_rules[0])
        key = name_key(name)
    else:
        names = Counter(ms[i].name for i in idx)

        def preference(item: tuple[str, int]) -> tuple:
            # people: a full name (more words, no initials, not a description) first; then the
            # name most articles use, the longer spelling, alphabetical
            text, count = item
            words = text.split()
            if etype != "person":
                return (-count, -len(text), text)
            return (person_key(text) is None, -len(words), any(len(w.strip(".")) == 1 for w in words),
                    -count, -len(text), text)

        name = sorted(names.items(), key=preference)[0][0]
        pk = person_key(name) if etype == "person" else None
        key = " ".join(pk) if pk else " ".join(fold_token(w) for w in name_key(name).split())
    # an entity known only by a pronoun the extractor could not resolve ("I" in an interview)
    # keeps that as its one alias: every entity has at least one (schemas/shapes.ttl)
    aliases = _names_only({a for i in idx for a in ms[i].aliases} | {ms[i].name for i in idx}) or [name]
    return Entity(
        iri=f"{KGR}entity/{slug(key) if key.strip() else slug(name)}",
        name=name,
        type=etype,
        aliases=aliases,
        affiliations=sorted({a for i in idx for a in ms[i].affiliations}),
        mentions=sorted(ms[i].iri for i in idx),
        key=key,
    )


PRONOUNS = frozenset("i me my we us our you your he him his she her hers it its they them their theirs".split())


_DETERMINERS = frozenset("his her their its our my your own".split())


def _as_alias(form: str) -> str:
    """A written form as a name: 'UkraineVolodymyr Zelensky' -> 'Volodymyr Zelensky' (a lost space),
    'his own Zelensky' -> 'Zelensky'."""
    words = [split_glued(w) for w in form.split()]
    while len(words) > 1 and words[0].casefold() in _DETERMINERS:
        words = words[1:]
    return " ".join(words)


def _names_only(forms: set[str]) -> list[str]:
    """Written forms that name something: pronouns ("he", "they") are not aliases."""
    cleaned = {_as_alias(f) for f in forms if f.strip()}
    return sorted(f for f in cleaned if f and name_key(f) not in PRONOUNS)


def _make_iris_unique(entities: list[Entity]) -> None:
    """Two entities that fold to one key (a place and a person both 'Washington') get the type as suffix."""
    by_iri: dict[str, list[Entity]] = defaultdict(list)
    for e in entities:
        by_iri[e.iri].append(e)
    for iri, same in by_iri.items():
        if len(same) < 2:
            continue
        same.sort(key=lambda e: (e.type, e.mentions[0]))
        seen: Counter[str] = Counter()
        for e in same:
            seen[e.type] += 1
            suffix = e.type if seen[e.type] == 1 else f"{e.type}-{seen[e.type]}"
            e.iri = f"{iri}--{suffix}"
