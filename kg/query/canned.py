"""Canned queries: SPARQL SELECTs kept in ``schemas/queries/*.rq`` that users run by name.

Each file is a standalone SPARQL 1.1 query (its own ``PREFIX`` lines) with a header
comment block::

    # name: claims-by
    # description: Claims attributed to a claimant whose name or an alias contains the
    #   given text, any case; ...
    # param claimant: part of the claimant's name or alias, any case (psaki)

(a line starting with ``#`` and two or more spaces continues the field above it; the
parenthesised text ending a ``param`` line is an example value).

Parameters are bound through pyoxigraph's ``substitutions`` (see
:meth:`kg.store.ClaimStore.query`), never pasted into the query text, so a value is
only ever a string literal.  pyoxigraph substitutes only variables that the SELECT
projects, so every parameter's variable is in its query's projection; the rows
:func:`run_query` returns leave those columns out, as they only repeat the values
given.  Only the parameters a query declares can be bound: anything else is refused
(it could otherwise pin one of the query's own variables).

The files live in the repository (``schemas/queries/``, next to the ``kg`` package),
which is where an editable install (``pip install -e .``, as the README says) finds
them; there is no second copy inside the package.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import kg
from kg.errors import KgError

__all__ = [
    "CannedQuery",
    "CannedQueryError",
    "QueryParam",
    "QueryParamError",
    "UnknownQueryError",
    "check_params",
    "compact_iris",
    "list_queries",
    "load_query",
    "queries_dir",
    "run_query",
]

#: where the .rq files are: ``schemas/queries`` in the repository holding the kg package
QUERIES_DIR = Path(kg.__file__).resolve().parents[1] / "schemas" / "queries"

_NAME_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_VAR_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_FIELD_RE = re.compile(r"^#\s?(name|description|param\s+(\S+))\s*:\s?(.*)$")
_CONTINUATION_RE = re.compile(r"^#\s{2,}(\S.*)$")
_EXAMPLE_RE = re.compile(r"^(.*?)\s*\(([^()]*)\)\s*$")


class CannedQueryError(KgError, ValueError):
    """A canned query cannot be found, read or run with the parameters given."""


class UnknownQueryError(CannedQueryError):
    """No canned query has this name."""


class QueryParamError(CannedQueryError):
    """A parameter is missing, or not one the query declares."""


@dataclass(frozen=True)
class QueryParam:
    name: str  # binds ?name
    description: str
    example: str | None = None


@dataclass(frozen=True)
class CannedQuery:
    name: str
    description: str
    params: tuple[QueryParam, ...]
    path: Path
    sparql: str

    @property
    def param_names(self) -> tuple[str, ...]:
        return tuple(p.name for p in self.params)

    def usage(self) -> str:
        """``name --param a=... --param b=...`` (or just the name when it takes none)."""
        return " ".join([self.name, *(f"--param {p.name}={p.example or '...'}" for p in self.params)])


def queries_dir() -> Path:
    """The folder of the ``.rq`` files; :class:`CannedQueryError` if it is not there."""
    if not QUERIES_DIR.is_dir():
        raise CannedQueryError(
            f"the canned queries folder {QUERIES_DIR} is missing: the queries ship in the kg "
            "repository's schemas/queries/, which only an editable install "
            "(pip install -e . from the repository) can find"
        )
    return QUERIES_DIR


def _projection(sparql: str) -> set[str]:
    """Variables a SELECT lists as plain ``?x`` (not ``(... AS ?x)``): those pyoxigraph can substitute."""
    body = "\n".join(line.split("#", 1)[0] if line.lstrip().startswith("#") else line for line in sparql.splitlines())
    m = re.search(r"\bSELECT\b(.*?)\bWHERE\b", body, flags=re.S | re.I)
    if m is None:
        return set()
    clause = re.sub(r"\([^()]*(?:\([^()]*\)[^()]*)*\)", " ", m.group(1))  # drop (expr AS ?x)
    return set(re.findall(r"[?$]([A-Za-z_][A-Za-z0-9_]*)", clause))


def _parse(path: Path) -> CannedQuery:
    text = path.read_text(encoding="utf-8")
    fields: dict[str, list[str]] = {}  # "name" / "description" -> its lines
    params: dict[str, list[str]] = {}  # param name -> its lines
    current: list[str] | None = None  # the field a continuation line extends
    for lineno, line in enumerate(text.splitlines(), start=1):
        if not line.startswith("#"):
            break
        field = _FIELD_RE.match(line)
        more = _CONTINUATION_RE.match(line)
        if field:
            key, param, value = field.groups()
            target, label = (params, param) if param is not None else (fields, key)
            if param is not None and not _VAR_RE.match(param):
                raise CannedQueryError(f"{path}:{lineno}: {param!r} is not a SPARQL variable name")
            if label in target:
                raise CannedQueryError(f"{path}:{lineno}: {line.split(':', 1)[0]!r} given twice")
            current = target[label] = [value.strip()]
        elif more and current is not None:
            current.append(more.group(1).strip())
        elif line.strip() != "#":
            raise CannedQueryError(
                f"{path}:{lineno}: header lines are '# name: ...', '# description: ...' or "
                f"'# param NAME: what it binds (example)', got {line!r}"
            )
    joined = {k: " ".join(v for v in lines if v) for k, lines in fields.items()}
    for key in ("name", "description"):
        if not joined.get(key):
            raise CannedQueryError(f"{path}: no '# {key}:' line in the header")
    name = joined["name"]
    if name != path.stem:
        raise CannedQueryError(f"{path}: '# name: {name}' does not match the file name")
    if not _NAME_RE.match(name):
        raise CannedQueryError(f"{path}: {name!r} is not a lower-case-hyphenated name")
    projected = _projection(text)
    declared: list[QueryParam] = []
    for pname, parts in params.items():
        description = " ".join(p for p in parts if p)
        example = None
        ex = _EXAMPLE_RE.match(description)
        if ex:
            description, example = ex.group(1), ex.group(2).strip() or None
        if pname not in projected:
            raise CannedQueryError(
                f"{path}: param {pname!r} must be listed as ?{pname} in the SELECT "
                "(pyoxigraph only substitutes projected variables)"
            )
        declared.append(QueryParam(pname, description, example))
    return CannedQuery(name=name, description=joined["description"], params=tuple(declared), path=path, sparql=text)


def list_queries() -> list[CannedQuery]:
    """Every canned query, by name."""
    return sorted((_parse(p) for p in queries_dir().glob("*.rq")), key=lambda q: q.name)


def load_query(name: str) -> CannedQuery:
    """The canned query called ``name``; :class:`UnknownQueryError` (listing the known ones) if none."""
    folder = queries_dir()
    path = folder / f"{name}.rq"
    if not _NAME_RE.match(name or "") or not path.is_file():
        known = ", ".join(q.name for q in list_queries()) or "(none)"
        raise UnknownQueryError(f"no canned query {name!r}; known queries: {known}")
    return _parse(path)


def check_params(query: CannedQuery, params: Mapping[str, Any] | None) -> dict[str, str]:
    """``params`` as the query's bindings; :class:`QueryParamError` if one is missing or unknown."""
    given = dict(params or {})
    declared = query.param_names
    takes = f"it takes {', '.join(declared)} (example: {query.usage()})" if declared else "it takes no params"
    unknown = sorted(k for k in given if k not in declared)
    if unknown:
        raise QueryParamError(f"{query.name}: unknown param {', '.join(unknown)}; {takes}")
    missing = [p for p in declared if p not in given]
    if missing:
        raise QueryParamError(f"{query.name}: missing param {', '.join(missing)}; {takes}")
    for k, v in given.items():
        if not isinstance(v, str):
            raise QueryParamError(f"param {k} of {query.name} must be a string, got {type(v).__name__}")
    return given


