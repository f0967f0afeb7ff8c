"""The embedded on-disk claim store: pyoxigraph's RocksDB-backed ``Store``.

One named graph per article (see :mod:`kg.build.rdf`), so an article can be replaced
exactly.  The default graph holds the RDF merge of all article graphs (each distinct
triple once) and is what queries see: a node named by two articles is counted once,
as it would be over the Turtle export.  Only one process can hold a store open
read-write (RocksDB's lock): a second one gets :class:`StoreLockedError`.

Atomicity: a new article and its share of the merged graph are added with one
``Store.extend`` (transactional); a changed or removed article is handled with one
SPARQL UPDATE (delete from the merge the triples no other article states, ``DROP``
the graph, ``INSERT DATA`` the new one), which Oxigraph applies as a single
transaction, so readers and crashes see either the old or the new state, never a mix.

When each article graph was written (the wall clock, or ``$SOURCE_DATE_EPOCH``) is kept
in :data:`kg.build.rdf.INGEST_LOG_GRAPH`, in the same transaction as the article, and
nowhere else: it is not merged, so queries and exports are a function of the articles
alone and rebuilding them at another time gives the same bytes.
"""

from __future__ import annotations

import hashlib
import logging
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, Literal as TLiteral

from pyoxigraph import (
    BlankNode,
    DefaultGraph,
    Literal,
    NamedNode,
    Quad,
    QueryBoolean,
    QuerySolutions,
    QueryTriples,
    RdfFormat,
    Store,
    Triple,
    Variable,
    serialize,
)

from kg.build.namespaces import KG_NS, KGR, PREFIXES, PROV_NS, XSD, XSD_NS
from kg.build.rdf import (
    ARTICLE_GRAPH_PREFIX,
    CONTRADICTIONS_GRAPH,
    INGEST_LOG_GRAPH,
    RESOLVED_GRAPH,
    article_iri,
    graph_iri,
)
from kg.errors import ExitCode, KgError
from kg.records import Document
from kg.store.sparql_text import syntax_error_context, update_operation, uses_service

log = logging.getLogger(__name__)

#: the graphs kg computes from the article graphs (replaced whole, never edited)
DERIVED_GRAPHS = (RESOLVED_GRAPH, CONTRADICTIONS_GRAPH)

__all__ = ["ClaimStore", "StoreError", "StoreLockedError", "QueryError", "ServiceError", "to_python",
           "DocumentStatus", "DERIVED_GRAPHS"]

DocumentStatus = TLiteral["new", "unchanged", "changed"]

Term = NamedNode | BlankNode | Literal | Triple
ParamValue = str | int | float | bool | NamedNode | BlankNode | Literal


class StoreError(KgError):
    """The claim store cannot be opened or used."""

    exit_code = ExitCode.STORE


class QueryError(KgError, ValueError):
    """A query kg will not or cannot run: a syntax error (with its place), an update, a SERVICE clause."""


class ServiceError(KgError):
    """A SERVICE endpoint of a federated query could not be reached."""

    exit_code = ExitCode.UNREACHABLE


class StoreLockedError(StoreError):
    """Another process (or another handle in this one) holds the store open."""


_INT_TYPES = {
    XSD + t
    for t in (
        "integer", "int", "long", "short", "byte", "nonNegativeInteger", "positiveInteger",
        "nonPositiveInteger", "negativeInteger", "unsignedLong", "unsignedInt", "unsignedShort",
        "unsignedByte",
    )
}
_FLOAT_TYPES = {XSD + t for t in ("double", "float", "decimal")}
_BOOLEAN = XSD + "boolean"


