"""The front door of ``kg serve``: checks each request, then passes it to the Oxigraph server behind it.

The ``oxigraph`` binary answers SPARQL well but takes every request it gets: a query
with ``SERVICE <http://...>`` makes it fetch that URL (a read-only endpoint turned
into a way to reach other machines), and it answers whatever ``Host`` a request names
(so a web page on another site can reach a loopback server through DNS rebinding).
:class:`GuardedProxy` listens where the user asked, lets Oxigraph listen on a private
loopback port, and refuses

- a query or update with a ``SERVICE`` clause, unless federation was allowed (403);
- a ``Host`` that is neither an IP address, ``localhost``, nor a name allowed by the
  user (403: a DNS-rebinding attempt names the attacker's domain);
- an ``Origin`` of a browser page on another host, unless CORS was asked for (403).

Everything else is passed on unchanged, the answer streamed back.
"""

from __future__ import annotations

import http.client
import ipaddress
import logging
import socket
import threading
import urllib.parse
from collections.abc import Iterable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from socketserver import BaseServer

from kg.store.sparql_text import uses_service

log = logging.getLogger(__name__)

__all__ = ["GuardedProxy", "host_allowed"]

#: headers that belong to one connection, never passed on
_HOP_BY_HOP = {"connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "te", "trailer",
               "transfer-encoding", "upgrade", "host", "content-length"}
_CHUNK = 64 * 1024


def _hostname(value: str) -> str:
    """The host part of a ``Host`` header or an origin's netloc (no port, no brackets), lower-cased."""
    value = value.strip().lower()
    if value.startswith("["):
        return value[1:value.find("]")] if "]" in value else value
    if value.count(":") == 1:
        value = value.split(":", 1)[0]
    return value.rstrip(".")


def host_allowed(value: str, allowed: Iterable[str] = ()) -> bool:
    """Whether a request may name ``value`` as its host: an IP address, ``localhost``, or one of ``allowed``."""
    name = _hostname(value)
    if not name:
        return False
    if name == "localhost" or name in {_hostname(a) for a in allowed}:
        return True
    try:
        ipaddress.ip_address(name)
    except ValueError:
        return False
    return True


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address: tuple[str, int], proxy: GuardedProxy) -> None:
        self.proxy = proxy
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        super().__init__(address, _Handler)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.0"  # one request a connection; the answer ends when the connection closes
    server: _Server

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - BaseHTTPRequestHandler's name
        log.debug("%s %s", self.address_string(), format % args)

    def _refuse(self, status: int, message: str) -> None:
        body = (message + "\n").encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)
        log.info("refused %s %s: %s", self.command, self.path, message)

    def _body(self) -> bytes:
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            parts = []
            while True:
                size = int(self.rfile.readline().split(b";", 1)[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline().strip():  # trailers
                        pass
                    return b"".join(parts)
                parts.append(self.rfile.read(size))
                self.rfile.readline()
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length > 0 else b""

    def _sparql_texts(self, body: bytes) -> list[str]:
        """The query and update texts a request carries (URL, form body or direct body)."""
        url = urllib.parse.urlsplit(self.path)
        texts = [v for k, vs in urllib.parse.parse_qs(url.query).items() if k in ("query", "update") for v in vs]
        content_type = self.headers.get("Content-Type", "").split(";", 1)[0].strip().lower()
        if body and content_type == "application/x-www-form-urlencoded":
            form = urllib.parse.parse_qs(body.decode("utf-8", "replace"))
            texts += [v for k, vs in form.items() if k in ("query", "update") for v in vs]
        elif body and content_type in ("application/sparql-query", "application/sparql-update"):
            texts.append(body.decode("utf-8", "replace"))
        return texts

    def _handle(self) -> None:
        proxy = self.server.proxy
        host = self.headers.get("Host", "")
        if not host_allowed(host, proxy.allowed_hosts):
            self._refuse(403, f"Host {host!r} is not served here (kg serve answers requests for its IP address, "
                              "localhost or a name given with --allow-host)")
            return
        origin = self.headers.get("Origin")
        if origin and origin != "null" and not proxy.cors:
            origin_host = urllib.parse.urlsplit(origin).netloc
            if not host_allowed(origin_host, proxy.allowed_hosts):
                self._refuse(403, f"cross-origin request from {origin} refused (kg serve --cors allows them)")
                return
        body = self._body()
        if not proxy.allow_service and any(uses_service(t) for t in self._sparql_texts(body)):
            self._refuse(403, "SERVICE (a federated query) is off: this server does not send requests to other "
                              "endpoints (kg serve --allow-service turns it on)")
            return
        self._forward(body)

    def _forward(self, body: bytes) -> None:
        proxy = self.server.proxy
        headers = {k: v for k, v in self.headers.items() if k.lower() not in _HOP_BY_HOP}
        headers["Content-Length"] = str(len(body))
        connection = http.client.HTTPConnection(*proxy.upstream, timeout=proxy.timeout)
        try:
            try:
                connection.request(self.command, self.path, body=body, headers=headers)
                response = connection.getresponse()
            except OSError as exc:
                self._refuse(502, f"the SPARQL server behind kg serve did not answer: {exc}")
                return
            self.send_response(response.status, response.reason)
            for key, value in response.getheaders():
                if key.lower() not in _HOP_BY_HOP:
                    self.send_header(key, value)
            length = response.getheader("Content-Length")
            if length is not None:
                self.send_header("Content-Length", length)
            self.end_headers()
            if self.command == "HEAD":
                return
            while chunk := response.read(_CHUNK):
                self.wfile.write(chunk)
        except (BrokenPipeError, ConnectionResetError):
            log.debug("the client of %s %s went away", self.command, self.path)
        finally:
            connection.close()

    do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = do_OPTIONS = do_PATCH = _handle


class GuardedProxy:
    """Listens on ``host:port`` (0: any free port) and passes checked requests to ``upstream`` (host, port)."""

    def __init__(self, host: str, port: int, upstream: tuple[str, int], *, allow_service: bool = False,
                 allowed_hosts: Iterable[str] = (), cors: bool = False, timeout: float | None = None) -> None:
        self.host = host
        self.upstream = upstream
        self.allow_service = allow_service
        self.allowed_hosts = tuple(allowed_hosts)
        self.cors = cors
        self.timeout = timeout
        self._server: BaseServer = _Server((host or "0.0.0.0", port), self)  # OSError if the port is taken
        self.port = int(self._server.server_address[1])
        self._thread = threading.Thread(target=self._server.serve_forever, name="kg-serve-guard", daemon=True)

    def start(self) -> GuardedProxy:
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop listening (idempotent)."""
        if self._thread.is_alive():
            self._server.shutdown()
            self._thread.join()
        self._server.server_close()
