"""Extraction at scale: local worker processes, a Dask cluster, worker failure, streaming input.

Every test here runs the real spaCy model (in worker processes too) on real
Wikinews articles and compares what lands in a real on-disk store with what a
plain one-process ingest stores.
"""

from __future__ import annotations

import io
import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from kg.pipeline import ingest
from kg.store import ClaimStore

ROOT = Path(__file__).resolve().parent.parent
WIKINEWS = ROOT.parent / "shared" / "corpora" / "wikinews.jsonl"

needs_wikinews = pytest.mark.skipif(not WIKINEWS.exists(), reason="../shared/corpora/wikinews.jsonl not beside the project")


def store_content(path: Path) -> tuple[list[str], list[str]]:
    """Every quad of the named graphs and every triple of the merged graph, as sorted N-Quads lines."""
    with ClaimStore.open(path, read_only=True) as store:
        quads = sorted(str(q) for q in store.named_graph_quads())
        triples = sorted(str(t) for t in store.triples())
    return quads, triples


def first_articles(tmp_path: Path, n: int) -> Path:
    lines = WIKINEWS.read_text(encoding="utf-8").splitlines()[:n]
    path = tmp_path / f"wikinews-{n}.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def wikinews_local(nlp, tmp_path_factory) -> Path:
    """All of Wikinews ingested the plain way: one process, the session's model."""
    path = tmp_path_factory.mktemp("local") / "store"
    with ClaimStore.open(path) as store:
        report = ingest([WIKINEWS], store, nlp=nlp)
    assert report.new == 295 and not report.problems
    return path


@pytest.fixture(scope="module")
def cluster():
    """A real Dask LocalCluster: two single-threaded worker processes, each loading the model."""
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                                  silence_logs=40) as local:
        yield local


# ----------------------------------------------------------------------------- local processes


@needs_wikinews
def test_two_worker_processes_store_exactly_what_one_process_stores(nlp, tmp_path):
    articles = first_articles(tmp_path, 40)
    with ClaimStore.open(tmp_path / "one") as store:
        one = ingest([articles], store, nlp=nlp)
    seen: Counter[str] = Counter()
    with ClaimStore.open(tmp_path / "two") as store:
        two = ingest([articles], store, workers=2, batch_size=4, progress=lambda d, s, n: seen.update([d.id]))
    assert (two.new, two.claims, two.problems) == (one.new, one.claims, [])
    assert set(seen.values()) == {1} and len(seen) == 40
    assert store_content(tmp_path / "two") == store_content(tmp_path / "one")


@needs_wikinews
def test_a_local_worker_killed_mid_run_is_replaced_and_its_batches_resent(nlp, tmp_path, caplog):
    import psutil

    articles = first_articles(tmp_path, 30)
    with ClaimStore.open(tmp_path / "one") as store:
        one = ingest([articles], store, nlp=nlp)
    seen: Counter[str] = Counter()
    killed: list[int] = []

    def progress(document, status, n_claims):
        seen.update([document.id])
        if not killed and len(seen) >= 4:
            workers = [c for c in psutil.Process().children()
                       if "spawn_main" in " ".join(c.cmdline()) and "resource_tracker" not in " ".join(c.cmdline())]
            killed.append(workers[0].pid)
            os.kill(workers[0].pid, signal.SIGKILL)

    with ClaimStore.open(tmp_path / "two") as store:
        two = ingest([articles], store, workers=2, batch_size=2, progress=progress)
    assert killed
    assert "an extraction worker died; restarting" in caplog.text  # the pool was restarted, batches resent
    assert two.problems == []
    assert set(seen.values()) == {1} and len(seen) == 30
    assert (two.new, two.claims) == (30, one.claims)
    assert store_content(tmp_path / "two") == store_content(tmp_path / "one")


def test_a_document_the_extractor_fails_on_in_a_worker_is_reported_and_the_rest_stored(tmp_path, monkeypatch):
    from kg.extract.parallel import extract_in_processes
    from kg.records import Document

    good = Document(id="good", text='"We will win," the minister said.', date="2021-01-01")
    bad = Document(id="bad", text=None, date="2021-01-01")  # type: ignore[arg-type]  (not a text: the extractor raises)
    errors = []
    out = list(extract_in_processes([good, bad], 2, batch_size=1, on_error=lambda d, e: errors.append((d.id, str(e)))))
    assert [x.document.id for x in out] == ["good"] and out[0].claims
    assert [e[0] for e in errors] == ["bad"]


