"""The claim graph as a NetworkX ``MultiDiGraph`` with claims as nodes (for Gephi).

Nodes (``type``): ``claimant``, ``claim``, ``article``, ``outlet``, ``entity``.
Edges (``type``): claimant -``claimed``-> claim, claim -``appears_in``-> article,
article -``published_by``-> outlet, claim -``relayed_via``-> outlet or claimant,
claim -``about``-> entity, claim -``contradicts``-> claim (from the claim first seen
earlier, as ``kg:contradicts`` states it).  Edge keys are ``"{type}-{n}"``, unique in
the graph: they become GraphML edge ids, which Gephi requires to be unique.

Claims are nodes, so Gephi's merging of parallel edges loses nothing; there is at
most one edge of a type between two nodes, its ``weight`` counting appearances.

Node ``weight``: claim = its appearances, claimant = claims made, article = claim
appearances in it, outlet = articles published + appearances relayed through it,
entity = claims about it.

Every node and edge has ``label`` (str), ``type`` (str) and ``weight`` (float);
other attributes are scalars of one type per name and are left out, never
``None``, when unknown:

* every node: ``iri`` (str); ``r``, ``g``, ``b`` (int) and ``size`` (float), the
  colour and size of its type (:data:`NODE_STYLE`), which Gephi's GraphML import
  takes as the node's colour and size
* claimant / entity: ``entity_type`` (str)
* claim: ``text``, ``stance``, ``kind``, ``date`` (str, earliest appearance,
  utterance date first), ``appearances`` (int)
* article: ``doc_id``, ``date``, ``title`` (str)
* ``contradicts`` edge: ``kind`` (polarity / numbers / opposites / change_of_story),
  ``reason`` (str), ``confidence`` (float), from the most confident
  ``kg:Contradiction`` recorded for the pair (left out when none is); ``weight`` is
  the number of contradictions recorded for the pair (1.0 when only
  ``kg:contradicts`` is)

Contradictions are read by :func:`contradictions` from whatever graph holds them
(the detector writes ``kgr:graph/contradictions``): queries see the merged default
graph, so no ``GRAPH`` clause is needed.  Other views of the same store are in
:mod:`kg.build.views` (claimant -> claimant, and this graph with dates for GEXF).
"""

from __future__ import annotations

import itertools
import logging
from dataclasses import dataclass
from typing import Any

import networkx as nx

from kg.store.oxigraph_store import ClaimStore

log = logging.getLogger(__name__)

__all__ = [
    "claim_network", "contradictions", "ContradictingPair", "NodeStyle", "NODE_STYLE", "CONTRADICTION_COLOUR",
    "NODE_TYPES", "EDGE_TYPES",
]

NODE_TYPES = ("claimant", "claim", "article", "outlet", "entity")
EDGE_TYPES = ("claimed", "appears_in", "published_by", "relayed_via", "about", "contradicts")


@dataclass(frozen=True)
class NodeStyle:
    """How Gephi draws a node type: an RGB colour and a size."""

    r: int
    g: int
    b: int
    size: float

    def attributes(self) -> dict[str, int | float]:
        """As the GraphML node attributes Gephi reads (``r``, ``g``, ``b``, ``size``)."""
        return {"r": self.r, "g": self.g, "b": self.b, "size": self.size}


#: node type -> colour and size (Okabe-Ito colours, told apart by colour-blind readers)
NODE_STYLE: dict[str, NodeStyle] = {
    "claimant": NodeStyle(0, 114, 178, 20.0),  # blue
    "claim": NodeStyle(230, 159, 0, 8.0),  # orange
    "article": NodeStyle(153, 153, 153, 10.0),  # grey
    "outlet": NodeStyle(0, 158, 115, 16.0),  # green
    "entity": NodeStyle(204, 121, 167, 12.0),  # pink
}

#: colour of contradiction edges where a format can colour edges (GEXF): vermilion
CONTRADICTION_COLOUR = (213, 94, 0)


