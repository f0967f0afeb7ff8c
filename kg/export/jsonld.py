"""The merged graph of all articles as one JSON-LD file."""

from __future__ import annotations

import logging
from pathlib import Path

from pyoxigraph import RdfFormat, serialize

from kg.export.atomic import atomic_path
from kg.store.oxigraph_store import ClaimStore

log = logging.getLogger(__name__)

__all__ = ["export_jsonld"]


def export_jsonld(store: ClaimStore, path: Path | str) -> Path:
    """Write the store's merged (default) graph to ``path`` as JSON-LD; returns ``path``.

    Serialised by pyoxigraph (``RdfFormat.JSON_LD``): expanded JSON-LD, one node
    object per subject, full IRIs and no ``@context`` (pyoxigraph 0.5 ignores
    ``prefixes`` and ``base_iri`` for JSON-LD, so none are passed).  Triples are sorted
    by their N-Triples form first, so the same store gives a byte-identical file every
    run.  Like the Turtle export it carries no named graphs.  The write is atomic.
    """
    target = Path(path)
    triples = sorted(store.triples(), key=str)
    with atomic_path(target) as tmp:
        with open(tmp, "wb") as fh:
            serialize(triples, fh, format=RdfFormat.JSON_LD)
    log.info("wrote %d triples to %s", len(triples), target)
    return target
