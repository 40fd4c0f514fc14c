"""``jailnet doctor``: each broken prerequisite is reported with its fix; the printed fixes make
the host ready; ``--fix`` applies exactly the safe ones; the pure :func:`diagnose` on its own."""

import io
import ipaddress
import json
import os
import shlex
import stat
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import attrs
import pytest

from hooks import configfile, doctor
from hooks.cli import main
from hooks.doctor import (
    Finding,
    Lease,
    Observations,
    PfView,
    StateView,
    diagnose,
    nat_rule_for,
)
from hooks.netconf import DnsDefaults, Networks
from hooks.observe import BridgeState
from hooks.statedir import Record
from hooks.system import Completed
from hooks.testing import HookBed, SimulatedHost
from hooks.testing.host import PF_CONF
from hooks.testing.programs import PROGRAMS

BRIDGE_CREATE = ["ifconfig", "bridge", "create", "inet", "172.17.0.1/16", "description", "jailnet network default",
                 "up", "name", "jailnet0"]


@pytest.fixture(autouse=True)
def as_root(monkeypatch: pytest.MonkeyPatch) -> None:
    """doctor runs as root on a real host; so it does here, even when pytest does not."""
    monkeypatch.setattr("hooks.doctor.observations.effective_uid", lambda: 0)
    me = os.geteuid()
    if me != 0:
        monkeypatch.setattr("hooks.doctor.observations.owner_of", lambda info: 0 if info.st_uid == me else info.st_uid)


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    resolv = tmp_path / "resolv.conf"
    resolv.write_text("nameserver 192.0.2.53\n")
    return {"JAILNET_STATE_DIR": str(tmp_path / "state"), "JAILNET_RESOLV_CONF": str(resolv)}


def state_dir(env: dict[str, str]) -> Path:
    return Path(env["JAILNET_STATE_DIR"])


