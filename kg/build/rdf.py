"""Documents and their claims -> RDF quads (pyoxigraph terms).

A claim is a node of its own (``kg:Claim``, a ``schema:Claim``), attributed to its
claimant; its content is only ever a literal (``schema:text``), never asserted as a
fact.  Each time a claim is found in an article is a ``kg:Appearance`` carrying the
offsets, cue, sentence, dates and relays of that article.  The same claimant saying
the same thing in two articles is one claim node with two appearances.

Every quad of an article lives in the article's named graph
``kgr:graph/article/{article-key}`` (nanopublication style; an IRI space of its own,
so that no article id can name a derived graph), so re-ingesting a changed
article can replace exactly what it contributed.  All IRIs are deterministic; no
blank nodes are used.
"""

from __future__ import annotations

import hashlib
import logging
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from urllib.parse import quote

from pyoxigraph import Literal, NamedNode, Quad

from kg.build.namespaces import KGR, KG_NS, PROV_NS, RDF_TYPE, SCHEMA_NS, XSD_NS
from kg.records import Claim, Document, Speaker

log = logging.getLogger(__name__)

__all__ = [
    "Run",
    "document_quads",
    "slug",
    "article_key",
    "article_iri",
    "graph_iri",
    "ARTICLE_GRAPH_PREFIX",
    "RESOLVED_GRAPH",
    "CONTRADICTIONS_GRAPH",
    "INGEST_LOG_GRAPH",
    "mention_iri",
    "entity_iri",
    "source_iri",
    "outlet_iri",
    "claim_iri",
    "appearance_iri",
    "speaker_iri",
    "normalise_content",
    "ENTITY_CLASSES",
]

# --------------------------------------------------------------------------- IRIs


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def slug(text: str) -> str:
    """A stable IRI segment for a name: ``"Jen Psaki"`` -> ``"jen-psaki"``.

    Lower-cased, NFKD-folded (accents dropped: ``"Zelenskyy’s"`` -> ``"zelenskyy-s"``,
    ``"Émile"`` -> ``"emile"``), every run of non-alphanumerics -> ``"-"``, trimmed.
    Letters with no ASCII decomposition (Cyrillic, CJK, ``ø``...) are kept and
    percent-encoded rather than dropped, so ``"Зеленский"`` does not collapse to an
    empty slug.  A name with no letters or digits at all gets ``"x-"`` + a hash.
    """
    decomposed = unicodedata.normalize("NFKD", text)
    folded = "".join(ch for ch in decomposed if not unicodedata.combining(ch)).lower()
    dashed = "".join(ch if ch.isalnum() else "-" for ch in folded)
    s = re.sub(r"-{2,}", "-", dashed).strip("-")
    if not s:
        return "x-" + _sha256(text)[:12]
    return quote(s, safe="-")


def article_key(doc_id: str) -> str:
    """The IRI segment of an article: its id, percent-encoded (``/`` included)."""
    key = quote(doc_id, safe="-._~")
    if key in {"", ".", ".."}:  # would be read as a (relative) path step
        key = key.replace(".", "%2E") or "%00"
    return key


def article_iri(doc_id: str) -> NamedNode:
    return NamedNode(f"{KGR}article/{article_key(doc_id)}")


#: the graph of what kg derives across articles (entities, claims); see kg.build.resolved
RESOLVED_GRAPH = NamedNode(f"{KGR}graph/resolved")

#: the graph of contradictions found between claims; see kg.resolve.contradictions
CONTRADICTIONS_GRAPH = NamedNode(f"{KGR}graph/contradictions")


#: the graph of when each article graph was written (``prov:generatedAtTime``): the store's
#: own provenance, the one place the wall clock goes; never merged, queried or exported
INGEST_LOG_GRAPH = NamedNode(f"{KGR}provenance/ingests")

#: article graphs live under this IRI, apart from the derived graphs above
ARTICLE_GRAPH_PREFIX = f"{KGR}graph/article/"


