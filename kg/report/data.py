"""What the HTML report shows, as plain JSON-ready data read from a claim store.

:func:`report_data` reads the store once (claims, contradictions, the claim
network) and returns a dict that :func:`kg.report.render.render_html` turns into
the page; everything in it is plain ``str``/``int``/``float``/``list``/``dict``, so
the page can be rendered (and tested) from hand-made data without a store.

The graph (claimants, claims, the entities the claims mention) is read with two
queries of its own rather than through :func:`kg.build.network.claim_network`,
which also builds the article and outlet layers the page does not draw; its
contradiction edges are those of the contradictions section, so the two always
agree (and hand-made contradictions show in both).  It is laid out in Python (NetworkX ``spring_layout`` with
a fixed seed: the same store gives the same picture) and capped at
``max_graph_nodes`` nodes: claimants are taken whole (each with its claims and
the entities they mention), those in a contradiction first, then by number of
claims, until the next one would not fit.
"""

from __future__ import annotations

import logging
import os
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from datetime import datetime, timezone
from typing import Any

import networkx as nx

from kg import __version__
from kg.store.oxigraph_store import ClaimStore

log = logging.getLogger(__name__)

__all__ = [
    "DEFAULT_MAX_GRAPH_NODES",
    "graph_data",
    "load_contradictions",
    "normalise_contradiction",
    "report_data",
    "report_network",
]

#: nodes drawn at most; past a few hundred a force layout is a hairball and the page slows down
DEFAULT_MAX_GRAPH_NODES = 300

#: the graph's node types, in the order of the legend
GRAPH_NODE_TYPES = ("claimant", "claim", "entity")

#: canvas the layout is scaled to (the SVG viewBox)
WIDTH, HEIGHT, MARGIN = 1000.0, 640.0, 30.0
LEGEND = 40.0  # kept free at the bottom, under the legend

LAYOUT_SEED = 7

#: claims drawn per claimant at most when the graph is capped
MAX_CLAIMS_PER_CLAIMANT = 12

_SIDE_FIELDS = ("claim", "claimant", "doc_id", "start", "end", "text", "sentence", "date")


def _generated_at() -> str:
    """Now (UTC), or ``$SOURCE_DATE_EPOCH`` when set, so that a report can be reproduced."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch:
        try:
            return datetime.fromtimestamp(int(epoch), timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
        except (ValueError, OverflowError, OSError):
            log.warning("SOURCE_DATE_EPOCH=%r is not a Unix time in seconds; using the current time", epoch)
    return datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")


# ----------------------------------------------------------------------------- contradictions
def load_contradictions(store: ClaimStore) -> tuple[list[dict[str, Any]], bool]:
    """The store's contradictions as contract dicts, and whether a detector is installed.

    ``kg.query.contradictions`` is imported on first use; while it does not exist
    (an older kg) the report shows no contradictions and says why.
    """
    try:
        from kg.query.contradictions import find_contradictions  # type: ignore[import-not-found]
    except ModuleNotFoundError as exc:
        if exc.name not in ("kg.query.contradictions",):
            raise  # the module exists but something it needs is missing: a real error
        log.info("report: no contradiction detector in this kg (kg.query.contradictions); none shown")
        return [], False
    found = find_contradictions(store)
    out = [normalise_contradiction(c.to_json() if hasattr(c, "to_json") else c) for c in found]
    log.debug("report: %d contradictions", len(out))
    return out, True


def normalise_contradiction(item: dict[str, Any]) -> dict[str, Any]:
    """A contradiction in the contract's shape (``kind``, ``confidence``, ``reason``,
    ``a`` and ``b`` with ``claim``, ``claimant``, ``doc_id``, ``start``, ``end``,
    ``text``, ``sentence``, ``date``), missing fields as ``None``."""

    def side(d: Any) -> dict[str, Any]:
        d = d if isinstance(d, dict) else {}
        return {k: d.get(k) for k in _SIDE_FIELDS}

    confidence = item.get("confidence")
    return {
        "kind": str(item.get("kind") or "unknown"),
        "confidence": float(confidence) if isinstance(confidence, (int, float)) else None,
        "reason": item.get("reason") or "",
        "a": side(item.get("a")),
        "b": side(item.get("b")),
    }


# ----------------------------------------------------------------------------- claims
def _claims_and_articles(store: ClaimStore) -> tuple[list[dict[str, Any]], dict[str, dict[str, Any]]]:
    """One row per claim appearance, in date order, and the articles they appear in
    (doc id -> title, outlet, date: kept once, not on every row)."""
    from kg.query import find_claims

    rows: list[dict[str, Any]] = []
    articles: dict[str, dict[str, Any]] = {}
    for r in find_claims(store):
        rows.append({
            "claim": r.claim,
            "claimant": r.claimant,
            "type": r.claimant_type,
            "text": " ".join(r.content.split()),
            "cue": r.cue,
            "date": r.utterance_date or r.date,
            "doc": r.doc_id,
            "relay": r.relay,
        })
        articles.setdefault(r.doc_id, {"title": r.article_title, "outlet": r.outlet, "date": r.date})
    return rows, articles


def _claimants(rows: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """Claimants with their number of claim appearances, most first."""
    n = Counter(r["claimant"] for r in rows if r["claimant"])
    return [{"name": name, "claims": count} for name, count in sorted(n.items(), key=lambda kv: (-kv[1], kv[0]))]


# ----------------------------------------------------------------------------- graph
_GRAPH_CLAIMS = """
SELECT ?claim ?who (MIN(?name0) AS ?name) (MIN(?text0) AS ?text) (MIN(STR(?seen)) AS ?date)
       (MAX(?n) AS ?appearances)