def run_doctor(host: SimulatedHost, env: dict[str, str], *args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(["doctor", *args], stdout=out, stderr=err, environ=env, run=host)
    return code, out.getvalue(), err.getvalue()


def report(host: SimulatedHost, env: dict[str, str], *args: str) -> tuple[int, dict[str, object]]:
    code, out, err = run_doctor(host, env, "--json", *args)
    assert err == ""
    return code, json.loads(out)


def checks(data: dict[str, object]) -> list[dict[str, object]]:
    found = data["checks"]
    assert isinstance(found, list)
    return found


def failing(data: dict[str, object]) -> set[str]:
    return {str(c["id"]) for c in checks(data) if not c["ok"] and c["severity"] != "info"}


def mutations(host: SimulatedHost) -> list[list[str]]:
    return [i.argv for i in host.log if PROGRAMS[i.argv[0]].mutating(i.argv[1:])]


def ready_host(env: dict[str, str], release: str = "14.2-RELEASE") -> SimulatedHost:
    """pf loaded and enabled with the README's pf.conf, forwarding on, jailnet0 up, state dir 0700."""
    host = SimulatedHost.freebsd(release)
    for argv, stdin in [(("pfctl", "-f", "-"), PF_CONF), (("pfctl", "-e"), None),
                        (("sysctl", "net.inet.ip.forwarding=1"), None), (tuple(BRIDGE_CREATE), None)]:
        assert host(argv, stdin=stdin).returncode == 0
    state_dir(env).mkdir(mode=0o700)
    host.clear_log()
    return host


def apply_printed_fixes(host: SimulatedHost, data: dict[str, object]) -> None:
    """Do what the report says, as an administrator would: commands in order, pf.conf lines
    loaded with ``pfctl -f -``. The simulated host has no kldload(8): loading pf.ko is a flag."""
    for check in checks(data):
        fix = check["fix"]
        if check["ok"] or not isinstance(fix, str):
            continue
        if check["id"] == "pf.nat":
            assert host(("pfctl", "-f", "-"), stdin=fix).returncode == 0
            continue
        for line in fix.splitlines():
            argv = shlex.split(line, comments=True)
            if not argv:
                continue
            if argv == ["kldload", "pf"]:
                host.state.pf.loaded = True
            elif argv[:3] == ["mkdir", "-p", "-m"]:
                os.makedirs(argv[4], mode=int(argv[3], 8))
            else:
                assert host(argv).returncode == 0, argv


# --- through the command line ------------------------------------------------------------------


def test_a_ready_host_exits_0_and_doctor_changes_nothing(env: dict[str, str]) -> None:
    host = ready_host(env)
    code, out, err = run_doctor(host, env)
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert lines[-1] == "ready: this host can run jailnet containers"
    assert all(line.startswith(("ok   ", "info ")) for line in lines[:-1]), out
    assert "ok   pf enabled" in lines
    # pfctl prints the rule as print_rule() renders it: a dynamic (em0) pool is round-robin.
    assert "ok   pf NAT rule for <jail-nat>: nat on em0 inet from <jail-nat> to any -> (em0) round-robin" in lines
    assert mutations(host) == []
    # Few probes: no jls while the state dir holds nothing.
    assert [i.argv[0] for i in host.log] == ["uname", "sysctl", "route", "pfctl", "pfctl", "pfctl", "pfctl",
                                             "ifconfig"]


@pytest.mark.parametrize(
    ("name", "break_it", "failed", "line", "fix"),
    [
        ("pf not loaded", lambda h, d: setattr(h.state.pf, "loaded", False), {"pf.loaded", "pf.enabled", "pf.nat"},
         "FAIL pf: not loaded (no /dev/pf)", "kldload pf"),
        ("pf disabled", lambda h, d: h(("pfctl", "-d")), {"pf.enabled"}, "FAIL pf: not enabled", "pfctl -e"),
        ("no NAT rule", lambda h, d: h(("pfctl", "-f", "-"), stdin="table <jail-nat> persist\n"),
         {"pf.nat", "pf.rdr-anchor", "pf.nat-anchor", "pf.anchor"},
         "FAIL pf: no NAT rule for <jail-nat>", "nat on em0 inet from <jail-nat> to any -> (em0)"),
        ("forwarding off", lambda h, d: h(("sysctl", "net.inet.ip.forwarding=0")), {"forwarding"},
         "FAIL IP forwarding off (net.inet.ip.forwarding=0): the host does not route the containers' packets",
         "sysctl net.inet.ip.forwarding=1"),
        ("bridge missing", lambda h, d: h(("ifconfig", "jailnet0", "destroy")), {"bridge"},
         "FAIL bridge jailnet0 (network default): does not exist", shlex.join(BRIDGE_CREATE)),
        ("bridge down", lambda h, d: h(("ifconfig", "jailnet0", "down")), {"bridge"},
         "FAIL bridge jailnet0 (network default): down", "ifconfig jailnet0 up"),
        ("bridge without gateway", lambda h, d: h(("ifconfig", "jailnet0", "inet", "172.17.0.1", "-alias")),
         {"bridge"}, "FAIL bridge jailnet0 (network default): no address 172.17.0.1/16",
         "ifconfig jailnet0 inet 172.17.0.1/16 alias"),
        ("state dir missing", lambda h, d: d.rmdir(), {"statedir"}, None, "mkdir -p -m 700 "),
        ("state dir mode", lambda h, d: d.chmod(0o755), {"statedir"}, None, "chmod 700 "),
    ],
)
def test_each_broken_prerequisite_is_reported_with_its_fix(env: dict[str, str], name: str, break_it: object,
                                                          failed: set[str], line: str | None, fix: str) -> None:
    host = ready_host(env)
    assert callable(break_it)
    break_it(host, state_dir(env))
    code, out, err = run_doctor(host, env)
    assert (code, err) == (1, ""), name
    if line is not None:
        assert line in out.splitlines(), out
    assert any(row.strip().startswith(fix) for row in out.splitlines()), out
    assert out.splitlines()[-1].startswith("not ready: ")
    code, data = report(host, env)
    assert code == 1 and data["ready"] is False
    assert failing(data) == failed


def test_the_printed_fixes_make_a_fresh_host_ready(env: dict[str, str]) -> None:
    """Acceptance: a fresh host (pf not even loaded, egress vtnet0) -> exit 1 with every fix;
    doing what doctor printed -> exit 0."""
    host = SimulatedHost.freebsd(egress="vtnet0", pf_loaded=False)
    code, data = report(host, env)
    assert code == 1
    assert failing(data) == {"pf.loaded", "pf.enabled", "pf.nat", "forwarding", "bridge", "statedir"}
    nat = next(c for c in checks(data) if c["id"] == "pf.nat")
    assert nat["fixable"] is False
    assert str(nat["fix"]).splitlines()[-2:] == ["table <jail-nat> persist",
                                                "nat on vtnet0 inet from <jail-nat> to any -> (vtnet0)"]
    apply_printed_fixes(host, data)
    code, out, _ = run_doctor(host, env)
    assert code == 0, out
    assert "ok   pf NAT rule for <jail-nat>: nat on vtnet0 inet from <jail-nat> to any -> (vtnet0)" in out
    assert "ok   pf table <jail-nat> exists" in out


def test_fix_applies_exactly_the_safe_fixes(env: dict[str, str]) -> None:
    """A fresh host, pf loaded but no ruleset: --fix turns forwarding on, makes the bridge and the
    state dir, and leaves pf alone (no pfctl -e without rules, never pfctl -f)."""
    host = SimulatedHost.freebsd()
    code, out, err = run_doctor(host, env, "--fix")
    assert (code, err) == (1, "")
    assert mutations(host) == [["sysctl", "net.inet.ip.forwarding=1"], BRIDGE_CREATE]
    assert not any(i.argv[:2] == ["pfctl", "-f"] for i in host.log)
    info = state_dir(env).stat()
    assert stat.S_ISDIR(info.st_mode) and stat.S_IMODE(info.st_mode) == 0o700
    assert "--fix:\n" in out
    assert "  ran    sysctl net.inet.ip.forwarding=1\n" in out
    assert f"  ran    mkdir -p -m 700 {state_dir(env)}\n" in out
    after = out.split("after --fix:\n", 1)[1].splitlines()
    assert "ok   IP forwarding on (net.inet.ip.forwarding=1)" in after
    assert "ok   bridge jailnet0 (network default): 172.17.0.1/16, up" in after
    # pf disabled, no NAT rule, no anchor calls (warnings): for the administrator
    assert after[-1] == "not ready: 2 problem(s) (3 warning(s))"
    code, data = report(host, env)
    assert failing(data) == {"pf.enabled", "pf.nat", "pf.rdr-anchor", "pf.nat-anchor", "pf.anchor"}


def test_fix_enables_pf_when_a_ruleset_is_loaded_and_repairs_the_bridge(env: dict[str, str]) -> None:
    host = ready_host(env)
    for argv in (("pfctl", "-d"), ("sysctl", "net.inet.ip.forwarding=0"), ("ifconfig", "jailnet0", "down")):
        host(argv)
    state_dir(env).chmod(0o750)
    host.clear_log()
    code, data = report(host, env, "--fix")
    assert code == 0 and data["ready"] is True
    assert mutations(host) == [["pfctl", "-e"], ["sysctl", "net.inet.ip.forwarding=1"], ["ifconfig", "jailnet0", "up"]]
    assert data["fixed"] == [  # the state dir first: the other fixes run under its host-wide lock
        {"id": "statedir", "network": None, "command": f"chmod 700 {state_dir(env)}", "ok": True, "error": None},
        {"id": "pf.enabled", "network": None, "command": "pfctl -e", "ok": True, "error": None},
        {"id": "forwarding", "network": None, "command": "sysctl net.inet.ip.forwarding=1", "ok": True, "error": None},
        {"id": "bridge", "network": "default", "command": "ifconfig jailnet0 up", "ok": True, "error": None},
    ]
    assert stat.S_IMODE(state_dir(env).stat().st_mode) == 0o700


def test_fix_reports_a_fix_that_fails_and_the_recheck_decides(env: dict[str, str]) -> None:
    host = ready_host(env)
    host(("sysctl", "net.inet.ip.forwarding=0"))
    host.fail_matching("sysctl", "net.inet.ip.forwarding=1")
    code, out, _ = run_doctor(host, env, "--fix")
    assert code == 1
    assert "  FAILED sysctl net.inet.ip.forwarding=1: " in out
    assert out.splitlines()[-1] == "not ready: 1 problem(s)"


def test_an_interface_that_is_not_a_bridge_is_never_touched(env: dict[str, str], tmp_path: Path) -> None:
    host = ready_host(env)
    config = tmp_path / "jailnet.toml"
    config.write_text('[networks.default]\nbridge = "em0"\n')
    code, data = report(host, {**env, "JAILNET_CONFIG": str(config)}, "--fix")
    assert code == 1
    bridge = next(c for c in checks(data) if c["id"] == "bridge")
    assert bridge["ok"] is False and bridge["fixable"] is False
    assert "em0 exists and is not a bridge" in str(bridge["message"])
    assert data["fixed"] == [] and mutations(host) == []


def test_fix_as_non_root_changes_nothing(env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("hooks.doctor.observations.effective_uid", lambda: 1000)
    host = SimulatedHost.freebsd()
    code, out, _ = run_doctor(host, env, "--fix")
    assert code == 1
    assert "FAIL not running as root (euid 1000)" in out
    assert "--fix: not root: nothing fixed\n" in out
    assert mutations(host) == [] and not state_dir(env).exists()


def test_json_report_shape(env: dict[str, str]) -> None:
    host = ready_host(env)
    host(("sysctl", "net.inet.ip.forwarding=0"))
    code, data = report(host, env)
    assert code == 1
    assert set(data) == {"ready", "checks", "fixed"}
    assert data["ready"] is False and data["fixed"] == []
    ids = [c["id"] for c in checks(data)]
    assert ids == ["root", "freebsd", "egress", "pf.loaded", "pf.enabled", "pf.nat", "pf.table", "pf.rdr-anchor",
                   "pf.nat-anchor", "pf.anchor", "forwarding", "bridge", "pfil", "statedir", "consistency"]
    for check in checks(data):
        assert set(check) == {"id", "network", "ok", "severity", "message", "details", "fix", "fixable"}
        assert isinstance(check["ok"], bool) and isinstance(check["fixable"], bool)
        assert check["severity"] in ("error", "warning", "info")
        assert isinstance(check["message"], str) and "\n" not in check["message"]
        assert check["fix"] is None or isinstance(check["fix"], str)
        assert check["fix"] is None or not check["ok"]
    forwarding = next(c for c in checks(data) if c["id"] == "forwarding")
    assert forwarding == {
        "id": "forwarding", "network": None, "ok": False, "severity": "error",
        "message": "IP forwarding off (net.inet.ip.forwarding=0): the host does not route the containers' packets",
        "details": [],
        "fix": 'sysctl net.inet.ip.forwarding=1\n# at boot: gateway_enable="YES" in /etc/rc.conf '
               "(sysrc gateway_enable=YES)",
        "fixable": True,
    }


def test_network_option_restricts_the_checks(env: dict[str, str], tmp_path: Path) -> None:
    config = tmp_path / "jailnet.toml"
    config.write_text('[networks.backend]\nbridge = "jailnet1"\nsubnet = "10.88.0.0/24"\ntable = "backend-nat"\n')
    environ = {**env, "JAILNET_CONFIG": str(config)}
    host = ready_host(env)
    code, data = report(host, environ, "--network", "backend")
    assert code == 1
    assert failing(data) == {"pf.nat", "bridge"}
    assert {c["network"] for c in checks(data) if c["network"]} == {"backend"}
    assert ["ifconfig", "jailnet0"] not in [i.argv for i in host.log]
    nat = next(c for c in checks(data) if c["id"] == "pf.nat")
    assert "nat on em0 inet from <backend-nat> to any -> (em0)" in str(nat["fix"]).splitlines()
    code, data = report(host, environ)  # every network
    assert {c["network"] for c in checks(data) if c["id"] == "bridge"} == {"backend", "default"}


@pytest.mark.parametrize(
    ("args", "config", "message"),
    [
        (["--network", "nope"], None, "jailnet: doctor: --network: unknown network 'nope' (known: default)\n"),
        ([], "networks = 3\n", "networks: must be a table"),
        ([], "[networks.x]\nsubnet = \"10.0.0.0/8\"\n", "networks.x.bridge: required for a new network"),
    ],
)
def test_bad_input_exits_2_with_one_line(env: dict[str, str], tmp_path: Path, args: list[str], config: str | None,
                                         message: str) -> None:
    environ = dict(env)
    if config is not None:
        (tmp_path / "jailnet.toml").write_text(config)
        environ["JAILNET_CONFIG"] = str(tmp_path / "jailnet.toml")
    host = SimulatedHost.freebsd()
    code, out, err = run_doctor(host, environ, *args)
    assert (code, out) == (2, "")
    assert err.count("\n") == 1 and message in err
    assert host.log == []


def test_records_leases_and_jails_that_disagree_point_at_gc(tmp_path: Path) -> None:
    bed = HookBed(tmp_path)
    for cid in ("live", "skipped", "lost"):
        bed.jail(cid)
        assert bed.hook("createRuntime", cid)[0] == 0
    bed.host.remove_jail("skipped")  # poststop never ran
    (bed.state_dir / "containers" / "lost.json").unlink()  # a lease without its record
    (bed.state_dir / "containers" / "bad.json").write_text("{not json")
    bed.host.clear_log()
    out, err = io.StringIO(), io.StringIO()
    main(["doctor", "--json"], stdout=out, stderr=err, environ=bed.env, run=bed.host)
    data = json.loads(out.getvalue())
    found = next(c for c in checks(data) if c["id"] == "consistency")
    assert (found["ok"], found["severity"], found["fixable"]) == (False, "warning", False)
    details = found["details"]
    assert isinstance(details, list) and len(details) == 3
    assert details[0].startswith(f"damaged record {bed.state_dir}/containers/bad.json")
    assert details[1:] == ["record skipped: jail skipped (jid 2) is gone",
                           "lease 172.17.0.4 on network default: lost has no record"]
    assert str(found["fix"]).startswith("jailnet gc --dry-run")
    assert [i.argv for i in bed.host.log if i.argv[0] == "jls"] == [["jls", "--libxo", "json", "name", "jid"]]
    assert bed.mutations() == []


def test_the_nat_fix_puts_running_containers_back(tmp_path: Path) -> None:
    """Containers attached, NAT rule gone: the fix says how to re-add their addresses after a reload."""
    bed = HookBed(tmp_path)
    for cid in ("a", "b"):
        bed.jail(cid)
        assert bed.hook("createRuntime", cid)[0] == 0
    bed.host(("pfctl", "-F", "nat"))
    out = io.StringIO()
    main(["doctor", "--json"], stdout=out, stderr=io.StringIO(), environ=bed.env, run=bed.host)
    nat = next(c for c in checks(json.loads(out.getvalue())) if c["id"] == "pf.nat")
    assert str(nat["fix"]).splitlines()[-1].endswith("pfctl -t jail-nat -T add 172.17.0.2 172.17.0.3")


# --- the pure core -----------------------------------------------------------------------------

CONFIG = Networks.builtin(DnsDefaults())


def observations(**changes: Any) -> Observations:
    """A ready host, as doctor would observe it; ``changes`` replace fields."""
    base = Observations(
        euid=0, osrelease="14.2-RELEASE", osreldate=1402000, forwarding=1, pfil_member=1,
        pf=PfView(device="present", enabled=True, nat_rules=("nat on em0 inet from <jail-nat> to any -> (em0)",
                                                               'nat-anchor "jailnet/*" all',
                                                               'rdr-anchor "jailnet/*" all'),
                  filter_rules=('anchor "jailnet/*" all',),
                  tables=(("jail-nat", True),)),
        egress="em0", bridges=(("jailnet0", BridgeState(exists=True, addresses=("172.17.0.1",), up=True)),),
        state=StateView(path="/var/run/jailnet", exists=True))
    return attrs.evolve(base, **changes)


def by_id(findings: list[Finding]) -> dict[str, Finding]:
    return {f.id: f for f in findings}


def test_diagnose_a_ready_host() -> None:
    findings = diagnose(observations(), CONFIG, ["default"])
    assert doctor.ready(findings)
    assert all(f.ok for f in findings)
    assert not any(f.fixable for f in findings)


def test_diagnose_non_root() -> None:
    findings = by_id(diagnose(observations(euid=1000), CONFIG, ["default"]))
    root = findings["root"]
    assert (root.ok, root.severity, root.fixable) == (False, "error", False)
    assert root.message.startswith("not running as root (euid 1000)")
    assert not doctor.ready(list(findings.values()))


def test_diagnose_non_root_cannot_read_pf() -> None:
    denied = "pfctl -s info: pfctl: /dev/pf: Permission denied"
    obs = observations(euid=1000, pf=PfView(device="unreadable", error=denied))
    findings = by_id(diagnose(obs, CONFIG, ["default"]))
    assert findings["pf.loaded"].message == "pf: cannot check (pfctl -s info: pfctl: /dev/pf: Permission denied)"
    assert "pf.nat" not in findings


def test_an_old_freebsd_is_a_warning_not_a_failure() -> None:
    findings = diagnose(observations(osrelease="13.2-RELEASE", osreldate=1302000), CONFIG, ["default"])
    freebsd = by_id(findings)["freebsd"]
    assert (freebsd.ok, freebsd.severity) == (False, "warning")
    assert "/sbin/ifconfig and /sbin/route with jexec" in freebsd.message
    assert doctor.ready(findings)


def test_pf_is_enabled_by_fix_only_when_rules_are_loaded() -> None:
    with_rules = by_id(diagnose(observations(pf=attrs.evolve(observations().pf, enabled=False)), CONFIG, ["default"]))
    assert with_rules["pf.enabled"].actions == (doctor.RunCommand(("pfctl", "-e")),)
    bare = PfView(device="present", enabled=False)
    without = by_id(diagnose(observations(pf=bare), CONFIG, ["default"]))
    assert not without["pf.enabled"].fixable
    assert "load pf.conf first" in (without["pf.enabled"].fix or "")
    assert not without["pf.nat"].fixable and not without["pf.loaded"].fixable


def test_no_default_route_leaves_a_placeholder_in_the_nat_rule() -> None:
    obs = observations(egress=None, egress_error="route -n get default: route: route has not been found",
                       pf=PfView(device="present", enabled=True))
    findings = by_id(diagnose(obs, CONFIG, ["default"]))
    assert findings["egress"].severity == "warning" and not findings["egress"].ok
    fix = (findings["pf.nat"].fix or "").splitlines()
    assert fix[-1] == "nat on EGRESS inet from <jail-nat> to any -> (EGRESS)"
    assert any("EGRESS: the interface of your default route" in line for line in fix)


def test_a_rule_without_a_table_declaration_is_a_warning() -> None:
    obs = observations(pf=attrs.evolve(observations().pf, tables=(("jail-nat", False),)))
    findings = diagnose(obs, CONFIG, ["default"])
    table = by_id(findings)["pf.table"]
    assert (table.ok, table.severity) == (False, "warning")
    assert (table.fix or "").splitlines()[-1] == "table <jail-nat> persist"
    assert doctor.ready(findings)


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("nat on em0 inet from <jail-nat> to any -> (em0)", True),
        ("nat on em0 inet from <jail-nat> to any -> (em0) round-robin", True),  # print_rule() form
        ("nat pass on em0 inet from <jail-nat> port 1024:65535 to any -> (em0)", True),
        ("no nat on em0 inet from <jail-nat> to 10.0.0.0/8", False),
        ("nat on em0 inet from any to <jail-nat> -> (em0)", False),
        ("nat on em0 inet from <jail-nat2> to any -> (em0)", False),
        ("rdr on em0 inet proto tcp from <jail-nat> to any port 80 -> 127.0.0.1", False),
        ("binat on em0 from <jail-nat> to any -> 192.0.2.1", False),
    ],
)
def test_nat_rule_for(line: str, expected: bool) -> None:
    assert nat_rule_for(line, "jail-nat") is expected


