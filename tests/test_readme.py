"""The README's two set-up commands stay true, and CI runs the same test command."""

from __future__ import annotations

import re


def _commands(repo) -> list[str]:
    readme = (repo / "README.md").read_text(encoding="utf-8")
    setup = readme.split("## Set up", 1)[1].split("\n## ", 1)[0]
    return [line for block in re.findall(r"```sh\n(.*?)```", setup, re.S)
            for line in block.splitlines() if line and not line.startswith("#")]


def test_readme_has_one_command_to_run_the_app_and_one_to_run_the_tests(repo):
    app, tests = _commands(repo)
    assert app.endswith("streamlit run app.py")
    assert tests.endswith("python -m pytest")


def test_ci_runs_the_readme_test_command(repo):
    _app, tests = _commands(repo)
    script = (repo / ".ci" / "run").read_text(encoding="utf-8")
    assert tests in script.splitlines()


def test_the_scripts_the_commands_use_exist_and_are_executable(repo):
    import os

    for path in (repo / ".ci" / "run", repo / "scripts" / "install-system-deps"):
        assert path.exists() and os.access(path, os.X_OK), path


def _update_docs(repo):
    import importlib.util

    spec = importlib.util.spec_from_file_location("update_docs", repo / "scripts" / "update_docs.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_package_page_readme_is_the_readme_with_absolute_links(repo):
    docs = _update_docs(repo)
    base = docs.repository()
    readme = (repo / "README.md").read_text(encoding="utf-8")
    page = (repo / "docs" / "package-readme.md").read_text(encoding="utf-8")
    assert page == docs.package_readme(readme, base), "run python scripts/update_docs.py"
    images = re.findall(r"!\[[^\]]*\]\(([^)]+)\)", page) + re.findall(r'<img src="([^"]+)"', page)
    assert images and all(i.startswith(f"{base}/raw/main/docs/") for i in images), images
    links = re.findall(r"(?<!!)\[[^\]]*\]\(([^)]+)\)", page)
    assert all(link.startswith(("http://", "https://", "#")) for link in links), links


def test_project_urls_derive_from_the_one_repository_url(repo):
    import tomllib

    meta = tomllib.loads((repo / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    base = meta["urls"]["Repository"]
    assert meta["readme"] == "docs/package-readme.md"
    assert all(url.startswith(base) for url in meta["urls"].values()), meta["urls"]
