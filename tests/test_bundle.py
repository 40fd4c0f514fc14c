"""``jailnet bundle add|remove|check``: edits that keep a bundle's files as they were written, the
hook order runj needs, idempotence, and one exact line per defect ``check`` finds.

Driven through :func:`hooks.cli.main`, so the command-line wiring is tested too; the fixes to
``add``'s path, its edits of the text, ``remove`` undoing ``add`` and ``check``'s findings about
this host also through the installed executable (``jailnet_argv``). The JSON text editor itself
(:mod:`hooks.bundle.jsontext`) has its own properties in tests/test_bundle_layout.py.
"""

import atexit
import io
import json
import os
import shutil
import stat
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hooks import bundle as bundle_mod
from hooks import files as files_mod
from hooks.bundle.checks import hook_problems
from hooks.bundle.document import is_jailnet_hook
from hooks.bundle.edits import AddOptions, add_to_config, remove_from_config
from hooks.cli import main
from hooks.console import Console
from hooks.grammar import build_parser


def _executable_jailnet() -> str:
    """An executable named jailnet on this host (the installed console script, else a stub), so
    that ``check``'s hook-path findings are about the tests that want them."""
    script = Path(sys.executable).parent / "jailnet"
    if script.is_file() and os.access(script, os.X_OK):
        return str(script)
    directory = tempfile.mkdtemp(prefix="jailnet-bin-")
    atexit.register(shutil.rmtree, directory, True)
    stub = Path(directory) / "jailnet"
    stub.write_text("#!/bin/sh\n")
    stub.chmod(0o755)
    return str(stub)


#: The path the test bundles' hooks run.
JAILNET = _executable_jailnet()

#: What ``runc spec`` (runc 1.1) writes: json.MarshalIndent with tabs, no trailing newline.
RUNC_SPEC = """{
    "ociVersion": "1.0.2-dev",
    "process": {
        "terminal": true,
        "user": {
            "uid": 0,
            "gid": 0
        },
        "args": [
            "sh"
        ],
        "env": [
            "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
            "TERM=xterm"
        ],
        "cwd": "/",
        "capabilities": {
            "bounding": [
                "CAP_AUDIT_WRITE",
                "CAP_KILL",
                "CAP_NET_BIND_SERVICE"
            ],
            "effective": [
                "CAP_AUDIT_WRITE",
                "CAP_KILL",
                "CAP_NET_BIND_SERVICE"
            ],
            "permitted": [
                "CAP_AUDIT_WRITE",
                "CAP_KILL",
                "CAP_NET_BIND_SERVICE"
            ],
            "ambient": [
                "CAP_AUDIT_WRITE",
                "CAP_KILL",
                "CAP_NET_BIND_SERVICE"
            ]
        },
        "rlimits": [
            {
                "type": "RLIMIT_NOFILE",
                "hard": 1024,
                "soft": 1024
            }
        ],
        "noNewPrivileges": true
    },
    "root": {
        "path": "rootfs",
        "readonly": true
    },
    "hostname": "runc",
    "mounts": [
        {
            "destination": "/proc",
            "type": "proc",
            "source": "proc"
        },
        {
            "destination": "/dev",
            "type": "tmpfs",
            "source": "tmpfs",
            "options": [
                "nosuid",
                "strictatime",
                "mode=755",
                "size=65536k"
            ]
        },
        {
            "destination": "/dev/pts",
            "type": "devpts",
            "source": "devpts",
            "options": [
                "nosuid",
                "noexec",
                "newinstance",
                "ptmxmode=0666",
                "mode=0620",
                "gid=5"
            ]
        },
        {
            "destination": "/dev/shm",
            "type": "tmpfs",
            "source": "shm",
            "options": [
                "nosuid",
                "noexec",
                "nodev",
                "mode=1777",
                "size=65536k"
            ]
        },
        {
            "destination": "/sys",
            "type": "sysfs",
            "source": "sysfs",
            "options": [
                "nosuid",
                "noexec",
                "nodev",
                "ro"
            ]
        }
    ],
    "linux": {
        "resources": {
            "devices": [
                {
                    "allow": false,
                    "access": "rwm"
                }
            ]
        },
        "namespaces": [
            {
                "type": "pid"
            },
            {
                "type": "network"
            },
            {
                "type": "ipc"
            },
            {
                "type": "uts"
            },
            {
                "type": "mount"
            }
        ],
        "maskedPaths": [
            "/proc/acpi",
            "/proc/kcore",
            "/proc/keys",
            "/sys/firmware"
        ],
        "readonlyPaths": [
            "/proc/bus",
            "/proc/fs",
            "/proc/sys",
            "/proc/sysrq-trigger"
        ]
    }
}""".replace("    ", "\t")

PATH_ENV = "PATH=/sbin:/bin:/usr/sbin:/usr/bin"
#: What ``add`` prints when it makes the undo record (hooks.bundle.undo).
RECORDED = ".jailnet-undo.json: created (what bundle remove needs to give the files back)"


def jailnet(*argv: str, environ: dict[str, str] | None = None) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), stdout=out, stderr=err, environ=environ if environ is not None else {})
    return code, out.getvalue(), err.getvalue()


def hook(kind: str, **changes: Any) -> dict[str, Any]:
    entry: dict[str, Any] = {"path": JAILNET, "args": ["jailnet", "hook", kind], "env": [PATH_ENV], "timeout": 30}
    entry.update(changes)
    return {k: v for k, v in entry.items() if v is not None}


def good_config(**changes: Any) -> dict[str, Any]:
    """A bundle jailnet is happy with; ``changes`` replace top-level keys (None deletes)."""
    config: dict[str, Any] = {
        "ociVersion": "1.0.2",
        "root": {"path": "root"},
        "annotations": {},
        "hooks": {"createRuntime": [hook("createRuntime")], "poststop": [hook("poststop")]},
        "freebsd": {"jail": {"vnet": "new"}},
    }
    config.update(changes)
    return {k: v for k, v in config.items() if v is not None}


@pytest.fixture
def runc_bundle(tmp_path: Path) -> Path:
    """A bundle as ``runc spec`` leaves it (mode 0640 to see it kept)."""
    path = tmp_path / "bundle"
    path.mkdir()
    (path / "config.json").write_text(RUNC_SPEC)
    (path / "config.json").chmod(0o640)
    return path


def make_bundle(tmp_path: Path, config: dict[str, Any], extension: object = None) -> Path:
    path = tmp_path / "b"
    path.mkdir(exist_ok=True)
    (path / "config.json").write_text(json.dumps(config, indent=2) + "\n")
    if extension is not None:
        (path / "runj.ext.json").write_text(json.dumps(extension))
    return path


def check_lines(path: Path) -> tuple[int, list[str]]:
    code, out, err = jailnet("bundle", "check", str(path))
    assert err == ""
    return code, out.splitlines()


def files(path: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(path.iterdir())}


# --- add --------------------------------------------------------------------------------------


def test_add_to_a_runc_spec_bundle_makes_it_pass_check(runc_bundle: Path) -> None:
    code, out, err = jailnet("bundle", "add", str(runc_bundle), "--jailnet", JAILNET)
    assert (code, err) == (0, "")
    assert out.splitlines() == [
        "config.json: added createRuntime hook",
        "config.json: added poststop hook",
        "config.json: set freebsd.jail.vnet=new",
        "runj.ext.json: created",
        RECORDED,
    ]
    code, out, err = jailnet("bundle", "check", str(runc_bundle))
    assert (code, err) == (0, "")  # runc spec's linux section and Linux mounts are warnings only
    assert [line.split(":")[:2] for line in out.splitlines()] == [
        ["warning", " linux-section"], ["warning", " linux-mounts"],
        [str(runc_bundle), " ready for jailnet (2 warnings)"]]
    assert (runc_bundle / "runj.ext.json").read_text() == '{"network":{"vnet":{"mode":"new"}}}\n'


def test_add_writes_the_hook_entries_runj_needs(runc_bundle: Path) -> None:
    jailnet("bundle", "add", str(runc_bundle), "--jailnet", JAILNET, "--timeout", "45")
    config = json.loads((runc_bundle / "config.json").read_text())
    assert config["hooks"] == {
        "createRuntime": [{"path": JAILNET, "args": ["jailnet", "hook", "createRuntime"], "env": [PATH_ENV],
                           "timeout": 45}],
        "poststop": [{"path": JAILNET, "args": ["jailnet", "hook", "poststop"], "env": [PATH_ENV], "timeout": 45}],
    }
    assert config["freebsd"] == {"jail": {"vnet": "new"}}


def test_add_twice_changes_nothing(runc_bundle: Path) -> None:
    argv = ("bundle", "add", str(runc_bundle), "--jailnet", JAILNET, "--network", "backend", "--ip", "10.88.0.10",
            "--nameserver", "9.9.9.9", "--search", "internal")
    assert jailnet(*argv)[0] == 0
    before = files(runc_bundle)
    inode = (runc_bundle / "config.json").stat().st_ino
    assert jailnet(*argv) == (0, "nothing to change\n", "")
    assert files(runc_bundle) == before
    assert (runc_bundle / "config.json").stat().st_ino == inode  # not even rewritten


