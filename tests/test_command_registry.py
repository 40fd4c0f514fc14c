"""Every argv jailnet runs matches a form registered in docs/freebsd-commands.md.

The registry's ``forms`` blocks are the single source: each line is ``id: form``, where a word in
``<angle brackets>`` is a value of a kind below, ``[...]`` is optional and every other word is
literal. The scenarios drive the real code paths — createRuntime and poststop on several hosts
and networks, a fault at every step (so every undo runs), crashes reaped by the next create and
by ``jailnet gc``, ``doctor --fix`` on a broken host, ``ls`` — against the simulated host and
check its log; a property test does the same for plans built from arbitrary networks. A new
command form therefore fails here until it is registered, with its evidence, in the doc.
"""

import io
import ipaddress
import re
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hooks import observe, plan
from hooks.cli import main
from hooks.naming import host_ifname
from hooks.netconf import Network
from hooks.overlay import MAX_VNI, Overlay
from hooks.request import Request
from hooks.statedir import Record, StateDir
from hooks.system import Completed
from hooks.testing import HookBed, SimulatedHost, conformance
from hooks.testing.host import PF_CONF

REGISTRY = Path(__file__).resolve().parents[1] / "docs/freebsd-commands.md"


def _ipv4(text: str) -> bool:
    try:
        ipaddress.IPv4Address(text)
    except ValueError:
        return False
    return True


def _cidr(text: str) -> bool:
    address, slash, length = text.partition("/")
    return bool(slash) and _ipv4(address) and length.isdigit() and int(length) <= 32


def _ipv6(text: str) -> bool:
    try:
        ipaddress.IPv6Address(text)
    except ValueError:
        return False
    return True


def _cidr6(text: str) -> bool:
    address, slash, length = text.partition("/")
    return bool(slash) and _ipv6(address) and length.isdigit() and int(length) <= 128


#: What a ``<kind>`` stands for: one argv word it accepts.
KINDS: dict[str, Callable[[str], bool]] = {
    "ifname": lambda w: re.fullmatch(r"[A-Za-z0-9_.-]{1,15}", w) is not None,
    "epair-a": lambda w: re.fullmatch(r"epair[0-9]+a", w) is not None,
    "epair-b": lambda w: re.fullmatch(r"epair[0-9]+b", w) is not None,
    "cidr": _cidr,
    "ip": _ipv4,
    "cidr6": _cidr6,
    "ip6": _ipv6,
    "jid": lambda w: re.fullmatch(r"[0-9]+", w) is not None,
    "jail": lambda w: re.fullmatch(r"[^\s]+", w) is not None,
    "table": lambda w: re.fullmatch(r"[A-Za-z0-9_.-]{1,31}", w) is not None,  # PF_TABLE_NAME_SIZE 32
    "anchor": lambda w: re.fullmatch(r"[A-Za-z0-9_.-]+(?:/[A-Za-z0-9_.-]+)*", w) is not None,
    "path": lambda w: w.startswith("/") and "\n" not in w,
    "text": lambda w: w != "",
    "mtu": lambda w: re.fullmatch(r"[0-9]+", w) is not None,
    "vni": lambda w: re.fullmatch(r"[0-9]+", w) is not None and int(w) < 1 << 24,
    "addr": lambda w: _ipv4(w) or _ipv6(w),
}

Item = tuple[str, object]  # ("word", str) | ("kind", str) | ("optional", list[Item])


@attrs.frozen
class Form:
    id: str
    text: str
    items: tuple[Item, ...]

    def matches(self, argv: Sequence[str]) -> bool:
        return any(end == len(argv) for end in _match(list(self.items), list(argv), 0))


def _match(items: list[Item], argv: list[str], at: int) -> Iterator[int]:
    """Every position in ``argv`` where ``items`` can end when they start at ``at``."""
    if not items:
        yield at
        return
    (kind, value), rest = items[0], items[1:]
    if kind == "optional":
        assert isinstance(value, list)
        for middle in _match(value, argv, at):
            yield from _match(rest, argv, middle)
        yield from _match(rest, argv, at)
    elif at < len(argv) and (argv[at] == value if kind == "word" else KINDS[str(value)](argv[at])):
        yield from _match(rest, argv, at + 1)


