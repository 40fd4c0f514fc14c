"""``python -m benchmarks [--quick] [--check-spawns] [--json PATH] [--svg PATH]``.

1. Build the replay stub with ``cc`` and record every case against the simulated host
   (:mod:`benchmarks.scenarios`).
2. With ``--check-spawns``: run each case once and fail when a hook ran more FreeBSD commands
   than its limit. Nothing is timed.
3. Otherwise, for each case (the table's, more lease counts, 1, 10 and 100 peers on a
   ``hosts = "peers"`` network), run ``jailnet`` and its floor in pairs (A B A B ...), then the
   floor's pieces, then the createRuntime case once under ``-X importtime``; print the tables,
   write the JSON and the chart; last, 64 creates at once (:mod:`benchmarks.concurrency`) against
   64 times the median of one create.
"""

import argparse
import contextlib
import gc
import os
import subprocess
import sys
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path

from benchmarks import ROOT, concurrency, importtime, report, store, svg
from benchmarks.launcher import PIECES, BenchmarkError, Launcher, Run, console_script_python, interleaved, ms
from benchmarks.scenarios import GATED, PEERS, TABLE, Studio, record_cases
from benchmarks.stubs import StubError, build, install

DEFAULT_JSON = ROOT / "benchmarks" / "results.json"
DEFAULT_SVG = ROOT / "docs" / "performance-leases.svg"
FULL_SCALE = (100, 3000)


def parse(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="5 pairs a case and no extra lease counts")
    parser.add_argument("--pairs", type=int, metavar="N", help="pairs a case (default 30, --quick 5)")
    parser.add_argument("--check-spawns", action="store_true",
                        help="run each case once; exit 1 when a hook runs more commands than its limit")
    parser.add_argument("--json", type=Path, default=DEFAULT_JSON, metavar="PATH",
                        help="where the results go (default benchmarks/results.json)")
    parser.add_argument("--svg", type=Path, default=DEFAULT_SVG, metavar="PATH",
                        help="where the chart goes (default docs/performance-leases.svg)")
    parser.add_argument("--jailnet", type=Path, metavar="PATH",
                        help="the jailnet console script (default: jailnet beside this python)")
    parser.add_argument("--tmpdir", metavar="DIR", help="where state directories and stubs live "
                        "(default: /dev/shm when writable, a tmpfs like FreeBSD's /var/run often is)")
    args = parser.parse_args(argv)
    if args.pairs is None:
        args.pairs = 5 if args.quick else 30
    if args.pairs < 1:
        parser.error("--pairs: at least 1")
    return args


def say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def scratch(given: str | None) -> str | None:
    if given is not None:
        return given
    return "/dev/shm" if os.path.isdir("/dev/shm") and os.access("/dev/shm", os.W_OK) else None


def main(argv: Sequence[str] | None = None) -> int:
    args = parse(argv)
    jailnet = args.jailnet or Path(sys.executable).parent / "jailnet"
    if not jailnet.is_file():
        say(f"benchmarks: no jailnet console script at {jailnet} (pip install -e . in the venv, or --jailnet)")
        return 2
    try:
        python = console_script_python(jailnet)
        with contextlib.ExitStack() as stack:
            work = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="jailnet-bench-",
                                                                        dir=scratch(args.tmpdir))))
            stub = build(work / "stub")
            studio = Studio(work / "studio")
            scale = () if args.check_spawns or args.quick else FULL_SCALE
            cases = record_cases(studio, scale)
            etcd = stack.enter_context(store.local_etcd(work))
            round_trips = None
            if etcd is not None:
                cluster_case, round_trips = store.record_cluster(studio, cases[0].floor, etcd)
                cases.append(cluster_case)
            else:
                say("no etcd installed: the cluster network's case is left out (Debian: apt-get install etcd-server)")
            launchers = []
            for case in cases:
                replay = install(stub, work / "replay" / case.slug, [*case.recording, case.floor])
                (work / "run" / case.slug).mkdir(parents=True)
                launchers.append(Launcher(case, replay, str(jailnet), python, work / "run" / case.slug,
                                          studio.resolv_conf))
            crowd: Callable[[float], concurrency.Outcome] | None = None
            if not args.check_spawns:
                crowd = crowd_runner(studio, stub, work, str(jailnet))
            gc.collect()
            gc.freeze()  # the templates are large: keep the collector out of the timed runs
            if args.check_spawns:
                return check_spawns([launcher for launcher in launchers if launcher.case.name in (*GATED, store.NAME)])
            assert crowd is not None
            return measure(launchers, args, python, crowd, round_trips)
    except (BenchmarkError, StubError) as exc:
        say(f"benchmarks: {exc}")
        return 1


def crowd_runner(studio: Studio, stub: Path, work: Path, jailnet: str) -> Callable[[float], concurrency.Outcome]:
    """Record the 64 creates and install their replay; the creates at once, given one create's median."""
    say(f"recording {concurrency.CONTAINERS} creates ...")
    crowd = concurrency.record_crowd(studio)
    replay = install(stub, work / "replay" / "crowd", crowd.recording)
    (work / "run" / "crowd").mkdir(parents=True)
    return lambda single: concurrency.run_crowd(crowd, replay, jailnet, work / "run" / "crowd",
                                                studio.resolv_conf, single)


def check_spawns(launchers: Sequence[Launcher]) -> int:
    """Each gated case once (the table's and the peers cases): the commands it ran against its limit."""
    failed = 0
    order = (*GATED, store.NAME)
    for launcher in sorted(launchers, key=lambda item: order.index(item.case.name)):
        case = launcher.case
        try:
            k = len(launcher.hook().spawns)
        except BenchmarkError as exc:
            print(f"{case.name}: FAILED: {exc}")
            failed += 1
            continue
        verdict = "ok" if k <= case.limit else "TOO MANY"
        failed += k > case.limit
        print(f"{case.name}: {k} commands (limit {case.limit}) {verdict}")
    return 1 if failed else 0


