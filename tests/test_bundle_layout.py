"""``jailnet bundle`` edits the text of a bundle's files so that the diff is the change
(:mod:`hooks.bundle.jsontext`), and ``remove`` after ``add`` gives back every byte
(:mod:`hooks.bundle.undo`): on the example bundles, through the installed executable, and for
random JSON written in random styles."""

import difflib
import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hooks.bundle import undo
from hooks.bundle.edits import AddOptions, add_to_config, add_to_extension, remove_from_config, remove_from_extension
from hooks.bundle.jsontext import parse, patch, same
from hooks.bundle.layout import render

EXAMPLES = Path(__file__).resolve().parent.parent / "examples" / "bundles"
INSTALLED = "/usr/local/bin/jailnet"  # the hook path the examples were written for


def run(argv: list[str], *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*argv, "bundle", *args], capture_output=True, text=True, env=env or {}, check=False,
                          timeout=60)


def changed_lines(old: str, new: str) -> list[str]:
    """The lines a unified diff adds and removes."""
    diff = difflib.unified_diff(old.splitlines(), new.splitlines(), lineterm="", n=0)
    return [line for line in diff if line[:1] in "+-" and line[:3] not in ("+++", "---")]


def copy_example(name: str, tmp_path: Path) -> Path:
    return Path(shutil.copytree(EXAMPLES / name, tmp_path / name))


def files(path: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(path.iterdir())}


# --- the diff is the change, through the installed executable -----------------------------------


def test_add_to_vnet_nat_changes_only_the_annotation(jailnet_argv: list[str], tmp_path: Path) -> None:
    """Without --jailnet the path /usr/local/bin/jailnet stays (the running jailnet is elsewhere),
    and the one-line arrays, the inline objects and everything else keep their text."""
    bundle = copy_example("vnet-nat", tmp_path)
    before = (bundle / "config.json").read_text()
    proc = run(jailnet_argv, "add", str(bundle), "--ip", "172.17.0.9")
    assert (proc.returncode, proc.stderr) == (0, "")
    assert proc.stdout.splitlines() == ["config.json: set annotation org.jailnet.ipv4=172.17.0.9",
                                        ".jailnet-undo.json: created (what bundle remove needs to give the files back)"]
    after = (bundle / "config.json").read_text()
    assert changed_lines(before, after) == [
        '-  "annotations": {},',
        '+  "annotations": {',
        '+    "org.jailnet.ipv4": "172.17.0.9"',
        '+  },',
    ]
    assert (bundle / "runj.ext.json").read_bytes() == (EXAMPLES / "vnet-nat" / "runj.ext.json").read_bytes()


def test_add_to_static_dns_changes_only_the_address(jailnet_argv: list[str], tmp_path: Path) -> None:
    bundle = copy_example("static-dns", tmp_path)
    before = (bundle / "config.json").read_text()
    proc = run(jailnet_argv, "add", str(bundle), "--ip", "10.88.0.11")
    assert (proc.returncode, proc.stderr) == (0, "")
    assert changed_lines(before, (bundle / "config.json").read_text()) == [
        '-    "org.jailnet.ipv4": "10.88.0.10",',
        '+    "org.jailnet.ipv4": "10.88.0.11",',
    ]


def test_a_new_hook_entry_looks_like_its_siblings(tmp_path: Path) -> None:
    """vnet-nat writes arrays of strings on one line: a new entry does too, indented like the
    others; taking it out gives back the old text."""
    text = (EXAMPLES / "vnet-nat" / "config.json").read_text()
    data = json.loads(text)
    data["hooks"]["poststop"].insert(0, {"path": "/usr/local/libexec/unregister", "args": ["unregister", "-q"]})
    edited = patch(text, data)
    at = text.index('    "poststop": [\n') + len('    "poststop": [\n')
    assert edited == text[:at] + (
        '      {\n'
        '        "path": "/usr/local/libexec/unregister",\n'
        '        "args": ["unregister", "-q"]\n'
        '      },\n') + text[at:]
    assert patch(edited, json.loads(text)) == text


