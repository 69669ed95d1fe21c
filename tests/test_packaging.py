"""Packaging: pyproject.toml and environment.yml list the same packages; the CLI is wired up."""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib

import yaml

from .conftest import REPO


def _name(req: str) -> str:
    return re.split(r"[<>=!~\[ ;]", req.strip(), maxsplit=1)[0].lower().replace("_", "-")


def test_environment_yml_matches_pyproject():
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    wanted = {_name(r) for r in project["dependencies"] + project["optional-dependencies"]["test"]}
    env = yaml.safe_load((REPO / "environment.yml").read_text())
    listed = set()
    for dep in env["dependencies"]:
        if isinstance(dep, dict):
            listed |= {_name(d) for d in dep.get("pip", [])}
        else:
            listed.add(_name(dep))
    listed -= {"python", "pip"}
    assert listed == wanted


def test_default_install_pulls_no_torch():
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    names = {_name(r) for r in project["dependencies"]}
    assert not names & {"torch", "sentence-transformers", "bertopic[all]"}
    assert "sentence-transformers" in {_name(r) for r in project["optional-dependencies"]["embeddings"]}


def test_console_script_and_module_entry_point():
    out = subprocess.run([sys.executable, "-m", "workbench", "--help"], capture_output=True, text=True, check=True)
    for command in ("init", "import", "info", "demo", "export-coding", "import-coding", "codebook", "undo"):
        assert command in out.stdout
    bad = subprocess.run([sys.executable, "-m", "workbench", "frobnicate"], capture_output=True, text=True)
    assert bad.returncode == 2 and "invalid choice" in bad.stderr


def test_ci_runs_the_readme_test_command():
    readme = (REPO / "README.md").read_text()
    commands = re.findall(r"^make \w+$", readme, re.M)
    assert commands[:2] == ["make demo", "make test"]
    assert "make test" in (REPO / ".ci" / "run").read_text()
