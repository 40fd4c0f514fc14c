"""The benchmark's own parts: the native replay stub, the spawn-count gate, the chart, the
-X importtime reader (benchmarks/, docs/performance.md)."""

import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from benchmarks import concurrency, importtime, svg
from benchmarks.scenarios import CONTAINER, PEER_COUNTS, PEERS, Studio, peers_name, record_peers
from benchmarks.stubs import Recorded, StubError, build, install, write_recording
from hooks.statedir import StateDir
from hooks.system import SubprocessRunner
from hooks.testing.etcdserver import binary as etcd_binary

ROOT = Path(__file__).resolve().parents[1]
JAILNET = Path(sys.executable).parent / "jailnet"

needs_cc = pytest.mark.skipif(shutil.which("cc") is None,
                              reason="no C compiler (cc) on PATH: the replay stub cannot be built")
needs_proc = pytest.mark.skipif(not Path("/proc/self/exe").exists(),
                                reason="the replay stub finds its recording through /proc/self/exe (Linux)")

RECORDING = [
    Recorded(("ifconfig", "jailnet0"), 1, "", "ifconfig: interface jailnet0 does not exist\n"),
    Recorded(("sysctl", "-n", "kern.osreldate", "net.inet.ip.forwarding"), 0, "1402000\n0\n", ""),
    Recorded(("jls", "-j", "web", "jid", "vnet", "path"), 0, "2 new /jails/web root\n", ""),
]


@needs_cc
@needs_proc
def test_the_stub_replays_refuses_and_counts(tmp_path: Path) -> None:
    """Run as jailnet runs commands (SubprocessRunner: PATH and LC_ALL only, argv[0] looked up)."""
    replay = install(build(tmp_path / "build"), tmp_path / "case", RECORDING)
    run = SubprocessRunner(path=replay.path)
    for recorded in RECORDING:
        done = run(recorded.argv)
        assert (done.returncode, done.stdout, done.stderr) == (recorded.returncode, recorded.stdout, recorded.stderr)
    refused = run(("ifconfig", "-l"))
    assert (refused.returncode, refused.stdout, refused.stderr) == (1, "", "stub: not recorded: ifconfig -l\n")
    by_path = subprocess.run([str(replay.tool("ifconfig")), "jailnet0"], capture_output=True, text=True, check=False,
                             env={})
    assert by_path.returncode == 1 and "does not exist" in by_path.stderr  # argv[0] a path: its basename counts
    assert replay.spawns() == [r.argv for r in RECORDING] + [("ifconfig", "-l"), ("ifconfig", "jailnet0")]
    replay.reset_spawns()
    assert replay.spawns() == []


def test_a_recording_the_stub_could_not_replay_is_refused(tmp_path: Path) -> None:
    again = Recorded(("ifconfig", "jailnet0"), 0, "jailnet0: flags=8843<UP>\n", "")
    with pytest.raises(StubError, match="recorded twice"):
        write_recording(tmp_path / "replay.db", [RECORDING[0], again])
    with pytest.raises(StubError, match="cannot be replayed"):
        write_recording(tmp_path / "replay.db", [Recorded(("pfctl", "-sr"), -9, "", "")])
    write_recording(tmp_path / "replay.db", [RECORDING[0], RECORDING[0]])  # the same answer twice is fine


