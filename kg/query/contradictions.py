"""Which claims contradict each other, and why: the contradictions graph, read back.

Each row is one ``kg:Contradiction`` with both claims located at their first
appearance (document, offsets, sentence), in the JSON shape of
``../shared/eval/CONTRACTS.md`` (``kind, confidence, reason, a, b``).  User text
(``about``, ``by``) selects claims as in :func:`kg.query.claims.find_claims`, bound
only through substitutions.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Collection
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

#: what locates a side, one flat query each with the claims bound by VALUES (each solution
#: is found through the index from ?claim).  One query with OPTIONALs nested in
#: OPTIONALs was evaluated against the whole store for each batch of claims: ~0.15 s
#: for 84 claims in a store of 6,000, growing with the store.
_SIDE_PARTS = {
    "text": "?claim schema:text ?v .",
    "name": "?claim prov:wasAttributedTo ?who . ?who schema:name ?v .",
    "date": "?claim kg:firstSeen ?v0 . BIND(STR(?v0) AS ?v)",
    "located": "?claim kg:firstAppearance ?app . ?app schema:isPartOf ?article ; kg:contentStart ?start ; "
               "kg:contentEnd ?end . ?article schema:identifier ?v .",
    "sentence": "?claim kg:firstAppearance ?app . ?app kg:sentence ?v .",
}


def _sides(store: ClaimStore, claims: set[str]) -> dict[str, ClaimSide]:
    """Each claim's side: every value is the least one given (as a SPARQL MIN would pick)."""
    out: dict[str, ClaimSide] = {}
    ordered = sorted(claims)
    for i in range(0, len(ordered), 500):
        values = " ".join(str(NamedNode(c)) for c in ordered[i : i + 500])  # IRIs read from the store
        got: dict[str, dict[str, list[str]]] = {part: defaultdict(list) for part in _SIDE_PARTS}
        starts: dict[str, list[int]] = defaultdict(list)
        ends: dict[str, list[int]] = defaultdict(list)
        for part, pattern in _SIDE_PARTS.items():
            extra = " ?start ?end" if part == "located" else ""
            query = f"SELECT ?claim ?v{extra} WHERE {{ VALUES ?claim {{ {values} }} {pattern} }}"
            for r in _plain_rows(store, query):
                got[part][r["claim"]].append(r["v"])
                if extra:
                    starts[r["claim"]].append(int(r["start"]))
                    ends[r["claim"]].append(int(r["end"]))

        def least(part: str, claim: str) -> str | None:
            found = got[part].get(claim)
            return min(found) if found else None

        for claim, texts in got["text"].items():
            out[claim] = ClaimSide(
                claim=claim,
                claimant=least("name", claim),
                doc_id=least("located", claim),
                start=min(starts[claim]) if starts.get(claim) else None,
                end=min(ends[claim]) if ends.get(claim) else None,
                text=min(texts) or "",
                sentence=least("sentence", claim),
                date=least("date", claim),
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
    involving: Collection[str] | None = None,
) -> list[ContradictionRow]:
    """Contradictions between stored claims, most confident first (then by date of the later claim).

    ``about``: either claim mentions an entity whose name or alias contains it, or
    its text does (case-insensitive); ``by``: either claimant's name or alias
    contains it; ``kind``: one of :data:`KINDS`; ``involving``: either claim is one of
    these claim IRIs (what a timeline needs: only its claims are located).  Run :func:`kg.pipeline.detect`
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
    if involving is not None:
        wanted = set(involving)
        rows = [r for r in rows if r["a"] in wanted or r["b"] in wanted]
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
