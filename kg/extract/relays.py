"""Through whom a claim reached the article: the outlets and people that relayed it, nearest first.

    >>> relays_of(cue, speaker_head, names)       # "told BuzzFeed News", "speaking to Bild" -> ["BuzzFeed News"]
    >>> quoted_speaker(cue)                        # "Tass quoted the mayor as saying": the mayor's token
    >>> claims = relay_nested(claims, outlet)      # "X said Y, Reuters reported": X's claim, relayed by Reuters

The phrases kg reads:

- an outlet the claimant spoke to: "told the BBC", "in an interview with CNN", "speaking to
  Portfolio.hu", "speaking on al-Masirah TV", "in a DW report", "as reported by the Daily News";
- an outlet or a person reporting what someone said: "X said Y, Reuters reported",
  "Reuters reported X said Y", "the president's office said the president had stressed Y"
  (the office is the relay of the president's claim);
- an outlet quoting or citing its source: "Tass quoted X as saying", "Reuters, citing
  sources, reported": the source is the claimant, the outlet the relay.

Not relays: the outlet the article belongs to, and a platform alone ("on Telegram").  The
word lists are data (``kg/data/relays.json``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from importlib import resources

from spacy.tokens import Token

from kg.records import Claim
from kg.resolve.names import OUTLET_WORDS, DocumentNames, clean_name, name_key

__all__ = ["RelayRules", "as_saying_content", "citing_source", "is_citing", "outlet_name", "quoted_speaker",
           "looks_like_outlet", "relay_nested", "relay_rules", "relays_of", "reported_subject"]

#: words that name the people a claimant spoke to, never an outlet: "told reporters"
AUDIENCE_WORDS = frozenset({"reporters", "journalists", "press", "media", "audience", "crowd", "supporters",
                            "lawmakers", "congress", "parliament", "viewers", "listeners", "readers"})
#: the share of an outer claim's content an inner attribution must fill for the outer one to be only its report
REPORT_COVER = 0.8
NEUTRAL_STANCES = frozenset({"assert", "report", "confirm"})
_WEB_NAME = re.compile(r"\w\.(?:com|net|org|co|info|[a-z]{2})(?:\.[a-z]{2})?$")


@dataclass(frozen=True)
class RelayRules:
    """Word lists of :mod:`kg.extract.relays` (from ``kg/data/relays.json``)."""

    told_cues: frozenset[str]
    report_nouns: frozenset[str]
    speaking_verbs: frozenset[str]
    quoting_cues: frozenset[str]
    citing_verbs: frozenset[str]
    media_nouns: frozenset[str]
    platforms: frozenset[str]


@lru_cache(maxsize=1)
def relay_rules() -> RelayRules:
    data = json.loads(resources.files("kg").joinpath("data/relays.json").read_text(encoding="utf-8"))
    return RelayRules(**{k: frozenset(v) for k, v in data.items() if not k.startswith("_")})


def looks_like_outlet(name: str) -> bool:
    """Whether a name is a news outlet's by its words: "Daily News", "Reuters", "Znak.com"."""
    return bool(set(name_key(name).split()) & OUTLET_WORDS) or _WEB_NAME.search(name) is not None