@dataclass(frozen=True)
class ContradictingPair:
    """Two claims that contradict each other (``claim_a`` first seen earlier).

    ``kind``, ``reason`` and ``confidence`` come from the most confident
    ``kg:Contradiction`` recorded for the pair, ``None`` when only ``kg:contradicts``
    links them; ``records`` counts the ``kg:Contradiction`` nodes of the pair.
    """

    claim_a: str
    claim_b: str
    kind: str | None = None
    reason: str | None = None
    confidence: float | None = None
    records: int = 0

LABEL_MAX = 80


def _short(text: str, limit: int = LABEL_MAX) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "\u2026"


def _pick_type(types: str | None) -> str:
    seen = sorted(set(t for t in (types or "").split("|") if t))
    known = [t for t in seen if t != "unknown"]
    return (known or seen or ["unknown"])[0]


def _rows(store: ClaimStore, sparql: str) -> list[dict[str, Any]]:
    rows = store.query(sparql)
    assert isinstance(rows, list)
    return rows


def contradictions(store: ClaimStore) -> list[ContradictingPair]:
    """Every pair of contradicting claims in ``store``, one per unordered pair, sorted.

    Pairs come from ``kg:contradicts`` and from ``kg:Contradiction`` nodes
    (``kg:claimA``/``kg:claimB``/``kg:kind``/``kg:reason``/``kg:confidence``).  The
    direction is the record's (A first seen earlier); a pair with no record is
    ordered by ``kg:firstSeen``, then IRI.
    """
    pairs = _rows(store, "SELECT DISTINCT ?a ?b WHERE { ?a kg:contradicts ?b FILTER(?a != ?b) }")
    records = _rows(
        store,
        """SELECT ?c ?a ?b (MIN(?k) AS ?kind) (MIN(?r) AS ?reason) (MAX(?conf) AS ?confidence)
           WHERE { ?c a kg:Contradiction ; kg:claimA ?a ; kg:claimB ?b .
                   OPTIONAL { ?c kg:kind ?k } OPTIONAL { ?c kg:reason ?r } OPTIONAL { ?c kg:confidence ?conf }
                   FILTER(?a != ?b) }
           GROUP BY ?c ?a ?b""",
    )
    by_pair: dict[frozenset[str], list[dict[str, Any]]] = {}
    for r in records:
        by_pair.setdefault(frozenset((r["a"], r["b"])), []).append(r)
    for r in pairs:
        by_pair.setdefault(frozenset((r["a"], r["b"])), [])

    seen: dict[str, str] = {}
    if any(not recs for recs in by_pair.values()):  # a bare kg:contradicts link: order it by date
        seen = {
            r["claim"]: r["d"]
            for r in _rows(
                store, "SELECT ?claim (MIN(STR(?d0)) AS ?d) WHERE { ?claim kg:firstSeen ?d0 } GROUP BY ?claim"
            )
        }
    out: list[ContradictingPair] = []
    for pair, recs in by_pair.items():
        if recs:
            # the most confident record speaks for the pair (ties: kind, reason, IRI)
            def rank(r: dict[str, Any]) -> tuple[float, str, str, str]:
                conf = r["confidence"]
                rank_conf = -float(conf) if isinstance(conf, (int, float)) else 1.0
                return (rank_conf, r["kind"] or "", r["reason"] or "", r["c"])

            best = min(recs, key=rank)
            conf = best["confidence"]
            out.append(
                ContradictingPair(
                    claim_a=best["a"],
                    claim_b=best["b"],
                    kind=best["kind"] or None,
                    reason=best["reason"] or None,
                    confidence=float(conf) if isinstance(conf, (int, float)) else None,
                    records=len(recs),
                )
            )
        else:
            a, b = sorted(pair, key=lambda c: (seen.get(c) is None, seen.get(c) or "", c))
            out.append(ContradictingPair(claim_a=a, claim_b=b))
    out.sort(key=lambda c: (c.claim_a, c.claim_b))
    log.debug("%d contradicting claim pairs", len(out))
    return out