def run_query(store: Any, name: str, params: Mapping[str, str] | None = None) -> list[dict[str, Any]]:
    """Run the canned query ``name`` over ``store`` (a :class:`kg.store.ClaimStore`).

    ``params`` maps each declared parameter to a string, bound as a string literal
    through pyoxigraph's substitutions (never spliced into the text).  Rows are dicts
    of column -> Python value (see :func:`kg.store.to_python`), without the parameter
    columns.
    """
    query = load_query(name)
    bindings = check_params(query, params)
    rows = store.query(query.sparql, bindings or None)
    if not isinstance(rows, list) or (rows and not isinstance(rows[0], dict)):
        raise CannedQueryError(f"{query.path}: a canned query must be a SELECT")
    drop = set(bindings)
    return [{k: v for k, v in row.items() if k not in drop} for row in rows]


def compact_iris(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rows for a table: IRIs in kg's namespaces as ``kgr:claim/…`` (which :func:`run_query`'s
    ``provenance`` accepts too), so they stay short enough to read and copy."""
    from kg.build.namespaces import PREFIXES

    spaces = sorted(PREFIXES.items(), key=lambda kv: -len(kv[1]))

    def short(value: Any) -> Any:
        if isinstance(value, str):
            for prefix, ns in spaces:
                if value.startswith(ns) and len(value) > len(ns):
                    return f"{prefix}:{value[len(ns):]}"
        return value

    return [{k: short(v) for k, v in row.items()} for row in rows]
