"""The records that flow through the pipeline: documents in, claims out.

``Document`` is what a reader yields; ``Claim`` is what the extractor yields.
Both are plain dataclasses so a notebook user can build them by hand.
Offsets are Python ``str`` indices (end exclusive) into ``Document.text``
exactly as it was read.
"""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True)
class Document:
    """One news article as read from a file, a line of JSONL/CSV, or stdin."""

    id: str
    text: str
    date: str | None = None  # the article's date, "YYYY-MM-DD"
    title: str | None = None
    url: str | None = None
    outlet: str | None = None  # the publisher ("Reuters", "Wikinews")
    path: str | None = None  # where it was read from ("-" for stdin)
    line: int | None = None  # 1-based line in ``path`` for JSONL/CSV rows

    @property
    def content_hash(self) -> str:
        """SHA-256 of the text and the metadata that end up in the graph."""
        h = hashlib.sha256()
        for part in (self.text, self.date, self.title, self.url, self.outlet):
            h.update((part or "").encode("utf-8"))
            h.update(b"\x00")
        return h.hexdigest()


@dataclass(frozen=True)
class Span:
    """A piece of the document text: ``text == document.text[start:end]``."""

    text: str
    start: int
    end: int

    def to_json(self) -> dict[str, Any]:
        return {"text": self.text, "start": self.start, "end": self.end}


@dataclass(frozen=True)
class Speaker(Span):
    """Who made a claim, as written (``text``) and as resolved (``name``)."""

    name: str = ""  # canonical name within the document ("Jen Psaki" for "Psaki")
    type: str = "unknown"  # person | organisation | government | group | anonymous | unknown
    anonymous: bool = False
    affiliation: str | None = None  # "close to the president" for anonymous sources

    def to_json(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "start": self.start,
            "end": self.end,
            "name": self.name,
            "type": self.type,
            "anonymous": self.anonymous,
            "affiliation": self.affiliation,
        }


@dataclass(frozen=True)
class Mention(Span):
    """An entity named inside a claim's content: what the claim is about."""

    name: str = ""  # canonical name within the document ("Kyiv", "Volodymyr Zelensky")
    type: str = "unknown"  # person | organisation | place | group | other

    def to_json(self) -> dict[str, Any]:
        return {"text": self.text, "start": self.start, "end": self.end, "name": self.name, "type": self.type}


@dataclass(frozen=True)
class Claim:
    """An attributed claim: ``speaker`` said ``content`` (``cue``) in document ``doc_id``."""

    doc_id: str
    content: Span
    speaker: Speaker | None = None
    cue: Span | None = None
    kind: str = "indirect"  # direct | indirect | mixed | according_to
    stance: str = "assert"  # the cue's stance: assert, claim, deny, confirm, warn, ...
    hedge: str | None = None  # "reportedly", "allegedly", ...
    relay: tuple[str, ...] = field(default_factory=tuple)  # outlets/people it passed through, nearest first
    date: str | None = None  # the article's date
    utterance_date: str | None = None  # the day the claim was made, when the text fixes it
    utterance_period: tuple[str, str] | None = None  # first and last day it can have been made ("last week")
    sentence: Span | None = None  # the sentence(s) the claim stands in
    mentions: tuple[Mention, ...] = field(default_factory=tuple)  # entities the content names
    parts: tuple[tuple[int, int], ...] = field(default_factory=tuple)  # quoted pieces when the content is
    # interrupted ('"A," he said, "B."': content spans A..B, parts are A and B); () when whole
    cue_class: str = "speech"  # what the cue reports: speech, belief, perception, intention, action, other

    @property
    def content_text(self) -> str:
        """The claim's words without the interruptions between its parts."""
        if len(self.parts) < 2:
            return self.content.text
        base = self.content.start
        return " … ".join(self.content.text[s - base : e - base] for s, e in self.parts)

    def to_json(self) -> dict[str, Any]:
        """The record of ``kg extract --format jsonl`` (see schemas/claim.schema.json)."""
        return {
            "doc_id": self.doc_id,
            "speaker": self.speaker.to_json() if self.speaker else None,
            "cue": self.cue.to_json() if self.cue else None,
            "content": self.content.to_json(),
            "kind": self.kind,
            "stance": self.stance,
            "hedge": self.hedge,
            "relay": list(self.relay),
            "date": self.date,
            "utterance_date": self.utterance_date,
            "utterance_period": list(self.utterance_period) if self.utterance_period else None,
            "sentence": self.sentence.to_json() if self.sentence else None,
            "mentions": [m.to_json() for m in self.mentions],
            "content_parts": [list(p) for p in self.parts],
            "cue_class": self.cue_class,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Claim:
        """Inverse of :meth:`to_json`."""
        sp = data.get("speaker")
        cue = data.get("cue")
        sent = data.get("sentence")
        return cls(
            doc_id=data["doc_id"],
            content=Span(**{k: data["content"][k] for k in ("text", "start", "end")}),
            speaker=Speaker(**sp) if sp else None,
            cue=Span(**cue) if cue else None,
            kind=data.get("kind", "indirect"),
            stance=data.get("stance", "assert"),
            hedge=data.get("hedge"),
            relay=tuple(data.get("relay") or ()),
            date=data.get("date"),
            utterance_date=data.get("utterance_date"),
            utterance_period=tuple(data["utterance_period"]) if data.get("utterance_period") else None,
            sentence=Span(**sent) if sent else None,
            mentions=tuple(Mention(**m) for m in data.get("mentions") or ()),
            parts=tuple(tuple(p) for p in data.get("content_parts") or ()),
            cue_class=data.get("cue_class", "speech"),
        )


def as_dict(record: Any) -> dict[str, Any]:
    """A plain ``dict`` of any record (for JSON output)."""
    if hasattr(record, "to_json"):
        return record.to_json()
    return asdict(record)