def outlet_name(token: Token, names: DocumentNames, rules: RelayRules | None = None) -> str | None:
    """The outlet named by the phrase headed by ``token`` ("BuzzFeed News", "state media"), if it names one."""
    rules = rules or relay_rules()
    span = token.doc[token.left_edge.i : token.right_edge.i + 1]
    if token.pos_ == "PRON" or name_key(span.text) in rules.platforms:
        return None
    for child in token.children:  # "the public broadcaster ARD", "the newspaper, Le Monde": the name
        if child.dep_ in ("appos", "npadvmod") and child.pos_ == "PROPN" and token.lower_ in rules.media_nouns:
            return clean_name(token.doc[child.left_edge.i:child.right_edge.i + 1].text, person=False)
    if token.lower_ in rules.media_nouns and token.pos_ == "NOUN" and any(
            c.dep_ in ("amod", "compound") for c in token.children):
        # "state media", "local media", "a German newspaper": an outlet the text leaves unnamed
        words = [t.text for t in span if t.i == token.i or (t.head.i == token.i and t.dep_ in ("amod", "compound"))]
        return " ".join(words)
    if token.lower_ in AUDIENCE_WORDS:
        return None
    mention = names.mention_at(span.start_char, span.end_char)
    if token.pos_ == "PROPN" and _WEB_NAME.search(token.text) and (mention is None or mention.type != "person"):
        return clean_name(span.text, person=False)  # "Znak.com", "Portfolio.hu": a news site
    text = mention.name if mention is not None and mention.type in ("organisation", "government") else None
    words = set(name_key(span.text).split())
    if text is None and token.pos_ == "PROPN" and words & OUTLET_WORDS:
        text = clean_name(span.text, person=False)
    if text is None:
        return None
    if not (set(name_key(text).split()) & OUTLET_WORDS) and (mention is None or mention.type != "organisation"):
        return None
    return text


def _outlets_of_report(noun: Token, names: DocumentNames, rules: RelayRules) -> list[str]:
    """"an interview with CNN", "CNN's interview", "a DW report", "the News.com.au report": the outlets."""
    found = []
    for sub in noun.children:
        if sub.dep_ == "prep" and sub.lower_ in ("with", "to", "on", "in", "for", "by"):
            found += [n for obj in sub.children if obj.dep_ == "pobj" and (n := outlet_name(obj, names, rules))]
        elif sub.dep_ in ("poss", "compound", "nmod") and sub.pos_ == "PROPN":
            name = outlet_name(sub, names, rules)
            if name:
                found.append(name)
    return found


def _outlets_of_phrase(prep: Token, names: DocumentNames, rules: RelayRules) -> list[str]:
    """The outlets a prepositional phrase names: "to the BBC", "in an interview with CNN", "in a DW report"."""
    found = []
    for obj in prep.children:
        if obj.dep_ != "pobj":
            continue
        if obj.lemma_.lower() in rules.report_nouns:
            found += _outlets_of_report(obj, names, rules)
        elif (name := outlet_name(obj, names, rules)) is not None:
            found.append(name)
    return found


def _spoken_to(verb: Token, names: DocumentNames, rules: RelayRules) -> list[str]:
    """Outlets a speaking verb names: "speaking to Bild", "speaking on al-Masirah TV", "giving an interview to X"."""
    found = []
    for child in verb.children:
        if child.dep_ == "prep" and child.lower_ in ("to", "with", "on", "in", "for"):
            found += _outlets_of_phrase(child, names, rules)
        elif child.dep_ in ("dobj", "dative") and child.lemma_.lower() in rules.report_nouns:
            found += _outlets_of_report(child, names, rules)
            for sib in verb.children:  # "giving an interview to X": the outlet hangs from the verb
                if sib.dep_ in ("dative", "prep") and sib.lower_ == "to":
                    found += [n for obj in sib.children if obj.dep_ == "pobj" and (n := outlet_name(obj, names, rules))]
    return found


