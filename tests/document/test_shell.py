"""第N期 for every kind of digest: counted per kind from its first period, or afresh each year."""

from __future__ import annotations

import pytest

from jianbao.config import ConfigError, ProjectConfig
from jianbao.document.shell import document_shell, issue_number
from jianbao.ir import Masthead
from jianbao.periods import parse_period


def config(**digest) -> ProjectConfig:
    return ProjectConfig.model_validate({"digest": digest, "chapters": [{"sector": "industry"}]})


@pytest.mark.parametrize(
    ("first", "period", "number"),
    [
        ("2025H1", "2026H2", 4),
        ("2025Q1", "2026Q1", 5),
        ("2025M11", "2026M03", 5),
        ("2025", "2027", 3),
        ("2025M01-02", "2025M01-09", 8),  # 1—2月 … 1—9月
        ("2025M01-11", "2026M01-02", 3),  # 1—11月, 1—12月, then next year's 1—2月 (no 1—1月)
    ],
)
def test_issues_count_per_kind_from_the_first_period(first, period, number):
    assert issue_number(config(first_period=first), parse_period(period)) == number


def test_other_kinds_count_from_their_own_series():
    c = config(first_period="2025H1", series={"month": {"first_period": "2026M01", "first_issue": 10}})
    assert issue_number(c, parse_period("2026M03")) == 12
    assert issue_number(c, parse_period("2026H1")) == 3


def test_a_kind_without_a_series_is_a_config_error_that_says_what_to_add():
    with pytest.raises(ConfigError, match=r"\[digest\.series\.quarter\]"):
        issue_number(config(first_period="2025H1"), parse_period("2026Q1"))


@pytest.mark.parametrize(("period", "number"), [("2026M03", 3), ("2026Q3", 3), ("2026M01-09", 8), ("2026H2", 2),
                                                ("2026", 1)])
def test_yearly_numbering_starts_again_each_january(period, number):
    assert issue_number(config(numbering="yearly"), parse_period(period)) == number


def test_the_masthead_and_keywords_name_no_internal_ids():
    doc = document_shell(config(first_period="2026M01-09", name="简报"), parse_period("2026M01-09"))
    assert doc.first(Masthead).issue == "第1期"
    assert doc.meta.title == "简报（2026年前三季度）"
    assert "industry" not in doc.meta.keywords
