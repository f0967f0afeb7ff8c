"""Messages instead of tracebacks, exit codes that mean one thing, and the small things users asked for.

Each runs the real ``kg`` (a subprocess where the exit status, signals or file limits
are what is tested) on a real store.
"""

from __future__ import annotations

import json
import os
import resource
import signal
import subprocess
import sys
from pathlib import Path

import networkx as nx
import pytest
from click.testing import CliRunner

from kg.cli import main
from kg.errors import ExitCode
from kg.store import ClaimStore

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
WIKINEWS = ROOT / "tests" / "data" / "wikinews_contradictions.jsonl"


def run(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def kg(*args: str, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "kg", *args], capture_output=True, text=True, timeout=300, **kwargs)


@pytest.fixture(scope="module")
def store(tmp_path_factory, nlp) -> Path:
    from kg.pipeline import ingest

    path = tmp_path_factory.mktemp("errors") / "store"
    with ClaimStore.open(path) as st:
        ingest([SEEDS, WIKINEWS], st, nlp=nlp)
    return path


# ----------------------------------------------------------------------------- the main job composes


def test_a_plain_build_at_any_time_writes_the_committed_exports_byte_for_byte(tmp_path):
    """Set-up step 1 (kg build seeds/) must leave the checkout as it was: no wall clock in the exports."""
    env = {k: v for k, v in os.environ.items() if k != "SOURCE_DATE_EPOCH"}
    done = kg("build", str(SEEDS), "--store", str(tmp_path / "store"), "--out", str(tmp_path / "out"), "-q", env=env)
    assert done.returncode == 0, done.stderr
    for name in ("claims.ttl", "claims.graphml", "claimants.graphml", "claims.gexf"):
        assert (tmp_path / "out" / name).read_bytes() == _committed(f"exports/{name}"), name
    with ClaimStore.open(tmp_path / "store", read_only=True) as st:  # the wall clock stays in the store
        (doc_id, *_) = st.document_ids()
        assert st.ingested_at(doc_id)[:4] >= "2026"


def _committed(path: str) -> bytes:
    """The file as committed (not as the last build left the work tree), or the work tree's outside git."""
    done = subprocess.run(["git", "show", f"HEAD:{path}"], cwd=ROOT, capture_output=True)
    return done.stdout if done.returncode == 0 else (ROOT / path).read_bytes()


def test_build_quiet_prints_nothing_but_writes_the_exports(tmp_path):
    result = run("build", str(SEEDS), "--store", str(tmp_path / "s"), "--out", str(tmp_path / "out"), "--quiet")
    assert result.exit_code == 0
    assert result.stdout == "" and result.stderr == ""
    assert (tmp_path / "out" / "claims.ttl").stat().st_size > 0


# ----------------------------------------------------------------------------- usage errors


def test_a_missing_input_path_is_a_usage_error_and_creates_no_store(tmp_path):
    for command in ("ingest", "build"):
        result = run(command, str(tmp_path / "nosuchfile"), "--store", str(tmp_path / "store"))
        assert result.exit_code == ExitCode.USAGE
        assert "no such file or folder" in result.stderr and "nosuchfile" in result.stderr
        assert not (tmp_path / "store").exists()
    assert run("extract", str(tmp_path / "nosuchfile")).exit_code == ExitCode.USAGE


def test_a_store_path_that_is_a_folder_of_other_files_is_refused_untouched(tmp_path):
    folder = tmp_path / "papers"
    folder.mkdir()
    (folder / "notes.txt").write_text("mine")
    result = run("ingest", str(SEEDS), "--store", str(folder))
    assert result.exit_code == ExitCode.STORE
    assert "not a kg store" in result.stderr
    assert [p.name for p in folder.iterdir()] == ["notes.txt"]


def test_a_bad_lexicon_is_a_message_naming_file_and_line(tmp_path):
    lexicon = tmp_path / "bad.tsv"
    lexicon.write_text("say\tverb\tassert\nshout\tverb\n", encoding="utf-8")
    result = run("extract", str(SEEDS), "--lexicon", str(lexicon))
    assert result.exit_code == ExitCode.USAGE
    assert f"kg: {lexicon}:2: expected" in result.stderr


def test_a_missing_model_is_named_in_the_message():
    result = run("extract", str(SEEDS), "--model", "en_core_web_lg")
    assert result.exit_code == ExitCode.MISSING
    assert "'en_core_web_lg' is not installed" in result.stderr
    assert "spacy download en_core_web_lg" in result.stderr


def test_an_argument_that_is_not_utf8_is_a_usage_error_not_a_traceback(store):
    done = subprocess.run([sys.executable.encode(), b"-m", b"kg", b"claims", b"--by", b"\xff",
                           b"--store", str(store).encode()], capture_output=True, timeout=120)
    assert done.returncode == ExitCode.USAGE, done.stderr
    assert b"is not valid UTF-8" in done.stderr and b"Traceback" not in done.stderr


def test_a_closed_pipe_ends_extract_quietly(tmp_path):
    command = f"{sys.executable} -m kg extract {SEEDS} --format jsonl | head -n 1"
    done = subprocess.run(["bash", "-o", "pipefail", "-c", command], capture_output=True, text=True, timeout=300)
    assert done.stdout.count("\n") == 1 and json.loads(done.stdout)["doc_id"]
    assert done.stderr == ""
    assert done.returncode in (0, ExitCode.BROKEN_PIPE)


