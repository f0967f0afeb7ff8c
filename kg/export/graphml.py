"""The claim graph as GraphML, for Gephi: claims as nodes, and claimant -> claimant."""

from __future__ import annotations

import logging
from pathlib import Path

import networkx as nx

from kg.build.network import claim_network
from kg.build.views import claimant_network
from kg.export.atomic import atomic_path
from kg.store.oxigraph_store import ClaimStore

log = logging.getLogger(__name__)

__all__ = ["export_graphml", "export_claimant_graphml", "write_graphml"]


def write_graphml(G: nx.Graph, path: Path | str) -> Path:
    """Write ``G`` to ``path`` as GraphML Gephi reads, atomically.

    Key ids are the attribute names (``named_key_ids=True``), so Gephi cannot
    mistake a ``d3``/``d7`` key for the label.  A failure leaves no partial file.
    """
    target = Path(path)
    with atomic_path(target) as tmp:
        nx.write_graphml(G, str(tmp), named_key_ids=True)
    log.info("wrote %d nodes, %d edges to %s", G.number_of_nodes(), G.number_of_edges(), target)
    return target


def export_graphml(store: ClaimStore, path: Path | str) -> Path:
    """Write :func:`kg.build.network.claim_network` (claims as nodes) to ``path`` as GraphML."""
    return write_graphml(claim_network(store), path)


def export_claimant_graphml(store: ClaimStore, path: Path | str) -> Path:
    """Write :func:`kg.build.views.claimant_network` (claimant -> claimant) to ``path`` as GraphML."""
    return write_graphml(claimant_network(store), path)
