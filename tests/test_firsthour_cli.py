"""Issue 8, the command line: demo --into safety, --actor, undo that says what it undid, a fast --help."""

from __future__ import annotations

import subprocess
import sys

import pytest

from workbench.cli import build_parser, main
from workbench.demo import DEMO_MARKER, DEMO_NAME, _clear_target, find_source
from workbench.errors import ConflictError
from workbench.store.project import Project

from .conftest import REPO


def test_demo_refuses_a_folder_that_is_not_an_earlier_demo_build(tmp_path, capsys):
    study = tmp_path / "mijn-studie"
    (study / "corpus").mkdir(parents=True)
    (study / "corpus" / "interview.txt").write_text("Echte data.\n", encoding="utf-8")
    (study / "notities.md").write_text("Niet weggooien.\n", encoding="utf-8")
    assert main(["demo", "--into", str(study), "-q"]) == 6
    err = capsys.readouterr().err
    assert "not an earlier demo build" in err and "--force" in err
    assert (study / "notities.md").read_text(encoding="utf-8") == "Niet weggooien.\n"
    assert (study / "corpus" / "interview.txt").exists()
    with pytest.raises(ConflictError, match="is not a folder"):
        _clear_target(study / "notities.md", find_source(REPO), force=True)


def test_an_earlier_demo_build_or_force_may_be_replaced(tmp_path):
    src = find_source(REPO)
    old = tmp_path / "demo"
    old.mkdir()
    (old / DEMO_MARKER).write_text("x", encoding="utf-8")
    (old / "rest.txt").write_text("x", encoding="utf-8")
    _clear_target(old, src, force=False)
    assert not old.exists()
    legacy = tmp_path / "oud"  # a build from before the marker: a project with the demo's name
    Project.init(legacy, name=DEMO_NAME).close()
    _clear_target(legacy, src, force=False)
    assert not legacy.exists()
    other = tmp_path / "ander"
    other.mkdir()
    (other / "x.txt").write_text("x", encoding="utf-8")
    _clear_target(other, src, force=True)
    assert not other.exists() and tmp_path.exists()
    empty = tmp_path / "leeg"
    empty.mkdir()
    _clear_target(empty, src, force=False)  # an empty folder is fine and stays
    assert empty.exists()


def test_demo_never_deletes_the_sources_or_the_current_folder(tmp_path, monkeypatch):
    src = find_source(REPO)
    with pytest.raises(ConflictError, match="refusing"):
        _clear_target(src, src, force=True)
    monkeypatch.chdir(tmp_path)
    (tmp_path / "x").write_text("x", encoding="utf-8")
    with pytest.raises(ConflictError, match="refusing"):
        _clear_target(tmp_path, src, force=True)
    assert (tmp_path / "x").exists()


def test_actor_is_the_name_and_user_an_alias(project, capsys):
    root = str(project.root)
    assert main(["codebook", "-p", root, "--actor", "anna", "create", "nieuw", "Nieuw"]) == 0
    assert main(["codebook", "-p", root, "--user", "bob", "rename", "nieuw", "Nieuwer"]) == 0
    capsys.readouterr()
    assert main(["undo", "-p", root, "--actor", "bob"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("undid: ") and "by bob" in out and "1 row" in out and "(for bob)" in out
    assert main(["undo", "-p", root, "--user", "anna"]) == 0
    assert "by anna" in capsys.readouterr().out
    assert "nieuw" not in set(project.codes()["id"])
    assert main(["undo", "-p", root, "--actor", "anna", "--redo"]) == 0
    assert capsys.readouterr().out.startswith("redid: ")
    assert main(["undo", "-p", root, "--actor", "carla"]) == 5


def _heavy_modules_after(argv: list[str]) -> list[str]:
    code = ("import sys\nfrom workbench import cli\n"
            f"try:\n    cli.main({argv!r})\nexcept SystemExit:\n    pass\n"
            "print(sorted(m for m in ('pandas', 'sqlalchemy', 'numpy', 'yaml', 'alembic') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=REPO)
    return eval(out.stdout.strip().splitlines()[-1])  # noqa: S307 - our own print of a list of names


@pytest.mark.parametrize("argv", [["--help"], ["import", "--help"], ["codebook", "--help"], ["import"],
                                  ["nonsense"]])
def test_help_and_argument_errors_import_nothing_heavy(argv):
    assert _heavy_modules_after(argv) == []


# the commands this issue covers (other commands' help is checked with them)
COMMANDS = ("init", "import", "info", "demo", "export-coding", "import-coding", "codebook", "undo")


def test_every_command_and_sub_command_has_help():
    parser = build_parser()

    def walk(p, path):
        for action in p._actions:
            if action.dest == "help":
                continue
            if action.choices and hasattr(action.choices, "items"):  # sub-commands
                helps = {a.dest: a.help for a in action._choices_actions}
                for name, sub in action.choices.items():
                    if path == ["workbench"] and name not in COMMANDS:
                        continue
                    assert helps.get(name), f"{' '.join([*path, name])} has no help"
                    walk(sub, [*path, name])
            else:
                assert action.help, f"{' '.join(path)} {action.option_strings or action.dest} has no help"

    walk(parser, ["workbench"])
