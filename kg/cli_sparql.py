"""``kg serve`` and ``kg push``: the store over HTTP (a thin layer over :mod:`kg.serve`).

Registered on :data:`kg.cli.main` by the import at the end of ``kg/cli.py``.

Exit codes, beyond kg's (0 success, 2 usage, 3 store missing or in use):
4 the ``oxigraph`` server binary is not installed; 5 the server could not start or
stopped by itself, or the endpoint could not be reached; 6 the endpoint answered
with an HTTP error (authentication, not found, too large, server error).
"""

from __future__ import annotations

import json
import os
import signal
import sys
from pathlib import Path
from types import FrameType

import click

from kg.cli import EXIT_MODEL, EXIT_STORE, _fail, _open_store, main, store_option

EXIT_MISSING = EXIT_MODEL  # a required program is not installed (here: oxigraph)
EXIT_NETWORK = 5
EXIT_HTTP = 6

#: where kg push --user reads the password from
PASSWORD_ENV = "KG_PUSH_PASSWORD"


# ----------------------------------------------------------------------------- serve
class _Stop(Exception):
    """SIGTERM: stop the server as Ctrl-C does."""


def _on_sigterm(signum: int, frame: FrameType | None) -> None:
    raise _Stop()


@main.command()
@store_option
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on. WARNING: the endpoint has no authentication; anything but a "
                   "loopback address lets whoever reaches it query the whole store (and change it with --writable).")
@click.option("--port", type=click.IntRange(0, 65535), default=7878, show_default=True,
              help="TCP port (0: any free port; the URLs printed say which).")
@click.option("--writable", is_flag=True,
              help="Serve read-write (oxigraph serve): also /update and writes through /store. Writes bypass "
                   "kg's bookkeeping (the merged default graph, article hashes): for a scratch copy only.")
@click.option("--query-timeout", type=click.FloatRange(min=1), default=None, metavar="SECONDS",
              help="Stop any query that runs longer (Oxigraph's --timeout-s).")
@click.option("--cors", is_flag=True, help="Allow cross-origin requests (browser SPARQL editors on other origins).")
@click.option("--allow-service", is_flag=True,
              help="Let SERVICE clauses make the server query the endpoints they name (federation). Off by "
                   "default: a query can then make the server fetch any URL (server-side request forgery).")
@click.option("--allow-host", "allowed_hosts", multiple=True, metavar="NAME",
              help="Also answer requests whose Host header is NAME (repeatable). By default only IP addresses "
                   "and localhost are answered, which stops DNS-rebinding pages reaching the server.")
def serve(store_path: Path, host: str, port: int, writable: bool, query_timeout: float | None, cors: bool,
          allow_service: bool, allowed_hosts: tuple[str, ...]) -> None:
    """Serve the store over the SPARQL 1.1 Protocol until Ctrl-C (the oxigraph server binary).

    Endpoints: /query (SPARQL 1.1 queries, GET or POST), /store (Graph Store
    Protocol: GET ?default or ?graph=IRI) and, with --writable, /update. The
    default graph is the merge of every article's graph (what 'kg sparql' sees);
    GRAPH ?g reaches each article's own graph. Unlike 'kg sparql', no prefixes are
    predeclared: queries bring their own PREFIX lines.

    Requests naming another Host than an IP address, localhost or --allow-host, and
    queries with a SERVICE clause (unless --allow-service), are refused (403).

    Read-only by default: updates and Graph Store writes are refused (403). A store
    that a kg writer holds (kg ingest, kg build, kg resolve, kg detect) is refused
    (exit 3), and while it is served kg writers are refused too (exit 3: "in use by
    another kg process"); readers (kg claims, kg sparql, ...) keep working. With
    --writable the server itself holds the store's lock.

    \b
    Examples:
      kg serve --store wikinews.kg                  # http://127.0.0.1:7878/query
      curl -H 'Accept: text/csv' --data-urlencode 'query=SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }' \\
           http://127.0.0.1:7878/query
    """
    from kg.serve import OxigraphNotFoundError, ServerError, SparqlServer
    from kg.store import StoreError

    if not store_path.exists():
        _fail(f"no store at {store_path} (create one with: kg ingest PATH... --store {store_path})", EXIT_STORE)
    server = SparqlServer(store_path, host=host, port=port, writable=writable, query_timeout=query_timeout, cors=cors,
                          allow_service=allow_service, allowed_hosts=allowed_hosts)
    previous = signal.signal(signal.SIGTERM, _on_sigterm)
    try:
        try:
            server.start()
        except StoreError as exc:
            _fail(f"{exc}; stop the writer first (kg serve would read a store being written)", EXIT_STORE)
        except OxigraphNotFoundError as exc:
            _fail(str(exc), EXIT_MISSING)
        except ServerError as exc:
            _fail(str(exc), EXIT_NETWORK)
        mode = "read-write" if writable else "read-only"
        click.echo(f"kg: serving {store_path} {mode} at {server.base_url} (Ctrl-C to stop)", err=True)
        click.echo(f"  SPARQL query:  {server.query_url}", err=True)
        if server.update_url:
            click.echo(f"  SPARQL update: {server.update_url}", err=True)
        click.echo(f"  Graph Store:   {server.store_url}{'' if writable else ' (read only)'}", err=True)
        if not writable:
            click.echo("  kg writers are refused while it runs", err=True)
        code = server.wait()
        _fail(f"the oxigraph server stopped by itself (exit code {code}): "
              f"{server.stderr_text().strip() or 'nothing on stderr'}", EXIT_NETWORK)
    except (KeyboardInterrupt, _Stop):
        click.echo("kg: stopping the server", err=True)
    finally:
        server.stop()
        signal.signal(signal.SIGTERM, previous)