@pytest.mark.parametrize(
    ("state", "fixable", "message"),
    [
        (StateView(path="/s", exists=False), True, "state directory /s does not exist"),
        (StateView(path="/s", exists=True, mode=0o755), True, "state directory /s has mode 0755, not 0700"),
        (StateView(path="/s", exists=True, owner=1000), False, "state directory /s is owned by uid 1000, not root"),
        (StateView(path="/s", exists=True, is_dir=False), False, "state directory /s is not a directory"),
    ],
)
def test_state_dir_findings(state: StateView, fixable: bool, message: str) -> None:
    found = by_id(diagnose(observations(state=state), CONFIG, ["default"]))["statedir"]
    assert (found.ok, found.severity, found.fixable) == (False, "error", fixable)
    assert found.message.startswith(message)


def test_pfil_member_is_information_only() -> None:
    for value in (0, 1, None):
        findings = diagnose(observations(pfil_member=value, sysctl_error="sysctl: unknown oid"), CONFIG, ["default"])
        pfil = by_id(findings)["pfil"]
        assert (pfil.ok, pfil.severity, pfil.fix) == (True, "info", None)
        assert doctor.ready(findings)
    assert "if_bridge is not loaded yet" in by_id(diagnose(
        observations(pfil_member=None, sysctl_error="sysctl -e ...: sysctl: unknown oid 'net.link.bridge.pfil_member'"),
        CONFIG, ["default"]))["pfil"].message


