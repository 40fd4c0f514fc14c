"""Boundaries that keep the functional core pure and the house in order: who may start processes,
who may import what, who maps errors to exit codes, and how big a module may grow."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def imports_of(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
    return found


def sources(package: str) -> list[Path]:
    return sorted((ROOT / package).rglob("*.py"))


def production() -> list[Path]:
    """jailnet's own modules: everything but the simulated host and test kit (hooks/testing)."""
    return [p for p in sources("hooks") + sources("ocispec") if "testing" not in p.relative_to(ROOT).parts]


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(p): p for p in sources("hooks") + sources("ocispec")}


def edges(path: Path) -> set[str]:
    """The jailnet modules ``path`` imports, at any depth of the file (a function-level import
    is still a dependency): ``from pkg import sub`` counts as an import of ``pkg.sub``."""
    found: set[str] = set()
    package = module_name(path) if path.name == "__init__.py" else module_name(path).rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names if alias.name in MODULES}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(
                    package.split(".")[: len(package.split(".")) - node.level + 1] + ([base] if base else [])
                )
            for alias in node.names:
                if f"{base}.{alias.name}" in MODULES:
                    found.add(f"{base}.{alias.name}")
                elif base in MODULES:
                    found.add(base)
    found.discard(module_name(path))
    return found


def import_graph() -> dict[str, list[str]]:
    """Every jailnet module and the jailnet modules it imports."""
    return {name: sorted(edges(path)) for name, path in MODULES.items()}


