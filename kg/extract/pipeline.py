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
from kg.extract.lexicon import CueLexicon, default_lexicon
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
    lexicon = lexicon or default_lexicon()
    for chunk in _chunks(documents, 4 * batch_size):
        # texts with no quote mark and no cue word cannot hold a claim: do not parse them
        wanted = [d for d in chunk if lexicon.may_have_claims(d.text)]
        parsed: dict[int, list[Claim]] = {}
        for sdoc, document in nlp.pipe(((d.text, d) for d in wanted), as_tuples=True, batch_size=batch_size):
            try:
                parsed[id(document)] = claims_from_doc(sdoc, document, lexicon)
            except Exception as exc:  # an extractor bug must not end a long run: log it with the document
                log.exception("extraction failed on document %s (%s)", document.id, document.path)
                if on_error is not None:
                    on_error(document, exc)
        skipped = {id(d) for d in chunk} - {id(d) for d in wanted}
        for document in chunk:
            if id(document) in parsed:
                yield document, parsed[id(document)]
            elif id(document) in skipped:
                yield document, []
            # else: extraction failed and was reported through on_error


def _chunks(items: Iterable[Document], size: int) -> Iterator[list[Document]]:
    chunk: list[Document] = []
    for item in items:
        chunk.append(item)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk
