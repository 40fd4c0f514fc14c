"""``jailnet hook createRuntime --dry-run`` anywhere: on FreeBSD it prints what a create would run;
elsewhere, or for a jail that does not exist, it assumes what it cannot observe and says so."""

import json
import shlex
import subprocess
from pathlib import Path

import pytest

from hooks.testing import HookBed

STATE = json.dumps({"ociVersion": "1.0.2", "id": "web", "status": "creating", "pid": 0, "bundle": "/b"}).encode()


def dry_run(jailnet_argv: list[str], tmp_path: Path, *args: str, path: str = "/usr/bin:/bin",
            state: bytes = STATE) -> subprocess.CompletedProcess[str]:
    """The executable on this (Linux) machine: no FreeBSD tools, no jail."""
    env = {"PATH": path, "JAILNET_STATE_DIR": str(tmp_path / "state")}
    return subprocess.run([*jailnet_argv, "hook", "createRuntime", "--dry-run", *args], input=state.decode(),
                          capture_output=True, text=True, env=env, cwd=tmp_path, timeout=60, check=False)


def commands(out: str) -> list[str]:
    """The plan's command lines (not the undo lines, the comments or the resolv.conf text)."""
    return [line for line in out.splitlines() if line and not line.startswith(("#", " ", "write "))]


def test_off_freebsd_everything_unobservable_is_assumed_and_shown(jailnet_argv: list[str], tmp_path: Path) -> None:
    result = dry_run(jailnet_argv, tmp_path)
    assert (result.returncode, result.stderr) == (0, "")
    lines = result.stdout.splitlines()
    assert lines[0] == "# createRuntime plan for container web (epairN: the unit ifconfig prints)"
    assumed = [line for line in lines if line.startswith("# assumed: ")]
    assert [a.split(" (")[0] for a in assumed] == [
        "# assumed: jail id <jid>, root <root>", "# assumed: FreeBSD 14.2", "# assumed: no bridge jailnet0 yet, "
        "forwarding off"]
    assert commands(result.stdout)[0].startswith("ifconfig bridge create inet 172.17.0.1/16 ")
    assert "ifconfig -j <jid> epairNa inet 172.17.0.2/16 up name jn4b5e57f6eb2fb" in commands(result.stdout)
    assert "write <root>/etc/resolv.conf:" in lines
    assert not (tmp_path / "state").exists()  # nothing written


def test_given_facts_win(jailnet_argv: list[str], tmp_path: Path) -> None:
    result = dry_run(jailnet_argv, tmp_path, "--jid", "7", "--freebsd", "13.2", "--bridge-present")
    assert (result.returncode, result.stderr) == (0, "")
    assert [line for line in result.stdout.splitlines() if line.startswith("# assumed")] == [
        "# assumed: jail id 7 (--jid), root <root>", "# assumed: FreeBSD 13.2 (--freebsd)",
        "# assumed: bridge jailnet0 up with the gateway, forwarding on (--bridge-present)"]
    assert commands(result.stdout) == [
        "ifconfig epair create description web vnet 7",
        "ifconfig epairNb description web group jailnet up name jn4b5e57f6eb2fa",
        "ifconfig jailnet0 addm jn4b5e57f6eb2fa",
        "jexec 7 /sbin/ifconfig epairNa inet 172.17.0.2/16 up name jn4b5e57f6eb2fb",
        "jexec 7 /sbin/route -4 add default 172.17.0.1",
        "pfctl -t jail-nat -T add 172.17.0.2",
        "jexec 7 /sbin/ifconfig lo0 inet 127.0.0.1/8 up",
    ]


@pytest.mark.parametrize(("args", "line"), [
    (("--jid", "0"), "--jid: 0 is not a jail id (1 to 999999, jail(8))"),
    (("--freebsd", "9"), "--freebsd: '9' is not a FreeBSD release such as 13.2 or 14.2"),
])
def test_bad_given_facts_are_bad_input(jailnet_argv: list[str], tmp_path: Path, args: tuple[str, ...],
                                       line: str) -> None:
    result = dry_run(jailnet_argv, tmp_path, *args)
    assert (result.returncode, result.stdout, result.stderr) == (2, "", f"jailnet: createRuntime web: {line}\n")


def test_assumptions_need_dry_run(bed: HookBed) -> None:
    bed.jail("web")
    assert bed.hook("createRuntime", "web", None, "--jid", "3") == (
        2, "", "jailnet: createRuntime web: --jid: only with --dry-run (a real hook observes the host)\n")
    assert bed.mutations() == []


@pytest.mark.parametrize("release", ["14.2-RELEASE", "13.2-RELEASE"])
@pytest.mark.parametrize("later", [False, True], ids=["first", "later"])
def test_on_freebsd_the_plan_is_what_the_create_runs(tmp_path: Path, release: str, later: bool) -> None:
    """No assumption on a host that shows everything, and the printed commands are the mutating
    commands the real create then runs (epairN being the unit ifconfig printed)."""
    bed = HookBed(tmp_path, release=release)
    if later:
        bed.jail("db", binaries=("sbin/ifconfig", "sbin/route"))
        assert bed.hook("createRuntime", "db")[0] == 0
    bed.jail("web", binaries=("sbin/ifconfig", "sbin/route"))
    code, out, err = bed.hook("createRuntime", "web", None, "--dry-run")
    assert (code, err) == (0, "") and "# assumed" not in out
    before = len(bed.mutations())
    assert bed.hook("createRuntime", "web")[0] == 0
    ran = [shlex.join(argv) for argv in bed.mutations()[before:]]
    unit = "epair1" if later else "epair0"
    assert [line.replace("epairN", unit) for line in commands(out)] == ran


def test_a_state_directory_that_is_a_file_is_bad_input(jailnet_argv: list[str], tmp_path: Path) -> None:
    (tmp_path / "state").write_text("")
    result = dry_run(jailnet_argv, tmp_path)
    assert (result.returncode, result.stdout, result.stderr) == (
        2, "", f"jailnet: createRuntime web: $JAILNET_STATE_DIR: {tmp_path / 'state'} is not a directory\n")