def entity_rows(store: ClaimStore) -> dict[str, dict[str, Any]]:
    """entity IRI -> {"e", "name", "types" ("|"-joined)} for every kg:Entity."""
    rows = _rows(
        store,
        """SELECT ?e (MIN(?n) AS ?name) (GROUP_CONCAT(DISTINCT ?t; separator="|") AS ?types)
           WHERE { ?e a kg:Entity . OPTIONAL { ?e schema:name ?n } OPTIONAL { ?e kg:entityType ?t } }
           GROUP BY ?e""",
    )
    return {r["e"]: r for r in rows}


def outlet_rows(store: ClaimStore) -> dict[str, dict[str, Any]]:
    """outlet IRI -> {"o", "name"} for every kg:Outlet."""
    rows = _rows(store, "SELECT ?o (MIN(?n) AS ?name) WHERE { ?o a kg:Outlet OPTIONAL { ?o schema:name ?n } } GROUP BY ?o")
    return {r["o"]: r for r in rows}


def claim_network(store: ClaimStore) -> nx.MultiDiGraph:
    """Build the claims-as-nodes network from everything in ``store``."""
    G = nx.MultiDiGraph(name="kg claims")

    entities = entity_rows(store)
    outlets = outlet_rows(store)
    claims = _rows(
        store,
        """SELECT ?claim (MIN(?text0) AS ?text) (MIN(?stance0) AS ?stance) (MIN(?kind0) AS ?kind)
                  (MIN(?d) AS ?date) (COUNT(DISTINCT ?app) AS ?appearances)
           WHERE {
             ?claim a kg:Claim .
             OPTIONAL { ?claim schema:text ?text0 }
             OPTIONAL { ?claim kg:stance ?stance0 }
             OPTIONAL { ?claim kg:kind ?kind0 }
             OPTIONAL {
               ?claim kg:hasAppearance ?app .
               OPTIONAL { ?app kg:utteranceDate ?ud }
               OPTIONAL { ?app schema:datePublished ?pd }
               BIND(STR(COALESCE(?ud, ?pd)) AS ?d)
             }
           } GROUP BY ?claim""",
    )
    articles = _rows(
        store,
        """SELECT ?a (MIN(?id) AS ?doc_id) (MIN(STR(?d)) AS ?date) (MIN(?t) AS ?title)
           WHERE { ?a a schema:NewsArticle
                   OPTIONAL { ?a schema:identifier ?id } OPTIONAL { ?a schema:datePublished ?d }
                   OPTIONAL { ?a schema:headline ?t } }
           GROUP BY ?a""",
    )
    claimed = _rows(store, "SELECT DISTINCT ?claim ?who WHERE { ?claim a kg:Claim ; prov:wasAttributedTo ?who }")
    appears = _rows(
        store,
        """SELECT ?claim ?a (COUNT(DISTINCT ?app) AS ?n)
           WHERE { ?app a kg:Appearance ; kg:ofClaim ?claim ; schema:isPartOf ?a } GROUP BY ?claim ?a""",
    )
    published = _rows(store, "SELECT DISTINCT ?a ?o WHERE { ?a a schema:NewsArticle ; schema:publisher ?o }")
    relayed = _rows(
        store,
        """SELECT ?claim ?via (COUNT(DISTINCT ?app) AS ?n)
           WHERE { ?app kg:ofClaim ?claim ; kg:relayedVia ?via0 .
                   OPTIONAL { ?via0 kg:refersTo ?entity }
                   BIND(COALESCE(?entity, ?via0) AS ?via) }
           GROUP BY ?claim ?via""",
    )
    about = _rows(store, "SELECT DISTINCT ?claim ?e WHERE { ?claim a kg:Claim ; schema:mentions ?e }")

    claimants = {r["who"] for r in claimed} | {r["via"] for r in relayed if r["via"] not in outlets}

    def add_entity(iri: str, kind: str) -> None:
        info = entities.get(iri, {})
        name = info.get("name") or iri.rsplit("/", 1)[-1]
        G.add_node(iri, label=name, type=kind, weight=0.0, iri=iri, entity_type=_pick_type(info.get("types")))

    def add_outlet(iri: str) -> None:
        name = outlets.get(iri, {}).get("name") or iri.rsplit("/", 1)[-1]
        G.add_node(iri, label=name, type="outlet", weight=0.0, iri=iri)

    for iri in sorted(claimants):
        add_entity(iri, "claimant")
    for r in sorted(about, key=lambda r: (r["e"], r["claim"])):
        if r["e"] not in claimants and r["e"] not in G:
            add_entity(r["e"], "entity")
    for iri in sorted(outlets):
        add_outlet(iri)
    for r in sorted(claims, key=lambda r: r["claim"]):
        attrs: dict[str, Any] = {
            "label": _short(r["text"] or r["claim"]),
            "type": "claim",
            "weight": float(r["appearances"] or 0),
            "iri": r["claim"],
            "text": r["text"] or "",
            "stance": r["stance"] or "",
            "kind": r["kind"] or "",
            "appearances": int(r["appearances"] or 0),
        }
        if r["date"]:
            attrs["date"] = r["date"]
        G.add_node(r["claim"], **attrs)
    for r in sorted(articles, key=lambda r: r["a"]):
        attrs = {
            "label": r["title"] or r["doc_id"] or r["a"],
            "type": "article",
            "weight": 0.0,
            "iri": r["a"],
            "doc_id": r["doc_id"] or "",
        }
        if r["date"]:
            attrs["date"] = r["date"]
        if r["title"]:
            attrs["title"] = r["title"]
        G.add_node(r["a"], **attrs)

    for _, data in G.nodes(data=True):
        data.update(NODE_STYLE[data["type"]].attributes())

    edge_ids = itertools.count()

    def add_edge(u: str, v: str, edge_type: str, weight: float = 1.0, **extra: Any) -> None:
        if u not in G or v not in G:
            log.warning("network: skipping %s edge %s -> %s (endpoint not described)", edge_type, u, v)
            return
        # edge keys become GraphML edge ids, which Gephi requires to be unique
        # (a counter: MultiDiGraph.number_of_edges() walks every node, quadratic over a build)
        key = f"{edge_type}-{next(edge_ids)}"
        G.add_edge(u, v, key=key, label=edge_type, type=edge_type, weight=float(weight), **extra)
        # node weights: claimant = claims made; article = appearances in it;
        # outlet = articles published + appearances relayed; entity = claims about it
        if edge_type == "claimed":
            G.nodes[u]["weight"] += 1.0
        elif edge_type in ("appears_in", "published_by") or (
            edge_type == "relayed_via" and G.nodes[v]["type"] == "outlet"
        ):
            G.nodes[v]["weight"] += float(weight)
        elif edge_type == "about" and G.nodes[v]["type"] == "entity":
            G.nodes[v]["weight"] += 1.0

    for r in sorted(claimed, key=lambda r: (r["who"], r["claim"])):
        add_edge(r["who"], r["claim"], "claimed")
    for r in sorted(appears, key=lambda r: (r["claim"], r["a"])):
        add_edge(r["claim"], r["a"], "appears_in", r["n"])
    for r in sorted(published, key=lambda r: (r["a"], r["o"])):
        add_edge(r["a"], r["o"], "published_by")
    for r in sorted(relayed, key=lambda r: (r["claim"], r["via"])):
        add_edge(r["claim"], r["via"], "relayed_via", r["n"])
    for r in sorted(about, key=lambda r: (r["claim"], r["e"])):
        add_edge(r["claim"], r["e"], "about")
    for c in contradictions(store):
        extra: dict[str, Any] = {}
        if c.kind:
            extra["kind"] = c.kind
        if c.reason:
            extra["reason"] = c.reason
        if c.confidence is not None:
            extra["confidence"] = c.confidence
        add_edge(c.claim_a, c.claim_b, "contradicts", float(max(c.records, 1)), **extra)

    log.debug("claim network: %d nodes, %d edges", G.number_of_nodes(), G.number_of_edges())
    return G
