"""What kind of act a cue reports: speech, or belief / perception / intention / action.

kg's claims are speech acts by default (what a fact-checker means by a claim);
``--attributions all`` keeps the rest.  The classes are data: ``kg/data/cue_classes.tsv``
(lemma, class); a lemma of kg's cue lexicon (``kg/data/cues.tsv``) not listed there is
speech, any other lemma is ``other``.
"""

from __future__ import annotations

from enum import StrEnum
from functools import lru_cache
from importlib import resources

from kg.extract.lexicon import CueLexicon, LexiconError, default_lexicon

__all__ = ["CueClass", "belief_lemmas", "cue_class", "load_cue_classes"]


class CueClass(StrEnum):
    SPEECH = "speech"
    BELIEF = "belief"
    PERCEPTION = "perception"
    INTENTION = "intention"
    ACTION = "action"
    OTHER = "other"


@lru_cache(maxsize=1)
def load_cue_classes() -> dict[str, CueClass]:
    """lemma -> class, from ``kg/data/cue_classes.tsv``; a bad line raises :class:`LexiconError` naming it."""
    source = "kg/data/cue_classes.tsv"
    text = resources.files("kg").joinpath("data/cue_classes.tsv").read_text(encoding="utf-8")
    classes: dict[str, CueClass] = {}
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        parts = line.split("\t")
        try:
            classes[parts[0].strip().lower()] = CueClass(parts[1].strip())
        except (IndexError, ValueError):
            raise LexiconError(f"{source}:{number}: expected 'lemma<TAB>class' with a class of "
                               f"{', '.join(c.value for c in CueClass)}, got {raw!r}") from None
    return classes


@lru_cache(maxsize=1)
def belief_lemmas() -> frozenset[str]:
    """The lemmas of cues that report what someone thinks, sees or wants rather than says."""
    return frozenset(lemma for lemma, c in load_cue_classes().items() if c != CueClass.SPEECH)


def cue_class(lemma: str | None, lexicon: CueLexicon | None = None) -> CueClass:
    """The class of a cue by its lemma (``"according to"`` and a cue-less quote are speech)."""
    if not lemma:
        return CueClass.SPEECH
    key = lemma.lower()
    listed = load_cue_classes().get(key)
    if listed is not None:
        return listed
    lexicon = lexicon or default_lexicon()
    if key in ("according", "according to") or lexicon.verb_stance(key) or lexicon.noun_stance(key):
        return CueClass.SPEECH
    return CueClass.OTHER