def relays_of(cue: Token, speaker_head: Token | None, names: DocumentNames,
              rules: RelayRules | None = None) -> list[str]:
    """Outlets the claimant spoke to or through, as the cue's clause names them (each once, in text order)."""
    rules = rules or relay_rules()
    found: list[str] = []
    for child in cue.children:
        if child.dep_ in ("dative", "dobj") and cue.lemma_ in rules.told_cues:
            name = outlet_name(child, names, rules)
            if name:
                found.append(name)
        if child.dep_ == "prep" and child.lower_ in ("to", "with", "in", "on", "according"):
            found += _outlets_of_phrase(child, names, rules)
        if child.dep_ == "advcl" and child.lemma_.lower() in rules.speaking_verbs:
            found += _spoken_to(child, names, rules)  # "Speaking to Bild, the minister said"
        if child.dep_ == "advcl" and child.lemma_ == "report":  # "as reported by the Daily News"
            for agent in child.children:
                if agent.dep_ == "agent":
                    found += [n for obj in agent.children if obj.dep_ == "pobj" and (n := outlet_name(obj, names, rules))]
    if speaker_head is None:
        speaker_head = next((c for c in cue.children if c.dep_ in ("nsubj", "nsubjpass")), None)
    for child in (speaker_head.children if speaker_head is not None else ()):
        if child.dep_ == "poss" and child.pos_ == "PROPN":  # "the BBC's Jonathan Marcus said": his outlet
            name = outlet_name(child, names, rules)
            if name and set(name_key(name).split()) & OUTLET_WORDS:  # not "Meta's lawyer", "the UN's chief"
                found.append(name)
    writing = list(speaker_head.children) if speaker_head is not None else []
    for child in writing:  # "X, writing for Y, reported"; "X, speaking to Y, said"
        if child.dep_ in ("acl", "appos", "advcl") and child.lemma_.lower() in rules.speaking_verbs:
            found += _spoken_to(child, names, rules)
    seen: set[str] = set()
    return [n for n in found if not (name_key(n) in seen or seen.add(name_key(n)))]


def _says(token: Token) -> bool:
    return token.lemma_ == "say" and token.tag_ == "VBG"


def _quoting_verb(cue: Token, rules: RelayRules) -> Token | None:
    """The quoting verb of a cue: the cue itself ("quoted"), or the verb a "saying" cue hangs
    from ("quoted X as saying", "reported him saying")."""
    if cue.lemma_.lower() in rules.quoting_cues:
        return cue
    if _says(cue):
        for up in (cue.head, cue.head.head, cue.head.head.head):
            if up.lemma_.lower() in rules.quoting_cues and up.pos_ == "VERB":
                return up
            if up.dep_ not in ("prep", "pcomp", "acl", "dobj", "advcl"):
                break
    return None


def quoted_speaker(cue: Token | None, rules: RelayRules | None = None) -> Token | None:
    """The person an outlet quotes: "Tass quoted X as saying", "Reuters reported him saying": X's token.

    ``cue`` may be the quoting verb or the "saying" under it.
    """
    rules = rules or relay_rules()
    cue = _quoting_verb(cue, rules) if cue is not None else None
    if cue is None:
        return None
    for obj in cue.children:
        if obj.dep_ != "dobj" or obj.pos_ not in ("NOUN", "PROPN", "PRON"):
            continue
        saying = [t for t in (*cue.children, *obj.children) if _says(t)]
        saying += [g for t in (*cue.children, *obj.children) if t.lower_ == "as" for g in t.children if _says(g)]
        if saying:
            return obj
    return None


def as_saying_content(cue: Token, rules: RelayRules | None = None) -> tuple[int, int] | None:
    """What a quoting verb's source said, in characters: the words after "as saying" to the end of the sentence."""
    rules = rules or relay_rules()
    if quoted_speaker(cue, rules) is None:
        return None
    verb = _quoting_verb(cue, rules)
    saying = [t for t in verb.subtree if _says(t)]
    if not saying:
        return None
    start = saying[0].i + 1
    end = saying[0].sent.end
    doc = cue.doc
    while end > start and (doc[end - 1].is_punct or doc[end - 1].is_space):
        end -= 1
    if end - start < 2:
        return None
    return doc[start].idx, doc[end - 1].idx + len(doc[end - 1].text)


def is_citing(cue: Token | None, rules: RelayRules | None = None) -> bool:
    """Whether a cue is the "citing" of an outlet's report ("Reuters, citing sources, reported"): not a claim."""
    rules = rules or relay_rules()
    return cue is not None and cue.lemma_.lower() in rules.citing_verbs and cue.dep_ == "advcl" and cue.tag_ == "VBG"