def _items(words: list[str]) -> tuple[list[Item], list[str]]:
    items: list[Item] = []
    while words:
        word = words.pop(0)
        if word == "]":
            return items, words
        if word == "[":
            inner, words = _items(words)
            items.append(("optional", inner))
        elif word.startswith("<") and word.endswith(">"):
            assert word[1:-1] in KINDS, f"unknown kind {word} in the registry"
            items.append(("kind", word[1:-1]))
        else:
            items.append(("word", word))
    return items, words


def load(text: str) -> list[Form]:
    """The forms of every ```forms block of the registry."""
    forms = []
    for block in re.findall(r"^```forms\n(.*?)^```", text, re.M | re.S):
        for line in block.splitlines():
            ident, colon, form = line.partition(":")
            assert colon and form.strip(), f"registry line is not 'id: form': {line!r}"
            words = form.replace("[", " [ ").replace("]", " ] ").split()
            items, rest = _items(words)
            assert not rest, f"unbalanced brackets in {line!r}"
            forms.append(Form(ident.strip(), form.strip(), tuple(items)))
    return forms


FORMS = load(REGISTRY.read_text())


def registered(argv: Sequence[str]) -> list[str]:
    return [f.id for f in FORMS if f.matches(argv)]


def unregistered(argvs: Sequence[Sequence[str]]) -> list[str]:
    return sorted({" ".join(a) for a in argvs if not registered(a)})


# --- the registry itself -------------------------------------------------------------------------


def test_the_registry_parses_and_its_ids_are_unique() -> None:
    ids = [f.id for f in FORMS]
    assert len(ids) == len(set(ids)) and len(ids) >= 30
    text = REGISTRY.read_text()
    for form in FORMS:
        short = form.id.split(".", 1)[1]
        named = f"**{short}**" in text or (short.endswith("-jexec") and "**…-jexec**" in text)
        assert named, f"{form.id}: no evidence paragraph names it"


@pytest.mark.parametrize(("argv", "ids"), [
    (("ifconfig", "bridge", "create", "inet", "172.17.0.1/16", "description", "jailnet network default", "up", "name",
      "jailnet0"), ["ifconfig.bridge-create"]),
    (("ifconfig", "bridge", "create", "inet", "10.0.0.1/24", "description", "d", "mtu", "9000", "up", "name", "br1"),
     ["ifconfig.bridge-create"]),
    (("ifconfig", "-j", "5", "epair3a", "inet", "172.17.0.2/16", "up", "name", "jn1"), ["ifconfig.jail-end"]),
    (("sysctl", "-n", "kern.osreldate"), ["sysctl.osreldate"]),
    (("sysctl", "-n", "kern.osreldate", "net.inet.ip.forwarding"), ["sysctl.osreldate"]),
])
def test_the_forms_jailnet_uses_match(argv: tuple[str, ...], ids: list[str]) -> None:
    assert registered(argv) == ids


@pytest.mark.parametrize("argv", [
    # The forms real ifconfig rejects (docs/freebsd-commands.md §2): a family word after "name".
    ("ifconfig", "bridge", "create", "name", "jailnet0", "description", "x", "inet", "172.17.0.1/16", "up"),
    ("ifconfig", "-j", "5", "epair3a", "name", "jn1", "inet", "172.17.0.2/16", "up"),
    ("ifconfig", "epair3b", "name", "jn1", "description", "c1", "group", "jailnet", "up"),
    ("ifconfig", "jailnet0", "172.17.0.1/16"),
    ("route", "-4", "-j", "5", "add", "default", "172.17.0.1"),
    ("route", "-j", "5", "add", "-4", "default", "172.17.0.1"),
    ("pfctl", "-T", "add", "-t", "jail-nat", "172.17.0.2"),
    ("sysctl", "-n", "net.inet.ip.forwarding", "kern.osreldate"),
    ("ifconfig", "-j", "5", "epair3a", "inet", "172.17.0.2/16", "up", "name"),
])
def test_forms_real_tools_reject_or_jailnet_never_runs_match_nothing(argv: tuple[str, ...]) -> None:
    assert registered(argv) == []


# --- every argv the code runs ----------------------------------------------------------------


def ran(host: SimulatedHost) -> list[list[str]]:
    return [i.argv for i in host.log]


BACKEND = """
[networks.backend]
bridge = "jailnet1"
subnet = "10.88.0.0/24"
table = "backend-nat"
mtu = 9000
interface = "eth0"
"""


