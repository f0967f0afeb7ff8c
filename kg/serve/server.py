"""A real SPARQL 1.1 server over a kg store: the ``oxigraph`` server binary, run as a child process.

``SparqlServer(store_path)`` starts ``oxigraph serve-read-only --location STORE
--bind HOST:PORT`` (``writable=True``: ``oxigraph serve``, which also answers
``/update`` and writes through ``/store``), waits until the endpoint answers a
query, and stops it on :meth:`SparqlServer.stop` (or at the end of a ``with``).
Nothing here speaks HTTP to clients: Oxigraph implements the SPARQL 1.1 Protocol
(``/query``, ``/update``) and the Graph Store Protocol (``/store``).

What the server sees: the store's default graph is the merge of every article's
graph (see :mod:`kg.store.oxigraph_store`), so a query without ``GRAPH`` gets
what ``kg sparql`` gets; ``GRAPH ?g`` reaches each article's own graph.

Read-only serving and kg writers: Oxigraph's read-only mode takes no lock and a
write to the store while it is served is undefined behaviour.  So a read-only
server refuses a store that a kg writer holds (:class:`kg.store.StoreLockedError`)
and, while it runs, holds RocksDB's lock itself (:class:`kg.serve.lock.WriterLock`)
so that a kg writer started meanwhile is refused too (exit code 3).  A writable
server needs no help: ``oxigraph serve`` takes RocksDB's lock.  Writes through a
writable server bypass kg's bookkeeping (the merged default graph, the content
hashes of articles): serve a kg store writable only as a scratch copy, or to push
into (see :mod:`kg.serve.push`).

The endpoint has no authentication: it binds loopback (127.0.0.1) unless told
otherwise.  Clients never talk to Oxigraph directly: it listens on a private loopback
port behind :class:`kg.serve.guard.GuardedProxy`, which refuses ``SERVICE`` clauses
(no request to another endpoint unless ``allow_service``) and ``Host`` names other
than IP addresses, ``localhost`` and ``allowed_hosts`` (DNS rebinding).  The Oxigraph
child dies with the process that started it (``PR_SET_PDEATHSIG`` on Linux), so a
killed ``kg serve`` never leaves a server behind holding the port and the store.
"""

from __future__ import annotations

import ctypes
import ipaddress
import logging
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import IO

from kg.errors import ExitCode, KgError
from kg.serve.binary import find_oxigraph
from kg.serve.guard import GuardedProxy
from kg.serve.lock import WriterLock
from kg.store import ClaimStore, StoreError, StoreLockedError

log = logging.getLogger(__name__)

__all__ = ["DEFAULT_HOST", "DEFAULT_PORT", "ServerError", "ServerStartError", "SparqlServer", "free_port",
           "is_loopback"]

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 7878


class ServerError(KgError):
    """The SPARQL server could not be started, or stopped unexpectedly."""

    exit_code = ExitCode.UNREACHABLE


class ServerStartError(ServerError):
    """The server exited, or did not answer, while starting; the message quotes its stderr."""


#: no proxy for the readiness probe, whatever $http_proxy says: the server is ours
_LOCAL = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def is_loopback(host: str) -> bool:
    """Whether ``host`` only accepts local connections (``localhost``, 127.0.0.0/8, ``::1``)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def free_port(host: str = DEFAULT_HOST) -> int:
    """A TCP port that is free on ``host`` right now (another process may take it before you do)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return int(s.getsockname()[1])


def _port_taken(host: str, port: int) -> bool:
    """Whether something listens on ``host:port`` already (the readiness probe would reach it, not us)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the server does: TIME_WAIT is no obstacle
        try:
            s.bind((host or DEFAULT_HOST, port))
        except OSError:
            return True
    return False


def _url_host(host: str) -> str:
    """The host to put in URLs: a wildcard bind is reached through loopback; IPv6 goes in brackets."""
    if host in ("", "0.0.0.0"):
        return "127.0.0.1"
    if host == "::":
        return "[::1]"
    return f"[{host}]" if ":" in host else host


_PR_SET_PDEATHSIG = 1


def die_with_parent(sig: int = signal.SIGTERM):
    """A ``preexec_fn`` that makes a child process get ``sig`` when the process that started it dies.

    Linux's ``prctl(PR_SET_PDEATHSIG)``; elsewhere ``None`` (no such guarantee).  The
    signal comes when the *thread* that started the child ends, so start children
    from a thread that lives as long as the process (the main thread).  A parent
    that died before the child got here is caught by comparing ``getppid``.
    """
    if not sys.platform.startswith("linux"):
        return None
    parent = os.getpid()
    try:
        libc = ctypes.CDLL(None, use_errno=True)
    except OSError:
        return None

    def preexec() -> None:
        libc.prctl(_PR_SET_PDEATHSIG, int(sig), 0, 0, 0)
        if os.getppid() != parent:
            os._exit(1)

    return preexec


def _error_lines(stderr: str) -> str:
    """Oxigraph's error without the Rust backtrace that may follow it."""
    text = stderr.split("Stack backtrace:", 1)[0].strip()
    return text or "(nothing on stderr)"


