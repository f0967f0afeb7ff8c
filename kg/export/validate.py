"""Validate an export (or a store) against the SHACL shapes in ``schemas/shapes.ttl``.

pySHACL is a test-time dependency only (``pip install -e '.[test]'`` or
``pip install pyshacl``); it is imported when :func:`validate_graph` is called, so
the rest of kg never needs it.

The shapes describe the merged graph (every article graph plus the resolved graph).
Turtle and JSON-LD exports are that graph already; for TriG and N-Quads exports,
which keep one named graph per article, the union of all their graphs is validated
(pySHACL given an rdflib ``Dataset`` would validate each named graph on its own,
and a single article graph lacks the resolved links by design).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import rdflib

    from kg.store.oxigraph_store import ClaimStore

__all__ = ["validate_graph", "shapes_path", "load_rdf", "RDF_FORMATS"]

#: file suffix -> rdflib parser name
RDF_FORMATS: dict[str, str] = {
    ".ttl": "turtle",
    ".turtle": "turtle",
    ".nt": "nt",
    ".trig": "trig",
    ".nq": "nquads",
    ".nquads": "nquads",
    ".jsonld": "json-ld",
    ".json": "json-ld",
    ".rdf": "xml",
    ".xml": "xml",
}

#: formats that carry named graphs: parsed into a Dataset, then merged
_QUAD_FORMATS = {"trig", "nquads"}


def shapes_path() -> Path:
    """``schemas/shapes.ttl`` of the kg checkout this package was installed (editable) from."""
    path = Path(__file__).resolve().parents[2] / "schemas" / "shapes.ttl"
    if not path.is_file():
        raise FileNotFoundError(
            f"SHACL shapes not found at {path}: kg reads them from the repository's schemas/ folder, "
            "so install kg editable from a checkout (pip install -e .) or pass shapes=<path to shapes.ttl>"
        )
    return path


def load_rdf(path: Path | str, format: str | None = None) -> rdflib.Graph:
    """The graph in the RDF file ``path`` as one rdflib Graph (the union of all its graphs).

    The format comes from the suffix (see :data:`RDF_FORMATS`) unless ``format`` (an
    rdflib parser name) is given.
    """
    import rdflib

    path = Path(path)
    fmt = format or RDF_FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise ValueError(
            f"cannot tell the RDF format of {path.name!r} from its suffix; "
            f"use one of {', '.join(sorted(RDF_FORMATS))} or pass format="
        )
    if fmt in _QUAD_FORMATS:
        dataset = rdflib.Dataset()
        dataset.parse(path, format=fmt)
        merged = rdflib.Graph()
        for s, p, o, _g in dataset.quads((None, None, None, None)):
            merged.add((s, p, o))
        return merged
    graph = rdflib.Graph()
    graph.parse(path, format=fmt)
    return graph


def _store_graph(store: ClaimStore) -> rdflib.Graph:
    """The store's merged (default) graph, copied into rdflib through N-Triples."""
    import rdflib
    from pyoxigraph import RdfFormat, serialize

    data = serialize(store.triples(), format=RdfFormat.N_TRIPLES)
    graph = rdflib.Graph()
    graph.parse(data=data or b"", format="nt")
    return graph


def _as_graph(source: Any, format: str | None) -> rdflib.Graph:
    import rdflib

    from kg.store.oxigraph_store import ClaimStore

    if isinstance(source, ClaimStore):
        return _store_graph(source)
    if isinstance(source, rdflib.Dataset):  # validate the union, not graph by graph
        merged = rdflib.Graph()
        for s, p, o, _g in source.quads((None, None, None, None)):
            merged.add((s, p, o))
        return merged
    if isinstance(source, rdflib.Graph):
        return source
    if isinstance(source, (str, Path)):
        return load_rdf(source, format)
    raise TypeError(f"cannot validate a {type(source).__name__}: pass a file path, a ClaimStore or an rdflib Graph")


def validate_graph(
    path_or_store: Path | str | ClaimStore | rdflib.Graph,
    shapes: Path | str | None = None,
    *,
    format: str | None = None,
) -> tuple[bool, str]:
    """Validate an RDF export file, an open :class:`ClaimStore` or an rdflib graph against SHACL shapes.

    ``shapes`` defaults to the repository's ``schemas/shapes.ttl``.  An export file is
    read with rdflib (format from its suffix, or ``format``); TriG/N-Quads exports are
    validated as the union of their named graphs; a store as its merged graph.
    Returns ``(conforms, report_text)``, the report as pySHACL writes it (each
    violation with its focus node, path, value and message).

    Raises :class:`ImportError` if pySHACL is not installed.
    """
    try:
        from pyshacl import validate
    except ImportError as exc:  # a test extra, not a dependency of kg
        raise ImportError(
            "validating against the SHACL shapes needs pySHACL, which kg does not install by default: "
            "pip install pyshacl   (or pip install -e '.[test]')"
        ) from exc
    import rdflib

    data = _as_graph(path_or_store, format)
    shapes_graph = rdflib.Graph().parse(Path(shapes) if shapes is not None else shapes_path(), format="turtle")
    conforms, _results, text = validate(
        data,
        shacl_graph=shapes_graph,
        inference="none",
        abort_on_first=False,
        allow_warnings=False,
        meta_shacl=False,
        advanced=False,
        debug=False,
    )
    return bool(conforms), str(text)
