"""Where a claim came from: every appearance, hop by hop, down to its sentence.

claim -> appearance in an article -> the article's outlet -> the outlets or people
it was relayed through (``prov:wasDerivedFrom`` reports, nearest first) -> the
extraction run that found it (kg version, spaCy model and version).
"""

from __future__ import annotations

import logging
import re
from dataclasses import asdict, dataclass, field
from typing import Any

from pyoxigraph import DefaultGraph, NamedNode

from kg.build.namespaces import KG_NS, KGR, RDF_TYPE
from kg.errors import KgError
from kg.store.oxigraph_store import ClaimStore

log = logging.getLogger(__name__)

__all__ = ["Hop", "AppearanceTrail", "ClaimProvenance", "claim_provenance", "find_claim_iri", "ClaimNotFound"]


class ClaimNotFound(KgError, LookupError):
    """No claim (or more than one) matches what the user gave."""


@dataclass
class Hop:
    position: int  # 1 = the nearest relay
    name: str
    kind: str  # outlet | person | organisation | ... (the entity type) | unknown
    iri: str


@dataclass
class AppearanceTrail:
    appearance: str
    doc_id: str
    article: str
    title: str | None
    url: str | None
    date: str | None  # the article's
    utterance_date: str | None
    outlet: str | None
    relays: list[Hop]
    speaker_text: str | None
    cue: str | None
    content: str
    start: int
    end: int
    sentence: str | None
    sentence_start: int | None
    kg_version: str | None
    model: str | None
    model_version: str | None
    first: bool = False


@dataclass
class ClaimProvenance:
    claim: str
    text: str
    claimant: str | None
    claimant_type: str | None
    stance: str | None
    first_seen: str | None
    appearance_count: int
    outlet_count: int
    appearances: list[AppearanceTrail] = field(default_factory=list)
    supported_by: list[dict[str, str | None]] = field(default_factory=list)  # other claimants saying the same

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


_HEX = re.compile(r"^[0-9a-f]{4,}$")


def find_claim_iri(store: ClaimStore, ref: str) -> str:
    """A claim's IRI from its IRI, ``kgr:claim/…``, or a unique prefix of its id (like git)."""
    ref = ref.strip().strip("<>")
    if ref.startswith("kgr:"):
        ref = KGR + ref[4:]
    if ref.startswith("claim/"):
        ref = KGR + ref
    if ref.startswith("http"):
        if not _is_claim(store, NamedNode(ref)):
            raise ClaimNotFound(f"no claim {ref} in the store")
        return ref
    if not _HEX.match(ref):
        raise ClaimNotFound(f"{ref!r} is not a claim IRI or id (the hex after /claim/, at least 4 digits)")
    prefix = f"{KGR}claim/{ref}"
    found = sorted(
        q.subject.value
        for q in store.oxigraph.quads_for_pattern(None, RDF_TYPE, KG_NS.Claim, DefaultGraph())
        if q.subject.value.startswith(prefix)
    )
    if not found:
        raise ClaimNotFound(f"no claim id starts with {ref}")
    if len(found) > 1:
        shown = ", ".join(f.rsplit("/", 1)[-1][:12] for f in found[:5])
        raise ClaimNotFound(f"{ref} is ambiguous: {len(found)} claims start with it ({shown}…)")
    return found[0]


def _is_claim(store: ClaimStore, node: NamedNode) -> bool:
    return any(True for _ in store.oxigraph.quads_for_pattern(node, RDF_TYPE, KG_NS.Claim, DefaultGraph()))


_CLAIM = """
SELECT ?c ?text ?claimant ?ctype ?stance ?first_seen ?count ?outlets ?first WHERE {
  ?c a kg:Claim ; schema:text ?text .
  OPTIONAL { ?c prov:wasAttributedTo ?who . ?who schema:name ?claimant . OPTIONAL { ?who kg:entityType ?ctype } }
  OPTIONAL { ?c kg:stance ?stance }
  OPTIONAL { ?c kg:firstSeen ?fs } BIND(STR(?fs) AS ?first_seen)
  OPTIONAL { ?c kg:appearanceCount ?count }
  OPTIONAL { ?c kg:outletCount ?outlets }
  OPTIONAL { ?c kg:firstAppearance ?first }
}
"""

