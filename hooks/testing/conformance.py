"""FreeBSD's command behaviour as data: load ``conformance.toml`` and check a runner against it.

The table (``hooks/testing/conformance.toml``) is written from FreeBSD's sources, manual pages and
its own atf regression tests, not from the simulator: it is the independent check of the
simulated host. Every row names its source (``cite``, and ``atf`` for a row harvested from an
``atf_check`` line); ``confidence = "guess"`` marks a row whose expectation rests on code that
could not be read in full.

:func:`check` runs one case against any :class:`~hooks.system.Runner`: the simulated host in
process (``tests/test_conformance.py``) or the real tools through a subprocess runner on a
FreeBSD host (``tests/freebsd/test_real_conformance.py``). It makes the fixtures the case names
(``given``), runs ``setup``, the case, the ``then`` observations and the cleanup, and returns the
mismatches as sentences (empty: the runner conforms). It calls nothing but the runner.

Placeholders in argv and expected text: ``{a}``/``{b}`` (``epair``: the two ends of
``ifconfig epair create``), ``{a2}``/``{b2}`` (``epair2``), ``{bridge}`` (``bridge``: the name
``ifconfig bridge create`` printed), ``{jail}``/``{jid}``/``{root}`` (``vjail``: a persistent
vnet jail made with ``jail -c name=… path=… vnet persist``), ``{table}`` (``table``),
``{anchor}`` (``anchor``), fresh unused names ``{n1}``/``{n2}`` (always), and ``{out}`` (in
``then`` and ``cleanup`` only: the first line of the case's stdout). Any other brace is literal
text (pf rules print ``{`` and ``}``). In ``*_re`` fields a placeholder's value is escaped.
"""

import re
import tomllib
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Literal

import attrs

from hooks.system import Completed, Runner

#: The table that ships beside this module.
TABLE_PATH = Path(__file__).with_name("conformance.toml")

FIXTURES: dict[str, tuple[str, ...]] = {
    "epair": ("a", "b"),
    "epair2": ("a2", "b2"),
    "bridge": ("bridge",),
    "vjail": ("jail", "jid", "root"),
    "table": ("table",),
    "anchor": ("anchor",),
}
"""Each fixture a case may ask for, and the placeholders it binds."""

ALWAYS = ("n1", "n2")
"""Placeholders every case has: two fresh names nothing on the host uses (at most 15 characters)."""

OUT = "out"
"""The placeholder for the first line of the case's stdout (``then`` and ``cleanup`` only)."""

_PLACEHOLDER = re.compile(r"\{(" + "|".join([n for ns in FIXTURES.values() for n in ns] + [*ALWAYS, OUT]) + r")\}")
_ID = re.compile(r"[a-z0-9][a-z0-9._-]*\Z")
_ATF = re.compile(r"[A-Za-z0-9_./-]+:[A-Za-z0-9_]+\Z")
#: Fixtures are made in this order and released in the reverse one.
_ORDER = ("epair", "epair2", "bridge", "vjail", "table", "anchor")

Exit = int | Literal["nonzero"]


class ConformanceError(ValueError):
    """The table is malformed; the message names the row and the field."""


@attrs.frozen
class Step:
    """One command of ``setup``: an argv and optional stdin text."""

    argv: tuple[str, ...]
    stdin: str | None = None


@attrs.frozen
class Expect:
    """What to check of one stream: exact text, substrings present or absent, regexes
    (``re.search`` with ``re.MULTILINE``). ``None``/empty: not checked."""

    exact: str | None = None
    has: tuple[str, ...] = ()
    lacks: tuple[str, ...] = ()
    regex: tuple[str, ...] = ()


@attrs.frozen
class Observation:
    """A ``then`` entry: a command run after the case and what its stdout must show."""

    argv: tuple[str, ...]
    stdin: str | None = None
    exit: Exit | None = None
    stdout: Expect = Expect()


@attrs.frozen
class Case:
    """One row of the table."""

    id: str
    cite: str
    argv: tuple[str, ...]
    exit: Exit
    atf: str | None = None
    confidence: Literal["source", "guess"] = "source"
    since: int | None = None
    until: int | None = None
    given: tuple[str, ...] = ()
    setup: tuple[Step, ...] = ()
    stdin: str | None = None
    stdout: Expect = Expect()
    stderr: Expect = Expect()
    then: tuple[Observation, ...] = ()
    cleanup: tuple[tuple[str, ...], ...] = ()

    def applies(self, osreldate: int) -> bool:
        """True when ``kern.osreldate`` is within the row's ``since``/``until`` bounds."""
        return (self.since is None or osreldate >= self.since) and (self.until is None or osreldate <= self.until)


