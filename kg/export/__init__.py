"""Exports of the claim store: Turtle (RDF) and GraphML (Gephi)."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from kg.export.graphml import export_graphml
from kg.export.turtle import export_turtle
from kg.store.oxigraph_store import ClaimStore

__all__ = ["export", "export_turtle", "export_graphml", "FORMATS"]

#: format -> (file name, writer)
FORMATS = {
    "turtle": ("claims.ttl", export_turtle),
    "graphml": ("claims.graphml", export_graphml),
}


def export(store: ClaimStore, out_dir: Path | str, formats: Iterable[str] = ("turtle", "graphml")) -> dict[str, Path]:
    """Write ``claims.ttl`` / ``claims.graphml`` into ``out_dir``; returns format -> path."""
    formats = list(dict.fromkeys(formats))
    unknown = [f for f in formats if f not in FORMATS]
    if unknown:
        raise ValueError(f"unknown export format(s) {', '.join(unknown)}; choose from {', '.join(FORMATS)}")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    return {fmt: FORMATS[fmt][1](store, out / FORMATS[fmt][0]) for fmt in formats}
