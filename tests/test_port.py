"""packaging/freebsd/sysutils/jailnet: a port skeleton in step with the repository.

Its version, dependencies and Python minimum are pyproject.toml's; what it installs from the
source tree exists and is in the sdist; its rc.d script is examples/rc.d/jailnet; its
pkg-message gives README's pf.conf lines.
"""

import re
import tomllib
from pathlib import Path

import pytest

import hooks
from hooks import configfile
from hooks.netconf import DnsDefaults, builtin

ROOT = Path(__file__).resolve().parent.parent
PORT = ROOT / "packaging" / "freebsd" / "sysutils" / "jailnet"
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())
#: A requirement as pyproject.toml writes it: ``attrs>=25.4``.
REQUIREMENT = re.compile(r"([A-Za-z0-9][A-Za-z0-9._-]*)>=([0-9][0-9.]*)")
#: A ports dependency on a flavored Python port: ``${PYTHON_PKGNAMEPREFIX}attrs>=25.4:devel/py-attrs@${PY_FLAVOR}``.
PY_DEPENDENCY = re.compile(r"\$\{PYTHON_PKGNAMEPREFIX\}([A-Za-z0-9._-]+?)(>=|>)([0-9][0-9.]*):"
                           r"[a-z-]+/py-([A-Za-z0-9._-]+)@\$\{PY_FLAVOR\}")


def makefile() -> tuple[dict[str, str], dict[str, list[str]]]:
    """The Makefile's variables (continuation lines joined, ``+=`` appended) and its targets' recipes."""
    variables: dict[str, str] = {}
    targets: dict[str, list[str]] = {}
    target: str | None = None
    logical: list[str] = []
    for raw in (PORT / "Makefile").read_text().splitlines():
        if raw.endswith("\\"):
            logical.append(raw[:-1])
            continue
        line = " ".join(part.strip() for part in [*logical, raw])
        logical = []
        if raw.startswith("\t") and target is not None:
            targets[target].append(line)
            continue
        target = None
        assignment = re.fullmatch(r"([A-Z_]+)(\+?)=\s*(.*)", line)
        if assignment:
            name, append, value = assignment.groups()
            variables[name] = f"{variables[name]} {value}" if append and name in variables else value
        elif re.fullmatch(r"[a-z-]+:", line):
            target = line[:-1]
            targets[target] = []
    return variables, targets


VARIABLES, TARGETS = makefile()


def python_dependencies(value: str) -> dict[str, str]:
    found = {}
    for word in value.split():
        match = PY_DEPENDENCY.fullmatch(word)
        assert match, f"not a flavored Python dependency: {word}"
        name, operator, version, origin = match.groups()
        assert origin == name
        found[name] = f"{operator}{version}"
    return found


def requirements(words: list[str]) -> dict[str, str]:
    found = {}
    for word in words:
        match = REQUIREMENT.fullmatch(word)
        assert match, f"pyproject.toml: {word!r} is not NAME>=VERSION"
        found[match.group(1)] = f">={match.group(2)}"
    return found


def installed_from_source() -> dict[str, str]:
    """What post-install copies out of ${WRKSRC}: source path -> path under ${PREFIX}."""
    found = {}
    for line in TARGETS["post-install"]:
        match = re.search(r"\$\{WRKSRC\}/(\S+) \$\{STAGEDIR\}\$\{PREFIX\}/(\S+)", line)
        if match:
            source, target = match.groups()
            found[source] = target if "." in Path(target).name else f"{target}/{Path(source).name}"
    return found


def test_version_is_the_package_version() -> None:
    assert VARIABLES["DISTVERSION"] == hooks.__version__
    assert VARIABLES["PORTNAME"] == PYPROJECT["project"]["name"] == "jailnet"


def test_run_depends_are_pyprojects_dependencies() -> None:
    assert python_dependencies(VARIABLES["RUN_DEPENDS"]) == requirements(PYPROJECT["project"]["dependencies"])


def test_build_depends_is_the_build_backend() -> None:
    assert python_dependencies(VARIABLES["BUILD_DEPENDS"]) == requirements(PYPROJECT["build-system"]["requires"])
    assert PYPROJECT["build-system"]["build-backend"] == "hatchling.build"
    assert VARIABLES["USE_PYTHON"].split() == ["autoplist", "pep517"]


def test_python_minimum_is_requires_python() -> None:
    match = re.fullmatch(r">=(\d+\.\d+)", PYPROJECT["project"]["requires-python"])
    assert match, "requires-python is not >=X.Y"
    assert f"python:{match.group(1)}+" in VARIABLES["USES"].split()


