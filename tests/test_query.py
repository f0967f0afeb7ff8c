"""find_claims: who claimed what, when, where -- filters, order, and hostile input."""

from __future__ import annotations

import pytest

from kg.build.examples import example_records
from kg.build.rdf import Run
from kg.pipeline import store_claims
from kg.query import ClaimRow, find_claims
from kg.store import ClaimStore

RUN = Run(kg_version="0.1.0", model="en_core_web_sm", model_version="3.8.0", started_at="2024-05-01T12:00:00Z")


@pytest.fixture
def store(tmp_path):
    docs, claims = example_records()
    with ClaimStore.open(tmp_path / "kg") as s:
        store_claims(s, ((d, claims[d.id]) for d in docs), run=RUN)
        yield s


def _contents(rows: list[ClaimRow]) -> list[str]:
    return [r.content for r in rows]


def test_all_appearances_come_back_in_date_then_document_then_offset_order(store):
    rows = find_claims(store)
    assert len(rows) == 5  # one row per appearance
    keys = [(r.utterance_date or r.date, r.doc_id, r.start) for r in rows]
    assert keys == sorted(keys)
    assert keys == [
        ("2022-01-24", "nypost-1", 69),
        ("2022-01-24", "nypost-1", 273),
        ("2022-02-24", "wire-2", 81),  # said "this Thursday", published Saturday
        ("2022-02-26", "wire-2", 133),
        ("2022-02-26", "wire-2", 184),
    ]


def test_a_row_says_who_claimed_what_when_and_where(store):
    source = find_claims(store)[0]
    assert source == ClaimRow(
        claim=source.claim,
        claimant="source close to Volodymyr Zelensky",
        claimant_type="anonymous",
        content="that Kyiv, despite staring down a potential foreign invasion, is still safer than Los Angeles",
        cue="has claimed",
        date="2022-01-24",
        utterance_date=None,
        doc_id="nypost-1",
        article_title="Zelensky source says Kyiv safer than LA",
        outlet="New York Post",
        relay="BuzzFeed News",
        start=69,
        end=162,
        sentence=source.sentence,
        stance="claim",
        kind=source.kind,
    )
    assert source.kind in ("direct", "indirect", "mixed", "according_to")
    assert source.claim.startswith("https://w3id.org/kg-claims/id/claim/")
    assert source.sentence.endswith("BuzzFeed News reported.")
    unattributed = find_claims(store)[-1]
    assert (unattributed.claimant, unattributed.claimant_type, unattributed.cue) == (None, None, "according to")


def test_by_matches_name_or_alias_case_insensitively(store):
    psaki = find_claims(store, by="psaki")
    assert [r.doc_id for r in psaki] == ["nypost-1", "wire-2", "wire-2"]
    assert {r.claimant for r in psaki} == {"Jen Psaki"}
    assert find_claims(store, by="JEN PSAKI") == psaki
    # "White House Press Secretary" is only an alias (speaker text in one article)
    assert find_claims(store, by="press secretary") == psaki
    # the same claim in two articles: two rows, one claim
    assert psaki[0].claim == psaki[2].claim
    assert [r.claimant for r in find_claims(store, by="close to")] == ["source close to Volodymyr Zelensky"]
    assert find_claims(store, by="Kirby") == []


def test_about_matches_mentioned_entities_and_claim_text(store):
    assert _contents(find_claims(store, about="los angeles")) == [
        "that Kyiv, despite staring down a potential foreign invasion, is still safer than Los Angeles"
    ]
    # "The capital is calm" names Kyiv only as "capital": matched through the mention
    assert [r.doc_id for r in find_claims(store, about="KYIV")] == ["nypost-1", "wire-2"]
    assert _contents(find_claims(store, about="Volodymyr")) == ["that the US is aware of the situation of Zelensky"]
    assert len(find_claims(store, about="City Must Leave")) == 2  # text match, both appearances


def test_since_and_until_use_the_utterance_date_before_the_article_date(store):
    assert [r.doc_id for r in find_claims(store, since="2022-02-01")] == ["wire-2"] * 3
    assert [r.doc_id for r in find_claims(store, until="2022-01-31")] == ["nypost-1"] * 2
    # uttered 2022-02-24 in an article of 2022-02-26: out of range when since=2022-02-25
    rows = find_claims(store, since="2022-02-25")
    assert [r.start for r in rows] == [133, 184]
    assert [r.start for r in find_claims(store, since="2022-02-24", until="2022-02-24")] == [81]
    assert find_claims(store, by="psaki", since="2022-02-25", until="2022-02-26")[0].start == 133


def test_limit_keeps_the_first_rows_in_order(store):
    assert find_claims(store, limit=2) == find_claims(store)[:2]
    assert find_claims(store, limit=0) == []
    with pytest.raises(ValueError):
        find_claims(store, limit=-1)


def test_malformed_dates_are_refused(store):
    for bad in ("2022-2-1", "yesterday", "2022-02-30", "2022-02-01' } DROP ALL"):
        with pytest.raises(ValueError, match="YYYY-MM-DD"):
            find_claims(store, since=bad)


@pytest.mark.parametrize(
    "hostile",
    [
        '"; DROP',
        "} UNION {",
        '"; DROP ALL ; #',
        '") || true || ("',
        "psaki\") } UNION { ?claim ?p ?o } #",
        "?by_q",
        "\\",
        "'",
    ],
)
def test_injection_strings_are_plain_names(store, hostile):
    before = store.count_triples()
    assert find_claims(store, by=hostile) == []
    assert find_claims(store, about=hostile) == []
    assert store.count_triples() == before
    assert len(find_claims(store)) == 5