def lifecycle(bed: HookBed, *args: str) -> None:
    for cid in ("web", "db"):
        bed.jail(cid, binaries=("sbin/ifconfig", "sbin/route"))
        assert bed.hook("createRuntime", cid, None, *args)[0] == 0
    assert bed.hook("createRuntime", "web", None, *args)[0] == 0  # attached already: nothing to do
    assert bed.hook("createRuntime", "web", None, *args, "--dry-run")[0] == 0
    for cid in ("web", "db"):
        bed.host.remove_jail(cid)
        assert bed.hook("poststop", cid)[0] == 0
        assert bed.hook("poststop", cid)[0] == 0  # idempotent


@pytest.mark.parametrize(("release", "config", "args"), [
    ("14.2-RELEASE", None, ()),
    ("13.3-RELEASE", None, ()),
    ("13.2-RELEASE", None, ()),
    ("15.0-RELEASE", BACKEND, ("--network", "backend")),
    ("13.2-RELEASE", BACKEND, ("--network", "backend")),
])
def test_create_and_poststop(tmp_path: Path, release: str, config: str | None, args: tuple[str, ...]) -> None:
    bed = HookBed(tmp_path, release=release, config=config)
    lifecycle(bed, *args)
    assert ran(bed.host) and unregistered(ran(bed.host)) == []


@pytest.mark.parametrize("broken", ["none", "bridge down without gateway"])
def test_a_fault_at_every_step_runs_registered_undos(tmp_path: Path, broken: str) -> None:
    """Each mutating step fails in turn, so every undo before it runs."""
    step = 0
    seen: list[list[str]] = []
    while True:
        step += 1
        bed = HookBed(tmp_path / str(step), config=BACKEND)
        if broken != "none":
            assert bed.host(("ifconfig", "bridge", "create", "name", "jailnet1")).returncode == 0
        bed.jail("web")
        bed.host.clear_log()
        bed.host.fail_nth(step)
        code = bed.hook("createRuntime", "web", None, "--network", "backend")[0]
        seen += ran(bed.host)
        if code == 0:
            break
        assert step < 20
    assert step > 6
    undos = {" ".join(a) for a in seen}
    assert any("deletem" in u for u in undos) and any(" -alias" in u for u in undos) == (broken != "none")
    assert unregistered(seen) == []


def test_a_bridge_create_that_fails_part_way_destroys_what_it_made(bed: HookBed) -> None:
    """ifconfig prints the clone's name even when a later word fails; the rollback destroys it."""
    bed.jail("web")
    hooks_ran: list[list[str]] = []

    def racing(argv: Sequence[str], *, stdin: str | None = None) -> Completed:
        if list(argv[:3]) == ["ifconfig", "bridge", "create"]:  # someone takes the name first
            bed.host(("ifconfig", "epair", "create", "name", "jailnet0"))
        hooks_ran.append(list(argv))
        return bed.host(argv, stdin=stdin)

    out, err = io.StringIO(), io.StringIO()
    code = main(["hook", "createRuntime"], stdin=bed.state("web"), stdout=out, stderr=err, environ=bed.env, run=racing)
    assert code == 1 and "SIOCSIFNAME" in err.getvalue() and "(undone)" in err.getvalue()
    assert bed.host(("ifconfig", "-g", "bridge")).stdout == ""  # the clone is gone again
    assert ["ifconfig", "bridge0", "destroy"] in hooks_ran
    assert unregistered(hooks_ran) == []


