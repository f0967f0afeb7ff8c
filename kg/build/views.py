"""Two more views of the claim graph for Gephi, next to :func:`kg.build.network.claim_network`.

* :func:`dated_claim_network` -- the claims-as-nodes graph with a ``start`` date
  (``YYYY-MM-DD``) on nodes and edges, for GEXF: Gephi's timeline then shows each
  claim from the day it was first seen.  Claim: its ``kg:firstSeen``; article: its
  ``schema:datePublished``; claimant, entity and outlet: the earliest start of the
  claims and articles it is linked to (its first claim, relayed claim, claim about
  it, or article); edge: the later of its two ends' starts.  Nodes and edges with
  no dated neighbour have no ``start`` (Gephi shows them all the time).
* :func:`claimant_network` -- who quotes, relays, contradicts and talks about
  whom: claimants (people, organisations, anonymous sources), the outlets that
  publish and relay them, and the entities their claims are about, for GraphML.
  Gephi merges parallel edges by summing their weights, so there is exactly one
  edge per (source, target, type), its ``weight`` aggregated:

  - ``contradicts``: A -> B when a claim of A contradicts a claim of B, A's first
    seen earlier (self-loops: a claimant contradicting itself, a change of story);
    ``weight`` = number of contradicting claim pairs, ``kinds`` (str, the distinct
    kinds joined by ``|``), ``confidence`` (float, the highest) when recorded;
  - ``relays``: A -> B when a claim of B reached an article through A (A is in the
    claim's relay chain: ``told BuzzFeed News``); ``weight`` = number of distinct
    claims of B relayed through A;
  - ``quotes``: outlet O -> B when an article O published carries a claim of B;
    ``weight`` = number of distinct claims of B in O's articles;
  - ``about``: A -> E when a claim of A mentions the entity E (``Zelensky said
    Russia ...``: Zelensky -> Russia), never A -> A; ``weight`` = number of
    distinct claims of A about E.

  Nodes: ``type`` ``claimant`` (an entity that made a claim or relayed one),
  ``outlet`` (an outlet that published or relayed a claim, and made none) or
  ``entity`` (only talked about); ``claims`` (int, claims made), ``relayed`` (int,
  claims relayed), ``weight`` = claims + relayed (float; 1.0 for an entity only
  talked about), ``iri``, ``entity_type`` (claimants and entities), and the
  colour/size attributes of :data:`kg.build.network.NODE_STYLE`.  Edge keys
  ``"{type}-{n}"`` (GraphML ids).

As in :mod:`kg.build.network`, every node and edge has ``label``, ``type`` and
``weight``, and every attribute is a scalar of one type per name, never ``None``.
"""

from __future__ import annotations

import itertools
import logging
import re
from collections import defaultdict
from typing import Any

import networkx as nx

from kg.build.network import NODE_STYLE, _pick_type, _rows, claim_network, contradictions, entity_rows, outlet_rows
from kg.store.oxigraph_store import ClaimStore

log = logging.getLogger(__name__)

__all__ = ["dated_claim_network", "claimant_network", "CLAIMANT_EDGE_TYPES", "CLAIMANT_NODE_TYPES"]

CLAIMANT_NODE_TYPES = ("claimant", "outlet", "entity")
CLAIMANT_EDGE_TYPES = ("contradicts", "relays", "quotes", "about")

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _day(value: Any) -> str | None:
    """``YYYY-MM-DD`` or ``None`` (a dateTime is cut to its day)."""
    if not isinstance(value, str):
        return None
    day = value[:10]
    return day if _DATE.match(day) else None


def dated_claim_network(store: ClaimStore) -> nx.MultiDiGraph:
    """:func:`~kg.build.network.claim_network` with ``start`` dates, for Gephi's timeline."""
    G = claim_network(store)
    first_seen = {
        r["claim"]: _day(r["d"])
        for r in _rows(store, "SELECT ?claim (MIN(STR(?d0)) AS ?d) WHERE { ?claim kg:firstSeen ?d0 } GROUP BY ?claim")
    }
    for node, data in G.nodes(data=True):
        start = None
        if data["type"] == "claim":
            start = first_seen.get(node)
        elif data["type"] == "article":
            start = _day(data.get("date"))
        if start:
            data["start"] = start
    # claimants, entities and outlets: from their first claim or article
    for node, data in G.nodes(data=True):
        if data["type"] in ("claim", "article"):
            continue
        starts = [
            G.nodes[n]["start"]
            for n in set(G.predecessors(node)) | set(G.successors(node))
            if G.nodes[n]["type"] in ("claim", "article") and "start" in G.nodes[n]
        ]
        if starts:
            data["start"] = min(starts)
    undated = 0
    for u, v, data in G.edges(data=True):
        starts = [s for s in (G.nodes[u].get("start"), G.nodes[v].get("start")) if s]
        if starts:
            data["start"] = max(starts)
        else:
            undated += 1
    if undated:
        log.info("dated claim network: %d edge(s) with no date (shown all the time)", undated)
    return G


