"""Claim identity across articles: the same claimant saying nearly the same thing is one claim.

Every appearance of a claim in an article (a ``kg:Appearance``) is assigned to a
claim.  Two appearances are one claim when their claimants are the same entity
and their contents are the same after :func:`~kg.build.rdf.normalise_content`, or
nearly the same: word sets overlapping by at least :data:`NEAR` (Jaccard), as
when outlets trim a quote differently or report it with shifted tenses ("have" /
"had") — but never when one of them negates or gives other numbers.  Claims of *different* claimants that say
the same (or nearly the same) are linked as supporting each other.

For each claim: its appearances, the first (earliest date, then article id and
offset), the number of appearances and of independent outlets — an appearance
counts for the outlet it came from: the farthest relay when it was relayed
("sources told The Washington Post" in an Axios story counts for the Post), else
the article's publisher, else the article itself.
"""

from __future__ import annotations

import hashlib
import logging
import re
from array import array
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from kg.build.rdf import claim_iri, normalise_content

log = logging.getLogger(__name__)

__all__ = ["AppearanceRecord", "ResolvedClaim", "resolve_claims", "NEAR"]

#: word-set Jaccard at and above which two contents are "nearly the same"
NEAR = 0.8
_SHINGLE = 4
_MAX_BUCKET = 200  # shingles shared by more claims than this are too common to pair on


@dataclass(frozen=True)
class AppearanceRecord:
    """One appearance of a claim as stored in its article graph."""

    iri: str
    doc_id: str
    article: str  # article IRI
    start: int
    text: str  # the claim's words as written (interruptions of a split quote left out)
    claimant: str | None  # entity IRI (after resolution)
    stance: str = "assert"
    kind: str = "indirect"
    hedge: str | None = None
    date: str | None = None  # utterance date, else the article's date
    outlet: str | None = None  # the article's publisher IRI
    relays: tuple[str, ...] = ()  # relay IRIs, nearest first
    mentions: tuple[str, ...] = ()  # entity IRIs


@dataclass
class ResolvedClaim:
    iri: str
    claimant: str | None
    text: str
    stance: str
    kind: str
    hedge: str | None
    appearances: list[AppearanceRecord]
    first: AppearanceRecord
    outlets: int  # independent outlets
    mentions: list[str] = field(default_factory=list)
    supports: list[str] = field(default_factory=list)  # claims of other claimants saying the same


_WORD = re.compile(r"\w+", re.UNICODE)

#: reported speech shifts tenses ("have" -> "had"): compare the words unshifted
_BACKSHIFT = {"had": "have", "has": "have", "was": "is", "were": "are", "would": "will", "could": "can",
              "might": "may", "should": "shall", "am": "is"}
_NEGATIONS = frozenset("not no never nobody nothing none neither nor cannot n't t".split())


def _words(norm: str) -> frozenset[str]:
    return frozenset(_BACKSHIFT.get(w, w) for w in _WORD.findall(norm))


def _compatible(a: frozenset[str], b: frozenset[str]) -> bool:
    """Near-identical wording is not enough if one negates or counts differently."""
    if (a & _NEGATIONS) != (b & _NEGATIONS):
        return False
    return {w for w in a if any(ch.isdigit() for ch in w)} == {w for w in b if any(ch.isdigit() for ch in w)}


def _shingles(norm: str) -> set[tuple[str, ...]]:
    words = _WORD.findall(norm)
    if len(words) < _SHINGLE:
        return {tuple(words)} if words else set()
    return {tuple(words[i : i + _SHINGLE]) for i in range(len(words) - _SHINGLE + 1)}


def _jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)


class _UF:
    def __init__(self, items: Sequence[str]) -> None:
        self.parent = {x: x for x in items}

    def find(self, x: str) -> str:
        while self.parent[x] != x:
            self.parent[x] = self.parent[self.parent[x]]
            x = self.parent[x]
        return x

    def union(self, a: str, b: str) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            if rb < ra:
                ra, rb = rb, ra
            self.parent[rb] = ra


