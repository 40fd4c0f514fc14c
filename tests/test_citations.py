"""Every citation in the repository resolves: to a file in the repository (and a section of it), to
an importable ``hooks`` name, or else it is an upstream source path — never to research notes
that live outside the repository.

Checked in every tracked text file (code, docs, examples, CI):

* ``docs/NAME.md`` of this repository exists, and ``docs/NAME.md §N`` (or ``§N.M``) names a
  heading of it; a ``§`` follows such a reference closely (no bare ``§1.1``);
* the research notes the code was once written from (``freebsd-commands.md`` without ``docs/``,
  ``runj-and-oci.md``, ``real-runtimes.md``, ``seed-walkthrough.md``, ``style.md``) are not cited;
* a path into this repository's own directories (``hooks/…``, ``ocispec/…``, ``tests/…`` but not
  FreeBSD's ``tests/sys/…``, ``docs/…``, ``examples/…``, ``benchmarks/…``) exists;
* a Sphinx-style reference to ``hooks.…`` (``:mod:``, ``:func:``, ``:class:``, ``:meth:``,
  ``:attr:``) names a module or attribute that exists.
"""

import importlib
import re
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
OWN_DOCS = {p.name for p in (ROOT / "docs").glob("*.md")}
NOTES = ("freebsd-commands.md", "runj-and-oci.md", "real-runtimes.md", "seed-walkthrough.md", "style.md")
TEXT = (".py", ".md", ".toml", ".sh", ".cfg", ".txt")


def tracked() -> list[Path]:
    listed = subprocess.run(["git", "ls-files", "--cached", "--others", "--exclude-standard"], cwd=ROOT,
                            capture_output=True, text=True, check=True).stdout.split()
    files = [ROOT / name for name in listed if name.endswith(TEXT) or name in (".ci/run", "examples/rc.d/jailnet")]
    return sorted(f for f in files if f.is_file())


FILES = [f for f in tracked() if f != Path(__file__).resolve()]  # this file names the notes on purpose


def sections(doc: str) -> set[str]:
    """``N`` and ``N.M`` of every numbered heading (``## 3. …``, ``### 3.1 …``)."""
    found = set()
    for line in (ROOT / "docs" / doc).read_text().splitlines():
        heading = re.match(r"#{2,4} (\d+(?:\.\d+)*)\.? ", line)
        if heading:
            found.add(heading.group(1))
    return found


def problems(path: Path) -> list[str]:
    text = path.read_text()
    name = path.relative_to(ROOT).as_posix()
    found = []
    for note in NOTES:
        for hit in re.finditer(rf"(?<![\w/.-]){re.escape(note)}", text):
            if text[max(hit.start() - 5, 0):hit.start()] != "docs/" or note not in OWN_DOCS:
                found.append(f"{name}: cites {note}, which is not in the repository's docs/")
    for hit in re.finditer(r"(?<![\w/.-])docs/([\w-]+\.md)((?:,? §\d+(?:\.\d+)*(?:-§\d+(?:\.\d+)*)?)*)", text):
        doc, refs = hit.group(1), hit.group(2)
        if doc not in OWN_DOCS:
            continue  # an upstream project's docs/ (runj docs/oci.md, cattrs docs/validation.md, …)
        known = sections(doc)
        for ref in re.findall(r"§(\d+(?:\.\d+)*)", refs):
            if ref not in known:
                found.append(f"{name}: docs/{doc} has no section {ref}")
    own = sections(path.name) if name.startswith("docs/") and path.name in OWN_DOCS else set()
    for hit in re.finditer(r"§\s?(\d+(?:\.\d+)*)", text):
        before = text[max(hit.start() - 200, 0):hit.start()]
        if own:  # a doc's bare § names its own sections
            if hit.group(1) not in own and not re.search(r"docs/[\w-]+\.md", before):
                found.append(f"{name}: has no section {hit.group(1)}")
        elif not re.search(r"docs/[\w-]+\.md", before):
            found.append(f"{name}: a bare §-reference near {text[hit.start():hit.start() + 12]!r}")
    for hit in re.finditer(r"(?<![\w/.-])((?:hooks|ocispec|tests|docs|examples|benchmarks)"
                           r"/[\w/.-]*\w\.(?:py|md|toml|json|sh))", text):
        local = hit.group(1)
        if local.startswith("tests/sys/") or (
            local.startswith("docs/") and Path(local).name not in OWN_DOCS | set(NOTES)
        ):
            continue  # FreeBSD's tests/sys/…; an upstream project's docs/
        if not (ROOT / local).exists():
            found.append(f"{name}: cites {local}, which does not exist")
    for hit in re.finditer(r":(?:mod|func|class|meth|attr):`~?(hooks(?:\.\w+)+)`", text):
        if not resolves(hit.group(1)):
            found.append(f"{name}: {hit.group(1)} does not exist")
    return found


def resolves(dotted: str) -> bool:
    parts = dotted.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            thing: object = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        for attribute in parts[cut:]:
            if not hasattr(thing, attribute):
                return False
            thing = getattr(thing, attribute)
        return True
    return False


@pytest.mark.parametrize("path", FILES, ids=[p.relative_to(ROOT).as_posix() for p in FILES])
def test_every_citation_resolves(path: Path) -> None:
    assert problems(path) == []


def test_the_checker_sees_what_it_must(tmp_path: Path) -> None:
    """The checker is not vacuous: each kind of bad citation is reported."""
    bad = ROOT / "tests" / "_citations_probe.py"
    bad.write_text('"""See freebsd-commands.md §1.1 and runj-and-oci.md §0; docs/freebsd-commands.md §99;\n'
                   'hooks/nosuch.py; :mod:`hooks.locks`; and just §3.3 alone ... ' + " " * 200 + '§4."""\n')
    try:
        found = problems(bad)
    finally:
        bad.unlink()
    assert any("cites freebsd-commands.md" in p for p in found)
    assert any("cites runj-and-oci.md" in p for p in found)
    assert any("has no section 99" in p for p in found)
    assert any("hooks/nosuch.py" in p for p in found)
    assert any("hooks.locks does not exist" in p for p in found)
    assert any("bare §-reference" in p for p in found)
    assert len(FILES) > 50
