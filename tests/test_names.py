"""Containers that know each other by name (hooks/names.py): the jailnet block of each jail's
/etc/hosts on the simulated host, as containers join and leave."""

import json
from pathlib import Path

import pytest

from hooks.testing import HookBed

PEERS = '[networks.backend]\nbridge = "jailnet1"\nsubnet = "10.88.0.0/24"\n'  # hosts = "peers", the default
ON_BACKEND = {"org.jailnet.network": "backend"}


@pytest.fixture
def bed(tmp_path: Path) -> HookBed:
    return HookBed(tmp_path, config=PEERS)


def hosts(root: Path) -> str:
    return (root / "etc" / "hosts").read_text()


def block(*lines: str) -> str:
    return "# BEGIN jailnet\n127.0.0.1\tlocalhost\n::1\tlocalhost\n" + "".join(f"{x}\n" for x in lines) + \
        "# END jailnet\n"


def test_three_peers_list_each_other_and_forget_the_one_that_leaves(bed: HookBed) -> None:
    roots = {cid: bed.jail(cid) for cid in ("a", "b", "c")}
    for cid in roots:
        assert bed.hook("createRuntime", cid, ON_BACKEND)[0] == 0
    everyone = ("10.88.0.2\ta", "10.88.0.3\tb", "10.88.0.4\tc")
    for cid, root in roots.items():  # its own lines first, then the others'
        own = [line for line in everyone if line.endswith(f"\t{cid}")]
        assert hosts(root) == block(*own, *(line for line in everyone if line not in own)), cid
    bed.host.remove_jail("b")
    assert bed.hook("poststop", "b", ON_BACKEND, raw=bed.state("b", ON_BACKEND, status="stopped"))[0] == 0
    assert hosts(roots["a"]) == block("10.88.0.2\ta", "10.88.0.4\tc")
    assert hosts(roots["c"]) == block("10.88.0.4\tc", "10.88.0.2\ta")


def test_on_the_default_network_a_container_lists_only_itself(bed: HookBed) -> None:
    web, db = bed.jail("web"), bed.jail("db")
    assert bed.hook("createRuntime", "web")[0] == 0
    assert bed.hook("createRuntime", "db")[0] == 0
    assert hosts(web) == block("172.17.0.2\tweb")
    assert hosts(db) == block("172.17.0.3\tdb")


def test_user_lines_survive_and_aliases_and_the_hostname_are_listed(bed: HookBed, tmp_path: Path) -> None:
    root = bed.jail("api")
    (root / "etc" / "hosts").write_text("# the image's own\n10.0.0.9\tdatabase\n")
    bundle = tmp_path / "bundle-api"
    bundle.mkdir()
    (bundle / "config.json").write_text(json.dumps({"ociVersion": "1.0.2", "hostname": "api-server"}))
    annotations = {**ON_BACKEND, "org.jailnet.aliases": "api.internal, rest"}
    raw = json.dumps({"ociVersion": "1.0.2", "id": "api", "status": "creating", "bundle": str(bundle),
                      "annotations": annotations}).encode()
    assert bed.hook("createRuntime", "api", raw=raw)[0] == 0
    assert hosts(root) == ("# the image's own\n10.0.0.9\tdatabase\n"
                           + block("10.88.0.2\tapi-server api api.internal rest"))
    record = json.loads(bed.files()["containers/api.json"])
    assert (record["hostname"], record["aliases"]) == ("api-server", ["api.internal", "rest"])


def test_hosts_none_leaves_the_file_alone_but_peers_still_list_it(bed: HookBed) -> None:
    quiet, other = bed.jail("quiet"), bed.jail("other")
    (quiet / "etc" / "hosts").write_text("untouched\n")
    assert bed.hook("createRuntime", "quiet", {**ON_BACKEND, "org.jailnet.hosts": "none"})[0] == 0
    assert bed.hook("createRuntime", "other", ON_BACKEND)[0] == 0
    assert hosts(quiet) == "untouched\n"
    assert hosts(other) == block("10.88.0.3\tother", "10.88.0.2\tquiet")


def test_a_symlinked_hosts_is_replaced_and_a_symlinked_etc_is_logged_not_fatal(bed: HookBed, tmp_path: Path) -> None:
    outside = tmp_path / "outside-hosts"
    outside.write_text("host file\n")
    root = bed.jail("link")
    (root / "etc" / "hosts").symlink_to(outside)
    assert bed.hook("createRuntime", "link", ON_BACKEND)[0] == 0
    assert outside.read_text() == "host file\n" and not (root / "etc" / "hosts").is_symlink()
    assert hosts(root) == block("10.88.0.2\tlink")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    evil = bed.jail("evil")
    for item in (evil / "etc").iterdir():
        item.unlink()
    (evil / "etc").rmdir()
    (evil / "etc").symlink_to(elsewhere)
    code, _, err = bed.hook("createRuntime", "evil", {**ON_BACKEND, "org.jailnet.dns": "none"})
    assert code == 0, err  # networking is in place; the hosts file is logged
    assert list(elsewhere.iterdir()) == []
    assert hosts(root) == block("10.88.0.2\tlink", "10.88.0.3\tevil")  # peers still learn of it