@attrs.frozen
class Names:
    """The names a runner supplies for the fixtures: all test-only, unused on the host."""

    jail: str
    root: str
    table: str
    anchor: str
    n1: str
    n2: str


# --- loading -------------------------------------------------------------------------------------

_CASE_KEYS = {
    "id", "cite", "atf", "confidence", "since", "until", "given", "setup", "argv", "stdin", "exit",
    "stdout", "stderr", "stdout_has", "stderr_has", "stdout_lacks", "stderr_lacks", "stdout_re",
    "stderr_re", "then", "cleanup",
}
_THEN_KEYS = {"argv", "stdin", "exit", "has", "lacks", "re"}
_STEP_KEYS = {"argv", "stdin"}


class _Row:
    """Typed access to one ``[[case]]`` table; every error names the row and the field."""

    def __init__(self, where: str, data: Mapping[str, object]) -> None:
        self.where = where
        self.data = data

    def fail(self, field: str, message: str) -> ConformanceError:
        return ConformanceError(f"{self.where}: field '{field}': {message}")

    def text(self, field: str, *, required: bool = False) -> str | None:
        return self.string(field, self.data.get(field), required=required)

    def string(self, field: str, value: object, *, required: bool = False) -> str | None:
        if value is None:
            if required:
                raise self.fail(field, "is required")
            return None
        if not isinstance(value, str):
            raise self.fail(field, f"must be a string, not {type(value).__name__}")
        return value

    def integer(self, field: str) -> int | None:
        value = self.data.get(field)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.fail(field, f"must be an integer, not {type(value).__name__}")
        return value

    def exit(self, field: str, value: object, *, required: bool) -> Exit | None:
        if value is None:
            if required:
                raise self.fail(field, "is required (an exit status, or \"nonzero\")")
            return None
        if value == "nonzero":
            return "nonzero"
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 255:
            raise self.fail(field, f"must be an exit status 0-255 or \"nonzero\", not {value!r}")
        return value

    def strings(self, field: str, value: object) -> tuple[str, ...]:
        """A string or a list of strings."""
        if value is None:
            return ()
        if isinstance(value, str):
            return (value,)
        if isinstance(value, list) and all(isinstance(v, str) for v in value):
            return tuple(value)
        raise self.fail(field, "must be a string or a list of strings")

    def argv(self, field: str, value: object) -> tuple[str, ...]:
        if not isinstance(value, list) or not value or not all(isinstance(v, str) and v for v in value):
            raise self.fail(field, "must be a non-empty list of non-empty strings")
        return tuple(value)

    def regexes(self, field: str, value: object) -> tuple[str, ...]:
        found = self.strings(field, value)
        for pattern in found:
            try:
                re.compile(pattern)
            except re.error as error:
                raise self.fail(field, f"bad regular expression {pattern!r}: {error}") from None
        return found

    def table(self, field: str, value: object, keys: set[str]) -> Mapping[str, object]:
        if not isinstance(value, dict):
            raise self.fail(field, f"entries must be tables, not {type(value).__name__}")
        unknown = sorted(set(value) - keys)
        if unknown:
            raise self.fail(field, f"unknown key {unknown[0]!r} (known: {', '.join(sorted(keys))})")
        return value

    def entries(self, field: str) -> list[object]:
        value = self.data.get(field, [])
        if not isinstance(value, list):
            raise self.fail(field, "must be a list")
        return value


def _expect(row: _Row, stream: str) -> Expect:
    return Expect(
        exact=row.text(stream),
        has=row.strings(f"{stream}_has", row.data.get(f"{stream}_has")),
        lacks=row.strings(f"{stream}_lacks", row.data.get(f"{stream}_lacks")),
        regex=row.regexes(f"{stream}_re", row.data.get(f"{stream}_re")),
    )