def graph_iri(doc_id: str) -> NamedNode:
    """The named graph holding everything one article contributed."""
    return NamedNode(f"{ARTICLE_GRAPH_PREFIX}{article_key(doc_id)}")


def entity_iri(name: str) -> NamedNode:
    """A named claimant or a mentioned entity (shared across articles)."""
    return NamedNode(f"{KGR}entity/{slug(name)}")


def source_iri(doc_id: str, text: str) -> NamedNode:
    """An anonymous source: only meaningful within one article."""
    return NamedNode(f"{KGR}source/{article_key(doc_id)}/{slug(text)}")


def outlet_iri(name: str) -> NamedNode:
    return NamedNode(f"{KGR}outlet/{slug(name)}")


def appearance_iri(doc_id: str, start: int, end: int, n: int = 1) -> NamedNode:
    """``n`` > 1 only when several different claims share one content span."""
    suffix = "" if n == 1 else f".{n}"
    return NamedNode(f"{KGR}appearance/{article_key(doc_id)}/{start}-{end}{suffix}")


def _is_anonymous(sp: Speaker) -> bool:
    return sp.anonymous or sp.type == "anonymous"


def speaker_iri(sp: Speaker, doc_id: str) -> NamedNode | None:
    """The claimant node of a speaker, or ``None`` if it names nobody."""
    if _is_anonymous(sp):
        text = (sp.text or sp.name).strip()
        return source_iri(doc_id, text) if text else None
    name = (sp.name or sp.text).strip()
    return entity_iri(name) if name else None


_QUOTES = str.maketrans(
    {
        "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2039": "'", "\u203a": "'",
        "`": "'", "\u00b4": "'",
        "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u00ab": '"', "\u00bb": '"',
    }
)


def _strip_ends(text: str) -> str:
    """Strip whitespace and punctuation (quote marks included) at both ends."""
    start, end = 0, len(text)
    while start < end and (text[start].isspace() or unicodedata.category(text[start]).startswith("P")):
        start += 1
    while end > start and (text[end - 1].isspace() or unicodedata.category(text[end - 1]).startswith("P")):
        end -= 1
    return text[start:end]


def normalise_content(text: str) -> str:
    """The form of a claim's content that decides whether two claims are the same.

    Casefolded, curly quotes made straight, punctuation and quote marks stripped at
    the ends, one leading ``"that "`` removed, whitespace collapsed.
    """
    t = unicodedata.normalize("NFKC", text).translate(_QUOTES).casefold()
    t = _strip_ends(" ".join(t.split()))
    if t.startswith("that "):
        t = _strip_ends(t[5:])
    return t


def claim_iri(claimant_key: str, content: str) -> NamedNode:
    """``claimant_key`` is the claimant IRI string, or ``"unknown"``."""
    digest = _sha256(f"{claimant_key}\n{normalise_content(content)}")[:20]
    return NamedNode(f"{KGR}claim/{digest}")


# --------------------------------------------------------------------------- literals

_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _date_literal(value: str) -> Literal:
    """``xsd:date`` for a valid ``YYYY-MM-DD``; anything else stays a plain string."""
    if _DATE_RE.match(value):
        try:
            date.fromisoformat(value)
            return Literal(value, datatype=XSD_NS.date)
        except ValueError:
            pass
    log.warning("not a YYYY-MM-DD date, kept as a plain string: %r", value)
    return Literal(value)


# --------------------------------------------------------------------------- run


