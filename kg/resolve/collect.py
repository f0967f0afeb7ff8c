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
    rows = store.iter_rows(_MENTIONS)
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
    for r in store.iter_rows(_RELAYS):
        app = r["step"].rsplit("/via/", 1)[0]
        via = entity_of.get(r["via"], r["via"])  # a relaying claimant is its entity
        relays[app].append((int(r["i"]), via))
    mentions: dict[str, set[str]] = defaultdict(set)
    for r in store.iter_rows(_APP_MENTIONS):
        if r["m"] in entity_of:
            mentions[r["app"]].add(entity_of[r["m"]])
    out: list[AppearanceRecord] = []
    for r in store.iter_rows(_APPEARANCES):
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


#: what detection reads of the resolved claims: one flat query per property, joined in
#: Python.  (One query with a GROUP BY over nested OPTIONALs grew with the square of the
#: claims: 12 s for 4,770 claims, 48 s for 9,527.)  Each row is (?claim, ?v).
_DETECTION_PARTS = {
    "text": "GRAPH kgr_graph:resolved { ?claim a kg:Claim ; schema:text ?v }",
    "stance": "GRAPH kgr_graph:resolved { ?claim kg:stance ?v }",
    "who": "GRAPH kgr_graph:resolved { ?claim prov:wasAttributedTo ?v0 } BIND(STR(?v0) AS ?v)",
    "date": "GRAPH kgr_graph:resolved { ?claim kg:firstSeen ?v0 } BIND(STR(?v0) AS ?v)",
    "hedge": "GRAPH kgr_graph:resolved { ?claim kg:hedge ?v }",
    "mentions": "GRAPH kgr_graph:resolved { ?claim schema:mentions ?v0 } BIND(STR(?v0) AS ?v)",
    "first": "GRAPH kgr_graph:resolved { ?claim kg:firstAppearance ?v0 } BIND(STR(?v0) AS ?v)",
    # keyed by entity (names) and by appearance (cue, article), not by claim
    "name": "GRAPH kgr_graph:resolved { ?claim schema:name ?v }",
    "cue": "?claim kg:cueText ?v",
    "doc": "?claim schema:isPartOf ?article . ?article schema:identifier ?v",
}


def read_detection_claims(store: ClaimStore) -> list[DetectionClaim]:
    """Every resolved claim with what contradiction detection compares (sorted by IRI).

    A property given more than once counts by its least value (its first in
    code-point order), as SPARQL's MIN would; the claimant's name is the least name
    of its claimant entities.
    """
    values: dict[str, dict[str, list[str]]] = {}
    for part, pattern in _DETECTION_PARTS.items():
        query = f"SELECT ?claim ?v WHERE {{ {pattern} }}".replace("kgr_graph:resolved", f"<{RESOLVED_GRAPH.value}>")
        got: dict[str, list[str]] = defaultdict(list)
        for r in store.iter_rows(query):
            if r["v"] is not None:
                got[r["claim"]].append(r["v"])
        values[part] = got

    def least(part: str, key: str | None) -> str | None:
        found = values[part].get(key) if key is not None else None
        return min(found) if found else None

    out: list[DetectionClaim] = []
    for iri in sorted(values["text"]):
        whos = values["who"].get(iri, [])
        names = [n for w in set(whos) for n in values["name"].get(w, ())]
        firsts = values["first"].get(iri, [])
        cues = [c for f in set(firsts) for c in values["cue"].get(f, ())]
        docs = [d for f in set(firsts) for d in values["doc"].get(f, ())]
        out.append(
            DetectionClaim(
                iri=iri,
                text=min(values["text"][iri]),
                claimant=min(whos) if whos else None,
                claimant_name=min(names) if names else "",
                stance=least("stance", iri) or "assert",
                cue=min(cues) if cues else "",
                date=least("date", iri),
                mentions=tuple(sorted(set(values["mentions"].get(iri, ())))),
                hedge=least("hedge", iri),
                doc_id=min(docs) if docs else None,
            )
        )
    return out
