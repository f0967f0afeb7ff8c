"""Canned queries (schemas/queries/*.rq): what each answers, safe parameters, headers, CLI.

The store is built from the hand-made records of kg.build.examples, so no spaCy is needed;
quoted-by-outlet is also checked on a small real store (the seeds and fourteen Wikinews
articles, extracted with spaCy).
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from collections import defaultdict
from pathlib import Path

import pytest
from click.testing import CliRunner
from pyoxigraph import DefaultGraph, Literal, NamedNode, Quad, Store, Variable

from kg.build.examples import example_records
from kg.build.namespaces import KG_NS, KGR, PROV_NS, RDF_TYPE, SCHEMA_NS, XSD_NS
from kg.build.rdf import Run
from kg.cli import main
from kg.pipeline import ingest, store_claims
from kg.query.canned import (
    CannedQueryError,
    QueryParamError,
    UnknownQueryError,
    list_queries,
    load_query,
    queries_dir,
    run_query,
)
from kg.serve.binary import find_oxigraph
from kg.store import ClaimStore

ROOT = Path(__file__).resolve().parent.parent
RUN = Run(kg_version="0.1.0", model="en_core_web_sm", model_version="3.8.0", started_at="2024-05-01T12:00:00Z")
NAMES = ["claims-about", "claims-by", "contradictions", "provenance", "quoted-by-outlet", "who-claimed-what-when"]
PARAMS = {"claims-about": ["entity"], "claims-by": ["claimant"], "provenance": ["claim"]}
HOSTILE = ['"; DROP ALL ; #', "} UNION { ?s ?p ?o } #", '") || true || ("']

LEAVE_NOW = "that Americans in the city must leave now"
KYIV_SAFER = "that Kyiv, despite staring down a potential foreign invasion, is still safer than Los Angeles"


def _build(path: Path) -> Path:
    docs, claims = example_records()
    with ClaimStore.open(path) as s:
        store_claims(s, ((d, claims[d.id]) for d in docs), run=RUN)
    return path


@pytest.fixture(scope="module")
def store_path(tmp_path_factory) -> Path:
    return _build(tmp_path_factory.mktemp("canned") / "kg")


@pytest.fixture
def store(store_path):
    with ClaimStore.open(store_path, read_only=True) as s:
        yield s


def _claim_of(store, text: str) -> str:
    rows = run_query(store, "who-claimed-what-when", {})
    return next(r["claim"] for r in rows if r["text"] == text)


# ----------------------------------------------------------------------------- answers


def test_who_claimed_what_when_lists_every_appearance_with_claimant_outlet_and_article_in_date_order(store):
    rows = run_query(store, "who-claimed-what-when", {})
    assert [(r["date"], r["claimant"], r["text"], r["outlet"], r["article"]) for r in rows] == [
        ("2022-01-24", "source close to Volodymyr Zelensky", KYIV_SAFER, "New York Post", "nypost-1"),
        ("2022-01-24", "Jen Psaki", LEAVE_NOW, "New York Post", "nypost-1"),
        # said "this Thursday" in an article of Saturday 2022-02-26
        ("2022-02-24", "Jen Psaki", "that the US is aware of the situation of Zelensky", "Example Wire", "wire-2"),
        ("2022-02-26", "Jen Psaki", LEAVE_NOW, "Example Wire", "wire-2"),
        ("2022-02-26", None, "The capital is calm", "Example Wire", "wire-2"),  # "according to a statement"
    ]
    # the same claim in two articles is one claim IRI
    assert rows[1]["claim"] == rows[3]["claim"]
    assert all(r["claim"].startswith(KGR + "claim/") for r in rows)


def test_claims_about_matches_a_mentioned_entity_by_name_or_alias_in_any_case(store):
    rows = run_query(store, "claims-about", {"entity": "KYIV"})
    # "The capital is calm" names Kyiv only as "capital": matched through the entity it mentions
    assert [(r["about"], r["date"], r["text"], r["article"]) for r in rows] == [
        ("Kyiv", "2022-01-24", KYIV_SAFER, "nypost-1"),
        ("Kyiv", "2022-02-26", "The capital is calm", "wire-2"),
    ]
    assert "entity" not in rows[0]  # the parameter column only echoed the value given
    assert [r["about"] for r in run_query(store, "claims-about", {"entity": "capital"})] == ["Kyiv", "Kyiv"]
    zelensky = run_query(store, "claims-about", {"entity": "zelensky"})
    assert [(r["about"], r["claimant"], r["date"]) for r in zelensky] == [("Volodymyr Zelensky", "Jen Psaki", "2022-02-24")]
    # mentions only: a word of the claim's text that names no mentioned entity does not match
    assert run_query(store, "claims-about", {"entity": "Americans"}) == []


def test_claims_by_matches_the_claimant_by_name_or_alias_in_any_case(store):
    rows = run_query(store, "claims-by", {"claimant": "psaki"})
    assert [(r["name"], r["date"], r["text"], r["outlet"], r["article"]) for r in rows] == [
        ("Jen Psaki", "2022-01-24", LEAVE_NOW, "New York Post", "nypost-1"),
        ("Jen Psaki", "2022-02-24", "that the US is aware of the situation of Zelensky", "Example Wire", "wire-2"),
        ("Jen Psaki", "2022-02-26", LEAVE_NOW, "Example Wire", "wire-2"),
    ]
    # "White House Press Secretary Jen Psaki" is how one article wrote her: an alias
    assert run_query(store, "claims-by", {"claimant": "PRESS SECRETARY"}) == rows
    assert [r["name"] for r in run_query(store, "claims-by", {"claimant": "close to"})] == [
        "source close to Volodymyr Zelensky"
    ]
    assert run_query(store, "claims-by", {"claimant": "Kirby"}) == []


def test_provenance_follows_a_claim_to_each_article_sentence_offsets_and_extraction_run(store):
    claim = _claim_of(store, LEAVE_NOW)
    rows = run_query(store, "provenance", {"claim": claim})
    assert [(r["article"], r["outlet"], r["date"], r["speaker"], r["cue"], r["start"], r["end"], r["first"]) for r in rows] == [
        ("nypost-1", "New York Post", "2022-01-24", "White House Press Secretary Jen Psaki", "told", 273, 314, True),
        ("wire-2", "Example Wire", "2022-02-26", "Psaki", "said", 133, 170, False),
    ]
    docs, _ = example_records()
    texts = {d.id: d.text for d in docs}
    for r in rows:
        assert texts[r["article"]][r["start"]:r["end"]] == r["content"]  # offsets point at the text
        assert (r["kg_version"], r["model"], r["model_version"]) == ("0.1.0", "en_core_web_sm", "3.8.0")
    assert rows[0]["sentence"].startswith("White House Press Secretary Jen Psaki told reporters")
    # the short form tables print, and <IRI>, name the same claim
    short = "kgr:" + claim[len(KGR):]
    assert run_query(store, "provenance", {"claim": short}) == rows
    assert run_query(store, "provenance", {"claim": f"<{claim}>"}) == rows
    assert run_query(store, "provenance", {"claim": KGR + "claim/0000"}) == []


def test_provenance_gives_the_relay_chain(store):
    rows = run_query(store, "provenance", {"claim": _claim_of(store, KYIV_SAFER)})
    assert [(r["article"], r["via"]) for r in rows] == [("nypost-1", "BuzzFeed News")]


def test_quoted_by_outlet_counts_claimants_per_publishing_and_relaying_outlet(store):
    rows = run_query(store, "quoted-by-outlet", {})
    assert rows == [
        {"outlet": "BuzzFeed News", "claimant": "source close to Volodymyr Zelensky", "as": "relay", "claims": 1, "appearances": 1},
        {"outlet": "Example Wire", "claimant": "Jen Psaki", "as": "publisher", "claims": 2, "appearances": 2},
        {"outlet": "New York Post", "claimant": "Jen Psaki", "as": "publisher", "claims": 1, "appearances": 1},
        {"outlet": "New York Post", "claimant": "source close to Volodymyr Zelensky", "as": "publisher", "claims": 1,
         "appearances": 1},
    ]


# quoted-by-outlet on real articles: publishers, relays through an outlet ("told BuzzFeed
# News") and through a mention resolved to an entity. Its union of outlets was once re-run
# for every claim appearance (from every mention's entity name): ~100 s on the 295 Wikinews
# articles; benchmarks/README.md has the times, these tests the rows and the work done.
NEWS = [ROOT / "seeds", ROOT / "tests" / "data" / "wikinews_contradictions.jsonl"]


@pytest.fixture(scope="module")
def news_path(tmp_path_factory, nlp) -> Path:
    path = tmp_path_factory.mktemp("news") / "kg"
    with ClaimStore.open(path) as s:
        report = ingest(NEWS, s, nlp=nlp)
    assert report.claims > 300 and not report.problems
    return path


def _quoted_by_outlet_in_python(store: ClaimStore) -> list[dict]:
    """quoted-by-outlet worked out from the triples with no SPARQL, in the query's order."""
    ox = store.oxigraph

    def objects(s, p):
        return [q.object for q in ox.quads_for_pattern(s, p, None, DefaultGraph())]

    def is_a(s, cls):
        return any(True for _ in ox.quads_for_pattern(s, RDF_TYPE, cls, DefaultGraph()))

    carried = defaultdict(lambda: (set(), set()))  # (outlet, claimant, as) -> (claims, appearances)
    for quad in ox.quads_for_pattern(None, RDF_TYPE, KG_NS.Claim, DefaultGraph()):
        claim = quad.subject
        claimants = [n.value for who in objects(claim, PROV_NS.wasAttributedTo) for n in objects(who, SCHEMA_NS.name)]
        for app in objects(claim, KG_NS.hasAppearance):
            outlets = [(n.value, "publisher") for art in objects(app, SCHEMA_NS.isPartOf)
                       for publisher in objects(art, SCHEMA_NS.publisher) for n in objects(publisher, SCHEMA_NS.name)]
            for via in objects(app, KG_NS.relayedVia):
                names = []
                if is_a(via, KG_NS.Outlet):
                    names += objects(via, SCHEMA_NS.name)
                if is_a(via, KG_NS.Mention):
                    names += [n for entity in objects(via, KG_NS.refersTo) for n in objects(entity, SCHEMA_NS.name)]
                outlets += [(n.value, "relay") for n in names]
            for outlet, as_ in outlets:
                for claimant in claimants:
                    claims, apps = carried[outlet, claimant, as_]
                    claims.add(claim)
                    apps.add(app)
    rows = [{"outlet": o, "claimant": c, "as": a, "claims": len(cl), "appearances": len(ap)}
            for (o, c, a), (cl, ap) in carried.items()]
    return sorted(rows, key=lambda r: (r["outlet"], -r["claims"], -r["appearances"], r["claimant"], r["as"]))


