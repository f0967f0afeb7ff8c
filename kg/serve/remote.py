"""Asking a SPARQL endpoint what :mod:`kg.query.canned` asks the embedded store, with the same answers.

Two things differ between the embedded store and an endpoint reached over the
SPARQL 1.1 Protocol: parameters (pyoxigraph binds them by ``substitutions``, the
protocol has no parameters) and result values (pyoxigraph terms there, SPARQL JSON
results here).  :func:`bind_values` binds parameters with a ``VALUES`` block at the
top of the query's ``WHERE`` group (values written by pyoxigraph as literals, never
pasted as query text), and :func:`rows_from_json` turns JSON results into the Python
values :func:`kg.store.to_python` gives, so rows compare equal.

:func:`select` is a small stdlib (``urllib``) client; any standard client
(SPARQLWrapper, curl) can send the same queries.
"""

from __future__ import annotations

import base64
import json
import re
import urllib.parse
import urllib.request
from collections.abc import Mapping
from typing import Any

from pyoxigraph import BlankNode, Literal, NamedNode

from kg.store import to_python

__all__ = ["bind_values", "canned_query_text", "rows_from_json", "run_remote_query", "select", "term_from_json"]

_WHERE_RE = re.compile(r"\bWHERE\s*\{", re.IGNORECASE)


def bind_values(sparql: str, params: Mapping[str, str] | None) -> str:
    """``sparql`` with ``VALUES (?a ?b) { ("x" "y") }`` opening its first ``WHERE`` group.

    Each value becomes a string literal serialised by pyoxigraph.  Bound at the top of
    the group, the variables are in scope for the group's patterns and ``FILTER``\\ s,
    as pyoxigraph's substitutions are (for kg's canned queries the rows are the same;
    tested).  Comment lines (``#`` first) are skipped when looking for ``WHERE``.
    """
    if not params:
        return sparql
    offset = 0
    for line in sparql.splitlines(keepends=True):
        if not line.lstrip().startswith("#"):
            m = _WHERE_RE.search(line)
            if m:
                at = offset + m.end()
                names = " ".join(f"?{k}" for k in params)
                values = " ".join(str(Literal(v)) for v in params.values())
                return f"{sparql[:at]}\n  VALUES ({names}) {{ ({values}) }}{sparql[at:]}"
        offset += len(line)
    raise ValueError("no 'WHERE {' in the query to bind parameters in")


def term_from_json(term: Mapping[str, Any] | None) -> Any:
    """One SPARQL JSON results term as :func:`kg.store.to_python` gives the same term."""
    if term is None:
        return None
    kind = term.get("type")
    value = term.get("value")
    if kind == "uri":
        return to_python(NamedNode(value))
    if kind in ("literal", "typed-literal"):
        if "xml:lang" in term:
            return to_python(Literal(value, language=term["xml:lang"]))
        if "datatype" in term:
            return to_python(Literal(value, datatype=NamedNode(term["datatype"])))
        return to_python(Literal(value))
    if kind == "bnode":
        return to_python(BlankNode(value))
    if kind == "triple":
        return tuple(term_from_json(value[k]) for k in ("subject", "predicate", "object"))
    raise ValueError(f"unknown SPARQL JSON term type {kind!r}")


def rows_from_json(results: Mapping[str, Any]) -> list[dict[str, Any]]:
    """SPARQL 1.1 JSON SELECT results as rows of variable -> Python value (``None`` when unbound)."""
    names = results["head"]["vars"]
    return [{n: term_from_json(b.get(n)) for n in names} for b in results["results"]["bindings"]]


def select(query_url: str, sparql: str, *, timeout: float = 60.0, auth: tuple[str, str] | None = None
           ) -> list[dict[str, Any]]:
    """Run a SELECT on ``query_url`` (SPARQL 1.1 Protocol, POST form) and return its rows."""
    body = urllib.parse.urlencode({"query": sparql}).encode("utf-8")
    headers = {"Accept": "application/sparql-results+json",
               "Content-Type": "application/x-www-form-urlencoded"}
    if auth is not None:
        headers["Authorization"] = "Basic " + base64.b64encode(f"{auth[0]}:{auth[1]}".encode()).decode("ascii")
    request = urllib.request.Request(query_url, data=body, method="POST", headers=headers)
    with urllib.request.urlopen(request, timeout=timeout) as response:
        return rows_from_json(json.load(response))


def canned_query_text(name: str, params: Mapping[str, str] | None = None) -> str:
    """The canned query ``name`` with its parameters bound by :func:`bind_values`, for any endpoint."""
    from kg.query.canned import check_params, load_query

    query = load_query(name)
    return bind_values(query.sparql, check_params(query, params))


def run_remote_query(query_url: str, name: str, params: Mapping[str, str] | None = None, *,
                     timeout: float = 60.0) -> list[dict[str, Any]]:
    """:func:`kg.query.canned.run_query` over an endpoint: the same rows, without the parameter columns."""
    rows = select(query_url, canned_query_text(name, params), timeout=timeout)
    drop = set(params or {})
    return [{k: v for k, v in row.items() if k not in drop} for row in rows]
