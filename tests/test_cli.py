"""The ``jailnet`` entry point: help, version, argv conventions, exit codes, empty environment."""

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hooks import __version__
from hooks.cli import hook_args, main, normalize_argv
from hooks.grammar import UsageError, build_parser

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


_HOOK_WORDS = st.sampled_from([
    "createRuntime", "poststop", "prestart", "", "-", "-1", "--", "x", "a=b", "-x y",
    "--network", "--network=", "--network=n=1", "--net", "--net=n", "--config", "--config=-c", "--state-dir",
    "--state-dir=/s", "--log-file", "--log-file=/l", "--dry-run", "--jid", "--jid=3", "--freebsd", "--bridge-present",
    "-h", "--help", "--version",
])


@settings(max_examples=400, deadline=None)
@given(st.lists(_HOOK_WORDS, max_size=6))
def test_the_hook_fast_path_reads_what_argparse_reads(words: list[str]) -> None:
    """:func:`hooks.cli.hook_args` skips argparse for the command lines runtimes run; whatever it
    accepts, the full grammar parses to the same values, and what it declines goes to the grammar."""
    fast = hook_args(["hook", *words])
    if fast is None:
        return
    out = io.StringIO()
    try:
        full = build_parser(out, hook_only=True).parse_args(["hook", *words])
    except (UsageError, SystemExit) as exc:
        pytest.fail(f"fast path took {words!r}, argparse refuses it: {exc}")
    assert vars(fast) == vars(full)


@pytest.mark.parametrize("argv", [
    ["hook", "createRuntime"],
    ["hook", "poststop", "--network", "lab", "--state-dir=/var/run/x"],
    ["hook", "--log-file", "/var/log/j.log", "prestart", "--config=/etc/j.toml"],
])
def test_the_hook_fast_path_takes_what_runtimes_run(argv: list[str]) -> None:
    fast = hook_args(argv)
    assert fast is not None and vars(fast) == vars(build_parser(hook_only=True).parse_args(argv))


@pytest.mark.parametrize("argv", [
    ["hook"], ["hook", "createRuntime", "--dry-run"], ["hook", "createRuntime", "--net", "lab"],
    ["hook", "createRuntime", "poststop"], ["hook", "createRuntime", "--network"], ["hook", "--help"],
    ["ls"], [],
])
def test_the_hook_fast_path_declines_the_rest(argv: list[str]) -> None:
    assert hook_args(argv) is None


@pytest.mark.parametrize(("argv", "collecting"), [
    (["jailnet", "hook", "createRuntime"], False),
    (["jailnet", "jailnet", "hook", "poststop"], False),  # ocijail repeats args[0]
    (["jailnet", "ls"], True),
    (["jailnet", "--version"], True),
])
def test_the_executable_runs_a_hook_without_the_cycle_collector(
        monkeypatch: pytest.MonkeyPatch, argv: list[str], collecting: bool) -> None:
    """hooks/__main__.py: a hook is short and leaves nothing to collect; other commands collect."""
    import gc

    import hooks.__main__ as executable
    from hooks import cli

    seen: list[bool] = []
    monkeypatch.setattr(sys, "argv", argv)
    monkeypatch.setattr(cli, "main", lambda: seen.append(gc.isenabled()) or 0)
    try:
        assert executable.main() == 0
    finally:
        gc.enable()
    assert seen == [collecting]
