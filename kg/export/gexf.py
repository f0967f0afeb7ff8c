"""The claims-as-nodes network as dynamic GEXF 1.2, for Gephi's timeline.

Written by networkx's GEXF writer, with three adjustments made on the XML tree it
builds (no XML is written by hand):

* the graph is always ``mode="dynamic"`` with ``timeformat="date"`` (networkx sets
  them only when it meets a date);
* ``meta/@lastmodifieddate`` is the latest date in the graph, not the day of the
  export, so the same store gives the same bytes on any day (no date: left out);
* the ``networkx_key`` edge column networkx adds for multigraphs is dropped: the key
  is already the edge ``id``.

GEXF gives an edge's ``type`` attribute a meaning of its own (directed / undirected /
mutual), so the edge type of :mod:`kg.build.network` is written as the ``relation``
column (and the edge label); node types stay in ``type``.  Colour and size become
``viz:color`` / ``viz:size``, and contradiction edges are coloured vermilion.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import networkx as nx
from networkx.readwrite.gexf import GEXFWriter

from kg.build.network import CONTRADICTION_COLOUR
from kg.build.views import dated_claim_network
from kg.export.atomic import atomic_path
from kg.store.oxigraph_store import ClaimStore

log = logging.getLogger(__name__)

__all__ = ["export_gexf", "gexf_graph"]

GEXF_VERSION = "1.2draft"
_STYLE_KEYS = ("r", "g", "b", "size")


def gexf_graph(G: nx.MultiDiGraph) -> nx.MultiDiGraph:
    """A copy of a dated claim network with the attribute names networkx's GEXF writer expects."""
    H = nx.MultiDiGraph(name=G.graph.get("name", ""), mode="dynamic")
    for node, data in G.nodes(data=True):
        attrs = {k: v for k, v in data.items() if k not in _STYLE_KEYS}
        if all(k in data for k in _STYLE_KEYS):
            attrs["viz"] = {
                "color": {"r": data["r"], "g": data["g"], "b": data["b"], "a": 1.0},
                "size": data["size"],
            }
        H.add_node(node, **attrs)
    for u, v, key, data in G.edges(keys=True, data=True):
        attrs = {k: v for k, v in data.items() if k != "type"}
        attrs["relation"] = data["type"]
        attrs["id"] = key
        if data["type"] == "contradicts":
            r, g, b = CONTRADICTION_COLOUR
            attrs["viz"] = {"color": {"r": r, "g": g, "b": b, "a": 1.0}}
        H.add_edge(u, v, key=key, **attrs)
    return H


def _latest_date(G: nx.MultiDiGraph) -> str | None:
    dates = [d["start"] for _, d in G.nodes(data=True) if "start" in d]
    return max(dates) if dates else None


def _write(G: nx.MultiDiGraph, path: Path) -> None:
    writer = GEXFWriter(encoding="utf-8", prettyprint=True, version=GEXF_VERSION)
    writer.add_graph(G)
    graph_el: Any = writer.graph_element
    graph_el.set("mode", "dynamic")
    graph_el.set("timeformat", "date")
    meta = writer.xml.find("meta")
    if meta is not None:
        latest = _latest_date(G)
        if latest:
            meta.set("lastmodifieddate", latest)
        else:
            meta.attrib.pop("lastmodifieddate", None)
    # the multigraph key is the edge id already: drop the column networkx adds for it
    for attributes in graph_el.findall("attributes"):
        for attribute in list(attributes):
            if attribute.get("title") == "networkx_key":
                attributes.remove(attribute)
                key_id = attribute.get("id")
                for attvalues in graph_el.iter("attvalues"):
                    for value in list(attvalues):
                        if value.get("for") == key_id:
                            attvalues.remove(value)
    with open(path, "wb") as fh:
        writer.write(fh)


def export_gexf(store: ClaimStore, path: Path | str) -> Path:
    """Write :func:`kg.build.views.dated_claim_network` to ``path`` as dynamic GEXF 1.2.

    Atomic: a failure leaves no partial file (and an earlier export intact).
    """
    target = Path(path)
    G = gexf_graph(dated_claim_network(store))
    with atomic_path(target) as tmp:
        _write(G, tmp)
    log.info("wrote %d nodes, %d edges to %s", G.number_of_nodes(), G.number_of_edges(), target)
    return target
