"""Hand-built records: two short articles and their claims, for docs, demos and tests.

Shows how to build :class:`~kg.records.Document` / :class:`~kg.records.Claim` without
the extractor: every span is located in the text, so offsets are exact.
"""

from __future__ import annotations

from kg.records import Claim, Document, Mention, Span, Speaker

__all__ = ["span", "example_records", "ARTICLE_A", "ARTICLE_B"]

ARTICLE_A = (
    "A source close to Ukrainian President Volodymyr Zelensky has claimed that Kyiv, despite "
    "staring down a potential foreign invasion, is still safer than Los Angeles, BuzzFeed News "
    "reported. White House Press Secretary Jen Psaki told reporters at her daily briefing on "
    "Monday that Americans in the city must leave now."
)

ARTICLE_B = (
    "This Thursday, the White House spokeswoman, Jen Psaki, had already said publicly that the "
    "US is aware of the situation of Zelensky. \u201cAmericans in the city must leave now,\u201d "
    "Psaki said. The capital is calm, according to a statement."
)


def span(text: str, piece: str, start_at: int = 0, cls: type = Span, **extra: object) -> Span:
    """The span of ``piece`` in ``text`` (first occurrence at or after ``start_at``)."""
    i = text.index(piece, start_at)
    return cls(text=piece, start=i, end=i + len(piece), **extra)


def _sentence(text: str, piece: str) -> Span:
    i = text.index(piece)
    start = text.rfind(". ", 0, i)
    start = start + 2 if start >= 0 else 0
    end = text.find(". ", i)
    end = len(text) if end < 0 else end + 1
    return Span(text=text[start:end], start=start, end=end)


def example_records() -> tuple[list[Document], dict[str, list[Claim]]]:
    """Two articles (``nypost-1`` 2022-01-24, ``wire-2`` 2022-02-26) and their claims.

    * an anonymous "source close to ... Zelensky" claims, via BuzzFeed News, that Kyiv
      is safer than Los Angeles (mentions Kyiv, Los Angeles);
    * Jen Psaki says Americans must leave now -- in both articles (one claim node,
      two appearances), once as "Jen Psaki" and once as "Psaki";
    * Jen Psaki says the US is aware of Zelensky's situation (mentions Zelensky),
      dated Thursday 2022-02-24 in an article of 2022-02-26;
    * an unattributed "according to a statement" claim.
    """
    a = Document(
        id="nypost-1",
        text=ARTICLE_A,
        date="2022-01-24",
        title="Zelensky source says Kyiv safer than LA",
        url="https://example.com/nypost/1",
        outlet="New York Post",
    )
    b = Document(
        id="wire-2",
        text=ARTICLE_B,
        date="2022-02-26",
        title="US in contact with Zelensky",
        url="https://example.com/wire/2",
        outlet="Example Wire",
    )
    t = ARTICLE_A
    source = span(
        t, "A source close to Ukrainian President Volodymyr Zelensky", cls=Speaker,
        name="source close to Volodymyr Zelensky", type="anonymous", anonymous=True,
        affiliation="close to Ukrainian President Volodymyr Zelensky",
    )
    c_source = span(
        t, "that Kyiv, despite staring down a potential foreign invasion, is still safer than Los Angeles"
    )
    claims_a = [
        Claim(
            doc_id=a.id,
            speaker=source,  # type: ignore[arg-type]
            cue=span(t, "has claimed"),
            content=c_source,
            kind="indirect",
            stance="claim",
            relay=("BuzzFeed News",),
            date=a.date,
            sentence=_sentence(t, c_source.text),
            mentions=(
                span(t, "Kyiv", cls=Mention, name="Kyiv", type="place"),  # type: ignore[arg-type]
                span(t, "Los Angeles", cls=Mention, name="Los Angeles", type="place"),  # type: ignore[arg-type]
            ),
        ),
        Claim(
            doc_id=a.id,
            speaker=span(t, "White House Press Secretary Jen Psaki", cls=Speaker, name="Jen Psaki", type="person"),  # type: ignore[arg-type]
            cue=span(t, "told"),
            content=span(t, "that Americans in the city must leave now"),
            kind="indirect",
            stance="assert",
            date=a.date,
            utterance_date="2022-01-24",
            sentence=_sentence(t, "that Americans in the city must leave now"),
        ),
    ]
    t = ARTICLE_B
    claims_b = [
        Claim(
            doc_id=b.id,
            speaker=span(t, "Jen Psaki", cls=Speaker, name="Jen Psaki", type="person"),  # type: ignore[arg-type]
            cue=span(t, "said publicly"),
            content=span(t, "that the US is aware of the situation of Zelensky"),
            kind="indirect",
            stance="assert",
            date=b.date,
            utterance_date="2022-02-24",
            sentence=_sentence(t, "that the US is aware"),
            mentions=(span(t, "Zelensky", cls=Mention, name="Volodymyr Zelensky", type="person"),),  # type: ignore[arg-type]
        ),
        Claim(
            doc_id=b.id,
            speaker=span(t, "Psaki", t.index("\u201d"), cls=Speaker, name="Jen Psaki", type="person"),  # type: ignore[arg-type]
            cue=span(t, "said", t.index("\u201d")),
            content=span(t, "Americans in the city must leave now,"),
            kind="direct",
            stance="assert",
            date=b.date,
        ),
        Claim(
            doc_id=b.id,
            cue=span(t, "according to"),
            content=span(t, "The capital is calm"),
            kind="according_to",
            stance="assert",
            date=b.date,
            mentions=(span(t, "capital", cls=Mention, name="Kyiv", type="place"),),  # type: ignore[arg-type]
        ),
    ]
    return [a, b], {a.id: claims_a, b.id: claims_b}
