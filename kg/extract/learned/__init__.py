"""A learned attribution tagger that proposes source / cue / content spans; kg's rules resolve the rest.

    >>> tagger = load_tagger()                      # the model shipped in kg/data/attribution_model
    >>> proposals = tagger.candidates(doc, lexicon) # kg.extract.attributions.Candidate records

The shipped model was trained by ``kg train`` on PolNeAR (see its MODEL_CARD.md);
``load_tagger(folder)`` loads one of your own.  A model is loaded once per process
(workers included) and its weights' SHA-256 is checked on loading.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

import numpy as np
from spacy.tokens import Doc, Token

from kg.extract.attributions import Candidate, _trim, verb_lemma
from kg.extract.cue_classes import CueClass, belief_lemmas, cue_class
from kg.extract.learned.features import token_features
from kg.extract.learned.network import ModelFileError, TaggerConfig, load_model_dir, sha256_of
from kg.extract.learned.tags import Attribution, TagSpan, chunks, decode_many, link, token_layout
from kg.extract.learned.train import predict_probs
from kg.extract.lexicon import CueLexicon
from kg.extract.quotes import find_quotes

log = logging.getLogger(__name__)

__all__ = ["AttributionTagger", "CueClass", "ModelFileError", "TaggerConfig", "TaggerInfo", "cue_class",
           "default_model_dir", "load_tagger", "sha256_of", "shipped_model_available"]

_QUOTE_MARKS = "\"\u201c\u201d\u201e\u00ab\u00bb"


def default_model_dir() -> Path:
    """Where the model shipped with kg lives (inside the installed package)."""
    return Path(str(resources.files("kg").joinpath("data/attribution_model")))


def shipped_model_available() -> bool:
    return (default_model_dir() / "model.bin").is_file()


@dataclass(frozen=True)
class TaggerInfo:
    """What provenance records about a tagger: its name, version and the SHA-256 of its weights."""

    name: str
    version: str
    sha256: str

    def __str__(self) -> str:
        return f"{self.name} {self.version} sha256:{self.sha256[:16]}"


class AttributionTagger:
    """A loaded tagger: proposes attributions for parsed documents."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.network, self.config = load_model_dir(folder)
        self.info = TaggerInfo(self.config.name, self.config.version, self.config.sha256)
        #: proposals below this confidence are dropped (config.json's min_confidence; env KG_MIN_CONFIDENCE)
        self.min_confidence = float(os.environ.get("KG_MIN_CONFIDENCE", self.config.min_confidence))
        log.info("loaded attribution model %s from %s", self.info, folder)

    def spans(self, docs: Sequence[Doc], lexicon: CueLexicon) -> list[list[Attribution]]:
        """The linked attributions (token indices) the network finds in each of ``docs``.

        Only chunks (runs of whole sentences) with a quote mark, "according" or a
        form of a cue verb are read: the others cannot hold a claim kg reports by
        default, and skipping them keeps extraction near the speed of the parse alone.
        All chunks of all ``docs`` go through the network in batches.
        """
        items, selected, layouts = [], [], []
        beliefs = belief_lemmas()
        for doc in docs:
            sentence, punct = token_layout(doc)
            wanted = [(a, b) for a, b in chunks(sentence) if lexicon.may_have_claims(doc[a:b].text)]
            ids, feats = token_features(doc, lexicon, find_quotes(doc.text) if wanted else [], beliefs, wanted)
            items.append((ids, feats, sentence))
            selected.append(wanted)
            layouts.append((sentence, punct))
        probs = predict_probs(self.network, items, selected=selected)
        out = []
        pieces = [(k, a, b) for k, wanted in enumerate(selected) for a, b in wanted]
        decoded = decode_many([np.log(probs[k][a:b] + 1e-9) for k, a, b in pieces])
        tagged: list[list[TagSpan]] = [[] for _ in docs]
        for (k, a, _), spans in zip(pieces, decoded):
            tagged[k] += [TagSpan(t.label, t.start + a, t.end + a) for t in spans]
        for p, found, layout in zip(probs, tagged, layouts):
            out.append([x for x in link(found, *layout, p) if x.confidence >= self.min_confidence])
        return out

    def candidates(self, doc: Doc, lexicon: CueLexicon) -> list[Candidate]:
        """The network's attributions in ``doc`` as :class:`Candidate` records for kg's speaker resolution."""
        return self.candidates_many([doc], lexicon)[0]

    def candidates_many(self, docs: Sequence[Doc], lexicon: CueLexicon) -> list[list[Candidate]]:
        """:meth:`candidates` of several documents, read by the network together (faster)."""
        return [self._as_candidates(doc, found, lexicon) for doc, found in zip(docs, self.spans(docs, lexicon))]

    @staticmethod
    def _as_candidates(doc: Doc, found: list[Attribution], lexicon: CueLexicon) -> list[Candidate]:
        from kg.extract.speakers import subject_of

        text = doc.text
        out = []
        for a in found:
            last = doc[a.content[1] - 1]
            start, end = _trim(text, doc[a.content[0]].idx, last.idx + len(last.text))
            if end <= start:
                continue
            cue_span = doc[a.cue[0]:a.cue[1]]
            cue = cue_span.root
            lemma = cue.lemma_.lower()
            stance = lexicon.verb_stance(lemma) or lexicon.noun_stance(lemma) or "assert"
            quoted = text[start] in _QUOTE_MARKS or text[end - 1] in _QUOTE_MARKS
            speaker_head = None
            if a.source is None and cue.pos_ in ("VERB", "AUX"):
                speaker_head = subject_of(cue)
            if a.source is None and speaker_head is None:
                continue  # nobody says it: "The claim that ... spread" (the rules want an owner too)
            if (cue.pos_ in ("VERB", "AUX") and text[start:start + 3].lower() == "to "
                    and "to" not in lexicon.verb_frames(verb_lemma(cue)) | lexicon.verb_frames(lemma)):
                continue  # "refused to leave": the lexicon says which cues take an infinitive
            out.append(Candidate(
                kind="direct" if quoted else "indirect",
                content_start=start, content_end=end,
                cue=cue, cue_start=cue_span.start_char, cue_end=cue_span.end_char,
                speaker_head=speaker_head,
                speaker_tokens=a.source,
                stance=stance,
                cue_class=_class_of_cue(cue, lexicon).value,
            ))
        return out


def _class_of_cue(cue: Token, lexicon: CueLexicon) -> CueClass:
    """A proposed cue's class by its lemma (spaCy's, else the lexicon's form of the verb)."""
    if cue.lower_ == "according":
        return CueClass.SPEECH
    for lemma in (cue.lemma_, verb_lemma(cue)):
        found = cue_class(lemma, lexicon)
        if found != CueClass.OTHER:
            return found
    return CueClass.OTHER


@lru_cache(maxsize=4)
def load_tagger(folder: str | Path | None = None) -> AttributionTagger:
    """The tagger saved in ``folder`` (default: the shipped one), loaded once per process."""
    return AttributionTagger(Path(folder) if folder is not None else default_model_dir())