def cycles(graph: dict[str, list[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for nxt in graph[node]:
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in graph:
        if node not in index:
            visit(node)
    return found


def test_no_import_cycles() -> None:
    assert cycles(import_graph()) == []


def test_the_cycle_finder_finds_cycles() -> None:
    """Not vacuous: the graph holds the imports, function-level ones included, and a module
    importing its importer is a cycle (the source tree is never edited: other tests run it)."""
    graph = import_graph()
    assert "hooks.console" in graph["hooks.cli"] and "hooks.invocation" in graph["hooks.cli"]
    graph["hooks.console"] = [*graph["hooks.console"], "hooks.cli"]
    (cycle,) = cycles(graph)
    assert {"hooks.cli", "hooks.console"} <= set(cycle)


def test_only_the_runner_seam_imports_subprocess() -> None:
    """Among jailnet's own modules; the test kit (a simulator and a fake runtime) starts processes."""
    users = [p.relative_to(ROOT).as_posix() for p in production() if "subprocess" in imports_of(p)]
    assert users == ["hooks/system.py"]


def test_production_never_imports_the_simulator() -> None:
    """hooks.testing is the test kit; only ``jailnet demo`` and ``jailnet sim`` (hooks/cli.py) may start it."""
    for path in production():
        users = {name for name in edges(path) if name == "hooks.testing" or name.startswith("hooks.testing.")}
        entries = {"hooks.testing.demo", "hooks.testing.walkthrough", "hooks.testing.sim"}
        allowed = entries if path.name == "cli.py" else set()
        assert users <= allowed, (path, users - allowed)


def test_only_cli_maps_errors_to_exit_codes() -> None:
    """Subcommands raise BadInput/OperationFailed; hooks/cli.py alone turns them into a stderr
    line and an exit status. Elsewhere no handler of them returns a number, and nothing returns
    2 (bad input) or reads ``exit_code``. A subcommand may return 1 for an outcome (not ready)."""
    errors = {"BadInput", "OperationFailed", "UsageError", "InvalidDocument"}
    for path in production():
        if path.name == "cli.py":
            continue
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.ExceptHandler) and node.type is not None:
                names = {n.id if isinstance(n, ast.Name) else n.attr for n in ast.walk(node.type)
                         if isinstance(n, (ast.Name, ast.Attribute))}
                if names & errors:
                    returns = [r for r in ast.walk(node) if isinstance(r, ast.Return)
                               and isinstance(r.value, ast.Constant) and type(r.value.value) is int]
                    assert not returns, f"{path.name}:{node.lineno} maps {names & errors} to an exit status"
            if isinstance(node, ast.Return) and isinstance(node.value, ast.Constant) and node.value.value == 2:
                raise AssertionError(f"{path.name}:{node.lineno} returns 2: only hooks/cli.py says 'bad input'")
            if isinstance(node, ast.Attribute) and node.attr == "exit_code":
                raise AssertionError(f"{path.name}:{node.lineno} reads exit_code: only hooks/cli.py maps errors")


def test_no_module_outside_the_simulator_is_over_400_lines() -> None:
    sizes = {p.relative_to(ROOT).as_posix(): len(p.read_text().splitlines()) for p in production()}
    assert {name: n for name, n in sizes.items() if n > 400} == {}


def test_ocispec_knows_nothing_of_hooks() -> None:
    for path in sources("ocispec"):
        assert not any(name == "hooks" or name.startswith("hooks.") for name in imports_of(path)), path


def test_nothing_uses_a_shell() -> None:
    for path in sources("hooks") + sources("ocispec"):
        assert "shell=True" not in path.read_text(), path



#: Modules a createRuntime or poststop hook has no use for: each costs milliseconds on every
#: container's start path (tomllib without a configuration file, OpenSSL's hashlib for one digest,
#: argparse for ``hook KIND``, the config.json models, published ports' parser and claims without
#: ports, IPv6 leases on an IPv4-only network, the other subcommands, the simulator).
NOT_ON_THE_HOOK_PATH = ("tomllib", "hooks.configfile", "hashlib", "_hashlib", "shutil", "secrets",
                        "argparse", "gettext", "hooks.grammar", "ocispec.config", "ocispec.runj",
                        "hooks.ports", "hooks.claims",  # a container that publishes no ports loads neither
                        "hooks.leases6",  # nor one on an IPv4-only network the IPv6 leases
                        "hooks.cluster", "hooks.etcd", "hooks.storeclaims",  # nor one off a cluster the store
                        "hooks.overlay",  # nor one without vxlan its parser
                        "hooks.testing", "hooks.doctor", "hooks.bundle", "hooks.gc", "hooks.listing", "hooks.preview",
                        "difflib")

#: And the create path's own, which a poststop (hooks/detach.py) does without.
NOT_ON_THE_POSTSTOP_PATH = ("hooks.lifecycle", "hooks.observe", "hooks.request", "hooks.resolvconf")

RECORD_MODULES = (
    "import atexit, os, sys; "
    "atexit.register(lambda: open(os.environ['MODULES_OUT'], 'w').write(chr(10).join(sorted(sys.modules)))); "
    "from hooks.cli import main; sys.exit(main())"
)


def test_a_hook_imports_only_what_it_needs(tmp_path: Path) -> None:
    import sys

    from hooks.testing.runtime import FakeRunj

    out = tmp_path / "modules"
    runj = FakeRunj.with_jailnet(tmp_path, [sys.executable, "-c", RECORD_MODULES], env={"MODULES_OUT": str(out)})
    for run, used, unused in ((lambda: runj.create("c1"), "hooks.lifecycle", ()),
                              (lambda: runj.delete("c1"), "hooks.detach", NOT_ON_THE_POSTSTOP_PATH)):
        (result,) = run()
        assert result.returncode == 0, result.stderr
        loaded = set(out.read_text().split())
        assert {used, "ocispec.state"} <= loaded  # the record is real
        assert sorted(loaded & {*NOT_ON_THE_HOOK_PATH, *unused}) == []


def test_a_hook_parses_the_configuration_only_when_its_text_changed(tmp_path: Path) -> None:
    """On a host with jailnet.toml, tomllib loads for a text not parsed before (the first hook
    finds no state directory to keep it in; the second keeps it), and not again for the same text
    (hooks/configcache.py)."""
    import sys

    from hooks.system import Completed
    from hooks.testing.runtime import FakeRunj

    config = tmp_path / "jailnet.toml"
    config.write_text('[networks.backend]\nbridge = "jailnet1"\nsubnet = "10.88.0.0/24"\n')
    out = tmp_path / "modules"
    runj = FakeRunj.with_jailnet(tmp_path, [sys.executable, "-c", RECORD_MODULES],
                                 env={"MODULES_OUT": str(out), "JAILNET_CONFIG": str(config)})

    def edit_then_create(cid: str) -> "list[Completed]":
        config.write_text(config.read_text() + "# edited\n")
        return runj.create(cid)

    parsed = []
    for create in (lambda: runj.create("c1"), lambda: runj.create("c2"), lambda: runj.create("c3"),
                   lambda: edit_then_create("c4"), lambda: runj.delete("c1")):
        (result,) = create()
        assert result.returncode == 0, result.stderr
        loaded = set(out.read_text().split())
        assert "hooks.configfile" in loaded
        parsed.append("tomllib" in loaded)
    assert parsed == [True, True, False, True, False]