# ----------------------------------------------------------------------------- queries


def test_kg_sparql_refuses_updates_saying_it_is_read_only(store):
    result = run("sparql", "DROP ALL", "--store", str(store))
    assert result.exit_code == ExitCode.USAGE
    assert "read-only" in result.stderr and "DROP is a SPARQL Update" in result.stderr
    result = run("sparql", "PREFIX ex: <http://example.org/>\nINSERT DATA { ex:a ex:b ex:c }", "--store", str(store))
    assert "INSERT is a SPARQL Update" in result.stderr
    with ClaimStore.open(store, read_only=True) as st:
        assert st.stats()["claims"] > 0


def test_a_sparql_syntax_error_shows_its_line_and_column(store):
    result = run("sparql", "SELECT ?s\nWHERE { ?s ?p }", "--store", str(store))
    assert result.exit_code == ExitCode.USAGE
    assert "line 2, column" in result.stderr
    assert "  WHERE { ?s ?p }\n" in result.stderr and "^" in result.stderr


def test_claims_filter_by_stance_kind_and_document(store):
    rows = json.loads(run("claims", "--stance", "deny", "--format", "json", "--store", str(store)).stdout)
    assert rows and all(r["stance"] == "deny" for r in rows)
    rows = json.loads(run("claims", "--kind", "direct", "--format", "json", "--store", str(store)).stdout)
    assert rows and all(r["kind"] == "direct" for r in rows)
    every = json.loads(run("claims", "--format", "json", "--store", str(store)).stdout)
    doc = every[-1]["doc_id"]
    rows = json.loads(run("claims", "--doc", doc, "--format", "json", "--store", str(store)).stdout)
    assert rows == [r for r in every if r["doc_id"] == doc]
    bad = run("claims", "--stance", "shout", "--store", str(store))
    assert bad.exit_code == ExitCode.USAGE and "not a stance" in bad.stderr


# ----------------------------------------------------------------------------- outputs


def test_a_store_path_holding_a_template_placeholder_makes_a_whole_report(store, tmp_path):
    odd = tmp_path / "{{DATA}}{{JS}}"
    import shutil

    shutil.copytree(store, odd)
    out = tmp_path / "report.html"
    result = run("report", "--store", str(odd), "--out", str(out))
    assert result.exit_code == 0, result.stderr
    page = out.read_text(encoding="utf-8")
    data = page.split('<script type="application/json" id="kg-data">', 1)[1].split("</script>", 1)[0]
    assert json.loads(data)["meta"]["store"].endswith("{{DATA}}{{JS}}")


def _limit_file_size(limit: int):
    def preexec() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails with EFBIG instead
    return preexec


def test_a_write_that_fails_for_lack_of_space_stops_the_export_with_its_own_code_and_keeps_the_old_file(
        store, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "claims.ttl").write_text("the previous export\n")
    done = subprocess.run([sys.executable, "-m", "kg", "export", "--format", "turtle", "--out", str(out),
                           "--store", str(store)], capture_output=True, text=True, timeout=300,
                          preexec_fn=_limit_file_size(20_000))
    assert done.returncode == ExitCode.WRITE_FAILED, done.stderr
    assert "writing failed" in done.stderr and "Traceback" not in done.stderr
    assert sorted(p.name for p in out.iterdir()) == ["claims.ttl"]
    assert (out / "claims.ttl").read_text() == "the previous export\n"


def test_claimants_graphml_is_a_network_of_who_quotes_relays_and_talks_about_whom(store, tmp_path):
    from kg.export import export

    with ClaimStore.open(store, read_only=True) as st:
        path = export(st, tmp_path, ["graphml-claimants"])["graphml-claimants"]
    G = nx.read_graphml(path, force_multigraph=True)
    types = {d["type"] for _, _, d in G.edges(data=True)}
    assert {"about", "quotes"} <= types
    assert G.number_of_edges() >= G.number_of_nodes()
    quoting = {u for u, _, d in G.edges(data=True) if d["type"] == "quotes"}
    assert quoting and all(G.nodes[u]["type"] == "outlet" for u in quoting)


def test_an_ingest_whose_writes_fail_stops_with_its_own_code_and_a_rerun_completes_it(nlp, tmp_path):
    store = tmp_path / "store"
    done = subprocess.run([sys.executable, "-m", "kg", "ingest", str(WIKINEWS), "--store", str(store)],
                          capture_output=True, text=True, timeout=300, preexec_fn=_limit_file_size(100_000))
    assert done.returncode == ExitCode.WRITE_FAILED, done.stderr
    assert "writing failed" in done.stderr and "Traceback" not in done.stderr
    again = run("ingest", str(WIKINEWS), "--store", str(store), "--format", "json")
    assert again.exit_code == 0, again.stderr
    report = json.loads(again.stdout)
    with ClaimStore.open(store, read_only=True) as st:
        assert len(st.document_ids()) == report["documents"] == report["new"] + report["unchanged"]
