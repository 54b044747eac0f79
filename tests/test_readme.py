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