def to_python(term: Term | None) -> Any:
    """A query result term as a plain Python value.

    ``NamedNode`` -> IRI ``str``; ``Literal`` -> ``int`` / ``float`` / ``bool`` per its
    XSD datatype, ``str`` (its lexical form) otherwise (dates stay ``"YYYY-MM-DD"``);
    ``BlankNode`` -> ``"_:id"``; ``Triple`` -> ``(s, p, o)`` converted; ``None`` stays.
    """
    if term is None:
        return None
    if isinstance(term, NamedNode):
        return term.value
    if isinstance(term, Literal):
        dt = term.datatype.value
        try:
            if dt in _INT_TYPES:
                return int(term.value)
            if dt in _FLOAT_TYPES:
                return float(term.value)
            if dt == _BOOLEAN:
                return term.value in ("true", "1")
        except ValueError:  # ill-typed literal: keep the lexical form
            return term.value
        return term.value
    if isinstance(term, BlankNode):
        return f"_:{term.value}"
    if isinstance(term, Triple):
        return (to_python(term.subject), to_python(term.predicate), to_python(term.object))
    return str(term)


def _to_term(value: ParamValue) -> NamedNode | BlankNode | Literal:
    if isinstance(value, (NamedNode, BlankNode, Literal)):
        return value
    if isinstance(value, (bool, int, float, str)):  # bool before int: Literal(True) is xsd:boolean
        return Literal(value)
    raise TypeError(f"cannot bind a {type(value).__name__} as a SPARQL value: {value!r}")


def _is_lock_error(exc: OSError) -> bool:
    # RocksDB: "While lock file: <path>/LOCK: Resource temporarily unavailable" (other
    # process) or "lock hold by current process ... <path>/LOCK: No locks available".
    msg = str(exc)
    return "/LOCK" in msg or "lock hold by" in msg or "While lock file" in msg


