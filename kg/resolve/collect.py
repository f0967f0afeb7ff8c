"""Read what the article graphs of a store say, as input to resolution across articles."""

from __future__ import annotations

import hashlib
import logging
from collections import defaultdict

from kg.build.rdf import RESOLVED_GRAPH
from kg.resolve.claims import AppearanceRecord
from kg.resolve.contradictions import DetectionClaim
from kg.resolve.entities import NameMention
from kg.store.oxigraph_store import ClaimStore

log = logging.getLogger(__name__)

__all__ = ["read_mentions", "read_appearances", "articles_digest", "read_detection_claims"]

_SEP = "\u001f"

_MENTIONS = f"""
SELECT ?m ?doc_id ?date ?name ?anonymous
  (GROUP_CONCAT(DISTINCT ?alias; separator="{_SEP}") AS ?aliases)
  (GROUP_CONCAT(DISTINCT ?type; separator="{_SEP}") AS ?types)
  (GROUP_CONCAT(DISTINCT ?aff; separator="{_SEP}") AS ?affiliations)
WHERE {{
  ?m a kg:Mention ; kg:inArticle ?a ; kg:nameInArticle ?name .
  ?a schema:identifier ?doc_id .
  OPTIONAL {{ ?a schema:datePublished ?date0 }} BIND(STR(?date0) AS ?date)
  OPTIONAL {{ ?m kg:anonymous ?anonymous }}
  OPTIONAL {{ ?m kg:writtenAs ?alias }}
  OPTIONAL {{ ?m kg:entityType ?type }}
  OPTIONAL {{ ?m kg:affiliation ?aff }}
}}
GROUP BY ?m ?doc_id ?date ?name ?anonymous
"""

_APPEARANCES = """
SELECT ?app ?a ?doc_id ?start ?content ?claim_text ?speaker ?stance ?kind ?hedge ?udate ?pdate ?outlet
WHERE {
  ?app a kg:Appearance ; schema:isPartOf ?a ; kg:contentStart ?start ; kg:contentText ?content .
  ?a schema:identifier ?doc_id .
  OPTIONAL { ?app kg:claimText ?claim_text }
  OPTIONAL { ?app kg:speaker ?speaker }
  OPTIONAL { ?app kg:stance ?stance }
  OPTIONAL { ?app kg:kind ?kind }
  OPTIONAL { ?app kg:hedge ?hedge }
  OPTIONAL { ?app kg:utteranceDate ?udate }
  OPTIONAL { ?app schema:datePublished ?pdate }
  OPTIONAL { ?a schema:publisher ?outlet }
}
"""

_RELAYS = "SELECT ?step ?i ?via WHERE { ?step a kg:Report ; kg:relayPosition ?i ; prov:wasAttributedTo ?via }"
_APP_MENTIONS = "SELECT ?app ?m WHERE { ?app a kg:Appearance ; kg:mentions ?m }"
_ARTICLES = "SELECT ?doc_id ?hash WHERE { ?a a schema:NewsArticle ; schema:identifier ?doc_id ; kg:contentHash ?hash }"


def _split(value: str | None) -> tuple[str, ...]:
    return tuple(sorted(v for v in (value or "").split(_SEP) if v))


def read_mentions(store: ClaimStore) -> list[NameMention]:
    """Every ``kg:Mention`` of every article, with its forms, types and affiliations."""
    rows = store.query(_MENTIONS)
    assert isinstance(rows, list)
    return [
        NameMention(
            iri=r["m"],
            doc_id=r["doc_id"],
            name=r["name"],
            aliases=_split(r["aliases"]),
            types=_split(r["types"]),
            affiliations=_split(r["affiliations"]),
            anonymous=bool(r["anonymous"]),
            date=r["date"],
        )
        for r in rows
    ]


