"""The union of all article graphs as one Turtle file."""

from __future__ import annotations

import logging
from pathlib import Path

from pyoxigraph import RdfFormat, serialize

from kg.build.namespaces import PREFIXES
from kg.export.atomic import atomic_path
from kg.store.oxigraph_store import ClaimStore

log = logging.getLogger(__name__)

__all__ = ["export_turtle"]


def export_turtle(store: ClaimStore, path: Path | str) -> Path:
    """Write the store's union graph to ``path`` as Turtle; returns ``path``.

    Serialised by pyoxigraph with the kg prefixes.  Triples are sorted by their
    N-Triples form first, so the same store gives a byte-identical file every run.
    (Turtle carries no named graphs: per-article provenance is in the store.)
    The write is atomic: a failure leaves no partial file.
    """
    target = Path(path)
    triples = sorted(store.triples(), key=str)
    with atomic_path(target) as tmp:
        with open(tmp, "wb") as fh:
            serialize(triples, fh, format=RdfFormat.TURTLE, prefixes=PREFIXES)
    log.info("wrote %d triples to %s", len(triples), target)
    return target
