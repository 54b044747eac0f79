"""Shared fixtures. Small test data is built in code; the real layers come from data/."""

from __future__ import annotations

import datetime as dt
import os
import sys
from pathlib import Path
from typing import Any

import pytest
import shapely

from borderviz.model import layers
from borderviz.model.schema import LAYERS

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def repo() -> Path:
    return REPO


@pytest.fixture(scope="session")
def frames() -> dict[str, Any]:
    """Every committed layer, loaded and validated once per session. Do not mutate."""
    return layers.load_all()


def incident(**overrides: Any) -> dict[str, Any]:
    """One valid incident record (properties), for building small test layers in code."""
    record = {
        "id": "2021-04-29-test-place",
        "date_start": "2021-04-29",
        "date_end": "2021-04-29",
        "date_precision": "day",
        "event_type": "armed_clash",
        "conflict": None,
        "place_reported": "Test place",
        "country": "KG",
        "region": "Batken",
        "district": "Batken",
        "location_precision": "settlement",
        "location_method": "gazetteer wof:1 (test)",
        "gazetteer_id": 1,
        "killed_kg": 2, "killed_tj": None, "injured_kg": None, "injured_tj": 3,
        "displaced_kg": None, "displaced_tj": None, "killed_total": 2,
        "figures": [{"side": "KG", "measure": "killed", "value": 2, "qualifier": "exact",
                     "reported_by": "Test ministry", "reported_on": "2021-04-30",
                     "source": {"publisher": "Test", "title": "T", "url": "https://example.org/t"}}],
        "description": "A test incident.",
        "account": "both",
        "denial": None,
        "confidence": "high",
        "sources": [{"key": "test", "publisher": "Test outlet", "title": "Test title",
                     "date": "2021-04-30", "url": "https://example.org/a"}],
    }
    record.update(overrides)
    return record


def incidents_frame(records: list[dict[str, Any]], points: list[tuple[float, float]] | None = None):
    """A validated incidents GeoDataFrame from records and (lon, lat) points."""
    points = points or [(70.5, 39.95)] * len(records)
    frame, problems = layers.build_frame(LAYERS["incidents"], records,
                                         [shapely.Point(p) for p in points], "test.geojson")
    assert problems == [], problems
    return frame


@pytest.fixture
def make_incidents():
    return incidents_frame


@pytest.fixture
def today() -> dt.date:
    return dt.date.today()


# --- browser tests: one app server and one Chromium per test module ----------------------------

sys.path.insert(0, str(REPO / "scripts"))


@pytest.fixture(scope="module")
def server(repo):
    """``streamlit run app.py`` on a free port; its URL."""
    import appdriver

    with appdriver.serve_app(repo) as url:
        yield url


@pytest.fixture(scope="module")
def browser():
    """Debian's Chromium under Playwright (required in CI; skipped elsewhere if missing)."""
    import appdriver

    if not Path(appdriver.CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail("Debian's chromium is required in CI (apt-get install chromium)")
        pytest.skip("Debian's chromium is not installed (apt-get install chromium)")
    with appdriver.chromium() as b:
        yield b


def need_tool(name: str, present: bool, package: str) -> None:
    """Skip a test whose outside tool is missing, except in CI (env CI set), where it fails:
    scripts/install-system-deps installs every tool the tests use."""
    if present:
        return
    message = f"{name} is not installed (scripts/install-system-deps installs Debian's {package})"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)