def test_add_keeps_the_file_as_it_was_written(runc_bundle: Path) -> None:
    """Tabs, no trailing newline, key order, unknown keys: the old text is a prefix of the new."""
    jailnet("bundle", "add", str(runc_bundle), "--jailnet", JAILNET)
    text = (runc_bundle / "config.json").read_text()
    assert text.startswith(RUNC_SPEC[: -len("\n}")] + ",\n\t\"hooks\": {\n\t\t\"createRuntime\": [\n\t\t\t{\n")
    assert not text.endswith("\n")
    assert list(json.loads(text)) == ["ociVersion", "process", "root", "hostname", "mounts", "linux", "hooks",
                                      "freebsd"]


@pytest.mark.parametrize(
    ("original", "expected_tail"),
    [
        ('{\n  "ociVersion": "1.0.2"\n}\n', '  "freebsd": {\n    "jail": {\n      "vnet": "new"\n    }\n  }\n}\n'),
        ('{"ociVersion": "1.0.2"}', '"freebsd": {"jail": {"vnet": "new"}}}'),
        ('{"ociVersion":"1.0.2"}\n', '"freebsd":{"jail":{"vnet":"new"}}}\n'),
    ],
    ids=["two-spaces", "one-line", "compact"],
)
def test_add_reuses_indentation_and_trailing_newline(tmp_path: Path, original: str, expected_tail: str) -> None:
    (tmp_path / "config.json").write_text(original)
    assert jailnet("bundle", "add", str(tmp_path), "--jailnet", JAILNET)[0] == 0
    assert (tmp_path / "config.json").read_text().endswith(expected_tail)


def test_add_keeps_non_ascii_as_written(tmp_path: Path) -> None:
    (tmp_path / "config.json").write_text('{\n\t"ociVersion": "1.0.2",\n\t"hostname": "café"\n}')
    jailnet("bundle", "add", str(tmp_path), "--jailnet", JAILNET)
    assert '"hostname": "café"' in (tmp_path / "config.json").read_text()


def test_add_replaces_the_file_atomically_and_keeps_its_mode(runc_bundle: Path) -> None:
    config = runc_bundle / "config.json"
    inode = config.stat().st_ino
    jailnet("bundle", "add", str(runc_bundle), "--jailnet", JAILNET)
    assert config.stat().st_ino != inode  # a new file renamed over the old one
    assert stat.S_IMODE(config.stat().st_mode) == 0o640
    assert stat.S_IMODE((runc_bundle / "runj.ext.json").stat().st_mode) == 0o640  # created like config.json
    assert stat.S_IMODE((runc_bundle / ".jailnet-undo.json").stat().st_mode) == 0o640
    assert sorted(p.name for p in runc_bundle.iterdir()) == [".jailnet-undo.json", "config.json",
                                                             "runj.ext.json"]  # no temp files


def test_add_writes_through_a_symlinked_config(tmp_path: Path) -> None:
    real = tmp_path / "real.json"
    real.write_text(RUNC_SPEC)
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "config.json").symlink_to(real)
    assert jailnet("bundle", "add", str(tmp_path / "b"), "--jailnet", JAILNET)[0] == 0
    assert (tmp_path / "b" / "config.json").is_symlink()
    assert "createRuntime" in real.read_text()


@pytest.mark.parametrize("failing", [".jailnet-undo.json", "config.json"])
def test_add_leaves_no_temp_file_when_the_write_fails(runc_bundle: Path, monkeypatch: pytest.MonkeyPatch,
                                                      failing: str) -> None:
    """The undo record is written first: when it cannot be, nothing is. When config.json cannot
    be, the record stays: it describes the bundle as it still is."""
    rename = os.rename

    def fail(src: str, dst: str, **dir_fds: int) -> None:  # hooks.files.replace_at renames the temp file
        if dst != failing:
            return rename(src, dst, **dir_fds)
        raise OSError(28, "No space left on device", dst)

    monkeypatch.setattr(os, "rename", fail)
    code, out, err = jailnet("bundle", "add", str(runc_bundle), "--jailnet", JAILNET)
    assert code == 1 and err == f"jailnet: bundle add: {runc_bundle / failing}: No space left on device\n"
    assert (runc_bundle / "config.json").read_text() == RUNC_SPEC
    record = [".jailnet-undo.json"] if failing == "config.json" else []
    assert sorted(p.name for p in runc_bundle.iterdir()) == [*record, "config.json"]


def test_add_sets_a_static_ipv6_address(tmp_path: Path) -> None:
    path = make_bundle(tmp_path, good_config())
    code, out, _ = jailnet("bundle", "add", str(path), "--jailnet", JAILNET, "--ip6", " fd00:17:0::50")
    assert code == 0 and out.splitlines()[0] == "config.json: set annotation org.jailnet.ipv6=fd00:17::50"
    assert json.loads((path / "config.json").read_text())["annotations"] == {"org.jailnet.ipv6": "fd00:17::50"}
    (tmp_path / "bad").mkdir()
    assert only_problem(tmp_path / "bad", good_config(annotations={"org.jailnet.ipv6": "fd00:17::50/64"})) == (
        "annotation-invalid: config.json annotation org.jailnet.ipv6: 'fd00:17::50/64' is not an IPv6 address; "
        "fix: use an IPv6 address inside the network's subnet6, e.g. fd00:17::50")


def test_add_sets_the_annotations(tmp_path: Path) -> None:
    path = make_bundle(tmp_path, good_config(annotations={"org.example.keep": "1"}))
    code, out, _ = jailnet("bundle", "add", str(path), "--jailnet", JAILNET, "--network", "backend", "--ip",
                           " 10.88.0.10", "--nameserver", "9.9.9.9,149.112.112.112", "--search", "a.example",
                           "--search", "b.example")
    assert code == 0
    assert out.splitlines() == [
        "config.json: set annotation org.jailnet.network=backend",
        "config.json: set annotation org.jailnet.ipv4=10.88.0.10",
        "config.json: set annotation org.jailnet.nameservers=9.9.9.9,149.112.112.112",
        "config.json: set annotation org.jailnet.search=a.example,b.example",
        "runj.ext.json: created",
        RECORDED,
    ]
    assert json.loads((path / "config.json").read_text())["annotations"] == {
        "org.example.keep": "1",
        "org.jailnet.network": "backend",
        "org.jailnet.ipv4": "10.88.0.10",
        "org.jailnet.nameservers": "9.9.9.9,149.112.112.112",
        "org.jailnet.search": "a.example,b.example",
    }


def test_no_dns_and_nameservers_replace_each_other(tmp_path: Path) -> None:
    path = make_bundle(tmp_path, good_config(annotations={"org.jailnet.nameservers": "9.9.9.9",
                                                          "org.jailnet.search": "x.example"}))
    code, out, _ = jailnet("bundle", "add", str(path), "--jailnet", JAILNET, "--no-dns")
    assert out.splitlines()[:3] == ["config.json: removed annotation org.jailnet.nameservers",
                                    "config.json: removed annotation org.jailnet.search",
                                    "config.json: set annotation org.jailnet.dns=none"]
    code, out, _ = jailnet("bundle", "add", str(path), "--jailnet", JAILNET, "--nameserver", "1.1.1.1")
    assert out.splitlines() == ["config.json: removed annotation org.jailnet.dns",
                                "config.json: set annotation org.jailnet.nameservers=1.1.1.1"]
    assert json.loads((path / "config.json").read_text())["annotations"] == {"org.jailnet.nameservers": "1.1.1.1"}


def test_add_without_options_keeps_existing_annotations(tmp_path: Path) -> None:
    annotations = {"org.jailnet.ipv4": "172.17.0.50"}
    path = make_bundle(tmp_path, good_config(annotations=annotations), {"network": {"vnet": {"mode": "new"}}})
    assert jailnet("bundle", "add", str(path), "--jailnet", JAILNET) == (0, "nothing to change\n", "")


def test_hook_order_createruntime_last_poststop_first(tmp_path: Path) -> None:
    other_create = {"path": "/usr/local/libexec/register", "args": ["register"]}
    other_stop = {"path": "/usr/local/libexec/unregister", "args": ["unregister"]}
    path = make_bundle(tmp_path, good_config(hooks={"createRuntime": [other_create], "poststop": [other_stop]}))
    jailnet("bundle", "add", str(path), "--jailnet", JAILNET)
    hooks = json.loads((path / "config.json").read_text())["hooks"]
    assert hooks["createRuntime"] == [other_create, hook("createRuntime")]
    assert hooks["poststop"] == [hook("poststop"), other_stop]


