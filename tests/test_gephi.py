"""Gephi exports: dynamic GEXF for the timeline, claims-as-nodes GraphML with contradictions,
claimant -> claimant GraphML with aggregated weights.

Claims are built by hand (no spaCy); contradictions are added as the detector records
them (``kgr:graph/contradictions``), with :meth:`ClaimStore.replace_derived`.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
import xml.etree.ElementTree as ET
from pathlib import Path

import networkx as nx
import pytest
from click.testing import CliRunner
from networkx.readwrite.gexf import GEXFWriter
from pyoxigraph import Literal, NamedNode, Quad

from kg.build.examples import span
from kg.build.namespaces import KG_NS, KGR, RDF_TYPE, XSD_NS
from kg.build.network import NODE_STYLE, claim_network, contradictions
from kg.build.rdf import CONTRADICTIONS_GRAPH, Run, entity_iri, outlet_iri
from kg.build.views import claimant_network, dated_claim_network
from kg.cli import main as kg_main
from kg.export import FORMATS, export, export_claimant_graphml, export_gexf, export_graphml
from kg.pipeline import store_claims
from kg.records import Claim, Document, Speaker
from kg.store import ClaimStore

RUN = Run(kg_version="0.1.0", model="hand-built", model_version="0", started_at="2024-05-01T12:00:00Z")
REPO = Path(__file__).resolve().parents[1]
CONTRADICTIONS = CONTRADICTIONS_GRAPH
GEXF = "{http://www.gexf.net/1.2draft}"
VIZ = "{http://www.gexf.net/1.2draft/viz}"
GRAPHML = "{http://graphml.graphdrawing.org/xmlns}"

TEXT_1 = (
    "Alice Smith said the bridge is safe. Alice Smith said the budget is 5 million. "
    "Bob Jones told Radio X that the mayor resigned."
)
TEXT_2 = "Bob Jones said the bridge is not safe. Bob Jones said the budget is 9 million."


def _claim(doc: Document, who: str, content: str, start_at: int = 0, **extra: object) -> Claim:
    speaker = span(doc.text, who, start_at, cls=Speaker, name=who, type="person")
    return Claim(
        doc_id=doc.id,
        speaker=speaker,  # type: ignore[arg-type]
        cue=span(doc.text, "said" if "said" in doc.text[speaker.end : speaker.end + 6] else "told", speaker.end),
        content=span(doc.text, content, speaker.end),
        date=doc.date,
        **extra,  # type: ignore[arg-type]
    )


def records() -> list[tuple[Document, list[Claim]]]:
    """Alice (2022-01-10, Daily A) and Bob (2022-01-20, Daily B) disagree twice; Bob talks via Radio X."""
    one = Document(id="daily-a-1", text=TEXT_1, date="2022-01-10", title="Bridge safe", outlet="Daily A")
    two = Document(id="daily-b-1", text=TEXT_2, date="2022-01-20", title="Bridge unsafe", outlet="Daily B")
    return [
        (one, [
            _claim(one, "Alice Smith", "the bridge is safe"),
            _claim(one, "Alice Smith", "the budget is 5 million", TEXT_1.index("Alice Smith said the budget")),
            _claim(one, "Bob Jones", "that the mayor resigned", relay=("Radio X",)),
        ]),
        (two, [
            _claim(two, "Bob Jones", "the bridge is not safe"),
            _claim(two, "Bob Jones", "the budget is 9 million", TEXT_2.index("Bob Jones said the budget")),
        ]),
    ]


def contradiction_quads(n: int, a: str, b: str, kind: str, reason: str, confidence: str) -> list[Quad]:
    """One contradiction as the detector writes it (kg.resolve.contradictions)."""
    c, g = NamedNode(f"{KGR}contradiction/{n}"), CONTRADICTIONS
    claim_a, claim_b = NamedNode(a), NamedNode(b)
    return [
        Quad(c, RDF_TYPE, KG_NS.Contradiction, g),
        Quad(c, KG_NS.claimA, claim_a, g),
        Quad(c, KG_NS.claimB, claim_b, g),
        Quad(c, KG_NS.kind, Literal(kind), g),
        Quad(c, KG_NS.reason, Literal(reason), g),
        Quad(c, KG_NS.confidence, Literal(confidence, datatype=XSD_NS.decimal), g),
        Quad(claim_a, KG_NS.contradicts, claim_b, g),
    ]


def claim_ids(store: ClaimStore) -> dict[str, str]:
    """Claim text -> claim IRI."""
    rows = store.query("SELECT ?c ?t WHERE { ?c a kg:Claim ; schema:text ?t }")
    assert isinstance(rows, list)
    return {r["t"]: r["c"] for r in rows}


def add_contradictions(store: ClaimStore) -> dict[str, str]:
    ids = claim_ids(store)
    quads = contradiction_quads(
        1, ids["the bridge is safe"], ids["the bridge is not safe"], "polarity",
        "Alice Smith says the bridge is safe; Bob Jones says it is not.", "0.9",
    ) + contradiction_quads(
        2, ids["the budget is 5 million"], ids["the budget is 9 million"], "numbers",
        "5 million and 9 million cannot both be the budget.", "0.75",
    )
    store.replace_derived(CONTRADICTIONS, quads)  # replaces whatever detection found
    return ids


@pytest.fixture(scope="module")
def store_path(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("gephi") / "kg"
    with ClaimStore.open(path) as s:
        store_claims(s, records(), run=RUN)
        add_contradictions(s)
    return path


@pytest.fixture
def store(store_path):
    with ClaimStore.open(store_path, read_only=True) as s:
        yield s


ALICE, BOB = entity_iri("Alice Smith").value, entity_iri("Bob Jones").value
RADIO_X = outlet_iri("Radio X").value


def _scalar_attributes_of_one_type(G: nx.Graph) -> None:
    types: dict[tuple[str, str], set[type]] = {}
    items = [("node", d) for _, d in G.nodes(data=True)] + [("edge", d) for *_, d in G.edges(data=True)]
    for where, data in items:
        assert isinstance(data["label"], str) and data["label"]
        assert isinstance(data["type"], str) and data["type"]
        assert isinstance(data["weight"], float)
        for k, v in data.items():
            assert v is not None and isinstance(v, (str, int, float)), (where, k, v)
            types.setdefault((where, k), set()).add(type(v))
    assert all(len(ts) == 1 for ts in types.values()), types


# ----------------------------------------------------------------------------- contradictions


def test_contradictions_come_one_per_pair_with_kind_reason_and_confidence(store):
    ids = claim_ids(store)
    found = contradictions(store)
    assert [(c.claim_a, c.claim_b, c.kind, c.confidence, c.records) for c in found] == sorted([
        (ids["the bridge is safe"], ids["the bridge is not safe"], "polarity", 0.9, 1),
        (ids["the budget is 5 million"], ids["the budget is 9 million"], "numbers", 0.75, 1),
    ])
    assert all(isinstance(c.reason, str) and c.reason for c in found)


def test_a_bare_contradicts_link_is_ordered_by_first_seen_and_the_most_confident_record_wins(tmp_path):
    with ClaimStore.open(tmp_path / "kg") as s:
        store_claims(s, records(), run=RUN)
        ids = claim_ids(s)
        bare = Quad(NamedNode(ids["the bridge is not safe"]), KG_NS.contradicts,
                    NamedNode(ids["that the mayor resigned"]), CONTRADICTIONS)
        two_records = contradiction_quads(
            1, ids["the budget is 5 million"], ids["the budget is 9 million"], "numbers", "low", "0.5"
        ) + contradiction_quads(
            2, ids["the budget is 5 million"], ids["the budget is 9 million"], "opposites", "high", "0.8"
        )
        s.replace_derived(CONTRADICTIONS, [bare, *two_records])
        by_pair = {(c.claim_a, c.claim_b): c for c in contradictions(s)}
        # the bare link: from the claim first seen earlier (2022-01-10), nothing else known
        plain = by_pair[(ids["that the mayor resigned"], ids["the bridge is not safe"])]
        assert (plain.kind, plain.reason, plain.confidence, plain.records) == (None, None, None, 0)
        budget = by_pair[(ids["the budget is 5 million"], ids["the budget is 9 million"])]
        assert (budget.kind, budget.reason, budget.confidence, budget.records) == ("opposites", "high", 0.8, 2)

        G = claim_network(s)
        edges = {(u, v): d for u, v, d in G.edges(data=True) if d["type"] == "contradicts"}
        assert edges[(ids["that the mayor resigned"], ids["the bridge is not safe"])].keys() == {
            "label", "type", "weight"
        }
        assert edges[(ids["the budget is 5 million"], ids["the budget is 9 million"])]["weight"] == 2.0


# ----------------------------------------------------------------------------- claims as nodes (GraphML)


def test_claim_network_has_contradiction_edges_and_gephi_colours(store):
    G = claim_network(store)
    _scalar_attributes_of_one_type(G)
    for _, data in G.nodes(data=True):
        style = NODE_STYLE[data["type"]]
        assert (data["r"], data["g"], data["b"], data["size"]) == (style.r, style.g, style.b, style.size)
        assert all(isinstance(data[k], int) for k in "rgb") and isinstance(data["size"], float)
    contra = [(u, v, d) for u, v, d in G.edges(data=True) if d["type"] == "contradicts"]
    assert len(contra) == 2
    for u, v, d in contra:
        assert G.nodes[u]["type"] == G.nodes[v]["type"] == "claim"
        assert d["kind"] in ("polarity", "numbers") and d["reason"] and isinstance(d["confidence"], float)
        assert d["label"] == "contradicts" and d["weight"] == 1.0


def test_claims_graphml_reads_back_with_contradiction_edges_colours_and_unique_ids(store, tmp_path):
    path = export_graphml(store, tmp_path / "claims.graphml")
    G = nx.read_graphml(path, force_multigraph=True)
    for _, data in G.nodes(data=True):
        assert {"label", "type", "weight", "r", "g", "b", "size"} <= data.keys()
        assert all(isinstance(data[k], int) for k in "rgb") and isinstance(data["size"], float)
    for _, _, data in G.edges(data=True):
        assert {"label", "type", "weight"} <= data.keys() and isinstance(data["weight"], float)
    contra = [d for _, _, d in G.edges(data=True) if d["type"] == "contradicts"]
    assert sorted(d["kind"] for d in contra) == ["numbers", "polarity"]
    assert sorted(d["confidence"] for d in contra) == [0.75, 0.9]
    assert all(d["reason"] for d in contra)
    root = ET.parse(path).getroot()
    edge_ids = [e.get("id") for e in root.iter(f"{GRAPHML}edge")]
    assert len(edge_ids) == len(set(edge_ids)) == G.number_of_edges()
    keys = {(k.get("for"), k.get("id")): k.get("attr.type") for k in root.iter(f"{GRAPHML}key")}
    assert all(k[1] == k2.get("attr.name") for k in keys for k2 in root.iter(f"{GRAPHML}key") if k2.get("id") == k[1])
    assert keys[("edge", "confidence")] == "double" and keys[("node", "size")] == "double"


# ----------------------------------------------------------------------------- claimant -> claimant (GraphML)


def test_claimant_view_has_one_edge_per_pair_and_type_with_aggregated_weights(store):
    G = claimant_network(store)
    _scalar_attributes_of_one_type(G)
    assert {d["type"] for _, d in G.nodes(data=True)} == {"claimant", "outlet"}
    assert G.nodes[ALICE]["type"] == "claimant" and G.nodes[ALICE]["claims"] == 2
    assert G.nodes[BOB]["claims"] == 3 and G.nodes[BOB]["entity_type"] == "person"
    assert G.nodes[RADIO_X]["type"] == "outlet" and G.nodes[RADIO_X]["relayed"] == 1
    assert G.nodes[RADIO_X]["r"] == NODE_STYLE["outlet"].r

    edges = [(u, v, d) for u, v, d in G.edges(data=True)]
    per_type = {(u, v, d["type"]) for u, v, d in edges}
    assert len(per_type) == len(edges)  # never two edges of a type between two claimants
    (a, b, contra), = [(u, v, d) for u, v, d in edges if d["type"] == "contradicts"]
    assert (a, b) == (ALICE, BOB)  # Alice's claims were first seen earlier
    assert contra["weight"] == 2.0  # two contradicting pairs, one edge
    assert contra["kinds"] == "numbers|polarity" and contra["confidence"] == 0.9
    (via, who, relay), = [(u, v, d) for u, v, d in edges if d["type"] == "relays"]
    assert (via, who, relay["weight"], relay["label"]) == (RADIO_X, BOB, 1.0, "relays")


def test_claimants_graphml_reads_back_with_aggregated_weights_and_unique_ids(store, tmp_path):
    path = export_claimant_graphml(store, tmp_path / "claimants.graphml")
    G = nx.read_graphml(path, force_multigraph=True)
    assert G.number_of_nodes() == 5  # Alice, Bob, Radio X (relays Bob), Daily A and B (publish both)
    for _, data in G.nodes(data=True):
        assert {"label", "type", "weight", "iri", "r", "g", "b", "size"} <= data.keys()
        assert isinstance(data["weight"], float)
    for _, _, data in G.edges(data=True):
        assert {"label", "type", "weight"} <= data.keys() and isinstance(data["weight"], float)
    weights = {(u, v, d["type"]): d["weight"] for u, v, d in G.edges(data=True)}
    daily_a, daily_b = outlet_iri("Daily A").value, outlet_iri("Daily B").value
    assert weights == {(ALICE, BOB, "contradicts"): 2.0, (RADIO_X, BOB, "relays"): 1.0,
                       (daily_a, ALICE, "quotes"): 2.0, (daily_a, BOB, "quotes"): 1.0, (daily_b, BOB, "quotes"): 2.0}
    root = ET.parse(path).getroot()
    edge_ids = [e.get("id") for e in root.iter(f"{GRAPHML}edge")]
    assert len(edge_ids) == len(set(edge_ids)) == 5
    assert all(k.get("id") == k.get("attr.name") for k in root.iter(f"{GRAPHML}key"))


# ----------------------------------------------------------------------------- GEXF


def test_gexf_is_dynamic_with_a_start_date_on_every_claim_and_edge_and_viz_on_every_node(store, tmp_path):
    path = export_gexf(store, tmp_path / "claims.gexf")
    root = ET.parse(path).getroot()
    assert root.tag == f"{GEXF}gexf" and root.get("version") == "1.2"
    graph = root.find(f"{GEXF}graph")
    assert graph is not None
    assert (graph.get("mode"), graph.get("timeformat"), graph.get("defaultedgetype")) == ("dynamic", "date", "directed")
    assert root.find(f"{GEXF}meta").get("lastmodifieddate") == "2022-01-20"  # the data's, not today's
    titles = [a.get("title") for a in graph.iter(f"{GEXF}attribute")]
    assert "networkx_key" not in titles and len(titles) == len(set((a.get("title"), p.get("class"))
                                                                   for p in graph.iter(f"{GEXF}attributes")
                                                                   for a in p))
    nodes = list(graph.iter(f"{GEXF}node"))
    for node in nodes:
        colour, size = node.find(f"{VIZ}color"), node.find(f"{VIZ}size")
        assert colour is not None and size is not None
        assert all(colour.get(c).isdigit() for c in "rgb") and float(size.get("value")) > 0
        assert len(node.get("start", "")) == 10, node.get("id")  # every node is dated here
    edges = list(graph.iter(f"{GEXF}edge"))
    assert edges and all(len(e.get("start", "")) == 10 for e in edges)
    assert all(e.get("type") is None for e in edges)  # GEXF's edge type means directed/undirected

    G = nx.read_gexf(path)
    ids = claim_ids(store)
    first_seen = {"the bridge is safe": "2022-01-10", "the bridge is not safe": "2022-01-20"}
    for text, day in first_seen.items():
        assert G.nodes[ids[text]]["start"] == day
    assert G.nodes[BOB]["start"] == "2022-01-10"  # his first claim
    assert G.nodes[outlet_iri("Daily B").value]["start"] == "2022-01-20"  # its first article
    for node, data in G.nodes(data=True):
        assert data["type"] in NODE_STYLE and "viz" in data
        if data["type"] == "claim":
            assert data["start"] == min(G.nodes[n]["start"] for n in G.successors(node)
                                        if G.nodes[n]["type"] == "article")
    for u, v, data in G.edges(data=True):
        assert data["start"] == max(G.nodes[u]["start"], G.nodes[v]["start"])
        assert data["relation"] == data["label"] and isinstance(data["weight"], float)
    contra = [d for _, _, d in G.edges(data=True) if d["relation"] == "contradicts"]
    assert sorted(d["kind"] for d in contra) == ["numbers", "polarity"]
    assert all(d["reason"] and isinstance(d["confidence"], float) for d in contra)
    red = [e for e in edges if e.get("label") == "contradicts"]  # networkx reads no edge viz: the XML
    assert len(red) == 2 and all(e.find(f"{VIZ}color").get("r") == "213" for e in red)


def test_dated_network_leaves_undated_nodes_and_edges_without_a_start(tmp_path):
    doc = Document(id="undated", text="Alice Smith said the bridge is safe.", outlet="Daily A")
    with ClaimStore.open(tmp_path / "kg") as s:
        store_claims(s, [(doc, [_claim(doc, "Alice Smith", "the bridge is safe")])], run=RUN)
        G = dated_claim_network(s)
        assert G.number_of_nodes() > 0
        assert not any("start" in d for _, d in G.nodes(data=True))
        assert not any("start" in d for *_, d in G.edges(data=True))
        root = ET.parse(export_gexf(s, tmp_path / "claims.gexf")).getroot()
    graph = root.find(f"{GEXF}graph")
    assert (graph.get("mode"), graph.get("timeformat")) == ("dynamic", "date")
    assert root.find(f"{GEXF}meta").get("lastmodifieddate") is None


# ----------------------------------------------------------------------------- files


GEPHI = ("gexf", "graphml", "graphml-claimants")


def test_gephi_exports_are_byte_identical_run_to_run_and_from_another_process(store, store_path, tmp_path):
    first = {f: p.read_bytes() for f, p in export(store, tmp_path / "1", GEPHI).items()}
    second = {f: p.read_bytes() for f, p in export(store, tmp_path / "2", GEPHI).items()}
    assert first == second and all(first.values())
    store.close()
    code = textwrap.dedent(
        """
        import sys
        from kg.store import ClaimStore
        from kg.export import export
        with ClaimStore.open(sys.argv[1], read_only=True) as s:
            export(s, sys.argv[2], ("gexf", "graphml", "graphml-claimants"))
        """
    )
    out = subprocess.run(
        [sys.executable, "-c", code, str(store_path), str(tmp_path / "3")], cwd=REPO, capture_output=True, text=True
    )
    assert out.returncode == 0, out.stderr
    assert {f: (tmp_path / "3" / FORMATS[f][0]).read_bytes() for f in GEPHI} == first


def _fail_gexf(monkeypatch):
    real_write = GEXFWriter.write

    def failing_write(self, fh):
        real_write(self, fh)
        fh.flush()
        fh.truncate(fh.tell() // 3)
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(GEXFWriter, "write", failing_write)


def _fail_graphml(monkeypatch):
    real_write = nx.write_graphml

    def failing_write(G, path, **kw):
        real_write(G, path, **kw)
        data = Path(path).read_bytes()
        Path(path).write_bytes(data[: len(data) // 3])
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(nx, "write_graphml", failing_write)


@pytest.mark.parametrize(
    ("writer", "name", "fail"),
    [(export_gexf, "claims.gexf", _fail_gexf), (export_claimant_graphml, "claimants.graphml", _fail_graphml)],
    ids=["gexf", "graphml-claimants"],
)
def test_a_gephi_export_that_fails_midway_leaves_no_partial_file(store, tmp_path, monkeypatch, writer, name, fail):
    out = tmp_path / "out"
    target = out / name
    good = writer(store, target).read_bytes()
    with monkeypatch.context() as m:
        fail(m)
        with pytest.raises(OSError, match="No space"):
            writer(store, target)
        assert target.read_bytes() == good  # the previous export is intact
        with pytest.raises(OSError):
            writer(store, out / f"fresh-{name}")
    assert sorted(p.name for p in out.iterdir()) == [name]  # no partial file, no temporary left


def test_kg_export_writes_gexf_and_the_claimant_graphml(store_path, tmp_path):
    assert FORMATS["gexf"][0] == "claims.gexf" and FORMATS["graphml-claimants"][0] == "claimants.graphml"
    out = tmp_path / "exports"
    result = CliRunner().invoke(
        kg_main,
        ["export", "--format", "gexf", "--format", "graphml-claimants", "--store", str(store_path), "--out", str(out)],
    )
    assert result.exit_code == 0, result.output
    assert f"wrote {out / 'claims.gexf'} (gexf)" in result.output
    assert f"wrote {out / 'claimants.graphml'} (graphml-claimants)" in result.output
    assert sorted(p.name for p in out.iterdir()) == ["claimants.graphml", "claims.gexf"]
