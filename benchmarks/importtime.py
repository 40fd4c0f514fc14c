"""Read ``-X importtime`` output (``PYTHONPROFILEIMPORTTIME=1``): where a hook's start-up goes.

CPython writes one line per module to stderr, children before their parent, indented by depth::

    import time: self [us] | cumulative | imported package
    import time:       410 |        410 |   _io
"""

import re
from dataclasses import dataclass

LINE = re.compile(r"^import time:\s+(\d+)\s+\|\s+(\d+)\s+\|( *)(\S.*)$")


@dataclass(frozen=True)
class Imported:
    module: str
    self_us: int
    cumulative_us: int
    depth: int
    """0 for a module imported by the program itself (the top of its import chain)."""

    def as_json(self) -> dict[str, object]:
        return {"module": self.module, "self_us": self.self_us, "cumulative_us": self.cumulative_us,
                "depth": self.depth}


def parse(stderr: str) -> list[Imported]:
    """Every import the text reports, in the order CPython wrote them."""
    found = []
    for line in stderr.splitlines():
        match = LINE.match(line)
        if match:
            self_us, cumulative, indent, module = match.groups()
            found.append(Imported(module.strip(), int(self_us), int(cumulative), max(len(indent) - 1, 0) // 2))
    return found


def top(imports: list[Imported], count: int = 15) -> list[Imported]:
    """The ``count`` imports with the largest cumulative time."""
    return sorted(imports, key=lambda i: -i.cumulative_us)[:count]


def total_us(imports: list[Imported]) -> int:
    """All the time spent importing: the sum of every module's own time."""
    return sum(i.self_us for i in imports)


def beyond(imports: list[Imported], floor: list[Imported]) -> list[Imported]:
    """The imports the floor does not make, largest own time first."""
    known = {i.module for i in floor}
    return sorted((i for i in imports if i.module not in known), key=lambda i: -i.self_us)


def summary(stderr: str, floor_stderr: str, count: int = 15) -> dict[str, object]:
    """The JSON summary: total, the top ``count`` by cumulative time, the program's own top-level
    imports, and what it imports beyond the floor (``floor_stderr``)."""
    imports, floor = parse(stderr), parse(floor_stderr)
    extra = beyond(imports, floor)
    return {"total_us": total_us(imports), "modules": len(imports),
            "top_cumulative": [i.as_json() for i in top(imports, count)],
            "top_level": [i.as_json() for i in sorted((i for i in imports if i.depth == 0),
                                                      key=lambda i: -i.cumulative_us)],
            "floor_total_us": total_us(floor), "floor_modules": len(floor),
            "beyond_floor": {"total_us": total_us(extra), "modules": len(extra),
                             "top_self": [i.as_json() for i in extra[:count]]}}