def test_reaping_gc_ls_and_doctor(bed: HookBed) -> None:
    # A create that died after its epair (journal written), a skipped poststop, strays.
    bed.jail("live")
    assert bed.hook("createRuntime", "live")[0] == 0
    bed.jail("skipped")
    assert bed.hook("createRuntime", "skipped")[0] == 0
    bed.host.remove_jail("skipped")
    bed.jail("killed")
    made = bed.host(("ifconfig", "epair", "create", "description", "killed", "vnet", "3")).stdout.strip()
    bed.jail("again")
    again = bed.host(("ifconfig", "epair", "create", "description", "again", "vnet", "4")).stdout.strip()
    state = StateDir(bed.state_dir)
    for cid, jid, epair, address in (("killed", 3, made, "172.17.0.9"), ("again", 4, again, "172.17.0.10")):
        lease = bed.state_dir / "networks" / "default" / address
        lease.write_text(f"{cid}\n")
        state.write(Record(
            id=cid, state="creating", network="default", address=address, prefixlen=16, bridge="jailnet0",
            table="jail-nat", host_interface=host_ifname(cid), jail_interface="x", jail=cid, jid=jid,
            created="2026-11-28T00:00:00Z", undo=(plan.destroy_epair(epair),)))
    bed.host(("pfctl", "-t", "jail-nat", "-T", "add", "172.17.0.77"))
    bed.host.clear_log()
    assert bed.hook("createRuntime", "again")[0] == 0  # reaps its own leftovers first
    for argv in (["gc", "--dry-run"], ["gc"], ["ls"], ["ls", "--json"]):
        assert main(argv, stdout=io.StringIO(), stderr=io.StringIO(), environ=bed.env, run=bed.host) == 0
    assert unregistered(ran(bed.host)) == []
    assert any(a[:3] == ["ifconfig", "-j", "3"] for a in ran(bed.host))  # looked inside the killed jail


def test_doctor_and_doctor_fix(tmp_path: Path) -> None:
    host = SimulatedHost.freebsd()
    assert host(("pfctl", "-f", "-"), stdin=PF_CONF).returncode == 0
    env = {"JAILNET_STATE_DIR": str(tmp_path / "state")}
    for args in (["doctor"], ["doctor", "--fix"], ["doctor", "--json"]):
        main(args, stdout=io.StringIO(), stderr=io.StringIO(), environ=env, run=host)
    host(("ifconfig", "jailnet0", "inet", "172.17.0.1", "-alias"))
    host(("ifconfig", "jailnet0", "down"))
    main(["doctor", "--fix"], stdout=io.StringIO(), stderr=io.StringIO(), environ=env, run=host)
    commands = ran(host)
    assert ["pfctl", "-e"] in commands and ["sysctl", "net.inet.ip.forwarding=1"] in commands
    assert ["ifconfig", "jailnet0", "up"] in commands
    assert unregistered([a for a in commands if a[:2] != ["pfctl", "-f"] and a[1:] not in (
        ["jailnet0", "inet", "172.17.0.1", "-alias"], ["jailnet0", "down"])]) == []


# --- plans from arbitrary networks -------------------------------------------------------------

names = st.from_regex(r"[a-z][a-z0-9]{0,10}[a-z]", fullmatch=True)


@st.composite
def networks(draw: st.DrawFn) -> Network:
    prefix = draw(st.integers(min_value=8, max_value=29))
    base = draw(st.integers(min_value=0, max_value=2**32 - 1))
    subnet = ipaddress.IPv4Network((base & ~((1 << (32 - prefix)) - 1), prefix))
    gateway = subnet.network_address + 1
    subnet6 = None
    if draw(st.booleans()):  # dual stack
        prefix6 = draw(st.integers(min_value=64, max_value=126))
        base6 = draw(st.integers(min_value=0xfc00 << 112, max_value=(0xfe00 << 112) - 1))
        subnet6 = ipaddress.IPv6Network((base6 & ~((1 << (128 - prefix6)) - 1), prefix6))
    overlay = None
    if draw(st.booleans()):  # a vxlan overlay, multicast or unicast, over IPv4 or IPv6
        v6 = draw(st.booleans())
        local = ipaddress.ip_address("2001:db8::10" if v6 else "192.0.2.10")
        group = draw(st.booleans())
        peer = ipaddress.ip_address(("ff05::42" if v6 else "239.1.1.42") if group else
                                    ("2001:db8::11" if v6 else "192.0.2.11"))
        overlay = Overlay(vni=draw(st.integers(min_value=0, max_value=MAX_VNI)), local=local, peer=peer,
                          dev=draw(st.none() | names) if group else None)
    return Network(name=draw(names), bridge=draw(names), subnet=subnet, gateway=gateway,
                   table=draw(st.from_regex(r"[a-z][a-z0-9_-]{0,30}", fullmatch=True)), nameservers=(), search=(),
                   interface=draw(st.none() | names), mtu=draw(st.none() | st.integers(min_value=576, max_value=16000)),
                   subnet6=subnet6, gateway6=subnet6.network_address + 1 if subnet6 else None, overlay=overlay)