def test_a_live_container_without_a_lease_is_told_to_restart() -> None:
    record = Record(id="web", state="up", network="default", address="172.17.0.2", prefixlen=16, bridge="jailnet0",
                    table="jail-nat", host_interface="jnxa", jail_interface="jnxb", jail="web", jid=3,
                    created="2026-01-01T00:00:00Z")
    obs = observations(state=StateView(path="/s", exists=True, records=(record,)), jails=(("web", 3),))
    found = by_id(diagnose(obs, CONFIG, ["default"]))["consistency"]
    assert found.details == ("record web: no lease for 172.17.0.2 on network default",)
    assert "restart the container" in (found.fix or "")
    lease = Lease(network="default", address=str(ipaddress.IPv4Address("172.17.0.2")), holder="web")
    agreed = attrs.evolve(obs, state=attrs.evolve(obs.state, leases=(lease,)))
    assert by_id(diagnose(agreed, CONFIG, ["default"]))["consistency"].ok


def test_render_puts_fix_lines_under_the_failing_check() -> None:
    findings = diagnose(observations(forwarding=0), CONFIG, ["default"])
    text = doctor.render(findings)
    assert ("FAIL IP forwarding off (net.inet.ip.forwarding=0): the host does not route the containers' packets\n"
            "     sysctl net.inet.ip.forwarding=1\n") in text
    assert doctor.summary(findings, fixing=False) == "not ready: 1 problem(s); jailnet doctor --fix can fix 1\n"


