"""Uploading the store's graph to any SPARQL 1.1 Graph Store Protocol endpoint, in chunks, resumably.

What is sent: the store's default graph, i.e. the merge of every article graph and
the derived graphs (what every local query sees and what ``claims.ttl`` holds), to
one graph of the endpoint: ``?graph=IRI``, or ``?default``.  The per-article named
graphs are not sent (the Graph Store Protocol addresses one graph at a time).

How: the triples are serialised by pyoxigraph as N-Triples (one triple a line),
sorted (so that the chunks are the same on every run over the same content) and sent
``chunk_triples`` lines at a time with the standard library's ``urllib``.  The first
chunk of a fresh push is a ``PUT`` (it replaces the remote graph, so that after the
last chunk the remote graph equals the local one); the others are ``POST`` (add).
``append=True`` never ``PUT``\\ s: the triples are added to whatever the graph holds.

Resuming: after each acknowledged chunk a small JSON state file is written
atomically (default: beside the store, ``.<store name>.push-<hash of endpoint and
graph>.json``) with the endpoint, graph, the fingerprint of the content (triple count
and SHA-256 of the sorted N-Triples), the chunk size and how many chunks and triples
were acknowledged.  A push that fails (HTTP error, connection lost) raises
:class:`PushError` naming the URL, the status and the chunk; the next push to the
same endpoint and graph resumes after the last acknowledged triple when the store's
content is unchanged, and starts over (logging why) when it changed.  ``restart=True``
always starts over.  The state file is removed when a push completes.

Re-sending is safe: a chunk whose answer was lost may have been applied; sending it
again adds the same triples again, which changes nothing in an RDF graph -- as long
as there are no blank nodes (each request would mint new ones, and a blank node
split over two chunks would become two).  kg never writes blank nodes (every node
has an IRI), so a store that has some was written by other means: :func:`push`
refuses it with :class:`BlankNodePushError`.
"""

from __future__ import annotations

import base64
import hashlib
import http.client
import json
import logging
import math
import os
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator, Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from pyoxigraph import BlankNode, NamedNode, RdfFormat, Triple, serialize

from kg.errors import ExitCode, KgError
from kg.store import ClaimStore

log = logging.getLogger(__name__)

__all__ = [
    "DEFAULT_CHUNK_TRIPLES",
    "BlankNodePushError",
    "ChunkDone",
    "Content",
    "PushConnectionError",
    "PushError",
    "PushHTTPError",
    "PushReport",
    "graph_store_url",
    "default_state_path",
    "push",
    "sorted_ntriples",
]

#: triples per request (about 3 MB of kg's N-Triples, ~157 bytes a triple); 5,000 to 50,000
#: pushed equally fast to a local Oxigraph (benchmarks/sparql_server.py)
DEFAULT_CHUNK_TRIPLES = 20_000
STATE_VERSION = 1
CONTENT_TYPES = ("application/n-triples", "text/turtle")  # N-Triples is Turtle, for servers that want Turtle


class PushError(KgError):
    """A push failed; ``state_path`` (if any) says where the next push resumes."""

    exit_code = ExitCode.UNREACHABLE

    def __init__(self, message: str, *, url: str = "", chunk: int | None = None, chunks: int | None = None,
                 status: int | None = None, acknowledged: int = 0, state_path: Path | None = None) -> None:
        super().__init__(message)
        self.url = url
        self.chunk = chunk
        self.chunks = chunks
        self.status = status
        self.acknowledged = acknowledged
        self.state_path = state_path


class PushConnectionError(PushError):
    """The endpoint could not be reached (refused, unreachable, timed out, connection dropped)."""


class PushHTTPError(PushError):
    """The endpoint answered a chunk with an HTTP error status."""

    exit_code = ExitCode.REMOTE


class BlankNodePushError(PushError):
    """The store holds blank nodes, which a chunked, resumable upload would split or duplicate."""

    exit_code = ExitCode.USAGE


@dataclass(frozen=True)
class ChunkDone:
    """Passed to the ``progress`` callback after each acknowledged chunk."""

    chunk: int  # 1-based, over the whole push (resumed pushes continue the count)
    chunks: int
    method: str
    triples: int  # in this chunk
    triples_done: int  # acknowledged so far, over the whole push
    triples_total: int
    seconds: float  # for this chunk's request


