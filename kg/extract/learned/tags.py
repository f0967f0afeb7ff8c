"""The tagger's labels: one BIO tag per token for source, cue and content spans, and back.

    >>> tags = gold_tags(doc, attributions)       # training: character spans -> tag ids
    >>> spans = decode(log_probs)                 # prediction: best BIO-valid path -> TagSpans
    >>> links = link(spans, *token_layout(doc))   # content <- cue <- source, as Attributions

The decoder is Viterbi under BIO constraints (an ``I-X`` only after ``B-X`` or
``I-X``), vectorised over the tags; the linker joins a content split around its
cue (``"A," she said, "B"``) and pairs each content with the nearest cue of its
sentence and that cue's nearest source.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
from spacy.tokens import Doc

__all__ = ["TAGS", "TagSpan", "Attribution", "chunks", "gold_tags", "decode", "decode_many", "link", "token_layout"]

TAGS = ("O", "B-SRC", "I-SRC", "B-CUE", "I-CUE", "B-CON", "I-CON")
O, B_SRC, I_SRC, B_CUE, I_CUE, B_CON, I_CON = range(len(TAGS))
_LABEL_OF = {B_SRC: "SRC", I_SRC: "SRC", B_CUE: "CUE", I_CUE: "CUE", B_CON: "CON", I_CON: "CON"}

# allowed[i, j]: tag j may follow tag i
_ALLOWED = np.ones((len(TAGS), len(TAGS)), dtype=bool)
for _inside, _begin in ((I_SRC, B_SRC), (I_CUE, B_CUE), (I_CON, B_CON)):
    _ALLOWED[:, _inside] = False
    _ALLOWED[_begin, _inside] = True
    _ALLOWED[_inside, _inside] = True
_START_ALLOWED = np.array([t not in (I_SRC, I_CUE, I_CON) for t in range(len(TAGS))])
_TRANSITIONS = np.where(_ALLOWED, 0.0, -np.inf).astype("float32")

#: a cue this many tokens or more from its content is not its cue
MAX_CUE_DISTANCE = 40


@dataclass(frozen=True)
class TagSpan:
    """A run of tokens ``[start, end)`` with one label: ``SRC``, ``CUE`` or ``CON``."""

    label: str
    start: int
    end: int


@dataclass(frozen=True)
class Attribution:
    """One linked attribution in token indices: content (one or two parts), its cue and source."""

    content: tuple[int, int]
    cue: tuple[int, int]
    source: tuple[int, int] | None
    parts: tuple[tuple[int, int], ...] = ()
    confidence: float = 1.0  # the network's mean probability of the decoded tags of the cue and content


def gold_tags(doc: Doc, attributions: Iterable[dict]) -> np.ndarray:
    """Tag ids for ``doc`` from gold attributions (``content_span``/``content_parts``, ``cue_span``, ``speaker_span``).

    Contents are tagged first, then cues and sources over them, so a nested
    attribution keeps its own cue and source inside the content that holds it.
    """
    tags = np.full(len(doc), O, dtype="int32")

    def mark(span: Sequence[int] | None, begin: int, inside: int) -> None:
        if not span or span[1] <= span[0]:
            return
        chars = doc.char_span(int(span[0]), int(span[1]), alignment_mode="expand")
        if chars is None or len(chars) == 0:
            return
        tags[chars.start] = begin
        tags[chars.start + 1:chars.end] = inside

    attributions = list(attributions)
    for a in attributions:
        for part in a.get("content_parts") or [a.get("content_span")]:
            mark(part, B_CON, I_CON)
    for a in attributions:
        mark(a.get("cue_span"), B_CUE, I_CUE)
        mark(a.get("speaker_span"), B_SRC, I_SRC)
    return tags


def decode(log_probs: np.ndarray) -> list[TagSpan]:
    """The spans of the most probable BIO-valid tag sequence for ``log_probs`` ``(n, len(TAGS))``."""
    return decode_many([log_probs])[0]


def decode_many(sequences: Sequence[np.ndarray]) -> list[list[TagSpan]]:
    """:func:`decode` of several sequences at once: one Viterbi step for all of them per position."""
    out: list[list[TagSpan]] = [[] for _ in sequences]
    live = [k for k, s in enumerate(sequences) if len(s)]
    if not live:
        return out
    lengths = np.array([len(sequences[k]) for k in live])
    n_tags, steps = len(TAGS), int(lengths.max())
    log_probs = np.zeros((len(live), steps, n_tags), dtype="float32")
    for row, k in enumerate(live):
        log_probs[row, :lengths[row]] = sequences[k]
    inside = np.arange(steps)[None, :] < lengths[:, None]  # (batch, steps)
    keep = np.broadcast_to(np.arange(n_tags), (len(live), n_tags))  # a finished sequence stays where it is
    score = np.where(_START_ALLOWED, log_probs[:, 0], -np.inf)
    back = np.zeros((len(live), steps, n_tags), dtype="int64")
    for i in range(1, steps):
        candidates = score[:, :, None] + _TRANSITIONS[None]  # from (axis 1) -> to (axis 2)
        running = inside[:, i][:, None]
        back[:, i] = np.where(running, candidates.argmax(axis=1), keep)
        score = np.where(running, candidates.max(axis=1) + log_probs[:, i], score)
    path = np.empty((len(live), steps), dtype="int64")
    path[:, -1] = score.argmax(axis=1)
    rows = np.arange(len(live))
    for i in range(steps - 1, 0, -1):
        path[:, i - 1] = back[rows, i, path[:, i]]
    for row, k in enumerate(live):
        out[k] = _spans_of(path[row, :lengths[row]].tolist())
    return out


def _spans_of(path: list[int]) -> list[TagSpan]:
    """The labelled runs of a valid tag path."""
    spans: list[TagSpan] = []
    start, label = 0, None
    for i, tag in enumerate(path):
        new = _LABEL_OF.get(tag)
        if label is not None and (new != label or tag in (B_SRC, B_CUE, B_CON)):
            spans.append(TagSpan(label, start, i))
            label = None
        if new is not None and label is None:
            start, label = i, new
    if label is not None:
        spans.append(TagSpan(label, start, len(path)))
    return spans


def token_layout(doc: Doc) -> tuple[np.ndarray, np.ndarray]:
    """What :func:`link` needs of a ``Doc``: each token's sentence number, and its kind of punctuation.

    ``punct``: 0 a word, 1 punctuation or space inside a sentence (``,`` ``"`` ``-``),
    2 punctuation that ends a sentence (``.`` ``!`` ``?``).
    """
    sentence = np.zeros(len(doc), dtype="int32")
    for k, sent in enumerate(doc.sents):
        sentence[sent.start:sent.end] = k
    punct = np.array([2 if t.text in (".", "!", "?", "...") else int(t.is_punct or t.is_space) for t in doc],
                     dtype="int8")
    return sentence, punct


def chunks(sentence: np.ndarray, max_tokens: int = 80) -> list[tuple[int, int]]:
    """Token ranges of whole consecutive sentences, each at most ``max_tokens`` long (a longer sentence alone).

    The network reads a document a chunk at a time: short sequences train faster and
    better than whole articles, and an attribution rarely reaches past its paragraph.
    """
    n = len(sentence)
    if n == 0:
        return []
    breaks = [0] + (np.flatnonzero(np.diff(sentence)) + 1).tolist() + [n]
    out: list[tuple[int, int]] = []
    start = 0
    for prev, nxt in zip(breaks, breaks[1:]):
        if nxt - start > max_tokens and prev > start:
            out.append((start, prev))
            start = prev
    out.append((start, n))
    return out


def _gap_only_attribution(punct: np.ndarray, start: int, end: int, spans: list[TagSpan]) -> bool:
    """Whether tokens ``[start, end)`` follow punctuation and hold a cue, a source, and nothing but sources and cues.

    (``"A," she said, "B"``, the first part's comma or quote mark in it or just before it;
    not ``that | she said | B``, a nested attribution whose outer content the inner one cut.)
    """
    if start >= end or (punct[start] != 1 and (start == 0 or punct[start - 1] != 1)):
        return False  # a comma, a quote mark, a dash (not the end of a sentence) ends the first part
    inside = [s for s in spans if s.start >= start and s.end <= end]
    if not any(s.label == "CUE" for s in inside) or not any(s.label == "SRC" for s in inside):
        return False  # "the complaint, saying anybody ...": two contents of two cues, not one split around its cue
    covered = {i for s in inside for i in range(s.start, s.end)}
    return all(i in covered or punct[i] for i in range(start, end))


def link(spans: list[TagSpan], sentence: np.ndarray, punct: np.ndarray,
         probs: np.ndarray | None = None) -> list[Attribution]:
    """Attributions from tagged spans: each content with the nearest cue of its sentences and that cue's source.

    Two contents separated only by a cue (and its source and punctuation) are one
    content in two parts.  A content with no cue within :data:`MAX_CUE_DISTANCE`
    tokens in its own sentences is dropped.  ``sentence`` and ``punct`` come from
    :func:`token_layout`; with ``probs`` (the network's, ``(n, len(TAGS))``) each
    attribution's ``confidence`` is the mean probability of its cue's and content's tags.
    """
    contents = [s for s in spans if s.label == "CON"]
    cues = [s for s in spans if s.label == "CUE"]
    sources = [s for s in spans if s.label == "SRC"]
    joined: list[tuple[TagSpan, ...]] = []
    for span in contents:
        if joined and len(joined[-1]) == 1 and _gap_only_attribution(punct, joined[-1][-1].end, span.start, spans):
            joined[-1] = (joined[-1][0], span)
        else:
            joined.append((span,))
    out: list[Attribution] = []
    for parts in joined:
        first, last = parts[0], parts[-1]
        lo, hi = sentence[first.start], sentence[last.end - 1]

        def distance(cue: TagSpan) -> int:
            if first.start <= cue.start and cue.end <= last.end:
                return 0  # between the parts of a split content
            return min(abs(cue.start - last.end), abs(first.start - cue.end))

        near = [c for c in cues if lo - 1 <= sentence[c.start] <= hi + 1 and distance(c) < MAX_CUE_DISTANCE
                and not (first.start < c.start and c.end <= first.end)]
        if not near:
            continue
        cue = min(near, key=lambda c: (abs(int(sentence[c.start]) - int(np.clip(sentence[c.start], lo, hi))),
                                       distance(c), c.start))
        in_sentence = [s for s in sources if sentence[s.start] == sentence[cue.start]
                       and not (first.start <= s.start and s.end <= last.end and len(parts) == 1)]
        source = min(in_sentence, key=lambda s: (min(abs(s.start - cue.end), abs(cue.start - s.end)), s.start),
                     default=None)
        confidence = 1.0
        if probs is not None:
            picked = [probs[cue.start, B_CUE]] + [probs[i, I_CUE] for i in range(cue.start + 1, cue.end)]
            for p in parts:
                picked += [probs[p.start, B_CON]] + [probs[i, I_CON] for i in range(p.start + 1, p.end)]
            confidence = float(np.mean(picked))
        out.append(Attribution(content=(first.start, last.end), cue=(cue.start, cue.end),
                               source=(source.start, source.end) if source else None,
                               parts=tuple((p.start, p.end) for p in parts) if len(parts) > 1 else (),
                               confidence=confidence))
    return out
