"""Every command and sub-command documents itself (as sqlite-utils checks), and --help is instant."""

from __future__ import annotations

import argparse
import subprocess
import sys

import pytest

from workbench.cli import build_parser


def _commands(parser: argparse.ArgumentParser, prefix: tuple[str, ...] = ()):
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            helps = {a.dest: a.help for a in action._choices_actions}
            for name, sub in action.choices.items():
                yield (*prefix, name), helps.get(name), sub
                yield from _commands(sub, (*prefix, name))


COMMANDS = list(_commands(build_parser()))


@pytest.mark.parametrize("path, help_text, parser", COMMANDS, ids=[" ".join(c[0]) for c in COMMANDS])
def test_every_command_has_help(path, help_text, parser, capsys):
    assert help_text and help_text.strip(), f"`workbench {' '.join(path)}` has no help text"
    with pytest.raises(SystemExit) as done:
        build_parser().parse_args([*path, "--help"])
    assert done.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith("usage: workbench " + " ".join(path))


def test_help_does_not_import_the_heavy_libraries():
    code = ("import sys; from workbench.cli import main\n"
            "try:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
            "heavy = [m for m in ('pandas', 'sqlalchemy', 'numpy', 'plotly', 'bertopic') if m in sys.modules]\n"
            "print('HEAVY', heavy)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert "HEAVY []" in out.stdout, out.stdout + out.stderr
