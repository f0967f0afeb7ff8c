"""Relays, claimants inside descriptions, and what must not be a claim, with the real spaCy model.

Sentences are our own (names of real outlets, made-up events)."""

from __future__ import annotations

import pytest

from kg.extract import extract_claims
from kg.extract.settings import ExtractorSettings
from kg.records import Document


@pytest.fixture(params=["rules", "auto"])
def extract(request, nlp):
    """Extraction by the rules alone and by the default (the learned tagger's proposals added)."""
    settings = ExtractorSettings(extractor=request.param)

    def run(text: str, outlet: str | None = None):
        return extract_claims(Document(id="t", text=text, date="2022-02-26", outlet=outlet), nlp, settings=settings)

    return run


def find(claims, fragment: str):
    hits = [c for c in claims if fragment in c.content.text]
    assert hits, f"no claim contains {fragment!r}: {[c.content.text for c in claims]}"
    return min(hits, key=lambda c: len(c.content.text))


def test_an_outlet_reporting_what_someone_said_is_the_relay_not_the_claimant(extract):
    claims = extract("The mayor of the city said one person was killed overnight, AFP reported.")
    c = find(claims, "one person was killed")
    assert c.speaker.name == "mayor of the city" and c.relay == ("AFP",)
    assert not any(x.speaker is not None and x.speaker.name == "AFP" for x in claims)  # the bare report is gone


def test_an_outlet_quoting_its_source_relays_the_source(extract):
    c = find(extract("\u201cThe bridge will not reopen this year,\u201d Tass quoted Ivan Petrov as saying."),
             "bridge will not reopen")
    assert c.speaker.name == "Ivan Petrov" and c.relay == ("Tass",)
    c = find(extract("Reuters, citing two officials, reported that the exports had been halted."), "exports had been")
    assert c.speaker.text == "two officials" and c.relay == ("Reuters",)


def test_the_outlet_a_claimant_spoke_to_is_a_relay(extract):
    c = find(extract("Speaking to Portfolio.hu, the company's chief executive explained that the firm would stay."),
             "the firm would stay")
    assert c.relay == ("Portfolio.hu",)
    c = find(extract("\u201cA doubling is possible,\u201d the minister told the public broadcaster ARD."), "doubling")
    assert c.relay == ("ARD",)
    c = find(extract("A total of 12 people are missing, officials told state media."), "12 people are missing")
    assert c.relay == ("state media",)


def test_an_office_reporting_its_principal_is_a_relay(extract):
    c = find(extract("The minister's office said the minister had stressed that the talks would go on."),
             "talks would go on")
    assert c.speaker.text == "the minister" and c.relay == ("minister's office",)


def test_the_articles_own_outlet_and_a_platform_are_never_relays(extract):
    c = find(extract("A spokesperson for the airline told the Guardian that flights would resume.", outlet="The Guardian"),
             "flights would resume")
    assert c.relay == ()
    c = find(extract("The governor said on Telegram that the shelling had stopped."), "shelling had stopped")
    assert c.relay == ()


def test_the_name_in_apposition_is_the_claimant_not_a_modifier(extract):
    c = find(extract("The Truss-supporting business secretary, Kwasi Kwarteng, said the plan was sound."), "plan was")
    assert c.speaker.name == "Kwasi Kwarteng"


def test_a_bare_object_of_a_verb_that_is_no_speech_act_is_not_a_claim(extract):
    assert extract("The battalion defended the city for three weeks.") == []
    assert extract("Photographs showed the aircraft without its wings.") == []
    assert extract("The first ship is expected to anchor at Istanbul on Tuesday night.") == []
    c = find(extract("The president announced his resignation on Friday."), "his resignation")  # a speech act
    assert c.speaker.name == "president"


def test_an_acronym_is_the_organisation_the_article_names_in_full(extract):
    text = ("The World Meteorological Organization (WMO) published its annual report on Monday. "
            "The WMO said the past year was the hottest on record.")
    assert find(extract(text), "hottest on record").speaker.name == "World Meteorological Organization"


def test_a_document_speaks_for_whoever_issued_it(extract):
    c = find(extract("The Kremlin issued a statement on Monday. The statement said the talks had failed."),
             "talks had failed")
    assert c.speaker.name == "Kremlin" and c.speaker.text == "The statement"
    c = find(extract("The government statement said the president had died."), "president had died")
    assert c.speaker.type == "government"


def test_a_quote_with_no_cue_belongs_to_who_introduces_it_in_its_own_sentence(extract):
    text = ('The president wrote: "It is time for others to protect their own territory. WE ARE GREAT!"\n\n'
            'Senator Maria Lopez spoke on the radio, "This is going to lead to a reemergence of the group. '
            'Nothing is better for them than a conflict."')
    assert find(extract(text), "reemergence").speaker.name == "Maria Lopez"


def test_media_reports_and_plural_bodies_get_their_kind_of_claimant(extract):
    assert find(extract("State media said the plant had been hit."), "plant had been").speaker.type == "organisation"
    c = find(extract("Some reports said the ship had sunk."), "ship had sunk")
    assert c.speaker.type == "anonymous" and c.speaker.anonymous
    c = find(extract("European Union states said the sanctions would stay."), "sanctions would stay")
    assert c.speaker.type == "group"
    assert find(extract("The regulator said the fine was fair."), "fine was fair").speaker.type == "government"


def test_a_reporters_outlet_and_the_outlet_a_quote_is_spoken_on_are_relays(extract):
    c = find(extract("The BBC's Jonathan Marcus said questions remain about the funding."), "questions remain")
    assert c.speaker.name == "Jonathan Marcus" and c.relay == ("BBC",)
    c = find(extract("Meta's lawyer said the company opposed the ban."), "opposed the ban")
    assert c.relay == ()  # a company is not an outlet
    text = 'Senator Maria Lopez spoke on Fox News, "This is going to lead to a reemergence. Nothing is better."'
    assert find(extract(text), "reemergence").relay == ("Fox News",)


def test_a_source_the_parser_made_the_object_of_the_report_is_the_claimant(extract):
    c = find(extract("Znak.com further reported its source said that the tenant moved in the day before."),
             "tenant moved in")
    assert c.speaker.text == "its source" and c.speaker.anonymous and c.relay == ("Znak.com",)
    c = find(extract("Znak.com first published the story. The website further reported its anonymous source "
                     "claimed a fourth man escaped."), "fourth man escaped")
    assert c.relay == ("Znak.com",)  # "the website" is the outlet named before


def test_a_capitalised_role_is_a_description_and_a_name_after_it_is_the_claimant(extract):
    c = find(extract("Former US Ambassador to the United Nations Zorblat Quennick said the allies must be supported."),
             "allies must be")
    assert c.speaker.name == "Zorblat Quennick" and c.speaker.type == "person"
    text = "President Maria Lopez spoke on Monday. The President said the wall would be built."
    c = find(extract(text), "wall would be built")
    assert c.speaker.name == "Maria Lopez" and c.speaker.type == "person"