class ClaimStore:
    """A claim graph on disk.  Use :meth:`open`; close it (or use ``with``)."""

    def __init__(self, store: Store, path: Path, read_only: bool) -> None:
        self._store: Store | None = store
        self.path = path
        self.read_only = read_only
        self._unflushed = 0  # quads written since the last flush

    # ------------------------------------------------------------------ lifecycle

    @classmethod
    def open(cls, path: Path | str = ".kg", *, read_only: bool = False) -> ClaimStore:
        """Open (read-write: create if missing) the store at ``path``.

        Raises :class:`StoreLockedError` if another kg process holds it, and
        :class:`StoreError` if it cannot be opened (for ``read_only``: if it does not
        exist).  A read-only handle takes no lock: it sees the store as of opening and
        must not be relied on while another process is writing it.
        """
        p = Path(path)
        if p.is_dir() and not _is_store_dir(p):
            raise StoreError(f"{path} is a folder but not a kg store: refusing to write a store into it "
                             "(give --store a new path or an existing store)")
        try:
            if read_only:
                if not p.is_dir():
                    raise StoreError(f"store {path} does not exist")
                store = Store.read_only(str(p))
            else:
                if p.exists() and not p.is_dir():
                    raise StoreError(f"store {path} is not a directory")
                store = Store(str(p))
        except StoreError:
            raise
        except OSError as exc:
            if _is_lock_error(exc):
                raise StoreLockedError(f"store {path} is in use by another kg process") from exc
            if isinstance(exc, FileNotFoundError) and read_only:
                raise StoreError(f"store {path} does not exist") from exc
            raise StoreError(f"cannot open store {path}: {exc}") from exc
        log.debug("opened store %s (read_only=%s)", p, read_only)
        claim_store = cls(store, p, read_only)
        if not read_only:
            claim_store._migrate_article_graphs()
            claim_store._merge_if_missing()
        return claim_store

    def _migrate_article_graphs(self) -> None:
        """Move article graphs of the old layout (``kgr:graph/{key}``) to ``kgr:graph/article/{key}``.

        (Stores written by kg before article graphs had an IRI space of their own; an
        article whose id was a derived graph's name was lost in them and must be
        ingested again.)
        """
        store = self.oxigraph
        old_prefix = f"{KGR}graph/"
        derived = {g.value for g in DERIVED_GRAPHS}
        old = [g for g in store.named_graphs() if isinstance(g, NamedNode) and g.value.startswith(old_prefix)
               and not g.value.startswith(ARTICLE_GRAPH_PREFIX) and g.value not in derived]
        if not old:
            return
        log.info("store %s: moving %d article graph(s) to the kgr:graph/article/ IRI space", self.path, len(old))
        store.update(" ;\n".join(
            f"MOVE GRAPH {g} TO <{ARTICLE_GRAPH_PREFIX}{g.value[len(old_prefix):]}>" for g in old))

    def _merge_if_missing(self) -> None:
        """Rebuild the merged default graph of a store that has article graphs but no merge.

        (Stores written by kg before the merged graph existed.)
        """
        store = self.oxigraph
        if next(iter(store.quads_for_pattern(None, None, None, DefaultGraph())), None) is not None:
            return
        if next(iter(g for g in store.named_graphs() if g != INGEST_LOG_GRAPH), None) is None:
            return
        log.info("store %s: building the merged graph of its articles", self.path)
        store.update(f"INSERT {{ ?s ?p ?o }} WHERE {{ GRAPH ?g {{ ?s ?p ?o }} FILTER(?g != {INGEST_LOG_GRAPH}) }}")

    def close(self) -> None:
        """Flush and release the store (and its lock).  Idempotent.

        The lock is released when the last reference to the underlying
        ``pyoxigraph.Store`` goes away: do not keep ``.oxigraph`` or an unfinished
        :meth:`triples` iterator beyond ``close()``.
        """
        store, self._store = self._store, None
        if store is None:
            return
        if not self.read_only:
            try:
                store.flush()
            except OSError as exc:  # pragma: no cover - disk trouble
                log.warning("flushing store %s failed: %s", self.path, exc)
        del store
        log.debug("closed store %s", self.path)

    def __enter__(self) -> ClaimStore:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __repr__(self) -> str:
        state = "closed" if self._store is None else ("read-only" if self.read_only else "read-write")
        return f"<ClaimStore {str(self.path)!r} {state}>"

    @property
    def closed(self) -> bool:
        return self._store is None

    @property
    def oxigraph(self) -> Store:
        """The underlying ``pyoxigraph.Store``, for advanced use."""
        if self._store is None:
            raise StoreError(f"store {self.path} is closed")
        return self._store

    def _writable(self) -> Store:
        store = self.oxigraph
        if self.read_only:
            raise StoreError(f"store {self.path} is open read-only")
        return store

    # ------------------------------------------------------------------ documents

    def stored_hash(self, doc_id: str) -> str | None:
        """The ``kg:contentHash`` stored for an article, or ``None`` if it is not stored."""
        quads = self.oxigraph.quads_for_pattern(article_iri(doc_id), KG_NS.contentHash, None, graph_iri(doc_id))
        for q in quads:
            return q.object.value
        return None

    def document_status(self, doc: Document) -> DocumentStatus:
        """``"new"`` (not stored), ``"unchanged"`` (same content hash) or ``"changed"``."""
        stored = self.stored_hash(doc.id)
        if stored is None:
            # a graph without a hash (written by other means) is replaced, not added to
            return "changed" if self.oxigraph.contains_named_graph(graph_iri(doc.id)) else "new"
        return "unchanged" if stored == doc.content_hash else "changed"

    def put_document(self, doc: Document, quads: Sequence[Quad], generated_at: str | None = None) -> DocumentStatus:
        """Store one article's quads atomically; returns what :meth:`document_status` said.

        ``quads`` must all be in the article's named graph (as
        :func:`kg.build.rdf.document_quads` makes them).  New: added in one
        transaction.  Changed: the article's graph is replaced in one transaction.
        Unchanged: nothing is written.  ``generated_at`` (ISO 8601 UTC), when given, is
        logged in the same transaction as when the article's graph was written
        (:meth:`ingested_at`).
        """
        store = self._writable()
        g = graph_iri(doc.id)
        quads = list(quads)
        stray = [q for q in quads if q.graph_name != g]
        if stray:
            raise ValueError(f"{len(stray)} quad(s) are not in the graph of document {doc.id!r} ({g}): {stray[0]}")
        status = self.document_status(doc)
        if status == "new":
            merged = [Quad(q.subject, q.predicate, q.object, DefaultGraph()) for q in quads]
            logged = [] if generated_at is None else [_log_quad(g, generated_at)]
            store.extend(quads + merged + logged)
        elif status == "changed":
            update = _replace_graph_update(g, quads) + " ;\n" + _unlog_update(g)
            if generated_at is not None:
                update += f" ;\nINSERT DATA {{ {_log_quad(g, generated_at)} }}"
            store.update(update)
        if status != "unchanged":
            self._wrote(2 * len(quads))
        log.debug("document %s: %s (%d quads)", doc.id, status, len(quads) if status != "unchanged" else 0)
        return status

    def remove_document(self, doc_id: str) -> bool:
        """Drop an article's graph; ``True`` if it was stored."""
        store = self._writable()
        g = graph_iri(doc_id)
        if not store.contains_named_graph(g):
            return False
        store.update(_replace_graph_update(g, []) + " ;\n" + _unlog_update(g))
        return True

    def ingested_at(self, doc_id: str) -> str | None:
        """When the stored graph of an article was written (ISO 8601 UTC), or ``None``."""
        for q in self.oxigraph.quads_for_pattern(graph_iri(doc_id), PROV_NS.generatedAtTime, None, INGEST_LOG_GRAPH):
            return q.object.value
        return None

    def document_ids(self) -> list[str]:
        """Ids of the stored articles, sorted."""
        rows = self.query("SELECT DISTINCT ?id WHERE { ?a a schema:NewsArticle ; schema:identifier ?id }")
        return sorted(r["id"] for r in rows)

    # ------------------------------------------------------------------ derived graph

    def derived_stamp(self, graph: NamedNode = RESOLVED_GRAPH) -> str | None:
        """What a derived graph was computed from (its ``kg:derivedFrom``), or ``None`` if never."""
        for q in self.oxigraph.quads_for_pattern(graph, KG_NS.derivedFrom, None, graph):
            return q.object.value
        return None

    def resolved_stamp(self) -> str | None:
        """What the derived graph (entities, claims) was computed from, or ``None`` if never."""
        return self.derived_stamp(RESOLVED_GRAPH)

    def replace_derived(self, graph: NamedNode, quads: Iterable[Quad]) -> tuple[int, int]:
        """Make the derived graph ``graph`` exactly ``quads``; returns (added, removed).

        Derived graphs (:data:`DERIVED_GRAPHS`: the resolved graph, the contradictions)
        are computed from the article graphs, never edited.  Only the difference is
        written, with the merged graph kept in step (no other graph states a derived
        graph's triples, so a removed one leaves the merge too).  ``quads`` may be a
        generator and may repeat a quad; memory holds a 16-byte digest per quad, not
        the quads.

        A difference of up to :data:`DERIVED_CHUNK` quads is written in one
        transaction.  A larger one (a first build over a big corpus) is written in
        transactions of that size, so that memory stays bounded, with the graph's
        stamp (``kg:derivedFrom``) removed in the first and written in the last:
        a run cut short leaves the graph without a stamp, which makes the next run
        recompute it, and :meth:`derived_stamp` says so meanwhile.
        """
        if graph not in DERIVED_GRAPHS:
            raise ValueError(f"{graph} is not a derived graph (one of {', '.join(map(str, DERIVED_GRAPHS))})")
        store = self._writable()
        old = {_digest(q) for q in store.quads_for_pattern(None, None, None, graph)}
        seen: set[bytes] = set()
        stamps: list[Quad] = []  # the new kg:derivedFrom, (re)written last
        new_stamps = 0  # of them, those not stored already
        added: list[Quad] = []
        added_total = 0
        chunked = False
        for q in quads:
            if q.graph_name != graph:
                raise ValueError(f"a quad is not in the derived graph {graph}: {q}")
            d = _digest(q)
            if d in seen:
                continue
            seen.add(d)
            if q.subject == graph and q.predicate == KG_NS.derivedFrom:
                # kept even when unchanged: a chunked write drops the stored stamp first
                stamps.append(q)
                new_stamps += d not in old
                continue
            if d in old:
                continue
            added.append(q)
            added_total += 1
            if len(added) >= DERIVED_CHUNK:
                if not chunked:
                    chunked = True
                    self._drop_stamp(graph)
                _add_with_merge(store, added)
                self._wrote(2 * len(added))
                added = []
        removed_digests = old - seen
        del old, seen
        if not chunked and len(removed_digests) + len(added) + len(stamps) <= DERIVED_CHUNK:
            removed = [q for q in store.quads_for_pattern(None, None, None, graph) if _digest(q) in removed_digests]
            _apply_diff(store, graph, removed, added + stamps)
        else:
            if not chunked:
                self._drop_stamp(graph)
            batch: list[Quad] = []
            for q in store.quads_for_pattern(None, None, None, graph):  # a snapshot: safe to delete meanwhile
                if _digest(q) in removed_digests and not (q.subject == graph and q.predicate == KG_NS.derivedFrom):
                    batch.append(q)
                    if len(batch) >= DERIVED_CHUNK:
                        _apply_diff(store, graph, batch, [])
                        self._wrote(2 * len(batch))
                        batch = []
            _apply_diff(store, graph, batch, added)
            self._wrote(2 * (len(batch) + len(added)))
            _apply_diff(store, graph, [], stamps)  # last: the graph is complete
        added_total += new_stamps
        log.debug("derived graph %s: %d quads added, %d removed (%s)", graph, added_total, len(removed_digests),
                  "in chunks" if chunked or len(removed_digests) + added_total > DERIVED_CHUNK else "one transaction")
        return added_total, len(removed_digests)

    def _wrote(self, n_quads: int) -> None:
        """Count quads written; flush RocksDB's write buffers every :data:`FLUSH_EVERY_QUADS`.

        RocksDB keeps recent writes in memory until it flushes them; on a long
        ingest that memory would grow with the corpus without this.
        """
        self._unflushed += n_quads
        if self._unflushed >= FLUSH_EVERY_QUADS:
            self._writable().flush()
            self._unflushed = 0

    def _drop_stamp(self, graph: NamedNode) -> None:
        old = list(self._writable().quads_for_pattern(graph, KG_NS.derivedFrom, None, graph))
        _apply_diff(self._writable(), graph, old, [])

    def replace_resolved(self, quads: Iterable[Quad]) -> tuple[int, int]:
        """Make the resolved graph exactly ``quads`` (see :meth:`replace_derived`)."""
        return self.replace_derived(RESOLVED_GRAPH, quads)

    # ------------------------------------------------------------------ queries

    def raw_query(
        self, sparql: str, params: Mapping[str, ParamValue] | None = None, *, allow_service: bool = False
    ) -> QuerySolutions | QueryBoolean | QueryTriples:
        """Like :meth:`query` but returns pyoxigraph's own (lazy) result object."""
        operation = update_operation(sparql)
        if operation is not None:
            raise QueryError(f"queries are read-only: {operation} is a SPARQL Update; kg changes the store "
                             "only through kg ingest, kg resolve and kg detect (or serve a copy with "
                             "kg serve --writable)")
        if not allow_service and uses_service(sparql):
            raise QueryError("SERVICE (a federated query) is off: kg does not send requests to other "
                             "endpoints unless asked to (kg sparql --allow-service)")
        substitutions = None
        if params:
            substitutions = {Variable(k.lstrip("?$")): _to_term(v) for k, v in params.items()}
        try:
            return self.oxigraph.query(
                sparql,
                prefixes=PREFIXES,
                substitutions=substitutions,
            )
        except SyntaxError as exc:
            raise QueryError(f"syntax error: {syntax_error_context(sparql, str(exc))}") from None
        except OSError as exc:  # a SERVICE endpoint that cannot be reached (allow_service only)
            raise ServiceError(f"a SERVICE endpoint could not be reached: {exc}") from None
        except RuntimeError as exc:
            if "projection" in str(exc):
                raise QueryError(
                    f"{exc} (pyoxigraph only substitutes variables that a SELECT projects: "
                    "add the parameter to the SELECT clause)"
                ) from exc
            raise

    def query(
        self, sparql: str, params: Mapping[str, ParamValue] | None = None, *, allow_service: bool = False
    ) -> list[dict[str, Any]] | bool | list[Triple]:
        """Run SPARQL over the merged graph of all articles (``GRAPH ?g`` reaches each article's own).

        ``params`` bind variables (``{"name": "Jen Psaki"}`` binds ``?name``) through
        pyoxigraph's ``substitutions``: values are never spliced into the query text.
        A plain ``str`` becomes a string literal; pass a ``NamedNode`` for an IRI.
        pyoxigraph requires substituted variables to be in a SELECT's projection.
        The ``kg kgr schema prov rdf rdfs xsd owl`` prefixes are predeclared.

        Read-only: a SPARQL Update raises :class:`QueryError`, and so does a ``SERVICE``
        clause unless ``allow_service`` (then an endpoint that cannot be reached raises
        :class:`ServiceError`).  A syntax error's :class:`QueryError` shows the line and column.

        SELECT -> ``list[dict]`` of variable -> Python value (see :func:`to_python`;
        ``None`` when unbound); ASK -> ``bool``; CONSTRUCT/DESCRIBE -> ``list[Triple]``.
        """
        result = self.raw_query(sparql, params, allow_service=allow_service)
        try:
            if isinstance(result, QueryBoolean):
                return bool(result)
            if isinstance(result, QueryTriples):
                return list(result)
            names = [v.value for v in result.variables]
            return [{name: to_python(sol[name]) for name in names} for sol in result]
        except OSError as exc:
            raise ServiceError(f"a SERVICE endpoint could not be reached: {exc}") from None

    def iter_rows(self, sparql: str, params: Mapping[str, ParamValue] | None = None) -> Iterator[dict[str, Any]]:
        """The rows of a SELECT one at a time (as :meth:`query` makes them), never all in memory at once."""
        result = self.raw_query(sparql, params)
        if not isinstance(result, QuerySolutions):
            raise ValueError("iter_rows takes a SELECT query")
        names = [v.value for v in result.variables]
        for sol in result:
            yield {name: to_python(sol[name]) for name in names}

    def triples(self) -> Iterator[Triple]:
        """The distinct triples of the merged graph (unordered)."""
        for q in self.oxigraph.quads_for_pattern(None, None, None, DefaultGraph()):
            yield q.triple

    def named_graph_quads(self) -> Iterator[Quad]:
        """The quads of every article graph and derived graph, unordered.

        Not the merged default graph: each triple comes with the graph that states it.
        Not the ingest log either (when each article was written): what this returns
        depends on the articles alone.
        """
        store = self.oxigraph
        for graph in list(store.named_graphs()):
            if graph != INGEST_LOG_GRAPH:
                yield from store.quads_for_pattern(None, None, None, graph)

    def count_triples(self) -> int:
        rows = self.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
        return int(rows[0]["n"])

    def stats(self) -> dict[str, int]:
        """Counts of distinct triples and of claims, entities, articles, outlets, appearances."""
        counts = self.query(
            """
            SELECT
              (COUNT(DISTINCT ?claim) AS ?claims)
              (COUNT(DISTINCT ?entity) AS ?entities)
              (COUNT(DISTINCT ?article) AS ?articles)
              (COUNT(DISTINCT ?outlet) AS ?outlets)
              (COUNT(DISTINCT ?appearance) AS ?appearances)
            WHERE {
              { ?claim a kg:Claim } UNION { ?entity a kg:Entity } UNION
              { ?article a schema:NewsArticle } UNION { ?outlet a kg:Outlet } UNION
              { ?appearance a kg:Appearance }
            }
            """
        )[0]
        return {"triples": self.count_triples(), **{k: int(v) for k, v in counts.items()}}

    def flush(self) -> None:
        self._writable().flush()


