"""The on-disk claim store: idempotent puts, atomic replacement, persistence, locking."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from dataclasses import replace
from pathlib import Path

import pytest
from pyoxigraph import DefaultGraph, Literal, NamedNode, Quad, Triple

from kg.build.examples import example_records, span
from kg.build.rdf import RESOLVED_GRAPH, Run, claim_iri, document_quads, entity_iri, graph_iri, source_iri
from kg.pipeline import resolve
from kg.records import Claim, Span, Speaker
from kg.store import ClaimStore, StoreError, StoreLockedError

RUN = Run(kg_version="0.1.0", model="en_core_web_sm", model_version="3.8.0", started_at="2024-05-01T12:00:00Z")
REPO = Path(__file__).resolve().parents[1]


def _fill(store: ClaimStore) -> tuple[list, dict]:
    docs, claims = example_records()
    for d in docs:
        assert store.put_document(d, document_quads(d, claims[d.id], RUN)) == "new"
    resolve(store)
    return docs, claims


def _ask_claim(store: ClaimStore, iri: NamedNode) -> bool:
    return store.query("SELECT ?c WHERE { ?c a kg:Claim }", {"c": iri}) != []


@pytest.fixture
def store(tmp_path):
    with ClaimStore.open(tmp_path / "kg") as s:
        yield s


def test_putting_the_same_document_again_changes_nothing(store):
    docs, claims = _fill(store)
    before = store.count_triples()
    later = replace(RUN, started_at="2024-06-01T00:00:00Z")
    for d in docs:
        assert store.document_status(d) == "unchanged"
        # even from a later run: an unchanged article is not rewritten
        assert store.put_document(d, document_quads(d, claims[d.id], later)) == "unchanged"
    assert store.count_triples() == before
    assert store.query("SELECT ?r WHERE { ?r kg:model ?m }", {"r": later.iri}) == []
    assert store.query("SELECT ?r WHERE { ?r kg:model ?m }", {"r": RUN.iri}) != []


def test_a_changed_document_replaces_its_graph_and_old_claims_disappear(store):
    docs, claims = _fill(store)
    a = docs[0]
    source_claim, psaki_leave = claims[a.id]
    old_source = claim_iri(source_iri(a.id, source_claim.speaker.text).value, source_claim.content.text)
    leave = claim_iri(entity_iri("Jen Psaki").value, psaki_leave.content.text)
    assert _ask_claim(store, old_source) and _ask_claim(store, leave)

    text = "John Kirby said that thousands of U.S. troops are on high alert."
    a2 = replace(a, text=text, title="Troops on alert")
    new_claim = Claim(
        doc_id=a.id,
        speaker=span(text, "John Kirby", cls=Speaker, name="John Kirby", type="person"),
        cue=span(text, "said"),
        content=span(text, "that thousands of U.S. troops are on high alert"),
    )
    assert store.document_status(a2) == "changed"
    assert store.put_document(a2, document_quads(a2, [new_claim], RUN)) == "changed"
    assert not resolve(store).skipped  # the article set changed: claims and entities are derived anew

    assert not _ask_claim(store, old_source)
    assert _ask_claim(store, claim_iri(entity_iri("John Kirby").value, new_claim.content.text))
    # the claim shared with the other article survives, now with that article's appearance only
    rows = store.query("SELECT ?c ?app WHERE { ?c kg:hasAppearance ?app }", {"c": leave})
    assert [r["app"].split("/")[-2] for r in rows] == ["wire-2"]
    assert store.query(
        "SELECT ?a ?t WHERE { ?a schema:headline ?t }", {"a": NamedNode("https://w3id.org/kg-claims/id/article/nypost-1")}
    )[0]["t"] == "Troops on alert"
    assert store.document_status(a2) == "unchanged"
    assert set(store.oxigraph.named_graphs()) == {graph_iri("nypost-1"), graph_iri("wire-2"), RESOLVED_GRAPH}
    assert resolve(store).skipped  # nothing changed since


def test_replacing_a_graph_keeps_every_literal_exact(store):
    """The replacement goes through SPARQL text: quotes, backslashes, braces, newlines survive."""
    docs, claims = _fill(store)
    text = 'Kirby said that "it\'s {not} a\\b drill" \u2014 ok?\n\tGRAPH <x> { } ; DROP ALL \U0001F600 caf\u00e9'
    a2 = replace(docs[0], text=text, title='Title with "quotes" and \\ and }', url="https://example.com/a?b=1&c=\"2\"")
    claim = Claim(
        doc_id=a2.id,
        speaker=span(text, "Kirby", cls=Speaker, name="John \"JK\" Kirby", type="person"),
        cue=span(text, "said"),
        content=Span(text=text[10:], start=10, end=len(text)),
        relay=("Outlet } ; DROP ALL #",),
    )
    quads = document_quads(a2, [claim], RUN)
    assert store.put_document(a2, quads) == "changed"
    stored = set(store.oxigraph.quads_for_pattern(None, None, None, graph_iri(a2.id)))
    assert stored == set(quads)
    assert store.oxigraph.contains_named_graph(graph_iri("wire-2"))


def test_oxigraph_applies_one_update_atomically(store):
    """The assumption the graph replacement rests on: a failing update writes nothing."""
    _fill(store)
    before = store.count_triples()
    g, other = graph_iri("nypost-1"), graph_iri("wire-2")
    with pytest.raises(RuntimeError):  # CREATE of an existing graph fails after the DROP ran
        store.oxigraph.update(f"DROP GRAPH {g} ; CREATE GRAPH {other}")
    assert store.count_triples() == before
    assert store.oxigraph.contains_named_graph(g)


def test_quads_outside_the_article_graph_are_refused(store):
    docs, claims = example_records()
    quads = document_quads(docs[0], claims[docs[0].id], RUN)
    stray = Quad(NamedNode("http://example.com/s"), NamedNode("http://example.com/p"), Literal("o"), graph_iri("other"))
    with pytest.raises(ValueError, match="not in the graph"):
        store.put_document(docs[0], [*quads, stray])
    assert store.count_triples() == 0


def test_data_survives_close_and_reopen(tmp_path):
    path = tmp_path / "kg"
    with ClaimStore.open(path) as s:
        _fill(s)
        stats = s.stats()
    assert s.closed
    with pytest.raises(StoreError, match="closed"):
        s.count_triples()
    with ClaimStore.open(path) as s:
        assert s.stats() == stats
    with ClaimStore.open(path, read_only=True) as ro:
        assert ro.stats() == stats
        docs, claims = example_records()
        with pytest.raises(StoreError, match="read-only"):
            ro.put_document(docs[0], document_quads(docs[0], claims[docs[0].id], RUN))


def test_opening_a_missing_store_read_only_names_the_path(tmp_path):
    missing = tmp_path / "nowhere"
    with pytest.raises(StoreError, match="nowhere"):
        ClaimStore.open(missing, read_only=True)
    assert not missing.exists()


def test_a_second_open_in_the_same_process_is_refused(tmp_path):
    path = tmp_path / "kg"
    with ClaimStore.open(path):
        with pytest.raises(StoreLockedError, match=f"store {path} is in use by another kg process"):
            ClaimStore.open(path)
    with ClaimStore.open(path):  # released on close
        pass


_TRY_OPEN = textwrap.dedent(
    """
    import sys
    from kg.store import ClaimStore, StoreLockedError
    try:
        ClaimStore.open(sys.argv[1]).close()
    except StoreLockedError as exc:
        print("locked:", exc)
    else:
        print("opened")
    """
)

_HOLD_OPEN = textwrap.dedent(
    """
    import sys
    from kg.store import ClaimStore
    with ClaimStore.open(sys.argv[1]):
        print("holding", flush=True)
        sys.stdin.readline()
    """
)


def _python(code: str, *args: str, **kw) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", code, *args], cwd=REPO, capture_output=True, text=True, timeout=60, **kw)


def test_a_second_process_gets_store_locked_error(tmp_path):
    path = tmp_path / "kg"
    with ClaimStore.open(path):
        out = _python(_TRY_OPEN, str(path))
        assert out.returncode == 0, out.stderr
        assert out.stdout.strip() == f"locked: store {path} is in use by another kg process"
    out = _python(_TRY_OPEN, str(path))
    assert out.stdout.strip() == "opened", out.stderr


def test_a_store_held_by_another_process_raises_here(tmp_path):
    path = tmp_path / "kg"
    holder = subprocess.Popen(
        [sys.executable, "-c", _HOLD_OPEN, str(path)], cwd=REPO, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout.readline().strip() == "holding"
        with pytest.raises(StoreLockedError, match="in use by another kg process"):
            ClaimStore.open(path)
    finally:
        holder.communicate("\n", timeout=60)
    assert holder.returncode == 0
    ClaimStore.open(path).close()


def test_stats_count_distinct_things(store):
    assert store.stats() == {"triples": 0, "claims": 0, "entities": 0, "articles": 0, "outlets": 0, "appearances": 0}
    _fill(store)
    stats = store.stats()
    # claims: source's, Psaki x2 (one shared by both articles), unattributed; entities: Psaki,
    # the anonymous source, Kyiv, Los Angeles, Zelensky; outlets: NY Post, BuzzFeed News, Example Wire
    assert stats == {
        "triples": store.count_triples(),
        "claims": 4,
        "entities": 5,
        "articles": 2,
        "outlets": 3,
        "appearances": 5,
    }
    triples = list(store.triples())
    assert len(triples) == stats["triples"] == len({str(t) for t in triples})
    assert all(isinstance(t, Triple) for t in triples)
    # the run is described in both article graphs but counted once in the merged graph
    in_articles = [q for q in store.oxigraph.quads_for_pattern(RUN.iri, None, None, None)
                   if not isinstance(q.graph_name, DefaultGraph)]
    assert len(in_articles) == 2 * len([t for t in triples if t.subject == RUN.iri])
    assert store.document_ids() == ["nypost-1", "wire-2"]


def test_query_binds_values_and_converts_results(store):
    _fill(store)
    rows = store.query(
        "SELECT ?name ?start WHERE { ?app kg:speakerText ?name ; kg:contentStart ?start } ORDER BY ?start",
        {"name": "Psaki"},
    )
    assert rows == [{"name": "Psaki", "start": 133}]
    assert store.query("ASK { ?e schema:name ?n }", {"n": "Jen Psaki"}) is True
    assert store.query("ASK { ?e schema:name ?n }", {"n": "Jen Psaki\" } ; DROP ALL ; ASK { \""}) is False
    triples = store.query("CONSTRUCT { ?e schema:name ?n } WHERE { ?e a schema:Person ; schema:name ?n }")
    assert all(isinstance(t, Triple) for t in triples)
    assert sorted(t.object.value for t in triples) == ["Jen Psaki", "Volodymyr Zelensky"]
    with pytest.raises(ValueError, match="projection"):
        store.query("SELECT ?e WHERE { ?e schema:name ?n }", {"n": "Jen Psaki"})
    assert store.count_triples() > 0


def _merge_of_articles(store: ClaimStore) -> set[str]:
    return {str(q.triple) for q in store.oxigraph.quads_for_pattern(None, None, None, None)
            if not isinstance(q.graph_name, DefaultGraph)}


def test_the_merged_graph_counts_a_node_named_by_two_articles_once(store):
    docs, claims = _fill(store)
    psaki_claims = {
        claim_iri(entity_iri("Jen Psaki").value, c.content.text).value
        for cs in claims.values() for c in cs if c.speaker and c.speaker.name == "Jen Psaki"
    }
    rows = store.query(
        "SELECT (COUNT(?c) AS ?n) WHERE { ?c prov:wasAttributedTo ?who . ?who schema:name \"Jen Psaki\" }"
    )
    assert rows == [{"n": len(psaki_claims)}]
    assert {str(t) for t in store.triples()} == _merge_of_articles(store)


def test_the_merged_graph_follows_replaced_and_removed_articles(store):
    docs, claims = _fill(store)
    a, b = docs
    text = "John Kirby said that thousands of U.S. troops are on high alert."
    a2 = replace(a, text=text)
    kirby = Claim(doc_id=a.id, speaker=span(text, "John Kirby", cls=Speaker, name="John Kirby", type="person"),
                  cue=span(text, "said"), content=span(text, "that thousands of U.S. troops are on high alert"))
    store.put_document(a2, document_quads(a2, [kirby], RUN))
    resolve(store)
    assert {str(t) for t in store.triples()} == _merge_of_articles(store)
    # what both articles stated (the run, the shared claim) is still there
    assert store.query("SELECT ?r WHERE { ?r kg:model ?m }", {"r": RUN.iri}) != []
    assert store.remove_document(b.id)
    resolve(store)
    assert {str(t) for t in store.triples()} == _merge_of_articles(store)
    assert store.remove_document(a.id)
    resolve(store)
    assert store.stats()["claims"] == 0 and store.stats()["entities"] == 0
    assert {str(t) for t in store.triples()} == _merge_of_articles(store)


def test_a_store_without_merged_graph_gets_one_when_opened(tmp_path):
    with ClaimStore.open(tmp_path / "kg") as store:
        _fill(store)
        expected = {str(t) for t in store.triples()}
        store.oxigraph.update("CLEAR DEFAULT")
        assert list(store.triples()) == []
    with ClaimStore.open(tmp_path / "kg") as store:
        assert {str(t) for t in store.triples()} == expected
