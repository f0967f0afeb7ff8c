"""Claims -> RDF quads: claims are nodes, identities are stable, every kg: term is declared."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
import rdflib
from pyoxigraph import BlankNode, DefaultGraph, Literal, NamedNode, Quad
from rdflib.namespace import OWL, RDF, RDFS

from kg.build.examples import example_records, span
from kg.build.namespaces import KG, KG_NS, PROV_NS, RDF_TYPE, SCHEMA_NS, XSD_NS
from kg.build.rdf import (
    Run,
    article_iri,
    claim_iri,
    document_quads,
    entity_iri,
    graph_iri,
    normalise_content,
    outlet_iri,
    slug,
    source_iri,
)
from kg.build.rdf import RESOLVED_GRAPH, mention_iri
from kg.pipeline import resolve
from kg.records import Claim, Document, Speaker
from kg.store import ClaimStore

SCHEMA_TTL = Path(__file__).resolve().parents[1] / "schemas" / "kg.ttl"
RUN = Run(kg_version="0.1.0", model="en_core_web_sm", model_version="3.8.0", started_at="2024-05-01T12:00:00Z")


@pytest.fixture
def records():
    return example_records()


def _all_quads(records) -> list[Quad]:
    docs, claims = records
    return [q for d in docs for q in document_quads(d, claims[d.id], RUN)]


def _stored(path, records, order=None) -> list[Quad]:
    """Every quad of the named graphs of a store holding ``records``, resolved."""
    docs, claims = records
    with ClaimStore.open(path) as store:
        for d in (order or docs):
            store.put_document(d, document_quads(d, claims[d.id], RUN))
        resolve(store)
        return sorted((q for q in store.oxigraph if q.graph_name != DefaultGraph()), key=str)


@pytest.fixture
def graph(records, tmp_path) -> list[Quad]:
    return _stored(tmp_path / "kg", records)


def _objects(quads, s, p):
    return {q.object for q in quads if q.subject == s and q.predicate == p}


def _subjects(quads, p, o):
    return {q.subject for q in quads if q.predicate == p and q.object == o}


def test_claim_is_a_node_and_its_content_is_never_asserted(records, graph):
    docs, claims = records
    doc = docs[0]
    quads = graph
    source_claim = claims[doc.id][0]
    claim = next(iter(_subjects(quads, SCHEMA_NS.text, Literal(source_claim.content.text))))

    assert {RDF_TYPE} <= {q.predicate for q in quads if q.subject == claim}
    assert _objects(quads, claim, RDF_TYPE) == {KG_NS.Claim, SCHEMA_NS.Claim}
    claimant = source_iri(doc.id, source_claim.speaker.text)
    assert _objects(quads, claim, PROV_NS.wasAttributedTo) == {claimant}
    assert _objects(quads, claim, SCHEMA_NS.author) == {claimant}
    # the content only ever appears as a literal of the claim / its appearance
    holders = {(q.subject, q.predicate) for q in quads if isinstance(q.object, Literal) and "still safer than Los Angeles" in q.object.value}
    preds = {p for _, p in holders}
    assert preds <= {SCHEMA_NS.text, KG_NS.contentText, KG_NS.sentence}
    # the entities the claim is about are linked from the claim only: nothing states
    # anything about Kyiv and Los Angeles together ("Kyiv is safer than LA" is not a fact here)
    kyiv, la = entity_iri("Kyiv"), entity_iri("Los Angeles")
    assert _objects(quads, claim, SCHEMA_NS.mentions) == {kyiv, la}
    for ent in (kyiv, la):
        about_ent = {q.predicate for q in quads if q.subject == ent}
        assert about_ent <= {RDF_TYPE, SCHEMA_NS.name, KG_NS.alias, KG_NS.entityType, KG_NS.hasMention}
        assert {q.predicate for q in quads if q.object == ent} == {SCHEMA_NS.mentions, KG_NS.refersTo}
    assert not [q for q in quads if q.subject in (kyiv, la) and q.object in (kyiv, la)]


def test_all_quads_live_in_the_article_graph_without_blank_nodes(records, graph):
    docs, claims = records
    for d in docs:
        quads = document_quads(d, claims[d.id], RUN)
        assert {q.graph_name for q in quads} == {graph_iri(d.id)}
        assert not [q for q in quads if isinstance(q.subject, BlankNode) or isinstance(q.object, BlankNode)]
        assert len(quads) == len(set(quads))
    assert {q.graph_name for q in graph} == {graph_iri(d.id) for d in docs} | {RESOLVED_GRAPH}
    assert not [q for q in graph if isinstance(q.subject, BlankNode) or isinstance(q.object, BlankNode)]


def test_build_is_deterministic_whatever_the_order_of_ingest(records, graph, tmp_path):
    assert _all_quads(records) == _all_quads(example_records())
    docs, _ = records
    assert _stored(tmp_path / "reversed", records, order=list(reversed(docs))) == graph


def test_same_claimant_same_content_in_two_articles_is_one_claim_with_two_appearances(records, graph):
    docs, claims = records
    leave_a = claims["nypost-1"][1]  # "that Americans in the city must leave now" (Jen Psaki)
    leave_b = claims["wire-2"][1]  # "Americans in the city must leave now," (Psaki)
    quads = graph
    claim = claim_iri(entity_iri("Jen Psaki").value, leave_a.content.text)
    assert claim == claim_iri(entity_iri("Jen Psaki").value, leave_b.content.text)

    claim_nodes = {q.subject for q in quads if q.predicate == RDF_TYPE and q.object == KG_NS.Claim}
    assert claim in claim_nodes
    assert len(claim_nodes) == 4  # 5 claim records, 4 distinct claims
    appearances = _objects(quads, claim, KG_NS.hasAppearance)
    assert len(appearances) == 2
    articles = {next(iter(_objects(quads, a, SCHEMA_NS.isPartOf))) for a in appearances}
    assert articles == {article_iri("nypost-1"), article_iri("wire-2")}
    assert _objects(quads, claim, SCHEMA_NS.appearance) == articles
    for a in appearances:
        assert _objects(quads, a, KG_NS.ofClaim) == {claim}
    # each appearance keeps its own surface text and offsets
    texts = {next(iter(_objects(quads, a, KG_NS.contentText))).value for a in appearances}
    assert texts == {leave_a.content.text, leave_b.content.text}
    # the first appearance, how often, by how many independent outlets
    assert _objects(quads, claim, KG_NS.firstAppearance) == {
        next(a for a in appearances if article_iri("nypost-1") in _objects(quads, a, SCHEMA_NS.isPartOf))
    }
    assert _objects(quads, claim, KG_NS.firstSeen) == {Literal("2022-01-24", datatype=XSD_NS.date)}
    assert _objects(quads, claim, KG_NS.appearanceCount) == {Literal(2)}
    assert _objects(quads, claim, KG_NS.outletCount) == {Literal(2)}


def test_claim_identity_normalises_content_but_not_the_claimant():
    assert normalise_content("that Americans  must leave now") == "americans must leave now"
    assert normalise_content("\u201cAmericans must leave NOW,\u201d") == "americans must leave now"
    assert normalise_content("I\u2019m the target") == normalise_content("I'm the target")
    psaki = entity_iri("Jen Psaki").value
    assert claim_iri(psaki, "that X is safe.") == claim_iri(psaki, "\u201cX is safe\u201d")
    assert claim_iri(psaki, "X is safe") != claim_iri(entity_iri("John Kirby").value, "X is safe")
    assert claim_iri("unknown", "X is safe") != claim_iri(psaki, "X is safe")
    # anonymous sources are per article: the same words from "a source" in two articles are two claims
    assert source_iri("a", "a source") != source_iri("b", "a source")


def test_iris_are_slugged_and_percent_encoded():
    assert slug("Jen Psaki") == "jen-psaki"
    assert slug("  Émile  Zola! ") == "emile-zola"
    assert slug("BuzzFeed News") == "buzzfeed-news"
    cyrillic = slug("Владимир Зеленский")
    assert cyrillic and cyrillic.isascii() and "%" in cyrillic and cyrillic != slug("Иван Петров")
    assert slug("???").startswith("x-") and slug("???") != slug("!!!")
    assert article_iri("feeds/2022 01.json#3").value == "https://w3id.org/kg-claims/id/article/feeds%2F2022%2001.json%233"
    assert outlet_iri("The Washington Post").value.endswith("/outlet/the-washington-post")


def test_relay_that_is_a_claimant_of_the_article_is_that_entity(tmp_path):
    text = "Zelensky told Jen Psaki that he will stay. Jen Psaki said the US is in contact with him."
    doc = Document(id="relay-doc", text=text, date="2022-02-26", outlet="Example Wire")
    zel = span(text, "Zelensky", cls=Speaker, name="Volodymyr Zelensky", type="person")
    psaki = span(text, "Jen Psaki", 40, cls=Speaker, name="Jen Psaki", type="person")
    claims = [
        Claim(doc_id=doc.id, speaker=zel, content=span(text, "that he will stay"), relay=("Jen Psaki", "Reuters")),
        Claim(doc_id=doc.id, speaker=psaki, content=span(text, "the US is in contact with him")),
    ]
    quads = document_quads(doc, claims, RUN)
    app = next(q.subject for q in quads if q.predicate == KG_NS.contentText and q.object == Literal("that he will stay"))
    psaki_here = mention_iri(doc.id, "Jen Psaki")
    assert _objects(quads, app, KG_NS.relayedVia) == {psaki_here, outlet_iri("Reuters")}
    # the chain, nearest first: the appearance was derived from Psaki's report, derived from Reuters'
    (step1,) = _objects(quads, app, PROV_NS.wasDerivedFrom)
    assert _objects(quads, step1, PROV_NS.wasAttributedTo) == {psaki_here}
    (step2,) = _objects(quads, step1, PROV_NS.wasDerivedFrom)
    assert _objects(quads, step2, PROV_NS.wasAttributedTo) == {outlet_iri("Reuters")}
    assert _objects(quads, app, KG_NS.relayChain) == {Literal("Jen Psaki, Reuters")}
    stored = _stored(tmp_path / "kg", ([doc], {doc.id: claims}))
    assert _objects(stored, psaki_here, KG_NS.refersTo) == {entity_iri("Jen Psaki")}
    assert _objects(quads, outlet_iri("Reuters"), RDF_TYPE) == {SCHEMA_NS.NewsMediaOrganization, KG_NS.Outlet}
    assert not _objects(quads, outlet_iri("Jen Psaki"), RDF_TYPE)


def test_article_entities_and_run_are_described(records, graph):
    docs, claims = records
    doc = docs[0]
    quads = graph
    art = article_iri(doc.id)
    assert _objects(quads, art, SCHEMA_NS.datePublished) == {Literal("2022-01-24", datatype=XSD_NS.date)}
    assert _objects(quads, art, SCHEMA_NS.url) == {Literal(doc.url, datatype=XSD_NS.anyURI)}
    assert _objects(quads, art, KG_NS.contentHash) == {Literal(doc.content_hash)}
    assert _objects(quads, art, SCHEMA_NS.publisher) == {outlet_iri("New York Post")}
    assert _objects(quads, art, KG_NS.extractedBy) == {RUN.iri}
    assert _objects(quads, RUN.iri, RDF_TYPE) == {PROV_NS.Activity}
    assert _objects(quads, RUN.iri, PROV_NS.wasAssociatedWith) == {RUN.agent_iri}
    assert _objects(quads, RUN.agent_iri, SCHEMA_NS.softwareVersion) == {Literal("0.1.0")}
    psaki = entity_iri("Jen Psaki")
    assert _objects(quads, psaki, RDF_TYPE) == {KG_NS.Entity, SCHEMA_NS.Person}
    assert _objects(quads, psaki, KG_NS.alias) == {
        Literal("Jen Psaki"), Literal("White House Press Secretary Jen Psaki"), Literal("Psaki")
    }
    source = source_iri(doc.id, claims[doc.id][0].speaker.text)
    assert _objects(quads, source, RDF_TYPE) == {KG_NS.Entity, KG_NS.AnonymousSource}
    assert _objects(quads, source, KG_NS.affiliation) == {Literal("close to Ukrainian President Volodymyr Zelensky")}
    (app,) = {a for c in _subjects(quads, PROV_NS.wasAttributedTo, psaki) for a in _objects(quads, c, KG_NS.hasAppearance)
              if _objects(quads, a, SCHEMA_NS.isPartOf) == {art}}
    assert _objects(quads, app, KG_NS.utteranceDate) == {Literal("2022-01-24", datatype=XSD_NS.date)}
    assert _objects(quads, app, KG_NS.contentStart) == {Literal(273)}


def test_run_iri_is_stable_and_started_at_must_be_iso():
    assert RUN.iri == Run("0.1.0", "en_core_web_sm", "3.8.0", "2024-05-01T12:00:00Z").iri
    assert RUN.iri != replace(RUN, started_at="2024-05-01T12:00:01Z").iri
    assert len(RUN.key) == 16
    with pytest.raises(ValueError):
        Run("0.1.0", "m", "1", "yesterday")
    assert Run.now("m", "1").started_at.endswith("Z")


def test_claims_of_another_document_are_rejected(records):
    docs, claims = records
    with pytest.raises(ValueError, match="wire-2"):
        document_quads(docs[0], claims["wire-2"], RUN)


def test_every_kg_term_in_a_built_graph_is_declared_in_the_vocabulary(graph):
    vocab = rdflib.Graph().parse(SCHEMA_TTL, format="turtle")
    used: set[str] = set()
    for q in graph:
        for term in (q.subject, q.predicate, q.object):
            if isinstance(term, NamedNode) and term.value.startswith(KG):
                used.add(term.value)
    assert {"Claim", "Appearance", "Entity", "AnonymousSource", "Outlet", "stance", "ofClaim"} <= {
        u[len(KG):] for u in used
    }
    declaration_types = {OWL.Class, OWL.DatatypeProperty, OWL.ObjectProperty}
    for iri in sorted(used):
        term = rdflib.URIRef(iri)
        assert set(vocab.objects(term, RDF.type)) & declaration_types, f"{iri} is not declared"
        assert vocab.value(term, RDFS.label), f"{iri} has no rdfs:label"
        assert vocab.value(term, RDFS.comment), f"{iri} has no rdfs:comment"
    # and nothing in the vocabulary is left without a label/comment either
    for term in set(vocab.subjects(RDF.type, None)):
        if str(term).startswith(KG):
            assert vocab.value(term, RDFS.label) and vocab.value(term, RDFS.comment), term
    assert (rdflib.URIRef(KG + "Claim"), RDFS.subClassOf, rdflib.URIRef("http://schema.org/Claim")) in vocab


def test_a_run_without_time_has_no_time_triple_and_a_stable_iri():
    timeless = Run("0.1.0", "en_core_web_sm", "3.8.0")
    g = NamedNode("https://example.org/g")
    assert timeless.iri == Run("0.1.0", "en_core_web_sm", "3.8.0").iri != RUN.iri
    assert not any(q.predicate.value.endswith("startedAtTime") for q in timeless.quads(g))
    assert any(q.predicate.value.endswith("startedAtTime") for q in RUN.quads(g))


def test_every_kg_term_a_canned_query_reads_is_declared_in_the_vocabulary():
    import re

    vocab = rdflib.Graph().parse(SCHEMA_TTL, format="turtle")
    queries = sorted((SCHEMA_TTL.parent / "queries").glob("*.rq"))
    assert queries
    for path in queries:
        body = "\n".join(line for line in path.read_text(encoding="utf-8").splitlines() if not line.startswith("#"))
        for local in sorted(set(re.findall(r"\bkg:([A-Za-z]\w*)", body))):
            term = rdflib.URIRef(KG + local)
            assert (term, RDF.type, None) in vocab, f"{path.name} reads kg:{local}, which schemas/kg.ttl does not declare"