def hook_python_version(python: str) -> str:
    done = subprocess.run([python, "-c", "import sys; print(sys.version)"], capture_output=True, text=True,
                          check=True)
    return done.stdout.strip()


def measure(launchers: Sequence[Launcher], args: argparse.Namespace, python: str,
            crowd: Callable[[float], concurrency.Outcome], round_trips: int | None) -> int:
    load = os.getloadavg()
    # Every round runs each case's pair, jailnet then its floor, case after case: a change in the
    # machine's load during the run then reaches every case alike, not only the ones run last.
    runs: list[Callable[[], Run]] = []
    for launcher in launchers:
        runs += [launcher.hook, launcher.floor]

    def progress(number: int) -> None:
        say(f"round {number} of {args.pairs}: {len(launchers)} pairs of jailnet and floor" if number > 0 else
            "warm-up round (not kept)")

    stats = interleaved(runs, args.pairs, progress=progress)
    results = [report.Measured(launcher.case, launcher.case.spawns, stats[2 * i], stats[2 * i + 1])
               for i, launcher in enumerate(launchers)]
    by_name = {r.case.name: r for r in results}
    steady = next(launcher for launcher in launchers if launcher.case.name == TABLE[0])
    say(f"the floor's pieces: {args.pairs} rounds ...")
    codes = [lambda code=code: steady.python_code(code) for code in PIECES.values()]
    pieces = dict(zip([*PIECES, f"floor (k={steady.case.spawns})"],
                      interleaved([*codes, steady.floor], args.pairs), strict=True))
    say("createRuntime and its floor under -X importtime ...")
    traced: Run = steady.hook({"PYTHONPROFILEIMPORTTIME": "1"})
    floor_traced: Run = steady.floor({"PYTHONPROFILEIMPORTTIME": "1"})
    imports = importtime.parse(traced.stderr)
    top = importtime.top(imports)
    extra = importtime.beyond(imports, importtime.parse(floor_traced.stderr))
    say(f"{concurrency.CONTAINERS} creates at once ...")
    together = crowd(by_name[TABLE[0]].jailnet.median)
    scale = [r for r in results if r.case.kind == "createRuntime" and r.case.leases >= 1
             and r.case.network not in (PEERS, store.NETWORK)]
    clustered = [r for r in results if r.case.network == store.NETWORK]
    peers = [r for r in results if r.case.network == PEERS]
    points = [svg.Point(r.case.leases, ms(r.jailnet.median), ms(r.jailnet.min), ms(r.jailnet.max),
                        ms(r.floor.median)) for r in scale]

    print(f"## jailnet hooks against their floor ({args.pairs} pairs each, median (min–max))\n")
    print(report.table([by_name[name] for name in TABLE]))
    print("\n## The floor's pieces\n")
    print(report.pieces_table(pieces))
    print("\n## createRuntime against the number of leases (bridge present)\n")
    print(report.scale_table(scale))
    print("\n## createRuntime against the number of peers (hosts = \"peers\": every member's /etc/hosts rewritten)\n")
    print(report.scale_table(peers, "peers"))
    if clustered:
        print(f"\n## {store.NAME} (a local etcd; {round_trips} round trip(s) to the store a create)\n")
        print(report.table([*clustered, by_name[TABLE[0]]]))
    print("\n## Imports of the createRuntime hook (-X importtime), top 15 by cumulative time\n")
    print(report.imports_table(top, importtime.total_us(imports)))
    print(f"\nBeyond the floor's imports: {len(extra)} modules, {importtime.total_us(extra) / 1000:.1f} ms "
          "of their own time; the largest:\n")
    print(report.imports_table(extra[:15], None))
    print(f"\n## Creates at once\n\n{together.line()}")

    environment = report.environment(python, hook_python_version(python), load)
    environment["load_average_after"] = list(os.getloadavg())
    document: dict[str, object] = {
        "environment": environment,
        "settings": {"pairs": args.pairs, "warmup_pairs": 1, "quick": args.quick, "jailnet": str(launchers[0].jailnet),
                     "scratch_directory": os.path.dirname(launchers[0].work.parent.parent)},
        "table": [by_name[name].as_json() for name in TABLE],
        "cases": [r.as_json() for r in results],
        "pieces": {name: stats.as_json() for name, stats in pieces.items()},
        "scale": [{"leases": p.leases, "median_ms": p.median_ms, "min_ms": p.min_ms, "max_ms": p.max_ms,
                   "floor_median_ms": p.floor_ms} for p in points],
        "peers": [{"peers": r.case.leases, "k": r.k, "median_ms": ms(r.jailnet.median), "min_ms": ms(r.jailnet.min),
                   "max_ms": ms(r.jailnet.max), "floor_median_ms": ms(r.floor.median), "ratio": round(r.ratio, 3)}
                  for r in sorted(peers, key=lambda r: r.case.leases)],
        "cluster": None if not clustered else {**clustered[0].as_json(), "round_trips": round_trips},
        "importtime": importtime.summary(traced.stderr, floor_traced.stderr),
        "concurrency": together.as_json(),
    }
    report.write_json(args.json, document)
    args.svg.parent.mkdir(parents=True, exist_ok=True)
    args.svg.write_text(svg.render(points))
    say(f"wrote {args.json} and {args.svg}")
    return 1 if together.problems else 0
