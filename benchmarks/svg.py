"""A hand-written SVG chart: createRuntime's median time against the leases in the network.

One point per lease count (``<circle class="point">``) on a line, each with a bar from the fastest
to the slowest run, and the floor (same interpreter, same spawns, no jailnet) as a dashed line.
The x axis is logarithmic (1 to 10,000 leases), the y axis starts at zero: a flat line means the
hook costs the same however many containers the network has.
"""

import math
from collections.abc import Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape

WIDTH, HEIGHT = 640, 360
LEFT, RIGHT, TOP, BOTTOM = 70, 30, 56, 60
#: Room left and right of the outermost lease counts, in decades.
PAD = 0.15


@dataclass(frozen=True)
class Point:
    leases: int
    median_ms: float
    min_ms: float
    max_ms: float
    floor_ms: float | None = None


def _nice_step(span: float) -> float:
    """A round tick step giving about five ticks over ``span``."""
    raw = span / 5 if span > 0 else 1.0
    power = 10 ** math.floor(math.log10(raw))
    return float(next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw))


def render(points: Sequence[Point], title: str = "createRuntime wall time against leases in the network") -> str:
    """The chart as SVG text (``points`` in any order; lease counts of at least 1)."""
    if not points:
        raise ValueError("no points to draw")
    ordered = sorted(points, key=lambda p: p.leases)
    first = math.log10(max(min(p.leases for p in ordered), 1))
    last = math.log10(max(max(p.leases for p in ordered), 10))
    low, high = first - PAD, max(last, first + 1) + PAD
    top = max(max(p.max_ms for p in ordered), max(p.floor_ms or 0.0 for p in ordered)) * 1.1
    step = _nice_step(top)
    top = step * math.ceil(top / step) if top > 0 else step
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def x(leases: int) -> float:
        return LEFT + (math.log10(max(leases, 1)) - low) / (high - low) * plot_w

    def y(value: float) -> float:
        return TOP + plot_h - value / top * plot_h

    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" '
           f'viewBox="0 0 {WIDTH} {HEIGHT}" font-family="sans-serif" font-size="12">',
           f"<title>{escape(title)}</title>",
           f'<rect x="0" y="0" width="{WIDTH}" height="{HEIGHT}" fill="white"/>',
           f'<text x="{WIDTH / 2}" y="22" text-anchor="middle" font-size="14">{escape(title)}</text>']
    ticks = int(round(top / step))
    for i in range(ticks + 1):
        value = i * step
        out.append(f'<line x1="{LEFT}" y1="{y(value):.1f}" x2="{WIDTH - RIGHT}" y2="{y(value):.1f}" '
                   f'stroke="#e0e0e0"/>')
        out.append(f'<text x="{LEFT - 6}" y="{y(value) + 4:.1f}" text-anchor="end">{value:g}</text>')
    for power in range(math.ceil(first), math.floor(last) + 1):
        leases = 10 ** power
        out.append(f'<line x1="{x(leases):.1f}" y1="{TOP + plot_h}" x2="{x(leases):.1f}" y2="{TOP + plot_h + 5}" '
                   f'stroke="black"/>')
        out.append(f'<text x="{x(leases):.1f}" y="{TOP + plot_h + 18}" text-anchor="middle">{leases:,}</text>')
    out.append(f'<line x1="{LEFT}" y1="{TOP + plot_h}" x2="{WIDTH - RIGHT}" y2="{TOP + plot_h}" stroke="black"/>')
    out.append(f'<line x1="{LEFT}" y1="{TOP}" x2="{LEFT}" y2="{TOP + plot_h}" stroke="black"/>')
    out.append(f'<text x="{LEFT + plot_w / 2}" y="{HEIGHT - 16}" text-anchor="middle">'
               "leases held in the network before the hook runs (log scale)</text>")
    out.append(f'<text x="18" y="{TOP + plot_h / 2}" text-anchor="middle" '
               f'transform="rotate(-90 18 {TOP + plot_h / 2})">wall time (ms): median, bar from min to max</text>')
    floors = [p for p in ordered if p.floor_ms is not None]
    if floors:
        path = " ".join(f"{x(p.leases):.1f},{y(p.floor_ms or 0.0):.1f}" for p in floors)
        out.append(f'<polyline class="floor" points="{path}" fill="none" stroke="#888" stroke-dasharray="6 4"/>')
        end = floors[-1]
        out.append(f'<text x="{x(end.leases) - 4:.1f}" y="{y(end.floor_ms or 0.0) + 16:.1f}" text-anchor="end" '
                   'fill="#666">floor (python, attrs, cattrs, same spawns)</text>')
    path = " ".join(f"{x(p.leases):.1f},{y(p.median_ms):.1f}" for p in ordered)
    out.append(f'<polyline class="median" points="{path}" fill="none" stroke="#1f77b4" stroke-width="2"/>')
    for p in ordered:
        cx = x(p.leases)
        out.append(f'<line class="range" x1="{cx:.1f}" y1="{y(p.min_ms):.1f}" x2="{cx:.1f}" y2="{y(p.max_ms):.1f}" '
                   'stroke="#1f77b4"/>')
        out.append(f'<circle class="point" cx="{cx:.1f}" cy="{y(p.median_ms):.1f}" r="4" fill="#1f77b4">'
                   f"<title>{p.leases:,} lease{'s' if p.leases != 1 else ''}: median {p.median_ms:.1f} ms "
                   f"(min {p.min_ms:.1f}, max {p.max_ms:.1f})</title></circle>")
        out.append(f'<text x="{cx + 6:.1f}" y="{y(p.median_ms) - 8:.1f}" fill="#1f77b4">{p.median_ms:.1f}</text>')
    out.append(f'<text x="{WIDTH - RIGHT}" y="{TOP - 12}" text-anchor="end" fill="#1f77b4">'
               "jailnet hook createRuntime, bridge present</text>")
    out.append("</svg>")
    return "\n".join(out) + "\n"