def _is_store_dir(path: Path) -> bool:
    """Whether an existing folder may be opened as a store: empty, or holding an Oxigraph (RocksDB) store."""
    entries = {entry.name for entry in path.iterdir()}
    return not entries or "CURRENT" in entries


def _log_quad(graph: NamedNode, generated_at: str) -> Quad:
    return Quad(graph, PROV_NS.generatedAtTime, Literal(generated_at, datatype=XSD_NS.dateTime), INGEST_LOG_GRAPH)


def _unlog_update(graph: NamedNode) -> str:
    return f"DELETE WHERE {{ GRAPH {INGEST_LOG_GRAPH} {{ {graph} {PROV_NS.generatedAtTime} ?t }} }}"


def _replace_graph_update(graph: NamedNode, quads: Sequence[Quad]) -> str:
    """One SPARQL UPDATE that replaces an article graph and keeps the merged graph right.

    1. delete from the merged (default) graph the triples of the old article graph
       that no other article graph states; 2. ``DROP`` the article graph;
    3. ``INSERT DATA`` the new article graph and its triples into the merged graph.
    Terms are written by pyoxigraph's own N-Triples serializer (valid SPARQL term
    syntax); nothing is formatted by hand.
    """
    triples: list[Triple] = []
    for q in quads:
        if q.graph_name != graph:
            raise ValueError(f"quad not in graph {graph}: {q}")
        triples.append(q.triple)
    parts = [
        f"DELETE {{ ?s ?p ?o }} WHERE {{ GRAPH {graph} {{ ?s ?p ?o }} "
        f"FILTER NOT EXISTS {{ GRAPH ?other {{ ?s ?p ?o }} FILTER(?other != {graph}) }} }}",
        f"DROP SILENT GRAPH {graph}",
    ]
    if triples:
        body = serialize(triples, format=RdfFormat.N_TRIPLES).decode("utf-8")
        parts.append(f"INSERT DATA {{\nGRAPH {graph} {{\n{body}}}\n{body}}}")
    return " ;\n".join(parts)