# --- remove after add gives back every byte -----------------------------------------------------


@pytest.mark.parametrize("name", ["vnet-nat", "static-dns"])
def test_remove_after_add_gives_back_the_example_without_jailnet(jailnet_argv: list[str], tmp_path: Path,
                                                                 name: str) -> None:
    """The example with jailnet taken out (vnet-nat keeps its ``"annotations": {}``, static-dns
    has none), then add with the example's options and remove again: the same bytes."""
    bundle = copy_example(name, tmp_path)
    assert run(jailnet_argv, "remove", str(bundle)).returncode == 0
    plain = files(bundle)
    assert b'"annotations": {}' in plain["config.json"] or name == "static-dns"
    options = ["--ip", "10.88.0.10", "--network", "backend", "--nameserver", "9.9.9.9"] if name == "static-dns" else [
        "--ip", "172.17.0.9"]
    proc = run(jailnet_argv, "add", str(bundle), "--jailnet", INSTALLED, *options)
    assert (proc.returncode, proc.stderr) == (0, "")
    assert files(bundle) != plain
    proc = run(jailnet_argv, "remove", str(bundle))
    assert (proc.returncode, proc.stderr) == (0, "")
    assert "kept the vnet request (config.json freebsd.jail.vnet, runj.ext.json): it was there before" in proc.stdout
    assert files(bundle) == plain


# --- properties ---------------------------------------------------------------------------------

_TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=6)
_SCALARS = st.none() | st.booleans() | st.integers(-10**12, 10**12) | st.floats(allow_nan=False,
                                                                                allow_infinity=False) | _TEXT
_VALUES = st.recursive(_SCALARS, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_TEXT, inner, max_size=3),
                       max_leaves=10)
_OTHER_HOOK = st.fixed_dictionaries({"path": st.sampled_from(["/usr/local/libexec/a", "/opt/b"]),
                                     "args": st.lists(st.sampled_from(["a", "b"]), min_size=1, max_size=2)})
_OURS = ("hooks", "annotations", "freebsd")


@st.composite
def _configs(draw: st.DrawFn) -> dict[str, Any]:
    """A config.json without jailnet: random members, and maybe hooks of others, annotations and a
    freebsd section (each possibly empty), in random places."""
    items = list(draw(st.dictionaries(_TEXT.filter(lambda k: k not in _OURS), _VALUES, max_size=4)).items())
    if draw(st.booleans()):
        items.append(("hooks", draw(st.dictionaries(st.sampled_from(["prestart", "createRuntime", "poststop"]),
                                                    st.lists(_OTHER_HOOK, max_size=2), max_size=2))))
    if draw(st.booleans()):
        keys = _TEXT.filter(lambda k: not k.startswith("org.jailnet."))
        items.append(("annotations", draw(st.dictionaries(keys, _TEXT, max_size=2))))
    if draw(st.booleans()):
        jail = draw(st.dictionaries(st.sampled_from(["vnet", "host", "persist"]), st.sampled_from(["new", "inherit"]),
                                    max_size=2))
        items.append(("freebsd", draw(st.sampled_from([{}, {"jail": jail}, {"jail": jail, "x": 1}]))))
    return dict(draw(st.permutations(items)))


_EXTENSIONS = st.none() | st.sampled_from([
    {}, {"x-owner": "me"}, {"network": {}}, {"network": {"vnet": {"mode": "inherit"}}},
    {"network": {"vnet": {"mode": "new"}}, "x": [1, 2]}, {"network": {"vnet": {}, "ipv4": {}}}])


@st.composite
def _dumped(draw: st.DrawFn, value: object) -> str:
    """``value`` as some program might write it: indented by 0-4 spaces or a tab, or on one line,
    compact or not, ASCII or not, with or without a final newline."""
    indent = draw(st.sampled_from([None, 0, 1, 2, 4, "\t"]))
    separators = draw(st.sampled_from([(",", ":"), (", ", ": ")])) if indent is None else None
    text = json.dumps(value, indent=indent, separators=separators, ensure_ascii=draw(st.booleans()))
    return text + draw(st.sampled_from(["", "\n"]))


