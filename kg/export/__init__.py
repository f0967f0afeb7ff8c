"""Exports of the claim store: Turtle, TriG, N-Quads, JSON-LD (RDF), GraphML and GEXF (Gephi).

The writers are imported on first use, so that reading :data:`FORMATS` (the ``kg``
command line does, for its ``--format`` choices) loads neither pyoxigraph nor networkx.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from kg.export.dataset import export_nquads, export_trig
    from kg.export.gexf import export_gexf
    from kg.export.graphml import export_claimant_graphml, export_graphml
    from kg.export.jsonld import export_jsonld
    from kg.export.turtle import export_turtle
    from kg.store.oxigraph_store import ClaimStore

__all__ = [
    "export", "export_turtle", "export_graphml", "export_claimant_graphml", "export_gexf", "export_trig",
    "export_nquads", "export_jsonld", "FORMATS",
]

#: writer name -> module that defines it
_MODULES = {
    "export_turtle": "kg.export.turtle",
    "export_graphml": "kg.export.graphml",
    "export_claimant_graphml": "kg.export.graphml",
    "export_gexf": "kg.export.gexf",
    "export_trig": "kg.export.dataset",
    "export_nquads": "kg.export.dataset",
    "export_jsonld": "kg.export.jsonld",
}


def __getattr__(name: str) -> Any:
    if name in _MODULES:
        return getattr(importlib.import_module(_MODULES[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _writer(name: str) -> Callable[[ClaimStore, Path], Path]:
    def write(store: ClaimStore, path: Path) -> Path:
        return __getattr__(name)(store, path)

    write.__name__ = write.__qualname__ = name
    write.__doc__ = f"{_MODULES[name]}.{name} (imported on first call)."
    return write


#: format -> (file name, writer)
FORMATS: dict[str, tuple[str, Callable[[ClaimStore, Path], Path]]] = {
    "turtle": ("claims.ttl", _writer("export_turtle")),
    "graphml": ("claims.graphml", _writer("export_graphml")),
    "graphml-claimants": ("claimants.graphml", _writer("export_claimant_graphml")),
    "gexf": ("claims.gexf", _writer("export_gexf")),
    "trig": ("claims.trig", _writer("export_trig")),
    "nquads": ("claims.nq", _writer("export_nquads")),
    "jsonld": ("claims.jsonld", _writer("export_jsonld")),
}


#: what ``kg build`` and ``kg export`` write unless told otherwise: Turtle for SPARQL, the two
#: GraphML views and the dynamic GEXF for Gephi
DEFAULT_FORMATS = ("turtle", "graphml", "graphml-claimants", "gexf")


def export(store: ClaimStore, out_dir: Path | str, formats: Iterable[str] = DEFAULT_FORMATS) -> dict[str, Path]:
    """Write the files of ``formats`` (default :data:`DEFAULT_FORMATS`: ``claims.ttl``,
    ``claims.graphml``, ``claimants.graphml``, ``claims.gexf``; see :data:`FORMATS`) into
    ``out_dir``; returns format -> path."""
    formats = list(dict.fromkeys(formats))
    unknown = [f for f in formats if f not in FORMATS]
    if unknown:
        raise ValueError(f"unknown export format(s) {', '.join(unknown)}; choose from {', '.join(FORMATS)}")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    return {fmt: FORMATS[fmt][1](store, out / FORMATS[fmt][0]) for fmt in formats}