class SparqlServer:
    """``oxigraph serve-read-only`` (or ``serve``) over a store directory, as a context manager.

    ``location`` is the store folder (``None`` with ``writable=True``: an empty
    in-memory store).  ``port=0`` picks a free port.  After :meth:`start`,
    :attr:`query_url`, :attr:`update_url` (``None`` when read-only) and
    :attr:`store_url` (the Graph Store Protocol endpoint; read-only servers answer
    its GETs only) are set.  ``startup_timeout`` bounds the wait for the first
    answer; ``query_timeout`` (seconds) is Oxigraph's per-query limit.
    """

    def __init__(
        self,
        location: Path | str | None,
        *,
        host: str = DEFAULT_HOST,
        port: int = DEFAULT_PORT,
        writable: bool = False,
        binary: Path | str | None = None,
        startup_timeout: float = 30.0,
        query_timeout: float | None = None,
        cors: bool = False,
        allow_service: bool = False,
        allowed_hosts: tuple[str, ...] = (),
    ) -> None:
        if location is None and not writable:
            raise ValueError("a read-only server needs a store location")
        self.location = Path(location) if location is not None else None
        self.host = host
        self.port = port
        self.writable = writable
        self.binary = binary
        self.startup_timeout = startup_timeout
        self.query_timeout = query_timeout
        self.cors = cors
        self.allow_service = allow_service
        self.allowed_hosts = allowed_hosts
        self.process: subprocess.Popen[bytes] | None = None
        self.upstream_port: int | None = None  # where Oxigraph itself listens (loopback, behind the guard)
        self._guard: GuardedProxy | None = None
        self._stderr: IO[bytes] | None = None
        self._lock: WriterLock | None = None

    # ------------------------------------------------------------------ URLs

    @property
    def base_url(self) -> str:
        return f"http://{_url_host(self.host)}:{self.port}"

    @property
    def query_url(self) -> str:
        """The SPARQL 1.1 Protocol query endpoint."""
        return f"{self.base_url}/query"

    @property
    def update_url(self) -> str | None:
        """The SPARQL 1.1 Protocol update endpoint (``None`` when read-only)."""
        return f"{self.base_url}/update" if self.writable else None

    @property
    def store_url(self) -> str:
        """The SPARQL 1.1 Graph Store Protocol endpoint (``?default`` or ``?graph=IRI``)."""
        return f"{self.base_url}/store"

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def stderr_text(self) -> str:
        """What the server wrote on stderr so far."""
        if self._stderr is None:
            return ""
        self._stderr.flush()
        self._stderr.seek(0)
        text = self._stderr.read().decode("utf-8", "replace")
        self._stderr.seek(0, os.SEEK_END)
        return text

    # ------------------------------------------------------------------ lifecycle

    def start(self) -> SparqlServer:
        """Start the server and wait until it answers a query.

        Raises :class:`kg.store.StoreError` (missing store),
        :class:`kg.store.StoreLockedError` (a writer holds it),
        :class:`kg.serve.binary.OxigraphNotFoundError` and :class:`ServerStartError`.
        """
        if self.process is not None:
            raise ServerError("the server is already started")
        binary = find_oxigraph(self.binary)
        if self.location is not None and not self.writable:
            self._keep_writers_out(self.location)
        elif self.location is not None and (self.location / "LOCK").exists():
            WriterLock(self.location).acquire().release()  # StoreLockedError if a writer holds it
        if not is_loopback(self.host):
            log.warning("serving on %s: the SPARQL endpoint has no authentication; anyone who can reach "
                        "this address can query it%s", self.host, " and change it" if self.writable else "")
        requested = self.port  # 0 the first time: a free port, kept by later restarts
        try:
            if requested != 0 and _port_taken(self.host, requested):
                raise ServerStartError(f"{self.host}:{requested} is already in use (another server?): "
                                       "choose another port (0: any free one)")
            for attempt in range(3):
                try:
                    self._spawn(binary, free_port(DEFAULT_HOST))
                    self._wait_ready()
                    break
                except ServerStartError as exc:
                    if attempt < 2 and "Address already in use" in str(exc):
                        continue  # the free port was taken meanwhile
                    raise
            try:
                self._guard = GuardedProxy(self.host, requested, (DEFAULT_HOST, self.upstream_port or 0),
                                           allow_service=self.allow_service, allowed_hosts=self.allowed_hosts,
                                           cors=self.cors, timeout=self.query_timeout).start()
            except OSError as exc:
                raise ServerStartError(f"cannot listen on {self.host}:{requested}: {exc.strerror or exc}") from exc
            self.port = self._guard.port
        except BaseException:
            self.stop()
            raise
        log.info("SPARQL server (%s) on %s for %s", "read-write" if self.writable else "read-only",
                 self.base_url, self.location or "an in-memory store")
        return self

    def _keep_writers_out(self, location: Path) -> None:
        if not location.is_dir():
            raise StoreError(f"store {location} does not exist")
        # A kg writer holds RocksDB's lock: opening read-write says so (StoreLockedError) ...
        ClaimStore.open(location).close()
        # ... then hold that lock ourselves while the server reads (a writer that got in
        # between the two steps makes this raise StoreLockedError as well).
        self._lock = WriterLock(location).acquire()

    def _spawn(self, binary: Path, port: int) -> None:
        self.upstream_port = port
        command = [str(binary), "serve" if self.writable else "serve-read-only"]
        if self.location is not None:
            command += ["--location", str(self.location)]
        command += ["--bind", f"{DEFAULT_HOST}:{port}"]
        if self.query_timeout is not None:
            command += ["--timeout-s", str(max(1, round(self.query_timeout)))]
        if self.cors:
            command.append("--cors")
        if self._stderr is not None:
            self._stderr.close()
        self._stderr = tempfile.TemporaryFile(prefix="kg-oxigraph-", suffix=".log")
        env = {**os.environ, "RUST_BACKTRACE": "0"}
        log.debug("starting %s", " ".join(command))
        self.process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=self._stderr,
                                        stderr=self._stderr, env=env, process_group=0,
                                        preexec_fn=die_with_parent(signal.SIGTERM))

    def _wait_ready(self) -> None:
        assert self.process is not None
        probe = f"http://{DEFAULT_HOST}:{self.upstream_port}/query?{urllib.parse.urlencode({'query': 'ASK {}'})}"
        deadline = time.monotonic() + self.startup_timeout
        delay = 0.02
        while True:
            code = self.process.poll()
            if code is not None:
                self.process = None
                message = _error_lines(self.stderr_text())
                if "LOCK" in message and ("temporarily unavailable" in message or "lock hold" in message):
                    raise StoreLockedError(f"store {self.location} is in use by another kg process")
                raise ServerStartError(f"the oxigraph server exited with code {code} while starting "
                                       f"on {DEFAULT_HOST}:{self.upstream_port}: {message}")
            try:
                request = urllib.request.Request(probe, headers={"Accept": "application/sparql-results+json"})
                with _LOCAL.open(request, timeout=2) as response:
                    response.read()
                if self.process.poll() is None:
                    return
                continue  # it exited meanwhile: whatever answered was not our server
            except urllib.error.HTTPError:
                if self.process.poll() is None:
                    return  # it answers (with an error, but the server is up)
                continue
            except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
                pass
            if time.monotonic() > deadline:
                raise ServerStartError(f"the oxigraph server did not answer on {self.base_url} within "
                                       f"{self.startup_timeout:g} s; its stderr: {_error_lines(self.stderr_text())}")
            time.sleep(delay)
            delay = min(delay * 1.5, 0.25)

    def wait(self, timeout: float | None = None) -> int | None:
        """Block until the server exits (or ``timeout`` passes); its exit code, or ``None``."""
        if self.process is None:
            return None
        try:
            return self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            return None

    def stop(self, timeout: float = 10.0) -> None:
        """Stop the server (SIGTERM, then SIGKILL after ``timeout`` s) and release the store.  Idempotent."""
        process, self.process = self.process, None
        guard, self._guard = self._guard, None
        try:
            if guard is not None:
                guard.stop()
            if process is not None and process.poll() is None:
                process.terminate()
                try:
                    process.wait(timeout)
                except subprocess.TimeoutExpired:
                    log.warning("the oxigraph server (pid %d) did not stop in %g s: killing it", process.pid, timeout)
                    process.kill()
                    process.wait()
                log.info("SPARQL server on %s stopped", self.base_url)
        finally:
            if self._lock is not None:
                self._lock.release()
                self._lock = None
            if self._stderr is not None:
                self._stderr.close()
                self._stderr = None

    def __enter__(self) -> SparqlServer:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def __repr__(self) -> str:
        state = "running" if self.running else "stopped"
        mode = "read-write" if self.writable else "read-only"
        return f"<SparqlServer {self.base_url} {mode} {self.location or '(memory)'} {state}>"
