"""hooks.configcache: the configuration's TOML data kept in the state directory, used only for
the very same text (docs/configuration.md, docs/performance.md)."""

import datetime
import json
import os
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hooks import configcache, configfile
from hooks.netconf import DnsDefaults
from hooks.testing.bed import HookBed

RESOLVER = DnsDefaults.from_text("nameserver 192.0.2.53\n")
TEXT = '[networks.backend]\nbridge = "jailnet1"\nsubnet = "10.88.0.0/24"\n'


def test_the_data_is_given_back_for_the_same_text_only(tmp_path: Path) -> None:
    data = configfile.read_toml(TEXT, "t")
    configcache.remember(tmp_path, TEXT, data)
    assert configcache.lookup(tmp_path, TEXT) == data
    assert configcache.lookup(tmp_path, TEXT.replace("10.88", "10.89")) is None
    assert configcache.lookup(tmp_path, TEXT + "\n") is None  # one byte more is another text
    assert os.stat(tmp_path / configcache.NAME).st_mode & 0o777 == 0o600


@pytest.mark.parametrize("content", [b"", b"{", b"[]", b'{"version": 1, "text": "x"}',
                                     b'{"version": 1, "text": "x", "data": []}',
                                     b'{"version": 2, "text": "x", "data": {}}', b"\xff\xfe"])
def test_a_damaged_or_foreign_cache_is_ignored(tmp_path: Path, content: bytes) -> None:
    (tmp_path / configcache.NAME).write_bytes(content)
    assert configcache.lookup(tmp_path, "x") is None


def test_a_cache_that_is_a_directory_is_ignored_and_not_replaced(tmp_path: Path) -> None:
    (tmp_path / configcache.NAME).mkdir()
    assert configcache.lookup(tmp_path, TEXT) is None
    configcache.remember(tmp_path, TEXT, {"networks": {}})  # rename(2) onto a directory fails: no error
    assert (tmp_path / configcache.NAME).is_dir()


@pytest.mark.parametrize("value", [datetime.date(2026, 12, 3), float("nan"), float("inf")])
def test_data_json_cannot_hold_as_it_is_is_not_cached(tmp_path: Path, value: object) -> None:
    configcache.remember(tmp_path, TEXT, {"networks": {"x": {"when": value}}})
    assert not (tmp_path / configcache.NAME).exists()


def test_without_a_state_directory_nothing_is_written_and_nothing_fails(tmp_path: Path) -> None:
    configcache.remember(tmp_path / "absent", TEXT, {"networks": {}})
    assert not (tmp_path / "absent").exists()


# TOML values of every kind JSON holds, in tables and arrays, as a configuration may hold them
# (valid or not: the cache keeps the parse, and validation runs on the cached data as on a fresh one).
scalars = st.one_of(st.booleans(), st.integers(-(2**63), 2**63 - 1), st.text(max_size=8),
                    st.floats(allow_nan=False, allow_infinity=False))
keys = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), min_size=1, max_size=6)
toml_values = st.recursive(
    scalars, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(keys, inner, max_size=3), max_leaves=8)


def toml_string(text: str) -> str:
    """A TOML basic string: control characters, quotes and backslashes as \\uXXXX escapes."""
    return '"' + "".join(f"\\u{ord(c):04x}" if ord(c) < 0x20 or c in '\x7f"\\' else c for c in text) + '"'


def toml_text(data: dict[str, object]) -> str:
    """TOML for ``data``: one inline value per top-level key (TOML's inline values hold JSON's)."""
    def value(v: object) -> str:
        if isinstance(v, bool):
            return "true" if v else "false"
        if isinstance(v, str):
            return toml_string(v)
        if isinstance(v, dict):
            return "{" + ", ".join(f"{toml_string(k)} = {value(x)}" for k, x in v.items()) + "}"
        if isinstance(v, list):
            return "[" + ", ".join(value(x) for x in v) + "]"
        return repr(v)  # an int, or a float: repr gives a decimal point or an exponent

    return "".join(f"{toml_string(k)} = {value(v)}\n" for k, v in data.items())


@settings(max_examples=60, deadline=None)
@given(st.dictionaries(keys, toml_values, max_size=3))
def test_the_cached_data_is_exactly_what_a_fresh_parse_gives(tmp_path_factory: pytest.TempPathFactory,
                                                            data: dict[str, object]) -> None:
    where = tmp_path_factory.mktemp("cache")
    text = toml_text(data)
    parsed = configfile.read_toml(text, "t")
    configcache.remember(where, text, parsed)
    cached = configcache.lookup(where, text)
    assert cached == parsed
    assert json.dumps(cached, sort_keys=True) == json.dumps(parsed, sort_keys=True)  # ints stay ints, floats floats


def test_a_network_from_cached_data_equals_one_from_the_file(tmp_path: Path) -> None:
    text = TEXT + ('subnet6 = "fd00:88::/64"\nnameservers = ["10.88.0.1"]\nisolated = false\nhosts = "self"\n'
                   "mtu = 9000\n")
    configcache.remember(tmp_path, text, configfile.read_toml(text, "t"))
    cached = configcache.lookup(tmp_path, text)
    assert cached is not None
    assert configfile.from_data(cached, where="t", resolver=RESOLVER) == configfile.parse(text, where="t",
                                                                                         resolver=RESOLVER)


# --- through the hook ---------------------------------------------------------------------------

def cached(tmp_path: Path) -> HookBed:
    """A host with TEXT as its configuration and its data cached: c1 and c2 created on ``backend``
    (the first create finds no state directory to keep the data in; the second keeps it), c3 a
    jail without networking yet."""
    bed = HookBed(tmp_path, config=TEXT)
    for name in ("c1", "c2", "c3"):
        bed.jail(name)
    for name in ("c1", "c2"):
        assert bed.hook("createRuntime", name, {"org.jailnet.network": "backend"})[0] == 0
    assert json.loads((bed.state_dir / configcache.NAME).read_text())["text"] == TEXT
    return bed


def test_an_edit_that_keeps_the_size_and_the_time_still_reaches_the_next_hook(tmp_path: Path) -> None:
    """The cache is keyed on the text, not on the file's size or times."""
    bed = cached(tmp_path)
    config = tmp_path / "jailnet.toml"
    before = os.stat(config)
    config.write_text(TEXT.replace("backend", "backenx").replace("10.88.0.0", "10.89.0.0").replace("jailnet1",
                                                                                                 "jailnet2"))
    os.utime(config, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert os.stat(config).st_size == before.st_size
    code, _, err = bed.hook("createRuntime", "c3", {"org.jailnet.network": "backenx"})
    assert code == 0, err
    record = json.loads((bed.state_dir / "containers" / "c3.json").read_text())
    assert record["address"].startswith("10.89.0.") and record["bridge"] == "jailnet2"


def test_a_bad_edit_is_refused_although_the_last_good_text_is_cached(tmp_path: Path) -> None:
    bed = cached(tmp_path)
    (tmp_path / "jailnet.toml").write_text(TEXT.replace("10.88.0.0/24", "10.88.0.0/33"))
    code, _, err = bed.hook("createRuntime", "c3", {"org.jailnet.network": "backend"})
    assert code == 2 and "networks.backend.subnet" in err, err
    assert json.loads((bed.state_dir / configcache.NAME).read_text())["text"] == TEXT  # the bad text not kept
