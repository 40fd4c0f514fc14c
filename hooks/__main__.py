"""The ``jailnet`` executable: the console script (pyproject.toml ``[project.scripts]``) and
``python -m hooks``.

A hook is a process of some 50 ms that allocates little and keeps nothing: for ``jailnet hook``
the cyclic garbage collector stays off from the first import to the exit. While modules load it
would otherwise run some 30 times (CPython runs a collection after every 700 net new container
objects, Python's gc module documentation, ``gc.set_threshold``) and find nothing: it costs
5 to 10 ms on every container's start and stop, and a whole hook leaves some 1,300 unreachable
objects, a few hundred KiB, when the process exits (docs/performance.md). Every other command
turns it back on once its command line is read.
"""

import gc
import sys


def main() -> int:
    """Run ``jailnet`` with this process's argv; return the exit status."""
    gc.disable()
    from hooks import cli

    if cli.normalize_argv(sys.argv[1:], sys.argv[0])[:1] != ["hook"]:
        gc.enable()
    return cli.main()


if __name__ == "__main__":
    raise SystemExit(main())
