"""Every named graph of the store, with its quads, as TriG or N-Quads."""

from __future__ import annotations

import logging
from pathlib import Path

from pyoxigraph import Quad, RdfFormat, serialize

from kg.build.namespaces import PREFIXES
from kg.export.atomic import atomic_path
from kg.store.oxigraph_store import ClaimStore

log = logging.getLogger(__name__)

__all__ = ["export_trig", "export_nquads"]


def _sorted_quads(store: ClaimStore) -> list[Quad]:
    """The store's named-graph quads by graph name, then by N-Triples form of the triple."""
    return sorted(store.named_graph_quads(), key=lambda q: (str(q.graph_name), str(q.triple)))


def export_trig(store: ClaimStore, path: Path | str) -> Path:
    """Write every named graph of the store to ``path`` as TriG; returns ``path``.

    One ``GRAPH { … }`` block per named graph (one per article, and any other named
    graph the store holds), not the merged default graph, which is their union.
    Serialised by pyoxigraph with the kg prefixes; quads are sorted by graph, then by
    N-Triples form, so the same store gives a byte-identical file every run.
    The write is atomic: a failure leaves no partial file.
    """
    target = Path(path)
    quads = _sorted_quads(store)
    with atomic_path(target) as tmp:
        with open(tmp, "wb") as fh:
            serialize(quads, fh, format=RdfFormat.TRIG, prefixes=PREFIXES)
    log.info("wrote %d quads to %s", len(quads), target)
    return target


def export_nquads(store: ClaimStore, path: Path | str) -> Path:
    """Write the quads of :func:`export_trig` to ``path`` as N-Quads, one a line; returns ``path``.

    Same order as the TriG file (by graph, then N-Triples form); atomic.
    """
    target = Path(path)
    quads = _sorted_quads(store)
    with atomic_path(target) as tmp:
        with open(tmp, "wb") as fh:
            serialize(quads, fh, format=RdfFormat.N_QUADS)
    log.info("wrote %d quads to %s", len(quads), target)
    return target
