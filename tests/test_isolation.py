"""Networks that keep apart (hooks/isolation.py, docs/isolation.md): the rules of
``jailnet/isolation`` for 1, 2 and 3 networks, loaded once per configuration change, put back
when the create that loaded them fails, and left alone by gc."""

import io
from pathlib import Path

import pytest

from hooks import isolation
from hooks.cli import main
from hooks.naming import anchor_name
from hooks.netconf import DnsDefaults
from hooks.testing import HookBed

TWO = ('[networks.backend]\nbridge = "jailnet1"\nsubnet = "10.88.0.0/24"\nsubnet6 = "fd00:88::/64"\n'
       '[networks.default]\nsubnet6 = "fd00:17::/64"\n')
THREE = TWO + '[networks.shared]\nbridge = "jailnet2"\nsubnet = "10.99.0.0/24"\nisolated = false\n'


def networks(text: str) -> dict[str, object]:
    from hooks import configfile

    return dict(configfile.parse(text, where="test", resolver=DnsDefaults()).networks)


@pytest.mark.parametrize(("config", "expected"), [
    ("", ""),  # one network: nothing to keep apart
    (TWO, "block drop quick inet from 10.88.0.0/24 to 172.17.0.0/16\n"
          "block drop quick inet6 from fd00:88::/64 to fd00:17::/64\n"
          "block drop quick inet from 172.17.0.0/16 to 10.88.0.0/24\n"
          "block drop quick inet6 from fd00:17::/64 to fd00:88::/64\n"),
    (THREE, "block drop quick inet from 10.88.0.0/24 to 172.17.0.0/16\n"
            "block drop quick inet6 from fd00:88::/64 to fd00:17::/64\n"
            "block drop quick inet from 10.88.0.0/24 to 10.99.0.0/24\n"  # shared is open, backend is not
            "block drop quick inet from 172.17.0.0/16 to 10.88.0.0/24\n"
            "block drop quick inet6 from fd00:17::/64 to fd00:88::/64\n"
            "block drop quick inet from 172.17.0.0/16 to 10.99.0.0/24\n"
            "block drop quick inet from 10.99.0.0/24 to 10.88.0.0/24\n"
            "block drop quick inet from 10.99.0.0/24 to 172.17.0.0/16\n"),
    # Two networks that are both open: nothing between them.
    ('[networks.default]\nisolated = false\n[networks.x]\nbridge = "b1"\nsubnet = "10.1.0.0/24"\nisolated = false\n',
     ""),
])
def test_the_rules_for_one_two_and_three_networks(config: str, expected: str) -> None:
    assert isolation.rules(networks(config)) == expected  # type: ignore[arg-type]


def anchor_rules(bed: HookBed) -> str:
    return bed.host(("pfctl", "-a", "jailnet/isolation", "-sr")).stdout


def pfctl_loads(bed: HookBed) -> list[list[str]]:
    return [i.argv for i in bed.host.log if i.argv[:3] == ["pfctl", "-a", "jailnet/isolation"]]


def test_loaded_once_per_configuration_change_and_never_on_a_steady_create(tmp_path: Path) -> None:
    bed = HookBed(tmp_path, config=TWO)
    for cid in ("a", "b", "c"):
        bed.jail(cid)
    assert bed.hook("createRuntime", "a")[0] == 0
    assert anchor_rules(bed) == isolation.rules(networks(TWO))  # type: ignore[arg-type]
    assert bed.files()["isolation.conf"] == anchor_rules(bed)
    bed.host.clear_log()
    assert bed.hook("createRuntime", "b", {"org.jailnet.network": "backend"})[0] == 0
    assert pfctl_loads(bed) == []  # the configuration is unchanged: no command for isolation
    (tmp_path / "jailnet.toml").write_text(THREE)  # the administrator adds a network
    bed.host.clear_log()
    assert bed.hook("createRuntime", "c")[0] == 0
    assert pfctl_loads(bed) == [["pfctl", "-a", "jailnet/isolation", "-f", "-"]]
    assert anchor_rules(bed) == isolation.rules(networks(THREE)) == bed.files()["isolation.conf"]  # type: ignore[arg-type]