def read_appearances(store: ClaimStore, entity_of: dict[str, str]) -> list[AppearanceRecord]:
    """Every appearance, its speaker and mentions mapped through ``entity_of`` (mention -> entity IRI)."""
    relays: dict[str, list[tuple[int, str]]] = defaultdict(list)
    for r in store.query(_RELAYS):  # type: ignore[union-attr]
        app = r["step"].rsplit("/via/", 1)[0]
        via = entity_of.get(r["via"], r["via"])  # a relaying claimant is its entity
        relays[app].append((int(r["i"]), via))
    mentions: dict[str, set[str]] = defaultdict(set)
    for r in store.query(_APP_MENTIONS):  # type: ignore[union-attr]
        if r["m"] in entity_of:
            mentions[r["app"]].add(entity_of[r["m"]])
    out: list[AppearanceRecord] = []
    for r in store.query(_APPEARANCES):  # type: ignore[union-attr]
        app = r["app"]
        out.append(
            AppearanceRecord(
                iri=app,
                doc_id=r["doc_id"],
                article=r["a"],
                start=int(r["start"]),
                text=r["claim_text"] or r["content"],
                claimant=entity_of.get(r["speaker"]) if r["speaker"] else None,
                stance=r["stance"] or "assert",
                kind=r["kind"] or "indirect",
                hedge=r["hedge"],
                date=r["udate"] or r["pdate"],
                outlet=r["outlet"],
                relays=tuple(v for _, v in sorted(relays.get(app, ()))),
                mentions=tuple(sorted(mentions.get(app, ()))),
            )
        )
    return out


def articles_digest(store: ClaimStore) -> str:
    """A digest of which article versions the store holds (ids and content hashes)."""
    rows = store.query(_ARTICLES)
    assert isinstance(rows, list)
    h = hashlib.sha256()
    for doc_id, digest in sorted((r["doc_id"], r["hash"]) for r in rows):
        h.update(f"{doc_id}\t{digest}\n".encode("utf-8"))
    return h.hexdigest()[:32]


_DETECTION_CLAIMS = f"""
SELECT ?claim (MIN(?text0) AS ?text) (MIN(?stance0) AS ?stance) (MIN(STR(?who0)) AS ?who) (MIN(?name0) AS ?name)
  (MIN(STR(?date0)) AS ?date) (MIN(?hedge0) AS ?hedge) (MIN(?cue0) AS ?cue) (MIN(?doc0) AS ?doc_id)
  (GROUP_CONCAT(DISTINCT STR(?m); separator="{_SEP}") AS ?mentions)
WHERE {{
  GRAPH kgr_graph:resolved {{
    ?claim a kg:Claim ; schema:text ?text0 .
    OPTIONAL {{ ?claim kg:stance ?stance0 }}
    OPTIONAL {{ ?claim prov:wasAttributedTo ?who0 . OPTIONAL {{ ?who0 schema:name ?name0 }} }}
    OPTIONAL {{ ?claim kg:firstSeen ?date0 }}
    OPTIONAL {{ ?claim kg:hedge ?hedge0 }}
    OPTIONAL {{ ?claim schema:mentions ?m }}
    OPTIONAL {{ ?claim kg:firstAppearance ?first }}
  }}
  OPTIONAL {{ ?first kg:cueText ?cue0 }}
  OPTIONAL {{ ?first schema:isPartOf ?article . ?article schema:identifier ?doc0 }}
}}
GROUP BY ?claim
"""


def read_detection_claims(store: ClaimStore) -> list[DetectionClaim]:
    """Every resolved claim with what contradiction detection compares (sorted by IRI)."""
    query = _DETECTION_CLAIMS.replace("kgr_graph:resolved", f"<{RESOLVED_GRAPH.value}>")
    seen: dict[str, DetectionClaim] = {}
    for r in store.query(query):  # type: ignore[union-attr]
        seen[r["claim"]] = DetectionClaim(
            iri=r["claim"],
            text=r["text"],
            claimant=r["who"],
            claimant_name=r["name"] or "",
            stance=r["stance"] or "assert",
            cue=r["cue"] or "",
            date=r["date"],
            mentions=_split(r["mentions"]),
            hedge=r["hedge"],
            doc_id=r["doc_id"],
        )
    return [seen[k] for k in sorted(seen)]
