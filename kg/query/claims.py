"""Who claimed what, when and where: one row per appearance of a claim.

User text (``by``, ``about``) is only ever bound through pyoxigraph's
``substitutions``; the claims it selects are then listed in a ``VALUES`` of IRIs
read from the store, and ``since``/``until`` (checked dates) filter the rows.
"""

from __future__ import annotations

import logging
import re
from dataclasses import asdict, dataclass
from datetime import date as _date
from typing import Any

from pyoxigraph import DefaultGraph, Literal, NamedNode

from kg.build.namespaces import KG_NS, PROV_NS, RDF_TYPE, SCHEMA_NS
from kg.store.oxigraph_store import ClaimStore

log = logging.getLogger(__name__)

__all__ = ["ClaimRow", "find_claims"]


@dataclass
class ClaimRow:
    claim: str  # the claim node's IRI
    claimant: str | None  # canonical name; None for unattributed claims
    claimant_type: str | None  # person | organisation | government | group | anonymous | ...
    content: str  # the content as written in this article
    cue: str | None
    date: str | None  # the article's date, YYYY-MM-DD
    utterance_date: str | None  # when the claim was made, if the article fixes it
    doc_id: str
    article_title: str | None
    outlet: str | None  # the article's publisher
    relay: str  # relays, nearest first, ", "-joined ("" if none)
    start: int  # content offsets in the article text
    end: int
    sentence: str | None
    stance: str | None
    kind: str | None = None  # direct | indirect | mixed | according_to

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


# One row per appearance, over the merged default graph (each triple once).  Which
# claims to show is decided first, with index look-ups (see _matching_claims); the
# claims are then bound with VALUES of IRIs read from the store, never of user text.
_SELECT = """
SELECT ?app ?claim ?start ?end ?doc_id ?content ?claimant ?claimant_type ?cue ?date ?utterance_date
       ?article_title ?outlet ?relay ?sentence ?stance ?kind
WHERE {{
{values}  ?claim kg:hasAppearance ?app .
  ?app schema:isPartOf ?article ;
       kg:contentStart ?start ;
       kg:contentEnd ?end ;
       kg:contentText ?content .
  ?article schema:identifier ?doc_id .
  OPTIONAL {{ ?claim prov:wasAttributedTo ?who . ?who schema:name ?claimant . OPTIONAL {{ ?who kg:entityType ?claimant_type }} }}
  OPTIONAL {{ ?app kg:cueText ?cue }}
  OPTIONAL {{ ?article schema:datePublished ?article_date }}
  OPTIONAL {{ ?app schema:datePublished ?app_date }}
  BIND(STR(COALESCE(?article_date, ?app_date)) AS ?date)
  OPTIONAL {{ ?app kg:utteranceDate ?udate }}
  BIND(STR(?udate) AS ?utterance_date)
  OPTIONAL {{ ?article schema:headline ?article_title }}
  OPTIONAL {{ ?article schema:publisher ?publisher . ?publisher schema:name ?outlet }}
  OPTIONAL {{ ?app kg:relayChain ?relay }}
  OPTIONAL {{ ?app kg:sentence ?sentence }}
  OPTIONAL {{ ?app kg:stance ?stance }}
  OPTIONAL {{ ?app kg:kind ?kind }}
}}
"""


# Substring matches are scanned by Oxigraph (in Rust; three times faster at a million
# triples than iterating the literals in Python), the needle bound as a value.  A type
# test inside these queries makes Oxigraph join before filtering (4x slower): the few
# hits are checked with index look-ups instead.
_NAMED = """
SELECT DISTINCT ?e ?needle WHERE {
  { ?e schema:name ?n } UNION { ?e kg:alias ?n }
  FILTER(CONTAINS(LCASE(STR(?n)), ?needle))
}
"""
_TEXT = """
SELECT ?c ?t ?needle WHERE { ?c schema:text ?t . FILTER(CONTAINS(LCASE(STR(?t)), ?needle)) }
"""


def _plain_rows(store: ClaimStore, sparql: str) -> list[dict[str, Any]]:
    """SELECT rows with every term as its plain string (no datatype conversion: half the
    time of ``ClaimStore.query`` on thousands of rows; offsets are made ints by the caller)."""
    result = store.raw_query(sparql)
    names = [v.value for v in result.variables]  # type: ignore[union-attr]
    rows = []
    for solution in result:  # type: ignore[union-attr]
        row = {}
        for name in names:
            term = solution[name]
            row[name] = None if term is None else term.value
        rows.append(row)
    return rows


def _is_a(store: ClaimStore, node: NamedNode, cls: NamedNode) -> bool:
    return any(True for _ in store.oxigraph.quads_for_pattern(node, RDF_TYPE, cls, DefaultGraph()))


def _entities_named(store: ClaimStore, query: str) -> set[NamedNode]:
    """Entities whose name or an alias contains ``query`` (case-insensitive)."""
    rows = store.query(_NAMED, {"needle": query.lower()})
    hits = {NamedNode(r["e"]) for r in rows}  # type: ignore[union-attr]
    return {e for e in hits if _is_a(store, e, KG_NS.Entity)}