@settings(max_examples=200, deadline=None)
@given(network=networks(), jail_flag=st.booleans(), cid=names, jid=st.integers(min_value=1, max_value=99999),
       unit=st.integers(min_value=0, max_value=32767),
       bridge=st.sampled_from([observe.BridgeState(exists=False), observe.BridgeState(exists=True),
                               observe.BridgeState(exists=True, up=True),
                               observe.BridgeState(exists=True, addresses=("x",))]))
def test_plans_for_any_network_use_registered_forms(network: Network, jail_flag: bool, cid: str, jid: int, unit: int,
                                                    bridge: observe.BridgeState) -> None:
    request = Request(container_id=cid, jail=cid, network=network, nameservers=(), search=(), dns=False)
    jail = observe.JailInfo(jid=jid, vnet=True, path="/j")
    address6 = network.subnet6.network_address + 2 if network.subnet6 else None
    attachment = plan.Attachment(request=request, address=network.gateway + 1, jail=jail, jail_flag=jail_flag,
                                 address6=address6)
    epair = f"epair{unit}a"
    addresses = (str(attachment.address),) + ((str(address6),) if address6 else ())
    steps = [*plan.ensure_bridge(network, bridge), *plan.ensure_forwarding(False, not network.dual_stack),
             *plan.attach(attachment, epair, None), *plan.detach(attachment.host_interface, network.table, addresses)]
    argvs: list[Sequence[str]] = [plan.jail_lookup(cid), plan.create_epair(request, jail), plan.destroy_epair(epair)]
    for step in steps:
        assert isinstance(step, plan.Command)
        argvs.append(step.argv)
        if step.undo is not None:
            argvs.append(step.undo)
    assert unregistered(argvs) == []


# --- every registered form is in the conformance table -----------------------------------------

#: Forms the table does not run, and why: the real-FreeBSD suite must not change the host's
#: firewall state.
NOT_IN_THE_TABLE = {"pfctl.enable": "pfctl -e turns the host's pf on"}

SAMPLES = {"a": "epair0a", "b": "epair0b", "a2": "epair1a", "b2": "epair1b", "bridge": "bridge0", "jail": "jnt-c",
           "jid": "7", "root": "/", "table": "jnettest-c1", "anchor": "jnettest-c1", "n1": "jnc0a", "n2": "jnc0b"}


def table_argvs() -> list[list[str]]:
    """The argv of every conformance case, placeholders filled with sample values; a command run
    through ``jexec JID /sbin/PROG`` also counts as ``PROG`` run on the host (the same parser)."""
    found = []
    for case in conformance.load(conformance.TABLE_PATH):
        argv = [re.sub(r"\{(\w+)\}", lambda m: SAMPLES.get(m.group(1), m.group(0)), w) for w in case.argv]
        found.append(argv)
        if argv[:1] == ["jexec"] and len(argv) > 2 and argv[2].startswith("/sbin/"):
            found.append([argv[2].removeprefix("/sbin/"), *argv[3:]])
    return found


def test_every_registered_form_is_in_the_conformance_table() -> None:
    argvs = table_argvs()
    missing = [f.id for f in FORMS if f.id not in NOT_IN_THE_TABLE and not any(f.matches(a) for a in argvs)]
    assert missing == []
    assert set(NOT_IN_THE_TABLE) <= {f.id for f in FORMS}


def test_publishing_ports_runs_only_registered_forms(bed: HookBed) -> None:
    """createRuntime, gc and poststop of a container that publishes ports (hooks/plan.py
    ``publish``/``unpublish``, ``route -n get default``, gc's ``-a jailnet -sA``)."""
    bed.jail("web")
    ports = {"org.jailnet.ports": "8080:80,9000-9002:9000-9002/udp"}
    assert bed.hook("createRuntime", "web", ports)[0] == 0
    assert main(["gc"], stdout=io.StringIO(), stderr=io.StringIO(), environ=bed.env, run=bed.host) == 0
    bed.host.remove_jail("web")
    assert bed.hook("poststop", "web", ports, raw=bed.state("web", ports, status="stopped"))[0] == 0
    argvs = ran(bed.host)
    assert unregistered(argvs) == []
    assert [a[:5] for a in argvs if a[:2] == ["pfctl", "-a"] and "-sA" not in a] == [
        ["pfctl", "-a", "jailnet/web", "-f", "-"], ["pfctl", "-a", "jailnet/web", "-F", "nat"]]
    assert ["route", "-n", "get", "default"] in argvs