def reported_subject(cue: Token | None, rules: RelayRules | None = None) -> Token | None:
    """The speaker the parser made the object of a reporting verb: "Znak.com reported its source said
    that ...", parsed with "its source" the object of "reported": the source's token."""
    rules = rules or relay_rules()
    if cue is None or cue.dep_ != "ccomp" or any(c.dep_ in ("nsubj", "nsubjpass") for c in cue.children):
        return None
    verb = cue.head
    if verb.lemma_.lower() not in rules.quoting_cues | rules.told_cues:
        return None
    return next((c for c in verb.children if c.dep_ == "dobj" and c.right_edge.i == cue.i - 1
                 and c.pos_ in ("NOUN", "PROPN")), None)


def citing_source(cue: Token | None, rules: RelayRules | None = None) -> Token | None:
    """The source an outlet cites: "Reuters, citing anonymous sources, reported": the sources' token."""
    rules = rules or relay_rules()
    if cue is None:
        return None
    for child in cue.children:
        if child.dep_ == "advcl" and child.lemma_.lower() in rules.citing_verbs:
            for obj in child.children:
                if obj.dep_ == "dobj" and obj.pos_ in ("NOUN", "PROPN"):
                    return obj
    return None


def _bare(name: str) -> str:
    """A name's key without a leading "the": "The Guardian" and "Guardian" are one outlet."""
    return name_key(name).removeprefix("the ")


def _extent(claim: Claim) -> tuple[int, int]:
    points = [claim.content.start, claim.content.end]
    for piece in (claim.speaker, claim.cue):
        if piece is not None and piece.end > piece.start:
            points += [piece.start, piece.end]
    return min(points), max(points)


def relay_nested(claims: Sequence[Claim], own_outlet: str | None = None, drop_reports: bool = True) -> list[Claim]:
    """Claims with relays through the claims that report them, the bare reports dropped, the article's own
    outlet never a relay.

    A claim whose attribution (speaker, cue and content) fills another claim's content
    (``REPORT_COVER``) was reported by that other claim's speaker: "X said Y, Reuters
    reported" gives X's claim the relay Reuters (put nearest the article, before the relays
    it had), and the bare report is dropped (kept with ``drop_reports=False``, for gold that
    annotates nested attributions, as PolNeAR does).  Only a neutral report counts ("said",
    "reported"); "Y denied that X said Z" keeps both.
    """
    own = _bare(own_outlet) if own_outlet else ""
    out: list[Claim] = []
    dropped: set[int] = set()
    relays: dict[int, tuple[str, ...]] = {k: c.relay for k, c in enumerate(claims)}
    for k, outer in enumerate(claims):
        if outer.speaker is None or outer.cue is None:
            continue
        for j, inner in enumerate(claims):
            if j == k or inner.cue is None or inner.speaker is None or inner.speaker.type == "unknown":
                continue  # an inner "claim" whose speaker is no known source is more often a misparse
            if not (outer.content.start <= inner.cue.start < outer.content.end):
                continue
            if name_key(inner.speaker.name) == name_key(outer.speaker.name):
                continue
            start, end = _extent(inner)
            covered = min(end, outer.content.end) - max(start, outer.content.start)
            if outer.stance not in NEUTRAL_STANCES or covered < REPORT_COVER * (outer.content.end - outer.content.start):
                continue  # the inner claim is a part of what the outer one says, not what it reports
            if outer.speaker.name not in relays[j]:
                relays[j] = (outer.speaker.name,) + relays[j]
            if drop_reports:
                dropped.add(k)
    for k, claim in enumerate(claims):
        if k in dropped:
            continue
        kept = tuple(r for r in relays[k] if _bare(r) != own
                     and (claim.speaker is None or name_key(r) != name_key(claim.speaker.name)))
        out.append(replace(claim, relay=kept) if kept != claim.relay else claim)
    return out
