"""The simulated host against FreeBSD's behaviour as data (hooks/testing/conformance.toml).

Every row of the table runs against a fresh ``SimulatedHost.freebsd(release=...)``, in process, on
the first release of :data:`RELEASES` within the row's ``since``/``until`` bounds. The table is
written from FreeBSD's sources, manual pages and atf tests, not from the simulator: a failure here
is the simulator disagreeing with FreeBSD (or a row that is wrong, which its ``cite`` lets one
check). The same rows run against the real tools in tests/freebsd/test_real_conformance.py.

The loader's own tests follow: a malformed row is rejected with a message naming the row and the
field, and :func:`~hooks.testing.conformance.check` reports what differs.
"""

from collections.abc import Sequence
from pathlib import Path

import pytest

from hooks.system import Completed
from hooks.testing import SimulatedHost, conformance, populate_rootfs
from hooks.testing.conformance import Case, ConformanceError, Names

#: Releases the simulator is run as, first choice first (13.2: no ``-j``; 15.0: the newest tests).
RELEASES = ("14.2-RELEASE", "14.3-RELEASE", "15.0-RELEASE", "13.5-RELEASE", "13.2-RELEASE")
#: What a jail image needs for the rows that jexec these programs.
BINARIES = ("sbin/ifconfig", "sbin/route", "sbin/sysctl", "sbin/pfctl")

CASES = conformance.load()


def release_for(case: Case) -> str:
    for release in RELEASES:
        if case.applies(SimulatedHost.freebsd(release).state.osreldate):
            return release
    raise AssertionError(f"{case.id}: no simulated release within since={case.since} until={case.until}")


def names_for(root: Path) -> Names:
    return Names(jail="jnt-c0ffee00", root=str(root), table="jnettest-c0ffee00", anchor="jnettest-c0ffee00",
                 n1="jncc0ffee00a", n2="jncc0ffee00b")


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_the_simulator_behaves_as_freebsd(case: Case, tmp_path: Path) -> None:
    host = SimulatedHost.freebsd(release_for(case))
    root = populate_rootfs(tmp_path / "root", binaries=BINARIES)
    problems = conformance.check(case, host, names_for(root))
    assert not problems, conformance.describe(case) + "\n  " + "\n  ".join(problems)


# --- the table itself ---------------------------------------------------------------------------


def test_the_table_cites_a_source_for_every_row_and_harvests_freebsds_tests() -> None:
    assert len({case.id for case in CASES}) == len(CASES)
    assert all(case.cite.strip() for case in CASES)
    harvested = [case for case in CASES if case.atf]
    assert len(harvested) >= 40
    assert {case.atf.split(":")[0] for case in harvested if case.atf} >= {
        "tests/sys/net/if_bridge_test.sh", "tests/sys/netpfil/pf/table.sh", "tests/sys/netpfil/pf/anchor.sh",
        "sbin/sysctl/tests/sysctl_test.sh", "tests/sys/net/routing/test_routing.sh",
    }


def test_every_row_runs_on_some_simulated_release() -> None:
    for case in CASES:
        assert release_for(case) in RELEASES


def test_the_issue_8_rows_are_in_the_table() -> None:
    by_id = {case.id: case for case in CASES}
    row = by_id["ifconfig.name-then-inet"]
    assert row.argv == ("ifconfig", "{a}", "name", "{n1}", "inet", "198.18.7.2/24", "up")
    assert (row.exit, row.stdout.exact, row.stderr.exact) == (1, "{n1}\n", "ifconfig: inet: bad value\n")
    assert by_id["ifconfig.create-name-then-inet"].stderr.exact == "ifconfig: inet: bad value\n"


# --- the loader rejects malformed rows --------------------------------------------------------------