@dataclass
class PushReport:
    endpoint: str
    graph: str | None  # None: the default graph
    url: str
    triples: int
    chunk_triples: int
    chunks: int
    chunks_sent: int
    chunks_skipped: int  # acknowledged by an earlier, interrupted push
    triples_sent: int
    seconds: float  # time spent sending (not reading the store)
    read_seconds: float  # reading, serialising and sorting the store's triples
    resumed: bool
    append: bool
    notes: list[str] = field(default_factory=list)

    @property
    def triples_per_second(self) -> float:
        return self.triples_sent / self.seconds if self.seconds > 0 else 0.0

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["triples_per_second"] = round(self.triples_per_second, 1)
        data["seconds"] = round(self.seconds, 3)
        data["read_seconds"] = round(self.read_seconds, 3)
        return data


# ----------------------------------------------------------------------------- URLs and state


def graph_store_url(endpoint: str, graph: str | None = None) -> str:
    """The Graph Store Protocol URL of one graph: ``ENDPOINT?graph=IRI`` or ``ENDPOINT?default``."""
    parts = urllib.parse.urlsplit(endpoint)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(f"{endpoint!r} is not an http(s) URL")
    if "@" in parts.netloc:
        raise ValueError("give the user name and password as auth (kg push --user), not in the URL")
    if graph is not None:
        try:
            NamedNode(graph)
        except ValueError as exc:
            raise ValueError(f"graph {graph!r} is not an IRI ({exc})") from None
        extra = urllib.parse.urlencode({"graph": graph})
    else:
        extra = "default"
    query = f"{parts.query}&{extra}" if parts.query else extra
    return urllib.parse.urlunsplit((parts.scheme, parts.netloc, parts.path, query, ""))


def default_state_path(store_path: Path | str, endpoint: str, graph: str | None) -> Path:
    """``<folder of the store>/.<store name>.push-<12 hex of sha256(endpoint, graph)>.json``
    (``.kg.push-….json`` for the default store ``.kg``: hidden, one dot)."""
    store_path = Path(store_path).absolute()
    key = hashlib.sha256(json.dumps([endpoint, graph]).encode("utf-8")).hexdigest()[:12]
    name = store_path.name if store_path.name.startswith(".") else "." + store_path.name
    return store_path.parent / f"{name}.push-{key}.json"


def _read_state(path: Path) -> dict[str, Any] | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as exc:
        log.warning("ignoring the unreadable push state %s: %s", path, exc)
        return None
    if not isinstance(data, dict) or data.get("version") != STATE_VERSION:
        log.warning("ignoring the push state %s: not a kg push state of version %d", path, STATE_VERSION)
        return None
    return data


def _write_state(path: Path, data: Mapping[str, Any]) -> None:
    """Write the state atomically (a temporary file in the same folder, then ``os.replace``)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=path.name + ".", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(data, f, indent=2, sort_keys=True)
            f.write("\n")
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


# ----------------------------------------------------------------------------- content


@dataclass(frozen=True)
class Content:
    """The store's default graph as the push sends it."""

    lines: list[bytes]  # N-Triples lines, sorted, without their newline
    fingerprint: str  # sha256:<hex> of the sorted lines
    blank_nodes: int  # triples with a blank node (kg writes none)


def _has_blank(term: Any) -> bool:
    if isinstance(term, BlankNode):
        return True
    if isinstance(term, Triple):  # RDF 1.2 triple terms
        return _has_blank(term.subject) or _has_blank(term.object)
    return False


def sorted_ntriples(store: ClaimStore) -> Content:
    """The store's default graph as sorted N-Triples lines, their fingerprint and its blank nodes.

    pyoxigraph serialises (one triple a line, as N-Triples guarantees); the lines are
    only split and sorted.  Blank nodes are counted on the way (no second pass).
    """
    blank = 0

    def counted() -> Iterator[Triple]:
        nonlocal blank
        for triple in store.triples():
            if _has_blank(triple.subject) or _has_blank(triple.object):
                blank += 1
            yield triple

    data = serialize(counted(), format=RdfFormat.N_TRIPLES)
    lines = data.split(b"\n")
    if lines and not lines[-1]:
        lines.pop()
    lines.sort()
    digest = hashlib.sha256()
    for line in lines:
        digest.update(line)
        digest.update(b"\n")
    return Content(lines, "sha256:" + digest.hexdigest(), blank)


