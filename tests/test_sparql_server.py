"""kg serve and kg push: a real `oxigraph` server on a loopback port, asked with a standard client.

The store is built for real (the seeds and fourteen Wikinews articles, with their
contradictions); every server is the `oxigraph` binary, stopped by its fixture or
`with` block (an autouse fixture checks that none is left running); queries go
through SPARQLWrapper and must give the rows the embedded store gives.
"""

from __future__ import annotations

import json
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import psutil
import pytest
from click.testing import CliRunner
from pyoxigraph import BlankNode, DefaultGraph, Literal, NamedNode, Quad, RdfFormat, parse
from SPARQLWrapper import JSON, POST, SPARQLWrapper

from kg.cli import main
from kg.query.canned import run_query
from kg.serve import BlankNodePushError, PushConnectionError, SparqlServer, push
from kg.serve.push import DEFAULT_CHUNK_TRIPLES, default_state_path, sorted_ntriples
from kg.serve.remote import canned_query_text, rows_from_json
from kg.serve.server import free_port
from kg.store import ClaimStore, StoreLockedError

ROOT = Path(__file__).resolve().parent.parent
SOURCES = [ROOT / "seeds", ROOT / "tests" / "data" / "wikinews_contradictions.jsonl"]
GRAPH = "https://example.org/graphs/claims"
CHUNK = 3000  # the test store has ~20,000 triples: 7 chunks


# ----------------------------------------------------------------------------- fixtures and helpers


@pytest.fixture(scope="module")
def store_path(tmp_path_factory, nlp) -> Path:
    from kg.pipeline import ingest

    path = tmp_path_factory.mktemp("served") / "news.kg"
    with ClaimStore.open(path) as store:
        report = ingest(SOURCES, store, nlp=nlp)
    assert report.claims > 300 and not report.problems
    return path


def _canned_calls(store: ClaimStore) -> list[tuple[str, dict[str, str]]]:
    claim = run_query(store, "contradictions")[0]["a"]  # a claim in a contradiction: several rows of provenance
    return [
        ("who-claimed-what-when", {}),
        ("claims-by", {"claimant": "psaki"}),
        ("claims-by", {"claimant": '"; DROP ALL ; #'}),  # a value, never query text: no rows, no harm
        ("claims-about", {"entity": "kyiv"}),
        ("contradictions", {}),
        ("quoted-by-outlet", {}),
        ("provenance", {"claim": claim}),
    ]


@pytest.fixture(scope="module")
def local(store_path):
    """What the embedded store answers: the canned queries, its triples."""
    with ClaimStore.open(store_path, read_only=True) as store:
        calls = _canned_calls(store)
        answers = [(name, params, run_query(store, name, params)) for name, params in calls]
        lines = sorted_ntriples(store).lines
    assert any(rows for name, _, rows in answers if name == "contradictions")
    return {"answers": answers, "triples": set(lines), "count": len(lines)}


@pytest.fixture(autouse=True)
def _no_server_left_running():
    yield
    left = [p for p in psutil.Process().children(recursive=True) if "oxigraph" in p.name()]
    for p in left:
        p.kill()
    assert not left, f"oxigraph servers left running: {left}"


def _sparqlwrapper(query_url: str, sparql: str, *, default_graph: str | None = None) -> list[dict]:
    client = SPARQLWrapper(query_url)
    client.setMethod(POST)
    client.setReturnFormat(JSON)
    client.setQuery(sparql)
    if default_graph is not None:
        client.addDefaultGraph(default_graph)  # the protocol's default-graph-uri
    return rows_from_json(client.query().convert())


def _remote_answers(query_url: str, local_answers, *, default_graph: str | None = None):
    remote = []
    for name, params, _ in local_answers:
        rows = _sparqlwrapper(query_url, canned_query_text(name, params), default_graph=default_graph)
        remote.append([{k: v for k, v in r.items() if k not in params} for r in rows])
    return remote


def _sorted(rows: list[dict]) -> list[str]:
    return sorted(json.dumps(r, sort_keys=True) for r in rows)


def _remote_triples(store_url: str, graph: str | None) -> set[bytes]:
    """The remote graph, read back with a Graph Store Protocol GET, as N-Triples lines."""
    query = "default" if graph is None else urllib.parse.urlencode({"graph": graph})
    request = urllib.request.Request(f"{store_url}?{query}", headers={"Accept": "application/n-triples"})
    with urllib.request.urlopen(request, timeout=30) as response:
        data = response.read()
    triples = [q.triple for q in parse(data, format=RdfFormat.N_TRIPLES)]
    from pyoxigraph import serialize

    return {line for line in serialize(triples, format=RdfFormat.N_TRIPLES).split(b"\n") if line}