@dataclass(frozen=True)
class Run:
    """What produced a graph: the kg version and the spaCy model (name and version).

    ``started_at`` (ISO 8601 UTC) is optional.  kg's own pipeline leaves it out, so the
    same software on the same articles gives the same triples, from scratch too, at any
    time (the committed ``exports/`` are rebuilt byte for byte by a plain
    ``kg build seeds/``); when each article graph was written is kept apart, in the
    store's :data:`INGEST_LOG_GRAPH`.  A caller that wants a timestamped run passes one
    (``Run.now``).
    """

    kg_version: str
    model: str
    model_version: str
    started_at: str | None = None  # e.g. "2024-05-01T12:00:00Z"
    attribution_model: str | None = None  # the learned tagger: "name version sha256:…", None for the rules alone

    def __post_init__(self) -> None:
        if self.started_at is None:
            return
        try:
            datetime.fromisoformat(self.started_at)
        except ValueError as exc:
            raise ValueError(f"Run.started_at must be an ISO 8601 date-time, got {self.started_at!r}") from exc

    @classmethod
    def now(cls, model: str, model_version: str, kg_version: str | None = None) -> Run:
        """A run starting now (UTC, whole seconds), for this kg version by default."""
        if kg_version is None:
            from kg import __version__ as kg_version
        started = datetime.now(timezone.utc).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")
        return cls(kg_version=kg_version, model=model, model_version=model_version, started_at=started)

    @property
    def key(self) -> str:
        parts = (self.kg_version, self.model, self.model_version, self.started_at or "")
        if self.attribution_model:
            parts += (self.attribution_model,)
        return _sha256("\n".join(parts))[:16]

    @property
    def iri(self) -> NamedNode:
        return NamedNode(f"{KGR}run/{self.key}")

    @property
    def agent_iri(self) -> NamedNode:
        return NamedNode(f"{KGR}agent/kg/{quote(self.kg_version, safe='-._~')}")

    def quads(self, graph: NamedNode) -> list[Quad]:
        run, agent = self.iri, self.agent_iri
        triples = [
            (run, RDF_TYPE, PROV_NS.Activity),
            (run, PROV_NS.wasAssociatedWith, agent),
            (run, KG_NS.model, Literal(self.model)),
            (run, KG_NS.modelVersion, Literal(self.model_version)),
            (agent, RDF_TYPE, PROV_NS.SoftwareAgent),
            (agent, SCHEMA_NS.name, Literal("kg")),
            (agent, SCHEMA_NS.softwareVersion, Literal(self.kg_version)),
        ]
        if self.started_at is not None:
            triples.append((run, PROV_NS.startedAtTime, Literal(self.started_at, datatype=XSD_NS.dateTime)))
        if self.attribution_model:
            triples.append((run, KG_NS.attributionModel, Literal(self.attribution_model)))
        return [Quad(s, p, o, graph) for s, p, o in triples]


# --------------------------------------------------------------------------- entities

#: entity type string -> classes besides ``kg:Entity``.
ENTITY_CLASSES: dict[str, tuple[NamedNode, ...]] = {
    "person": (SCHEMA_NS.Person,),
    "organisation": (SCHEMA_NS.Organization,),
    "organization": (SCHEMA_NS.Organization,),
    "government": (SCHEMA_NS.Organization,),
    "group": (KG_NS.Group,),
    "anonymous": (KG_NS.AnonymousSource,),
    "place": (SCHEMA_NS.Place,),
}


@dataclass
class _Mention:
    """Everything one article says about one name: its forms, types and affiliations."""

    name: str
    anonymous: bool = False
    aliases: dict[str, None] = field(default_factory=dict)
    types: dict[str, None] = field(default_factory=dict)
    affiliations: dict[str, None] = field(default_factory=dict)

    def see(self, surface: str, type_: str, affiliation: str | None = None) -> None:
        for alias in (surface, self.name):
            alias = " ".join(alias.split())
            if alias:
                self.aliases[alias] = None
        self.types[type_ or "unknown"] = None
        if affiliation:
            self.affiliations[affiliation] = None


def mention_iri(doc_id: str, name: str, anonymous: bool = False) -> NamedNode:
    """A name as one article uses it; entity resolution maps it to an entity."""
    kind = "source" if anonymous else "name"
    return NamedNode(f"{KGR}mention/{article_key(doc_id)}/{kind}/{slug(name)}")


def _speaker_key(sp: Speaker) -> tuple[str, str, bool] | None:
    """(key, name shown, anonymous): an anonymous source is keyed by its words as written."""
    anonymous = _is_anonymous(sp)
    name = (sp.name or sp.text).strip()
    key = (sp.text or sp.name).strip() if anonymous else name
    return (key, name or key, anonymous) if key else None


