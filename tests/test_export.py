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
from kg.build.rdf import Run, document_quads, entity_iri, outlet_iri
from kg.export import export, export_graphml, export_turtle
from kg.store import ClaimStore

RUN = Run(kg_version="0.1.0", model="en_core_web_sm", model_version="3.8.0", started_at="2024-05-01T12:00:00Z")
REPO = Path(__file__).resolve().parents[1]
GRAPHML = "{http://graphml.graphdrawing.org/xmlns}"


@pytest.fixture
def store_path(tmp_path):
    path = tmp_path / "kg"
    docs, claims = example_records()
    with ClaimStore.open(path) as s:
        for d in docs:
            s.put_document(d, document_quads(d, claims[d.id], RUN))
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
    assert {d["type"] for _, _, d in G.edges(data=True)} == set(EDGE_TYPES)
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


def test_export_writes_both_files_and_refuses_unknown_formats(store, tmp_path):
    paths = export(store, tmp_path / "exports")
    assert paths == {"turtle": tmp_path / "exports" / "claims.ttl", "graphml": tmp_path / "exports" / "claims.graphml"}
    assert all(p.stat().st_size > 0 for p in paths.values())
    assert export(store, tmp_path / "only", formats=("graphml",)).keys() == {"graphml"}
    with pytest.raises(ValueError, match="gexf"):
        export(store, tmp_path / "x", formats=("turtle", "gexf"))


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