def test_existing_jailnet_entries_are_updated_in_place(tmp_path: Path) -> None:
    """Position, extra options and other environment variables stay; path, PATH, timeout change."""
    other = {"path": "/usr/local/libexec/register", "args": ["register"]}
    old = {"path": "/opt/jailnet/bin/jailnet", "args": ["jailnet", "hook", "create-runtime", "--config", "/x.toml"],
           "env": ["JAILNET_STATE_DIR=/tmp/s", "PATH=/bin"], "timeout": 10, "x-note": "kept"}
    duplicate = hook("createRuntime")
    path = make_bundle(tmp_path, good_config(hooks={"createRuntime": [old, other, duplicate],
                                                    "poststop": [other, hook("poststop")]}))
    code, out, _ = jailnet("bundle", "add", str(path), "--jailnet", JAILNET)
    assert out.splitlines()[:3] == ["config.json: updated createRuntime hook",
                                    "config.json: removed 1 duplicate createRuntime hook(s)",
                                    "runj.ext.json: created"]
    hooks = json.loads((path / "config.json").read_text())["hooks"]
    assert hooks["createRuntime"] == [
        {"path": JAILNET, "args": ["jailnet", "hook", "createRuntime", "--config", "/x.toml"],
         "env": ["JAILNET_STATE_DIR=/tmp/s", PATH_ENV], "timeout": 30, "x-note": "kept"},
        other,
    ]
    assert hooks["poststop"] == [other, hook("poststop")]  # already jailnet's: left where it is


def test_add_moves_a_prestart_registration_to_createruntime(tmp_path: Path) -> None:
    path = make_bundle(tmp_path, good_config(hooks={"prestart": [hook("prestart")]}))
    code, out, _ = jailnet("bundle", "add", str(path), "--jailnet", JAILNET)
    assert out.splitlines()[:3] == ["config.json: removed prestart hook", "config.json: added createRuntime hook",
                                    "config.json: added poststop hook"]
    assert list(json.loads((path / "config.json").read_text())["hooks"]) == ["createRuntime", "poststop"]


def test_add_merges_runj_ext_json(tmp_path: Path) -> None:
    path = make_bundle(tmp_path, good_config())
    (path / "runj.ext.json").write_text('{\n  "x-owner": "me",\n  "network": {"vnet": {"mode": "inherit"}}\n}\n')
    assert jailnet("bundle", "add", str(path), "--jailnet", JAILNET)[1] == (
        f"runj.ext.json: set network.vnet.mode=new\n{RECORDED}\n")
    assert (path / "runj.ext.json").read_text() == (  # only the value that changed
        '{\n  "x-owner": "me",\n  "network": {"vnet": {"mode": "new"}}\n}\n')


def test_add_reports_what_it_cannot_fix(tmp_path: Path) -> None:
    path = make_bundle(tmp_path, good_config(freebsd={"jail": {"vnet": "new", "ip4Addr": ["192.0.2.5"]}}))
    code, out, err = jailnet("bundle", "add", str(path), "--jailnet", JAILNET)
    assert code == 1 and out == f"runj.ext.json: created\n{RECORDED}\n"
    assert err.splitlines() == [
        'jailnet: bundle add: still wrong: ip-restriction: config.json freebsd.jail.ip4Addr is ["192.0.2.5"]: '
        'the kernel refuses '
        'a vnet jail with IP address restrictions (EINVAL, kern_jail.c: "vnet jails cannot have IP address '
        'restrictions"); fix: remove config.json freebsd.jail.ip4Addr; jailnet gives the jail its address inside '
        'its vnet']


def test_add_finds_jailnet_itself(tmp_path: Path, runc_bundle: Path) -> None:
    """Without --jailnet (and not run as ``jailnet``) in a bundle without a jailnet entry: the
    jailnet on PATH, made absolute. Once the bundle has entries, their path is kept."""
    bindir = tmp_path / "bin"
    bindir.mkdir()
    (bindir / "jailnet").write_text("#!/bin/sh\n")
    (bindir / "jailnet").chmod(0o755)
    assert jailnet("bundle", "add", str(runc_bundle), environ={"PATH": str(bindir)})[0] == 0
    config = json.loads((runc_bundle / "config.json").read_text())
    assert config["hooks"]["poststop"][0]["path"] == str(bindir / "jailnet")
    assert jailnet("bundle", "add", str(runc_bundle), environ={"PATH": str(tmp_path / "nowhere")}) == (
        0, "nothing to change\n", "")
    plain = tmp_path / "plain"
    plain.mkdir()
    (plain / "config.json").write_text(RUNC_SPEC)
    code, _, err = jailnet("bundle", "add", str(plain), environ={"PATH": str(tmp_path / "nowhere")})
    assert (code, err) == (2, "jailnet: bundle add: --jailnet: cannot tell where jailnet is installed; pass --jailnet "
                              "/absolute/path/jailnet\n")


# --- add keeps the hook path a bundle has --------------------------------------------------------

EXAMPLES = Path(__file__).resolve().parent.parent / "examples" / "bundles"


def run_add(bundle: Path, program: str, *options: str) -> tuple[int, str, str]:
    """``bundle add`` as the jailnet installed at ``program`` runs it."""
    args = build_parser().parse_args(["bundle", "add", str(bundle), *options])
    out, err = io.StringIO(), io.StringIO()
    console = Console(out=out, err=err, environ={}, run=no_commands, program=program)
    return bundle_mod.main(args, console), out.getvalue(), err.getvalue()


def test_add_keeps_an_existing_hook_path(tmp_path: Path) -> None:
    """A bundle written for /usr/local/bin/jailnet stays so when a jailnet elsewhere edits it,
    and the entry it lacks gets the same path; only --jailnet changes it."""
    installed = "/usr/local/bin/jailnet"
    path = make_bundle(tmp_path, good_config(hooks={"createRuntime": [hook("createRuntime", path=installed)]}))
    code, out, err = run_add(path, "/home/me/venv/bin/jailnet", "--ip", "172.17.0.9")
    assert (code, err) == (0, "")
    assert "config.json: updated createRuntime hook" not in out
    hooks = json.loads((path / "config.json").read_text())["hooks"]
    assert [e["path"] for e in hooks["createRuntime"] + hooks["poststop"]] == [installed, installed]
    code, out, _ = run_add(path, "/home/me/venv/bin/jailnet", "--jailnet", "/opt/jailnet/bin/jailnet")
    assert out.splitlines()[:2] == ["config.json: updated createRuntime hook", "config.json: updated poststop hook"]
    hooks = json.loads((path / "config.json").read_text())["hooks"]
    assert [e["path"] for e in hooks["createRuntime"] + hooks["poststop"]] == ["/opt/jailnet/bin/jailnet"] * 2


def test_add_replaces_a_hook_path_that_is_not_absolute(tmp_path: Path) -> None:
    path = make_bundle(tmp_path, good_config(hooks={"createRuntime": [hook("createRuntime", path="bin/jailnet")],
                                                    "poststop": [hook("poststop", path="bin/jailnet")]}))
    assert run_add(path, "/opt/venv/bin/jailnet")[0] == 0
    hooks = json.loads((path / "config.json").read_text())["hooks"]
    assert [e["path"] for e in hooks["createRuntime"] + hooks["poststop"]] == ["/opt/venv/bin/jailnet"] * 2


@pytest.mark.parametrize("name", ["vnet-nat", "static-dns"])
def test_installed_add_leaves_an_example_as_it_is(jailnet_argv: list[str], tmp_path: Path, name: str) -> None:
    """Through the installed executable, without --jailnet: its own path is elsewhere, and the
    examples' /usr/local/bin/jailnet stays."""
    bundle = Path(shutil.copytree(EXAMPLES / name, tmp_path / name))
    proc = subprocess.run([*jailnet_argv, "bundle", "add", str(bundle)], capture_output=True, text=True, env={},
                          check=False, timeout=60)
    assert (proc.returncode, proc.stdout, proc.stderr) == (0, "nothing to change\n", "")
    assert files(bundle) == files(EXAMPLES / name)


def test_resolve_jailnet_prefers_the_running_program() -> None:
    def nowhere() -> str | None:
        raise AssertionError("PATH searched")

    assert bundle_mod.resolve_jailnet(None, "/opt/venv/bin/jailnet", nowhere) == "/opt/venv/bin/jailnet"
    assert bundle_mod.resolve_jailnet(None, "bin/jailnet", nowhere) == os.path.abspath("bin/jailnet")
    assert bundle_mod.resolve_jailnet("/x/jailnet", "/opt/venv/bin/jailnet", nowhere) == "/x/jailnet"
    assert bundle_mod.resolve_jailnet(None, "/usr/bin/pytest", lambda: "/usr/local/bin/jailnet") == (
        "/usr/local/bin/jailnet")


def no_commands(argv: object, *, stdin: str | None = None) -> Any:
    raise AssertionError(f"bundle ran a command: {argv}")


