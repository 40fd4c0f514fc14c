"""Start the hook, its floor and the floor's pieces the way runj starts a hook, and time them.

Before every run, of the hook and of anything it is compared with alike, the state directory is
written afresh from the case's template and the spawn log is emptied, so each run starts from
the same files and pays the same reset. A run is timed with :func:`time.perf_counter` around
:func:`subprocess.run` of the whole process: runj's ``exec.Command`` with ``Args[1:]``, the
``env`` list as the whole environment, the state JSON on stdin, output captured
(:func:`hooks.testing.runtime.run_hook` does the same for the tests).
"""

import statistics
import subprocess
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from benchmarks.scenarios import Case
from benchmarks.stubs import Replay, key_of

FLOOR = "import attrs, cattrs, subprocess; [subprocess.run([{stub!r}]) for _ in range({k})]"
PIECES = {
    "python -c pass": "pass",
    "python -c 'import attrs, cattrs'": "import attrs, cattrs",
}


class BenchmarkError(RuntimeError):
    """A run did not do what its recording says: the numbers would measure something else."""


@dataclass(frozen=True)
class Stats:
    """Wall times of one thing, in seconds, in the order they were taken."""

    samples: tuple[float, ...]

    @property
    def median(self) -> float:
        return statistics.median(self.samples)

    @property
    def min(self) -> float:
        return min(self.samples)

    @property
    def max(self) -> float:
        return max(self.samples)

    def as_json(self) -> dict[str, object]:
        return {"median_ms": ms(self.median), "min_ms": ms(self.min), "max_ms": ms(self.max),
                "samples_ms": [ms(s) for s in self.samples]}


def ms(seconds: float) -> float:
    return round(seconds * 1000, 3)


@dataclass(frozen=True)
class Run:
    """One finished run."""

    seconds: float
    stderr: str
    spawns: list[tuple[str, ...]] = field(default_factory=list)


@dataclass
class Launcher:
    """Runs of one case: ``jailnet`` (the installed console script), the floor, other commands."""

    case: Case
    replay: Replay
    jailnet: str
    python: str
    """The interpreter the console script runs on (its ``#!`` line): the floor's too."""
    work: Path
    resolv_conf: Path

    @property
    def state_dir(self) -> Path:
        return self.work / "state"

    def env(self, extra: Mapping[str, str] | None = None) -> dict[str, str]:
        """The hook's whole environment, as a bundle's ``env`` gives it."""
        return {"PATH": self.replay.path, "JAILNET_STATE_DIR": str(self.state_dir),
                "JAILNET_RESOLV_CONF": str(self.resolv_conf), **dict(self.case.env), **(extra or {})}

    def _run(self, argv: Sequence[str], extra: Mapping[str, str] | None = None) -> Run:
        self.case.template.reset(self.state_dir)
        if self.case.reset is not None:
            self.case.reset()
        self.replay.reset_spawns()
        env = self.env(extra)
        started = time.perf_counter()
        proc = subprocess.run(list(argv), input=self.case.stdin, capture_output=True, env=env, cwd=self.work,
                              check=False)
        seconds = time.perf_counter() - started
        stderr = proc.stderr.decode(errors="replace")
        if proc.returncode != 0:
            raise BenchmarkError(f"{' '.join(argv)} ({self.case.name}): exit {proc.returncode}: {stderr.strip()}")
        return Run(seconds, stderr, self.replay.spawns())

    def hook(self, extra: Mapping[str, str] | None = None, *, check: bool = True) -> Run:
        """``jailnet hook KIND`` as runj runs it; with ``check``, it must run exactly the recorded
        commands and say nothing on stderr."""
        run = self._run([self.jailnet, *self.case.args[1:]], extra)
        if check:
            expected = [tuple(key_of(r.argv).split("\x1f")) for r in self.case.recording]
            if run.spawns != expected:
                raise BenchmarkError(f"{self.case.name}: the hook ran {describe(run.spawns)}, "
                                     f"but the recording has {describe(expected)}")
            if run.stderr and not extra:
                raise BenchmarkError(f"{self.case.name}: the hook wrote to stderr: {run.stderr.strip()}")
        return run

    @property
    def floor_stub(self) -> str:
        return str(self.replay.tool(self.case.floor.argv[0]))

    def floor(self, extra: Mapping[str, str] | None = None) -> Run:
        """The floor: the interpreter, attrs and cattrs imported, as many stubs spawned as the hook
        spawns."""
        k = self.case.spawns
        run = self._run([self.python, "-c", FLOOR.format(stub=self.floor_stub, k=k)], extra)
        if len(run.spawns) != k or set(run.spawns) - {self.case.floor.argv}:
            raise BenchmarkError(f"the floor ran {describe(run.spawns)}, not {k} times {self.case.floor.argv}")
        return run

    def python_code(self, code: str) -> Run:
        """``python -c CODE`` with the same interpreter, environment and reset."""
        return self._run([self.python, "-c", code])


def describe(spawns: Sequence[tuple[str, ...]]) -> str:
    return f"{len(spawns)} commands ({'; '.join(' '.join(argv) for argv in spawns) or 'none'})"


def interleaved(runs: Sequence[Callable[[], Run]], rounds: int, warmup: int = 1,
                progress: Callable[[int], None] | None = None) -> list[Stats]:
    """Run each of ``runs`` in turn, ``rounds`` times (A B A B ... for two); the first ``warmup``
    rounds are not kept (they fill the page cache and ``__pycache__``)."""
    samples: list[list[float]] = [[] for _ in runs]
    for round_number in range(warmup + rounds):
        if progress is not None:
            progress(round_number - warmup + 1)
        for index, run in enumerate(runs):
            seconds = run().seconds
            if round_number >= warmup:
                samples[index].append(seconds)
    return [Stats(tuple(s)) for s in samples]


def console_script_python(script: Path) -> str:
    """The interpreter of a console script: its ``#!`` line (pip writes the venv's python there)."""
    with open(script, "rb") as f:
        first = f.readline().decode(errors="replace").strip()
    if not first.startswith("#!"):
        raise BenchmarkError(f"{script}: not a script with a #! line")
    words = first[2:].split()
    if not words or words[0].endswith("env"):
        raise BenchmarkError(f"{script}: #!{first[2:]} does not name an interpreter by its path")
    return words[0]
