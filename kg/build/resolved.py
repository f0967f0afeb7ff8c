"""Resolved entities and claims -> the quads of the derived graph ``kgr:graph/resolved``.

The article graphs say what each article says (appearances, the names it uses);
this graph says what kg concluded across articles: which entity each name is,
which claim each appearance is, how often and by how many outlets a claim was
carried, and which claims of different claimants support each other.  It is
recomputed from the article graphs (:func:`kg.pipeline.resolve`), never edited.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping

from pyoxigraph import Literal, NamedNode, Quad

from kg.build.namespaces import KG_NS, PROV_NS, RDF_TYPE, SCHEMA_NS, XSD_NS
from kg.build.rdf import ENTITY_CLASSES, RESOLVED_GRAPH
from kg.resolve.claims import ResolvedClaim
from kg.resolve.entities import Entity

__all__ = ["RESOLVED_GRAPH", "iter_resolved_quads", "resolved_quads"]

def resolved_quads(entities: Mapping[str, Entity], claims: Iterable[ResolvedClaim], stamp: str) -> list[Quad]:
    """The derived graph, deduplicated and sorted; ``stamp`` records what it was derived from."""
    return sorted(set(iter_resolved_quads(entities, claims, stamp)), key=str)


def iter_resolved_quads(entities: Mapping[str, Entity], claims: Iterable[ResolvedClaim],
                        stamp: str) -> Iterator[Quad]:
    """The quads of :func:`resolved_quads` one at a time, unsorted, a quad possibly more than once.

    For writing a large derived graph without holding it in memory
    (:meth:`kg.store.ClaimStore.replace_derived` drops the repeats).
    """
    g = RESOLVED_GRAPH

    def add(s: NamedNode, p: NamedNode, o: NamedNode | Literal) -> Quad:
        return Quad(s, p, o, g)

    yield add(g, KG_NS.derivedFrom, Literal(stamp))

    for ent in {e.iri: e for e in entities.values()}.values():
        node = NamedNode(ent.iri)
        yield add(node, RDF_TYPE, KG_NS.Entity)
        for cls in ENTITY_CLASSES.get(ent.type, ()):
            yield add(node, RDF_TYPE, cls)
        yield add(node, KG_NS.entityType, Literal(ent.type))
        yield add(node, SCHEMA_NS.name, Literal(ent.name))
        for alias in ent.aliases:
            yield add(node, KG_NS.alias, Literal(alias))
        for aff in ent.affiliations:
            yield add(node, KG_NS.affiliation, Literal(aff))
        for m in ent.mentions:
            yield add(node, KG_NS.hasMention, NamedNode(m))
            yield add(NamedNode(m), KG_NS.refersTo, node)

    for c in claims:
        claim = NamedNode(c.iri)
        yield add(claim, RDF_TYPE, KG_NS.Claim)
        yield add(claim, RDF_TYPE, SCHEMA_NS.Claim)
        yield add(claim, SCHEMA_NS.text, Literal(c.text))
        if c.claimant:
            yield add(claim, PROV_NS.wasAttributedTo, NamedNode(c.claimant))
            yield add(claim, SCHEMA_NS.author, NamedNode(c.claimant))
        yield add(claim, KG_NS.stance, Literal(c.stance))
        yield add(claim, KG_NS.kind, Literal(c.kind))
        if c.hedge:
            yield add(claim, KG_NS.hedge, Literal(c.hedge))
        for app in c.appearances:
            node = NamedNode(app.iri)
            yield add(claim, KG_NS.hasAppearance, node)
            yield add(claim, SCHEMA_NS.appearance, NamedNode(app.article))
            yield add(node, KG_NS.ofClaim, claim)
        yield add(claim, KG_NS.firstAppearance, NamedNode(c.first.iri))
        if c.first.date:
            yield add(claim, KG_NS.firstSeen, Literal(c.first.date, datatype=XSD_NS.date))
        yield add(claim, KG_NS.appearanceCount, Literal(len(c.appearances)))
        yield add(claim, KG_NS.outletCount, Literal(c.outlets))
        for m in c.mentions:
            yield add(claim, SCHEMA_NS.mentions, NamedNode(m))
        for other in c.supports:
            yield add(claim, KG_NS.supports, NamedNode(other))