def test_fix_with_nothing_to_fix_changes_nothing(env: dict[str, str]) -> None:
    host = ready_host(env)
    before = sorted(p.name for p in state_dir(env).iterdir())
    code, out, _ = run_doctor(host, env, "--fix")
    assert code == 0
    assert "--fix: nothing that doctor may fix\n" in out and "after --fix" not in out
    assert mutations(host) == [] and sorted(p.name for p in state_dir(env).iterdir()) == before


def test_networks_sharing_a_table_get_one_nat_check() -> None:
    config = configfile.parse('[networks.b]\nbridge = "jailnet1"\nsubnet = "10.88.0.0/24"\n', where="t",
                                  resolver=DnsDefaults())
    obs = observations(bridges=(("jailnet0", BridgeState(exists=True, addresses=("172.17.0.1",), up=True)),
                                ("jailnet1", BridgeState(exists=False))))
    findings = diagnose(obs, config, ["b", "default"])
    assert [f.network for f in findings if f.id == "pf.nat"] == ["b"]
    assert [(f.network, f.ok) for f in findings if f.id == "bridge"] == [("b", False), ("default", True)]


# --- not FreeBSD ------------------------------------------------------------------------------


@pytest.mark.parametrize(("uname", "said"), [
    (Completed(("uname", "-s"), 0, "Linux\n", ""), "Linux"),
    (Completed(("uname", "-s"), 0, "Darwin\n", ""), "Darwin"),
    (Completed(("uname", "-s"), 127, "", "uname: No such file or directory\n"),
     "uname -s failed: uname -s: uname: No such file or directory"),
])
@pytest.mark.parametrize("fixing", [(), ("--fix",)])
def test_not_freebsd_is_one_failure_and_nothing_else_runs(env: dict[str, str], uname: Completed, said: str,
                                                          fixing: tuple[str, ...]) -> None:
    ran: list[tuple[str, ...]] = []

    def run(argv: Sequence[str], *, stdin: str | None = None) -> Completed:
        ran.append(tuple(argv))
        return uname

    out, err = io.StringIO(), io.StringIO()
    code = main(["doctor", *fixing], stdout=out, stderr=err, environ=env, run=run)
    assert (code, err.getvalue()) == (1, "")
    lines = out.getvalue().splitlines()
    assert lines[0] == (f"FAIL this host is not FreeBSD ({said}): jailnet's hooks need FreeBSD's vnet jails, "
                        "ifconfig, route and pfctl")
    assert [line for line in lines if line.startswith(("FAIL", "WARN", "ok", "info"))] == lines[:1]
    assert lines[-1] == "not ready: 1 problem(s)"
    assert ran == [("uname", "-s")]
    assert not state_dir(env).exists()
    out = io.StringIO()
    assert main(["doctor", "--json"], stdout=out, stderr=io.StringIO(), environ=env, run=run) == 1
    data = json.loads(out.getvalue())
    assert [(c["id"], c["ok"], c["fixable"]) for c in data["checks"]] == [("os", False, False)]
    assert data["ready"] is False and data["fixed"] == []