def test_conventions_of_an_application_port() -> None:
    assert "PKGNAMEPREFIX" not in VARIABLES  # an application, not a py-* library
    assert VARIABLES["NO_ARCH"] == "yes"
    assert VARIABLES["CATEGORIES"].split()[0] == PORT.parent.name == "sysutils"
    assert VARIABLES["LICENSE"] == {"BSD-2-Clause": "BSD2CLAUSE"}[PYPROJECT["project"]["license"]]
    comment = VARIABLES["COMMENT"]  # Porter's Handbook: capital, no article, no period, <= 70 chars
    assert comment[0].isupper() and not comment.endswith(".") and len(comment) <= 70
    assert not re.match(r"(A|An|The) ", comment)
    assert VARIABLES["WWW"].startswith("https://")
    lines = (PORT / "Makefile").read_text().splitlines()
    assert lines[-1] == ".include <bsd.port.mk>"
    assert not [line for line in lines if re.match(r"[A-Z_]+\+?= ", line)]  # a tab after '=', never a space
    assert not (PORT / "pkg-plist").exists()  # autoplist plus PLIST_FILES
    assert not re.search(r"^WWW:", (PORT / "pkg-descr").read_text(), re.M)  # WWW= is in the Makefile now


def test_installed_source_files_exist_and_are_in_the_sdist() -> None:
    sources = installed_from_source()
    assert set(sources) == {"man/jailnet.8", "examples/jailnet.toml.sample"}
    include = PYPROJECT["tool"]["hatch"]["build"]["targets"]["sdist"]["include"]
    for source in sources:
        assert (ROOT / source).is_file()
        covered = [p for p in include if source == p.rstrip("/") or source.startswith(p.rstrip("/") + "/")]
        assert covered, f"{source} is not in [tool.hatch.build.targets.sdist] include"


def test_plist_files_are_what_post_install_installs() -> None:
    plist = re.findall(r'"[^"]*"|\S+', VARIABLES["PLIST_FILES"])
    plist = [entry.strip('"') for entry in plist]
    expected = []
    for target in installed_from_source().values():
        if re.fullmatch(r"share/man/man\d/[^/]+\.\d", target):
            expected.append(f"{target}.gz")  # the ports framework compresses manual pages
        elif target.endswith(".sample"):
            expected.append(f"@sample {target}")
        else:
            expected.append(target)
    assert sorted(plist) == sorted(expected)
    assert "share/man/man8/jailnet.8.gz" in plist and "@sample etc/jailnet/jailnet.toml.sample" in plist
    assert ".Dt JAILNET 8" in (ROOT / "man" / "jailnet.8").read_text().splitlines()


def test_rc_script_is_the_example_with_prefix() -> None:
    assert VARIABLES["USE_RC_SUBR"] == "jailnet"
    port = (PORT / "files" / "jailnet.in").read_text()
    assert "%%PREFIX%%/bin/jailnet" in port and "/usr/local" not in port
    assert port.replace("%%PREFIX%%", "/usr/local") == (ROOT / "examples" / "rc.d" / "jailnet").read_text()


@pytest.fixture
def message() -> str:
    return (PORT / "pkg-message").read_text()


def test_pkg_message_is_ucl_for_install(message: str) -> None:
    lines = message.splitlines()
    assert lines[:3] == ["[", "{ type: install", "  message: <<EOM"]
    assert lines[-3:] == ["EOM", "}", "]"]
    assert lines.count("EOM") == 1
    assert "%%" not in message  # pkg-message is not substituted (only SUB_FILES are)


def test_pkg_message_gives_the_readme_pf_rules_and_next_steps(message: str) -> None:
    table = builtin(DnsDefaults()).table
    readme = (ROOT / "README.md").read_text().splitlines()
    rules = [line for line in readme if line.startswith(("table <", "nat on ")) and " inet6 " not in line]
    assert rules == [f"table <{table}> persist", f"nat on em0 inet from <{table}> to any -> (em0)"]
    shown = [line.strip() for line in message.splitlines()]
    for rule in rules:
        assert rule in shown
    for step in ("sysrc pf_enable=\"YES\"", "service pf reload", "pfctl -f /etc/pf.conf", "jailnet doctor",
                 "jailnet bundle add"):
        assert step in message


def test_the_sample_configuration_is_only_comments_and_parses() -> None:
    """Installed as the live file by @sample: it must change nothing (the built-in network only)."""
    from hooks.netconf import DnsDefaults

    text = (ROOT / "examples" / "jailnet.toml.sample").read_text()
    assert all(not line.strip() or line.startswith("#") for line in text.splitlines())
    commented = "\n".join(line[2:] for line in text.splitlines() if re.match(r"# (\[networks\.\w+\]|\w+ = )", line))
    networks = configfile.parse(commented, where="sample", resolver=DnsDefaults(nameservers=("192.0.2.1",)))
    assert sorted(networks.networks) == ["backend", "default"]  # the commented keys are real ones
