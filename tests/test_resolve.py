"""Resolution across articles: one entity per real person or organisation, one claim per claimant and content."""

from __future__ import annotations

import random

import pytest

from kg.resolve.aliases import AliasFileError, AliasRules, load_alias_rules
from kg.resolve.claims import AppearanceRecord, resolve_claims
from kg.resolve.entities import NameMention, fold_token, resolve_entities

BUILTIN = load_alias_rules()


def _m(doc: str, name: str, *written: str, type: str = "person", anonymous: bool = False) -> NameMention:
    slug = name.lower().replace(" ", "-")
    kind = "source" if anonymous else "name"
    return NameMention(
        iri=f"https://w3id.org/kg-claims/id/mention/{doc}/{kind}/{slug}",
        doc_id=doc,
        name=name,
        aliases=tuple(sorted({name, *written})),
        types=(type,),
        anonymous=anonymous,
    )


def _entity_names(mentions, rules=BUILTIN) -> dict[str, str]:
    resolved = resolve_entities(mentions, rules)
    return {m.doc_id + ":" + m.name: resolved[m.iri].name for m in mentions}


def _same(resolved, a: NameMention, b: NameMention) -> bool:
    return resolved[a.iri].iri == resolved[b.iri].iri


ZELENSKY = [
    _m("a", "Zelensky"),
    _m("b", "Volodymyr Zelensky", "Ukrainian President Volodymyr Zelensky"),
    _m("c", "Volodymyr Zelenskyy"),
    _m("d", "Volodymyr Zelenskiy", "Zelenskiy"),
    _m("e", "the Ukrainian president"),
    _m("f", "V. Zelensky"),
]


def test_every_way_articles_name_zelensky_is_one_entity():
    resolved = resolve_entities(ZELENSKY, BUILTIN)
    iris = {resolved[m.iri].iri for m in ZELENSKY}
    assert len(iris) == 1
    entity = resolved[ZELENSKY[0].iri]
    assert entity.type == "person"
    assert entity.name.startswith("Volodymyr Zelens")
    assert entity.iri.endswith("/entity/volodymyr-zelensky")
    assert {"Zelensky", "Volodymyr Zelenskyy", "the Ukrainian president", "Ukrainian President Volodymyr Zelensky"} <= set(
        entity.aliases
    )
    assert sorted(entity.mentions) == sorted(m.iri for m in ZELENSKY)


def test_kiev_and_kyiv_are_one_place_whatever_ner_said():
    mentions = [_m("a", "Kiev", type="person"), _m("b", "Kyiv", type="place"), _m("c", "Kyiv", type="place")]
    resolved = resolve_entities(mentions, BUILTIN)
    assert len({resolved[m.iri].iri for m in mentions}) == 1
    assert resolved[mentions[0].iri].name == "Kyiv" and resolved[mentions[0].iri].type == "place"


def test_two_smiths_in_two_articles_stay_two_and_a_bare_smith_joins_neither():
    john, mary, bare = _m("a", "John Smith"), _m("b", "Mary Smith"), _m("c", "Smith")
    resolved = resolve_entities([john, mary, bare], BUILTIN)
    assert len({resolved[m.iri].iri for m in (john, mary, bare)}) == 3
    # with one Smith only, the surname is evidence enough
    resolved = resolve_entities([john, bare], BUILTIN)
    assert _same(resolved, john, bare)


def test_a_title_joins_only_the_one_person_who_held_it():
    biden = _m("a", "Joe Biden", "President Joe Biden")
    trump = _m("b", "Donald Trump", "President Donald Trump")
    president = _m("c", "the president")
    resolved = resolve_entities([biden, trump, president], BUILTIN)
    assert not _same(resolved, president, biden) and not _same(resolved, president, trump)
    resolved = resolve_entities([biden, president], BUILTIN)
    assert _same(resolved, biden, president)


def test_a_place_and_a_person_of_one_name_stay_apart_with_distinct_iris():
    place, person = _m("a", "Washington", type="place"), _m("b", "Washington", type="person")
    resolved = resolve_entities([place, person], BUILTIN)
    assert resolved[place.iri].iri != resolved[person.iri].iri


def test_anonymous_sources_are_never_merged_across_articles():
    a = _m("a", "a source close to the president", type="anonymous", anonymous=True)
    b = _m("b", "a source close to the president", type="anonymous", anonymous=True)
    resolved = resolve_entities([a, b], BUILTIN)
    assert resolved[a.iri].iri != resolved[b.iri].iri
    assert "/source/a/" in resolved[a.iri].iri and resolved[a.iri].type == "anonymous"


