"""A timeline of one entity: the claims it made and the claims about it, in date order,
marking where its story changed and where others contradicted it."""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from typing import Any

from kg.query.claims import ClaimRow, _claims_by, find_claims
from kg.query.contradictions import ContradictionRow, find_contradictions
from kg.store.oxigraph_store import ClaimStore

log = logging.getLogger(__name__)

__all__ = ["TimelineEntry", "timeline"]


@dataclass
class TimelineEntry:
    """One claim on the timeline, at its first appearance."""

    date: str | None  # when it was made (else the article's date)
    role: str  # "by": the entity claimed it; "about": someone claimed it about the entity
    claim: str  # claim IRI
    claimant: str | None
    text: str
    doc_id: str
    outlet: str | None
    appearances: int  # how many times the store has it
    changed: bool = False  # contradicts an earlier claim of the same claimant (change of story)
    contradicted_by: list[str] = field(default_factory=list)  # claim IRIs contradicting it
    notes: list[str] = field(default_factory=list)  # the reasons, for the changes and contradictions

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def _first_rows(rows: list[ClaimRow]) -> dict[str, tuple[ClaimRow, int]]:
    """claim -> (its earliest appearance, number of appearances); rows come in date order."""
    out: dict[str, tuple[ClaimRow, int]] = {}
    counts: dict[str, int] = defaultdict(int)
    for r in rows:
        counts[r.claim] += 1
        out.setdefault(r.claim, (r, 0))
    return {c: (r, counts[c]) for c, (r, _) in out.items()}


def timeline(store: ClaimStore, name: str, *, since: str | None = None, until: str | None = None) -> list[TimelineEntry]:
    """Claims by and about the entity named ``name`` (substring of a name or alias), oldest first.

    A claim the entity made that contradicts one it made earlier is ``changed``
    (with the reason in ``notes``); claims of others that contradict it are listed
    in ``contradicted_by``.
    """
    by_rows = find_claims(store, by=name, since=since, until=until)
    about_rows = find_claims(store, about=name, since=since, until=until)
    own = {c.value for c in _claims_by(store, name)}
    entries: dict[str, TimelineEntry] = {}
    for rows, role in ((by_rows, "by"), (about_rows, "about")):
        for claim, (r, n) in _first_rows(rows).items():
            if claim in entries:
                continue
            entries[claim] = TimelineEntry(
                date=r.utterance_date or r.date,
                role="by" if claim in own else role,
                claim=claim,
                claimant=r.claimant,
                text=r.content,
                doc_id=r.doc_id,
                outlet=r.outlet,
                appearances=n,
            )
    # only the contradictions of these claims: the others are not shown, and locating them costs
    contradictions: list[ContradictionRow] = find_contradictions(store, involving=entries.keys()) if entries else []
    for c in contradictions:
        for this, other in ((c.a, c.b), (c.b, c.a)):
            entry = entries.get(this.claim)
            if entry is None:
                continue
            if c.kind == "change_of_story":
                if this is c.b:  # the later claim is where the story changed
                    entry.changed = True
                    entry.notes.append(c.reason)
            else:
                entry.contradicted_by.append(other.claim)
                entry.notes.append(c.reason)
    out = sorted(entries.values(), key=lambda e: (e.date is None, e.date or "", e.doc_id, e.claim))
    log.debug("timeline(%r): %d entries, %d contradictions", name, len(out), len(contradictions))
    return out
