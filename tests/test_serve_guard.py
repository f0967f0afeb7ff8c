"""kg serve stays closed: no outbound requests, no foreign Host names, no server outliving kg.

A real ``oxigraph`` server behind kg's guard, a real loopback listener standing for the
URL an attacker would make the server fetch (it counts the requests it gets).
"""

from __future__ import annotations

import http.client
import http.server
import json
import signal
import subprocess
import sys
import threading
import time
import urllib.parse
from pathlib import Path

import psutil
import pytest
from click.testing import CliRunner

from kg.cli import main
from kg.errors import ExitCode
from kg.serve import SparqlServer
from kg.serve.guard import host_allowed
from kg.serve.server import free_port
from kg.store import ClaimStore

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def store_path(tmp_path_factory, nlp) -> Path:
    from kg.pipeline import ingest

    path = tmp_path_factory.mktemp("guarded") / "store"
    with ClaimStore.open(path) as store:
        ingest([ROOT / "seeds"], store, nlp=nlp)
    return path


@pytest.fixture()
def listener():
    """A loopback HTTP server that records every request it gets (the URL a SERVICE clause names)."""
    hits: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802
            hits.append(self.path)
            self.send_response(500)
            self.end_headers()

        do_POST = do_GET

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/sparql", hits
    server.shutdown()
    server.server_close()


def service_query(url: str) -> str:
    return f"SELECT * WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}"


def ask(server: SparqlServer, query: str, host: str | None = None, method: str = "POST") -> tuple[int, str]:
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    headers = {"Accept": "application/sparql-results+json"}
    if host is not None:
        headers["Host"] = host
    if method == "POST":
        headers["Content-Type"] = "application/x-www-form-urlencoded"
        connection.request("POST", "/query", body=urllib.parse.urlencode({"query": query}), headers=headers)
    else:
        connection.request("GET", "/query?" + urllib.parse.urlencode({"query": query}), headers=headers)
    response = connection.getresponse()
    body = response.read().decode("utf-8", "replace")
    connection.close()
    return response.status, body


def test_a_service_clause_sent_to_kg_serve_is_refused_and_fetches_nothing(store_path, listener):
    url, hits = listener
    with SparqlServer(store_path, port=0) as server:
        for method in ("POST", "GET"):
            status, body = ask(server, service_query(url), method=method)
            assert status == 403 and "SERVICE" in body
        status, body = ask(server, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
        assert status == 200 and json.loads(body)["results"]["bindings"]
        status, _ = ask(server, 'SELECT * WHERE { ?s ?p "SERVICE <http://x/>" }')  # a literal, not a clause
        assert status == 200
    assert hits == []


def test_with_allow_service_the_server_queries_the_endpoint(store_path, listener):
    url, hits = listener
    with SparqlServer(store_path, port=0, allow_service=True) as server:
        ask(server, service_query(url))
    assert hits, "the federated query never reached the endpoint"


def test_a_foreign_host_name_is_refused_as_dns_rebinding(store_path):
    with SparqlServer(store_path, port=0) as server:
        status, body = ask(server, "ASK {}", host=f"attacker.example:{server.port}")
        assert status == 403 and "Host" in body
        for host in (f"127.0.0.1:{server.port}", f"localhost:{server.port}", "[::1]"):
            assert ask(server, "ASK {}", host=host)[0] == 200
    with SparqlServer(store_path, port=0, allowed_hosts=("kg.newsroom.internal",)) as server:
        assert ask(server, "ASK {}", host="kg.newsroom.internal")[0] == 200


def test_host_names_allowed_are_ip_addresses_localhost_and_those_given():
    assert host_allowed("127.0.0.1:7878") and host_allowed("[::1]:7878") and host_allowed("localhost")
    assert host_allowed("10.0.0.5") and host_allowed("Kg.Example:80", ["kg.example"])
    assert not host_allowed("evil.example") and not host_allowed("") and not host_allowed("127.0.0.1.evil.example")


def test_kg_sparql_refuses_service_and_names_an_unreachable_endpoint(store_path, listener):
    url, hits = listener
    result = CliRunner().invoke(main, ["sparql", service_query(url), "--store", str(store_path)])
    assert result.exit_code == ExitCode.USAGE and "SERVICE" in result.stderr and "--allow-service" in result.stderr
    assert hits == []
    closed = f"http://127.0.0.1:{free_port()}/sparql"
    result = CliRunner().invoke(main, ["sparql", service_query(closed), "--allow-service", "--store", str(store_path)])
    assert result.exit_code == ExitCode.UNREACHABLE, result.output
    assert "could not be reached" in result.stderr


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGHUP])
def test_the_oxigraph_server_dies_with_a_killed_kg_serve_and_frees_the_store(store_path, sig):
    port = free_port()
    kg = subprocess.Popen([sys.executable, "-m", "kg", "serve", "--store", str(store_path), "--port", str(port)],
                          stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 60
        children: list[psutil.Process] = []
        while time.monotonic() < deadline and not children:
            children = [c for c in psutil.Process(kg.pid).children() if "oxigraph" in " ".join(c.cmdline())]
            time.sleep(0.1)
        assert children, "kg serve never started oxigraph"
        kg.send_signal(sig)
        kg.wait(30)
        gone, alive = psutil.wait_procs(children, timeout=10)
        for p in alive:
            p.kill()
        assert not alive, "the oxigraph server outlived kg serve"
    finally:
        if kg.poll() is None:
            kg.kill()
            kg.wait()
    with ClaimStore.open(store_path) as store:  # a writer gets the store back
        assert store.stats()["claims"] > 0
