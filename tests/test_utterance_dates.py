"""When a claim was made, with the real spaCy model: each way a text fixes the day of saying, and
the ways it does not.  Sentences are our own; the article is dated Saturday 2022-02-26."""

from __future__ import annotations

from kg.extract import extract_claims
from kg.extract.utterance_dates import DayAnchors
from kg.records import Document


def claims_of(nlp, text: str, date: str = "2022-02-26"):
    return extract_claims(Document(id="t", text=text, date=date), nlp)


def find(claims, fragment: str):
    hits = [c for c in claims if fragment in c.content.text]
    assert hits, f"no claim contains {fragment!r}: {[c.content.text for c in claims]}"
    return min(hits, key=lambda c: len(c.content.text))


def test_a_date_on_the_act_of_saying_anywhere_in_its_clause(nlp):
    c = find(claims_of(nlp, "The minister told parliament on Thursday that the budget was balanced."), "budget was")
    assert c.utterance_date == "2022-02-24"
    c = find(claims_of(nlp, "In a speech on Wednesday, the governor said the dam would hold."), "dam would hold")
    assert c.utterance_date == "2022-02-23"
    c = find(claims_of(nlp, "A report released on Friday said the river had burst its banks."), "burst its banks")
    assert c.utterance_date == "2022-02-25"


def test_further_words_of_the_same_statement_keep_its_date(nlp):
    text = ("The prime minister said on Thursday that the army had retaken the airport. "
            "He added that the roads to the north were open again.")
    claims = claims_of(nlp, text)
    assert find(claims, "retaken the airport").utterance_date == "2022-02-24"
    assert find(claims, "roads to the north").utterance_date == "2022-02-24"


def test_a_time_of_its_own_or_another_occasion_breaks_the_carry(nlp):
    text = ("The prime minister said on Thursday that the army had retaken the airport. "
            "He also said earlier that he might call an election.")
    assert find(claims_of(nlp, text), "call an election").utterance_date is None
    text = ("The general said on Thursday that the border was quiet. "
            "The general, speaking to the Estonian defence minister, stressed that the sea lanes were vital.")
    assert find(claims_of(nlp, text), "sea lanes were vital").utterance_date is None
    text = ("The prime minister said on Thursday that the army had retaken the airport. "
            "The prime minister insists that the war is going well.")
    assert find(claims_of(nlp, text), "war is going well").utterance_date is None  # a standing position


def test_a_live_blog_entry_dates_what_it_reports_as_just_said(nlp):
    text = ("25 Feb 2022 14.05 The mayor has said that the bridge is closed to traffic.\n\n"
            "25 Feb 2022 13.40 The council said the schools would stay open.")
    claims = claims_of(nlp, text)
    assert find(claims, "bridge is closed").utterance_date == "2022-02-25"
    assert find(claims, "schools would stay open").utterance_date is None  # plain "said": not fixed
    anchors = DayAnchors(text, "2022-02-26")
    assert anchors.at(text.index("The council")) == "2022-02-25" and anchors.at(0) == "2022-02-25"


def test_a_relative_day_in_a_live_blog_entry_counts_from_the_entry(nlp):
    text = "24 Feb 2022 09.15 The governor said yesterday that the power station was hit."
    assert find(claims_of(nlp, text), "power station").utterance_date == "2022-02-23"


def test_an_event_of_the_articles_own_day_was_reported_that_day(nlp):
    c = find(claims_of(nlp, "Officials said the train station was shelled this morning."), "train station")
    assert c.utterance_date == "2022-02-26"


def test_a_period_is_never_made_a_day(nlp):
    c = find(claims_of(nlp, "The minister said earlier this week that the talks would resume."), "talks would resume")
    assert c.utterance_date is None and c.utterance_period == ("2022-02-21", "2022-02-26")
    c = find(claims_of(nlp, "The mayor said the bridge would reopen."), "bridge would reopen")
    assert c.utterance_date is None and c.utterance_period is None


def test_a_date_the_parser_put_at_the_head_of_the_reported_clause_dates_the_saying(nlp):
    c = find(claims_of(nlp, "The prime minister said at a press conference yesterday morning the gun laws "
                            "should be changed."), "gun laws")
    assert c.utterance_date == "2022-02-25" and c.content.text == "the gun laws should be changed"


def test_a_date_of_another_event_in_the_clause_does_not_date_the_saying(nlp):
    text = "The agency announced its withdrawal from the organisation after it was suspended in April."
    c = find(claims_of(nlp, text), "withdrawal")
    assert c.utterance_date is None and c.utterance_period is None
    c = find(claims_of(nlp, "As of Thursday, the ministry claimed 790 soldiers had been killed."), "790 soldiers")
    assert c.utterance_date is None


def test_a_statement_put_out_on_a_day_dates_what_it_says(nlp):
    text = "The commander released a video on Thursday evening in which he said he had not surrendered."
    assert find(claims_of(nlp, text), "not surrendered").utterance_date == "2022-02-24"
    text = "The man who said the bridge was safe was arrested on Monday."
    assert find(claims_of(nlp, text), "bridge was safe").utterance_date is None  # the arrest's day
    text = "The minister said in a statement released on Wednesday that the border was closed."
    c = find(claims_of(nlp, text), "border was closed")  # the clause the parser hung from "released"
    assert c.speaker.text == "The minister" and c.utterance_date == "2022-02-23"