#: the most quads a derived graph's update writes in one transaction (see ClaimStore.replace_derived)
DERIVED_CHUNK = 10_000
#: put_document flushes RocksDB's write buffers after about this many quads (bounds memory on long ingests)
FLUSH_EVERY_QUADS = 100_000


def _digest(q: Quad) -> bytes:
    return hashlib.blake2b(str(q).encode("utf-8"), digest_size=16).digest()


def _add_with_merge(store: Store, quads: Sequence[Quad]) -> None:
    """Add derived quads and their triples to the merged graph, in one transaction."""
    if quads:
        store.extend(list(quads) + [Quad(q.subject, q.predicate, q.object, DefaultGraph()) for q in quads])


def _apply_diff(store: Store, graph: NamedNode, removed: Sequence[Quad], added: Sequence[Quad]) -> None:
    """Remove and add derived quads (and their merged triples) in one transaction."""
    if not removed:
        _add_with_merge(store, added)
        return

    def body(qs: Sequence[Quad]) -> str:
        triples = serialize([q.triple for q in qs], format=RdfFormat.N_TRIPLES).decode("utf-8")
        return f"GRAPH {graph} {{\n{triples}}}\n{triples}"

    update = f"DELETE DATA {{\n{body(removed)}}}"
    if added:
        update += f" ;\nINSERT DATA {{\n{body(added)}}}"
    store.update(update)