# ----------------------------------------------------------------------------- HTTP


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """Redirects are errors: urllib would turn a redirected POST into a GET without the chunk
    (and report success)."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):  # type: ignore[no-untyped-def]
        return None


_OPENER = urllib.request.build_opener(_NoRedirect)


def _send(url: str, method: str, body: bytes, headers: Mapping[str, str], timeout: float) -> int:
    request = urllib.request.Request(url, data=body, method=method, headers=dict(headers))
    with _OPENER.open(request, timeout=timeout) as response:
        response.read()
        return int(response.status)


def _auth_headers(auth: tuple[str, str] | None) -> dict[str, str]:
    if auth is None:
        return {}
    token = base64.b64encode(f"{auth[0]}:{auth[1]}".encode("utf-8")).decode("ascii")
    return {"Authorization": f"Basic {token}"}


# ----------------------------------------------------------------------------- push


def push(
    store: ClaimStore,
    endpoint: str,
    graph: str | None = None,
    *,
    chunk_triples: int = DEFAULT_CHUNK_TRIPLES,
    append: bool = False,
    restart: bool = False,
    state_path: Path | str | None = None,
    auth: tuple[str, str] | None = None,
    headers: Mapping[str, str] | None = None,
    content_type: str = "application/n-triples",
    timeout: float = 300.0,
    progress: Callable[[ChunkDone], None] | None = None,
) -> PushReport:
    """Upload the store's default graph to the Graph Store Protocol ``endpoint`` (see the module doc).

    ``endpoint`` is the service URL (Oxigraph ``http://host:7878/store``, Fuseki
    ``http://host:3030/DATASET/data``, GraphDB ``http://host:7200/repositories/REPO/rdf-graphs/service``);
    ``graph`` the IRI of the remote graph (``None``: its default graph).  ``auth`` is
    ``(user, password)`` for HTTP basic authentication; ``headers`` are added to every
    request.  ``progress`` is called after each acknowledged chunk.

    Raises :class:`PushConnectionError` / :class:`PushHTTPError` (the state file then
    says where the next push resumes), :class:`BlankNodePushError`, and ``ValueError``
    for a bad URL, graph IRI or chunk size.
    """
    if chunk_triples < 1:
        raise ValueError(f"chunk_triples must be at least 1, got {chunk_triples}")
    if content_type not in CONTENT_TYPES:
        raise ValueError(f"content_type must be one of {', '.join(CONTENT_TYPES)}, got {content_type!r}")
    url = graph_store_url(endpoint, graph)
    state_file = Path(state_path) if state_path is not None else default_state_path(store.path, endpoint, graph)
    started = time.perf_counter()
    content = sorted_ntriples(store)
    read_seconds = time.perf_counter() - started
    if content.blank_nodes:
        raise BlankNodePushError(
            f"store {store.path} holds {content.blank_nodes} triples with blank nodes (kg never writes any, so "
            "something else did): a chunked, resumable upload would split them between requests and duplicate "
            "them when a chunk is sent again; export the store as Turtle (kg export) and load that file whole "
            "instead",
            url=url,
        )
    lines, fingerprint = content.lines, content.fingerprint
    total = len(lines)
    notes: list[str] = []

    def note(message: str) -> None:
        log.info("%s", message)
        notes.append(message)

    # where to start: after what an earlier push of the same content acknowledged
    offset = 0
    chunks_skipped = 0
    resumed = False
    previous = None if restart else _read_state(state_file)
    if restart and state_file.exists():
        note(f"--restart: ignoring the earlier push state {state_file}")
    if previous is not None:
        if previous.get("endpoint") != endpoint or previous.get("graph") != graph:
            note(f"the push state {state_file} is for another endpoint or graph: starting over")
        elif previous.get("fingerprint") != fingerprint or previous.get("triples") != total:
            note(f"the store changed since the interrupted push recorded in {state_file} "
                 f"({previous.get('triples')} -> {total} triples): starting over")
        elif bool(previous.get("append")) != append:
            note(f"the interrupted push was {'an append' if previous.get('append') else 'a replace'}, this one "
                 f"is {'an append' if append else 'a replace'}: starting over")
        else:
            offset = int(previous.get("triples_acknowledged", 0))
            chunks_skipped = int(previous.get("chunks_acknowledged", 0))
            if not 0 <= offset <= total:
                note(f"the push state {state_file} is inconsistent: starting over")
                offset, chunks_skipped = 0, 0
            else:
                resumed = offset > 0
                if resumed:
                    note(f"resuming the interrupted push: {chunks_skipped} chunks ({offset} of {total} triples) "
                         f"were acknowledged")
    remaining = total - offset
    todo = math.ceil(remaining / chunk_triples)
    if not append and offset == 0 and todo == 0:
        todo = 1  # an empty store: one empty PUT empties the remote graph
    chunks = chunks_skipped + todo

    request_headers = {"Content-Type": f"{content_type}; charset=utf-8" if content_type == "text/turtle"
                       else content_type, **_auth_headers(auth), **dict(headers or {})}
    state: dict[str, Any] = {
        "version": STATE_VERSION,
        "store": str(Path(store.path).absolute()),
        "endpoint": endpoint,
        "graph": graph,
        "url": url,
        "append": append,
        "fingerprint": fingerprint,
        "triples": total,
        "chunk_triples": chunk_triples,
        "chunks": chunks,
        "chunks_acknowledged": chunks_skipped,
        "triples_acknowledged": offset,
    }
    if offset == 0 and state_file.exists():
        state_file.unlink()  # a fresh start: an older state must not be resumed later

    sent_chunks = 0
    sent_triples = 0
    send_seconds = 0.0
    position = offset
    for index in range(chunks_skipped, chunks):
        batch = lines[position:position + chunk_triples]
        method = "PUT" if (index == 0 and not append) else "POST"
        body = b"\n".join(batch) + b"\n" if batch else b""
        t0 = time.perf_counter()
        try:
            status = _send(url, method, body, request_headers, timeout)
        except urllib.error.HTTPError as exc:
            detail = exc.read()[:300].decode("utf-8", "replace").strip()
            if 300 <= exc.code < 400:
                detail = f"redirected to {exc.headers.get('Location')}: give that URL as the endpoint"
            raise PushHTTPError(
                f"{method} {url} answered {exc.code} {exc.reason} for chunk {index + 1} of {chunks}"
                f"{': ' + detail if detail else ''}; {_where(index, position, total, state_file)}",
                url=url, chunk=index + 1, chunks=chunks, status=exc.code, acknowledged=index,
                state_path=state_file if index else None,
            ) from exc
        except (urllib.error.URLError, http.client.HTTPException, ConnectionError, TimeoutError, OSError) as exc:
            reason = getattr(exc, "reason", None) or exc
            raise PushConnectionError(
                f"{method} {url} failed for chunk {index + 1} of {chunks}: {reason}; "
                f"{_where(index, position, total, state_file)}",
                url=url, chunk=index + 1, chunks=chunks, acknowledged=index,
                state_path=state_file if index else None,
            ) from exc
        seconds = time.perf_counter() - t0
        send_seconds += seconds
        position += len(batch)
        sent_chunks += 1
        sent_triples += len(batch)
        state.update(chunks_acknowledged=index + 1, triples_acknowledged=position)
        if index + 1 < chunks:
            _write_state(state_file, state)
        log.debug("chunk %d/%d: %s %d triples -> %d in %.3f s", index + 1, chunks, method, len(batch), status, seconds)
        if progress is not None:
            progress(ChunkDone(chunk=index + 1, chunks=chunks, method=method, triples=len(batch),
                               triples_done=position, triples_total=total, seconds=seconds))
    try:
        state_file.unlink()
    except FileNotFoundError:
        pass
    return PushReport(
        endpoint=endpoint, graph=graph, url=url, triples=total, chunk_triples=chunk_triples, chunks=chunks,
        chunks_sent=sent_chunks, chunks_skipped=chunks_skipped, triples_sent=sent_triples, seconds=send_seconds,
        read_seconds=read_seconds, resumed=resumed, append=append, notes=notes,
    )


def _where(index: int, position: int, total: int, state_file: Path) -> str:
    if index == 0:
        return "nothing was acknowledged: run the push again"
    return (f"{index} chunks ({position} of {total} triples) were acknowledged; run the same push again "
            f"to resume (state: {state_file})")