# ----------------------------------------------------------------------------- Dask


@needs_wikinews
def test_kg_ingest_on_a_dask_cluster_stores_the_same_graph_as_a_local_run(wikinews_local, cluster, tmp_path):
    store = tmp_path / "dask"
    result = subprocess.run(
        [sys.executable, "-m", "kg", "ingest", str(WIKINEWS), "--store", str(store),
         "--scheduler", cluster.scheduler_address, "--format", "json"],
        capture_output=True, text=True, timeout=600,
    )
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout)
    assert (summary["documents"], summary["new"], summary["skipped"]) == (295, 295, 0)
    assert store_content(store) == store_content(wikinews_local)


@needs_wikinews
def test_a_worker_killed_mid_run_loses_no_document_and_stores_none_twice(nlp, cluster, tmp_path):
    from distributed import Client

    articles = first_articles(tmp_path, 60)
    with ClaimStore.open(tmp_path / "local") as store:
        local = ingest([articles], store, nlp=nlp)

    seen: Counter[str] = Counter()
    killed: dict[str, object] = {}
    with Client(cluster) as client:
        pids = client.run(os.getpid)

        def progress(document, status, n_claims):
            seen.update([document.id])
            if not killed and len(seen) >= 8:
                busy = {w: keys for w, keys in client.processing().items() if keys}
                worker = sorted(busy)[0]
                killed.update(worker=worker, keys=list(busy[worker]))
                os.kill(pids[worker], signal.SIGKILL)

        with ClaimStore.open(tmp_path / "dask") as store:
            report = ingest([articles], store, scheduler=client, batch_size=2, progress=progress)
        client.wait_for_workers(2, timeout=60)  # the nanny restarted the killed worker

    assert killed["keys"], "the killed worker had batches in hand"
    assert report.problems == []
    assert set(seen.values()) == {1} and len(seen) == 60  # none lost, none twice
    assert (report.new, report.claims) == (60, local.claims)
    assert store_content(tmp_path / "dask") == store_content(tmp_path / "local")


def test_workers_running_another_kg_are_refused_before_anything_is_sent(cluster, tmp_path, monkeypatch):
    import kg
    from kg.extract.parallel import ClusterError

    monkeypatch.setattr(kg, "__version__", "0.0.0-not-the-workers")
    with ClaimStore.open(tmp_path / "s") as store:
        with pytest.raises(ClusterError, match="run another kg than this one"):
            ingest([ROOT / "seeds"], store, scheduler=cluster.scheduler_address)
        assert store.document_ids() == []


def test_an_unreachable_scheduler_is_a_clear_error_with_its_own_exit_code(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "kg", "ingest", str(ROOT / "seeds"), "--store", str(tmp_path / "s"),
         "--scheduler", "tcp://127.0.0.1:9"],
        capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 5
    assert "cannot reach the Dask scheduler at tcp://127.0.0.1:9" in result.stderr
    assert "Traceback" not in result.stderr


# ----------------------------------------------------------------------------- streaming


def test_json_lines_on_stdin_are_read_a_line_at_a_time():
    from kg.read import iter_documents

    class Trickle(io.RawIOBase):
        """A stdin that hands out one line per read and counts how far it was read."""

        def __init__(self, lines: list[bytes]) -> None:
            self.lines, self.taken, self.pending = lines, 0, b""

        def readable(self) -> bool:
            return True

        def readinto(self, buffer) -> int:
            if not self.pending:
                if self.taken >= len(self.lines):
                    return 0
                self.pending = self.lines[self.taken]
                self.taken += 1
            view = memoryview(buffer).cast("B")
            n = min(len(view), len(self.pending))
            view[:n], self.pending = self.pending[:n], self.pending[n:]
            return n

    lines = [json.dumps({"id": f"d{i}", "text": f"Text {i}."}).encode() + b"\n" for i in range(10_000)]
    stdin = Trickle(lines)
    documents = iter_documents(["-"], stdin=io.BufferedReader(stdin, buffer_size=256))
    first = next(documents)
    assert first.id == "d0"
    assert stdin.taken < 3_000  # the 64 KiB looked at to tell the format, not the whole stream
    assert sum(1 for _ in documents) == 9_999