GOOD = 'id = "x.ok"\ncite = "sbin/ifconfig/ifconfig.c main()"\nargv = ["ifconfig", "-l"]\nexit = 0\n'


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ('cite = "c"\nargv = ["x"]\nexit = 0\n', "case #2: field 'id': is required"),
        ('id = "Bad Id"\ncite = "c"\nargv = ["x"]\nexit = 0\n', "case #2: field 'id': 'Bad Id' must be"),
        ('id = "x.y"\nargv = ["x"]\nexit = 0\n', "case #2 (x.y): field 'cite': is required"),
        ('id = "x.y"\ncite = " "\nargv = ["x"]\nexit = 0\n', "case #2 (x.y): field 'cite': must name"),
        ('id = "x.y"\ncite = "c"\nargv = []\nexit = 0\n', "case #2 (x.y): field 'argv': must be a non-empty list"),
        ('id = "x.y"\ncite = "c"\nargv = "ifconfig"\nexit = 0\n', "(x.y): field 'argv': must be a non-empty list"),
        ('id = "x.y"\ncite = "c"\nargv = ["x"]\n', "(x.y): field 'exit': is required"),
        ('id = "x.y"\ncite = "c"\nargv = ["x"]\nexit = "1"\n', "(x.y): field 'exit': must be an exit status"),
        ('id = "x.y"\ncite = "c"\nargv = ["x"]\nexit = 256\n', "(x.y): field 'exit': must be an exit status"),
        ('id = "x.y"\ncite = "c"\nargv = ["x"]\nexit = 0\nstdot = ""\n', "(x.y): field 'stdot': unknown field"),
        ('id = "x.y"\ncite = "c"\nargv = ["x"]\nexit = 0\nstdout = 1\n', "(x.y): field 'stdout': must be a string"),
        ('id = "x.y"\ncite = "c"\nargv = ["x"]\nexit = 0\nstdout_has = [1]\n', "(x.y): field 'stdout_has': must be"),
        ('id = "x.y"\ncite = "c"\nargv = ["x"]\nexit = 0\nstdout_re = "("\n',
         "(x.y): field 'stdout_re': bad regular expression"),
        ('id = "x.y"\ncite = "c"\nargv = ["x"]\nexit = 0\ngiven = ["pear"]\n', "(x.y): field 'given': unknown fixture"),
        ('id = "x.y"\ncite = "c"\nargv = ["ifconfig", "{a}"]\nexit = 0\n',
         "(x.y): field 'argv': uses {a} but 'given' lacks the fixture 'epair'"),
        ('id = "x.y"\ncite = "c"\nargv = ["x"]\nexit = 0\nstderr = "{jid}"\n',
         "(x.y): field 'stderr': uses {jid} but 'given' lacks the fixture 'vjail'"),
        ('id = "x.y"\ncite = "c"\nargv = ["ifconfig", "{out}"]\nexit = 0\n',
         "(x.y): field 'argv': {out} may be used only in 'then' and 'cleanup'"),
        ('id = "x.y"\ncite = "c"\nargv = ["x"]\nexit = 0\nsince = 1400000\nuntil = 1300000\n',
         "(x.y): field 'since': 1400000 is after until = 1300000"),
        ('id = "x.y"\ncite = "c"\nargv = ["x"]\nexit = 0\nsince = "14.0"\n',
         "(x.y): field 'since': must be an integer"),
        ('id = "x.y"\ncite = "c"\nargv = ["x"]\nexit = 0\nconfidence = "sure"\n', "(x.y): field 'confidence':"),
        ('id = "x.y"\ncite = "c"\natf = "table.sh"\nargv = ["x"]\nexit = 0\n', "(x.y): field 'atf':"),
        ('id = "x.y"\ncite = "c"\nargv = ["x"]\nexit = 0\nsetup = [[]]\n', "(x.y): field 'setup': must be a non-empty"),
        ('id = "x.y"\ncite = "c"\nargv = ["x"]\nexit = 0\nsetup = [{argv = ["x"], input = ""}]\n',
         "(x.y): field 'setup': unknown key 'input'"),
        ('id = "x.y"\ncite = "c"\nargv = ["x"]\nexit = 0\n[[case.then]]\nargv = ["x"]\nhas = 3\n',
         "(x.y): field 'then': must be a string or a list of strings"),
        ('id = "x.y"\ncite = "c"\nargv = ["x"]\nexit = 0\n[[case.then]]\nargv = ["x"]\nstdout = ""\n',
         "(x.y): field 'then': unknown key 'stdout'"),
        ('id = "x.ok"\ncite = "c"\nargv = ["x"]\nexit = 0\n', "case #2 (x.ok): field 'id': duplicate of case #1"),
    ],
)
def test_a_malformed_row_is_rejected_naming_the_row_and_the_field(row: str, message: str) -> None:
    with pytest.raises(ConformanceError) as caught:
        conformance.parse(f"[[case]]\n{GOOD}\n[[case]]\n{row}", source="t.toml")
    assert message in str(caught.value)
    assert str(caught.value).startswith("t.toml: case #")


def test_the_loader_rejects_text_that_is_not_a_table_of_cases() -> None:
    with pytest.raises(ConformanceError, match="t.toml: not TOML"):
        conformance.parse("[[case]\n", source="t.toml")
    with pytest.raises(ConformanceError, match="unknown top-level key 'cases'"):
        conformance.parse("[[cases]]\n", source="t.toml")


