"""How long jailnet's hooks take, against the least any Python hook could take.

``python -m benchmarks`` (from the repository root, with the virtual environment's python)
records each case once against the simulated FreeBSD host, replays it with native stubs of the
FreeBSD tools, and times the installed ``jailnet`` console script, run as runj runs a hook,
against its floor. docs/performance.md describes the method and shows the results.
"""

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