def _case(row: _Row) -> Case:
    data = row.data
    ident = row.text("id", required=True)
    assert ident is not None
    if not _ID.match(ident):
        raise row.fail("id", f"{ident!r} must be lower-case letters, digits, '.', '_' and '-'")
    row.where = f"{row.where} ({ident})"
    unknown = sorted(set(data) - _CASE_KEYS)
    if unknown:
        raise row.fail(unknown[0], "unknown field")
    atf = row.text("atf")
    if atf is not None and not _ATF.match(atf):
        raise row.fail("atf", f"{atf!r} must be 'path/to/file:testcase'")
    confidence = row.text("confidence") or "source"
    if confidence not in ("source", "guess"):
        raise row.fail("confidence", f"must be \"source\" or \"guess\", not {confidence!r}")
    given = row.strings("given", data.get("given"))
    for name in given:
        if name not in FIXTURES:
            raise row.fail("given", f"unknown fixture {name!r} (known: {', '.join(FIXTURES)})")
    if len(set(given)) != len(given):
        raise row.fail("given", "names a fixture twice")
    setup = []
    for entry in row.entries("setup"):
        if isinstance(entry, list):
            setup.append(Step(row.argv("setup", entry)))
        else:
            step = row.table("setup", entry, _STEP_KEYS)
            setup.append(Step(row.argv("setup", step.get("argv")), row.string("setup", step.get("stdin"))))
    then = []
    for entry in row.entries("then"):
        seen = row.table("then", entry, _THEN_KEYS)
        then.append(Observation(
            argv=row.argv("then", seen.get("argv")),
            stdin=row.string("then", seen.get("stdin")),
            exit=row.exit("then", seen.get("exit"), required=False),
            stdout=Expect(has=row.strings("then", seen.get("has")), lacks=row.strings("then", seen.get("lacks")),
                          regex=row.regexes("then", seen.get("re"))),
        ))
    cleanup = tuple(row.argv("cleanup", entry) for entry in row.entries("cleanup"))
    exit_status = row.exit("exit", data.get("exit"), required=True)
    assert exit_status is not None
    case = Case(
        id=ident,
        cite=row.text("cite", required=True) or "",
        atf=atf,
        confidence="guess" if confidence == "guess" else "source",
        since=row.integer("since"),
        until=row.integer("until"),
        given=given,
        setup=tuple(setup),
        argv=row.argv("argv", data.get("argv")),
        stdin=row.text("stdin"),
        exit=exit_status,
        stdout=_expect(row, "stdout"),
        stderr=_expect(row, "stderr"),
        then=tuple(then),
        cleanup=cleanup,
    )
    if not case.cite.strip():
        raise row.fail("cite", "must name the FreeBSD source, manual page or test")
    if case.since is not None and case.until is not None and case.since > case.until:
        raise row.fail("since", f"{case.since} is after until = {case.until}")
    _check_placeholders(row, case)
    return case


def _check_placeholders(row: _Row, case: Case) -> None:
    """Every placeholder used must be bound: by a fixture in ``given``, always, or ``{out}``."""
    bound = {n for fixture in case.given for n in FIXTURES[fixture]} | set(ALWAYS)
    texts: list[tuple[str, str, bool]] = [("argv", w, False) for w in case.argv]
    texts += [("setup", w, False) for step in case.setup for w in (*step.argv, step.stdin or "")]
    texts += [("stdin", case.stdin or "", False)]
    for stream, expect in (("stdout", case.stdout), ("stderr", case.stderr)):
        texts += [(stream, t, False) for t in (expect.exact or "", *expect.has, *expect.lacks, *expect.regex)]
    for seen in case.then:
        texts += [("then", t, True)
                  for t in (*seen.argv, seen.stdin or "", *seen.stdout.has, *seen.stdout.lacks, *seen.stdout.regex)]
    texts += [("cleanup", w, True) for argv in case.cleanup for w in argv]
    for field, text, may_use_out in texts:
        for name in _PLACEHOLDER.findall(text):
            if name == OUT and not may_use_out:
                raise row.fail(field, "{out} may be used only in 'then' and 'cleanup'")
            if name != OUT and name not in bound:
                fixture = next((f for f, ns in FIXTURES.items() if name in ns), "?")
                raise row.fail(field, f"uses {{{name}}} but 'given' lacks the fixture {fixture!r}")