def test_add_takes_the_running_jailnet_from_console_program(runc_bundle: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """Console.program is the running jailnet's argv[0]; sys.argv is not read behind its back."""
    monkeypatch.setattr("sys.argv", ["/elsewhere/jailnet"])
    args = build_parser().parse_args(["bundle", "add", str(runc_bundle)])
    out, err = io.StringIO(), io.StringIO()
    console = Console(out=out, err=err, environ={}, run=no_commands, program="/opt/venv/bin/jailnet")
    assert (bundle_mod.main(args, console), err.getvalue()) == (0, "")
    config = json.loads((runc_bundle / "config.json").read_text())
    assert [e["path"] for e in config["hooks"]["poststop"]] == ["/opt/venv/bin/jailnet"]


def test_writes_go_through_files_replace_durably_with_the_mode_kept(runc_bundle: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[tuple[Path, int, bool, tuple[int, int] | None]] = []
    real_replace = files_mod.replace

    def spy(path: Path, data: bytes, *, mode: int, durable: bool, owner: tuple[int, int] | None = None) -> None:
        calls.append((path, mode, durable, owner))
        real_replace(path, data, mode=mode, durable=durable, owner=owner)

    monkeypatch.setattr(files_mod, "replace", spy)
    assert jailnet("bundle", "add", str(runc_bundle), "--jailnet", JAILNET)[0] == 0
    real = Path(os.path.realpath(runc_bundle))
    info = (real / "config.json").stat()
    owner = (info.st_uid, info.st_gid) if os.geteuid() == 0 else None  # only root gives files away
    assert calls == [(real / ".jailnet-undo.json", 0o640, True, owner), (real / "config.json", 0o640, True, owner),
                     (real / "runj.ext.json", 0o640, True, owner)]
    calls.clear()
    assert jailnet("bundle", "add", str(runc_bundle), "--jailnet", JAILNET)[1] == "nothing to change\n"
    assert calls == []  # an unchanged file is not written


def test_a_failed_write_is_exit_1_naming_the_bundle_file(runc_bundle: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The OSError from the temporary file (no file name, or the temp name) is reported as the file
    jailnet was writing: the undo record, the first one."""
    def fail(fd: int) -> None:
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(os, "fsync", fail)
    code, out, err = jailnet("bundle", "add", str(runc_bundle), "--jailnet", JAILNET)
    assert (code, out, err) == (
        1, "", f"jailnet: bundle add: {runc_bundle / '.jailnet-undo.json'}: Input/output error\n")
    assert (runc_bundle / "config.json").read_text() == RUNC_SPEC
    assert sorted(p.name for p in runc_bundle.iterdir()) == ["config.json"]


@pytest.mark.parametrize(
    ("options", "line"),
    [
        (["--ip", "10.88.0"], "--ip: '10.88.0' is not an IPv4 address"),
        (["--ip", "::1"], "--ip: '::1' is not an IPv4 address"),
        (["--ip6", "10.88.0.10"], "--ip6: '10.88.0.10' is not an IPv6 address"),
        (["--nameserver", "dns.example"], "--nameserver: 'dns.example' is not an IP address"),
        (["--nameserver", "1.1.1.1,2.2.2.2,3.3.3.3,4.4.4.4"],
         "--nameserver: at most 3 nameservers are used (resolver(5) MAXNS), got 4"),
        (["--nameserver", ","], "--nameserver: empty (use --no-dns to leave resolv.conf alone)"),
        (["--search", "bad domain"], "--search: 'bad domain' is not a domain name"),
        (["--network", "no/slash"], "--network: 'no/slash' is not a network name (letters, digits, '.', '_', '-')"),
        (["--no-dns", "--nameserver", "1.1.1.1"], "--no-dns: cannot be combined with --nameserver"),
        (["--timeout", "0"], "--timeout: 0 is not > 0 (runtime-spec config.md; runj kills a hook with timeout 0 at "
                             "once)"),
        (["--jailnet", "bin/jailnet"], "--jailnet: 'bin/jailnet' is not an absolute path (runtime-spec config.md: "
                                       "a hook path MUST be absolute)"),
    ],
)
def test_bad_options_exit_2_with_one_line(runc_bundle: Path, options: list[str], line: str) -> None:
    argv = ["bundle", "add", str(runc_bundle), *options]
    if "--jailnet" not in options:
        argv += ["--jailnet", JAILNET]
    assert jailnet(*argv) == (2, "", f"jailnet: bundle add: {line}\n")
    assert (runc_bundle / "config.json").read_text() == RUNC_SPEC  # nothing touched
    assert not (runc_bundle / "runj.ext.json").exists()


def test_timeout_must_be_a_number(runc_bundle: Path) -> None:
    code, out, err = jailnet("bundle", "add", str(runc_bundle), "--timeout", "soon")
    assert (code, out) == (2, "") and err.count("\n") == 1 and "--timeout" in err


@pytest.mark.parametrize("action", [["add", "--jailnet", JAILNET], ["remove"], ["check"], ["check", "--json"]])
def test_a_bundle_without_config_json_is_exit_2(tmp_path: Path, action: list[str]) -> None:
    code, out, err = jailnet("bundle", action[0], str(tmp_path), *action[1:])
    assert (code, out) == (2, "")
    assert err == (f"jailnet: bundle {action[0]}: {tmp_path / 'config.json'}: no such file "
                   "(a bundle directory holds config.json)\n")


@pytest.mark.parametrize("action", [["add", "--jailnet", JAILNET], ["remove"], ["check"]])
def test_invalid_json_is_exit_2(tmp_path: Path, action: list[str]) -> None:
    (tmp_path / "config.json").write_text('{"ociVersion": ')
    code, out, err = jailnet("bundle", action[0], str(tmp_path), *action[1:])
    assert (code, out) == (2, "")
    assert err.startswith(f"jailnet: bundle {action[0]}: {tmp_path / 'config.json'}: not valid JSON (")
    assert err.count("\n") == 1


def test_a_bundle_that_is_not_a_directory_is_exit_2(tmp_path: Path) -> None:
    assert jailnet("bundle", "check", str(tmp_path / "nope")) == (
        2, "", f"jailnet: bundle check: {tmp_path / 'nope'}: not a directory "
               "(BUNDLE is the directory that holds config.json)\n")


def test_config_json_must_be_an_object(tmp_path: Path) -> None:
    (tmp_path / "config.json").write_text("[]")
    assert jailnet("bundle", "check", str(tmp_path)) == (
        2, "", f"jailnet: bundle check: {tmp_path / 'config.json'}: expected a JSON object, got an array\n")


def test_add_refuses_to_edit_a_malformed_section(tmp_path: Path) -> None:
    path = make_bundle(tmp_path, good_config(hooks=[]))
    assert jailnet("bundle", "add", str(path), "--jailnet", JAILNET) == (
        2, "", "jailnet: bundle add: config.json: hooks: expected a JSON object, got an array; fix it by hand\n")


# --- remove -------------------------------------------------------------------------------------


def test_remove_undoes_add_and_check_then_reports_missing_hooks(runc_bundle: Path) -> None:
    """The undo record shows add created the hooks, the vnet request and runj.ext.json: remove
    takes them all out, and config.json is byte for byte what runc spec wrote."""
    jailnet("bundle", "add", str(runc_bundle), "--jailnet", JAILNET, "--ip", "172.17.0.50")
    code, out, err = jailnet("bundle", "remove", str(runc_bundle))
    assert (code, err) == (0, "")
    assert out.splitlines() == [
        "config.json: removed createRuntime hook",
        "config.json: removed poststop hook",
        "config.json: removed annotation org.jailnet.ipv4",
        "config.json: removed freebsd.jail.vnet (set by bundle add)",
        "runj.ext.json: removed (created by bundle add)",
        ".jailnet-undo.json: removed",
    ]
    assert (runc_bundle / "config.json").read_text() == RUNC_SPEC
    assert sorted(p.name for p in runc_bundle.iterdir()) == ["config.json"]
    code, lines = check_lines(runc_bundle)
    assert code == 1 and [line.split(":")[0] for line in lines] == [
        "hook-missing", "hook-missing", "vnet-missing", "warning", "warning"]
    assert lines[0] == ("hook-missing: config.json hooks.createRuntime has no jailnet entry: the container gets no "
                        f"network; fix: run jailnet bundle add {runc_bundle}")


def test_remove_without_a_record_keeps_the_vnet_request(tmp_path: Path) -> None:
    """A bundle jailnet was put into by hand: the vnet request may predate jailnet, so it stays;
    the hooks and annotations objects that remove empties go."""
    path = make_bundle(tmp_path, good_config(annotations={"org.jailnet.ipv4": "172.17.0.50"}),
                       {"network": {"vnet": {"mode": "new"}}})
    code, out, err = jailnet("bundle", "remove", str(path))
    assert (code, err) == (0, "")
    assert out.splitlines() == [
        "config.json: removed createRuntime hook",
        "config.json: removed poststop hook",
        "config.json: removed annotation org.jailnet.ipv4",
        "kept the vnet request (config.json freebsd.jail.vnet, runj.ext.json): it may predate jailnet; remove it by "
        "hand if unwanted",
    ]
    assert json.loads((path / "config.json").read_text()) == {
        "ociVersion": "1.0.2", "root": {"path": "root"}, "freebsd": {"jail": {"vnet": "new"}}}
    assert (path / "runj.ext.json").exists()


#: runc spec with ``"annotations": {}``, which remove must keep.
RUNC_SPEC_ANNOTATED = RUNC_SPEC.replace('\t"hostname": "runc",\n', '\t"hostname": "runc",\n\t"annotations": {},\n')


@pytest.mark.parametrize("spec", [RUNC_SPEC, RUNC_SPEC_ANNOTATED], ids=["no-annotations", "empty-annotations"])
def test_remove_after_add_gives_back_every_byte(tmp_path: Path, spec: str) -> None:
    (tmp_path / "config.json").write_text(spec)
    code, out, err = jailnet("bundle", "add", str(tmp_path), "--jailnet", JAILNET, "--ip", "172.17.0.9",
                             "--nameserver", "9.9.9.9")
    assert (code, err) == (0, "")
    assert jailnet("bundle", "remove", str(tmp_path))[0] == 0
    assert (tmp_path / "config.json").read_text() == spec
    assert sorted(p.name for p in tmp_path.iterdir()) == ["config.json"]


def test_installed_remove_after_add_gives_back_every_byte(jailnet_argv: list[str], tmp_path: Path) -> None:
    (tmp_path / "config.json").write_text(RUNC_SPEC_ANNOTATED)

    def bundle(*argv: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([*jailnet_argv, "bundle", *argv], capture_output=True, text=True, env={}, check=False,
                              timeout=60)

    assert bundle("add", str(tmp_path), "--jailnet", JAILNET, "--ip", "172.17.0.9").returncode == 0
    proc = bundle("remove", str(tmp_path))
    assert (proc.returncode, proc.stderr) == (0, "")
    assert proc.stdout.splitlines() == [
        "config.json: removed createRuntime hook",
        "config.json: removed poststop hook",
        "config.json: removed annotation org.jailnet.ipv4",
        "config.json: removed freebsd.jail.vnet (set by bundle add)",
        "runj.ext.json: removed (created by bundle add)",
        ".jailnet-undo.json: removed",
    ]
    assert files(tmp_path) == {"config.json": RUNC_SPEC_ANNOTATED.encode()}


@pytest.mark.parametrize(
    ("extension", "line"),
    [
        ('{\n  "x-owner": "me",\n  "network": {"vnet": {"mode": "inherit"}}\n}\n',
         "runj.ext.json: set network.vnet.mode=inherit again (as before bundle add)"),
        ('{"x-owner":"me"}', "runj.ext.json: removed network.vnet.mode (set by bundle add)"),
    ],
    ids=["mode-changed", "request-added"],
)
def test_remove_gives_back_the_runj_ext_json_add_edited(tmp_path: Path, extension: str, line: str) -> None:
    path = make_bundle(tmp_path, {"ociVersion": "1.0.2", "root": {"path": "root"}})
    (path / "runj.ext.json").write_text(extension)
    before = files(path)
    assert jailnet("bundle", "add", str(path), "--jailnet", JAILNET)[0] == 0
    code, out, _ = jailnet("bundle", "remove", str(path))
    assert code == 0 and line in out.splitlines()
    assert files(path) == before


def test_remove_keeps_what_was_added_to_a_created_runj_ext_json(tmp_path: Path) -> None:
    """runj.ext.json was add's, but someone put more into it since: only the vnet request goes."""
    path = make_bundle(tmp_path, {"ociVersion": "1.0.2", "root": {"path": "root"}})
    jailnet("bundle", "add", str(path), "--jailnet", JAILNET)
    (path / "runj.ext.json").write_text('{"network":{"vnet":{"mode":"new"}},"x-owner":"me"}\n')
    code, out, _ = jailnet("bundle", "remove", str(path))
    assert "runj.ext.json: removed network.vnet.mode (set by bundle add)" in out.splitlines()
    assert (path / "runj.ext.json").read_text() == '{"x-owner":"me"}\n'


def test_remove_keeps_a_vnet_request_that_was_there_before_add(tmp_path: Path) -> None:
    config = {"ociVersion": "1.0.2", "root": {"path": "root"}, "freebsd": {"jail": {"vnet": "new"}}}
    path = make_bundle(tmp_path, config, {"network": {"vnet": {"mode": "new"}}})
    before = files(path)
    assert jailnet("bundle", "add", str(path), "--jailnet", JAILNET)[0] == 0
    code, out, _ = jailnet("bundle", "remove", str(path))
    assert out.splitlines()[-1] == ("kept the vnet request (config.json freebsd.jail.vnet, runj.ext.json): it was "
                                    "there before jailnet bundle add; remove it by hand if unwanted")
    assert files(path) == before


def test_remove_with_an_unreadable_record_removes_only_what_is_jailnets(tmp_path: Path) -> None:
    (tmp_path / "config.json").write_text(RUNC_SPEC_ANNOTATED)
    jailnet("bundle", "add", str(tmp_path), "--jailnet", JAILNET, "--ip", "172.17.0.9")
    (tmp_path / ".jailnet-undo.json").write_text("{")
    code, out, err = jailnet("bundle", "remove", str(tmp_path))
    assert (code, err) == (0, "")
    assert out.splitlines()[-2:] == [
        "kept the vnet request (config.json freebsd.jail.vnet, runj.ext.json): it may predate jailnet; remove it by "
        "hand if unwanted",
        ".jailnet-undo.json: not used (Expecting property name enclosed in double quotes: line 1 column 2 (char 1)): "
        "removed only what is jailnet's for sure",
    ]
    config = json.loads((tmp_path / "config.json").read_text())
    assert "hooks" not in config and "annotations" not in config and config["freebsd"] == {"jail": {"vnet": "new"}}
    assert not (tmp_path / ".jailnet-undo.json").exists()


def test_remove_twice_changes_nothing(runc_bundle: Path) -> None:
    jailnet("bundle", "add", str(runc_bundle), "--jailnet", JAILNET)
    jailnet("bundle", "remove", str(runc_bundle))
    before = files(runc_bundle)
    assert jailnet("bundle", "remove", str(runc_bundle)) == (0, "nothing to change\n", "")
    assert files(runc_bundle) == before


def test_remove_keeps_other_hooks_and_containers_it_did_not_empty(tmp_path: Path) -> None:
    other = {"path": "/usr/local/libexec/unregister", "args": ["unregister"]}
    gc = {"path": JAILNET, "args": ["jailnet", "gc"]}
    path = make_bundle(tmp_path, good_config(
        hooks={"prestart": [], "createRuntime": [hook("createRuntime")], "poststop": [hook("poststop"), other, gc]},
        annotations={"org.example": "x", "org.jailnet.dns": "none"}))
    jailnet("bundle", "remove", str(path))
    config = json.loads((path / "config.json").read_text())
    assert config["hooks"] == {"prestart": [], "poststop": [other, gc]}
    assert config["annotations"] == {"org.example": "x"}


# --- check: one test per defect, exact line ------------------------------------------------------


def test_check_accepts_a_good_bundle_and_env_without_path(tmp_path: Path) -> None:
    """A set env without PATH is fine: jailnet then searches /sbin:/bin:/usr/sbin:/usr/bin."""
    config = good_config(hooks={"createRuntime": [hook("createRuntime", env=[])], "poststop": [hook("poststop")]})
    assert check_lines(make_bundle(tmp_path, config)) == (0, [f"{tmp_path / 'b'}: ready for jailnet"])


def only_problem(tmp_path: Path, config: dict[str, Any], extension: object = None) -> str:
    code, lines = check_lines(make_bundle(tmp_path, config, extension))
    assert code == 1 and len(lines) == 1, lines
    return lines[0]


def with_hook(kind: str, entry: dict[str, Any]) -> dict[str, Any]:
    hooks = {"createRuntime": [hook("createRuntime")], "poststop": [hook("poststop")]}
    hooks[kind] = [entry]
    return good_config(hooks=hooks)


def test_check_prestart_only(tmp_path: Path) -> None:
    config = good_config(hooks={"prestart": [hook("prestart")], "poststop": [hook("poststop")]})
    assert only_problem(tmp_path, config) == (
        "prestart-only: config.json hooks.prestart runs jailnet but hooks.createRuntime does not: runj never runs "
        f"prestart hooks, so the container gets no network; fix: move the entry to hooks.createRuntime (jailnet "
        f"bundle add {tmp_path / 'b'} does)")


@pytest.mark.parametrize(("args", "state"), [(None, "absent"), ([], "empty")])
def test_check_hook_args_absent_or_empty(tmp_path: Path, args: list[str] | None, state: str) -> None:
    entry = hook("createRuntime")
    del entry["args"]
    if args is not None:
        entry["args"] = args
    assert only_problem(tmp_path, with_hook("createRuntime", entry)) == (
        f"hook-args: config.json hooks.createRuntime[0].args is {state}: runj runs path with args[1:] and panics "
        'without args[0] (runj hook/hook.go); fix: set "args": ["jailnet", "hook", "createRuntime"]')


def test_check_hook_args_that_run_the_wrong_thing(tmp_path: Path) -> None:
    entry = hook("poststop", args=["hook", "poststop"])  # args[0] forgotten: runj runs `jailnet poststop`
    assert only_problem(tmp_path, with_hook("poststop", entry)) == (
        'hook-args: config.json hooks.poststop[0].args is ["hook", "poststop"]: runj runs path with args[1:], '
        'i.e. `jailnet poststop`, not `jailnet hook poststop`; fix: set "args": ["jailnet", "hook", "poststop"]')


def test_check_hook_of_the_wrong_kind(tmp_path: Path) -> None:
    entry = hook("createRuntime", args=["jailnet", "hook", "poststop"])
    assert only_problem(tmp_path, with_hook("createRuntime", entry)) == (
        'hook-args: config.json hooks.createRuntime[0].args is ["jailnet", "hook", "poststop"]: runj runs path '
        "with args[1:], i.e. `jailnet hook poststop`, not `jailnet hook createRuntime`; fix: set \"args\": "
        '["jailnet", "hook", "createRuntime"]')


def test_check_hook_args_with_only_the_program_name(tmp_path: Path) -> None:
    entry = hook("createRuntime", args=["jailnet"])  # runs `jailnet`: the help text, exit 0, no network
    assert only_problem(tmp_path, with_hook("createRuntime", entry)) == (
        'hook-args: config.json hooks.createRuntime[0].args is ["jailnet"]: runj runs path with args[1:], i.e. '
        '`jailnet`, not `jailnet hook createRuntime`; fix: set "args": ["jailnet", "hook", "createRuntime"]')


def test_check_accepts_other_spellings_of_the_kind(tmp_path: Path) -> None:
    config = good_config(hooks={"createRuntime": [hook("createRuntime", args=["jailnet", "hook", "prestart"])],
                                "poststop": [hook("poststop", args=["jailnet", "hook", "post-stop", "--config",
                                                                    "/etc/j.toml"])]})
    assert check_lines(make_bundle(tmp_path, config))[0] == 0


def test_check_hook_path_not_absolute(tmp_path: Path) -> None:
    assert only_problem(tmp_path, with_hook("poststop", hook("poststop", path="bin/jailnet"))) == (
        'hook-path: config.json hooks.poststop[0].path is "bin/jailnet", not absolute: runtime-spec config.md '
        "requires an absolute path; fix: set it to where jailnet is installed (`which jailnet`, e.g. "
        "/usr/local/bin/jailnet)")


def test_check_hook_env_path_without_sbin(tmp_path: Path) -> None:
    entry = hook("createRuntime", env=["PATH=/usr/bin:/bin", "LANG=C"])
    assert only_problem(tmp_path, with_hook("createRuntime", entry)) == (
        "hook-env: config.json hooks.createRuntime[0].env sets PATH=/usr/bin:/bin, without /sbin and /usr/sbin: "
        "jailnet runs ifconfig, route, pfctl and sysctl from /sbin, jls and jexec from /usr/sbin; fix: use "
        '"PATH=/sbin:/bin:/usr/sbin:/usr/bin"')


def test_check_hook_without_timeout(tmp_path: Path) -> None:
    entry = hook("poststop")
    del entry["timeout"]
    assert only_problem(tmp_path, with_hook("poststop", entry)) == (
        "hook-timeout: config.json hooks.poststop[0] has no timeout: a command that hangs would hold runj forever; "
        'fix: set "timeout": 30')


@pytest.mark.parametrize("timeout", [0, -5])
def test_check_hook_timeout_not_positive(tmp_path: Path, timeout: int) -> None:
    assert only_problem(tmp_path, with_hook("createRuntime", hook("createRuntime", timeout=timeout))) == (
        f"hook-timeout: config.json hooks.createRuntime[0].timeout is {timeout}: runtime-spec config.md requires "
        '> 0, and runj kills the hook at once; fix: set "timeout": 30')


def test_check_hook_timeout_not_a_number(tmp_path: Path) -> None:
    assert only_problem(tmp_path, with_hook("createRuntime", hook("createRuntime", timeout="30"))) == (
        'hook-timeout: config.json hooks.createRuntime[0].timeout is "30", not a whole number of seconds; fix: '
        'set "timeout": 30')


def test_check_no_vnet(tmp_path: Path) -> None:
    assert only_problem(tmp_path, good_config(freebsd={"jail": {"host": "new"}})) == (
        "vnet-missing: no vnet requested: neither runj.ext.json network.vnet.mode, config.json freebsd.jail.vnet "
        '(runj >= 0.2) nor freebsd.network.vnet.mode (runj 0.1.0) is "new", so the jail shares the host\'s network '
        "stack and jailnet's createRuntime refuses it; fix: write {\"network\":{\"vnet\":{\"mode\":\"new\"}}} to "
        f"runj.ext.json (jailnet bundle add {tmp_path / 'b'} does)")


@pytest.mark.parametrize("freebsd", [{"jail": {"vnet": "new"}}, {"network": {"vnet": {"mode": "new"}}}, None],
                         ids=["runj-0.2", "runj-0.1", "runj.ext.json"])
def test_check_any_vnet_request_will_do(tmp_path: Path, freebsd: dict[str, Any] | None) -> None:
    ext = {"network": {"vnet": {"mode": "new"}}} if freebsd is None else None
    assert check_lines(make_bundle(tmp_path, good_config(freebsd=freebsd), ext))[0] == 0


def test_check_vnet_overridden_by_runj_ext_json(tmp_path: Path) -> None:
    line = only_problem(tmp_path, good_config(), {"network": {"vnet": {"mode": "inherit"}}})
    assert line.startswith('vnet-missing: runj.ext.json network.vnet.mode is "inherit", which overrides config.json: '
                           "runj gives the jail no vnet of its own, and jailnet's createRuntime refuses such a jail")


@pytest.mark.parametrize(
    ("config_freebsd", "extension", "label"),
    [
        ({"jail": {"vnet": "new", "vnetInterfaces": ["epair0b"]}}, None, "config.json freebsd.jail.vnetInterfaces"),
        ({"jail": {"vnet": "new"}}, {"network": {"vnet": {"mode": "new", "interfaces": ["epair0b"]}}},
         "runj.ext.json network.vnet.interfaces"),
        ({"jail": {"vnet": "new"}, "network": {"vnet": {"interfaces": ["epair0b"]}}}, None,
         "config.json freebsd.network.vnet.interfaces"),
    ],
)
def test_check_interfaces_moved_in_by_runj(tmp_path: Path, config_freebsd: dict[str, Any], extension: object,
                                           label: str) -> None:
    assert only_problem(tmp_path, good_config(freebsd=config_freebsd), extension) == (
        f"vnet-interfaces: {label} lists epair0b: runj moves these into the jail before the hooks run, so each must "
        f"already exist, and jailnet creates its own epair afterwards; fix: remove {label}")


@pytest.mark.parametrize(
    ("config_freebsd", "extension", "label", "value"),
    [
        ({"jail": {"vnet": "new", "ip4": "new"}}, None, "config.json freebsd.jail.ip4", '"new"'),
        ({"jail": {"vnet": "new", "ip4Addr": ["192.0.2.5"]}}, None, "config.json freebsd.jail.ip4Addr",
         '["192.0.2.5"]'),
        ({"jail": {"vnet": "new", "ip6": "disable"}}, None, "config.json freebsd.jail.ip6", '"disable"'),
        ({"jail": {"vnet": "new"}}, {"network": {"vnet": {"mode": "new"}, "ipv4": {"mode": "new"}}},
         "runj.ext.json network.ipv4.mode", '"new"'),
        ({"jail": {"vnet": "new"}, "network": {"ipv4": {"addr": ["192.0.2.5"]}}}, None,
         "config.json freebsd.network.ipv4.addr", '["192.0.2.5"]'),
    ],
)
def test_check_ip_restrictions_with_a_vnet(tmp_path: Path, config_freebsd: dict[str, Any], extension: object,
                                           label: str, value: str) -> None:
    assert only_problem(tmp_path, good_config(freebsd=config_freebsd), extension) == (
        f"ip-restriction: {label} is {value}: the kernel refuses a vnet jail with IP address restrictions (EINVAL, "
        f'kern_jail.c: "vnet jails cannot have IP address restrictions"); fix: remove {label}; jailnet gives the '
        "jail its address inside its vnet")


@pytest.mark.parametrize(
    ("key", "value", "message", "fix"),
    [
        ("org.jailnet.network", "a b", "'a b' is not a network name (letters, digits, '.', '_', '-')",
         "use a network name from jailnet.toml"),
        ("org.jailnet.ipv4", "172.17.0", "'172.17.0' is not an IPv4 address",
         "use an IPv4 address inside the network's subnet, e.g. 172.17.0.50"),
        ("org.jailnet.nameservers", "1.1.1.1,ns.example", "'ns.example' is not an IP address",
         "use a comma list of at most 3 IP addresses"),
        ("org.jailnet.nameservers", " , ", "empty (use org.jailnet.dns=none to skip DNS)",
         "use a comma list of at most 3 IP addresses"),
        ("org.jailnet.search", "ok.example,not ok", "'not ok' is not a domain name",
         "use a comma list of at most 6 domain names"),
        ("org.jailnet.dns", "off", "'off' is not understood (only 'none')", 'use "none" or remove it'),
        ("org.jailnet.ports", "8080:80/sctp", "'8080:80/sctp': protocol 'sctp' is neither tcp nor udp",
         "use a comma list of [HOSTIP:]HOSTPORT:CONTAINERPORT[/tcp|/udp], e.g. 8080:80"),
    ],
)
def test_check_bad_annotation(tmp_path: Path, key: str, value: str, message: str, fix: str) -> None:
    assert only_problem(tmp_path, good_config(annotations={key: value})) == (
        f"annotation-invalid: config.json annotation {key}: {message}; fix: {fix}")


def test_check_unknown_annotation(tmp_path: Path) -> None:
    assert only_problem(tmp_path, good_config(annotations={"org.jailnet.ip": "172.17.0.5", "org.other": "x"})) == (
        "annotation-unknown: config.json annotation org.jailnet.ip: unknown (did you mean org.jailnet.ipv4 or "
        "org.jailnet.ipv6?): the hook refuses it; fix: use one of "
        "org.jailnet.network, org.jailnet.ipv4, org.jailnet.ipv6, org.jailnet.nameservers, org.jailnet.search, "
        "org.jailnet.dns, org.jailnet.ports, org.jailnet.aliases, org.jailnet.hosts")


def test_check_schema_errors_elsewhere(tmp_path: Path) -> None:
    config = good_config(freebsd={"jail": {"vnet": "new", "enforceStatfs": 300}},
                         hooks={"createRuntime": [hook("createRuntime"), {"path": "/x", "timeout": 0}],
                                "poststop": [hook("poststop")]})
    code, lines = check_lines(make_bundle(tmp_path, config))
    fix = "fix: correct the value (runtime-spec config.md, config-freebsd.md; runj docs/oci.md)"
    assert (code, lines) == (1, [
        f"invalid: config.json.hooks.createRuntime[1].timeout: must be > 0; {fix}",
        f"invalid: config.json.freebsd.jail.enforceStatfs: must be between 0 and 255; {fix}",
    ])


def test_check_does_not_repeat_what_a_jailnet_hook_check_said(tmp_path: Path) -> None:
    """ocispec also rejects timeout 0 and a relative path; the jailnet-specific line is enough."""
    code, lines = check_lines(make_bundle(tmp_path, with_hook("poststop", hook("poststop", timeout=0, path="j"))))
    assert [line.split(":")[0] for line in lines] == ["hook-path", "hook-timeout"]


def test_check_unreadable_runj_ext_json_is_a_problem(tmp_path: Path) -> None:
    path = make_bundle(tmp_path, good_config())
    (path / "runj.ext.json").write_text("{network")
    code, lines = check_lines(path)
    assert code == 1 and len(lines) == 1
    assert lines[0].startswith(f"invalid: {path / 'runj.ext.json'}: not valid JSON (")
    assert lines[0].endswith('; fix: write valid JSON, e.g. {"network": {"vnet": {"mode": "new"}}}')


def test_check_json_output(tmp_path: Path) -> None:
    path = make_bundle(tmp_path, good_config(annotations={"org.jailnet.dns": "off"}))
    code, out, err = jailnet("bundle", "check", str(path), "--json")
    assert (code, err) == (1, "")
    assert json.loads(out) == {
        "bundle": str(path),
        "ok": False,
        "problems": [{"code": "annotation-invalid",
                      "message": "config.json annotation org.jailnet.dns: 'off' is not understood (only 'none')",
                      "fix": 'use "none" or remove it'}],
        "warnings": [],
        "info": [],
    }
    path.joinpath("config.json").write_text(json.dumps(good_config()))
    assert json.loads(jailnet("bundle", "check", str(path), "--json")[1]) == {
        "bundle": str(path), "ok": True, "problems": [], "warnings": [], "info": []}


# --- check: what this host says -----------------------------------------------------------------

ELSEWHERE = "; a bundle for another host: check it there"


def host_check(path: Path, config_file: Path | None = None, *extra: str) -> tuple[int, list[str]]:
    """``bundle check`` with ``$JAILNET_CONFIG`` naming ``config_file`` (an empty one: only the
    built-in network), never this machine's /usr/local/etc/jailnet/jailnet.toml."""
    if config_file is None:
        config_file = path.parent / "empty.toml"
        config_file.write_text("")
    code, out, err = jailnet("bundle", "check", str(path), *extra, environ={"JAILNET_CONFIG": str(config_file)})
    assert err == ""
    return code, out.splitlines()


def test_check_a_hook_path_that_does_not_exist_here(tmp_path: Path) -> None:
    missing = str(tmp_path / "nowhere" / "jailnet")
    config = good_config(hooks={"createRuntime": [hook("createRuntime", path=missing)],
                                "poststop": [hook("poststop", path=missing)]})
    bundle = make_bundle(tmp_path, config)
    assert host_check(bundle) == (1, [
        f"hook-path-missing: config.json hooks.createRuntime[0].path and hooks.poststop[0].path: {missing} does not "
        "exist on this host: runj here could not run the hooks, and the container would get no network; fix: "
        f"install jailnet as {missing}, or point the hooks at this host's jailnet (jailnet bundle add {bundle} "
        f"--jailnet PATH){ELSEWHERE}"])


@pytest.mark.parametrize("kind", ["no-execute-bit", "directory", "dangling-symlink"])
def test_check_a_hook_path_runj_could_not_run(tmp_path: Path, kind: str) -> None:
    target = tmp_path / "bin" / "jailnet"
    target.parent.mkdir()
    if kind == "no-execute-bit":
        target.write_text("#!/bin/sh\n")
        target.chmod(0o644)
        code, state = "hook-path-not-executable", "has mode 0644, no execute bit,"
    elif kind == "directory":
        target.mkdir()
        code, state = "hook-path-not-executable", "is a directory"
    else:
        target.symlink_to(tmp_path / "gone")
        code, state = "hook-path-missing", "is a symbolic link to nothing"
    line = only_problem(tmp_path, with_hook("poststop", hook("poststop", path=str(target))))
    assert line.startswith(f"{code}: config.json hooks.poststop[0].path: {target} {state} on this host: runj here "
                           "could not run the hook, and the container would get no network; fix: ")
    assert line.endswith(ELSEWHERE)


@pytest.mark.parametrize(
    ("address", "problem"),
    [
        ("172.17.0.1", "172.17.0.1 is the gateway of network default"),
        ("172.17.0.0", "172.17.0.0 is the network address of 172.17.0.0/16"),
        ("172.17.255.255", "172.17.255.255 is the broadcast address of 172.17.0.0/16"),
        ("10.88.0.5", "10.88.0.5 is outside 172.17.0.0/16"),
    ],
)
def test_check_a_static_address_the_default_network_refuses(tmp_path: Path, address: str, problem: str) -> None:
    bundle = make_bundle(tmp_path, good_config(annotations={"org.jailnet.ipv4": address}))
    assert host_check(bundle) == (1, [
        f"ipv4-unusable: config.json annotation org.jailnet.ipv4: {problem} (config {tmp_path / 'empty.toml'}): "
        "jailnet's createRuntime would refuse the container here; fix: use a host address of 172.17.0.0/16 other "
        "than the gateway 172.17.0.1, e.g. 172.17.0.2"])


BACKEND = '[networks.backend]\nbridge = "jailnet1"\nsubnet = "10.88.0.0/24"\n'


def test_check_a_static_address_against_the_network_the_bundle_names(tmp_path: Path) -> None:
    toml = tmp_path / "jailnet.toml"
    toml.write_text(BACKEND)
    annotations = {"org.jailnet.network": "backend", "org.jailnet.ipv4": "10.88.0.1"}
    bundle = make_bundle(tmp_path, good_config(annotations=annotations))
    code, lines = host_check(bundle, toml)
    assert code == 1 and lines[0].startswith(
        f"ipv4-unusable: config.json annotation org.jailnet.ipv4: 10.88.0.1 is the gateway of network backend (config "
        f"{toml}): ")
    (bundle / "config.json").write_text(json.dumps(good_config(annotations={**annotations, "org.jailnet.ipv4":
                                                                            "10.88.0.10"})))
    assert host_check(bundle, toml) == (0, [f"{bundle}: ready for jailnet"])


def test_check_reads_the_configuration_the_hook_names(tmp_path: Path) -> None:
    """--config in the createRuntime entry's args (or JAILNET_CONFIG in its env) is the file the
    hook reads, whatever $JAILNET_CONFIG says where check runs."""
    toml = tmp_path / "jailnet.toml"
    toml.write_text(BACKEND)
    create = hook("createRuntime", args=["jailnet", "hook", "createRuntime", "--config", str(toml)])
    config = good_config(hooks={"createRuntime": [create], "poststop": [hook("poststop")]},
                         annotations={"org.jailnet.network": "backend", "org.jailnet.ipv4": "10.88.0.10"})
    bundle = make_bundle(tmp_path, config)
    assert host_check(bundle) == (0, [f"{bundle}: ready for jailnet"])
    create = hook("createRuntime", env=[PATH_ENV, f"JAILNET_CONFIG={toml}"])
    config["hooks"]["createRuntime"] = [create]
    (bundle / "config.json").write_text(json.dumps(config))
    assert host_check(bundle) == (0, [f"{bundle}: ready for jailnet"])


def test_check_config_option_wins(tmp_path: Path, jailnet_argv: list[str]) -> None:
    """``bundle check --config`` names the host configuration, over $JAILNET_CONFIG (and over the
    hook's own), in process and through the installed executable."""
    toml = tmp_path / "jailnet.toml"
    toml.write_text(BACKEND)
    bundle = make_bundle(tmp_path, good_config(annotations={"org.jailnet.network": "backend",
                                                            "org.jailnet.ipv4": "10.88.0.255"}))
    line = ("ipv4-unusable: config.json annotation org.jailnet.ipv4: 10.88.0.255 is the broadcast address of "
            f"10.88.0.0/24 (config {toml}): jailnet's createRuntime would refuse the container here; fix: use a host "
            "address of 10.88.0.0/24 other than the gateway 10.88.0.1, e.g. 10.88.0.2\n")
    argv = ("bundle", "check", str(bundle), "--config", str(toml))
    assert jailnet(*argv, environ={"JAILNET_CONFIG": "/nonexistent"}) == (1, line, "")
    proc = subprocess.run([*jailnet_argv, *argv], capture_output=True, text=True,
                          env={"JAILNET_CONFIG": "/nonexistent"}, check=False, timeout=60)
    assert (proc.returncode, proc.stdout, proc.stderr) == (1, line, "")


def test_check_a_network_this_host_does_not_have(tmp_path: Path) -> None:
    bundle = make_bundle(tmp_path, good_config(annotations={"org.jailnet.network": "backend"}))
    assert host_check(bundle) == (1, [
        "network-unknown: config.json annotation org.jailnet.network is backend, which this host does not define "
        f"(config {tmp_path / 'empty.toml'}; known: default): jailnet's createRuntime would refuse the container "
        f"here; fix: define [networks.backend] in {tmp_path / 'empty.toml'}, or use one of default{ELSEWHERE}"])


def test_check_says_what_it_could_not_check(tmp_path: Path) -> None:
    """An unreadable host configuration is one info line, not a problem."""
    bundle = make_bundle(tmp_path, good_config(annotations={"org.jailnet.ipv4": "172.17.0.1"}))
    assert host_check(bundle, tmp_path / "missing.toml") == (0, [
        f"info: org.jailnet.ipv4 172.17.0.1 not checked against this host's networks: config "
        f"{tmp_path / 'missing.toml'}: no such file",
        f"{bundle}: ready for jailnet"])


LINUX_WARNINGS = [
    "warning: linux-section: config.json linux sets namespaces pid, network, ipc, uts, mount: runj ignores the "
    "linux section; a jail isolates the container, and its network is the vnet and what jailnet puts in it; fix: "
    "remove the linux section, or leave it: it has no effect under runj",
    "warning: linux-mounts: config.json mounts[0] (/proc, proc), mounts[2] (/dev/pts, devpts), mounts[4] (/sys, "
    "sysfs): Linux file systems FreeBSD does not have; runj does not handle them: it hands every mount to mount(8) "
    "as written (runj jail/mount.go), which fails on these; fix: remove these mounts (FreeBSD's own: procfs, "
    "fdescfs, devfs, tmpfs, nullfs)",
]


def test_check_warns_of_a_linux_bundle_and_stays_ready(runc_bundle: Path) -> None:
    assert jailnet("bundle", "add", str(runc_bundle), "--jailnet", JAILNET)[0] == 0
    assert host_check(runc_bundle) == (0, [*LINUX_WARNINGS, f"{runc_bundle}: ready for jailnet (2 warnings)"])
    code, out, _ = jailnet("bundle", "check", str(runc_bundle), "--json")
    assert code == 0 and json.loads(out)["warnings"][0]["code"] == "linux-section"


def test_check_warns_of_a_port_published_on_a_loopback_address(tmp_path: Path) -> None:
    """Docker's ``127.0.0.1:8443:443`` parses, but nothing reaches it on FreeBSD: a warning."""
    bundle = make_bundle(tmp_path, good_config(annotations={"org.jailnet.ports": "8080:80,127.0.0.1:8443:443"}))
    code, lines = host_check(bundle)
    assert code == 0 and lines[-1] == f"{bundle}: ready for jailnet (1 warning)"
    assert lines[:-1] == [
        "warning: loopback-port: config.json annotations.org.jailnet.ports publishes 127.0.0.1:8443:443/tcp on a "
        "loopback address: on FreeBSD nothing reaches it (pf cannot redirect the host's own connections, and "
        "127/8 never arrives on another interface); fix: leave out the address to publish on the egress "
        "interface, or reach the container from this host at its own address (jailnet ls)"]
    (bundle / "config.json").write_text(json.dumps(good_config(annotations={"org.jailnet.ports": "192.0.2.7:80:80"})))
    assert host_check(bundle) == (0, [f"{bundle}: ready for jailnet"])


def test_installed_check_reports_this_hosts_findings(jailnet_argv: list[str], tmp_path: Path) -> None:
    """Through the installed executable: a missing hook path and the gateway as the static
    address are problems, the Linux section a warning, an unreadable configuration an info line;
    --json has them all."""
    (tmp_path / "config.json").write_text(RUNC_SPEC)
    missing = str(tmp_path / "nowhere" / "jailnet")
    assert jailnet("bundle", "add", str(tmp_path), "--jailnet", missing, "--ip", "172.17.0.1")[0] == 0
    (tmp_path / "empty.toml").write_text("")

    def check(config: str, *extra: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([*jailnet_argv, "bundle", "check", str(tmp_path), *extra], capture_output=True,
                              text=True, env={"JAILNET_CONFIG": config}, check=False, timeout=60)

    proc = check(str(tmp_path / "empty.toml"))
    assert (proc.returncode, proc.stderr) == (1, "")
    assert [line.split(": ")[0] for line in proc.stdout.splitlines()] == [
        "hook-path-missing", "ipv4-unusable", "warning", "warning"]
    proc = check(str(tmp_path / "missing.toml"), "--json")
    report = json.loads(proc.stdout)
    assert (proc.returncode, report["ok"]) == (1, False)
    assert [p["code"] for p in report["problems"]] == ["hook-path-missing"]
    assert [w["code"] for w in report["warnings"]] == ["linux-section", "linux-mounts"]
    assert report["info"] == [f"org.jailnet.ipv4 172.17.0.1 not checked against this host's networks: config "
                              f"{tmp_path / 'missing.toml'}: no such file"]


# --- properties ---------------------------------------------------------------------------------

_OTHER = st.fixed_dictionaries({"path": st.sampled_from(["/usr/local/libexec/a", "/opt/b"]),
                                "args": st.lists(st.sampled_from(["a", "b", "x"]), min_size=1, max_size=3)})
_JAILNET = st.sampled_from([hook("createRuntime"), hook("poststop"), hook("prestart", timeout=5),
                            {"path": JAILNET}, {"path": "/x/jailnet", "args": ["jailnet", "hook", "poststop"]}])
_HOOKS = st.dictionaries(st.sampled_from(["prestart", "createRuntime", "poststop"]),
                         st.lists(st.one_of(_OTHER, _JAILNET), max_size=4), max_size=3)


@settings(max_examples=60, deadline=None)
@given(hooks=_HOOKS)
def test_add_is_idempotent_and_remove_keeps_the_rest(hooks: dict[str, list[dict[str, Any]]]) -> None:
    options = AddOptions(jailnet=JAILNET, timeout=30)
    config = good_config(hooks=hooks)
    once, _ = add_to_config(config, options)
    twice, changes = add_to_config(once, options)
    assert (twice, changes) == (once, [])
    assert hook_problems(once, "B") == []
    removed, _ = remove_from_config(once)
    for kind in ("prestart", "createRuntime", "poststop"):
        others = [e for e in hooks.get(kind, []) if not is_jailnet_hook(e)]
        assert removed.get("hooks", {}).get(kind, []) == others
    assert config == good_config(hooks=hooks)  # the input is never changed


@pytest.mark.skipif(os.geteuid() != 0, reason="only root can give a file to another user (chown(2))")
def test_a_rewritten_file_keeps_its_owner(runc_bundle: Path) -> None:
    """bundle add run as root on a user's bundle leaves the user's files the user's."""
    os.chown(runc_bundle / "config.json", 4321, 4322)
    assert jailnet("bundle", "add", str(runc_bundle), "--jailnet", JAILNET)[0] == 0
    for name in ("config.json", "runj.ext.json"):
        info = (runc_bundle / name).stat()
        assert (info.st_uid, info.st_gid) == (4321, 4322), name


def test_add_publish_writes_the_ports_annotation_that_check_accepts(runc_bundle: Path) -> None:
    code, out, err = jailnet("bundle", "add", str(runc_bundle), "--jailnet", JAILNET,
                             "--publish", "8080:80", "--publish", "127.0.0.1:5353:53/udp,9000-9001:9000-9001")
    assert (code, err) == (0, ""), err
    annotations = json.loads((runc_bundle / "config.json").read_text())["annotations"]
    assert annotations["org.jailnet.ports"] == "8080:80/tcp,127.0.0.1:5353:53/udp,9000-9001:9000-9001/tcp"
    assert jailnet("bundle", "check", str(runc_bundle))[0] == 0


@pytest.mark.parametrize(("spec", "message"), [
    ("8080:0", "jailnet: bundle add: --publish: '8080:0': container port 0 is not a port (1-65535)\n"),
    ("8080:80,8080:81", "jailnet: bundle add: --publish: '8080:81' publishes a host port '8080:80/tcp' publishes "
                        "already\n"),
])
def test_add_publish_refuses_a_bad_spec_and_writes_nothing(runc_bundle: Path, spec: str, message: str) -> None:
    before = files(runc_bundle)
    assert jailnet("bundle", "add", str(runc_bundle), "--publish", spec) == (2, "", message)
    assert files(runc_bundle) == before
