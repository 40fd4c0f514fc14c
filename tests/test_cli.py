"""The ``jailnet`` entry point: help, version, argv conventions, exit codes, empty environment."""

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest

from hooks import __version__
from hooks.cli import main, normalize_argv

ROOT = Path(__file__).resolve().parent.parent


def run_main(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def test_version() -> None:
    assert run_main("--version") == (0, f"jailnet {__version__}\n", "")


def test_help_lists_the_commands() -> None:
    code, out, err = run_main("--help")
    assert code == 0 and err == ""
    assert out.startswith("usage: jailnet [-h] [--version] COMMAND ...")
    assert "demo" in out and "hook" in out


def test_no_command_prints_help() -> None:
    code, out, _ = run_main()
    assert code == 0 and out.startswith("usage: jailnet")


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["demo"], ["demo"]),  # runj: path + args[1:]
        (["jailnet", "demo"], ["demo"]),  # ocijail: path + args, so args[0] comes again
        (["/usr/local/bin/jailnet", "demo"], ["demo"]),  # args[0] written as the full path
        (["--version"], ["--version"]),
        ([], []),
    ],
)
def test_both_runtime_conventions_reach_the_same_command(argv: list[str], expected: list[str]) -> None:
    assert normalize_argv(argv) == expected


def test_ocijail_style_argv_runs_the_same_command() -> None:
    assert run_main("jailnet", "--version") == run_main("--version")


def test_unknown_command_is_bad_input() -> None:
    code, out, err = run_main("frobnicate")
    assert code == 2 and out == ""
    assert err.startswith("jailnet: argument COMMAND: invalid choice: 'frobnicate'")
    assert err.count("\n") == 1


def test_python_dash_m_hooks() -> None:
    proc = subprocess.run([sys.executable, "-m", "hooks", "--version"], capture_output=True, text=True,
                          cwd=ROOT, check=False)
    assert (proc.returncode, proc.stdout) == (0, f"jailnet {__version__}\n")


def test_installed_command_runs_with_an_empty_environment(tmp_path: Path) -> None:
    """The console script has an absolute interpreter shebang: env -i works, from any cwd."""
    script = Path(sys.executable).parent / "jailnet"
    if not script.exists():
        pytest.skip("jailnet is not installed in this interpreter's environment")
    for argv in ([str(script), "--version"], [str(script), "jailnet", "--version"]):
        proc = subprocess.run(["env", "-i", *argv], capture_output=True, text=True, cwd=tmp_path, check=False)
        assert (proc.returncode, proc.stdout, proc.stderr) == (0, f"jailnet {__version__}\n", "")
    assert os.access(script, os.X_OK)


def test_every_command_has_a_description_and_every_argument_help() -> None:
    import argparse

    from hooks.cli import build_parser

    missing: list[str] = []

    def walk(parser: argparse.ArgumentParser, name: str) -> None:
        if not parser.description:
            missing.append(f"{name}: no description")
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                for word, sub in action.choices.items():
                    walk(sub, f"{name} {word}")
            elif not action.help:
                missing.append(f"{name} {action.dest}: no help")

    walk(build_parser(), "jailnet")
    assert missing == []
