"""man/jailnet.8: clean mdoc(7) that documents every subcommand, option, environment variable and
annotation the code has, with the defaults the code uses.

The checks go from the code to the page: a new option, subcommand, ``ENV_*`` constant or
``ANNOTATION_*`` constant without documentation fails here.
"""

import argparse
import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from hooks import paths, request
from hooks.grammar import build_parser
from hooks.netconf import DnsDefaults, builtin

ROOT = Path(__file__).resolve().parent.parent
PAGE = ROOT / "man" / "jailnet.8"
TEXT = PAGE.read_text()
LINES = TEXT.splitlines()


def section(name: str) -> list[str]:
    """The lines of ``.Sh NAME`` up to the next ``.Sh``."""
    start = LINES.index(f".Sh {name}") + 1
    end = next((i for i in range(start, len(LINES)) if LINES[i].startswith(".Sh ")), len(LINES))
    return LINES[start:end]


def commands(parser: argparse.ArgumentParser, path: tuple[str, ...] = ()) -> Iterator[
        tuple[tuple[str, ...], argparse.ArgumentParser, bool]]:
    """Every (sub)command of ``parser``: its words, its parser, and whether it is a leaf."""
    subs = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    if path:
        yield path, parser, not subs
    for action in subs:
        for name, child in action.choices.items():
            yield from commands(child, (*path, name))


def long_options(parser: argparse.ArgumentParser, *, with_help: bool = False) -> list[str]:
    return [option for action in parser._actions
            if with_help or not isinstance(action, argparse._HelpAction)
            for option in action.option_strings if option.startswith("--")]


def mentions_option(lines: list[str], option: str) -> bool:
    """``option`` (``--name``) written as mdoc writes it: ``Fl -name`` (or ``Fl \\-name``)."""
    pattern = re.compile(rf"(?:^|[\s.])Fl \\?{re.escape(option[1:])}(?![\w-])")
    return any(pattern.search(line) for line in lines)


def synopsis_entries() -> list[list[str]]:
    """The SYNOPSIS, one entry per ``.Nm`` line."""
    entries: list[list[str]] = []
    for line in section("SYNOPSIS"):
        if line == ".Nm":
            entries.append([])
        elif entries:
            entries[-1].append(line)
    return entries


def synopsis_of(path: tuple[str, ...]) -> list[str] | None:
    wanted = f".Cm {' '.join(path)}"
    return next((entry for entry in synopsis_entries() if entry and entry[0] == wanted), None)


def description_of(path: tuple[str, ...]) -> list[str] | None:
    """The subsection ``.Ss jailnet PATH …``, or the list item ``.It Cm PATH …``, of DESCRIPTION."""
    lines = section("DESCRIPTION")
    words = " ".join(path)
    for i, line in enumerate(lines):
        stops: tuple[str, ...]
        if re.fullmatch(rf"\.Ss jailnet {re.escape(words)}(?: .*)?", line):
            stops = (".Ss ",)
        elif re.fullmatch(rf"\.It Cm {re.escape(words)}(?: .*)?", line):
            stops = (".Ss ", ".It Cm ")
        else:
            continue
        end = next((j for j in range(i + 1, len(lines)) if lines[j].startswith(stops)), len(lines))
        return lines[i:end]
    return None


def undocumented(parser: argparse.ArgumentParser) -> list[str]:
    """What ``parser`` knows that the page does not say, one line each."""
    missing = []
    for path, command, leaf in commands(parser):
        words = " ".join(path)
        if not leaf:
            if not any(e and e[0].startswith(f".Cm {words} ") for e in synopsis_entries()):
                missing.append(f"{words}: no SYNOPSIS line")
            continue
        synopsis, description = synopsis_of(path), description_of(path)
        if synopsis is None:
            missing.append(f"{words}: no SYNOPSIS line")
        if description is None:
            missing.append(f"{words}: no '.Ss jailnet {words}' or '.It Cm {words}' in DESCRIPTION")
        for option in long_options(command):
            if synopsis is not None and not mentions_option(synopsis, option):
                missing.append(f"{words} {option}: not in its SYNOPSIS line")
            if description is not None and not mentions_option(description, option):
                missing.append(f"{words} {option}: not described")
    for option in long_options(parser, with_help=True):
        if not mentions_option(section("SYNOPSIS"), option):
            missing.append(f"jailnet {option}: not in SYNOPSIS")
    return missing


