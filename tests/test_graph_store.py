"""The graph over real articles: one entity across articles, idempotent and resumable ingest, any order."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg.cli import main
from kg.export import export_turtle
from kg.pipeline import ingest, resolve
from kg.query import find_claims
from kg.query.entities import list_entities
from kg.store import ClaimStore

DATA = Path(__file__).resolve().parent / "data"
ERDOGAN = DATA / "wikinews_erdogan.jsonl"
SAMPLE = DATA / "wikinews_sample.jsonl"
REPO = Path(__file__).resolve().parents[1]


def _turtle(store: ClaimStore, path: Path) -> bytes:
    return export_turtle(store, path).read_bytes()


def test_one_person_named_three_ways_in_three_articles_is_one_entity(nlp, tmp_path):
    with ClaimStore.open(tmp_path / "kg") as store:
        report = ingest([ERDOGAN], store, nlp=nlp)
        assert report.new == 3 and not report.problems
        found = list_entities(store, name="erdo")
        people = [e for e in found if e.type == "person"]
        assert len(people) == 1, [(e.name, e.aliases) for e in found]
        erdogan = people[0]
        assert erdogan.name == "Recep Tayyip Erdoğan"
        assert {"Erdogan", "Erdoğan", "Recep Tayyip Erdoğan"} <= set(erdogan.aliases)
        assert erdogan.articles == 3
        rows = find_claims(store, by="Erdogan")
        assert {r.doc_id for r in rows} == {"wikinews-2019-0045", "wikinews-2019-0143", "wikinews-2020-0006"}
        assert {r.claimant for r in rows} == {"Recep Tayyip Erdoğan"}


def test_the_same_articles_in_another_order_give_the_same_graph(nlp, tmp_path):
    lines = ERDOGAN.read_text(encoding="utf-8").splitlines(keepends=True)
    reversed_file = tmp_path / "reversed.jsonl"
    reversed_file.write_text("".join(reversed(lines)), encoding="utf-8")
    with ClaimStore.open(tmp_path / "a") as a:
        ingest([ERDOGAN], a, nlp=nlp)
        forward = _turtle(a, tmp_path / "a.ttl")
    with ClaimStore.open(tmp_path / "b") as b:
        ingest([reversed_file], b, nlp=nlp)
        backward = _turtle(b, tmp_path / "b.ttl")
    assert forward == backward


def test_reingesting_a_folder_processes_only_new_or_changed_documents(nlp, tmp_path):
    with ClaimStore.open(tmp_path / "kg") as store:
        ingest([SAMPLE], store, nlp=nlp)
        before = _turtle(store, tmp_path / "1.ttl")
        again = ingest([SAMPLE], store, nlp=nlp)
        assert (again.new, again.changed, again.unchanged) == (0, 0, 3)
        assert again.resolution is not None and again.resolution.skipped
        assert _turtle(store, tmp_path / "2.ttl") == before
        more = ingest([SAMPLE, ERDOGAN], store, nlp=nlp)
        assert (more.new, more.unchanged) == (3, 3)
        assert not more.resolution.skipped
        assert store.stats()["articles"] == 6


_KILLABLE = textwrap.dedent(
    """
    import sys
    from kg.pipeline import ingest
    from kg.store import ClaimStore

    def progress(document, status, n):
        print(document.id, flush=True)

    with ClaimStore.open(sys.argv[1]) as store:
        ingest(sys.argv[2:], store, progress=progress)
    print("done", flush=True)
    """
)


def test_an_ingest_killed_midway_leaves_a_readable_store_and_the_next_run_finishes_the_job(nlp, tmp_path):
    sources = [str(SAMPLE), str(ERDOGAN)]
    store_path = tmp_path / "killed"
    proc = subprocess.Popen([sys.executable, "-c", _KILLABLE, str(store_path), *sources],
                            stdout=subprocess.PIPE, text=True, cwd=REPO)
    stored = []
    assert proc.stdout is not None
    for line in proc.stdout:
        stored.append(line.strip())
        if len(stored) == 3:  # three articles in: kill it while it parses and writes the fourth
            proc.send_signal(signal.SIGKILL)
            break
    proc.wait(timeout=60)
    assert proc.returncode == -signal.SIGKILL

    # readable and consistent: every finished article is whole, nothing half-written
    with ClaimStore.open(store_path, read_only=True) as store:
        ids = store.document_ids()
        assert set(stored) <= set(ids) and len(ids) < 6
        for doc_id in ids:
            assert store.stored_hash(doc_id)

    with ClaimStore.open(store_path) as store:
        resumed = ingest(sources, store, nlp=nlp)
        assert resumed.unchanged == len(ids) and resumed.new == 6 - len(ids)
        resumed_ttl = _turtle(store, tmp_path / "resumed.ttl")
    with ClaimStore.open(tmp_path / "whole") as store:
        ingest(sources, store, nlp=nlp)
        whole_ttl = _turtle(store, tmp_path / "whole.ttl")
    assert resumed_ttl == whole_ttl


def _build_seeds(tmp_path: Path, *extra: str) -> tuple[Path, CliRunner]:
    runner = CliRunner()
    store = tmp_path / "store"
    result = runner.invoke(main, ["build", str(REPO / "seeds"), "--store", str(store), "--out", str(tmp_path / "out"), *extra])
    assert result.exit_code == 0, result.output
    return store, runner


def test_kg_entities_lists_name_type_aliases_and_claim_counts(tmp_path):
    store, runner = _build_seeds(tmp_path)
    result = runner.invoke(main, ["entities", "--store", str(store), "--format", "json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    assert {"iri", "name", "type", "aliases", "claims"} <= set(rows[0])
    psaki = next(r for r in rows if r["name"] == "Jen Psaki")
    assert psaki["type"] == "person" and psaki["claims"] == 3 and "Psaki" in psaki["aliases"]
    zelensky = next(r for r in rows if r["name"] == "Volodymyr Zelensky")
    assert "he" not in zelensky["aliases"]  # pronouns are not names
    assert [r["claims"] for r in rows] == sorted((r["claims"] for r in rows), reverse=True)
    table = runner.invoke(main, ["entities", "--store", str(store), "--type", "person"])
    assert table.exit_code == 0 and "Jen Psaki" in table.output and "Kyiv" not in table.output


def test_an_alias_file_overrides_the_automatic_decisions(tmp_path):
    store, runner = _build_seeds(tmp_path)
    aliases = tmp_path / "aliases.txt"
    aliases.write_text("# ours\nJen Psaki = John Kirby\n", encoding="utf-8")
    result = runner.invoke(main, ["resolve", "--store", str(store), "--aliases", str(aliases), "--format", "json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["removed"] > 0
    rows = json.loads(runner.invoke(main, ["entities", "--store", str(store), "--name", "kirby", "--format", "json"]).output)
    assert len(rows) == 1 and rows[0]["name"] == "Jen Psaki" and rows[0]["claims"] == 5
    # resolving again with the same rules changes nothing
    again = runner.invoke(main, ["resolve", "--store", str(store), "--aliases", str(aliases)])
    assert "up to date" in again.output
    bad = tmp_path / "bad.txt"
    bad.write_text("Jen Psaki\n", encoding="utf-8")
    result = runner.invoke(main, ["resolve", "--store", str(store), "--aliases", str(bad)])
    assert result.exit_code == 2 and "bad.txt:1" in result.output


def test_kg_provenance_follows_a_claim_to_its_sentence_outlet_relays_and_run(tmp_path):
    store, runner = _build_seeds(tmp_path)
    rows = json.loads(runner.invoke(main, ["claims", "--store", str(store), "--about", "imminent threat",
                                           "--format", "json"]).output)
    relayed = next(r for r in rows if r["relay"])
    claim_id = relayed["claim"].rsplit("/", 1)[-1]
    result = runner.invoke(main, ["provenance", claim_id[:8], "--store", str(store)])
    assert result.exit_code == 0, result.output
    assert "chain" in result.output and "(outlet)" in result.output
    assert "run       kg 0.1.0" in result.output
    data = json.loads(runner.invoke(main, ["provenance", relayed["claim"], "--store", str(store), "--format", "json"]).output)
    (app,) = [a for a in data["appearances"] if a["doc_id"] == relayed["doc_id"] and a["start"] == relayed["start"]]
    assert app["content"][:40] in app["sentence"]
    assert [h["position"] for h in app["relays"]] == list(range(1, len(app["relays"]) + 1))
    assert app["model"] and app["kg_version"] == "0.1.0"
    missing = runner.invoke(main, ["provenance", "ffffffffff", "--store", str(store)])
    assert missing.exit_code == 2 and "no claim" in missing.output


def test_the_store_records_when_each_article_was_extracted_and_the_graph_does_not(nlp, tmp_path, monkeypatch):
    from kg.pipeline import run_time

    monkeypatch.delenv("SOURCE_DATE_EPOCH")
    with ClaimStore.open(tmp_path / "kg") as store:
        report = ingest([SAMPLE], store, nlp=nlp)
        assert report.run.started_at is None  # the run is the software and the model: the same at any time
        rows = store.query("SELECT ?run ?v WHERE { ?run a prov:Activity ; "
                           "prov:wasAssociatedWith/schema:softwareVersion ?v }")
        assert rows == [{"run": report.run.iri.value, "v": "0.1.0"}]
        assert not store.query("ASK { ?run prov:startedAtTime ?t }")
        times = {store.ingested_at(d) for d in store.document_ids()}
        assert not any("provenance/ingests" in q.graph_name.value for q in store.named_graph_quads())
    (when,) = times
    assert when[:10] == run_time()[:10]
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1645833600")
    assert run_time() == "2022-02-26T00:00:00Z"
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "yesterday")
    assert run_time()[:4] >= "2026"
