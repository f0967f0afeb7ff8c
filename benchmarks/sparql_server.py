#!/usr/bin/env python
"""kg over HTTP: push throughput to a Graph Store endpoint, and query latency served vs embedded.

On a store of realistic size (default: the 295 Wikinews articles of
``../shared/corpora/wikinews.jsonl``, ingested with ``kg ingest`` into a temporary
folder first, about a minute; or ``--store PATH`` of an existing store):

* push: ``kg.serve.push`` of the store's merged graph to a fresh, writable
  ``oxigraph serve`` on loopback (on disk, as a real server keeps it, and in
  memory), for several chunk sizes, ``--rounds`` times each, medians.  Reading
  (serialising and sorting the triples, once per push) is timed apart from sending;
  triples/s is for sending, and end to end.  Every push is checked: the remote graph
  has the local triple count.
* queries: the canned queries (and a COUNT) run ``--runs`` times each, interleaved,
  on the embedded store (``kg.query.canned.run_query`` on a read-only
  ``ClaimStore``) and over HTTP on ``kg serve``'s server (``oxigraph
  serve-read-only`` on the same folder) with the stdlib client
  (``kg.serve.remote.run_remote_query``) and with SPARQLWrapper; both include
  turning results into Python rows, and the rows are checked to be equal.  Medians
  and the HTTP / embedded ratio are printed.

Nothing asserts on timings.  The machine is shared: the load average is printed
before and after.

    .venv/bin/python benchmarks/sparql_server.py                      # ~3 min (1 of them ingesting)
    .venv/bin/python benchmarks/sparql_server.py --store /tmp/wikinews.kg --rounds 5 --runs 30
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from SPARQLWrapper import JSON, POST, SPARQLWrapper  # noqa: E402

from kg.query.canned import run_query  # noqa: E402
from kg.serve import SparqlServer, push  # noqa: E402
from kg.serve.remote import canned_query_text, rows_from_json, run_remote_query, select  # noqa: E402
from kg.store import ClaimStore  # noqa: E402

CORPUS = ROOT.parent / "shared" / "corpora" / "wikinews.jsonl"
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"


def _load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f} {five:.2f} {fifteen:.2f}"


def _build(store: Path) -> None:
    print(f"building {store} from {CORPUS} with kg ingest ...", flush=True)
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-m", "kg", "ingest", str(CORPUS), "--store", str(store)], check=True)
    print(f"built in {time.perf_counter() - t0:.1f} s", flush=True)


def _remote_count(server: SparqlServer) -> int:
    return int(select(server.query_url, COUNT)[0]["n"])


def bench_push(store_path: Path, chunk_sizes: list[int], rounds: int, tmp: Path) -> list[dict]:
    results = []
    with ClaimStore.open(store_path, read_only=True) as store:
        local = store.count_triples()
        for target in ("disk", "memory"):
            for size in chunk_sizes:
                send, total, reads, chunks = [], [], [], 0
                for r in range(rounds):
                    location = tmp / f"remote-{target}-{size}-{r}" if target == "disk" else None
                    with SparqlServer(location, writable=True, port=0) as server:
                        t0 = time.perf_counter()
                        report = push(store, server.store_url, None, chunk_triples=size,
                                      state_path=tmp / "push-state.json")
                        total.append(time.perf_counter() - t0)
                        assert _remote_count(server) == local == report.triples_sent, "remote != local"
                    send.append(report.seconds)
                    reads.append(report.read_seconds)
                    chunks = report.chunks
                results.append({"target": target, "chunk": size, "chunks": chunks, "triples": local,
                                "read": statistics.median(reads), "send": statistics.median(send),
                                "total": statistics.median(total)})
                row = results[-1]
                print(f"  push {target:6s} chunk {size:>7,}: {chunks:3d} chunks, send {row['send']:.2f} s "
                      f"({local / row['send']:,.0f} triples/s), read {row['read']:.2f} s, "
                      f"end to end {row['total']:.2f} s", flush=True)
    return results


def _sparqlwrapper_rows(query_url: str, sparql: str, drop: set[str]) -> list[dict]:
    client = SPARQLWrapper(query_url)
    client.setMethod(POST)
    client.setReturnFormat(JSON)
    client.setQuery(sparql)
    rows = rows_from_json(client.query().convert())
    return [{k: v for k, v in row.items() if k not in drop} for row in rows]


def _calls(store: ClaimStore) -> list[tuple[str, dict[str, str]]]:
    top_claimant = store.query(
        "SELECT ?name (COUNT(?c) AS ?n) WHERE { ?c prov:wasAttributedTo ?e . ?e a kg:Entity ; schema:name ?name "
        "FILTER(CONTAINS(?name, ' ')) } GROUP BY ?name ORDER BY DESC(?n) ?name LIMIT 1")[0]["name"]  # a full name
    top_entity = store.query(
        "SELECT ?name (COUNT(?c) AS ?n) WHERE { ?c schema:mentions ?e . ?e schema:name ?name } "
        "GROUP BY ?name ORDER BY DESC(?n) ?name LIMIT 1")[0]["name"]
    claim = run_query(store, "who-claimed-what-when")[0]["claim"]
    return [
        ("count", {}),
        ("who-claimed-what-when", {}),
        ("claims-by", {"claimant": top_claimant}),
        ("claims-about", {"entity": top_entity}),
        ("contradictions", {}),
        ("provenance", {"claim": claim}),
        ("quoted-by-outlet", {}),
    ]


def bench_queries(store_path: Path, runs: int) -> list[dict]:
    results = []
    with ClaimStore.open(store_path, read_only=True) as store, SparqlServer(store_path, port=0) as server:
        for name, params in _calls(store):
            if name == "count":
                embedded = lambda: store.query(COUNT)  # noqa: E731
                stdlib = lambda: select(server.query_url, COUNT)  # noqa: E731
                wrapper = lambda: _sparqlwrapper_rows(server.query_url, COUNT, set())  # noqa: E731
            else:
                text = canned_query_text(name, params)
                embedded = lambda n=name, p=params: run_query(store, n, p)  # noqa: E731
                stdlib = lambda n=name, p=params: run_remote_query(server.query_url, n, p, timeout=600)  # noqa: E731
                wrapper = lambda t=text, p=params: _sparqlwrapper_rows(server.query_url, t, set(p))  # noqa: E731
            expected = embedded()
            assert stdlib() == expected and wrapper() == expected, f"{name}: served rows differ"
            times: dict[str, list[float]] = {"embedded": [], "http": [], "sparqlwrapper": []}
            for _ in range(runs):
                for label, fn in (("embedded", embedded), ("http", stdlib), ("sparqlwrapper", wrapper)):
                    t0 = time.perf_counter()
                    fn()
                    times[label].append(time.perf_counter() - t0)
            row = {"query": name if not params else f"{name} ({', '.join(params.values())[:24]})",
                   "rows": len(expected), **{k: statistics.median(v) for k, v in times.items()}}
            results.append(row)
            print(f"  {row['query']:40s} {row['rows']:6d} rows: embedded {row['embedded'] * 1000:8.1f} ms, "
                  f"http {row['http'] * 1000:8.1f} ms, sparqlwrapper {row['sparqlwrapper'] * 1000:8.1f} ms",
                  flush=True)
    return results


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--store", type=Path, help="an existing kg store (default: ingest the Wikinews corpus first)")
    ap.add_argument("--chunk-sizes", default="5000,20000,50000", help="comma-separated triples per request")
    ap.add_argument("--rounds", type=int, default=3, help="pushes per chunk size and target (median)")
    ap.add_argument("--runs", type=int, default=15, help="runs per query and client (median)")
    args = ap.parse_args()

    with tempfile.TemporaryDirectory(prefix="kg-sparql-bench-") as tmp_name:
        tmp = Path(tmp_name)
        store_path = args.store
        if store_path is None:
            store_path = tmp / "wikinews.kg"
            _build(store_path)
        with ClaimStore.open(store_path, read_only=True) as store:
            stats = store.stats()
        print(f"machine: nproc={os.cpu_count()}, {platform.machine()}, {platform.system()} {platform.release()}, "
              f"CPython {platform.python_version()}, pyoxigraph {metadata.version('pyoxigraph')}, "
              f"oxigraph server {metadata.version('oxigraph')}, SPARQLWrapper {metadata.version('SPARQLWrapper')}")
        print(f"store: {store_path} ({stats['triples']:,} triples, {stats['articles']} articles, "
              f"{stats['claims']:,} claims)")
        print(f"load average before: {_load()}")
        sizes = [int(s) for s in args.chunk_sizes.split(",")]
        print(f"\npush (median of {args.rounds}):", flush=True)
        pushes = bench_push(store_path, sizes, args.rounds, tmp)
        print(f"\nqueries (median of {args.runs}, interleaved):", flush=True)
        queries = bench_queries(store_path, args.runs)
        print(f"load average after: {_load()}")

    print("\n" + f"{'push target':12s} {'chunk':>8s} {'chunks':>6s} {'read s':>7s} {'send s':>7s} "
          f"{'send triples/s':>15s} {'end-to-end triples/s':>21s}")
    for r in pushes:
        print(f"{r['target']:12s} {r['chunk']:>8,} {r['chunks']:>6d} {r['read']:>7.2f} {r['send']:>7.2f} "
              f"{r['triples'] / r['send']:>15,.0f} {r['triples'] / r['total']:>21,.0f}")
    print("\n" + f"{'query':40s} {'rows':>6s} {'embedded':>9s} {'HTTP':>9s} {'SPARQLWr.':>9s} "
          f"{'HTTP/emb':>8s} {'SPW/emb':>8s}")
    for r in queries:
        print(f"{r['query']:40s} {r['rows']:>6d} {r['embedded'] * 1000:>7.1f}ms {r['http'] * 1000:>7.1f}ms "
              f"{r['sparqlwrapper'] * 1000:>7.1f}ms {r['http'] / r['embedded']:>7.1f}x "
              f"{r['sparqlwrapper'] / r['embedded']:>7.1f}x")


if __name__ == "__main__":
    main()