@needs_cc
@needs_proc
@pytest.mark.skipif(not JAILNET.is_file(), reason=f"no jailnet console script at {JAILNET} (pip install -e .)")
def test_check_spawns_passes_on_the_current_hooks() -> None:
    done = subprocess.run([sys.executable, "-m", "benchmarks", "--check-spawns"], cwd=ROOT, capture_output=True,
                          text=True, check=False, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    lines = done.stdout.splitlines()
    assert lines == [
        "createRuntime, bridge present: 8 commands (limit 8) ok",
        "poststop: 2 commands (limit 2) ok",
        "createRuntime, first container: 12 commands (limit 12) ok",
        "createRuntime with 1,000 leases: 8 commands (limit 8) ok",
        "createRuntime with 10,000 leases: 8 commands (limit 8) ok",
        "createRuntime with 1 peer: 8 commands (limit 8) ok",
        "createRuntime with 10 peers: 8 commands (limit 8) ok",
        "createRuntime with 100 peers: 8 commands (limit 8) ok",
        *(["createRuntime on a cluster network: 8 commands (limit 8) ok"] if etcd_binary() else []),
    ]


def test_the_peers_cases_start_from_live_members_that_each_get_the_newcomer(tmp_path: Path) -> None:
    """Each peers case's state holds that many members, up on the network, each with its own jail
    root; recording the create rewrote every member's /etc/hosts to list the newcomer."""
    studio = Studio(tmp_path / "studio")
    floor = Recorded(("uname",), 0, "FreeBSD\n", "")
    cases = record_peers(studio, floor)
    assert [(c.name, c.leases, c.spawns) for c in cases] == [
        (peers_name(n), n, 8) for n in PEER_COUNTS]
    for case in cases:
        case.template.reset(tmp_path / "check")
        members = [r for r in StateDir(tmp_path / "check").records() if r.network == PEERS and r.state == "up"]
        assert len(members) == case.leases
        assert len({r.root for r in members}) == case.leases
        assert dict(case.env) == {"JAILNET_CONFIG": str(studio.config)}
    newcomer = StateDir(studio.work / "record" / "peers-100").read(CONTAINER)
    assert newcomer is not None and newcomer.network == PEERS
    listed = [r for r in StateDir(studio.work / "record" / "peers-100").records() if r.id != CONTAINER]
    for member in listed:
        hosts = (Path(member.root) / "etc" / "hosts").read_text()
        assert f"{newcomer.address}\t{CONTAINER}" in hosts, member.id



@needs_cc
@needs_proc
@pytest.mark.skipif(not JAILNET.is_file(), reason=f"no jailnet console script at {JAILNET} (pip install -e .)")
def test_creates_at_once_keep_their_invariants(tmp_path: Path) -> None:
    """The concurrency case with 8 creates instead of 64: each its own address, each record up."""
    studio = Studio(tmp_path / "studio")
    crowd = concurrency.record_crowd(studio, 8)
    replay = install(build(tmp_path / "build"), tmp_path / "replay", crowd.recording)
    (tmp_path / "run").mkdir()
    outcome = concurrency.run_crowd(crowd, replay, str(JAILNET), tmp_path / "run", studio.resolv_conf, 0.2)
    assert outcome.problems == ()
    assert outcome.line().startswith("8 creates at once: ") and outcome.line().endswith("; invariants held")

def test_the_chart_is_svg_with_one_point_per_lease_count() -> None:
    points = [svg.Point(leases, 40.0 + leases / 1000, 35.0, 60.0, 30.0) for leases in (1, 100, 1000, 3000, 10000)]
    root = ET.fromstring(svg.render(points))
    ns = "{http://www.w3.org/2000/svg}"
    assert root.tag == f"{ns}svg"
    circles = [c for c in root.iter(f"{ns}circle") if c.get("class") == "point"]
    assert len(circles) == len(points)
    titles = [c.findtext(f"{ns}title") or "" for c in circles]
    assert [t.split(" lease")[0] for t in titles] == ["1", "100", "1,000", "3,000", "10,000"]
    xs = [float(c.get("cx", "nan")) for c in circles]
    assert xs == sorted(xs) and len(set(xs)) == len(xs)
    texts = "".join(root.itertext())
    assert "leases held in the network" in texts and "wall time (ms)" in texts


def test_importtime_lines_are_read_with_their_depth() -> None:
    text = ("import time: self [us] | cumulative | imported package\n"
            "import time:       120 |        120 |     attr._compat\n"
            "import time:      6000 |       6120 |   attr\n"
            "import time:       500 |       6620 | attrs\n"
            "jailnet: something else on stderr\n")
    found = importtime.parse(text)
    assert [(i.module, i.depth, i.self_us, i.cumulative_us) for i in found] == [
        ("attr._compat", 2, 120, 120), ("attr", 1, 6000, 6120), ("attrs", 0, 500, 6620)]
    assert [i.module for i in importtime.top(found, 2)] == ["attrs", "attr"]
    assert importtime.total_us(found) == 6620
    floor = importtime.parse("import time:       120 |        120 | attr._compat\n")
    assert [i.module for i in importtime.beyond(found, floor)] == ["attr", "attrs"]


def test_the_ratio_is_the_median_of_the_pairs_ratios() -> None:
    """Each pair's jailnet run over its own floor run, then the median: the ratio of the two medians
    would set a jailnet run against a floor run of another pair (benchmarks/report.py)."""
    from benchmarks.launcher import Stats
    from benchmarks.report import Measured

    jailnet = Stats((0.12, 0.26, 0.39, 0.13, 0.24))  # 1.2x, 1.3x, 1.3x, 1.3x, 1.2x their floors
    floor = Stats((0.10, 0.20, 0.30, 0.10, 0.20))
    measured = Measured(None, 8, jailnet, floor)  # type: ignore[arg-type]  # the case is not read
    assert measured.ratio == pytest.approx(1.3)
    assert measured.ratio_of_medians == pytest.approx(0.24 / 0.20)
    with pytest.raises(ValueError):  # unpaired samples are a bug in the benchmark
        _ = Measured(None, 8, Stats((0.1, 0.2)), Stats((0.1,))).ratio  # type: ignore[arg-type]