def _count(query_url: str, graph: str | None = None) -> int:
    pattern = f"GRAPH <{graph}> {{ ?s ?p ?o }}" if graph else "?s ?p ?o"
    return int(_sparqlwrapper(query_url, f"SELECT (COUNT(*) AS ?n) WHERE {{ {pattern} }}")[0]["n"])


def run_cli(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


class _Writer:
    """Another process holding the store open read-write (as kg ingest does) until closed."""

    def __init__(self, path: Path) -> None:
        code = ("import sys; from kg.store import ClaimStore; s = ClaimStore.open(sys.argv[1]); "
                "print('open', flush=True); sys.stdin.read(); s.close()")
        self.process = subprocess.Popen([sys.executable, "-c", code, str(path)], stdin=subprocess.PIPE,
                                        stdout=subprocess.PIPE, text=True)
        assert self.process.stdout.readline().strip() == "open"

    def close(self) -> None:
        self.process.communicate("", timeout=30)


# ----------------------------------------------------------------------------- (a) kg serve


def test_served_store_answers_the_canned_queries_with_the_rows_of_the_embedded_store(store_path, local):
    with SparqlServer(store_path, port=0) as server:
        remote = _remote_answers(server.query_url, local["answers"])
        assert _count(server.query_url) == local["count"]
    for (name, params, rows), got in zip(local["answers"], remote):
        assert got == rows, f"{name} {params}"  # same engine, same files: same order too
    assert sum(len(rows) for _, _, rows in local["answers"]) > 500


def test_served_store_is_read_only_updates_and_graph_store_writes_are_refused(store_path, local):
    with SparqlServer(store_path, port=0) as server:
        assert server.update_url is None
        client = SPARQLWrapper(server.base_url + "/update")
        client.setMethod(POST)
        client.setQuery("INSERT DATA { <https://example.org/a> <https://example.org/b> <https://example.org/c> }")
        with pytest.raises(urllib.error.HTTPError) as refused:
            client.query()
        assert refused.value.code == 403
        put = urllib.request.Request(server.store_url + "?default", data=b"<urn:a> <urn:b> <urn:c> .\n",
                                     method="PUT", headers={"Content-Type": "application/n-triples"})
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(put, timeout=10)
        assert refused.value.code == 403
        assert _count(server.query_url) == local["count"]


def test_serve_refuses_a_store_that_a_kg_writer_holds(store_path):
    writer = _Writer(store_path)
    try:
        with pytest.raises(StoreLockedError, match="in use"):
            SparqlServer(store_path, port=0).start()
        result = run_cli("serve", "--store", str(store_path), "--port", "0")
        assert result.exit_code == 3
        assert "in use by another kg process" in result.output and "stop the writer" in result.output
    finally:
        writer.close()


def test_a_kg_writer_started_while_the_store_is_served_is_refused_and_readers_still_work(store_path, local):
    with SparqlServer(store_path, port=0) as server:
        resolve = subprocess.run([sys.executable, "-m", "kg", "resolve", "--force", "--store", str(store_path)],
                                 capture_output=True, text=True, timeout=60)
        assert resolve.returncode == 3, resolve.stderr
        assert "in use by another kg process" in resolve.stderr
        with pytest.raises(StoreLockedError):  # in this process too
            ClaimStore.open(store_path)
        stats = subprocess.run([sys.executable, "-m", "kg", "stats", "--format", "json", "--store", str(store_path)],
                               capture_output=True, text=True, timeout=60)
        assert stats.returncode == 0 and json.loads(stats.stdout)["triples"] == local["count"]
        assert _count(server.query_url) == local["count"]
    ClaimStore.open(store_path).close()  # the server is gone: writers are welcome again


def test_kg_serve_command_serves_until_interrupted_and_stops_its_server(store_path, local):
    port = free_port()
    process = subprocess.Popen([sys.executable, "-m", "kg", "serve", "--store", str(store_path), "--port", str(port)],
                               stderr=subprocess.PIPE, text=True)
    try:
        lines = [process.stderr.readline() for _ in range(2)]
        assert f"kg: serving {store_path} read-only at http://127.0.0.1:{port}" in lines[0]
        query_url = lines[1].split()[-1]
        assert query_url == f"http://127.0.0.1:{port}/query"
        servers = [p for p in psutil.Process(process.pid).children() if "oxigraph" in p.name()]
        assert len(servers) == 1
        assert _count(query_url) == local["count"]
        name, params, rows = local["answers"][1]  # claims-by psaki
        got = _sparqlwrapper(query_url, canned_query_text(name, params))
        assert [{k: v for k, v in r.items() if k not in params} for r in got] == rows
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=20) == 0
        assert "stopping the server" in process.stderr.read()
        psutil.wait_procs(servers, timeout=10)
        assert not any(p.is_running() and p.status() != psutil.STATUS_ZOMBIE for p in servers)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