def test_mandoc_lint_is_silent() -> None:
    mandoc = shutil.which("mandoc")
    if mandoc is None:
        reason = "mandoc is not installed (apt-get install mandoc; .ci/run installs it)"
        if os.environ.get("JAILNET_REQUIRE_MANDOC") == "1":  # CI installs it: a skip there would hide it
            pytest.fail(reason)
        pytest.skip(reason)
    proc = subprocess.run([mandoc, "-T", "lint", "-W", "warning", str(PAGE)], capture_output=True, text=True)
    assert (proc.returncode, proc.stdout, proc.stderr) == (0, "", "")


def test_header_and_sections() -> None:
    assert LINES[LINES.index(".Dt JAILNET 8") + 1] == ".Os"
    assert any(line.startswith(".Dd ") for line in LINES[:LINES.index(".Dt JAILNET 8")])
    heads = [line[4:] for line in LINES if line.startswith(".Sh ")]
    assert heads[:3] == ["NAME", "SYNOPSIS", "DESCRIPTION"]
    for name in ("ANNOTATIONS", "ENVIRONMENT", "FILES", "EXIT STATUS", "EXAMPLES", "SEE ALSO", "STANDARDS",
                 "HISTORY", "CAVEATS"):
        assert name in heads
    assert section("NAME")[0] == ".Nm jailnet"
    assert not [n for n, line in enumerate(LINES, 1) if line != line.rstrip()]


def test_every_subcommand_and_option_is_documented() -> None:
    assert undocumented(build_parser()) == []


def test_the_walk_sees_every_command() -> None:
    """The walk is not vacuous: it reaches nested commands and their options."""
    found = {" ".join(path): long_options(parser) for path, parser, leaf in commands(build_parser()) if leaf}
    assert {"hook", "doctor", "ls", "gc", "bundle add", "bundle check", "demo"} <= set(found)
    assert "--dry-run" in found["hook"] and "--timeout" in found["bundle add"]


def test_an_undocumented_option_or_command_is_reported() -> None:
    parser = build_parser()
    subs = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    subs.choices["gc"].add_argument("--not-documented", action="store_true")
    subs.add_parser("frobnicate").add_argument("--level")
    assert undocumented(parser) == [
        "gc --not-documented: not in its SYNOPSIS line",
        "gc --not-documented: not described",
        "frobnicate: no SYNOPSIS line",
        "frobnicate: no '.Ss jailnet frobnicate' or '.It Cm frobnicate' in DESCRIPTION",
    ]


def test_every_environment_variable_is_documented() -> None:
    names = [getattr(paths, n) for n in dir(paths) if n.startswith("ENV_")]
    assert "JAILNET_CONFIG" in names
    documented = {line[len(".It Ev "):] for line in section("ENVIRONMENT") if line.startswith(".It Ev ")}
    assert set(names) <= documented


def test_every_annotation_is_documented() -> None:
    keys = [getattr(request, n) for n in dir(request) if n.startswith("ANNOTATION_") and n != "ANNOTATION_PREFIX"]
    assert "org.jailnet.ipv4" in keys
    documented = {line[len(".It Li "):] for line in section("ANNOTATIONS") if line.startswith(".It Li ")}
    assert set(keys) <= documented


def test_defaults_are_the_codes() -> None:
    network = builtin(DnsDefaults())
    description = "\n".join(section("DESCRIPTION"))
    for fact in (f"Li {network.name}", f"Li {network.bridge}", str(network.subnet), str(network.gateway),
                 f"Li {network.table}", *DnsDefaults().nameservers):
        assert fact in description
    files = {line[len(".It Pa "):] for line in section("FILES") if line.startswith(".It Pa ")}
    assert {paths.DEFAULT_CONFIG, paths.DEFAULT_STATE_DIR, paths.HOST_RESOLV_CONF} <= files
    subs = next(a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction))
    bundle = next(a for a in subs.choices["bundle"]._actions if isinstance(a, argparse._SubParsersAction))
    timeout = next(a for a in bundle.choices["add"]._actions if "--timeout" in a.option_strings)
    item = "\n".join(description_of(("bundle", "add")) or [])
    assert f".Pq default: {timeout.default} ." in item


def test_examples_show_the_readme_pf_rule() -> None:
    readme = (ROOT / "README.md").read_text().splitlines()
    rules = [line for line in readme if line.startswith(("table <", "nat on "))]
    assert len(rules) == 3  # the IPv4 rule, its table, and the inet6 rule of a dual-stack network
    examples = section("EXAMPLES")
    for rule in rules:
        assert rule in examples
