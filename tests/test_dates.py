"""Day and period expressions resolved against the article's date (Saturday 2022-02-26)."""

from __future__ import annotations

import pytest

from kg.extract.dates import resolve_day, resolve_period

ARTICLE = "2022-02-26"  # a Saturday


@pytest.mark.parametrize(
    "expression, day",
    [
        ("on Friday", "2022-02-25"),
        ("Saturday", "2022-02-26"),
        ("last Saturday", "2022-02-19"),
        ("yesterday", "2022-02-25"),
        ("today", "2022-02-26"),
        ("Feb. 20", "2022-02-20"),
        ("on 3 March 2021", "2021-03-03"),
        ("Dec. 30", "2021-12-30"),  # would lie after the article: the year before
        ("last week", None),
        ("in January", None),
    ],
)
def test_a_day_expression_resolves_to_the_day_it_names(expression, day):
    assert resolve_day(expression, ARTICLE) == day


@pytest.mark.parametrize(
    "expression, period",
    [
        ("on Friday", ("2022-02-25", "2022-02-25")),
        ("last week", ("2022-02-14", "2022-02-20")),
        ("earlier this week", ("2022-02-21", "2022-02-26")),
        ("last weekend", ("2022-02-19", "2022-02-20")),
        ("last month", ("2022-01-01", "2022-01-31")),
        ("in January", ("2022-01-01", "2022-01-31")),
        ("this month", ("2022-02-01", "2022-02-26")),
        ("last year", ("2021-01-01", "2021-12-31")),
        ("soon", None),
    ],
)
def test_a_period_expression_bounds_the_days_it_allows(expression, period):
    assert resolve_period(expression, ARTICLE) == period


def test_without_an_article_date_only_explicit_dates_resolve():
    assert resolve_day("on Friday", None) is None
    assert resolve_period("last week", None) is None
    assert resolve_day("2021-05-04", None) == "2021-05-04"
