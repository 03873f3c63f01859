"""The run budget: full by default, smoke when asked or while nbgrader grades, clear errors otherwise."""
import pytest

import course_utils as cu


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch):
    monkeypatch.delenv(cu.BUDGET_ENV_VAR, raising=False)
    monkeypatch.delenv("NBGRADER_EXECUTION", raising=False)


def test_full_by_default():
    budget = cu.get_budget()
    assert budget.name == "full" and not budget.is_smoke
    assert budget.choose(full=10, smoke=1) == 10


def test_environment_selects_smoke(monkeypatch):
    monkeypatch.setenv(cu.BUDGET_ENV_VAR, " Smoke ")
    budget = cu.get_budget()
    assert budget.is_smoke and budget.choose(full=10, smoke=1) == 1
    assert "COURSE_BUDGET" in str(budget)


def test_explicit_name_wins_over_environment(monkeypatch):
    monkeypatch.setenv(cu.BUDGET_ENV_VAR, "smoke")
    assert cu.get_budget("full").name == "full"


@pytest.mark.parametrize("mode", ["autograde", "validate"])
def test_nbgrader_execution_always_means_smoke(monkeypatch, mode):
    monkeypatch.setenv("NBGRADER_EXECUTION", mode)
    monkeypatch.setenv(cu.BUDGET_ENV_VAR, "full")
    assert cu.get_budget().is_smoke
    assert cu.get_budget("full").is_smoke
    assert mode in str(cu.get_budget())


def test_unknown_budget_in_environment_is_explained(monkeypatch):
    monkeypatch.setenv(cu.BUDGET_ENV_VAR, "quick")
    with pytest.raises(ValueError, match=r"\$COURSE_BUDGET is 'quick'.*full, smoke"):
        cu.get_budget()


def test_unknown_budget_name_is_explained():
    with pytest.raises(ValueError, match="Unknown run budget 'long'"):
        cu.get_budget("long")


def test_choose_requires_both_values_by_name():
    with pytest.raises(TypeError):
        cu.get_budget().choose(10, 1)


def test_the_course_budget_trains_longer_only_where_a_lab_asks(monkeypatch):
    monkeypatch.setenv(cu.BUDGET_ENV_VAR, "course")
    budget = cu.get_budget()
    assert budget.choose(full=4, smoke=1, course=40) == 40
    assert budget.choose(full=4, smoke=1) == 4
    assert cu.get_budget("full").choose(full=4, smoke=1, course=40) == 4
    assert cu.get_budget("smoke").choose(full=4, smoke=1, course=40) == 1