@pytest.mark.parametrize(("annotations", "line"), [
    ({"org.jailnet.aliases": "good,-bad"}, "annotation org.jailnet.aliases: '-bad' is not a host name (RFC 1123)"),
    ({"org.jailnet.hosts": "some"}, "annotation org.jailnet.hosts: 'some' is not understood (only 'none')"),
])
def test_bad_names_are_refused_with_exit_2(bed: HookBed, annotations: dict[str, str], line: str) -> None:
    assert bed.hook("createRuntime", "c1", annotations) == (2, "", f"jailnet: createRuntime c1: {line}\n")
    assert bed.host.log == []


def test_bundle_add_writes_the_names_annotations(tmp_path: Path) -> None:
    import io

    from hooks.cli import main

    bundle = tmp_path / "b"
    bundle.mkdir()
    (bundle / "config.json").write_text(json.dumps({"ociVersion": "1.0.2", "root": {"path": "root"}}))
    out, err = io.StringIO(), io.StringIO()
    code = main(["bundle", "add", str(bundle), "--jailnet", "/usr/local/bin/jailnet", "--alias", "api",
                 "--alias", "api.internal", "--no-hosts"], stdout=out, stderr=err, environ={})
    assert code == 0, err.getvalue()
    annotations = json.loads((bundle / "config.json").read_text())["annotations"]
    assert annotations == {"org.jailnet.aliases": "api,api.internal", "org.jailnet.hosts": "none"}
    assert main(["bundle", "add", str(bundle), "--jailnet", "/usr/local/bin/jailnet", "--alias", "we_b"],
                stdout=io.StringIO(), stderr=err, environ={}) == 2
    assert err.getvalue().endswith("jailnet: bundle add: --alias: 'we_b' is not a host name (RFC 1123)\n")


def test_ls_shows_the_hostname_and_aliases(bed: HookBed, tmp_path: Path) -> None:
    import io

    from hooks.cli import main

    bed.jail("api")
    bundle = tmp_path / "bundle-api"
    bundle.mkdir()
    (bundle / "config.json").write_text(json.dumps({"hostname": "api-server"}))
    raw = json.dumps({"ociVersion": "1.0.2", "id": "api", "status": "creating", "bundle": str(bundle),
                      "annotations": {"org.jailnet.aliases": "rest"}}).encode()
    assert bed.hook("createRuntime", "api", raw=raw)[0] == 0
    out = io.StringIO()
    assert main(["ls", "--json"], stdout=out, stderr=io.StringIO(), environ=bed.env, run=bed.host) == 0
    (row,) = json.loads(out.getvalue())
    assert (row["hostname"], row["aliases"]) == ("api-server", ["rest"])


def test_gc_makes_peers_forget_a_container_whose_poststop_never_ran(bed: HookBed) -> None:
    import io

    from hooks.cli import main

    a, _ = bed.jail("a"), bed.jail("b")
    assert bed.hook("createRuntime", "a", ON_BACKEND)[0] == 0
    assert bed.hook("createRuntime", "b", ON_BACKEND)[0] == 0
    assert hosts(a) == block("10.88.0.2\ta", "10.88.0.3\tb")
    bed.host.remove_jail("b")  # and no poststop
    out = io.StringIO()
    assert main(["gc"], stdout=out, stderr=io.StringIO(), environ=bed.env, run=bed.host) == 0
    assert "removed record b: jail b is gone\n" in out.getvalue()
    assert hosts(a) == block("10.88.0.2\ta")


@pytest.mark.parametrize("when", ["before", "after"])
def test_sigkill_at_the_end_of_a_create_then_gc_leaves_no_stale_entry_and_no_temporary_file(
        tmp_path: Path, jailnet_argv: list[str], when: str) -> None:
    """Killed at its last command (lo0), before or after it: the create never reached its names;
    gc removes it and rewrites the peers, and no half-written file is left in any jail's /etc."""
    import io

    from hooks.cli import main
    from hooks.testing.runtime import FakeRunj

    config = tmp_path / "jailnet.toml"
    config.write_text(PEERS)
    runj = FakeRunj.with_jailnet(tmp_path, jailnet_argv, remove_on_failure=False,
                                 env={"JAILNET_CONFIG": str(config)})
    assert [r.returncode for r in runj.create("a", annotations=ON_BACKEND)] == [0]
    with runj.shared.edit() as host:
        host.kill_nth(7, when=when)  # b's lo0: its seventh mutating command (the bridge is there)
    (killed,) = runj.create("b", annotations=ON_BACKEND)
    assert killed.returncode == -9, killed
    with runj.shared.edit() as host:
        host.remove_jail("b")  # the runtime gives up on it
    err = io.StringIO()
    assert main(["gc"], stdout=io.StringIO(), stderr=err, environ=runj.env, run=runj.shared) == 0, err.getvalue()
    etc = runj.bundle("a") / "root" / "etc"
    assert (etc / "hosts").read_text() == block("10.88.0.2\ta")
    assert sorted(p.name for p in etc.iterdir()) == ["hosts", "resolv.conf"]  # no temporary file
