"""examples/rc.d/jailnet: a valid rc.subr(8) script that runs ``jailnet gc`` at boot."""

import subprocess
from pathlib import Path

SCRIPT = Path(__file__).resolve().parent.parent / "examples" / "rc.d" / "jailnet"


def test_is_valid_sh() -> None:
    assert subprocess.run(["sh", "-n", str(SCRIPT)], capture_output=True).returncode == 0


def test_rc_subr_keywords_and_commands() -> None:
    text = SCRIPT.read_text()
    for line in ("# PROVIDE: jailnet", "# REQUIRE: NETWORKING pf", "# BEFORE: jail", ". /etc/rc.subr",
                 'rcvar="jailnet_enable"', 'start_cmd="jailnet_gc"', "run_rc_command \"$1\""):
        assert line in text
    assert "${jailnet_command} gc ${jailnet_flags}" in text


def test_runs_gc_with_a_stub_rc_subr(tmp_path: Path) -> None:
    """With a minimal stand-in for /etc/rc.subr, ``start`` runs ``$jailnet_command gc $jailnet_flags``."""
    rc_subr = tmp_path / "rc.subr"
    rc_subr.write_text('load_rc_config() { :; }\nrun_rc_command() { case "$1" in start) $start_cmd;; esac; }\n')
    fake = tmp_path / "jailnet"
    fake.write_text(f'#!/bin/sh\necho "$@" > {tmp_path}/called\n')
    fake.chmod(0o755)
    script = SCRIPT.read_text().replace(". /etc/rc.subr", f". {rc_subr}")
    (tmp_path / "rc").write_text(script)
    env = {"PATH": "/usr/bin:/bin", "jailnet_command": str(fake), "jailnet_flags": "--state-dir /x"}
    proc = subprocess.run(["sh", str(tmp_path / "rc"), "start"], capture_output=True, text=True, env=env)
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "called").read_text() == "gc --state-dir /x\n"
