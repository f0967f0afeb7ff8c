"""Which claims contradict each other, and why: the contradictions graph, read back.

Each row is one ``kg:Contradiction`` with both claims located at their first
appearance (document, offsets, sentence), in the JSON shape of
``../shared/eval/CONTRACTS.md`` (``kind, confidence, reason, a, b``).  User text
(``about``, ``by``) selects claims as in :func:`kg.query.claims.find_claims`, bound
only through substitutions.
"""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass
from typing import Any

from pyoxigraph import NamedNode

from kg.build.rdf import CONTRADICTIONS_GRAPH
from kg.query.claims import _claims_about, _claims_by, _plain_rows
from kg.resolve.contradictions import KINDS
from kg.store.oxigraph_store import ClaimStore

log = logging.getLogger(__name__)

__all__ = ["ClaimSide", "ContradictionRow", "find_contradictions", "KINDS"]


@dataclass
class ClaimSide:
    """One side of a contradiction, located at the claim's first appearance."""

    claim: str  # claim IRI
    claimant: str | None  # canonical name
    doc_id: str | None
    start: int | None  # content offsets in that document's text
    end: int | None
    text: str  # the claim's content
    sentence: str | None
    date: str | None  # first seen, YYYY-MM-DD


@dataclass
class ContradictionRow:
    kind: str  # polarity | numbers | opposites | change_of_story
    confidence: float
    reason: str
    a: ClaimSide  # the earlier claim
    b: ClaimSide
    basis: str | None = None  # for change_of_story: polarity, numbers or opposites
    iri: str = ""  # the kg:Contradiction node

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


_CONTRADICTIONS = f"""
SELECT ?c ?a ?b ?kind ?basis ?confidence ?reason WHERE {{
  GRAPH <{CONTRADICTIONS_GRAPH.value}> {{
    ?c a kg:Contradiction ; kg:claimA ?a ; kg:claimB ?b ; kg:kind ?kind ; kg:confidence ?confidence ; kg:reason ?reason .
    OPTIONAL {{ ?c kg:basis ?basis }}
  }}
}}
"""

_SIDES = """
SELECT ?claim (MIN(?text0) AS ?text) (MIN(?name0) AS ?name) (MIN(STR(?date0)) AS ?date) (MIN(?doc0) AS ?doc_id)
       (MIN(?start0) AS ?start) (MIN(?end0) AS ?end) (MIN(?sentence0) AS ?sentence)
WHERE {{
  VALUES ?claim {{ {claims} }}
  ?claim schema:text ?text0 .
  OPTIONAL {{ ?claim prov:wasAttributedTo ?who . ?who schema:name ?name0 }}
  OPTIONAL {{ ?claim kg:firstSeen ?date0 }}
  OPTIONAL {{
    ?claim kg:firstAppearance ?app .
    ?app schema:isPartOf ?article ; kg:contentStart ?start0 ; kg:contentEnd ?end0 .
    ?article schema:identifier ?doc0 .
    OPTIONAL {{ ?app kg:sentence ?sentence0 }}
  }}
}}
GROUP BY ?claim
"""


def _sides(store: ClaimStore, claims: set[str]) -> dict[str, ClaimSide]:
    out: dict[str, ClaimSide] = {}
    ordered = sorted(claims)
    for i in range(0, len(ordered), 500):
        values = " ".join(str(NamedNode(c)) for c in ordered[i : i + 500])  # IRIs read from the store
        for r in _plain_rows(store, _SIDES.format(claims=values)):
            out[r["claim"]] = ClaimSide(
                claim=r["claim"],
                claimant=r["name"],
                doc_id=r["doc_id"],
                start=int(r["start"]) if r["start"] is not None else None,
                end=int(r["end"]) if r["end"] is not None else None,
                text=r["text"] or "",
                sentence=r["sentence"],
                date=r["date"],
            )
    return out


def find_contradictions(
    store: ClaimStore,
    *,
    about: str | None = None,
    by: str | None = None,
    kind: str | None = None,
    min_confidence: float = 0.0,
    limit: int | None = None,
) -> list[ContradictionRow]:
    """Contradictions between stored claims, most confident first (then by date of the later claim).

    ``about``: either claim mentions an entity whose name or alias contains it, or
    its text does (case-insensitive); ``by``: either claimant's name or alias
    contains it; ``kind``: one of :data:`KINDS`.  Run :func:`kg.pipeline.detect`
    (``ingest`` does) to fill the contradictions graph first.
    """
    if kind is not None and kind not in KINDS:
        raise ValueError(f"kind must be one of {', '.join(KINDS)}, got {kind!r}")
    if limit is not None and (not isinstance(limit, int) or isinstance(limit, bool) or limit < 0):
        raise ValueError(f"limit must be a non-negative int, got {limit!r}")
    rows = _plain_rows(store, _CONTRADICTIONS)
    if kind is not None:
        rows = [r for r in rows if r["kind"] == kind]
    rows = [r for r in rows if float(r["confidence"]) >= min_confidence]
    for needle, select in ((by, _claims_by), (about, _claims_about)):
        if needle is not None and rows:
            chosen = {c.value for c in select(store, str(needle))}
            rows = [r for r in rows if r["a"] in chosen or r["b"] in chosen]
    sides = _sides(store, {r["a"] for r in rows} | {r["b"] for r in rows})

    def side(iri: str) -> ClaimSide:
        return sides.get(iri) or ClaimSide(iri, None, None, None, None, "", None, None)

    out = [
        ContradictionRow(
            kind=r["kind"],
            confidence=float(r["confidence"]),
            reason=r["reason"],
            a=side(r["a"]),
            b=side(r["b"]),
            basis=r["basis"],
            iri=r["c"],
        )
        for r in rows
    ]
    out.sort(key=lambda c: (-c.confidence, c.b.date or "", c.a.claim, c.b.claim))
    if limit is not None:
        out = out[:limit]
    log.debug("find_contradictions(about=%r, by=%r, kind=%r): %d rows", about, by, kind, len(out))
    return out
