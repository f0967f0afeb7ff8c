"""kg over HTTP: a real SPARQL 1.1 server on the store, and uploads to any Graph Store Protocol endpoint.

- :class:`SparqlServer` (:mod:`kg.serve.server`): the ``oxigraph`` server binary serving
  the store folder, read-only by default (``kg serve``);
- :func:`push` (:mod:`kg.serve.push`): the store's graph to a Graph Store Protocol
  endpoint in chunks, resumable (``kg push``);
- :mod:`kg.serve.remote`: the canned queries over an endpoint, with the embedded store's rows.
"""

from kg.serve.binary import OxigraphNotFoundError, find_oxigraph
from kg.serve.push import (
    BlankNodePushError,
    ChunkDone,
    PushConnectionError,
    PushError,
    PushHTTPError,
    PushReport,
    push,
)
from kg.serve.server import ServerError, ServerStartError, SparqlServer

__all__ = [
    "BlankNodePushError",
    "ChunkDone",
    "OxigraphNotFoundError",
    "PushConnectionError",
    "PushError",
    "PushHTTPError",
    "PushReport",
    "ServerError",
    "ServerStartError",
    "SparqlServer",
    "find_oxigraph",
    "push",
]
