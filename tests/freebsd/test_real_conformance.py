"""The conformance table (hooks/testing/conformance.toml) against FreeBSD's real tools.

The same rows as tests/test_conformance.py runs against the simulated host, run here against
``ifconfig``, ``route``, ``pfctl``, ``sysctl``, ``jls``, ``jexec`` and ``uname`` of this host
through a subprocess runner (PATH=/sbin:/bin:/usr/sbin:/usr/bin, LC_ALL=C), each row whose
``since``/``until`` bounds hold for this host's ``kern.osreldate``. A failure here is the table
disagreeing with FreeBSD: fix the row (and tell the simulator's authors), never the other way.

Everything a row makes has a test-only name and is removed after it (conformance.py releases the
fixtures; conftest.py's sweep catches what an interrupted run left):

* the vnet jail ``jnt-<8 hex>`` (``jail -c name=… path=/ vnet persist``: its root is the host's,
  so ``jexec`` finds the host's binaries), removed with ``jail -r``;
* ``ifconfig epair create`` / ``bridge create`` interfaces, destroyed under every name the row
  can have given them; renames use ``jnc<8 hex>a``/``jnc<8 hex>b``;
* the pf table and anchor ``jnettest-c<8 hex>``: the table is killed, the anchor and everything
  below it flushed. Rules loaded into the anchor name only the row's epair, and the anchor is not
  called from the main ruleset. The host's own ruleset, tables, em0, default route and
  forwarding are only ever read; sysctl writes and routes happen inside the vnet jail.

Addresses are from 198.18.0.0/15 (RFC 2544 benchmarking space), and 127.0.0.0/8 on the jail's lo0.
After each row the host's interface list must be as before it; anything new is reported, not
destroyed (it may not be ours).
"""

import secrets
import subprocess

import pytest

from hooks.system import SubprocessRunner
from hooks.testing import conformance
from hooks.testing.conformance import Case, Names

pytestmark = pytest.mark.freebsd

PATH = "/sbin:/bin:/usr/sbin:/usr/bin"
CASES = conformance.load()


def osreldate() -> int:
    value = subprocess.run(["sysctl", "-n", "kern.osreldate"], capture_output=True, text=True,
                           env={"PATH": PATH, "LC_ALL": "C"}, timeout=10, check=True).stdout
    return int(value.strip())


def interface_names(run: SubprocessRunner) -> set[str]:
    return set(run(("ifconfig", "-l")).stdout.split())


def fresh_names() -> Names:
    """Test-only names the conftest sweep recognises (jnt-*, jnc<hex>[ab], jnettest-c*)."""
    token = secrets.token_hex(4)
    return Names(jail=f"jnt-{token}", root="/", table=f"jnettest-c{token}", anchor=f"jnettest-c{token}",
                 n1=f"jnc{token}a", n2=f"jnc{token}b")


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_freebsd_behaves_as_the_table_says(case: Case, real_host: object) -> None:
    release = osreldate()
    if not case.applies(release):
        pytest.skip(f"kern.osreldate {release} is outside since={case.since} until={case.until}")
    run = SubprocessRunner(path=PATH, timeout=60)
    before = interface_names(run)
    problems = conformance.check(case, run, fresh_names())
    left = sorted(interface_names(run) - before)
    assert not problems, conformance.describe(case) + "\n  " + "\n  ".join(problems)
    assert not left, f"{case.id} left interfaces behind: {', '.join(left)}"
