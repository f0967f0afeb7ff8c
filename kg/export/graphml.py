"""The claims-as-nodes network as GraphML, for Gephi."""

from __future__ import annotations

import logging
from pathlib import Path

import networkx as nx

from kg.build.network import claim_network
from kg.export.atomic import atomic_path
from kg.store.oxigraph_store import ClaimStore

log = logging.getLogger(__name__)

__all__ = ["export_graphml"]


def export_graphml(store: ClaimStore, path: Path | str) -> Path:
    """Write :func:`kg.build.network.claim_network` to ``path`` as GraphML.

    Key ids are the attribute names (``named_key_ids=True``), so Gephi cannot
    mistake a ``d3``/``d7`` key for the label.  Atomic: a failure leaves no partial file.
    """
    target = Path(path)
    G = claim_network(store)
    with atomic_path(target) as tmp:
        nx.write_graphml(G, str(tmp), named_key_ids=True)
    log.info("wrote %d nodes, %d edges to %s", G.number_of_nodes(), G.number_of_edges(), target)
    return target
