"""Contradictions -> the quads of the derived graph ``kgr:graph/contradictions``.

Each contradiction is a ``kg:Contradiction`` node (its IRI hashed from the two
claims, so re-detection writes the same node) with ``kg:claimA`` (the earlier),
``kg:claimB``, ``kg:kind``, ``kg:basis``, ``kg:confidence`` and ``kg:reason``, and a
direct ``kg:contradicts`` link from A to B for simple queries.  The graph is
recomputed from the resolved claims (:func:`kg.pipeline.detect`), never edited.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

from pyoxigraph import Literal, NamedNode, Quad

from kg.build.namespaces import KG_NS, KGR, RDF_TYPE, XSD_NS
from kg.build.rdf import CONTRADICTIONS_GRAPH
from kg.resolve.contradictions import Contradiction

__all__ = ["CONTRADICTIONS_GRAPH", "contradiction_iri", "contradiction_quads"]


def contradiction_iri(a: str, b: str) -> NamedNode:
    """The node of the contradiction between claims ``a`` and ``b`` (in either order)."""
    key = "\n".join(sorted((a, b)))
    return NamedNode(f"{KGR}contradiction/{hashlib.sha256(key.encode('utf-8')).hexdigest()[:20]}")


def contradiction_quads(contradictions: Iterable[Contradiction], stamp: str) -> list[Quad]:
    """The contradictions graph, deduplicated and sorted; ``stamp`` records what it was derived from."""
    g = CONTRADICTIONS_GRAPH
    out: set[Quad] = {Quad(g, KG_NS.derivedFrom, Literal(stamp), g)}
    for c in contradictions:
        node, a, b = contradiction_iri(c.a, c.b), NamedNode(c.a), NamedNode(c.b)
        for p, o in (
            (RDF_TYPE, KG_NS.Contradiction),
            (KG_NS.claimA, a),
            (KG_NS.claimB, b),
            (KG_NS.kind, Literal(c.kind)),
            (KG_NS.basis, Literal(c.basis)),
            (KG_NS.confidence, Literal(f"{c.confidence:.2f}", datatype=XSD_NS.decimal)),
            (KG_NS.reason, Literal(c.reason)),
        ):
            out.add(Quad(node, p, o, g))
        out.add(Quad(a, KG_NS.contradicts, b, g))
    return sorted(out, key=str)