# ----------------------------------------------------------------------------- (b) kg push


@pytest.fixture
def target():
    """An empty, writable Oxigraph server (in memory)."""
    with SparqlServer(None, writable=True, port=0) as server:
        yield server


def test_push_into_a_named_graph_and_into_the_default_graph_gives_the_local_answers(store_path, local, target):
    with ClaimStore.open(store_path, read_only=True) as store:
        named = push(store, target.store_url, GRAPH, chunk_triples=CHUNK)
        default = push(store, target.store_url, None, chunk_triples=CHUNK)
    for report in (named, default):
        assert (report.triples, report.triples_sent, report.chunks_skipped) == (local["count"], local["count"], 0)
        assert report.chunks == report.chunks_sent == -(-local["count"] // CHUNK)
        assert report.triples_per_second > 0
    assert _count(target.query_url, GRAPH) == _count(target.query_url) == local["count"]
    assert _remote_triples(target.store_url, GRAPH) == local["triples"]
    assert _remote_triples(target.store_url, None) == local["triples"]
    in_default = _remote_answers(target.query_url, local["answers"])
    in_named = _remote_answers(target.query_url, local["answers"], default_graph=GRAPH)
    for (name, params, rows), got, got_named in zip(local["answers"], in_default, in_named):
        assert _sorted(got) == _sorted(rows), f"{name} {params}"
        assert _sorted(got_named) == _sorted(rows), f"{name} {params} from <{GRAPH}>"


def test_push_replaces_the_remote_graph_and_append_adds_to_it(store_path, local, target):
    stray = b"<https://example.org/stray> <https://example.org/p> \"left over\" ."
    fill = urllib.request.Request(f"{target.store_url}?default", data=stray + b"\n", method="PUT",
                                  headers={"Content-Type": "application/n-triples"})
    urllib.request.urlopen(fill, timeout=10).close()
    with ClaimStore.open(store_path, read_only=True) as store:
        push(store, target.store_url, chunk_triples=CHUNK, append=True)
        assert _remote_triples(target.store_url, None) == local["triples"] | {stray}
        push(store, target.store_url, chunk_triples=CHUNK)
    assert _remote_triples(target.store_url, None) == local["triples"]


def test_kg_push_command_prints_a_summary_and_a_json_report(store_path, local, target):
    result = run_cli("push", "--store", str(store_path), "--endpoint", target.store_url, "--graph", GRAPH,
                     "--chunk-size", "5000")
    assert result.exit_code == 0, result.output
    chunks = -(-local["count"] // 5000)
    assert f"pushed {local['count']:,} of {local['count']:,} triples to graph <{GRAPH}>" in result.output
    assert f"{chunks} chunks sent" in result.output and "triples/s" in result.output
    result = run_cli("push", "--store", str(store_path), "--endpoint", target.store_url, "--format", "json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    default_chunks = -(-local["count"] // DEFAULT_CHUNK_TRIPLES)
    assert (report["triples_sent"], report["chunks_sent"], report["graph"]) == (local["count"], default_chunks, None)
    assert _count(target.query_url, GRAPH) == _count(target.query_url) == local["count"]


# ----------------------------------------------------------------------------- (c) resuming


def test_an_interrupted_push_resumes_after_the_last_acknowledged_chunk(store_path, local, tmp_path):
    remote_dir, port = tmp_path / "remote", free_port()
    server = SparqlServer(remote_dir, writable=True, port=port)

    def stop_after_chunk_2(done):
        if done.chunk == 2:
            server.stop()  # for real: the next request finds nobody listening

    state = default_state_path(store_path, server.store_url, GRAPH)
    try:
        server.start()
        with ClaimStore.open(store_path, read_only=True) as store:
            with pytest.raises(PushConnectionError) as failed:
                push(store, server.store_url, GRAPH, chunk_triples=CHUNK, progress=stop_after_chunk_2)
        message = str(failed.value)
        chunks = -(-local["count"] // CHUNK)
        assert f"POST {server.store_url}?graph=" in message and f"chunk 3 of {chunks}" in message
        assert f"2 chunks ({2 * CHUNK} of {local['count']} triples) were acknowledged" in message
        assert failed.value.state_path == state
        recorded = json.loads(state.read_text())
        assert (recorded["chunks_acknowledged"], recorded["triples_acknowledged"]) == (2, 2 * CHUNK)
        assert (recorded["endpoint"], recorded["graph"], recorded["chunk_triples"]) == (server.store_url, GRAPH, CHUNK)

        server.start()  # the same location and port: the two chunks are there
        assert _count(server.query_url, GRAPH) == 2 * CHUNK
        sent: list[str] = []
        with ClaimStore.open(store_path, read_only=True) as store:
            report = push(store, server.store_url, GRAPH, chunk_triples=CHUNK,
                          progress=lambda done: sent.append(f"{done.method} {done.chunk}"))
        assert report.resumed and report.chunks_skipped == 2 and report.chunks_sent == chunks - 2
        assert sent == [f"POST {n}" for n in range(3, chunks + 1)]  # no PUT: it would drop chunks 1-2
        assert report.triples_sent == local["count"] - 2 * CHUNK
        assert _remote_triples(server.store_url, GRAPH) == local["triples"]
        assert not state.exists()
    finally:
        server.stop()


def test_a_push_resumed_after_the_store_changed_starts_over(store_path, local, tmp_path):
    changed_path = tmp_path / "changed.kg"
    shutil.copytree(store_path, changed_path)
    server = SparqlServer(tmp_path / "remote", writable=True, port=free_port())

    def stop_after_chunk_3(done):
        if done.chunk == 3:
            server.stop()

    try:
        server.start()
        with ClaimStore.open(changed_path, read_only=True) as store:
            with pytest.raises(PushConnectionError):
                push(store, server.store_url, GRAPH, chunk_triples=CHUNK, progress=stop_after_chunk_3)
        with ClaimStore.open(changed_path) as store:  # an article is removed meanwhile
            assert store.remove_document("doc-4d36a316c3dd557f")
        server.start()
        with ClaimStore.open(changed_path, read_only=True) as store:
            now = sorted_ntriples(store).lines
            report = push(store, server.store_url, GRAPH, chunk_triples=CHUNK)
        assert not report.resumed and report.chunks_skipped == 0 and report.triples_sent == len(now) < local["count"]
        assert any("changed" in note for note in report.notes)
        # the first chunk replaced the graph: what the interrupted push sent of the removed article is gone
        assert _remote_triples(server.store_url, GRAPH) == set(now)
    finally:
        server.stop()


def test_push_refuses_a_store_with_blank_nodes(tmp_path):
    with ClaimStore.open(tmp_path / "blank.kg") as store:
        store.oxigraph.add(Quad(BlankNode(), NamedNode("https://example.org/p"), Literal("x"), DefaultGraph()))
    with ClaimStore.open(tmp_path / "blank.kg", read_only=True) as store:
        with pytest.raises(BlankNodePushError, match="1 triples with blank nodes"):
            push(store, f"http://127.0.0.1:{free_port()}/store")


# ----------------------------------------------------------------------------- (d) CLI errors


def test_kg_push_to_an_unreachable_endpoint_fails_clearly_with_exit_5(store_path, local):
    endpoint = f"http://127.0.0.1:{free_port()}/store"  # nobody listens there
    started = time.monotonic()
    result = run_cli("push", "--store", str(store_path), "--endpoint", endpoint)
    assert result.exit_code == 5
    chunks = -(-local["count"] // DEFAULT_CHUNK_TRIPLES)
    assert f"PUT {endpoint}?default failed for chunk 1 of {chunks}" in result.output
    assert "Connection refused" in result.output and "nothing was acknowledged" in result.output
    assert time.monotonic() - started < 30


def test_kg_push_refused_by_the_endpoint_names_the_status_with_exit_6(store_path, local):
    with SparqlServer(store_path, port=0) as read_only:  # its Graph Store refuses writes
        result = run_cli("push", "--store", str(store_path), "--endpoint", read_only.store_url)
    assert result.exit_code == 6
    chunks = -(-local["count"] // DEFAULT_CHUNK_TRIPLES)
    assert f"PUT {read_only.store_url}?default answered 403 Forbidden for chunk 1 of {chunks}" in result.output


def test_kg_push_and_serve_usage_errors(store_path, tmp_path):
    result = run_cli("push", "--store", str(store_path), "--endpoint", "localhost:7878/store")
    assert result.exit_code == 2 and "is not an http(s) URL" in result.output
    result = run_cli("push", "--store", str(store_path), "--endpoint", "http://127.0.0.1:1/store",
                     "--graph", "not an iri")
    assert result.exit_code == 2 and "is not an IRI" in result.output
    result = run_cli("push", "--store", str(tmp_path / "missing.kg"), "--endpoint", "http://127.0.0.1:1/store")
    assert result.exit_code == 3 and "no store at" in result.output
    result = run_cli("serve", "--store", str(tmp_path / "missing.kg"))
    assert result.exit_code == 3 and "no store at" in result.output
