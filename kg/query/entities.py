"""The entities of the graph: one per real person or organisation, with every name it was seen under."""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass, field
from typing import Any

from kg.store.oxigraph_store import ClaimStore

log = logging.getLogger(__name__)

__all__ = ["EntityRow", "list_entities"]

_SEP = "\u001f"

_ENTITIES = f"""
SELECT ?e ?name ?type
  (GROUP_CONCAT(DISTINCT ?alias; separator="{_SEP}") AS ?aliases)
  (GROUP_CONCAT(DISTINCT ?aff; separator="{_SEP}") AS ?affiliations)
WHERE {{
  ?e a kg:Entity ; schema:name ?name .
  OPTIONAL {{ ?e kg:entityType ?type }}
  OPTIONAL {{ ?e kg:alias ?alias }}
  OPTIONAL {{ ?e kg:affiliation ?aff }}
}}
GROUP BY ?e ?name ?type
"""

_CLAIMS_BY = "SELECT ?e (COUNT(DISTINCT ?c) AS ?n) WHERE { ?c a kg:Claim ; prov:wasAttributedTo ?e } GROUP BY ?e"
_CLAIMS_ABOUT = "SELECT ?e (COUNT(DISTINCT ?c) AS ?n) WHERE { ?c a kg:Claim ; schema:mentions ?e } GROUP BY ?e"
_ARTICLES = """SELECT ?e (COUNT(DISTINCT ?a) AS ?n)
WHERE { ?e a kg:Entity ; kg:hasMention ?m . ?m kg:inArticle ?a } GROUP BY ?e"""


@dataclass
class EntityRow:
    iri: str
    name: str
    type: str
    aliases: list[str] = field(default_factory=list)
    claims: int = 0  # claims it made
    about: int = 0  # claims that mention it
    articles: int = 0  # articles that name it
    affiliations: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def _counts(store: ClaimStore, sparql: str) -> dict[str, int]:
    rows = store.query(sparql)
    assert isinstance(rows, list)
    return {r["e"]: int(r["n"]) for r in rows}


def list_entities(store: ClaimStore, *, name: str | None = None, type: str | None = None,
                  min_claims: int = 0) -> list[EntityRow]:
    """Entities, most claims first (then most mentions, then name).

    ``name``: case-insensitive substring of the name or an alias; ``type``: person,
    organisation, government, group, place, anonymous, other or unknown;
    ``min_claims``: only claimants with at least that many claims.
    """
    rows = store.query(_ENTITIES)
    assert isinstance(rows, list)
    by, about, articles = _counts(store, _CLAIMS_BY), _counts(store, _CLAIMS_ABOUT), _counts(store, _ARTICLES)
    needle = name.casefold() if name else None
    out: list[EntityRow] = []
    for r in rows:
        aliases = sorted(a for a in (r["aliases"] or "").split(_SEP) if a)
        if needle and not any(needle in a.casefold() for a in [r["name"], *aliases]):
            continue
        if type and (r["type"] or "unknown") != type:
            continue
        row = EntityRow(
            iri=r["e"],
            name=r["name"],
            type=r["type"] or "unknown",
            aliases=aliases,
            claims=by.get(r["e"], 0),
            about=about.get(r["e"], 0),
            articles=articles.get(r["e"], 0),
            affiliations=sorted(a for a in (r["affiliations"] or "").split(_SEP) if a),
        )
        if row.claims >= min_claims:
            out.append(row)
    out.sort(key=lambda e: (-e.claims, -e.about, e.name.casefold(), e.iri))
    log.debug("list_entities(name=%r, type=%r): %d rows", name, type, len(out))
    return out
