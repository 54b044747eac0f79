"""The committed data/ is exactly what scripts/build_data.py produces (issue 2)."""

from __future__ import annotations

import subprocess
import sys

import pytest


@pytest.fixture(scope="module")
def built(tmp_path_factory, repo):
    out = tmp_path_factory.mktemp("built")
    result = subprocess.run([sys.executable, str(repo / "scripts" / "build_data.py"), "--out", str(out)],
                            capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    return out


def test_committed_data_equals_a_fresh_build(built, repo):
    produced = sorted(p.name for p in built.iterdir())
    for name in produced:
        committed = (repo / "data" / name).read_bytes()
        assert committed == (built / name).read_bytes(), f"data/{name} differs from the build; run borderviz build-data"


def test_build_is_deterministic(built, repo, tmp_path):
    subprocess.run([sys.executable, str(repo / "scripts" / "build_data.py"), "--out", str(tmp_path)],
                   check=True, capture_output=True)
    for path in built.iterdir():
        assert (tmp_path / path.name).read_bytes() == path.read_bytes(), path.name


def test_build_reports_every_problem_in_the_research(tmp_path, repo):
    """A broken research file stops the build with messages naming file and record."""
    import shutil

    root = tmp_path / "repo"
    shutil.copytree(repo / "data" / "sources", root / "data" / "sources")
    shutil.copytree(repo / "data" / "research", root / "data" / "research")
    shutil.copy(repo / "data" / "README.md", root / "data" / "README.md")
    bad = root / "data" / "research" / "incidents" / "zz-broken.yaml"
    bad.write_text(
        "sources: {}\n"
        "incidents:\n"
        "  - {id: 2021-01-01-x, date_start: 2021-01-01, event_type: not-a-type, location: {gazetteer: 1},\n"
        "     sources: [no-such-key]}\n", encoding="utf-8")
    result = subprocess.run([sys.executable, str(repo / "scripts" / "build_data.py"), "--root", str(root),
                             "--out", str(tmp_path / "out")], capture_output=True, text=True, check=False)
    assert result.returncode == 1
    err = result.stderr
    assert "zz-broken.yaml" in err and "unknown source key 'no-such-key'" in err
    assert "gazetteer id 1 is not in the gazetteer" in err