def parse(text: str, source: str = "conformance.toml") -> tuple[Case, ...]:
    """The cases of a table's TOML text, validated; :class:`ConformanceError` names what is wrong."""
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ConformanceError(f"{source}: not TOML: {error}") from None
    extra = sorted(set(document) - {"case"})
    if extra:
        raise ConformanceError(f"{source}: unknown top-level key {extra[0]!r} (only [[case]] tables)")
    rows = document.get("case", [])
    if not isinstance(rows, list):
        raise ConformanceError(f"{source}: 'case' must be an array of tables ([[case]])")
    cases: list[Case] = []
    seen: dict[str, int] = {}
    for number, data in enumerate(rows, start=1):
        where = f"{source}: case #{number}"
        if not isinstance(data, dict):
            raise ConformanceError(f"{where}: must be a table")
        case = _case(_Row(where, data))
        if case.id in seen:
            raise ConformanceError(f"{where} ({case.id}): field 'id': duplicate of case #{seen[case.id]}")
        seen[case.id] = number
        cases.append(case)
    return tuple(cases)


def load(path: Path = TABLE_PATH) -> tuple[Case, ...]:
    """The cases of the table file at ``path`` (default: the one beside this module)."""
    return parse(path.read_text(encoding="utf-8"), source=path.name)


# --- checking ------------------------------------------------------------------------------------


def substitute(text: str, values: Mapping[str, str], *, regex: bool = False) -> str:
    """Replace the bound placeholders in ``text`` (escaped for a regular expression if ``regex``)."""

    def one(match: re.Match[str]) -> str:
        value = values.get(match.group(1))
        if value is None:
            return match.group(0)
        return re.escape(value) if regex else value

    return _PLACEHOLDER.sub(one, text)


def _short(text: str, limit: int = 600) -> str:
    return repr(text if len(text) <= limit else text[:limit] + "…")


def _compare(label: str, got: str, expect: Expect, values: Mapping[str, str]) -> list[str]:
    problems = []
    if expect.exact is not None:
        wanted = substitute(expect.exact, values)
        if got != wanted:
            problems.append(f"{label}: expected {_short(wanted)}, got {_short(got)}")
    for piece in expect.has:
        wanted = substitute(piece, values)
        if wanted not in got:
            problems.append(f"{label} lacks {wanted!r}; it was {_short(got)}")
    for piece in expect.lacks:
        unwanted = substitute(piece, values)
        if unwanted in got:
            problems.append(f"{label} has {unwanted!r}, which it must not; it was {_short(got)}")
    for pattern in expect.regex:
        compiled = substitute(pattern, values, regex=True)
        if re.search(compiled, got, re.MULTILINE) is None:
            problems.append(f"{label} does not match /{compiled}/; it was {_short(got)}")
    return problems


def _exit_problem(label: str, wanted: Exit | None, got: int) -> list[str]:
    if wanted is None or (wanted == "nonzero" and got != 0) or wanted == got:
        return []
    return [f"{label}: expected exit {wanted}, got {got}"]


def _argv(argv: Sequence[str], values: Mapping[str, str]) -> tuple[str, ...]:
    return tuple(substitute(word, values) for word in argv)


def _say(result: Completed) -> str:
    return f"exit {result.returncode}, stdout {_short(result.stdout, 300)}, stderr {_short(result.stderr, 300)}"


def _first_line(text: str) -> str:
    return text.strip().splitlines()[0].strip() if text.strip() else ""


