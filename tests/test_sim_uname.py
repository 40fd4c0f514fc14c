"""The simulated uname(1) against usr.bin/uname/uname.c (argv -> rc, out, err)."""

import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from hooks.system import Completed
from hooks.testing import SharedHost, SimulatedHost, populate_rootfs
from hooks.testing.uname import PROGRAM, USAGE, USAGE_13

VERSION = "FreeBSD 14.2-RELEASE GENERIC"

CASES = [
    # print_uname(): kern.ostype, the default when no flag is given
    (("uname",), 0, "FreeBSD\n", ""),
    (("uname", "-s"), 0, "FreeBSD\n", ""),
    (("uname", "-o"), 0, "FreeBSD\n", ""),
    (("uname", "-r"), 0, "14.2-RELEASE\n", ""),
    (("uname", "-m"), 0, "amd64\n", ""),
    (("uname", "-p"), 0, "amd64\n", ""),
    (("uname", "-i"), 0, "GENERIC\n", ""),
    (("uname", "-K"), 0, "1402000\n", ""),
    (("uname", "-U"), 0, "1402000\n", ""),
    (("uname", "-n"), 0, "freebsd\n", ""),
    (("uname", "-v"), 0, VERSION + "\n", ""),
    # -a is -mnrsv, printed in print_uname()'s order whatever the order of the options
    (("uname", "-a"), 0, f"FreeBSD freebsd 14.2-RELEASE {VERSION} amd64\n", ""),
    (("uname", "-rs"), 0, "FreeBSD 14.2-RELEASE\n", ""),
    (("uname", "-r", "-s"), 0, "FreeBSD 14.2-RELEASE\n", ""),
    (("uname", "-mr"), 0, "14.2-RELEASE amd64\n", ""),
    (("uname", "-sa"), 0, f"FreeBSD freebsd 14.2-RELEASE {VERSION} amd64\n", ""),
    # usage(): "if (argc) usage();" and getopt errors, exit 1
    (("uname", "-x"), 1, "", "uname: illegal option -- x\n" + USAGE + "\n"),
    (("uname", "extra"), 1, "", USAGE + "\n"),
    (("uname", "-s", "extra"), 1, "", USAGE + "\n"),
    (("uname", "--", "-s"), 1, "", USAGE + "\n"),
]


@pytest.mark.parametrize(("argv", "code", "out", "err"), CASES, ids=[" ".join(c[0]) for c in CASES])
def test_uname(host: SimulatedHost, argv: tuple[str, ...], code: int, out: str, err: str) -> None:
    result = host(argv)
    assert (result.returncode, result.stdout, result.stderr) == (code, out, err)


def test_build_id_from_14() -> None:
    """-b (kern.build_id) is in the newer getopt string only."""
    host14, host13 = SimulatedHost.freebsd(), SimulatedHost.freebsd("13.2-RELEASE")
    build = host14(("uname", "-b"))
    assert build.returncode == 0 and len(build.stdout.strip()) == 40
    old = host13(("uname", "-b"))
    assert (old.returncode, old.stdout, old.stderr) == (1, "", "uname: illegal option -- b\n" + USAGE_13 + "\n")
    assert host13(("uname", "-sr")).stdout == "FreeBSD 13.2-RELEASE\n"


def test_in_a_jail(host: SimulatedHost, tmp_path: Path) -> None:
    """kern.hostname is the jail's host.hostname inside it (jexec runs /usr/bin/uname of the image)."""
    host.create_jail("web", str(populate_rootfs(tmp_path / "web", ("usr/bin/uname",))), hostname="web.example")
    result = host(("jexec", "web", "uname", "-n"))
    assert (result.returncode, result.stdout) == (0, "web.example\n")


def test_not_mutating() -> None:
    assert not PROGRAM.mutating(["-a"])


def test_installed_in_usr_bin(shared: SharedHost) -> None:
    assert Path(shared.bin("uname")) == shared.directory / "usr" / "bin" / "uname"
    proc = subprocess.run(["uname", "-s"], capture_output=True, text=True, env={"PATH": shared.path}, check=False)
    assert (proc.returncode, proc.stdout) == (0, "FreeBSD\n")


ERRORS = [c for c in CASES if c[1] != 0]


@pytest.mark.parametrize(("argv", "code", "out", "err"), ERRORS, ids=[" ".join(c[0]) for c in ERRORS])
def test_error_paths_through_the_executables(host: SimulatedHost, through_executables: Callable[..., Completed],
                                             argv: tuple[str, ...], code: int, out: str, err: str) -> None:
    result = through_executables(host, argv)
    assert (result.returncode, result.stdout, result.stderr) == (code, out, err)