_OPTIONS = st.builds(
    AddOptions, jailnet=st.just(INSTALLED), timeout=st.sampled_from([30, 45]), keep_path=st.booleans(),
    annotations=st.lists(st.sampled_from([("org.jailnet.ipv4", "172.17.0.9"), ("org.jailnet.network", "backend"),
                                          ("org.jailnet.dns", "none")]), max_size=2, unique=True).map(tuple))


def add_then_remove(config_text: str, ext_text: str | None, options: AddOptions) -> tuple[str, str | None, str]:
    """``bundle add`` then ``bundle remove`` as the shell runs them, on text: the files after
    remove, and config.json after add."""
    config = json.loads(config_text)
    extension = json.loads(ext_text) if ext_text is not None else None
    record = json.loads(json.dumps(undo.record(config, extension)))  # through the file's JSON
    added_config = render(config_text, add_to_config(config, options)[0])
    added_ext = render(ext_text, add_to_extension(extension)[0])
    before_config, before_ext = undo.Before.from_json(record["config.json"]), undo.Before.from_json(
        record["runj.ext.json"])
    removed_config = render(added_config, remove_from_config(json.loads(added_config), before_config)[0])
    removed_ext = remove_from_extension(json.loads(added_ext), before_ext)[0]
    return removed_config, None if removed_ext is None else render(added_ext, removed_ext), added_config


@settings(max_examples=100, deadline=None)
@given(data=st.data(), config=_configs(), extension=_EXTENSIONS, options=_OPTIONS)
def test_add_then_remove_gives_back_the_bytes(data: st.DataObject, config: dict[str, Any], extension: object,
                                              options: AddOptions) -> None:
    config_text = data.draw(_dumped(config))
    ext_text = data.draw(_dumped(extension)) if extension is not None else None
    removed_config, removed_ext, added_config = add_then_remove(config_text, ext_text, options)
    assert removed_config == config_text
    assert removed_ext == ext_text
    kept = [key for key in config if key not in _OURS]  # members add does not touch keep their text
    old, new = parse(config_text), parse(added_config)
    for key in kept:
        old_node = old.children[[k for k, _, _ in old.keys].index(key)]
        new_node = new.children[[k for k, _, _ in new.keys].index(key)]
        assert added_config[new_node.start:new_node.end] == config_text[old_node.start:old_node.end]


@settings(max_examples=100, deadline=None)
@given(data=st.data(), value=st.dictionaries(_TEXT, _VALUES, max_size=5), new=st.dictionaries(_TEXT, _VALUES,
                                                                                               max_size=5))
def test_patch_gives_the_new_value_and_keeps_the_rest(data: st.DataObject, value: dict[str, Any],
                                                      new: dict[str, Any]) -> None:
    text = data.draw(_dumped(value))
    assert same(parse(text).value, json.loads(text))
    assert patch(text, json.loads(text)) == text
    merged = {**value, **new}
    edited = patch(text, merged)
    assert same(json.loads(edited), merged)
    assert patch(edited, json.loads(text)) == text or any(key in value for key in new)


def test_patch_keeps_what_json_dumps_would_change() -> None:
    """Escapes, number spellings, spacing and the missing final newline are the file's."""
    text = '{"a": "caf\\u00e9", "n": 1.50, "e": 1E3,  "list": [ 1,2 ] ,"b": 0}'
    assert patch(text, {**json.loads(text), "b": 1}) == text.replace('"b": 0', '"b": 1')


def test_an_object_with_a_repeated_name_is_written_whole(tmp_path: Path) -> None:
    text = '{\n  "a": 1,\n  "a": 2\n}\n'
    assert render(text, {"a": 3}) == '{\n  "a": 3\n}\n'