class _Fixtures:
    """Makes and releases a case's fixtures through the runner; binds their placeholders."""

    def __init__(self, run: Runner, names: Names) -> None:
        self.run = run
        self.names = names
        self.values: dict[str, str] = {"n1": names.n1, "n2": names.n2}
        self.made: list[str] = []

    def make(self, fixture: str) -> str | None:
        """Make one fixture; a sentence saying why not, or None."""
        run, names = self.run, self.names
        if fixture in ("epair", "epair2"):
            made = run(("ifconfig", "epair", "create"))
            name = _first_line(made.stdout)
            if made.returncode != 0 or not name.endswith("a"):
                return f"fixture {fixture}: 'ifconfig epair create' gave {_say(made)}"
            suffix = "2" if fixture == "epair2" else ""
            self.values["a" + suffix], self.values["b" + suffix] = name, name[:-1] + "b"
        elif fixture == "bridge":
            made = run(("ifconfig", "bridge", "create"))
            name = _first_line(made.stdout)
            if made.returncode != 0 or not name:
                return f"fixture bridge: 'ifconfig bridge create' gave {_say(made)}"
            self.values["bridge"] = name
        elif fixture == "vjail":
            made = run(("jail", "-c", f"name={names.jail}", f"path={names.root}", "vnet", "persist"))
            if made.returncode != 0:
                return f"fixture vjail: 'jail -c name={names.jail} path={names.root} vnet persist' gave {_say(made)}"
            self.made.append(fixture)
            found = run(("jls", "-j", names.jail, "jid"))
            jid = _first_line(found.stdout)
            if found.returncode != 0 or not jid.isdigit():
                return f"fixture vjail: 'jls -j {names.jail} jid' gave {_say(found)}"
            self.values.update(jail=names.jail, jid=jid, root=names.root)
            return None
        elif fixture == "table":
            self.values["table"] = names.table
        elif fixture == "anchor":
            self.values["anchor"] = names.anchor
        self.made.append(fixture)
        return None

    def release(self) -> None:
        """Destroy what the case can have made under the bound names; every failure is ignored
        (most of these names are gone already). Interfaces go first: destroying either end of an
        epair destroys both, wherever the other end is (if_epair.c ``epair_clone_destroy``)."""
        run, values = self.run, self.values
        interfaces = [values[n] for n in ("a", "b", "a2", "b2", "n1", "n2", "bridge") if n in values]
        for name in interfaces:
            run(("ifconfig", name, "destroy"))
        if "vjail" in self.made:
            for name in interfaces:
                run(("jexec", self.names.jail, "/sbin/ifconfig", name, "destroy"))
            run(("jail", "-r", self.names.jail))
        if "table" in self.made:
            run(("pfctl", "-t", self.names.table, "-T", "kill"))
        if "anchor" in self.made:
            self._flush_anchor(self.names.anchor)

    def _flush_anchor(self, anchor: str) -> None:
        """Empty the anchor and every anchor below it, deepest first (``pfctl -v -sA`` lists them
        recursively; pfctl.c ``pfctl_show_anchors``)."""
        listed = self.run(("pfctl", "-a", anchor, "-v", "-sA")).stdout.split()
        below = sorted({p for p in listed if p.startswith(anchor + "/")}, key=lambda p: -p.count("/"))
        for path in [*below, anchor]:
            for what in ("rules", "nat", "Tables"):
                self.run(("pfctl", "-a", path, "-F", what))


def check(case: Case, run: Runner, names: Names) -> list[str]:
    """Run ``case`` with ``run``: fixtures, setup, the command, ``then``, cleanup. The mismatches,
    each a sentence starting with what was checked; empty when the runner conforms."""
    fixtures = _Fixtures(run, names)
    values = fixtures.values
    out: dict[str, str] = {}
    try:
        for fixture in sorted(case.given, key=_ORDER.index):
            problem = fixtures.make(fixture)
            if problem is not None:
                return [problem]
        for number, step in enumerate(case.setup, start=1):
            argv = _argv(step.argv, values)
            done = run(argv, stdin=None if step.stdin is None else substitute(step.stdin, values))
            if done.returncode != 0:
                return [f"setup step {number} ({' '.join(argv)}) failed: {_say(done)}"]
        argv = _argv(case.argv, values)
        result = run(argv, stdin=None if case.stdin is None else substitute(case.stdin, values))
        problems = _exit_problem("exit", case.exit, result.returncode)
        problems += _compare("stdout", result.stdout, case.stdout, values)
        problems += _compare("stderr", result.stderr, case.stderr, values)
        out = {**values, OUT: _first_line(result.stdout)}
        for number, seen in enumerate(case.then, start=1):
            seen_argv = _argv(seen.argv, out)
            label = f"then {number} ({' '.join(seen_argv)})"
            observed = run(seen_argv, stdin=None if seen.stdin is None else substitute(seen.stdin, out))
            problems += _exit_problem(label, seen.exit, observed.returncode)
            problems += _compare(f"{label} stdout", observed.stdout, seen.stdout, out)
        return problems
    finally:
        for argv_ in case.cleanup:
            run(_argv(argv_, out or values))
        fixtures.release()


def describe(case: Case) -> str:
    """One line naming the case and where its expectation comes from (for test failure output)."""
    where = f"{case.cite}" + (f"; atf {case.atf}" if case.atf else "")
    return f"{case.id} [{where}]" + (" (confidence: guess)" if case.confidence == "guess" else "")

