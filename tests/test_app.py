"""Widget logic of app.py, through Streamlit's AppTest (no browser)."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
from streamlit.testing.v1 import AppTest

from borderviz.model import timeline

TIMEOUT = 120


@pytest.fixture
def app(repo):
    at = AppTest.from_file(str(repo / "app.py"), default_timeout=TIMEOUT)
    return at


def _component(at):
    (component,) = at.get("component_instance")
    return component.proto


def _map(at) -> dict:
    """The map component's JSON arguments: folium's frame, packet names, the state and its sequence number."""
    return json.loads(_component(at).json_args)


def _bytes_sent(at) -> dict[str, int]:
    """The packets sent as bytes in this run, by argument name."""
    return {arg.key: len(arg.bytes) for arg in _component(at).special_args if arg.WhichOneof("value") == "bytes"}


def _metric(at, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


def test_app_opens_on_the_whole_record(app, frames):
    app.run()
    assert not app.exception
    assert _metric(app, "Incidents") == str(len(frames["incidents"]))
    assert app.info[0].value.startswith("As of")
    args = _map(app)
    urls = re.findall(r"https?://[^\s\"']+", args["frame_script"] + args["frame_html"])
    assert all(u.startswith("https://github.com/") for u in urls), urls  # (comments in folium's templates)
    assert "bvx.attach(" in args["frame_script"]
    assert args["state"]["start"] == "2014-01-01" and args["state"]["end"] == dt.date.today().isoformat()
    assert set(_bytes_sent(app)) == {"config", "p0"}  # the first run sends the data


def test_a_preset_sets_the_dates_and_the_url(app, frames):
    app.run()
    app.selectbox(key="preset").select("war-2022-09").run()
    assert app.slider(key="dates").value == (dt.date(2022, 9, 14), dt.date(2022, 9, 20))
    expected = len(timeline.in_range(frames["incidents"], "2022-09-14", "2022-09-20"))
    assert _metric(app, "Incidents") == str(expected)
    assert app.query_params["start"] == ["2022-09-14"] or app.query_params["start"] == "2022-09-14"
    assert "519 km agreed of 972 km" in app.info[0].value


def test_filters_change_what_the_map_shows_without_sending_the_data_again(app):
    app.run()
    before = _map(app)
    app.session_state["map"] = {"have": [before["config_name"], *before["packet_names"]], "n": 1}
    app.selectbox(key="preset").select("war-2021-04").run()
    app.multiselect(key="types").select("destruction").run()
    after = _map(app)
    assert after["frame_script"] == before["frame_script"]  # the same frame: no remount
    assert after["seq"] > before["seq"]  # the map applies the sidebar's change
    assert after["state"]["filters"]["types"] == ["destruction"]
    assert after["state"]["start"] == "2021-04-28"
    assert _bytes_sent(app) == {}  # the browser holds the data: only the view travels


def test_the_app_follows_the_dates_brushed_on_the_map(app, frames):
    app.run()
    args = _map(app)
    seq = args["seq"]
    app.session_state["map"] = {"have": [args["config_name"], *args["packet_names"]], "n": 7,
                                "range": ["2022-09-14", "2022-09-20"]}
    app.run()
    assert app.slider(key="dates").value == (dt.date(2022, 9, 14), dt.date(2022, 9, 20))
    assert app.selectbox(key="preset").value == "war-2022-09"
    expected = len(timeline.in_range(frames["incidents"], "2022-09-14", "2022-09-20"))
    assert _metric(app, "Incidents") == str(expected)
    assert _map(app)["seq"] == seq  # the map is not told what it already shows


def test_a_report_from_the_map_outside_the_record_is_ignored(app):
    app.run()
    app.session_state["map"] = {"n": 3, "range": ["1900-01-01", "2022-09-20"], "have": []}
    app.run()
    assert not app.exception
    assert app.slider(key="dates").value[0] == dt.date(2014, 1, 1)


def test_a_link_reopens_the_same_view(app):
    app.query_params.update({"start": "2021-04-28", "end": "2021-05-01", "types": "armed_clash,shooting",
                             "countries": "KG", "layers": "status,incidents", "basemap": "none"})
    app.run()
    assert app.slider(key="dates").value == (dt.date(2021, 4, 28), dt.date(2021, 5, 1))
    assert app.multiselect(key="types").value == ["armed_clash", "shooting"]
    assert app.multiselect(key="countries").value == ["KG"]
    assert app.radio(key="basemap").value == "none"
    assert app.selectbox(key="preset").value == "war-2021-04"
    state = _map(app)["state"]
    assert state["basemap"] == "none" and state["layers"] == ["status", "incidents"]
    assert state["filters"]["countries"] == ["KG"]


def test_a_mangled_link_still_opens_and_says_what_was_ignored(app):
    app.query_params.update({"start": "last tuesday", "types": "bombing"})
    app.run()
    assert not app.exception
    warnings = " ".join(w.value for w in app.warning)
    assert "last tuesday" in warnings and "bombing" in warnings


def test_the_map_is_asked_for_the_chosen_dates(app):
    app.query_params.update({"start": "2024-01-01", "end": "2025-06-01"})
    app.run()
    state = _map(app)["state"]
    assert (state["start"], state["end"]) == ("2024-01-01", "2025-06-01")


def test_broken_data_shows_an_error_and_the_app_keeps_running(app, tmp_path, monkeypatch):
    monkeypatch.setenv("BORDERVIZ_DATA", str(tmp_path))
    from app_cache import clear_caches

    clear_caches()
    app.run()
    assert not app.exception
    assert "did not validate" in app.error[0].value
    assert "file not found" in app.code[0].value
    clear_caches()


def test_the_war_preset_headline_equals_the_sourced_war_totals(app, frames):
    from borderviz.model import casualties

    app.run()
    app.selectbox(key="preset").select("war-2022-09").run()
    latest = casualties.latest_by_side(frames["casualty_reports"], "war-2022-09")
    for side, measure in (("KG", "killed"), ("TJ", "killed"), ("KG", "injured"), ("TJ", "injured")):
        expected = latest[(latest["side"] == side) & (latest["measure"] == measure)].iloc[0]["figure"]
        assert _metric(app, f"{measure.capitalize()}, {side} (Sep 2022 war)") == expected
    assert _metric(app, "Killed, KG (Sep 2022 war)") == "63"  # the Kyrgyz Ministry of Health, 28 Sep 2022
    labels = [m.label for m in app.metric]
    assert "Killed, KG" not in labels  # no unlabelled per-incident sum beside the war's totals
    captions = " ".join(c.value for c in app.caption)
    assert "Kyrgyz Ministry of Health" in captions and "sum" in captions.lower()


def test_outside_the_wars_the_headline_says_it_is_a_sum_of_incidents(app):
    app.query_params.update({"start": "2023-01-01", "end": "2023-12-31"})
    app.run()
    labels = [m.label for m in app.metric]
    assert "Killed, KG (sum of incidents)" in labels
    assert "incidents report one" in next(m.help for m in app.metric if m.label.startswith("Killed, KG"))


def test_the_gauge_shows_the_official_figures_of_the_day(app):
    app.query_params.update({"start": "2022-09-14", "end": "2022-09-20"})
    app.run()
    text = " ".join(m.value for m in app.markdown) + " ".join(c.value for c in app.caption)
    assert "519 km agreed of 972 km" in text or "519 km" in text
    assert "Not yet agreed:** 453 km" in text and "Disputed:** 375 km" in text
    assert "Anadolu" in text and "What this map can place" in text


def test_a_link_carries_the_view_and_opens_an_incident(app, frames):
    target = frames["incidents"]["id"].iloc[3]
    app.query_params.update({"lat": "39.95", "lon": "70.6", "zoom": "12", "incident": target})
    app.run()
    assert not app.exception and not app.warning
    state = _map(app)["state"]
    assert state["view"] == {"lat": 39.95, "lon": 70.6, "zoom": 12}
    assert state["focus"] == {"incident": target}
    params = app.query_params
    assert params["zoom"] in ("12", ["12"]) and params["incident"] in (target, [target])
    link = next(c.value for c in app.code if "incident=" in c.value)
    for part in ("start=", "end=", "types=", "layers=", "basemap=", "lat=39.95", "zoom=12", f"incident={target}"):
        assert part in link


def test_a_link_to_an_unknown_incident_warns_and_opens_the_map(app):
    app.query_params.update({"incident": "2099-01-01-nowhere"})
    app.run()
    assert not app.exception
    assert "nowhere" in " ".join(w.value for w in app.warning)
    assert "focus" not in _map(app)["state"]


def test_the_view_and_popup_the_map_reports_go_into_the_link(app, frames):
    app.run()
    args = _map(app)
    target = frames["incidents"]["id"].iloc[0]
    app.session_state["map"] = {"have": [args["config_name"], *args["packet_names"]], "n": 5,
                                "range": [args["state"]["start"], args["state"]["end"]],
                                "view": {"lat": 40.01, "lon": 70.7, "zoom": 11}, "opened": target}
    app.run()
    params = app.query_params
    assert params["lat"] in ("40.01000", ["40.01000"]) and params["incident"] in (target, [target])
    after = _map(app)
    assert after["seq"] == args["seq"] and "view" not in after["state"]  # the map is not moved back
    app.session_state["map"] = {**app.session_state["map"], "n": 6, "opened": None,
                                "view": {"lat": 400, "lon": 70.7, "zoom": 11}}
    app.run()
    assert "incident" not in app.query_params and app.query_params["lat"] in ("40.01000", ["40.01000"])


def test_a_search_result_goes_to_it_on_the_map(app):
    app.run()
    seq = _map(app)["seq"]
    app.text_input(key="query").input("Ворух").run()
    results = app.radio(key="hit")
    assert any("Vorukh" in o for o in results.options)
    app.radio(key="hit").set_value(0).run()
    state = _map(app)["state"]
    assert _map(app)["seq"] > seq
    focus = state["focus"]
    assert focus.get("incident") or ("lat" in focus and "Vorukh" in focus["label"])


def test_an_incident_found_by_id_opens_its_popup(app, frames):
    target = frames["incidents"]["id"].iloc[5]
    app.run()
    app.text_input(key="query").input(target).run()
    app.radio(key="hit").set_value(0).run()
    assert _map(app)["state"]["focus"] == {"incident": target}
    app.multiselect(key="types").select("destruction").run()
    assert "focus" not in _map(app)["state"]  # told once: a later change does not open it again


def test_tables_read_as_edited_text(app):
    from borderviz.model import readout

    app.query_params.update({"start": "2021-04-28", "end": "2021-05-01"})
    app.run()
    incidents = app.dataframe[0].value
    assert tuple(incidents.columns) == readout.INCIDENT_HEADERS
    wars = app.dataframe[1].value
    assert tuple(wars.columns) == readout.WAR_HEADERS
    for frame in (incidents, wars):
        text = frame.astype(str).to_string()
        assert "None" not in text and "NaT" not in text and "nan" not in text and "00:00:00" not in text
        assert not any("_" in c for c in frame.columns)


def test_the_whole_record_heads_each_war_with_its_own_totals(app):
    app.run()
    labels = [m.label for m in app.metric]
    assert "Killed, KG (Apr 2021 war)" in labels and "Killed, KG (Sep 2022 war)" in labels
    assert _metric(app, "Killed, TJ (Apr 2021 war)") == "19"
    assert not any("sum" in label for label in labels)


def test_chart_tooltips_use_labels_not_column_names(app):
    app.run()
    (chart,) = app.get("vega_lite_chart")
    spec = json.loads(chart.proto.spec)
    tooltips = [t for layer in spec["layer"] for t in layer["encoding"].get("tooltip", [])]
    assert tooltips and all(t.get("title") and t["title"][0].isupper() for t in tooltips), tooltips
    assert not any(t["title"] in ("event_type", "kind", "name") for t in tooltips)
class _Upload:
    """What st.file_uploader returns, for a file picked by the test."""

    def __init__(self, name: str, data: bytes):
        self.name, self._data, self.file_id = name, data, f"{name}-{len(data)}"

    def getvalue(self) -> bytes:
        return self._data


def test_a_refused_upload_keeps_the_earlier_import_and_says_so(app, monkeypatch):
    import streamlit as st

    picked: list = [_Upload("mine.csv", b"id,date,latitude,longitude\na,2022-09-14,39.95,70.53\n")]
    real = st.file_uploader
    monkeypatch.setattr(st, "file_uploader", lambda *a, **k: picked[0] if k.get("key") == "upload" else real(*a, **k))
    app.run()
    assert not app.exception and app.session_state["imported"].file == "mine.csv"
    picked[0] = _Upload("bad.csv", b"id,date,latitude,longitude\nb,9999-12-31,39.95,70.53\nc,x,north,70.5\n")
    app.run()
    assert not app.exception
    errors = [e.value.replace("\\", "") for e in app.error]  # markdown escapes; shown at the top of the page
    assert any("bad.csv" in e and "not imported" in e and "still shows mine.csv" in e for e in errors), errors
    problems = next(c.value for c in app.code if "problems" in c.value)
    assert problems.startswith("3 problems:\n  bad.csv, row 2") and "1 / p / r" not in problems
    assert app.session_state["imported"].file == "mine.csv"
    picked[0] = None  # the refused file is taken out of the uploader: the earlier import stays
    app.run()
    assert app.session_state["imported"].file == "mine.csv"
    app.button(key="remove_import").click().run(timeout=TIMEOUT)
    assert app.session_state["imported"] is None


def test_the_download_can_hold_every_state_of_the_border(app, frames):
    app.query_params.update({"start": "2014-01-01", "end": "2025-06-01"})
    app.run()
    app.multiselect(key="dl_layers").select("border_status").run()
    app.checkbox(key="dl_history").check().run()
    assert not app.exception
    assert "with every state they had in these dates" in " ".join(c.value for c in app.caption)


def test_the_import_notice_says_which_rows_took_their_country_from_their_place(app, monkeypatch):
    import streamlit as st

    towns = b"id,date,latitude,longitude\nt1,2022-09-14,40.06,70.82\nt2,2022-09-15,40.27,70.57\n"
    real = st.file_uploader
    monkeypatch.setattr(st, "file_uploader", lambda *a, **k: _Upload("towns.csv", towns) if k.get("key") == "upload"
                        else real(*a, **k))
    app.run()
    assert not app.exception
    notice = " ".join(s.value.replace("\\", "") for s in app.success)
    assert "2 rows without a known country got one" in notice and "KG 1, TJ 1" in notice, notice
