"""Exports: Turtle that rdflib and pyoxigraph read back identically, GraphML Gephi can trust."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import networkx as nx
import pyoxigraph
import pytest
import rdflib
from lxml import etree
from rdflib.compare import isomorphic

import kg.export.turtle as turtle_module
from kg.build.examples import example_records
from kg.build.network import EDGE_TYPES, NODE_TYPES, claim_network
from kg.build.rdf import INGEST_LOG_GRAPH, Run, entity_iri, outlet_iri
from kg.export import export, export_graphml, export_turtle
from kg.pipeline import store_claims
from kg.store import ClaimStore

RUN = Run(kg_version="0.1.0", model="en_core_web_sm", model_version="3.8.0", started_at="2024-05-01T12:00:00Z")
REPO = Path(__file__).resolve().parents[1]
GRAPHML = "{http://graphml.graphdrawing.org/xmlns}"


@pytest.fixture
def store_path(tmp_path):
    path = tmp_path / "kg"
    docs, claims = example_records()
    with ClaimStore.open(path) as s:
        store_claims(s, ((d, claims[d.id]) for d in docs), run=RUN)
    return path


@pytest.fixture
def store(store_path):
    with ClaimStore.open(store_path) as s:
        yield s


def _nt_set(triples) -> set[str]:
    return {str(t) for t in triples}


def test_turtle_reads_back_the_same_triples_with_rdflib_and_pyoxigraph(store, tmp_path, monkeypatch):
    path = export_turtle(store, tmp_path / "out" / "claims.ttl")
    expected = _nt_set(store.triples())
    assert len(expected) == store.count_triples() > 100

    by_oxigraph = _nt_set(q.triple for q in pyoxigraph.parse(path=str(path), format=pyoxigraph.RdfFormat.TURTLE))
    assert by_oxigraph == expected

    # rdflib, by default, is isomorphic to the store's triples read by rdflib ...
    by_rdflib = rdflib.Graph().parse(path, format="turtle")
    assert len(by_rdflib) == len(expected)
    store_nt = pyoxigraph.serialize(list(store.triples()), format=pyoxigraph.RdfFormat.N_TRIPLES)
    assert isomorphic(by_rdflib, rdflib.Graph().parse(data=store_nt, format="nt"))
    # ... and, keeping lexical forms (by default it rewrites "...Z" dateTimes as "+00:00"),
    # reads exactly the same triple set
    monkeypatch.setattr(rdflib, "NORMALIZE_LITERALS", False)
    exact = rdflib.Graph().parse(path, format="turtle").serialize(format="nt", encoding="utf-8")
    assert _nt_set(q.triple for q in pyoxigraph.parse(exact, format=pyoxigraph.RdfFormat.N_TRIPLES)) == expected
    text = path.read_text("utf-8")
    assert "@prefix kg: <https://w3id.org/kg-claims/ns#> ." in text
    assert "@prefix schema: <http://schema.org/> ." in text


def test_two_turtle_exports_are_byte_identical(store, store_path, tmp_path):
    first = export_turtle(store, tmp_path / "1.ttl").read_bytes()
    second = export_turtle(store, tmp_path / "2.ttl").read_bytes()
    assert first == second
    # ... also from another process (no hash-order dependence), from a read-only handle
    store.close()
    code = textwrap.dedent(
        """
        import sys
        from kg.store import ClaimStore
        from kg.export import export_turtle
        with ClaimStore.open(sys.argv[1], read_only=True) as s:
            export_turtle(s, sys.argv[2])
        """
    )
    out = subprocess.run(
        [sys.executable, "-c", code, str(store_path), str(tmp_path / "3.ttl")], cwd=REPO, capture_output=True, text=True
    )
    assert out.returncode == 0, out.stderr
    assert (tmp_path / "3.ttl").read_bytes() == first


def test_network_has_claims_as_nodes_with_typed_scalar_attributes(store):
    G = claim_network(store)
    assert isinstance(G, nx.MultiDiGraph)
    types = nx.get_node_attributes(G, "type")
    assert set(types.values()) == set(NODE_TYPES)
    assert sum(t == "claim" for t in types.values()) == 4
    # every edge type (the example store records no contradiction: tests/test_gephi.py adds some)
    assert {d["type"] for _, _, d in G.edges(data=True)} == set(EDGE_TYPES) - {"contradicts"}
    psaki = entity_iri("Jen Psaki").value
    assert types[psaki] == "claimant" and G.nodes[psaki]["weight"] == 2.0
    shared = [c for c in G.successors(psaki) if G.nodes[c]["appearances"] == 2]
    assert len(shared) == 1 and G.out_degree(shared[0]) == 2  # appears_in both articles
    relayed = [(u, v) for u, v, d in G.edges(data=True) if d["type"] == "relayed_via"]
    assert [v for _, v in relayed] == [outlet_iri("BuzzFeed News").value]
    assert types[entity_iri("Kyiv").value] == "entity"

    attr_types: dict[str, set[type]] = {}
    for _, data in list(G.nodes(data=True)) + [(None, d) for _, _, d in G.edges(data=True)]:
        assert isinstance(data["label"], str) and data["label"]
        assert isinstance(data["type"], str)
        assert isinstance(data["weight"], float)
        for k, v in data.items():
            assert v is not None and isinstance(v, (str, int, float)), (k, v)
            attr_types.setdefault(k, set()).add(type(v))
    assert all(len(ts) == 1 for ts in attr_types.values()), attr_types
    edge_keys = [k for _, _, k in G.edges(keys=True)]
    assert len(edge_keys) == len(set(edge_keys))


def test_graphml_reads_back_with_named_keys_and_double_weights(store, tmp_path):
    path = export_graphml(store, tmp_path / "claims.graphml")
    G = nx.read_graphml(path, force_multigraph=True)
    original = claim_network(store)
    assert G.number_of_nodes() == original.number_of_nodes()
    assert G.number_of_edges() == original.number_of_edges()
    for _, data in G.nodes(data=True):
        assert {"label", "type", "weight", "iri"} <= data.keys()
        assert None not in data.values()
        assert isinstance(data["weight"], float)
    for _, _, data in G.edges(data=True):
        assert {"label", "type", "weight"} <= data.keys()
        assert None not in data.values()
        assert isinstance(data["weight"], float)

    root = etree.parse(str(path)).getroot()
    keys = root.findall(f"{GRAPHML}key")
    assert keys
    for key in keys:
        assert key.get("id") == key.get("attr.name"), etree.tostring(key)
        assert not (key.get("id")[0] == "d" and key.get("id")[1:].isdigit())
    weights = {k.get("for"): k.get("attr.type") for k in keys if k.get("attr.name") == "weight"}
    assert weights == {"node": "double", "edge": "double"}
    edge_ids = [e.get("id") for e in root.iter(f"{GRAPHML}edge")]
    assert len(edge_ids) == len(set(edge_ids))  # Gephi drops edges with a repeated id
    assert export_graphml(store, tmp_path / "again.graphml").read_bytes() == path.read_bytes()


def test_export_writes_the_default_files_and_refuses_unknown_formats(store, tmp_path):
    paths = export(store, tmp_path / "exports")
    out = tmp_path / "exports"
    assert paths == {"turtle": out / "claims.ttl", "graphml": out / "claims.graphml",
                     "graphml-claimants": out / "claimants.graphml", "gexf": out / "claims.gexf"}
    assert all(p.stat().st_size > 0 for p in paths.values())
    assert export(store, tmp_path / "only", formats=("graphml",)).keys() == {"graphml"}
    with pytest.raises(ValueError, match="dot"):
        export(store, tmp_path / "x", formats=("turtle", "dot"))


def _leftovers(directory: Path, keep: set[str]) -> list[str]:
    return sorted(p.name for p in directory.iterdir() if p.name not in keep)


def test_a_turtle_export_that_fails_midway_leaves_no_partial_file(store, tmp_path, monkeypatch):
    real_serialize = turtle_module.serialize

    def failing_serialize(triples, output, **kw):
        data = real_serialize(triples, **kw)
        output.write(data[: len(data) // 2])
        output.flush()
        raise OSError(28, "No space left on device")

    target = tmp_path / "claims.ttl"
    monkeypatch.setattr(turtle_module, "serialize", failing_serialize)
    with pytest.raises(OSError, match="No space"):
        export_turtle(store, target)
    assert not target.exists()
    assert _leftovers(tmp_path, {"kg"}) == []

    monkeypatch.setattr(turtle_module, "serialize", real_serialize)
    good = export_turtle(store, target).read_bytes()
    monkeypatch.setattr(turtle_module, "serialize", failing_serialize)
    with pytest.raises(OSError):
        export_turtle(store, target)
    assert target.read_bytes() == good  # the previous export is intact
    assert _leftovers(tmp_path, {"kg", "claims.ttl"}) == []


def test_a_graphml_export_that_fails_midway_leaves_no_partial_file(store, tmp_path, monkeypatch):
    real_write = nx.write_graphml

    def failing_write(G, path, **kw):
        real_write(G, path, **kw)
        data = Path(path).read_bytes()
        Path(path).write_bytes(data[: len(data) // 3])
        raise OSError(28, "No space left on device")

    target = tmp_path / "claims.graphml"
    good = export_graphml(store, target).read_bytes()
    monkeypatch.setattr(nx, "write_graphml", failing_write)
    with pytest.raises(OSError, match="No space"):
        export_graphml(store, target)
    assert target.read_bytes() == good
    with pytest.raises(OSError):
        export_graphml(store, tmp_path / "fresh.graphml")
    assert not (tmp_path / "fresh.graphml").exists()
    assert _leftovers(tmp_path, {"kg", "claims.graphml"}) == []


# ----------------------------------------------------------------------------- TriG, N-Quads, JSON-LD
import kg.export.dataset as dataset_module  # noqa: E402
import kg.export.jsonld as jsonld_module  # noqa: E402
from click.testing import CliRunner  # noqa: E402

from kg.build.rdf import graph_iri  # noqa: E402
from kg.cli import main as kg_main  # noqa: E402
from kg.export import FORMATS, export_jsonld, export_nquads, export_trig  # noqa: E402

RESOLVED_GRAPH = pyoxigraph.NamedNode("https://w3id.org/kg-claims/id/graph/resolved")
CONTRADICTIONS_GRAPH = pyoxigraph.NamedNode("https://w3id.org/kg-claims/id/graph/contradictions")
DERIVED = {RESOLVED_GRAPH, CONTRADICTIONS_GRAPH}


def _nq_set(quads) -> set[str]:
    return {str(q) for q in quads}


def _rdflib_quads(path: Path, fmt: str, monkeypatch) -> set[str]:
    """The quads rdflib reads from ``path``, as N-Quads lines (lexical forms kept)."""
    monkeypatch.setattr(rdflib, "NORMALIZE_LITERALS", False)  # else "...Z" dateTimes become "+00:00"
    ds = rdflib.Dataset().parse(path, format=fmt)
    nq = ds.serialize(format="nquads", encoding="utf-8")
    return _nq_set(pyoxigraph.parse(nq, format=pyoxigraph.RdfFormat.N_QUADS))


def _rdflib_graph_names(path: Path, fmt: str) -> set[str]:
    ds = rdflib.Dataset().parse(path, format=fmt)
    return {str(g.identifier) for g in ds.graphs() if len(g) and g.identifier != rdflib.graph.DATASET_DEFAULT_GRAPH_ID}


@pytest.mark.parametrize(
    ("writer", "fmt", "rdflib_fmt"),
    [(export_trig, pyoxigraph.RdfFormat.TRIG, "trig"), (export_nquads, pyoxigraph.RdfFormat.N_QUADS, "nquads")],
    ids=["trig", "nquads"],
)
def test_trig_and_nquads_read_back_as_the_stores_named_graphs_in_rdflib_and_pyoxigraph(
    store, tmp_path, monkeypatch, writer, fmt, rdflib_fmt
):
    path = writer(store, tmp_path / "out" / f"claims.{fmt.file_extension}")
    expected = _nq_set(store.named_graph_quads())
    graphs = {g.value for g in store.oxigraph.named_graphs()} - {INGEST_LOG_GRAPH.value}  # the store's own log
    article_graphs = {graph_iri(d).value for d in store.document_ids()}
    assert len(article_graphs) == 2
    assert article_graphs <= graphs and graphs - article_graphs <= {g.value for g in DERIVED}

    by_oxigraph = list(pyoxigraph.parse(path=str(path), format=fmt))
    assert all(isinstance(q.graph_name, pyoxigraph.NamedNode) for q in by_oxigraph)  # no default-graph quads
    assert {q.graph_name.value for q in by_oxigraph} == graphs  # one named graph per article (+ derived)
    assert _nq_set(by_oxigraph) == expected
    assert len(by_oxigraph) == len(expected) > 100
    # the named graphs together state exactly the merged graph
    assert _nt_set(q.triple for q in by_oxigraph) == _nt_set(store.triples())

    assert _rdflib_graph_names(path, rdflib_fmt) == graphs
    assert _rdflib_quads(path, rdflib_fmt, monkeypatch) == expected


def test_trig_uses_the_kg_prefixes_and_one_block_per_graph(store, tmp_path):
    text = export_trig(store, tmp_path / "claims.trig").read_text("utf-8")
    assert "@prefix kg: <https://w3id.org/kg-claims/ns#> ." in text
    assert "@prefix kgr: <https://w3id.org/kg-claims/id/> ." in text
    blocks = [line for line in text.splitlines() if line.endswith("{")]
    graphs = [g for g in store.oxigraph.named_graphs() if g != INGEST_LOG_GRAPH]  # the log is not exported
    assert len(blocks) == len(graphs) >= len(store.document_ids()) == 2
    assert blocks == sorted(blocks)


def test_trig_and_nquads_carry_every_named_graph_not_only_the_articles(store, tmp_path):
    extra = pyoxigraph.Quad(
        pyoxigraph.NamedNode("https://w3id.org/kg-claims/id/entity/a"),
        pyoxigraph.NamedNode("http://www.w3.org/2002/07/owl#sameAs"),
        pyoxigraph.NamedNode("https://w3id.org/kg-claims/id/entity/b"),
        RESOLVED_GRAPH,
    )
    merged = pyoxigraph.Quad(extra.subject, extra.predicate, extra.object, pyoxigraph.DefaultGraph())
    store.oxigraph.extend([extra, merged])  # as the store keeps a derived graph: also in the merge
    for writer, fmt in ((export_trig, pyoxigraph.RdfFormat.TRIG), (export_nquads, pyoxigraph.RdfFormat.N_QUADS)):
        quads = list(pyoxigraph.parse(path=str(writer(store, tmp_path / f"x.{fmt.file_extension}")), format=fmt))
        assert extra in quads
        assert {q.graph_name for q in quads} == {graph_iri(d) for d in store.document_ids()} | DERIVED
        assert _nq_set(quads) == _nq_set(store.named_graph_quads())


def test_jsonld_reads_back_as_the_merged_graph_in_rdflib_and_pyoxigraph(store, tmp_path, monkeypatch):
    path = export_jsonld(store, tmp_path / "out" / "claims.jsonld")
    expected = _nt_set(store.triples())

    by_oxigraph = list(pyoxigraph.parse(path=str(path), format=pyoxigraph.RdfFormat.JSON_LD))
    assert all(isinstance(q.graph_name, pyoxigraph.DefaultGraph) for q in by_oxigraph)
    assert _nt_set(q.triple for q in by_oxigraph) == expected
    assert len(by_oxigraph) == len(expected) > 100

    by_rdflib = rdflib.Graph().parse(path, format="json-ld")
    assert len(by_rdflib) == len(expected)
    store_nt = pyoxigraph.serialize(list(store.triples()), format=pyoxigraph.RdfFormat.N_TRIPLES)
    assert isomorphic(by_rdflib, rdflib.Graph().parse(data=store_nt, format="nt"))
    monkeypatch.setattr(rdflib, "NORMALIZE_LITERALS", False)
    exact = rdflib.Graph().parse(path, format="json-ld").serialize(format="nt", encoding="utf-8")
    assert _nt_set(q.triple for q in pyoxigraph.parse(exact, format=pyoxigraph.RdfFormat.N_TRIPLES)) == expected


def test_trig_nquads_and_jsonld_exports_are_byte_identical_run_to_run_and_after_reopening(store, store_path, tmp_path):
    formats = ("trig", "nquads", "jsonld")
    first = {f: p.read_bytes() for f, p in export(store, tmp_path / "1", formats).items()}
    second = {f: p.read_bytes() for f, p in export(store, tmp_path / "2", formats).items()}
    assert first == second
    assert all(first.values())
    store.close()
    with ClaimStore.open(store_path) as reopened:
        assert {f: p.read_bytes() for f, p in export(reopened, tmp_path / "3", formats).items()} == first
    # ... and from another process (no hash-order dependence), from a read-only handle
    code = textwrap.dedent(
        """
        import sys
        from kg.store import ClaimStore
        from kg.export import export
        with ClaimStore.open(sys.argv[1], read_only=True) as s:
            export(s, sys.argv[2], ("trig", "nquads", "jsonld"))
        """
    )
    out = subprocess.run(
        [sys.executable, "-c", code, str(store_path), str(tmp_path / "4")], cwd=REPO, capture_output=True, text=True
    )
    assert out.returncode == 0, out.stderr
    assert {f: (tmp_path / "4" / FORMATS[f][0]).read_bytes() for f in formats} == first


def test_kg_export_writes_trig_nquads_and_jsonld(store_path, tmp_path):
    out = tmp_path / "exports"
    result = CliRunner().invoke(
        kg_main,
        ["export", "--format", "trig", "--format", "nquads", "--format", "jsonld",
         "--store", str(store_path), "--out", str(out)],
    )
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == ["claims.jsonld", "claims.nq", "claims.trig"]
    assert all((out / name).stat().st_size > 0 for name in ("claims.jsonld", "claims.nq", "claims.trig"))
    for fmt, name in (("trig", "claims.trig"), ("nquads", "claims.nq"), ("jsonld", "claims.jsonld")):
        assert f"wrote {out / name} ({fmt})" in result.output


def test_build_and_export_default_to_turtle_and_the_gephi_files(store, tmp_path):
    defaults = ("turtle", "graphml", "graphml-claimants", "gexf")
    assert tuple(export(store, tmp_path).keys()) == defaults
    assert kg_main.get_command(None, "export").params[0].default == defaults


@pytest.mark.parametrize(
    ("module", "writer", "name"),
    [(dataset_module, export_trig, "claims.trig"), (dataset_module, export_nquads, "claims.nq"),
     (jsonld_module, export_jsonld, "claims.jsonld")],
    ids=["trig", "nquads", "jsonld"],
)
def test_a_trig_nquads_or_jsonld_export_that_fails_midway_leaves_no_partial_file(
    store, tmp_path, monkeypatch, module, writer, name
):
    real_serialize = module.serialize

    def failing_serialize(data, output, **kw):
        full = real_serialize(data, **kw)
        output.write(full[: len(full) // 2])
        output.flush()
        raise OSError(28, "No space left on device")

    target = tmp_path / name
    monkeypatch.setattr(module, "serialize", failing_serialize)
    with pytest.raises(OSError, match="No space"):
        writer(store, target)
    assert not target.exists()
    assert _leftovers(tmp_path, {"kg"}) == []

    monkeypatch.setattr(module, "serialize", real_serialize)
    good = writer(store, target).read_bytes()
    monkeypatch.setattr(module, "serialize", failing_serialize)
    with pytest.raises(OSError):
        writer(store, target)
    assert target.read_bytes() == good  # the previous export is intact
    assert _leftovers(tmp_path, {"kg", name}) == []