def _claims_by(store: ClaimStore, who: str) -> set[NamedNode]:
    ox = store.oxigraph
    return {
        q.subject  # type: ignore[misc]
        for e in _entities_named(store, who)
        for q in ox.quads_for_pattern(None, PROV_NS.wasAttributedTo, e, DefaultGraph())
    }


def _claims_about(store: ClaimStore, what: str) -> set[NamedNode]:
    ox = store.oxigraph
    claims = {
        q.subject  # type: ignore[misc]
        for e in _entities_named(store, what)
        for q in ox.quads_for_pattern(None, SCHEMA_NS.mentions, e, DefaultGraph())
    }
    # a whole-word match: "ISIS" is not in "crisis"
    word = re.compile(r"(?<!\w)" + re.escape(what.lower()) + r"(?!\w)")
    rows = store.query(_TEXT, {"needle": what.lower()})
    texts = {NamedNode(r["c"]) for r in rows if word.search(r["t"].lower())}  # type: ignore[union-attr]
    return claims | {c for c in texts if _is_a(store, c, KG_NS.Claim)}


_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _check_date(name: str, value: str | _date) -> str:
    if isinstance(value, _date):
        return value.isoformat()
    if not isinstance(value, str) or not _DATE_RE.match(value):
        raise ValueError(f"{name} must be a YYYY-MM-DD date, got {value!r}")
    try:
        _date.fromisoformat(value)
    except ValueError as exc:
        raise ValueError(f"{name} must be a YYYY-MM-DD date, got {value!r}") from exc
    return value


def find_claims(
    store: ClaimStore,
    *,
    by: str | None = None,
    about: str | None = None,
    since: str | _date | None = None,
    until: str | _date | None = None,
    limit: int | None = None,
    stance: str | None = None,
    kind: str | None = None,
    doc: str | None = None,
) -> list[ClaimRow]:
    """Appearances of claims, ordered by (utterance date or article date), doc id, offset.

    ``by``: case-insensitive substring of the claimant's name or any of its aliases.
    ``about``: case-insensitive substring of a mentioned entity's name or alias, or
    whole words of the claim's text.  ``since`` / ``until``: inclusive ``YYYY-MM-DD`` bounds on the
    utterance date (the article date when the utterance date is unknown); undated
    appearances are left out when either is given.  Undated rows sort last.
    ``stance`` (the cue's: ``deny``, ``warn``...), ``kind`` (``direct``, ``indirect``,
    ``mixed``, ``according_to``) and ``doc`` (an article id) keep the appearances
    that have exactly that value.
    """
    since_q = _check_date("since", since) if since is not None else None
    until_q = _check_date("until", until) if until is not None else None
    if limit is not None and (not isinstance(limit, int) or isinstance(limit, bool) or limit < 0):
        raise ValueError(f"limit must be a non-negative int, got {limit!r}")

    chosen: set[NamedNode] | None = None
    if by is not None:
        chosen = _claims_by(store, str(by))
    if about is not None:
        about_claims = _claims_about(store, str(about))
        chosen = about_claims if chosen is None else chosen & about_claims
    if chosen is not None and not chosen:
        return []
    values = ""
    if chosen is not None:
        # IRIs read from the store, written by pyoxigraph: no user text enters the query
        values = "  VALUES ?claim { " + " ".join(str(c) for c in sorted(chosen, key=str)) + " }\n"
    rows = _plain_rows(store, _SELECT.format(values=values))

    def key_date(r: dict[str, Any]) -> str | None:
        return r["utterance_date"] or r["date"]

    if since_q is not None:
        rows = [r for r in rows if key_date(r) is not None and key_date(r) >= since_q]
    if until_q is not None:
        rows = [r for r in rows if key_date(r) is not None and key_date(r) <= until_q]
    for field_name, wanted in (("stance", stance), ("kind", kind), ("doc_id", doc)):
        if wanted is not None:
            rows = [r for r in rows if r[field_name] == wanted]
    rows.sort(key=lambda r: (key_date(r) is None, key_date(r) or "", r["doc_id"], int(r["start"]), int(r["end"]), r["claim"]))
    if limit is not None:
        rows = rows[:limit]
    out = [
        ClaimRow(
            claim=r["claim"],
            claimant=r["claimant"],
            claimant_type=r["claimant_type"],
            content=r["content"] or "",
            cue=r["cue"],
            date=r["date"],
            utterance_date=r["utterance_date"],
            doc_id=r["doc_id"],
            article_title=r["article_title"],
            outlet=r["outlet"],
            relay=r["relay"] or "",
            start=int(r["start"]),
            end=int(r["end"]),
            sentence=r["sentence"],
            stance=r["stance"],
            kind=r["kind"],
        )
        for r in rows
    ]
    log.debug("find_claims(by=%r, about=%r, since=%r, until=%r, stance=%r, kind=%r, doc=%r): %d rows",
              by, about, since, until, stance, kind, doc, len(out))
    return out