def claimant_network(store: ClaimStore) -> nx.MultiDiGraph:
    """The claimant -> claimant network (``contradicts``, ``relays``) of ``store``."""
    G = nx.MultiDiGraph(name="kg claimants")

    entities = entity_rows(store)
    outlets = outlet_rows(store)
    claimant_of = {
        r["claim"]: r["who"]
        for r in _rows(
            store,
            """SELECT ?claim (MIN(STR(?w)) AS ?who)
               WHERE { ?claim a kg:Claim ; prov:wasAttributedTo ?w } GROUP BY ?claim""",
        )
    }
    # who a claim reached an article through: every hop of its appearances' relay chains
    relayed = _rows(
        store,
        """SELECT DISTINCT ?claim ?via
           WHERE { ?app kg:ofClaim ?claim ; kg:relayedVia ?via0 .
                   OPTIONAL { ?via0 kg:refersTo ?entity }
                   BIND(COALESCE(?entity, ?via0) AS ?via) }""",
    )

    # who published a claim: the publishers of the articles it appears in
    published = _rows(
        store,
        """SELECT DISTINCT ?claim ?outlet
           WHERE { ?app kg:ofClaim ?claim ; schema:isPartOf ?article . ?article schema:publisher ?outlet }""",
    )
    mentioned = _rows(store, "SELECT DISTINCT ?claim ?e WHERE { ?claim a kg:Claim ; schema:mentions ?e }")

    made: dict[str, int] = defaultdict(int)
    for who in claimant_of.values():
        made[who] += 1
    relays: dict[tuple[str, str], set[str]] = defaultdict(set)  # (relayer, claimant) -> claims
    relayed_by: dict[str, set[str]] = defaultdict(set)
    for r in relayed:
        who = claimant_of.get(r["claim"])
        relayed_by[r["via"]].add(r["claim"])
        if who is None:
            log.debug("claimant view: relayed claim %s has no claimant", r["claim"])
            continue
        relays[(r["via"], who)].add(r["claim"])
    quotes: dict[tuple[str, str], set[str]] = defaultdict(set)  # (outlet, claimant) -> claims
    for r in published:
        who = claimant_of.get(r["claim"])
        if who is not None and who != r["outlet"]:
            quotes[(r["outlet"], who)].add(r["claim"])
    about: dict[tuple[str, str], set[str]] = defaultdict(set)  # (claimant, entity) -> claims
    for r in mentioned:
        who = claimant_of.get(r["claim"])
        if who is not None and who != r["e"]:
            about[(who, r["e"])].add(r["claim"])

    publishers = {outlet for outlet, _ in quotes}
    talked_about = {e for _, e in about}
    for iri in sorted(set(made) | set(relayed_by) | publishers | talked_about):
        if iri in made or iri in relayed_by:
            kind = "outlet" if iri in outlets and iri not in entities else "claimant"
        else:
            kind = "outlet" if iri in publishers else "entity"
        info = (outlets if kind == "outlet" else entities).get(iri, {})
        claims, passed = made.get(iri, 0), len(relayed_by.get(iri, ()))
        attrs: dict[str, Any] = {
            "label": info.get("name") or iri.rsplit("/", 1)[-1],
            "type": kind,
            "weight": float(claims + passed) or 1.0,
            "iri": iri,
            "claims": claims,
            "relayed": passed,
        }
        if kind != "outlet":
            attrs["entity_type"] = _pick_type(info.get("types"))
        attrs.update(NODE_STYLE[kind].attributes())
        G.add_node(iri, **attrs)

    pairs: dict[tuple[str, str], list[tuple[str | None, float | None]]] = defaultdict(list)
    for c in contradictions(store):
        a, b = claimant_of.get(c.claim_a), claimant_of.get(c.claim_b)
        if a is None or b is None:
            log.debug("claimant view: contradiction %s / %s has an unattributed claim", c.claim_a, c.claim_b)
            continue
        pairs[(a, b)].append((c.kind, c.confidence))

    edge_ids = itertools.count()

    def add_edge(u: str, v: str, edge_type: str, weight: float, **extra: Any) -> None:
        # (a counter: MultiDiGraph.number_of_edges() walks every node, quadratic over a build)
        key = f"{edge_type}-{next(edge_ids)}"
        G.add_edge(u, v, key=key, label=edge_type, type=edge_type, weight=weight, **extra)

    for (a, b), found in sorted(pairs.items()):
        extra: dict[str, Any] = {}
        kinds = sorted({k for k, _ in found if k})
        if kinds:
            extra["kinds"] = "|".join(kinds)
        confidences = [c for _, c in found if c is not None]
        if confidences:
            extra["confidence"] = max(confidences)
        add_edge(a, b, "contradicts", float(len(found)), **extra)
    for (via, who), claims_relayed in sorted(relays.items()):
        add_edge(via, who, "relays", float(len(claims_relayed)))
    for (outlet, who), claims_quoted in sorted(quotes.items()):
        add_edge(outlet, who, "quotes", float(len(claims_quoted)))
    for (who, entity), claims_about in sorted(about.items()):
        add_edge(who, entity, "about", float(len(claims_about)))

    log.debug("claimant network: %d nodes, %d edges", G.number_of_nodes(), G.number_of_edges())
    return G
