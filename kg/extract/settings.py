"""How claims are extracted: by the rules alone or with the learned tagger, and which attributions count.

    >>> settings = ExtractorSettings(extractor="model", attributions="all")
    >>> tagger = settings.tagger()       # the loaded tagger, or None for the rules alone

``extractor``: ``auto`` (the default: the learned tagger when a model is installed,
else the rules, saying so once in the log), ``rules`` or ``model`` (a missing model is
then an error).  ``model_dir``: a model of your own (``kg train --out DIR``) instead of
the one shipped with kg.  ``attributions``: ``speech`` (the default: what a
fact-checker calls a claim) or ``all`` (beliefs, perceptions, intentions and actions
too, as PolNeAR annotates them).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

from kg.errors import ExitCode, KgError

if TYPE_CHECKING:
    from kg.extract.learned import AttributionTagger

log = logging.getLogger(__name__)

__all__ = ["Attributions", "Extractor", "ExtractorSettings", "NoModelError"]


class Extractor(StrEnum):
    AUTO = "auto"
    RULES = "rules"
    MODEL = "model"


class Attributions(StrEnum):
    SPEECH = "speech"
    ALL = "all"


class NoModelError(KgError):
    """``--extractor model`` was asked for and no attribution model is installed."""

    exit_code = ExitCode.MISSING


_warned_missing = False


@dataclass(frozen=True)
class ExtractorSettings:
    extractor: Extractor = Extractor.AUTO
    model_dir: str | None = None
    attributions: Attributions = Attributions.SPEECH

    def __post_init__(self) -> None:
        object.__setattr__(self, "extractor", Extractor(self.extractor))
        object.__setattr__(self, "attributions", Attributions(self.attributions))

    def tagger(self) -> AttributionTagger | None:
        """The tagger these settings extract with (loaded once per process), or ``None`` for the rules alone."""
        global _warned_missing
        if self.extractor == Extractor.RULES:
            return None
        from kg.extract.learned import load_tagger, shipped_model_available

        if self.model_dir is not None:
            return load_tagger(self.model_dir)
        if shipped_model_available():
            return load_tagger()
        if self.extractor == Extractor.MODEL:
            raise NoModelError("no attribution model is installed with kg: train one (kg train) and pass "
                               "--attribution-model DIR, or extract with --extractor rules")
        if not _warned_missing:
            log.warning("no attribution model installed: extracting with the rules alone")
            _warned_missing = True
        return None
