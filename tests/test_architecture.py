"""Boundaries that keep the functional core pure: who may start processes, who may import what."""

import ast
import subprocess
import sys
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


def test_only_the_runner_seam_imports_subprocess() -> None:
    users = [p.relative_to(ROOT).as_posix() for p in sources("hooks") + sources("ocispec")
             if "subprocess" in imports_of(p)]
    assert users == ["hooks/system.py"]


def test_ocispec_knows_nothing_of_hooks() -> None:
    for path in sources("ocispec"):
        assert not any(name == "hooks" or name.startswith("hooks.") for name in imports_of(path)), path


def test_nothing_uses_a_shell() -> None:
    for path in sources("hooks") + sources("ocispec"):
        assert "shell=True" not in path.read_text(), path


def test_mypy_strict_is_clean() -> None:
    proc = subprocess.run([sys.executable, "-m", "mypy", "--strict", "hooks", "ocispec"], cwd=ROOT,
                          capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
