"""The line's status on a day, beside the official figure of that day."""

from __future__ import annotations

import pytest

from borderviz import status


def test_mapped_km_before_the_treaty_keep_the_unknown_unknown(frames):
    km = status.mapped_km(frames["border_status"], "2022-09-16")
    assert km["agreed"] == 0
    assert 50 < km["disputed"] < 150
    assert km["not_documented"] > 700


def test_after_the_treaty_the_whole_line_is_agreed(frames):
    km = status.mapped_km(frames["border_status"], "2025-06-01")
    assert km["disputed"] == 0 and km["not_documented"] == 0
    assert km["agreed"] == pytest.approx(942.0, abs=1)


def test_official_figure_of_the_day_is_the_latest_with_agreed_km(frames):
    fig = status.official_on(frames["official_figures"], "2022-09-20")
    assert (fig.agreed_km, fig.total_km) == (519, 972)
    assert fig.url.startswith("https://")
    assert status.official_on(frames["official_figures"], "2000-01-01") is None


def test_sentence_states_both_numbers_and_who_said_it(frames):
    text = status.summary(frames["border_status"], frames["official_figures"], "2022-09-20").sentence()
    assert "519 km agreed of 972 km" in text
    assert "KG State Committee for National Security" in text
    assert "indicative" in text and "not published" in text