# --- NAT rules inside anchors -----------------------------------------------------------------


@pytest.mark.parametrize("release", ["13.2-RELEASE", "14.2-RELEASE", "15.0-RELEASE"])
@pytest.mark.parametrize(("main_conf", "anchors", "found"), [
    pytest.param('nat-anchor "jailnet"\ntable <jail-nat> persist\n', {"jailnet": "NAT"}, True, id="named"),
    pytest.param('nat-anchor "site/*"\ntable <jail-nat> persist\n', {"site/net": "NAT"}, True, id="wildcard"),
    pytest.param('nat-anchor "outer"\ntable <jail-nat> persist\n',
                 {"outer": 'nat-anchor "inner"\n', "outer/inner": "NAT"}, True, id="nested-relative"),
    # A wildcard call evaluates the children only (pf_lb.c pf_step_into_translation_anchor()):
    # a rule in the called anchor itself is never applied, and doctor must not count it.
    pytest.param('nat-anchor "site/*"\ntable <jail-nat> persist\n', {"site": "NAT"}, False,
                 id="wildcard-skips-own-rules"),
    # The containers' anchors under jailnet/ hold published ports' rules, never the NAT rule: not read.
    pytest.param('nat-anchor "jailnet/*"\ntable <jail-nat> persist\n', {"jailnet/web": "NAT"}, False,
                 id="containers-anchors-not-read"),
    pytest.param("table <jail-nat> persist\n", {"jailnet": "NAT"}, False, id="anchor-never-called"),
])
def test_a_nat_rule_inside_an_anchor_counts(env: dict[str, str], release: str, main_conf: str,
                                            anchors: dict[str, str], found: bool) -> None:
    host = ready_host(env, release)
    rule = "nat on em0 inet from <jail-nat> to any -> (em0)\n"
    assert host(("pfctl", "-f", "-"), stdin=main_conf).returncode == 0
    for anchor, conf in anchors.items():
        loaded = host(("pfctl", "-a", anchor, "-f", "-"), stdin=conf.replace("NAT", rule))
        assert loaded.returncode == 0, loaded.stderr
    host.clear_log()
    code, data = report(host, env)
    nat = next(c for c in checks(data) if c["id"] == "pf.nat")
    assert nat["ok"] is found, nat
    assert (code == 0) is found
    if found:
        assert str(nat["message"]).endswith("nat on em0 inet from <jail-nat> to any -> (em0) round-robin")
    assert mutations(host) == []