WHERE {
  ?claim a kg:Claim .
  OPTIONAL { ?claim prov:wasAttributedTo ?who . OPTIONAL { ?who schema:name ?name0 } }
  OPTIONAL { ?claim schema:text ?text0 }
  OPTIONAL { ?claim kg:firstSeen ?seen }
  OPTIONAL { ?claim kg:appearanceCount ?n }
} GROUP BY ?claim ?who
"""
_GRAPH_MENTIONS = """
SELECT ?claim ?e (MIN(?name0) AS ?name)
WHERE { ?claim a kg:Claim ; schema:mentions ?e . OPTIONAL { ?e schema:name ?name0 } }
GROUP BY ?claim ?e
"""

LABEL_MAX = 80


def _short(text: str, limit: int = LABEL_MAX) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "\u2026"


def report_network(store: ClaimStore) -> nx.MultiDiGraph:
    """Claimants, claims and the entities the claims mention, as a NetworkX graph.

    Nodes and edges carry ``type`` and ``label`` (node ``weight``: a claimant's
    claims, a claim's appearances, an entity's claims about it; claims also ``text``
    and ``date``, the day first seen), as :func:`kg.build.network.claim_network`
    names them; edges are claimant -``claimed``-> claim -``about``-> entity.
    """

    def name_of(iri: str, name: Any) -> str:
        return str(name) if name else iri.rsplit("/", 1)[-1]

    G = nx.MultiDiGraph()
    claim_rows = sorted(store.query(_GRAPH_CLAIMS), key=lambda r: (r["claim"], r["who"] or ""))  # type: ignore[union-attr]
    mention_rows = sorted(store.query(_GRAPH_MENTIONS), key=lambda r: (r["claim"], r["e"]))  # type: ignore[union-attr]
    for r in claim_rows:
        if r["claim"] not in G:
            text = " ".join(str(r["text"] or "").split())
            attrs: dict[str, Any] = {"type": "claim", "label": _short(text or r["claim"]), "text": text,
                                     "weight": float(r["appearances"] or 1)}
            if r["date"]:
                attrs["date"] = r["date"]
            G.add_node(r["claim"], **attrs)
        if r["who"]:
            if r["who"] not in G:
                G.add_node(r["who"], type="claimant", label=name_of(r["who"], r["name"]), weight=0.0)
            G.add_edge(r["who"], r["claim"], type="claimed")
            G.nodes[r["who"]]["weight"] += 1.0
    for r in mention_rows:
        if r["claim"] not in G:
            continue
        if r["e"] not in G:
            G.add_node(r["e"], type="entity", label=name_of(r["e"], r["name"]), weight=0.0)
        G.add_edge(r["claim"], r["e"], type="about")
        if G.nodes[r["e"]]["type"] == "entity":
            G.nodes[r["e"]]["weight"] += 1.0
    return G


def graph_data(
    network: nx.MultiDiGraph,
    contradictions: Sequence[dict[str, Any]] = (),
    *,
    max_nodes: int = DEFAULT_MAX_GRAPH_NODES,
) -> dict[str, Any]:
    """Claimants, claims and entities of ``network`` (:func:`report_network`)
    with the contradiction edges, laid out, capped at ``max_nodes`` nodes.

    Returns ``{"nodes": [{"id", "label", "type", "weight", "x", "y"}], "edges": [[i, j, type]],
    "total_nodes", "total_claimants", "shown_claimants", "capped", "claims_per_claimant"}``
    (``None`` when not capped); edge types are
    ``claimed``, ``about``, ``relayed_via`` and ``contradicts``.
    """
    if max_nodes < 1:
        raise ValueError(f"max_nodes must be at least 1, got {max_nodes!r}")
    kinds = {n: d.get("type") for n, d in network.nodes(data=True)}
    keep = {n for n, t in kinds.items() if t in GRAPH_NODE_TYPES}
    claims_of: dict[str, list[str]] = defaultdict(list)
    about: dict[str, list[str]] = defaultdict(list)
    plain_edges: list[tuple[str, str, str]] = []
    for u, v, d in network.edges(data=True):
        t = d.get("type")
        if u not in keep or v not in keep or t not in ("claimed", "about", "relayed_via"):
            continue
        plain_edges.append((u, v, t))
        if t == "claimed":
            claims_of[u].append(v)
        elif t == "about":
            about[u].append(v)
    contra_pairs = sorted(
        {
            tuple(sorted((c["a"]["claim"], c["b"]["claim"])))
            for c in contradictions
            if c["a"].get("claim") in keep and c["b"].get("claim") in keep and c["a"]["claim"] != c["b"]["claim"]
        }
    )
    in_contradiction = {iri for pair in contra_pairs for iri in pair}

    claimants = sorted(
        (n for n in keep if kinds[n] == "claimant"),
        key=lambda n: (
            not any(c in in_contradiction for c in claims_of[n]),
            -len(claims_of[n]),
            str(network.nodes[n].get("label", n)).lower(),
            n,
        ),
    )
    # a capped graph shows each claimant with a few claims (those in a contradiction, then the most
    # repeated, then those naming most entities): one prolific claimant must not fill the picture
    capped = len(keep) > max_nodes
    per_claimant = max(3, min(MAX_CLAIMS_PER_CLAIMANT, max_nodes // 20)) if capped else None

    def claim_rank(c: str) -> tuple[bool, float, int, str]:
        return (c not in in_contradiction, -float(network.nodes[c].get("weight") or 0.0), -len(about[c]), c)

    chosen: set[str] = set()
    shown = 0
    for who in claimants:
        picked = sorted(claims_of[who], key=claim_rank)
        if per_claimant is not None:
            picked = [c for c in picked if c in in_contradiction] or picked[:0]
            picked += [c for c in sorted(claims_of[who], key=claim_rank) if c not in in_contradiction][
                : max(0, per_claimant - len(picked))
            ]
        group = {who, *picked}
        group.update(e for c in picked for e in about[c])
        new = group - chosen
        if len(chosen) + len(new) > max_nodes:
            if shown == 0:  # the first claimant alone is too big: show what fits of it
                chosen.update(sorted(new, key=lambda n: (n != who, kinds[n] != "claim", n))[:max_nodes])
                shown = 1
            break
        chosen |= new
        shown += 1
    if not claimants:  # a store of unattributed claims: show what fits
        chosen = set(sorted(keep)[:max_nodes])
    n_total_claimants = len(claimants)

    G = nx.Graph()
    G.add_nodes_from(sorted(chosen))
    edges: list[tuple[str, str, str]] = []
    for u, v, t in sorted(set(plain_edges)):
        if u in chosen and v in chosen:
            edges.append((u, v, t))
            G.add_edge(u, v)
    for a, b in contra_pairs:
        if a in chosen and b in chosen:
            edges.append((a, b, "contradicts"))
            G.add_edge(a, b)
    pos = _layout(G)
    index = {n: i for i, n in enumerate(sorted(chosen))}
    nodes = []
    for n in sorted(chosen):
        d = network.nodes[n]
        x, y = pos.get(n, (WIDTH / 2, HEIGHT / 2))
        node: dict[str, Any] = {
            "id": n,
            "label": str(d.get("label") or n),
            "type": kinds[n],
            "weight": float(d.get("weight") or 0.0),
            "x": round(x, 1),
            "y": round(y, 1),
        }
        if kinds[n] == "claim":
            node["text"] = " ".join(str(d.get("text") or "").split())
            if d.get("date"):
                node["date"] = d["date"]
        nodes.append(node)
    result = {
        "nodes": nodes,
        "edges": [[index[u], index[v], t] for u, v, t in edges],
        "total_nodes": len(keep),
        "total_claimants": n_total_claimants,
        "shown_claimants": min(shown, n_total_claimants),
        "capped": len(chosen) < len(keep),
        "claims_per_claimant": per_claimant,
    }
    log.debug("report graph: %d of %d nodes, %d edges, %d of %d claimants", len(nodes), len(keep),
              len(edges), result["shown_claimants"], n_total_claimants)
    return result


def _spread(values: list[float]) -> list[float]:
    """Coordinates in [0, 1], half by value and half by rank: a few far-flung nodes
    (a long chain, a hub's fringe) then no longer crush everyone else into a corner."""
    lo, hi = min(values), max(values)
    order = sorted(range(len(values)), key=lambda i: (values[i], i))
    rank = [0.0] * len(values)
    for r, i in enumerate(order):
        rank[i] = r / max(1, len(values) - 1)
    return [0.5 * (v - lo) / ((hi - lo) or 1.0) + 0.5 * rank[i] for i, v in enumerate(values)]


def _layout(G: nx.Graph) -> dict[str, tuple[float, float]]:
    """Node positions in the canvas, deterministic for a given graph.

    Each connected component is laid out on its own (spring layout, fixed seed,
    spread by :func:`_spread`) in a box of the canvas' shape whose size grows with
    the square root of the component's; the boxes are packed in rows, largest
    first, and the whole is scaled to the canvas.  (One spring layout of a graph
    with many small components pushes them to the rim and crushes the big one.)
    """
    if G.number_of_nodes() == 0:
        return {}
    aspect = (WIDTH / (HEIGHT - LEGEND)) ** 0.5
    components = sorted((sorted(c) for c in nx.connected_components(G)), key=lambda c: (-len(c), c[0]))
    boxes: list[tuple[list[str], dict[str, tuple[float, float]], float, float]] = []
    for nodes in components:
        side = 1.0 + 1.6 * len(nodes) ** 0.5
        w, h = (side * aspect, side / aspect) if len(nodes) > 3 else (side, side)
        if len(nodes) == 1:
            boxes.append((nodes, {nodes[0]: (0.5, 0.5)}, w, h))
            continue
        # the dense solver ("force") at any size: the sparse one needs SciPy, which kg does not install
        raw = nx.spring_layout(G.subgraph(nodes), seed=LAYOUT_SEED, iterations=150, method="force")
        xs = _spread([float(raw[n][0]) for n in nodes])
        ys = _spread([float(raw[n][1]) for n in nodes])
        boxes.append((nodes, {n: (xs[i], ys[i]) for i, n in enumerate(nodes)}, w, h))
    # shelf packing into rows as wide as the canvas' shape wants
    area = sum(w * h for _, _, w, h in boxes)
    row_width = max(boxes[0][2], (area * aspect * aspect) ** 0.5)
    placed: dict[str, tuple[float, float]] = {}
    x = y = row_height = 0.0
    for nodes, unit, w, h in boxes:
        if x > 0 and x + w > row_width * 1.05:
            x, y, row_height = 0.0, y + row_height, 0.0
        pad = (0.08 if len(nodes) > 3 else 0.3) * min(w, h) if len(nodes) > 1 else 0.0
        for n, (ux, uy) in unit.items():
            placed[n] = (x + pad + ux * (w - 2 * pad), y + pad + uy * (h - 2 * pad))
        x += w
        row_height = max(row_height, h)
    xs = [p[0] for p in placed.values()]
    ys = [p[1] for p in placed.values()]
    x0, y0 = min(xs), min(ys)
    span_x, span_y = (max(xs) - x0) or 1.0, (max(ys) - y0) or 1.0
    scale = min((WIDTH - 2 * MARGIN) / span_x, (HEIGHT - 2 * MARGIN - LEGEND) / span_y)
    off_x = (WIDTH - span_x * scale) / 2
    off_y = (HEIGHT - LEGEND - span_y * scale) / 2
    return {n: (off_x + (px - x0) * scale, off_y + (py - y0) * scale) for n, (px, py) in placed.items()}


# ----------------------------------------------------------------------------- everything
def report_data(
    store: ClaimStore,
    *,
    max_graph_nodes: int = DEFAULT_MAX_GRAPH_NODES,
    contradictions: Sequence[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """Everything the report shows, read from ``store``.

    ``contradictions`` (contract dicts) replaces the detector's output when given.
    """
    rows, articles = _claims_and_articles(store)
    if contradictions is None:
        found, detector = load_contradictions(store)
    else:
        found, detector = [normalise_contradiction(c) for c in contradictions], True
    graph = graph_data(report_network(store), found, max_nodes=max_graph_nodes)
    stats = store.stats()
    return {
        "meta": {
            "kg_version": __version__,
            "generated": _generated_at(),
            "store": os.path.basename(os.path.normpath(str(store.path))) or str(store.path),
            "articles": stats.get("articles", 0),
            "outlets": stats.get("outlets", 0),
            "claims": stats.get("claims", 0),
            "appearances": stats.get("appearances", 0),
            "triples": stats.get("triples", 0),
            "detector": detector,
        },
        "claims": rows,
        "articles": articles,
        "claimants": _claimants(rows),
        "contradictions": found,
        "graph": graph,
    }