def test_count_documents_counts_lines_rows_and_files_without_parsing(tmp_path):
    from kg.read import count_documents

    (tmp_path / "a.jsonl").write_text('{"id": 1}\n\nnot json\n{"id": 2}\n', encoding="utf-8")
    (tmp_path / "b.csv").write_text('id,text\n1,"two\nlines"\n2,x\n', encoding="utf-8")
    (tmp_path / "c.txt").write_text("One article.", encoding="utf-8")
    assert count_documents([tmp_path]) == 3 + 2 + 1
    assert count_documents([tmp_path, "-"]) is None


def test_a_large_derived_graph_is_written_in_chunks_with_its_stamp_last_and_a_cut_short_write_is_redone(
        nlp, tmp_path, monkeypatch):
    from kg.store import oxigraph_store

    with ClaimStore.open(tmp_path / "whole") as store:
        ingest([ROOT / "seeds"], store, nlp=nlp)
        stamp = store.resolved_stamp()
    whole = store_content(tmp_path / "whole")

    monkeypatch.setattr(oxigraph_store, "DERIVED_CHUNK", 50)
    real = oxigraph_store._add_with_merge
    calls = {"n": 0}

    def cut_after_two_chunks(st, quads):
        calls["n"] += 1
        if calls["n"] > 2:
            raise KeyboardInterrupt  # as if the run were stopped mid-write
        real(st, quads)

    monkeypatch.setattr(oxigraph_store, "_add_with_merge", cut_after_two_chunks)
    with ClaimStore.open(tmp_path / "chunks") as store:
        with pytest.raises(KeyboardInterrupt):
            ingest([ROOT / "seeds"], store, nlp=nlp)
        assert store.resolved_stamp() is None  # a partial graph never carries a stamp
        monkeypatch.setattr(oxigraph_store, "_add_with_merge", real)
        report = ingest([ROOT / "seeds"], store, nlp=nlp)
        assert report.unchanged == 2 and not report.resolution.skipped
        assert store.resolved_stamp() == stamp
    assert store_content(tmp_path / "chunks") == whole


# ----------------------------------------------------------------------------- progress


def _ingest_with_stderr_on_a_terminal(tmp_path: Path, env: dict[str, str]) -> str:
    import pty

    import fcntl
    import struct
    import termios

    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))  # 40 rows, 120 columns
    proc = subprocess.Popen([sys.executable, "-m", "kg", "ingest", str(ROOT / "seeds"), "--store", str(tmp_path)],
                            stdout=subprocess.PIPE, stderr=follower, env=env)
    os.close(follower)
    chunks = []
    while True:
        try:
            data = os.read(leader, 4096)
        except OSError:  # the terminal closed with the process
            break
        if not data:
            break
        chunks.append(data)
    proc.wait(timeout=120)
    os.close(leader)
    assert proc.returncode == 0
    return b"".join(chunks).decode("utf-8", "replace")


def test_a_progress_bar_shows_documents_claims_and_rate_on_a_terminal_only(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "CI"}
    shown = _ingest_with_stderr_on_a_terminal(tmp_path / "tty-store", env)
    assert "2/2" in shown and "claims" in shown and "doc/s" in shown
    quiet = _ingest_with_stderr_on_a_terminal(tmp_path / "ci-store", dict(env, CI="true"))
    assert "2/2" not in quiet and "doc/s" not in quiet
    assert "2 documents: 2 new" in quiet  # the summary still comes


def test_a_chunked_rewrite_with_an_unchanged_stamp_keeps_the_stamp(nlp, tmp_path, monkeypatch):
    from kg.build.rdf import RESOLVED_GRAPH
    from kg.pipeline import resolve
    from kg.store import oxigraph_store

    with ClaimStore.open(tmp_path / "s") as store:
        ingest([ROOT / "seeds"], store, nlp=nlp)
        stamp = store.resolved_stamp()
        whole = sorted(str(q) for q in store.oxigraph.quads_for_pattern(None, None, None, RESOLVED_GRAPH))
        # lose 120 quads of the derived graph (not its stamp), then redo it in chunks of 50
        lost = [q for q in store.oxigraph.quads_for_pattern(None, None, None, RESOLVED_GRAPH)
                if q.subject != RESOLVED_GRAPH][:120]
        for q in lost:
            store.oxigraph.remove(q)
        monkeypatch.setattr(oxigraph_store, "DERIVED_CHUNK", 50)
        report = resolve(store, force=True)
        assert (report.added, report.removed) == (120, 0)
        assert store.resolved_stamp() == stamp
        assert sorted(str(q) for q in store.oxigraph.quads_for_pattern(None, None, None, RESOLVED_GRAPH)) == whole