def _near_pairs(norms: Sequence[str], same_group: dict[str, str] | None = None) -> list[tuple[str, str]]:
    """Pairs of distinct normalised contents that are nearly the same (shingle-blocked).

    Contents that share a shingle (a run of words) are compared.  The blocking
    index is two flat arrays (a 64-bit digest of each shingle, the content's
    number) sorted together, not a dict of shingle tuples: 12 bytes a shingle
    instead of ~250, which is what kept resolution's memory growing with the store.
    """
    norms = list(norms)
    digests: array[int] = array("Q")
    owners: array[int] = array("I")
    for i, n in enumerate(norms):
        for sh in _shingles(n):
            digests.append(int.from_bytes(hashlib.blake2b("\x1f".join(sh).encode("utf-8"), digest_size=8).digest(),
                                          "little"))
            owners.append(i)
    if not digests:
        return []
    keys = np.frombuffer(digests, dtype=np.uint64)
    who = np.frombuffer(owners, dtype=np.uint32 if owners.itemsize == 4 else np.uint64)
    order = np.argsort(keys, kind="stable")  # a bucket keeps the order of ``norms``
    keys, who = keys[order], who[order]
    del order
    starts = np.flatnonzero(np.concatenate(([True], keys[1:] != keys[:-1])))
    ends = np.append(starts[1:], len(keys))
    words: dict[str, frozenset[str]] = {}
    pairs: set[tuple[str, str]] = set()
    for start, end in zip(starts.tolist(), ends.tolist()):
        size = end - start
        if size < 2 or size > _MAX_BUCKET:
            continue
        bucket = [norms[j] for j in who[start:end].tolist()]
        for i, a in enumerate(bucket):
            for b in bucket[i + 1 :]:
                if a == b or (a, b) in pairs or (b, a) in pairs:
                    continue
                if same_group is not None and same_group[a] == same_group[b]:
                    continue
                wa = words.get(a) or words.setdefault(a, _words(a))
                wb = words.get(b) or words.setdefault(b, _words(b))
                if _jaccard(wa, wb) >= NEAR and _compatible(wa, wb):
                    pairs.add((min(a, b), max(a, b)))
    return sorted(pairs)


def _origin(app: AppearanceRecord) -> str:
    if app.relays:
        return app.relays[-1]
    return app.outlet or app.article


def _first(apps: Sequence[AppearanceRecord]) -> AppearanceRecord:
    return min(apps, key=lambda a: (a.date is None, a.date or "", a.doc_id, a.start, a.iri))


def resolve_claims(appearances: Sequence[AppearanceRecord]) -> list[ResolvedClaim]:
    """Group appearances into claims and link claims that support each other; sorted by IRI."""
    by_claimant: dict[str, dict[str, list[AppearanceRecord]]] = defaultdict(lambda: defaultdict(list))
    for app in appearances:
        norm = normalise_content(app.text)
        by_claimant[app.claimant or ""][norm].append(app)

    claims: list[ResolvedClaim] = []
    for claimant, groups in sorted(by_claimant.items()):
        uf = _UF(sorted(groups))
        for a, b in _near_pairs(sorted(groups)):
            uf.union(a, b)
        merged: dict[str, list[str]] = defaultdict(list)
        for norm in sorted(groups):
            merged[uf.find(norm)].append(norm)
        for norms in merged.values():
            apps = sorted((a for n in norms for a in groups[n]), key=lambda a: a.iri)
            # the wording most appearances use, then the shortest, then alphabetical
            rep = sorted(norms, key=lambda n: (-len(groups[n]), len(n), n))[0]
            rep_app = _first(groups[rep])
            first = _first(apps)
            stance = sorted(Counter(a.stance for a in apps).items(), key=lambda kv: (-kv[1], kv[0]))[0][0]
            kind = sorted(Counter(a.kind for a in apps).items(), key=lambda kv: (-kv[1], kv[0]))[0][0]
            hedges = sorted({a.hedge for a in apps if a.hedge})
            claims.append(
                ResolvedClaim(
                    iri=claim_iri(claimant or "unknown", rep).value,
                    claimant=claimant or None,
                    text=rep_app.text,
                    stance=stance,
                    kind=kind,
                    hedge=hedges[0] if hedges else None,
                    appearances=apps,
                    first=first,
                    outlets=len({_origin(a) for a in apps}),
                    mentions=sorted({m for a in apps for m in a.mentions}),
                )
            )

    # different claimants, the same proposition: supporting each other
    norm_of = {c.iri: normalise_content(c.text) for c in claims}
    claims_by_norm: dict[str, list[ResolvedClaim]] = defaultdict(list)
    for c in claims:
        claims_by_norm[norm_of[c.iri]].append(c)
    support: dict[str, set[str]] = defaultdict(set)

    def link(xs: Sequence[ResolvedClaim], ys: Sequence[ResolvedClaim]) -> None:
        for x in xs:
            for y in ys:
                if x.iri != y.iri and x.claimant != y.claimant and x.claimant and y.claimant:
                    support[x.iri].add(y.iri)
                    support[y.iri].add(x.iri)

    for same in claims_by_norm.values():
        link(same, same)
    for a, b in _near_pairs(sorted(claims_by_norm)):
        link(claims_by_norm[a], claims_by_norm[b])
    for c in claims:
        c.supports = sorted(support.get(c.iri, ()))
    claims.sort(key=lambda c: c.iri)
    log.info("claim identity: %d appearances -> %d claims, %d supported", len(appearances), len(claims),
             sum(1 for c in claims if c.supports))
    return claims