# ----------------------------------------------------------------------------- push
class _PushProgress:
    """One line on a terminal's stderr, updated after each chunk; silent in pipes and CI."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self.shown = False

    def __call__(self, done) -> None:
        if self.enabled:
            self.shown = True
            click.echo(f"\rchunk {done.chunk}/{done.chunks}: {done.triples_done:,} of {done.triples_total:,} "
                       f"triples\033[K", err=True, nl=False)

    def done(self) -> None:
        if self.shown:
            click.echo("", err=True)


@main.command()
@click.option("--endpoint", required=True, metavar="URL",
              help="Graph Store Protocol endpoint: Oxigraph http://HOST:7878/store, Fuseki "
                   "http://HOST:3030/DATASET/data, GraphDB http://HOST:7200/repositories/REPO/rdf-graphs/service.")
@click.option("--graph", default=None, metavar="IRI", help="The remote graph to fill (default: its default graph).")
@click.option("--chunk-size", type=click.IntRange(min=1), default=None, metavar="N",
              help="Triples per request (default 20000, about 3 MB).")
@click.option("--append", is_flag=True, help="Add to what the remote graph holds (POST only) instead of replacing it.")
@click.option("--restart", is_flag=True, help="Start over, ignoring an interrupted push's progress.")
@click.option("--state", "state_path", type=click.Path(dir_okay=False, path_type=Path), default=None, metavar="FILE",
              help="Where progress is kept (default: beside the store, .STORE.push-HASH.json).")
@click.option("--user", default=None, metavar="NAME",
              help=f"HTTP basic authentication user; the password comes from ${PASSWORD_ENV} (or is asked on a terminal).")
@click.option("--content-type", type=click.Choice(["application/n-triples", "text/turtle"]),
              default="application/n-triples", show_default=True,
              help="How chunks are labelled (N-Triples is valid Turtle, for servers that only take Turtle).")
@click.option("--timeout", type=click.FloatRange(min=1), default=300, show_default=True, metavar="SECONDS",
              help="Per-request timeout.")
@click.option("--format", "fmt_out", type=click.Choice(["text", "json"]), default="text", show_default=True)
@store_option
def push(endpoint: str, graph: str | None, chunk_size: int | None, append: bool, restart: bool,
         state_path: Path | None, user: str | None, content_type: str, timeout: float, fmt_out: str,
         store_path: Path) -> None:
    """Upload the store's graph to a SPARQL 1.1 Graph Store Protocol endpoint, in chunks, resumable.

    Sends the merged graph of all articles (what local queries see; 'kg export'
    writes the same triples to claims.ttl) as sorted N-Triples chunks. The first
    chunk replaces the remote graph (PUT), the rest add to it (POST), so that the
    remote graph ends equal to the local one; --append only adds. If a push fails
    (network, HTTP error), the same command again resumes after the last chunk the
    endpoint acknowledged, unless the store changed meanwhile (then it starts over).

    Exit codes: 0 done; 2 bad usage; 3 no store; 5 the endpoint could not be
    reached; 6 the endpoint answered with an error (the message names the URL,
    the status and the chunk).

    \b
    Examples:
      kg push --endpoint http://127.0.0.1:7878/store --graph https://example.org/claims
      KG_PUSH_PASSWORD=secret kg push --user admin --endpoint http://localhost:3030/ds/data
      kg push --endpoint http://localhost:7200/repositories/claims/rdf-graphs/service --chunk-size 20000
    """
    from kg.serve.push import (
        DEFAULT_CHUNK_TRIPLES,
        BlankNodePushError,
        PushConnectionError,
        PushError,
        graph_store_url,
    )
    from kg.serve.push import push as run_push

    try:
        graph_store_url(endpoint, graph)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--graph" if str(exc).startswith("graph ") else "--endpoint")
    auth = None
    if user is not None:
        password = os.environ.get(PASSWORD_ENV)
        if password is None:
            if not sys.stdin.isatty():
                raise click.UsageError(f"--user {user}: set the password in ${PASSWORD_ENV}")
            password = click.prompt(f"password for {user}", hide_input=True, err=True)
        auth = (user, password)
    progress = _PushProgress(sys.stderr.isatty())
    with _open_store(store_path, read_only=True) as store:
        try:
            report = run_push(store, endpoint, graph, chunk_triples=chunk_size or DEFAULT_CHUNK_TRIPLES, append=append,
                              restart=restart, state_path=state_path, auth=auth, content_type=content_type,
                              timeout=timeout, progress=progress)
        except BlankNodePushError as exc:
            progress.done()
            _fail(str(exc), 2)
        except PushConnectionError as exc:
            progress.done()
            _fail(str(exc), EXIT_NETWORK)
        except PushError as exc:
            progress.done()
            _fail(str(exc), EXIT_HTTP)
        except KeyboardInterrupt:
            progress.done()
            _fail("interrupted; run the same command again to resume after the last acknowledged chunk", 130)
    progress.done()
    if fmt_out == "json":
        click.echo(json.dumps(report.to_json(), ensure_ascii=False, indent=2))
        return
    for note in report.notes:
        click.echo(f"kg: {note}", err=True)
    target = f"graph <{graph}>" if graph else "the default graph"
    skipped = f", {report.chunks_skipped} skipped (sent before)" if report.chunks_skipped else ""
    click.echo(f"pushed {report.triples_sent:,} of {report.triples:,} triples to {target} of {endpoint}: "
               f"{report.chunks_sent} chunks sent{skipped}; read in {report.read_seconds:.2f} s, sent in "
               f"{report.seconds:.2f} s ({report.triples_per_second:,.0f} triples/s)")