# --------------------------------------------------------------------------- document


def document_quads(doc: Document, claims: Sequence[Claim], run: Run) -> list[Quad]:
    """All quads one article contributes, in the article's named graph.

    What the article itself says: the article, its outlet, the extraction run, each
    claim's appearance (offsets, cue, sentence, dates, stance, relays) and the names
    it uses (``kg:Mention`` nodes, one per canonical name in the article, with every
    form it was written in).  Which entity a name is, and which claim an appearance
    is, are decided across all articles by :mod:`kg.resolve` and stored apart
    (:mod:`kg.build.resolved`).  The run is described inside the graph too, so each
    graph is self-contained.  No duplicates, deterministic order.
    """
    g = graph_iri(doc.id)
    art = article_iri(doc.id)
    out: dict[Quad, None] = {}

    def add(s: NamedNode, p: NamedNode, o: NamedNode | Literal) -> None:
        out[Quad(s, p, o, g)] = None

    # the article
    add(art, RDF_TYPE, SCHEMA_NS.NewsArticle)
    add(art, RDF_TYPE, PROV_NS.Entity)
    add(art, SCHEMA_NS.identifier, Literal(doc.id))
    if doc.date:
        add(art, SCHEMA_NS.datePublished, _date_literal(doc.date))
    if doc.title:
        add(art, SCHEMA_NS.headline, Literal(doc.title))
    if doc.url:
        add(art, SCHEMA_NS.url, Literal(doc.url, datatype=XSD_NS.anyURI))
    add(art, KG_NS.contentHash, Literal(doc.content_hash))
    add(art, KG_NS.extractedBy, run.iri)
    for q in run.quads(g):
        out[q] = None

    outlets: dict[str, NamedNode] = {}  # name -> iri, described at the end
    if doc.outlet and doc.outlet.strip():
        outlet_name = doc.outlet.strip()
        outlets[outlet_name] = outlet_iri(outlet_name)
        add(art, SCHEMA_NS.publisher, outlets[outlet_name])
        add(art, PROV_NS.wasAttributedTo, outlets[outlet_name])

    mentions: dict[str, _Mention] = {}  # mention iri value -> what the article says of it

    def mention(key: str, anonymous: bool, name: str | None = None) -> NamedNode:
        node = mention_iri(doc.id, key, anonymous)
        mentions.setdefault(node.value, _Mention(name=name or key, anonymous=anonymous))
        return node

    # a relay that is also a named claimant of this article is that claimant
    claimant_by_slug: dict[str, str] = {}
    for c in claims:
        key = _speaker_key(c.speaker) if c.speaker is not None else None
        if key is not None and not key[2]:
            claimant_by_slug.setdefault(slug(key[0]), key[0])

    span_speakers: dict[tuple[int, int], list[str]] = {}  # content span -> speaker keys seen there

    for c in claims:
        if c.doc_id != doc.id:
            raise ValueError(f"claim of document {c.doc_id!r} passed with document {doc.id!r}")
        sp = c.speaker
        key = _speaker_key(sp) if sp is not None else None
        speaker_node: NamedNode | None = None
        if key is not None and sp is not None:
            speaker_node = mention(key[0], key[2], key[1])
            mentions[speaker_node.value].see(sp.text, "anonymous" if key[2] else sp.type, sp.affiliation)

        span = (c.content.start, c.content.end)
        seen = span_speakers.setdefault(span, [])
        who = speaker_node.value if speaker_node is not None else ""
        if who not in seen:
            seen.append(who)
        app = appearance_iri(doc.id, c.content.start, c.content.end, seen.index(who) + 1)

        # the appearance: a claim in this article, at these offsets, by this name
        add(app, RDF_TYPE, KG_NS.Appearance)
        add(app, RDF_TYPE, PROV_NS.Entity)
        add(app, SCHEMA_NS.isPartOf, art)
        add(app, PROV_NS.wasGeneratedBy, run.iri)
        add(app, KG_NS.contentText, Literal(c.content.text))
        add(app, KG_NS.contentStart, Literal(c.content.start))
        add(app, KG_NS.contentEnd, Literal(c.content.end))
        if len(c.parts) > 1:
            add(app, KG_NS.claimText, Literal(c.content_text))  # the quote without its interruptions
        if speaker_node is not None and sp is not None:
            add(app, KG_NS.speaker, speaker_node)
            add(app, KG_NS.speakerText, Literal(sp.text))
            add(app, KG_NS.speakerStart, Literal(sp.start))
            add(app, KG_NS.speakerEnd, Literal(sp.end))
        if c.cue is not None:
            add(app, KG_NS.cueText, Literal(c.cue.text))
            add(app, KG_NS.cueStart, Literal(c.cue.start))
            add(app, KG_NS.cueEnd, Literal(c.cue.end))
        if c.sentence is not None:
            add(app, KG_NS.sentence, Literal(c.sentence.text))
            add(app, KG_NS.sentenceStart, Literal(c.sentence.start))
            add(app, KG_NS.sentenceEnd, Literal(c.sentence.end))
        add(app, KG_NS.stance, Literal(c.stance))
        add(app, KG_NS.kind, Literal(c.kind))
        if c.hedge:
            add(app, KG_NS.hedge, Literal(c.hedge))
        if c.utterance_date:
            add(app, KG_NS.utteranceDate, _date_literal(c.utterance_date))
        elif c.utterance_period:
            add(app, KG_NS.utteredNotBefore, _date_literal(c.utterance_period[0]))
            add(app, KG_NS.utteredNotAfter, _date_literal(c.utterance_period[1]))
        published = c.date or doc.date
        if published:
            add(app, SCHEMA_NS.datePublished, _date_literal(published))

        # the relay chain, nearest first: this appearance was derived from the report of
        # relay 1, which was derived from the report of relay 2, ...
        relays = [r.strip() for r in c.relay if r and r.strip()]
        previous = app
        for i, name in enumerate(relays, start=1):
            if slug(name) in claimant_by_slug:
                via = mention(claimant_by_slug[slug(name)], False)
            else:
                via = outlets.setdefault(name, outlet_iri(name))
            add(app, KG_NS.relayedVia, via)
            step = NamedNode(f"{app.value}/via/{i}")
            add(step, RDF_TYPE, KG_NS.Report)
            add(step, RDF_TYPE, PROV_NS.Entity)
            add(step, PROV_NS.wasAttributedTo, via)
            add(step, KG_NS.relayPosition, Literal(i))
            add(previous, PROV_NS.wasDerivedFrom, step)
            previous = step
        if relays:
            add(app, KG_NS.relayChain, Literal(", ".join(relays)))

        for m in c.mentions:
            name = (m.name or m.text).strip()
            if not name:
                continue
            node = mention(name, False)
            mentions[node.value].see(m.text, m.type)
            add(app, KG_NS.mentions, node)

    for iri_value, m in mentions.items():
        node = NamedNode(iri_value)
        add(node, RDF_TYPE, KG_NS.Mention)
        add(node, KG_NS.inArticle, art)
        add(node, KG_NS.nameInArticle, Literal(m.name))
        if m.anonymous:
            add(node, KG_NS.anonymous, Literal(True))
        for type_ in m.types:
            add(node, KG_NS.entityType, Literal(type_))
        for alias in m.aliases:
            add(node, KG_NS.writtenAs, Literal(alias))
        for affiliation in m.affiliations:
            add(node, KG_NS.affiliation, Literal(affiliation))

    for name, node in outlets.items():
        add(node, RDF_TYPE, SCHEMA_NS.NewsMediaOrganization)
        add(node, RDF_TYPE, KG_NS.Outlet)
        add(node, SCHEMA_NS.name, Literal(name))

    log.debug("document %s: %d claims -> %d quads", doc.id, len(claims), len(out))
    return list(out)
