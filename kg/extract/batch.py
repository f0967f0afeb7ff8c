"""One batch of documents extracted in whatever process runs it: a local worker or a Dask worker.

    >>> result = extract_batch(documents)          # loads the model once per process
    >>> result.claims[0], result.failures, result.model   # by position in the batch

The function is importable by name (``kg.extract.batch.extract_batch``), so a
process pool or a Dask cluster whose workers have kg installed can run it; the
documents travel to the worker and only their claims come back.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass, field

from kg.extract.lexicon import CueLexicon
from kg.extract.model import ModelInfo, load_model, model_info
from kg.extract.pipeline import iter_claims
from kg.extract.settings import ExtractorSettings
from kg.records import Claim, Document

#: one parse at a time per process: a worker running several threads shares one pipeline
_PARSE_LOCK = threading.Lock()


@dataclass
class BatchResult:
    """What a worker sends back for one batch: claims and failures by the document's position in the batch."""

    claims: dict[int, list[Claim]] = field(default_factory=dict)
    failures: dict[int, str] = field(default_factory=dict)  # position -> what went wrong
    model: ModelInfo | None = None


def extract_batch(documents: Sequence[Document], model: str | None = None,
                  lexicon: CueLexicon | None = None, settings: ExtractorSettings | None = None) -> BatchResult:
    """Extract the claims of ``documents`` with the spaCy pipeline ``model`` (loaded once per process).

    Every document ends up in ``claims`` (possibly with none) or in ``failures``
    (the extractor raised on it); a missing model raises
    :class:`kg.extract.ModelNotFoundError`, which ends the run rather than a batch.
    """
    nlp = load_model(model)
    result = BatchResult(model=model_info(nlp))
    position = {id(d): i for i, d in enumerate(documents)}

    def failed(document: Document, exc: Exception) -> None:
        result.failures[position[id(document)]] = f"{type(exc).__name__}: {exc}"

    with _PARSE_LOCK:
        for document, claims in iter_claims(documents, nlp, lexicon, on_error=failed, settings=settings):
            result.claims[position[id(document)]] = claims
    return result