def test_published_ports_need_the_rdr_anchor_call() -> None:
    """pf evaluates an anchor's rdr rules only where pf.conf calls it (pf.conf(5) ANCHORS)."""
    called = by_id(diagnose(observations(), CONFIG, ["default"]))["pf.rdr-anchor"]
    assert called.ok and "this host reaches a container at its own address, not through a published port" \
        in called.message
    missing = by_id(diagnose(observations(pf=PfView(device="present", enabled=True, nat_rules=(
        "nat on em0 inet from <jail-nat> to any -> (em0)",), tables=(("jail-nat", True),))), CONFIG, ["default"]))
    found = missing["pf.rdr-anchor"]
    assert (found.ok, found.severity) == (False, "warning")
    assert found.message == ('pf: no rdr-anchor "jailnet/*": published ports (org.jailnet.ports) are loaded into '
                             "their anchors but never match")
    assert (found.fix or "").splitlines()[-1] == 'rdr-anchor "jailnet/*"'
    assert doctor.ready(list(missing.values()))  # a warning: containers without ports still work


def test_the_hairpin_needs_the_nat_anchor_call() -> None:
    """The reflection nat in a container's anchor (hooks/plan.py port_rules) is evaluated only
    where pf.conf calls ``nat-anchor``; the rdr call alone serves clients from outside."""
    called = by_id(diagnose(observations(), CONFIG, ["default"]))["pf.nat-anchor"]
    assert called.ok and called.message.endswith("through the host's address too (hairpin)")
    missing = by_id(diagnose(observations(pf=PfView(device="present", enabled=True, nat_rules=(
        "nat on em0 inet from <jail-nat> to any -> (em0)", 'rdr-anchor "jailnet/*" all'),
        tables=(("jail-nat", True),))), CONFIG, ["default"]))
    assert missing["pf.rdr-anchor"].ok
    found = missing["pf.nat-anchor"]
    assert (found.ok, found.severity) == (False, "warning")
    assert found.message == ('pf: no nat-anchor "jailnet/*": a container that connects to a published port '
                             "through the host's address gets no answer (clients from outside are not affected)")
    assert (found.fix or "").splitlines()[-1] == 'nat-anchor "jailnet/*"'
    assert doctor.ready(list(missing.values()))


