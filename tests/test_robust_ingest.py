"""One bad document costs only itself: ingest reports it with file and line, skips it, stores the rest.

Real model, real on-disk store, the real command line (CliRunner in this process, or a
subprocess where processes are what is tested).  Sentences are our own.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest
from click.testing import CliRunner
from pyoxigraph import NamedNode

from kg.build.namespaces import KGR
from kg.build.rdf import ARTICLE_GRAPH_PREFIX, CONTRADICTIONS_GRAPH, RESOLVED_GRAPH, graph_iri
from kg.cli import main
from kg.read import read_documents
from kg.store import ClaimStore

ROOT = Path(__file__).resolve().parent.parent


def run(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def article(i: int, text: str | None = None, **extra) -> dict:
    return {"id": f"a{i:03d}", "date": "2022-03-01",
            "text": text or f"The mayor of Town {i} said the bridge number {i} would reopen on Monday.", **extra}


def write_jsonl(path: Path, records: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


def stored_ids(store_path: Path) -> list[str]:
    with ClaimStore.open(store_path, read_only=True) as store:
        return store.document_ids()


# ----------------------------------------------------------------------------- one bad document


def test_a_lone_surrogate_is_reported_with_file_and_line_and_the_other_documents_are_stored(nlp, tmp_path):
    records = [article(i) for i in range(1, 10)]
    lines = [json.dumps(r) for r in records]
    lines[6] = '{"id": "bad", "date": "2022-03-01", "text": "The minister said \\ud800 it was over."}'
    source = tmp_path / "news.jsonl"
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    store = tmp_path / "store"

    result = run("ingest", str(source), "--store", str(store))
    assert result.exit_code == 1
    assert f"{source}:7: 'text' holds an unpaired surrogate (\\ud800)" in result.stderr
    assert len(stored_ids(store)) == 8 and "bad" not in stored_ids(store)
    again = run("ingest", str(source), "--store", str(store))  # a rerun neither crashes nor stores it
    assert again.exit_code == 1 and "0 new, 0 changed, 8 unchanged" in again.stderr


def test_a_text_over_the_models_length_limit_is_skipped_with_its_reason_and_the_rest_stored(nlp, tmp_path):
    long_text = "The mayor said the bridge would reopen. " * (nlp.max_length // 40 + 10)
    source = write_jsonl(tmp_path / "news.jsonl", [article(1), article(2, long_text), article(3)])
    result = run("ingest", str(source), "--store", str(tmp_path / "store"))
    assert result.exit_code == 1
    assert f"{source}:2: document 'a002' skipped: text of {len(long_text):,} characters is over the limit" \
        in result.stderr
    assert stored_ids(tmp_path / "store") == ["a001", "a003"]


def test_a_document_the_parser_raises_on_costs_only_itself_not_its_batch(nlp):
    from kg.extract import iter_claims
    from kg.records import Document

    documents = [Document(id="one", text="The minister said the war was over."),
                 Document(id="two", text="The minister said \ud800 it was over."),  # not Unicode text
                 Document(id="three", text='"We will rebuild," the mayor said.')]
    failed: list[str] = []
    done = {d.id: claims for d, claims in iter_claims(documents, nlp, on_error=lambda d, e: failed.append(d.id))}
    assert failed == ["two"]
    assert set(done) == {"one", "three"} and all(done.values())


def test_with_two_workers_an_innocent_document_in_the_bad_ones_batch_is_stored(nlp, tmp_path):
    long_text = "The mayor said the bridge would reopen. " * (nlp.max_length // 40 + 10)
    records = [article(1), article(2, long_text), article(3), article(4)]
    source = write_jsonl(tmp_path / "news.jsonl", records)
    result = run("ingest", str(source), "--store", str(tmp_path / "store"), "--workers", "2", "--batch-size", "4")
    assert result.exit_code == 1, result.stderr
    assert stored_ids(tmp_path / "store") == ["a001", "a003", "a004"]
    assert "a002" in result.stderr and "over the limit" in result.stderr


# ----------------------------------------------------------------------------- reserved ids


@pytest.mark.parametrize("doc_id", ["resolved", "contradictions", "article", "article/resolved", "ingests"])
def test_an_article_whose_id_names_a_derived_graph_is_stored_and_kept(nlp, tmp_path, doc_id):
    records = [article(1), {**article(2), "id": doc_id}]
    source = write_jsonl(tmp_path / "news.jsonl", records)
    store = tmp_path / "store"
    first = run("ingest", str(source), "--store", str(store), "--format", "json")
    assert first.exit_code == 0, first.stderr
    assert json.loads(first.stdout)["new"] == 2
    with ClaimStore.open(store, read_only=True) as st:
        assert st.document_ids() == sorted(["a001", doc_id])
        assert st.stats()["articles"] == 2
        assert graph_iri(doc_id) not in (RESOLVED_GRAPH, CONTRADICTIONS_GRAPH)
    again = run("ingest", str(source), "--store", str(store), "--format", "json")
    assert json.loads(again.stdout)["unchanged"] == 2


def test_a_store_of_the_old_layout_has_its_article_graphs_moved_on_opening(nlp, tmp_path):
    from kg.pipeline import ingest

    source = write_jsonl(tmp_path / "news.jsonl", [article(1), article(2)])
    path = tmp_path / "store"
    with ClaimStore.open(path) as store:
        ingest([source], store, nlp=nlp)
        before = store.stats()
        for doc_id in ("a001", "a002"):  # back to kgr:graph/{key}, as kg wrote it before
            new = graph_iri(doc_id)
            store.oxigraph.update(f"MOVE GRAPH {new} TO <{KGR}graph/{doc_id}>")
        assert not store.oxigraph.contains_named_graph(graph_iri("a001"))
    with ClaimStore.open(path) as store:
        graphs = {g.value for g in store.oxigraph.named_graphs()}
        assert {graph_iri("a001").value, graph_iri("a002").value} <= graphs
        assert not any(g.startswith(f"{KGR}graph/a0") for g in graphs)
        assert all(g.startswith(ARTICLE_GRAPH_PREFIX) or g in (RESOLVED_GRAPH.value, CONTRADICTIONS_GRAPH.value)
                   or "provenance" in g for g in graphs)
        assert store.stats() == before
        assert store.document_status(read_documents([source])[0][0]) == "unchanged"


# ----------------------------------------------------------------------------- inputs that hang or vanish


def test_a_fifo_inside_an_input_folder_is_reported_and_skipped_not_waited_on(nlp, tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.txt").write_text("The mayor said the bridge would reopen.", encoding="utf-8")
    os.mkfifo(folder / "b.txt")
    env = {k: v for k, v in os.environ.items()}
    done = subprocess.run([sys.executable, "-m", "kg", "ingest", str(folder), "--store", str(tmp_path / "s"),
                           "--date", "2022-03-01"], capture_output=True, text=True, timeout=120, env=env)
    assert done.returncode == 1, done.stderr
    assert f"{folder / 'b.txt'}: not a regular file" in done.stderr
    assert "1 new" in done.stderr


def test_a_csv_field_with_an_unclosed_quote_is_reported_with_its_line(tmp_path):
    source = tmp_path / "news.csv"
    source.write_text('id,date,text\n1,2022-03-01,"The mayor said it."\n2,2022-03-01,"The mayor said\n'
                      '3,2022-03-01,The mayor said more.\n', encoding="utf-8")
    documents, problems = read_documents([source])
    assert [d.id for d in documents] == ["1"]
    assert [str(p) for p in problems] == [f"{source}:3: unterminated quoted field: the quote opened in this "
                                          "row is never closed; the rest of the file skipped"]


def test_a_malformed_csv_row_is_skipped_and_the_rows_after_it_read(tmp_path):
    source = tmp_path / "news.csv"
    source.write_text('id,text\n1,"The mayor" said it\n2,The mayor said more.\n', encoding="utf-8")
    documents, problems = read_documents([source])
    assert [d.id for d in documents] == ["2"]
    assert len(problems) == 1 and problems[0].line == 2 and problems[0].skipped


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be"])
def test_utf16_files_with_or_without_a_byte_order_mark_are_read_as_text(tmp_path, encoding):
    text = "Le maire a déclaré : « Le pont rouvrira lundi. »\nThe mayor said it."
    txt = tmp_path / "a.txt"
    txt.write_bytes(text.encode(encoding))
    rows = tmp_path / "b.jsonl"
    rows.write_bytes((json.dumps({"id": "j1", "text": text}, ensure_ascii=False) + "\n").encode(encoding))
    table = tmp_path / "c.csv"
    table.write_bytes(f'id,text\nc1,"{text}"\n'.encode(encoding))
    documents, problems = read_documents([txt, rows, table])
    assert not problems
    assert [d.text for d in documents] == [text, text, text]


def test_a_nul_byte_makes_a_file_binary_wherever_it_is(tmp_path):
    early, late = tmp_path / "early.csv", tmp_path / "late.csv"
    early.write_bytes(b"id,text\n1,The mayor\x00 said it.\n")
    late.write_bytes(b"id,text\n" + b"".join(b"%d,The mayor said it again.\n" % i for i in range(400))
                     + b"999,The mayor\x00 said it.\n")
    assert late.stat().st_size > 8192
    documents, problems = read_documents([early, late])
    assert documents == []
    assert [(p.path, p.skipped) for p in problems] == [(str(early), True), (str(late), True)]
    assert all("binary file" in p.reason for p in problems)


# ----------------------------------------------------------------------------- leftovers and reporting


def test_an_invalid_date_is_a_warning_not_a_skipped_document(nlp, tmp_path):
    source = write_jsonl(tmp_path / "news.jsonl", [article(1), {**article(2), "date": "2022-13-45"}])
    result = run("ingest", str(source), "--store", str(tmp_path / "store"))
    assert result.exit_code == 0, result.stderr
    assert "2 new" in result.stderr and "0 skipped" in result.stderr
    assert f"kg: warning: {source}:2: invalid date" in result.stderr
    assert "skipped" not in result.stderr.replace("0 skipped", "")


def test_each_problem_is_printed_once(nlp, tmp_path):
    source = tmp_path / "news.jsonl"
    source.write_text(json.dumps(article(1)) + "\n{not json\n", encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "kg", "ingest", str(source), "--store", str(tmp_path / "s")],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 1
    assert done.stderr.count("malformed JSON") == 1, done.stderr


def test_a_killed_exports_temporary_file_is_removed_by_the_next_export(nlp, tmp_path):
    from kg.export.atomic import atomic_path

    out = tmp_path / "out"
    out.mkdir()
    child = subprocess.Popen([sys.executable, "-c", "import time, sys; time.sleep(60)"])
    stale = out / f".claims.ttl.{child.pid}-abcd1234.tmp"
    stale.write_text("half a file")
    legacy = out / ".claims.ttl.k3j2h1g0.tmp"  # a name without a pid, from before
    legacy.write_text("half a file")
    os.utime(legacy, (time.time() - 7200, time.time() - 7200))
    with atomic_path(out / "claims.ttl") as tmp:  # the writer still runs: its file stays
        tmp.write_text("done")
    assert stale.exists() and not legacy.exists()
    child.kill()
    child.wait()
    with atomic_path(out / "claims.ttl") as tmp:
        tmp.write_text("done again")
    assert sorted(p.name for p in out.iterdir()) == ["claims.ttl"]


def test_killing_an_ingest_with_two_workers_leaves_no_worker_behind(nlp, tmp_path):
    records = [article(i, f"The mayor of Town {i} said the bridge would reopen. " * 40) for i in range(400)]
    source = write_jsonl(tmp_path / "news.jsonl", records)
    kg = subprocess.Popen([sys.executable, "-m", "kg", "ingest", str(source), "--store", str(tmp_path / "s"),
                           "--workers", "2"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    parent = psutil.Process(kg.pid)
    deadline = time.monotonic() + 120
    children: list[psutil.Process] = []
    while time.monotonic() < deadline:
        children = parent.children(recursive=True)
        if len(children) >= 3:  # two workers and multiprocessing's resource tracker
            break
        time.sleep(0.2)
    assert len(children) >= 3, "the workers never started"
    time.sleep(1.0)
    kg.send_signal(signal.SIGKILL)
    kg.wait()
    gone, alive = psutil.wait_procs(children, timeout=15)
    for p in alive:
        p.kill()
    assert not alive, f"left running: pids {[p.pid for p in alive]}"
