"""The SHACL shapes (schemas/shapes.ttl) hold for every RDF export kg writes, and can fail.

Needs pySHACL (a test extra: pip install -e '.[test]').
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest
import rdflib
from rdflib import RDF, Literal, Namespace

from kg.export import FORMATS
from kg.export.validate import RDF_FORMATS, shapes_path, validate_graph

SEEDS = Path(__file__).resolve().parents[1] / "seeds"

KG = Namespace("https://w3id.org/kg-claims/ns#")
SCHEMA = Namespace("http://schema.org/")

#: the export formats that are RDF (GraphML is not)
RDF_EXPORTS = [fmt for fmt, (name, _writer) in FORMATS.items() if Path(name).suffix in RDF_FORMATS]


@pytest.fixture(scope="module")
def seed_build(tmp_path_factory, nlp):
    """The seed articles built with the real pipeline into a fresh store, every RDF format exported."""
    from kg.pipeline import build

    root = tmp_path_factory.mktemp("shapes")
    report = build([SEEDS], store_path=root / "store", out_dir=root / "out", formats=RDF_EXPORTS, nlp=nlp)
    return root / "store", report.exports


@pytest.fixture(scope="module")
def seed_graph(seed_build):
    _store, exports = seed_build
    return rdflib.Graph().parse(exports["turtle"], format="turtle")


def _copy(graph: rdflib.Graph) -> rdflib.Graph:
    out = rdflib.Graph()
    for triple in graph:
        out.add(triple)
    return out


def _violations(report: str) -> list[dict[str, str]]:
    """The results of a pySHACL text report: one dict per violation (focus node, path, message)."""
    found = []
    for block in re.split(r"\n(?=Constraint Violation)", report):
        fields = dict(re.findall(r"^\t(Focus Node|Result Path|Message): (.*)$", block, flags=re.M))
        if fields:
            found.append(fields)
    return found


def test_shapes_file_is_in_the_repository_schemas_folder():
    assert shapes_path() == Path(__file__).resolve().parents[1] / "schemas" / "shapes.ttl"


def test_every_rdf_export_format_is_checked():
    assert "turtle" in RDF_EXPORTS and "graphml" not in RDF_EXPORTS


@pytest.mark.parametrize("fmt", RDF_EXPORTS)
def test_seed_export_conforms_to_the_shapes(seed_build, fmt):
    _store, exports = seed_build
    conforms, report = validate_graph(exports[fmt])
    assert conforms, report


def test_seed_store_conforms_to_the_shapes(seed_build):
    from kg.store.oxigraph_store import ClaimStore

    store_path, _exports = seed_build
    with ClaimStore.open(store_path, read_only=True) as store:
        conforms, report = validate_graph(store)
    assert conforms, report


def test_seed_export_has_every_shaped_class(seed_graph):
    """The positive tests mean something only if the targets of each shape are there."""
    for cls in (KG.Claim, KG.Appearance, KG.Entity, KG.Mention, SCHEMA.NewsArticle, KG.Outlet, KG.Report):
        assert next(seed_graph.subjects(RDF.type, cls), None) is not None, cls


def test_claim_with_two_texts_fails_naming_the_claim(seed_graph):
    graph = _copy(seed_graph)
    claim = sorted(graph.subjects(RDF.type, KG.Claim))[0]
    graph.add((claim, SCHEMA.text, Literal("a second, different text")))

    conforms, report = validate_graph(graph)

    assert not conforms
    [violation] = _violations(report)
    assert violation["Focus Node"] == f"<{claim}>"
    assert "schema:text" in violation["Message"]


def test_appearance_without_its_claim_fails_naming_the_appearance(seed_graph):
    graph = _copy(seed_graph)
    appearance = sorted(graph.subjects(RDF.type, KG.Appearance))[0]
    graph.remove((appearance, KG.ofClaim, None))

    conforms, report = validate_graph(graph)

    assert not conforms
    violations = _violations(report)
    assert violations and all(v["Focus Node"] == f"<{appearance}>" for v in violations)
    assert any("kg:ofClaim" in v["Message"] and v["Result Path"] == "kg:ofClaim" for v in violations)


def test_entity_without_name_fails_naming_the_entity(seed_graph):
    graph = _copy(seed_graph)
    entity = sorted(graph.subjects(RDF.type, KG.Entity))[0]
    graph.remove((entity, SCHEMA.name, None))

    conforms, report = validate_graph(graph)

    assert not conforms
    [violation] = _violations(report)
    assert violation["Focus Node"] == f"<{entity}>"
    assert "schema:name" in violation["Message"]


def test_first_appearance_of_another_claim_fails_naming_the_appearance(seed_graph):
    graph = _copy(seed_graph)
    claim, other = sorted(graph.subjects(RDF.type, KG.Claim))[:2]
    borrowed = sorted(graph.objects(other, KG.hasAppearance))[0]
    graph.set((claim, KG.firstAppearance, borrowed))

    conforms, report = validate_graph(graph)

    assert not conforms
    violations = _violations(report)
    assert violations and all(v["Focus Node"] == f"<{borrowed}>" for v in violations)
    assert any("kg:firstAppearance" in v["Message"] for v in violations)


def _with_contradiction(graph: rdflib.Graph, **override) -> tuple[rdflib.Graph, rdflib.URIRef]:
    """A copy of ``graph`` with a kg:Contradiction between its first two claims, as detection writes it."""
    out = _copy(graph)
    a, b = sorted(out.subjects(RDF.type, KG.Claim))[:2]
    node = rdflib.URIRef("https://w3id.org/kg-claims/id/contradiction/test")
    values = {
        KG.claimA: a, KG.claimB: b, KG.kind: Literal("polarity"), KG.basis: Literal("polarity"),
        KG.confidence: Literal("0.80", datatype=rdflib.XSD.decimal), KG.reason: Literal("A says so; B says not."),
    }
    values.update({KG[k]: v for k, v in override.items()})
    out.add((node, RDF.type, KG.Contradiction))
    out.add((a, KG.contradicts, b))
    for p, o in values.items():
        out.add((node, p, o))
    return out, node


def test_a_contradiction_as_detection_writes_it_conforms(seed_graph):
    graph, _node = _with_contradiction(seed_graph)
    conforms, report = validate_graph(graph)
    assert conforms, report


@pytest.mark.parametrize(
    "override",
    [{"kind": Literal("maybe")}, {"confidence": Literal("1.5", datatype=rdflib.XSD.decimal)},
     {"claimB": rdflib.URIRef("https://w3id.org/kg-claims/id/entity/nobody")}],
    ids=["unknown-kind", "confidence-above-one", "claim-b-not-a-claim"],
)
def test_a_malformed_contradiction_fails_naming_it(seed_graph, override):
    graph, node = _with_contradiction(seed_graph, **override)
    conforms, report = validate_graph(graph)
    assert not conforms
    assert {v["Focus Node"] for v in _violations(report)} == {f"<{node}>"}


def test_ill_typed_date_fails(seed_graph):
    graph = _copy(seed_graph)
    article = sorted(graph.subjects(RDF.type, SCHEMA.NewsArticle))[0]
    graph.set((article, SCHEMA.datePublished, Literal("26 February 2022")))

    conforms, report = validate_graph(graph)

    assert not conforms
    [violation] = _violations(report)
    assert violation["Focus Node"] == f"<{article}>"


def test_trig_is_validated_as_the_union_of_its_graphs(seed_build):
    """Each article graph alone lacks the resolved links; the union of all of them conforms."""
    _store, exports = seed_build
    if "trig" not in exports:
        pytest.skip("no TriG export")
    dataset = rdflib.Dataset()
    dataset.parse(exports["trig"], format="trig")
    derived = ("/graph/resolved", "/graph/contradictions")
    article_graphs = [g for g in dataset.graphs() if "/graph/" in str(g.identifier)
                      and not str(g.identifier).endswith(derived)]
    assert article_graphs
    alone = _copy(article_graphs[0])
    assert not validate_graph(alone)[0]
    assert validate_graph(dataset)[0]


def test_unknown_file_format_is_refused(tmp_path):
    path = tmp_path / "claims.graphml"
    path.write_text("<graphml/>")
    with pytest.raises(ValueError, match="RDF format"):
        validate_graph(path)


def test_missing_pyshacl_says_how_to_install_it(monkeypatch, seed_graph):
    monkeypatch.setitem(sys.modules, "pyshacl", None)  # makes `import pyshacl` raise ImportError
    with pytest.raises(ImportError, match="pip install pyshacl"):
        validate_graph(seed_graph)
