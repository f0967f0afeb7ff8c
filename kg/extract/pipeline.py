"""Extraction entry points: documents in, claims out.

    >>> from kg.extract import extract_claims
    >>> claims = extract_claims(document)            # one Document
    >>> for doc, claims in iter_claims(documents):   # many, batched through nlp.pipe
    ...     ...
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator

from spacy.language import Language

from kg.extract.attributions import claims_from_doc
from kg.extract.lexicon import CueLexicon
from kg.extract.model import load_model
from kg.records import Claim, Document

log = logging.getLogger(__name__)


def extract_claims(document: Document, nlp: Language | None = None, lexicon: CueLexicon | None = None) -> list[Claim]:
    """The attributed claims of one document, in text order."""
    nlp = nlp or load_model()
    return claims_from_doc(nlp(document.text), document, lexicon)


def iter_claims(
    documents: Iterable[Document],
    nlp: Language | None = None,
    lexicon: CueLexicon | None = None,
    batch_size: int = 16,
    on_error: Callable[[Document, Exception], None] | None = None,
) -> Iterator[tuple[Document, list[Claim]]]:
    """Yield ``(document, claims)`` for each document, parsing them in batches with ``nlp.pipe``.

    A document the extractor fails on is logged, passed to ``on_error`` and not yielded,
    so one bad article never ends a long run (and is not stored as claim-free).
    """
    nlp = nlp or load_model()
    pairs = ((d.text, d) for d in documents)
    for sdoc, document in nlp.pipe(pairs, as_tuples=True, batch_size=batch_size):
        try:
            claims = claims_from_doc(sdoc, document, lexicon)
        except Exception as exc:  # an extractor bug must not end a long run: log it with the document
            log.exception("extraction failed on document %s (%s)", document.id, document.path)
            if on_error is not None:
                on_error(document, exc)
            continue
        yield document, claims