def test_literal_braces_are_not_placeholders() -> None:
    (case,) = conformance.parse(f'[[case]]\n{GOOD}stdout = "anchor \\"foo\\" all {{\\n}}\\n"\n')
    assert case.stdout.exact == 'anchor "foo" all {\n}\n'
    assert conformance.substitute("x {a} {b} { a } {nope}", {"a": "epair0a"}) == "x epair0a {b} { a } {nope}"
    assert conformance.substitute("{a}+", {"a": "e.0"}, regex=True) == "e\\.0+"


# --- check() reports what differs --------------------------------------------------------------------


class Scripted:
    """A runner answering from a script: argv -> (exit, stdout, stderr); records what ran."""

    def __init__(self, answers: dict[tuple[str, ...], tuple[int, str, str]]) -> None:
        self.answers = answers
        self.ran: list[tuple[str, ...]] = []

    def __call__(self, argv: Sequence[str], *, stdin: str | None = None) -> Completed:
        self.ran.append(tuple(argv))
        code, out, err = self.answers.get(tuple(argv), (0, "", ""))
        return Completed(tuple(argv), code, out, err)


NAMES = Names(jail="jnt-t", root="/r", table="jnettest-t", anchor="jnettest-t", n1="jnct1", n2="jnct2")


def one(text: str) -> Case:
    (case,) = conformance.parse("[[case]]\n" + text)
    return case


def test_check_passes_a_conforming_runner_and_releases_the_fixtures() -> None:
    case = one('id = "t"\ncite = "c"\ngiven = ["epair"]\nargv = ["ifconfig", "{a}", "name", "{n1}"]\nexit = 0\n'
               'stdout = "{n1}\\n"\n[[case.then]]\nargv = ["ifconfig", "{n1}"]\nhas = "{n1}: flags="\n')
    run = Scripted({("ifconfig", "epair", "create"): (0, "epair3a\n", ""),
                    ("ifconfig", "epair3a", "name", "jnct1"): (0, "jnct1\n", ""),
                    ("ifconfig", "jnct1"): (0, "jnct1: flags=8802<BROADCAST>\n", "")})
    assert conformance.check(case, run, NAMES) == []
    assert ("ifconfig", "epair3a", "destroy") in run.ran and ("ifconfig", "jnct1", "destroy") in run.ran


def test_check_reports_each_difference_with_what_was_expected_and_got() -> None:
    case = one('id = "t"\ncite = "c"\nargv = ["x"]\nexit = 1\nstdout = "a\\n"\nstderr_has = "bad value"\n'
               'stdout_re = "^b$"\n[[case.then]]\nargv = ["y"]\nexit = 0\nlacks = "inet "\n')
    run = Scripted({("x",): (0, "", ""), ("y",): (1, "\tinet 198.18.7.2\n", "")})
    problems = conformance.check(case, run, NAMES)
    assert problems == [
        "exit: expected exit 1, got 0",
        "stdout: expected 'a\\n', got ''",
        "stdout does not match /^b$/; it was ''",
        "stderr lacks 'bad value'; it was ''",
        "then 1 (y): expected exit 0, got 1",
        "then 1 (y) stdout has 'inet ', which it must not; it was '\\tinet 198.18.7.2\\n'",
    ]


def test_check_reports_a_failed_setup_step_and_runs_no_further() -> None:
    case = one('id = "t"\ncite = "c"\ngiven = ["table"]\n'
               'setup = [["pfctl", "-t", "{table}", "-T", "add", "198.18.7.2"]]\n'
               'argv = ["never"]\nexit = 0\n')
    run = Scripted({
        ("pfctl", "-t", "jnettest-t", "-T", "add", "198.18.7.2"): (1, "", "pfctl: /dev/pf: No such file\n"),
    })
    (problem,) = conformance.check(case, run, NAMES)
    assert problem.startswith("setup step 1 (pfctl -t jnettest-t -T add 198.18.7.2) failed: exit 1")
    assert ("never",) not in run.ran
    assert run.ran[-1] == ("pfctl", "-t", "jnettest-t", "-T", "kill")


def test_check_makes_the_vnet_jail_and_binds_its_jid() -> None:
    case = one('id = "t"\ncite = "c"\ngiven = ["vjail"]\nargv = ["jls", "-j", "{jail}", "path"]\nexit = 0\n'
               'stdout = "{root}\\n"\ncleanup = [["echo", "{jid}"]]\n')
    run = Scripted({("jls", "-j", "jnt-t", "jid"): (0, "7\n", ""), ("jls", "-j", "jnt-t", "path"): (0, "/r\n", "")})
    assert conformance.check(case, run, NAMES) == []
    assert run.ran[0] == ("jail", "-c", "name=jnt-t", "path=/r", "vnet", "persist")
    assert ("echo", "7") in run.ran and run.ran[-1] == ("jail", "-r", "jnt-t")