# --- dual-stack networks (docs/ipv6.md) ------------------------------------------------------------


def test_a_dual_stack_network_needs_the_inet6_rule_and_ipv6_forwarding(env: dict[str, str], tmp_path: Path) -> None:
    config = tmp_path / "jailnet.toml"
    config.write_text('[networks.default]\nsubnet6 = "fd00:17::/64"\n')
    environ = {**env, "JAILNET_CONFIG": str(config)}
    host = ready_host(env)
    code, data = report(host, environ)
    assert code == 1
    assert failing(data) == {"pf.nat6", "forwarding6", "bridge"}
    found = {str(c["id"]): c for c in checks(data)}
    assert str(found["pf.nat6"]["fix"]).splitlines()[-1] == "nat on em0 inet6 from <jail-nat> to any -> (em0)"
    assert found["bridge"]["message"] == "bridge jailnet0 (network default): no address fd00:17::1/64"
    assert ["sysctl", "-e", "kern.osrelease", "kern.osreldate", "net.inet.ip.forwarding",
            "net.link.bridge.pfil_member", "net.inet6.ip6.forwarding"] in [i.argv for i in host.log]
    # The administrator adds the rule; --fix turns forwarding on and gives the bridge its gateway.
    inet = "nat on em0 inet from <jail-nat> to any -> (em0)\n"
    pf_conf = PF_CONF.replace(inet, inet + inet.replace(" inet ", " inet6 "))  # translation rules come first
    assert host(("pfctl", "-f", "-"), stdin=pf_conf).returncode == 0
    code, out, _ = run_doctor(host, environ, "--fix")
    assert code == 0, out
    assert "  ran    sysctl net.inet6.ip6.forwarding=1\n" in out
    assert "  ran    ifconfig jailnet0 inet6 fd00:17::1/64 no_dad\n" in out
    code, data = report(host, environ)
    assert code == 0 and failing(data) == set()
    found = {str(c["id"]): c for c in checks(data)}
    assert found["pf.nat6"]["message"] == (
        "pf IPv6 NAT rule for <jail-nat>: nat on em0 inet6 from <jail-nat> to any -> (em0) round-robin")
    assert found["bridge"]["message"] == "bridge jailnet0 (network default): 172.17.0.1/16, fd00:17::1/64, up"


def test_an_ipv6_only_rule_does_not_count_for_ipv4() -> None:
    from hooks.doctor.observations import nat_rule_for

    assert nat_rule_for("nat on em0 inet6 from <t> to any -> (em0)", "t", "inet6")
    assert not nat_rule_for("nat on em0 inet6 from <t> to any -> (em0)", "t")
    assert not nat_rule_for("nat on em0 inet from <t> to any -> (em0)", "t", "inet6")
    assert nat_rule_for("nat on em0 from <t> to any -> (em0)", "t", "inet6")  # no family: both
