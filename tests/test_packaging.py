"""The wheel is a real package: built from the checkout, installed in a fresh virtual
environment, and used from another folder, with nothing from the checkout on the path.

One wheel and one environment serve every test here (built once per session; pip's
cache makes the install take seconds after the first time on a machine).
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
import zipfile
from pathlib import Path

import pytest

from borderviz.io import formats
from borderviz.model.schema import LAYERS

pytestmark = pytest.mark.packaging

# What the wheel must carry, and what it must not (the build's inputs, generated files).
MUST_SHIP = [
    "borderviz/py.typed",
    "borderviz/app.py",
    "borderviz/docs/about.md",
    "borderviz/data/README.md",
    "borderviz/data/datapackage.json",
    "borderviz/data/sources/gazetteer/gazetteer_KG_TJ.csv",  # the offline place search reads it
    "borderviz/data/sources/gazetteer/SOURCE.md",
    "borderviz/maps/web/engine.js",
    "borderviz/maps/web/index.html",
    "borderviz/maps/web/engine.css",
    "borderviz/maps/web/vendor/leaflet/leaflet.js",
    "borderviz/maps/web/vendor/leaflet/LICENSE",
    "borderviz/maps/web/vendor/leaflet/images/layers.png",
    "borderviz/maps/web/vendor/html-to-image/LICENSE",
    *(f"borderviz/data/{spec.file}" for spec in LAYERS.values()),
]
MUST_NOT_SHIP = ("borderviz/data/sources/osm", "borderviz/data/sources/research", "borderviz/data/research/", "tests/")


def _run(command: list[str], cwd: Path, env: dict[str, str], timeout: int = 300) -> subprocess.CompletedProcess:
    result = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    assert result.returncode == 0, f"{' '.join(command)}\nstdout:\n{result.stdout}\nstderr:\n{result.stderr}"
    return result


@pytest.fixture(scope="session")
def wheel(repo, tmp_path_factory) -> Path:
    """The wheel, built from a copy of the checkout (a local build/ folder could leak stale files)."""
    import shutil

    source = tmp_path_factory.mktemp("source") / "borderviz"
    shutil.copytree(repo, source, symlinks=True, ignore=shutil.ignore_patterns(
        ".git", ".venv", "build", "dist", "*.egg-info", "__pycache__", ".pytest_cache", ".ruff_cache",
        "test-artifacts", "generated", ".benchmarks"))
    out = tmp_path_factory.mktemp("wheel")
    _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(out), str(source)], out,
         dict(os.environ))
    (path,) = out.glob("borderviz-*.whl")
    return path


@pytest.fixture(scope="session")
def installed(wheel, tmp_path_factory) -> tuple[Path, Path, dict[str, str]]:
    """(bin folder of a fresh venv with the wheel installed, a work folder elsewhere, env)."""
    venv = tmp_path_factory.mktemp("venv")
    work = tmp_path_factory.mktemp("elsewhere")
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "BORDERVIZ_DATA", "VIRTUAL_ENV")}
    _run([sys.executable, "-m", "venv", str(venv)], work, env)
    bindir = venv / ("Scripts" if os.name == "nt" else "bin")
    _run([str(bindir / "python"), "-m", "pip", "install", "-q", "--disable-pip-version-check", str(wheel)], work, env,
         timeout=900)
    return bindir, work, env


def test_the_wheel_carries_data_notes_and_browser_assets(wheel, repo):
    names = zipfile.ZipFile(wheel).namelist()
    missing = [n for n in MUST_SHIP if n not in names]
    assert not missing, missing
    package = repo / "borderviz"
    code = [p.relative_to(repo).as_posix() for p in package.rglob("*") if p.suffix in (".py", ".js", ".css", ".html")
            and "__pycache__" not in p.parts]
    assert not [n for n in code if n not in names], "every module and browser file ships"
    assert not [n for n in names if n.startswith(MUST_NOT_SHIP)]
    metadata = zipfile.ZipFile(wheel).read(next(n for n in names if n.endswith(".dist-info/METADATA"))).decode()
    assert "License-Expression: MIT" in metadata and "Classifier: Typing :: Typed" in metadata


def test_the_installed_package_uses_its_own_files(installed):
    bindir, work, env = installed
    code = ("import borderviz, borderviz.model.layers as l; print(borderviz.__file__); print(l.data_dir()); "
            "print(borderviz.assets.STATIC_DIR)")
    lines = _run([str(bindir / "python"), "-c", code], work, env).stdout.splitlines()
    assert all("site-packages" in line for line in lines), lines


def test_the_installed_search_finds_gazetteer_places_in_cyrillic(installed):
    bindir, work, env = installed
    code = ("import borderviz; from borderviz import search; "
            "print([h.kind for h in search.search(borderviz.load(), 'Кулунду')])")
    assert "place" in _run([str(bindir / "python"), "-c", code], work, env).stdout


def test_validate_and_layers_work_from_another_folder(installed):
    bindir, work, env = installed
    assert _run([str(bindir / "borderviz"), "validate"], work, env).stdout.startswith("OK:")
    out = _run([str(bindir / "borderviz"), "layers"], work, env).stdout
    assert "2024: 946.5 km" in out and "Border status history" in out


def test_every_export_format_works_from_another_folder(installed):
    """`borderviz export` in every format, in one Python (the entry point itself is run above)."""
    bindir, work, env = installed
    targets = {fmt: str(work / formats.download_name(fmt, ["incidents", "border_status"])) for fmt in formats.FORMATS}
    code = ("import json, sys\nfrom borderviz.cli import app\n"
            "for fmt, target in json.loads(sys.argv[1]).items():\n"
            "    try:\n"
            "        app(['-q', 'export', '--layer', 'incidents', '--layer', 'border_status', '--format', fmt,"
            " '-o', target])\n"
            "    except SystemExit as exc:\n"
            "        assert not exc.code, (fmt, exc.code)\n")
    _run([str(bindir / "python"), "-c", code, json.dumps(targets)], work, env)
    for fmt, target in targets.items():
        assert Path(target).stat().st_size > 1000, fmt


def test_the_notebook_map_saves_a_file_that_needs_no_server(installed):
    bindir, work, env = installed
    code = "import borderviz; borderviz.map(basemap='none').save('map.html')"
    _run([str(bindir / "python"), "-c", code], work, env)
    html = (work / "map.html").read_text(encoding="utf-8")
    assert "/app/static" not in html and "L.map(" in html


def test_the_app_runs_from_the_installed_package(installed):
    bindir, work, env = installed
    code = ("import json, borderviz\nfrom pathlib import Path\nfrom streamlit.testing.v1 import AppTest\n"
            "at = AppTest.from_file(str(Path(borderviz.__file__).with_name('app.py')), default_timeout=120).run()\n"
            "print(json.dumps([str(e.value) for e in at.exception]))")
    assert json.loads(_run([str(bindir / "python"), "-c", code], work, env).stdout.splitlines()[-1]) == []


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_borderviz_app_serves_the_app(installed):
    """The map's own files are served by its component once a page opens it (browser tests, from a checkout);
    here: the installed command starts the app, which answers."""
    bindir, work, env = installed
    port = _free_port()
    server = subprocess.Popen([str(bindir / "borderviz"), "app", "--port", str(port), "--address", "127.0.0.1"],
                              cwd=work, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 90
        while True:
            try:
                with urllib.request.urlopen(f"{base}/_stcore/health", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            assert server.poll() is None, server.stdout.read().decode()
            assert time.monotonic() < deadline, "borderviz app did not answer /_stcore/health"
            time.sleep(0.5)
        with urllib.request.urlopen(f"{base}/", timeout=10) as r:
            assert r.status == 200
        with urllib.request.urlopen(f"{base}/_stcore/host-config", timeout=10) as r:
            assert r.status == 200
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