def test_entity_iris_do_not_depend_on_the_order_mentions_arrive_in():
    mentions = ZELENSKY + [_m("g", "John Smith"), _m("h", "Smith"), _m("i", "Kiev", type="place")]
    expected = {m.iri: resolve_entities(mentions, BUILTIN)[m.iri].iri for m in mentions}
    for seed in range(5):
        shuffled = mentions[:]
        random.Random(seed).shuffle(shuffled)
        got = resolve_entities(shuffled, BUILTIN)
        assert {m.iri: got[m.iri].iri for m in mentions} == expected


def test_alias_rules_merge_what_they_list_and_keep_apart_what_they_forbid():
    putin, vlad = _m("a", "Vladimir Putin"), _m("b", "Vlad")
    assert not _same(resolve_entities([putin, vlad], BUILTIN), putin, vlad)
    rules = BUILTIN.extend(AliasRules.parse("Vladimir Putin = Vlad (person)\n", "mine.txt"))
    resolved = resolve_entities([putin, vlad], rules)
    assert _same(resolved, putin, vlad) and resolved[vlad.iri].name == "Vladimir Putin"
    # "never" beats the automatic surname match
    john, bare = _m("a", "John Smith"), _m("c", "Smith")
    rules = BUILTIN.extend(AliasRules.parse("John Smith != Smith  # another Smith\n", "mine.txt"))
    assert not _same(resolve_entities([john, bare], rules), john, bare)


def test_alias_file_errors_name_the_file_and_line(tmp_path):
    path = tmp_path / "aliases.txt"
    path.write_text("# mine\nKyiv = Kiev\nthis line has no rule\n", encoding="utf-8")
    with pytest.raises(AliasFileError, match=r"aliases.txt:3: expected 'A = B'"):
        load_alias_rules(path)
    with pytest.raises(AliasFileError, match="no such alias file"):
        load_alias_rules(tmp_path / "missing.txt")
    with pytest.raises(AliasFileError, match=":1: a never-merge rule"):
        AliasRules.parse("A != B != C\n", "x")


def test_transliterations_fold_to_one_key():
    assert fold_token("Zelenskyy") == fold_token("Zelenskiy") == fold_token("Zelensky") == "zelensky"
    assert fold_token("Émile") == "emile"
    assert fold_token("Kennedy") == "kennedy"


# ----------------------------------------------------------------------------- claims


def _app(iri: str, text: str, claimant: str | None, doc: str, date: str, outlet: str | None = None,
         relays: tuple[str, ...] = ()) -> AppearanceRecord:
    return AppearanceRecord(iri=iri, doc_id=doc, article=f"art/{doc}", start=0, text=text, claimant=claimant,
                            date=date, outlet=outlet, relays=relays)


def test_nearly_the_same_words_from_one_claimant_are_one_claim_with_its_first_appearance():
    apps = [
        _app("x1", "“Russian forces have been pushed back from Kyiv,” ", "zel", "b", "2022-03-02", "Reuters"),
        _app("x2", "that Russian forces had been pushed back from Kyiv", "zel", "a", "2022-03-01", "AP"),
        _app("x3", "Russian forces have been pushed back from Kyiv.", "zel", "c", "2022-03-03", "AP"),
        _app("x4", "Russian forces have been pushed back from Kyiv", "kirby", "d", "2022-03-04", "CNN"),
        _app("x5", "the weather is fine", "zel", "e", "2022-03-05", "CNN"),
    ]
    claims = resolve_claims(apps)
    zel = [c for c in claims if c.claimant == "zel" and "forces" in c.text]
    assert len(zel) == 1
    claim = zel[0]
    assert sorted(a.iri for a in claim.appearances) == ["x1", "x2", "x3"]
    assert claim.first.iri == "x2" and claim.outlets == 2  # AP twice, Reuters once
    kirby = next(c for c in claims if c.claimant == "kirby")
    assert claim.supports == [kirby.iri] and kirby.supports == [claim.iri]
    assert next(c for c in claims if "weather" in c.text).supports == []
    assert resolve_claims(list(reversed(apps)))[0].iri == claims[0].iri


def test_a_relayed_appearance_counts_for_the_outlet_it_came_from():
    apps = [
        _app("y1", "troops are leaving", "pentagon", "a", "2022-02-01", "Axios", relays=("Washington Post",)),
        _app("y2", "troops are leaving", "pentagon", "b", "2022-02-01", "CNN", relays=("Washington Post",)),
        _app("y3", "troops are leaving", "pentagon", "c", "2022-02-02", "Washington Post"),
    ]
    (claim,) = resolve_claims(apps)
    assert claim.outlets == 1 and len(claim.appearances) == 3