@pytest.mark.parametrize("before", ["", TWO], ids=["first-load", "reload"])
def test_a_create_that_fails_puts_the_earlier_rules_back(tmp_path: Path, before: str) -> None:
    """Rolled back like the bridge: flushed when nothing was loaded, the kept file loaded again
    otherwise; the state file changes only with a create that succeeds."""
    bed = HookBed(tmp_path, config=before)  # "" still names a (empty) configuration file
    bed.jail("a")
    bed.jail("b")
    assert bed.hook("createRuntime", "a")[0] == 0
    (tmp_path / "jailnet.toml").write_text(THREE)
    rules, files = anchor_rules(bed), bed.files().get("isolation.conf")
    bed.host.clear_log()
    bed.host.fail_nth(3)  # after the isolation load: the epair create (the bridge is there)
    code, _, err = bed.hook("createRuntime", "b")
    assert code == 1 and err.endswith(" (undone)\n"), err
    assert anchor_rules(bed) == rules and bed.files().get("isolation.conf") == files
    undo = ["pfctl", "-a", "jailnet/isolation"] + (["-F", "rules"] if not before else
                                                   ["-f", str(tmp_path / "state" / "isolation.conf")])
    assert undo in [i.argv for i in bed.host.log]
    bed.host.clear_faults()
    assert bed.hook("createRuntime", "b")[0] == 0
    assert anchor_rules(bed) == isolation.rules(networks(THREE))  # type: ignore[arg-type]


def test_gc_leaves_the_isolation_anchor_alone_and_no_container_takes_its_name(tmp_path: Path) -> None:
    bed = HookBed(tmp_path, config=TWO)
    bed.jail("isolation")
    assert bed.hook("createRuntime", "isolation", {"org.jailnet.ports": "8080:80"})[0] == 0
    assert anchor_name("isolation").startswith("jailnet/jn")
    out = io.StringIO()
    assert main(["gc"], stdout=out, stderr=io.StringIO(), environ=bed.env, run=bed.host) == 0
    assert out.getvalue() == "nothing to remove\n"
    assert anchor_rules(bed) == isolation.rules(networks(TWO))  # type: ignore[arg-type]
    assert sorted(bed.host(("pfctl", "-a", "jailnet", "-sA")).stdout.split()) == sorted(
        ["jailnet/isolation", anchor_name("isolation")])


def test_doctor_says_when_networks_are_not_kept_apart(tmp_path: Path) -> None:
    """pf evaluates jailnet/isolation only where pf.conf calls ``anchor "jailnet/*"``."""
    from hooks.doctor.checks import diagnose
    from hooks.doctor.observations import Observations, PfView, StateView

    config = networks(THREE)
    from hooks.netconf import Networks

    def finding(filter_rules: tuple[str, ...] | None) -> tuple[bool, str, str | None]:
        obs = Observations(euid=0, osrelease="14.2-RELEASE", osreldate=1402000, forwarding=1, pfil_member=1,
                           pf=PfView(device="present", enabled=True, filter_rules=filter_rules),
                           egress="em0", state=StateView(path="/var/run/jailnet", exists=True))
        found = {f.id: f for f in diagnose(obs, Networks(networks=config), ["default"])}["pf.anchor"]  # type: ignore[arg-type]
        return found.ok, found.message, found.fix

    assert finding(('anchor "jailnet/*" all',))[:2] == (
        True, 'pf calls anchor "jailnet/*": isolated networks are kept apart (jailnet/isolation)')
    ok, message, fix = finding(())
    assert not ok and message == ('pf: no anchor "jailnet/*": networks backend, default, shared are configured and '
                                  "backend, default isolated, but nothing keeps them apart: the host routes "
                                  "between them")
    assert (fix or "").splitlines()[-1] == 'anchor "jailnet/*"'
    assert finding(None)[1].startswith("pf: cannot list the filter rules")
