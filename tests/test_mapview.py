"""Layers to the features the map engine draws: styles, states with their dates, escaped text."""

from __future__ import annotations

import json

import pandas as pd
import shapely

from borderviz.maps import mapview


def test_status_follows_the_day(frames):
    def statuses(day):
        features = mapview.status_features(frames["border_status"], pd.Timestamp(day))
        return {f["properties"]["style"]["className"].split(" bv-status-")[1] for f in features}
    assert statuses("2022-09-20") == {"disputed", "not_documented"}
    assert statuses("2025-06-01") == {"agreed"}


def test_enclaves_follow_the_day(frames):
    def names(day):
        return json.dumps(mapview.enclave_features(frames["enclaves"], pd.Timestamp(day)))
    assert "Lolazor" in names("2024-01-01") and "Lolazor" not in names("2025-06-01")
    assert "Barak" in names("2022-01-01") and "Barak" not in names("2023-06-01")


def test_display_countries_keep_one_shared_edge(frames):
    simple = mapview.display_countries(frames["countries"]).set_index("country").geometry
    assert simple["KG"].intersection(simple["TJ"]).area < 1e-6
    assert shapely.get_num_coordinates(simple["KG"]) < shapely.get_num_coordinates(
        frames["countries"].query("vintage == 2024 and country == 'KG'").geometry.iloc[0])


def test_state_features_carry_their_dates_for_the_browser(frames):
    every = mapview.status_features(frames["border_status"], None)
    assert len(every) == len(frames["border_status"])
    on_day = [f for f in every if (f["properties"]["from"] or "") <= "2022-09-20"
              and (f["properties"]["to"] is None or f["properties"]["to"] > "2022-09-20")]
    assert len(on_day) == len(mapview.status_features(frames["border_status"], pd.Timestamp("2022-09-20")))




def test_country_backgrounds_carry_their_names_as_labels(frames):
    background = mapview.background_features(mapview.display_countries(frames["countries"]))
    labels = json.dumps([f["properties"].get("icon", {}) for f in background], ensure_ascii=False)
    assert "KYRGYZSTAN" in labels and "TAJIKISTAN" in labels
    assert all(f["properties"].get("interactive") is False for f in background if "icon" in f["properties"])
