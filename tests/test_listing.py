"""``jailnet ls``: one row per attached container, alive or gone, as a table or JSON."""

import io
import json
from collections.abc import Sequence

from hooks.cli import main
from hooks.listing import human_age, table
from hooks.naming import host_ifname, jail_ifname
from hooks.system import Completed, Runner
from hooks.testing import HookBed


def ls(bed: HookBed, *args: str) -> tuple[int, str]:
    out = io.StringIO()
    code = main(["ls", *args], stdout=out, stderr=io.StringIO(), environ=bed.env, run=bed.host)
    return code, out.getvalue()


def test_empty(bed: HookBed) -> None:
    assert ls(bed) == (0, "no containers attached\n")
    assert ls(bed, "--json") == (0, "[]\n")


def test_rows_for_live_and_gone_jails(bed: HookBed) -> None:
    for cid in ("web", "db"):
        bed.jail(cid)
        assert bed.hook("createRuntime", cid)[0] == 0
    bed.host.remove_jail("db")  # poststop not run yet
    code, out = ls(bed)
    assert code == 0
    lines = out.splitlines()
    assert lines[0].split() == ["ID", "NETWORK", "ADDRESS", "HOST", "IF", "JAIL", "IF", "JAIL", "AGE", "PORTS"]
    assert lines[1].split()[:6] == ["db", "default", "172.17.0.3/16", host_ifname("db"), jail_ifname("db"), "gone"]
    assert lines[2].split()[:6] == ["web", "default", "172.17.0.2/16", host_ifname("web"), jail_ifname("web"), "alive"]
    assert lines[1].split()[6].endswith("s")
    rows = json.loads(ls(bed, "--json")[1])
    assert [(r["id"], r["alive"], r["address"], r["jid"], r["state"]) for r in rows] == [
        ("db", False, "172.17.0.3", 2, "up"), ("web", True, "172.17.0.2", 1, "up")]
    assert set(rows[0]) == {"id", "network", "address", "prefixlen", "address6", "prefixlen6", "hostname", "aliases",
                            "hostInterface", "jailInterface", "jail", "jid", "alive", "state", "created", "ageSeconds",
                            "ports"}
    assert (rows[0]["hostname"], rows[0]["aliases"]) == (None, [])  # the bed's bundles name no hostname
    assert (rows[0]["address6"], rows[0]["prefixlen6"]) == (None, None)  # an IPv4-only network


def test_human_age_and_table() -> None:
    assert [human_age(s) for s in (0, 59, 60, 3599, 3600, 86399, 86400 * 3)] == [
        "0s", "59s", "1m", "59m", "1h", "23h", "3d",
    ]
    assert table([("a", "bbb")], header=("XX", "Y")) == "XX  Y\na   bbb\n"


def failing_jls(bed: HookBed, *, code: int = 1, stdout: str = "", stderr: str = "") -> Runner:
    """The bed's host, except that ``jls`` fails (or prints ``stdout``)."""
    def run(argv: Sequence[str], *, stdin: str | None = None) -> Completed:
        if argv[0] == "jls":
            return Completed(tuple(argv), code, stdout, stderr)
        return bed.host(argv, stdin=stdin)
    return run


def test_ls_shows_unknown_when_jls_fails(bed: HookBed) -> None:
    bed.jail("live")
    assert bed.hook("createRuntime", "live")[0] == 0
    out, err = io.StringIO(), io.StringIO()
    code = main(["ls"], stdout=out, stderr=err, environ=bed.env, run=failing_jls(bed, stderr="jls: oops\n"))
    assert code == 1
    assert out.getvalue().splitlines()[1].split()[5] == "unknown"
    assert err.getvalue() == (
        "jailnet: ls: cannot list the jails (jls --libxo json name jid: jls: oops); JAIL shows unknown\n"
    )
    out = io.StringIO()
    code = main(["ls", "--json"], stdout=out, stderr=io.StringIO(), environ=bed.env,
                run=failing_jls(bed, code=0, stdout="garbage"))
    assert code == 1 and json.loads(out.getvalue())[0]["alive"] is None
