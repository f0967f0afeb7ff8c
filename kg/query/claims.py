"""Who claimed what, when and where: one row per appearance of a claim.

Every user value (``by``, ``about``, ``since``, ``until``) is bound through
pyoxigraph's ``substitutions``; the query text is assembled only from fixed
fragments chosen by which filters are set.
"""

from __future__ import annotations

import logging
import re
from dataclasses import asdict, dataclass
from datetime import date as _date
from typing import Any

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

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


# Oxigraph's union default graph repeats a triple once per article graph holding it,
# and claims / entities are described in every article they appear in.  Joining
# through the union would multiply rows (quadratically in a claim's appearances), so
# each appearance is matched inside its own article graph, which is self-contained;
# name/alias/text filters are reduced to distinct IRIs in sub-selects first.
_SELECT = """
SELECT {params} ?app ?claim ?start ?end ?doc_id
  (MIN(?content0) AS ?content)
  (MIN(?cname) AS ?claimant)
  (GROUP_CONCAT(DISTINCT ?ctype; separator="|") AS ?claimant_types)
  (MIN(?cue0) AS ?cue)
  (MIN(?date0) AS ?date)
  (MIN(?udate0) AS ?utterance_date)
  (MIN(?title0) AS ?article_title)
  (MIN(?outlet0) AS ?outlet)
  (MIN(?relay0) AS ?relay)
  (MIN(?sentence0) AS ?sentence)
  (MIN(?stance0) AS ?stance)
  (COALESCE(MIN(?udate0), MIN(?date0)) AS ?sort_date)
WHERE {{
  GRAPH ?g {{
    ?app a kg:Appearance ;
         kg:ofClaim ?claim ;
         schema:isPartOf ?article ;
         kg:contentStart ?start ;
         kg:contentEnd ?end .
    ?article schema:identifier ?doc_id .
    OPTIONAL {{ ?app kg:contentText ?app_text }}
    OPTIONAL {{ ?claim schema:text ?claim_text }}
    BIND(COALESCE(?app_text, ?claim_text) AS ?content0)
    OPTIONAL {{
      ?claim prov:wasAttributedTo ?who .
      OPTIONAL {{ ?who schema:name ?cname }}
      OPTIONAL {{ ?who kg:entityType ?ctype }}
    }}
    OPTIONAL {{ ?app kg:cueText ?cue0 }}
    OPTIONAL {{ ?article schema:datePublished ?article_date }}
    OPTIONAL {{ ?app schema:datePublished ?app_date }}
    BIND(STR(COALESCE(?article_date, ?app_date)) AS ?date0)
    OPTIONAL {{ ?app kg:utteranceDate ?udate }}
    BIND(STR(?udate) AS ?udate0)
    BIND(COALESCE(?udate0, ?date0) AS ?key_date)
    OPTIONAL {{ ?article schema:headline ?title0 }}
    OPTIONAL {{ ?article schema:publisher ?publisher . ?publisher schema:name ?outlet0 }}
    OPTIONAL {{ ?app kg:relayChain ?relay0 }}
    OPTIONAL {{ ?app kg:sentence ?sentence0 }}
    OPTIONAL {{ ?app kg:stance ?app_stance }}
    OPTIONAL {{ ?claim kg:stance ?claim_stance }}
    BIND(COALESCE(?app_stance, ?claim_stance) AS ?stance0)
{graph_filters}  }}
{filters}}}
GROUP BY {params} ?app ?claim ?start ?end ?doc_id
ORDER BY (!BOUND(?sort_date)) ?sort_date ?doc_id ?start ?end ?claim
"""

# claims whose claimant has a matching name or alias (in any article)
_BY = """
  GRAPH ?g { ?claim prov:wasAttributedTo ?by_who }
  {
    SELECT DISTINCT ?by_q ?by_who WHERE {
      { ?by_who schema:name ?by_name } UNION { ?by_who kg:alias ?by_name }
      FILTER(CONTAINS(LCASE(STR(?by_name)), LCASE(STR(?by_q))))
    }
  }
"""

# claims mentioning a matching entity, or whose text (in any article) matches
_ABOUT = """
  {
    SELECT DISTINCT ?about_q ?claim WHERE {
      {
        ?claim schema:mentions ?about_ent .
        {
          SELECT DISTINCT ?about_q ?about_ent WHERE {
            { ?about_ent schema:name ?about_name } UNION { ?about_ent kg:alias ?about_name }
            FILTER(CONTAINS(LCASE(STR(?about_name)), LCASE(STR(?about_q))))
          }
        }
      } UNION {
        ?claim schema:text ?about_text
        FILTER(CONTAINS(LCASE(STR(?about_text)), LCASE(STR(?about_q))))
      }
    }
  }
"""

_SINCE = "    FILTER(BOUND(?key_date) && ?key_date >= STR(?since_q))\n"
_UNTIL = "    FILTER(BOUND(?key_date) && ?key_date <= STR(?until_q))\n"

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


def _claimant_type(types: str | None) -> str | None:
    """One type for a claimant seen with several: the first known one, alphabetically."""
    if not types:
        return None
    seen = sorted(set(types.split("|")))
    known = [t for t in seen if t != "unknown"]
    return (known or seen)[0]


def find_claims(
    store: ClaimStore,
    *,
    by: str | None = None,
    about: str | None = None,
    since: str | _date | None = None,
    until: str | _date | None = None,
    limit: int | None = None,
) -> list[ClaimRow]:
    """Appearances of claims, ordered by (utterance date or article date), doc id, offset.

    ``by``: case-insensitive substring of the claimant's name or any of its aliases.
    ``about``: case-insensitive substring of a mentioned entity's name or alias, or of
    the claim's text.  ``since`` / ``until``: inclusive ``YYYY-MM-DD`` bounds on the
    utterance date (the article date when the utterance date is unknown); undated
    appearances are left out when either is given.  Undated rows sort last.
    """
    params: dict[str, str] = {}
    filters: list[str] = []
    graph_filters: list[str] = []
    if by is not None:
        params["by_q"] = str(by)
        filters.append(_BY)
    if about is not None:
        params["about_q"] = str(about)
        filters.append(_ABOUT)
    if since is not None:
        params["since_q"] = _check_date("since", since)
        graph_filters.append(_SINCE)
    if until is not None:
        params["until_q"] = _check_date("until", until)
        graph_filters.append(_UNTIL)
    if limit is not None and (not isinstance(limit, int) or isinstance(limit, bool) or limit < 0):
        raise ValueError(f"limit must be a non-negative int, got {limit!r}")

    sparql = _SELECT.format(
        params=" ".join(f"?{k}" for k in params), filters="".join(filters), graph_filters="".join(graph_filters)
    )
    if limit is not None:
        sparql += f"LIMIT {int(limit)}\n"  # an int we checked, not user text
    rows = store.query(sparql, params or None)
    assert isinstance(rows, list)
    out = [
        ClaimRow(
            claim=r["claim"],
            claimant=r["claimant"],
            claimant_type=_claimant_type(r["claimant_types"]),
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
        )
        for r in rows
    ]
    log.debug("find_claims(by=%r, about=%r, since=%r, until=%r): %d rows", by, about, since, until, len(out))
    return out
