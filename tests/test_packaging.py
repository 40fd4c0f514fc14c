"""The wheel holds both top-level packages and the ``jailnet`` console script."""

import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_wheel_holds_hooks_ocispec_and_the_entry_point(tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
         "-w", str(tmp_path), str(ROOT)],
        capture_output=True, text=True, check=False,
    )
    assert proc.returncode == 0, proc.stderr
    (wheel,) = tmp_path.glob("jailnet-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    for module in ("hooks/__init__.py", "hooks/cli.py", "hooks/testing/host.py", "ocispec/__init__.py",
                   "ocispec/_convert.py"):
        assert module in names
    (entry_points,) = [n for n in names if n.endswith(".dist-info/entry_points.txt")]
    text = zipfile.ZipFile(wheel).read(entry_points).decode()
    assert "[console_scripts]\njailnet = hooks.__main__:main" in text
    assert not any(n.startswith("tests/") for n in names)


def test_runtime_dependencies_are_attrs_and_cattrs_only() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert sorted(d.split(">")[0] for d in project["dependencies"]) == ["attrs", "cattrs"]
    assert project["requires-python"] == ">=3.11"
