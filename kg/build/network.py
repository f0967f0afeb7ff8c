"""The claim graph as a NetworkX ``MultiDiGraph`` with claims as nodes (for Gephi).

Nodes (``type``): ``claimant``, ``claim``, ``article``, ``outlet``, ``entity``.
Edges (``type``): claimant -``claimed``-> claim, claim -``appears_in``-> article,
article -``published_by``-> outlet, claim -``relayed_via``-> outlet or claimant,
claim -``about``-> entity.  Edge keys are ``"{type}-{n}"``, unique in the graph:
they become GraphML edge ids, which Gephi requires to be unique.

Claims are nodes, so Gephi's merging of parallel edges loses nothing; there is at
most one edge of a type between two nodes, its ``weight`` counting appearances.

Node ``weight``: claim = its appearances, claimant = claims made, article = claim
appearances in it, outlet = articles published + appearances relayed through it,
entity = claims about it.

Every node and edge has ``label`` (str), ``type`` (str) and ``weight`` (float);
other attributes are scalars of one type per name and are left out, never
``None``, when unknown:

* every node: ``iri`` (str)
* claimant / entity: ``entity_type`` (str)
* claim: ``text``, ``stance``, ``kind``, ``date`` (str, earliest appearance,
  utterance date first), ``appearances`` (int)
* article: ``doc_id``, ``date``, ``title`` (str)
"""

from __future__ import annotations

import logging
from typing import Any

import networkx as nx

from kg.store.oxigraph_store import ClaimStore

log = logging.getLogger(__name__)

__all__ = ["claim_network", "NODE_TYPES", "EDGE_TYPES"]

NODE_TYPES = ("claimant", "claim", "article", "outlet", "entity")
EDGE_TYPES = ("claimed", "appears_in", "published_by", "relayed_via", "about")

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


def claim_network(store: ClaimStore) -> nx.MultiDiGraph:
    """Build the claims-as-nodes network from everything in ``store``."""
    G = nx.MultiDiGraph(name="kg claims")

    entities = {
        r["e"]: r
        for r in _rows(
            store,
            """SELECT ?e (MIN(?n) AS ?name) (GROUP_CONCAT(DISTINCT ?t; separator="|") AS ?types)
               WHERE { ?e a kg:Entity . OPTIONAL { ?e schema:name ?n } OPTIONAL { ?e kg:entityType ?t } }
               GROUP BY ?e""",
        )
    }
    outlets = {
        r["o"]: r
        for r in _rows(
            store,
            "SELECT ?o (MIN(?n) AS ?name) WHERE { ?o a kg:Outlet OPTIONAL { ?o schema:name ?n } } GROUP BY ?o",
        )
    }
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

    def add_edge(u: str, v: str, kind: str, weight: float = 1.0) -> None:
        if u not in G or v not in G:
            log.warning("network: skipping %s edge %s -> %s (endpoint not described)", kind, u, v)
            return
        # edge keys become GraphML edge ids, which Gephi requires to be unique
        G.add_edge(u, v, key=f"{kind}-{G.number_of_edges()}", label=kind, type=kind, weight=float(weight))
        # node weights: claimant = claims made; article = appearances in it;
        # outlet = articles published + appearances relayed; entity = claims about it
        if kind == "claimed":
            G.nodes[u]["weight"] += 1.0
        elif kind in ("appears_in", "published_by") or (kind == "relayed_via" and G.nodes[v]["type"] == "outlet"):
            G.nodes[v]["weight"] += float(weight)
        elif kind == "about" and G.nodes[v]["type"] == "entity":
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

    log.debug("claim network: %d nodes, %d edges", G.number_of_nodes(), G.number_of_edges())
    return G