def test_quoted_by_outlet_on_real_articles_counts_publishers_and_relays_through_outlets_and_mentions(news_path):
    with ClaimStore.open(news_path, read_only=True) as s:
        rows = run_query(s, "quoted-by-outlet", {})
        assert rows == _quoted_by_outlet_in_python(s)
    assert len(rows) > 100
    assert {r["as"] for r in rows} == {"publisher", "relay"}
    relays = {(r["outlet"], r["claimant"]) for r in rows if r["as"] == "relay"}
    assert ("Washington Post", "sources") in relays  # relayed via a kg:Outlet (a seed)
    assert ("Buzzfeed News", "source close to the president") in relays  # via a kg:Mention of one (a seed)


def _plan_nodes(node: dict):
    yield node
    for child in node.get("children", []):
        yield from _plan_nodes(child)


def test_quoted_by_outlet_reads_each_triple_about_once_not_once_per_claim_appearance(news_path, tmp_path):
    """Oxigraph's own account of the work (``oxigraph query --explain --stats``): how many rows
    each triple pattern of the plan produced; a count, not a time. Worked out once and joined,
    the patterns produce fewer rows than the store has triples (4,093 for 20,061 here); the
    union re-run per claim appearance produced 498,931, 162,345 of them from the
    `?via a kg:Mention` pattern alone (411 appearances x 395 mentions)."""
    copy = tmp_path / "kg"  # the CLI opens a store read-write: a copy, not the module's store
    shutil.copytree(news_path, copy)
    with ClaimStore.open(copy, read_only=True) as s:
        triples = s.count_triples()
    explain = tmp_path / "explain.json"
    done = subprocess.run(
        [str(find_oxigraph()), "query", "--location", str(copy), "--query-file", str(load_query("quoted-by-outlet").path),
         "--results-format", "csv", "--explain-file", str(explain), "--stats"],
        capture_output=True, text=True, timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert len(done.stdout.splitlines()) > 100  # the header and the rows: it did run
    patterns = [n for n in _plan_nodes(json.loads(explain.read_text())["plan"]) if n["name"].startswith("QuadPattern")]
    assert any("kg-claims/ns#Mention>" in n["name"] for n in patterns)  # the relay-through-a-mention branch ran
    produced = sum(n["number of results"] for n in patterns)
    assert 0 < produced < triples, f"{produced:,} rows from the triple patterns, {triples:,} triples: " + ", ".join(
        f"{n['name']}: {n['number of results']:,}" for n in patterns)


def test_contradictions_is_empty_until_claims_are_linked_by_kg_contradicts(store):
    assert run_query(store, "contradictions", {}) == []  # detection finds none in these claims


def test_contradictions_lists_linked_claims_with_the_reason_when_one_is_recorded(tmp_path):
    path = _build(tmp_path / "kg")
    with ClaimStore.open(path) as s:
        leave = NamedNode(_claim_of(s, LEAVE_NOW))
        safe = NamedNode(_claim_of(s, KYIV_SAFER))
        calm = NamedNode(_claim_of(s, "The capital is calm"))
        reason = NamedNode(KGR + "contradiction/1")
        triples = [
            (leave, KG_NS.contradicts, safe),
            (reason, RDF_TYPE, KG_NS.Contradiction),
            (reason, KG_NS.claimA, leave),
            (reason, KG_NS.claimB, safe),
            (reason, KG_NS.kind, Literal("opposites")),
            (reason, KG_NS.confidence, Literal("0.70", datatype=XSD_NS.decimal)),
            (reason, KG_NS.reason, Literal("leave now vs. safer than Los Angeles")),
            (leave, KG_NS.contradicts, calm),  # no reason node
        ]
        s.oxigraph.extend([Quad(*t) for t in triples])  # the default graph: what queries see
        rows = run_query(s, "contradictions", {})
    by_b = {r["text_b"]: r for r in rows}
    assert len(rows) == 2
    assert by_b[KYIV_SAFER]["claimant_a"] == "Jen Psaki"
    assert by_b[KYIV_SAFER]["claimant_b"] == "source close to Volodymyr Zelensky"
    assert (by_b[KYIV_SAFER]["kind"], by_b[KYIV_SAFER]["why"]) == ("opposites", "leave now vs. safer than Los Angeles")
    assert float(by_b[KYIV_SAFER]["confidence"]) == 0.7
    assert (by_b["The capital is calm"]["kind"], by_b["The capital is calm"]["why"]) == (None, None)


# ----------------------------------------------------------------------------- safe parameters


@pytest.mark.parametrize("hostile", HOSTILE)
@pytest.mark.parametrize("name", sorted(PARAMS))
def test_hostile_param_values_are_plain_strings_that_match_nothing_and_change_nothing(store, name, hostile):
    before = store.count_triples()
    (param,) = PARAMS[name]
    assert run_query(store, name, {param: hostile}) == []
    assert store.count_triples() == before
    assert len(run_query(store, "who-claimed-what-when", {})) == 5


@pytest.mark.parametrize("hostile", HOSTILE)
def test_hostile_param_values_through_the_cli_give_no_rows_and_leave_the_store_as_it_was(store_path, hostile):
    with ClaimStore.open(store_path, read_only=True) as s:
        before = s.count_triples()
    result = CliRunner().invoke(main, ["sparql", "--store", str(store_path), "--query", "claims-by",
                                       "--param", f"claimant={hostile}", "--format", "json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == []
    with ClaimStore.open(store_path, read_only=True) as s:
        assert s.count_triples() == before


def test_a_param_the_query_does_not_declare_is_refused_naming_the_params_it_takes(store):
    with pytest.raises(QueryParamError, match=r"unknown param who.*takes claimant"):
        run_query(store, "claims-by", {"claimant": "psaki", "who": "x"})
    # binding one of the query's own variables would change what it means: refused too
    with pytest.raises(QueryParamError, match=r"unknown param name"):
        run_query(store, "claims-by", {"claimant": "psaki", "name": "Jen Psaki"})
    with pytest.raises(QueryParamError, match=r"takes no params"):
        run_query(store, "who-claimed-what-when", {"claimant": "psaki"})


def test_a_missing_param_is_refused_naming_it(store):
    with pytest.raises(QueryParamError, match=r"missing param entity"):
        run_query(store, "claims-about", {})


def test_an_unknown_query_name_is_refused_listing_the_known_ones(store):
    with pytest.raises(UnknownQueryError) as info:
        run_query(store, "claims-from", {})
    for name in NAMES:
        assert name in str(info.value)
    with pytest.raises(UnknownQueryError):
        load_query("../queries/claims-by")  # a name, never a path
    assert issubclass(UnknownQueryError, CannedQueryError) and issubclass(CannedQueryError, ValueError)


# ----------------------------------------------------------------------------- the .rq files


def test_the_queries_are_read_from_schemas_queries_in_the_repository():
    assert queries_dir() == ROOT / "schemas" / "queries"
    assert [q.name for q in list_queries()] == NAMES
    assert sorted(p.stem for p in queries_dir().glob("*.rq")) == NAMES


def _select_clause(text: str) -> str:
    return re.search(r"\bSELECT\b(.*?)\bWHERE\b", text, flags=re.S).group(1)


def _body(text: str) -> str:
    return text[re.search(r"\bWHERE\b", text).end():]


@pytest.mark.parametrize("name", NAMES)
def test_every_query_file_has_a_header_whose_params_are_the_variables_it_binds(name):
    q = load_query(name)
    lines = q.path.read_text(encoding="utf-8").splitlines()
    assert lines[0] == f"# name: {name}"
    assert lines[1].startswith("# description: ") and q.description
    header = [line for line in lines if line.startswith("# param ")]
    assert [re.match(r"# param (\w+):", line).group(1) for line in header] == PARAMS.get(name, [])
    assert [p.name for p in q.params] == PARAMS.get(name, [])
    for p in q.params:
        assert p.description and p.example, p
        # projected (pyoxigraph substitutes only those), and used by the query itself
        assert re.search(rf"\?{p.name}\b", _select_clause(q.sparql))
        assert re.search(rf"\?{p.name}\b", _body(q.sparql))


@pytest.mark.parametrize("name", NAMES)
def test_every_query_file_is_a_standalone_select_with_its_own_prefixes(name):
    q = load_query(name)
    body = "\n".join(line for line in q.sparql.splitlines() if not line.lstrip().startswith("#"))
    declared = set(re.findall(r"^PREFIX (\w+):", body, flags=re.M))
    used = set(re.findall(r"\b([a-z]+):[A-Za-z]", body)) - {"https", "http"}
    assert used <= declared
    # parses and runs in a bare pyoxigraph store, with no predeclared prefixes
    subs = {Variable(p.name): Literal(p.example) for p in q.params}
    result = Store().query(q.sparql, substitutions=subs or None)
    assert [v.value for v in result.variables] and list(result) == []


def test_a_malformed_header_is_a_clear_error(tmp_path, monkeypatch):
    import kg.query.canned as canned

    (tmp_path / "bad.rq").write_text("# name: bad\n# descripton: typo\nSELECT ?x WHERE { ?x ?p ?o }\n", encoding="utf-8")
    (tmp_path / "unprojected.rq").write_text(
        "# name: unprojected\n# description: d\n# param who: w (x)\nSELECT ?x WHERE { ?x ?p ?who }\n", encoding="utf-8"
    )
    monkeypatch.setattr(canned, "QUERIES_DIR", tmp_path)
    with pytest.raises(CannedQueryError, match="header lines are"):
        load_query("bad")
    with pytest.raises(CannedQueryError, match=r"must be listed as \?who in the SELECT"):
        load_query("unprojected")
    monkeypatch.setattr(canned, "QUERIES_DIR", tmp_path / "missing")
    with pytest.raises(CannedQueryError, match="editable install"):
        list_queries()


# ----------------------------------------------------------------------------- CLI


def _cli(*args: str):
    return CliRunner().invoke(main, list(args))


def test_cli_runs_a_canned_query_by_name_with_a_param_as_json(store_path, store):
    result = _cli("sparql", "--store", str(store_path), "--query", "claims-by", "--param", "claimant=psaki",
                  "--format", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == run_query(store, "claims-by", {"claimant": "psaki"})
    assert [r["date"] for r in json.loads(result.stdout)] == ["2022-01-24", "2022-02-24", "2022-02-26"]


def test_cli_table_prints_claim_iris_in_their_short_form(store_path, store):
    result = _cli("sparql", "--store", str(store_path), "--query", "claims-by", "--param", "claimant=psaki")
    assert result.exit_code == 0, result.output
    claim = _claim_of(store, LEAVE_NOW)
    assert "kgr:" + claim[len(KGR):] in result.stdout


def test_cli_list_shows_every_query_with_its_params_and_description():
    result = _cli("sparql", "--list")
    assert result.exit_code == 0, result.output
    for q in list_queries():
        assert q.name in result.stdout
        for p in q.params:
            assert f"--param {p.name}" in result.stdout
    assert "--param claimant=psaki" in result.stdout
    as_json = json.loads(_cli("sparql", "--list", "--format", "json").stdout)
    assert [(r["name"], r["params"]) for r in as_json] == [(n, ", ".join(PARAMS.get(n, []))) for n in NAMES]


@pytest.mark.parametrize(
    "args, message",
    [
        (["--query", "nope"], "known queries: claims-about, claims-by"),
        (["--query", "claims-by"], "missing param claimant"),
        (["--query", "claims-by", "--param", "claimant=psaki", "--param", "who=x"], "unknown param who"),
        (["--query", "claims-by", "--param", "claimant"], "is not NAME=VALUE"),
        (["SELECT * WHERE { ?s ?p ?o }", "--query", "claims-by"], "not both or neither"),
        ([], "not both or neither"),
        (["--list", "--query", "claims-by"], "--list takes no"),
    ],
)
def test_cli_usage_errors_exit_2_and_say_what_is_wrong(store_path, args, message):
    result = _cli("sparql", "--store", str(store_path), *args)
    assert result.exit_code == 2, result.output
    assert message in result.stderr


def test_cli_free_text_queries_still_work_with_params(store_path):
    result = _cli("sparql", "--store", str(store_path), "--format", "json",
                  "SELECT ?name ?text WHERE { ?c prov:wasAttributedTo ?w ; schema:text ?text . ?w schema:name ?name } ORDER BY ?text",
                  "--param", "name=Jen Psaki")
    assert result.exit_code == 0, result.output
    assert [r["text"] for r in json.loads(result.stdout)] == [LEAVE_NOW, "that the US is aware of the situation of Zelensky"]