_APPEARANCES = """
SELECT ?c ?app ?a ?doc_id ?title ?url ?date ?udate ?outlet ?speaker ?cue ?content ?start ?end ?sentence ?sstart
       ?kg_version ?model ?model_version WHERE {
  ?c kg:hasAppearance ?app .
  ?app schema:isPartOf ?a ; kg:contentText ?content ; kg:contentStart ?start ; kg:contentEnd ?end .
  ?a schema:identifier ?doc_id .
  OPTIONAL { ?a schema:headline ?title }
  OPTIONAL { ?a schema:url ?url0 } BIND(STR(?url0) AS ?url)
  OPTIONAL { ?a schema:datePublished ?d } BIND(STR(?d) AS ?date)
  OPTIONAL { ?app kg:utteranceDate ?u } BIND(STR(?u) AS ?udate)
  OPTIONAL { ?a schema:publisher ?o . ?o schema:name ?outlet }
  OPTIONAL { ?app kg:speakerText ?speaker }
  OPTIONAL { ?app kg:cueText ?cue }
  OPTIONAL { ?app kg:sentence ?sentence }
  OPTIONAL { ?app kg:sentenceStart ?sstart }
  OPTIONAL { ?app prov:wasGeneratedBy ?run .
             OPTIONAL { ?run kg:model ?model } OPTIONAL { ?run kg:modelVersion ?model_version }
             OPTIONAL { ?run prov:wasAssociatedWith ?agent . ?agent schema:softwareVersion ?kg_version } }
}
"""

_HOPS = """
SELECT ?c ?app ?i ?via ?name ?etype ?is_outlet WHERE {
  ?c kg:hasAppearance ?app .
  ?app prov:wasDerivedFrom+ ?step .
  ?step a kg:Report ; kg:relayPosition ?i ; prov:wasAttributedTo ?via0 .
  OPTIONAL { ?via0 kg:refersTo ?ent }
  BIND(COALESCE(?ent, ?via0) AS ?via)
  OPTIONAL { ?via schema:name ?name }
  OPTIONAL { ?via kg:entityType ?etype }
  BIND(EXISTS { ?via a kg:Outlet } AS ?is_outlet)
}
"""

_SUPPORTS = """
SELECT ?c ?other ?who ?text WHERE {
  ?c kg:supports ?other . ?other schema:text ?text .
  OPTIONAL { ?other prov:wasAttributedTo ?e . ?e schema:name ?who }
}
"""


def claim_provenance(store: ClaimStore, ref: str) -> ClaimProvenance:
    """The provenance of one claim (IRI, ``kgr:claim/…`` or id prefix); :class:`ClaimNotFound` if none."""
    iri = find_claim_iri(store, ref)
    node = NamedNode(iri)
    rows = store.query(_CLAIM, {"c": node})
    assert isinstance(rows, list)
    if not rows:
        raise ClaimNotFound(f"no claim {iri} in the store")
    r = rows[0]
    prov = ClaimProvenance(
        claim=iri,
        text=r["text"],
        claimant=r["claimant"],
        claimant_type=r["ctype"],
        stance=r["stance"],
        first_seen=r["first_seen"],
        appearance_count=int(r["count"] or 0),
        outlet_count=int(r["outlets"] or 0),
    )
    hops: dict[str, list[Hop]] = {}
    for h in store.query(_HOPS, {"c": node}):  # type: ignore[union-attr]
        kind = "outlet" if h["is_outlet"] else (h["etype"] or "unknown")
        hops.setdefault(h["app"], []).append(Hop(int(h["i"]), h["name"] or h["via"].rsplit("/", 1)[-1], kind, h["via"]))
    for a in store.query(_APPEARANCES, {"c": node}):  # type: ignore[union-attr]
        prov.appearances.append(
            AppearanceTrail(
                appearance=a["app"], doc_id=a["doc_id"], article=a["a"], title=a["title"], url=a["url"],
                date=a["date"], utterance_date=a["udate"], outlet=a["outlet"],
                relays=sorted({(x.position, x.iri): x for x in hops.get(a["app"], [])}.values(), key=lambda x: x.position),
                speaker_text=a["speaker"], cue=a["cue"], content=a["content"], start=int(a["start"]), end=int(a["end"]),
                sentence=a["sentence"], sentence_start=int(a["sstart"]) if a["sstart"] is not None else None,
                kg_version=a["kg_version"], model=a["model"], model_version=a["model_version"],
                first=a["app"] == r["first"],
            )
        )
    prov.appearances.sort(key=lambda t: (t.utterance_date or t.date or "9999", t.doc_id, t.start))
    prov.supported_by = [
        {"claim": s["other"], "claimant": s["who"], "text": s["text"]}
        for s in sorted(store.query(_SUPPORTS, {"c": node}), key=lambda s: s["other"])  # type: ignore[arg-type]
    ]
    return prov
