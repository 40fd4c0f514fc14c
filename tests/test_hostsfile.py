"""hooks.hostsfile: render the jailnet block, merge it into hosts(5) text, check aliases, and write
it into hostile jail roots without escaping them, then restore what was there."""

import os
import stat
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hooks.errors import BadInput, OperationFailed
from hooks.hostsfile import (
    BEGIN,
    END,
    NAME,
    Backup,
    Entry,
    check_alias,
    merge,
    parse_aliases,
    render_block,
    restore,
    rewrite,
    write,
)

BLOCK = render_block([Entry("172.17.0.2", ("web",))])
HOST_HOSTS = "127.0.0.1 localhost host.example # the host's own\n"
USER = "# the image's own\n10.1.2.3\tdb.internal db\n"


def mode(path: Path) -> int:
    return stat.S_IMODE(path.lstat().st_mode)


def listing(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*"))


def outside(tmp_path: Path) -> dict[Path, bytes]:
    """Every regular file under tmp_path but outside the jails: what a write must never touch."""
    return {p: p.read_bytes() for p in tmp_path.rglob("*")
            if "jails" not in p.relative_to(tmp_path).parts and p.is_file() and not p.is_symlink()}


@pytest.fixture
def host_etc(tmp_path: Path) -> Path:
    """A stand-in for the host's /etc, outside the jail root, with a hosts file to protect."""
    etc = tmp_path / "host" / "etc"
    etc.mkdir(parents=True)
    (etc / "hosts").write_text(HOST_HOSTS)
    (etc / "hosts").chmod(0o644)
    return etc


@pytest.fixture
def root(tmp_path: Path) -> Path:
    """A jail root three levels down (so ``../../..`` from its etc leaves it)."""
    path = tmp_path / "jails" / "c1" / "root"
    path.mkdir(parents=True)
    return path


# --- render_block ------------------------------------------------------------------------------

def test_render_block_exact() -> None:
    entries = [
        Entry("172.17.0.2", ("web", "web-container-id", "alias1")),
        Entry("fd00:17::2", ("web", "web-container-id", "alias1")),
        Entry("172.17.0.3", ("db", "db-id")),
    ]
    assert render_block(entries) == (
        "# BEGIN jailnet\n"
        "127.0.0.1\tlocalhost\n"
        "::1\tlocalhost\n"
        "172.17.0.2\tweb web-container-id alias1\n"
        "fd00:17::2\tweb web-container-id alias1\n"
        "172.17.0.3\tdb db-id\n"
        "# END jailnet\n"
    )


def test_render_block_drops_repeated_names_and_empty_entries() -> None:
    entries = (Entry("172.17.0.3", ("db", "db-id", "db", "x", "db-id")), Entry("172.17.0.4", ()),
               Entry("172.17.0.5", ("db",)))
    assert render_block(entries) == (
        "# BEGIN jailnet\n127.0.0.1\tlocalhost\n::1\tlocalhost\n"
        "172.17.0.3\tdb db-id x\n172.17.0.5\tdb\n# END jailnet\n"
    )


def test_render_block_of_nothing_has_the_loopback_lines() -> None:
    assert render_block([]) == "# BEGIN jailnet\n127.0.0.1\tlocalhost\n::1\tlocalhost\n# END jailnet\n"


def test_entry_is_a_value() -> None:
    assert Entry("a", ("b",)) == Entry("a", ("b",)) != Entry("a", ("c",))
    assert hash(Entry("a", ("b",))) == hash(Entry("a", ("b",)))
    assert repr(Entry("a", ("b",))) == "Entry(address='a', names=('b',))"


# --- merge -------------------------------------------------------------------------------------

OLD = "# BEGIN jailnet\n10.0.0.9\told\n# END jailnet\n"


def test_merge_into_nothing_is_the_block() -> None:
    assert merge("", BLOCK) == BLOCK


def test_merge_appends_after_user_lines() -> None:
    assert merge(USER, BLOCK) == USER + BLOCK


def test_merge_adds_the_missing_newline_before_the_block() -> None:
    assert merge("10.1.2.3 db", BLOCK) == "10.1.2.3 db\n" + BLOCK


def test_merge_replaces_the_block_in_place() -> None:
    before, after = "# top\r\n  10.9.9.9   spaced\t\tname  \n\n", "# tail\n::2 six"
    assert merge(before + OLD + after, BLOCK) == before + BLOCK + after + "\n"


def test_merge_removes_every_block_and_writes_one_where_the_first_was() -> None:
    text = "a\n" + OLD + "b\n" + OLD + "c\n" + OLD
    assert merge(text, BLOCK) == "a\n" + BLOCK + "b\nc\n"


def test_an_unterminated_block_runs_to_the_end() -> None:
    assert merge("a\n# BEGIN jailnet\n10.0.0.9 old\nb\n", BLOCK) == "a\n" + BLOCK
    assert merge("a\n# BEGIN jailnet", BLOCK) == "a\n" + BLOCK


def test_a_block_whose_end_has_no_newline() -> None:
    assert merge("a\n# BEGIN jailnet\nx\n# END jailnet", BLOCK) == "a\n" + BLOCK


def test_markers_with_blanks_or_carriage_returns_still_count() -> None:
    assert merge("a\r\n# BEGIN jailnet\r\nx\r\n  # END jailnet \r\nb\r\n", BLOCK) == "a\r\n" + BLOCK + "b\r\n"


def test_merge_adds_a_missing_newline_at_the_end_of_the_block() -> None:
    assert merge("a\n", BLOCK.rstrip("\n")) == "a\n" + BLOCK


def test_a_marker_inside_a_comment_line_is_not_a_marker() -> None:
    text = "# BEGIN jailnet-ish\n#  # END jailnet\n"
    assert merge(text, BLOCK) == text + BLOCK


# Lines that are not markers: anything without a newline whose stripped form is neither.
user_line = st.text(st.characters(blacklist_characters="\n"), max_size=30).filter(
    lambda line: line.strip() not in (BEGIN, END))
user_lines = st.lists(user_line, max_size=8)
names = st.lists(st.from_regex(r"[a-z][a-z0-9-]{0,8}[a-z0-9]", fullmatch=True), max_size=3)
blocks = st.lists(st.builds(Entry, st.sampled_from(["172.17.0.2", "fd00::2"]), names.map(tuple)),
                  max_size=3).map(render_block)


@st.composite
def hosts_texts(draw: st.DrawFn) -> tuple[str, list[str]]:
    """A hosts text mixing user lines and old blocks (some unterminated at the end), and its user
    lines in order."""
    pieces: list[str] = []
    kept: list[str] = []
    for _ in range(draw(st.integers(0, 4))):
        lines = draw(user_lines)
        kept += lines
        pieces += [line + "\n" for line in lines]
        if draw(st.booleans()):
            pieces.append(draw(blocks))
    if draw(st.booleans()):  # an unterminated block swallows the rest
        pieces.append(BEGIN + "\n" + "".join(line + "\n" for line in draw(user_lines)))
    elif bool(kept) and kept[-1] and pieces[-1] == kept[-1] + "\n" and draw(st.booleans()):
        pieces[-1] = kept[-1]  # no newline at the end
    return "".join(pieces), kept


@settings(max_examples=100, deadline=None)
@given(hosts_texts(), blocks)
def test_merge_is_idempotent(case: tuple[str, list[str]], block: str) -> None:
    once = merge(case[0], block)
    assert merge(once, block) == once


@settings(max_examples=100, deadline=None)
@given(hosts_texts(), blocks)
def test_merge_keeps_user_lines_and_writes_one_block(case: tuple[str, list[str]], block: str) -> None:
    text, kept = case
    merged = merge(text, block)
    assert merged.endswith("\n")
    assert merged.count(block) == 1
    lines = merged.split("\n")[:-1]
    assert [line.strip() for line in lines].count(BEGIN) == 1
    assert [line.strip() for line in lines].count(END) == 1
    start = lines.index(BEGIN)
    stop = lines.index(END)
    assert lines[:start] + lines[stop + 1:] == kept  # byte for byte, in order


@settings(max_examples=100, deadline=None)
@given(st.text(), blocks)
def test_merge_of_any_text_ends_with_a_newline_and_holds_the_block(text: str, block: str) -> None:
    merged = merge(text, block)
    assert merged.endswith("\n") and block in merged
    assert merge(merged, block) == merged


def merge_line_by_line(existing: str, block: str) -> str:
    """merge's contract read the plain way, one line at a time: the model merge must agree with."""
    if not block.endswith("\n"):
        block += "\n"
    parts = existing.split("\n")
    lines = [part + "\n" for part in parts[:-1]] + ([parts[-1]] if parts[-1] else [])
    kept: list[str] = []
    at: int | None = None
    inside = False
    for line in lines:
        if inside:
            inside = line.strip() != END
        elif line.strip() == BEGIN:
            inside = True
            at = len(kept) if at is None else at
        else:
            kept.append(line)
    if kept and not kept[-1].endswith("\n"):
        kept[-1] += "\n"
    at = len(kept) if at is None else at
    return "".join(kept[:at]) + block + "".join(kept[at:])


# Lines near the markers: markers with blanks around them, markers inside other text, stray ENDs.
tricky_line = st.one_of(
    user_line, st.sampled_from([BEGIN, END, f"  {BEGIN}\t", f"{END} \r", f"x {BEGIN}", f"{END}x", f"{BEGIN}{END}",
                                "# BEGIN", "jailnet"]))


@settings(max_examples=100, deadline=None)
@given(st.lists(tricky_line, max_size=12), st.booleans(), blocks)
def test_merge_agrees_with_reading_the_file_line_by_line(lines: list[str], newline_at_end: bool,
                                                         block: str) -> None:
    text = "\n".join(lines) + ("\n" if newline_at_end and lines else "")
    assert merge(text, block) == merge_line_by_line(text, block)


# --- check_alias and parse_aliases -------------------------------------------------------------

@pytest.mark.parametrize("name", ["web", "web-1.example", "a" * 63, "A", "1web", "123", "x-y.z-w",
                                  ".".join(["a" * 63] * 3) + "." + "a" * 61])
def test_good_host_names_come_back_unchanged(name: str) -> None:
    assert check_alias(name, "annotation org.jailnet.aliases") == name


@pytest.mark.parametrize("name", ["-web", "web-", "we_b", "a" * 64, "a..b", "web.", ".web", "", "ünï",
                                  "web site", "web\n", "web\t", "*.web", ".".join(["a" * 63] * 4)])
def test_bad_host_names_are_refused_with_one_line(name: str) -> None:
    with pytest.raises(BadInput) as info:
        check_alias(name, "annotation org.jailnet.aliases")
    assert str(info.value) == f"annotation org.jailnet.aliases: {name!r} is not a host name (RFC 1123)"


def test_error_line_for_a_hyphen() -> None:
    with pytest.raises(BadInput) as info:
        check_alias("-web", "annotation org.jailnet.aliases")
    assert str(info.value) == "annotation org.jailnet.aliases: '-web' is not a host name (RFC 1123)"


def test_parse_aliases() -> None:
    assert parse_aliases(" web , db.example,,web, cache ,", "here") == ("web", "db.example", "cache")
    assert parse_aliases("", "here") == ()
    assert parse_aliases(" , ,", "here") == ()
    assert parse_aliases("Web,web", "here") == ("Web", "web")  # unchanged, not folded


def test_parse_aliases_refuses_the_first_bad_item() -> None:
    with pytest.raises(BadInput) as info:
        parse_aliases("web, we_b, -x", "annotation org.jailnet.aliases")
    assert str(info.value) == "annotation org.jailnet.aliases: 'we_b' is not a host name (RFC 1123)"


# --- write -------------------------------------------------------------------------------------

def test_write_creates_etc_and_hosts(root: Path) -> None:
    backup = write(str(root), lambda old: merge(old, BLOCK))
    assert backup == Backup(str(root), NAME, "none", made_etc=True)
    assert (root / "etc" / "hosts").read_text() == BLOCK
    assert mode(root / "etc" / "hosts") == 0o644
    assert listing(root) == ["etc", "etc/hosts"]  # no temporary file left


def test_write_passes_the_existing_text_and_keeps_user_lines(root: Path) -> None:
    (root / "etc").mkdir()
    hosts = root / "etc" / "hosts"
    hosts.write_text(USER + OLD + "# after\n")
    hosts.chmod(0o600)
    inode = hosts.stat().st_ino
    seen: list[str] = []

    def text_for(old: str) -> str:
        seen.append(old)
        return merge(old, BLOCK)

    backup = write(str(root), text_for)
    assert seen == [USER + OLD + "# after\n"]
    assert backup == Backup(str(root), NAME, "file", content=(USER + OLD + "# after\n").encode(), mode=0o600)
    assert hosts.read_text() == USER + BLOCK + "# after\n"
    assert mode(hosts) == 0o644
    assert hosts.stat().st_ino != inode  # replaced by rename, not written in place
    assert listing(root) == ["etc", "etc/hosts"]


def test_bytes_that_are_not_utf8_survive(root: Path) -> None:
    (root / "etc").mkdir()
    (root / "etc" / "hosts").write_bytes(b"10.0.0.1 caf\xe9\n")
    rewrite(str(root), BLOCK)
    assert (root / "etc" / "hosts").read_bytes() == b"10.0.0.1 caf\xe9\n" + BLOCK.encode()


def test_rewrite_twice_changes_nothing_more(root: Path) -> None:
    (root / "etc").mkdir()
    (root / "etc" / "hosts").write_text(USER)
    rewrite(str(root), OLD)
    rewrite(str(root), BLOCK)
    rewrite(str(root), BLOCK)
    assert (root / "etc" / "hosts").read_text() == USER + BLOCK


def test_missing_root_is_an_operational_failure(tmp_path: Path) -> None:
    with pytest.raises(OperationFailed) as info:
        rewrite(str(tmp_path / "gone"), BLOCK)
    assert str(info.value) == f"cannot open the jail's root {tmp_path / 'gone'}: No such file or directory"


@pytest.mark.parametrize("relative", [False, True])
def test_a_hosts_symlink_is_replaced_not_followed(root: Path, host_etc: Path, relative: bool) -> None:
    (root / "etc").mkdir()
    link = root / "etc" / "hosts"
    target = "../../../../host/etc/hosts" if relative else str(host_etc / "hosts")
    link.symlink_to(target)
    assert link.resolve() == (host_etc / "hosts").resolve()  # the trap is real
    seen: list[str] = []

    def text_for(old: str) -> str:
        seen.append(old)
        return merge(old, BLOCK)

    backup = write(str(root), text_for)
    assert seen == [""]  # the host's file was not read either
    assert (host_etc / "hosts").read_text() == HOST_HOSTS
    assert mode(host_etc / "hosts") == 0o644
    assert not link.is_symlink() and link.read_text() == BLOCK
    assert backup == Backup(str(root), NAME, "symlink", target=target)


@pytest.mark.parametrize("target", ["absolute", "../../..", "../../../host/etc"])
def test_an_etc_symlink_is_refused(tmp_path: Path, root: Path, host_etc: Path, target: str) -> None:
    (root / "etc").symlink_to(str(host_etc) if target == "absolute" else target)
    before = outside(tmp_path)
    with pytest.raises(OperationFailed) as info:
        rewrite(str(root), BLOCK)
    assert str(info.value) == f"{root}/etc is a symlink or not a directory: refusing to write hosts through it"
    assert outside(tmp_path) == before
    assert sorted(p.name for p in host_etc.iterdir()) == ["hosts"]  # no temporary file either
    assert (root / "etc").is_symlink()


def test_an_etc_that_is_a_file_is_refused(root: Path) -> None:
    (root / "etc").write_text("not a directory\n")
    with pytest.raises(OperationFailed) as info:
        rewrite(str(root), BLOCK)
    assert str(info.value) == f"{root}/etc is a symlink or not a directory: refusing to write hosts through it"
    assert (root / "etc").read_text() == "not a directory\n"


def test_a_fifo_is_refused_without_being_opened(root: Path) -> None:
    (root / "etc").mkdir()
    fifo = root / "etc" / "hosts"
    os.mkfifo(fifo)  # opening it for reading would block until a writer comes
    with pytest.raises(OperationFailed) as info:
        rewrite(str(root), BLOCK)
    assert str(info.value) == f"{root}/etc/hosts is not a regular file: refusing to replace it"
    assert stat.S_ISFIFO(fifo.lstat().st_mode)
    assert listing(root) == ["etc", "etc/hosts"]


def test_a_directory_is_refused(root: Path) -> None:
    (root / "etc" / "hosts").mkdir(parents=True)
    (root / "etc" / "hosts" / "keep").write_text("x")
    with pytest.raises(OperationFailed) as info:
        rewrite(str(root), BLOCK)
    assert str(info.value) == f"{root}/etc/hosts is not a regular file: refusing to replace it"
    assert (root / "etc" / "hosts" / "keep").read_text() == "x"


def test_a_failing_text_for_leaves_no_trace(root: Path) -> None:
    def text_for(old: str) -> str:
        raise BadInput("no")

    with pytest.raises(BadInput):
        write(str(root), text_for)
    assert listing(root) == []  # the etc it made is gone again


# --- restore -----------------------------------------------------------------------------------

def test_restore_removes_a_file_that_was_not_there(root: Path) -> None:
    (root / "etc").mkdir()
    (root / "etc" / "resolv.conf").write_text("nameserver 192.0.2.53\n")
    restore(write(str(root), lambda old: merge(old, BLOCK)))
    assert listing(root) == ["etc", "etc/resolv.conf"]


def test_restore_puts_back_a_file_with_its_mode(root: Path) -> None:
    (root / "etc").mkdir()
    old = root / "etc" / "hosts"
    old.write_bytes(b"10.0.0.1 db\n\xff")
    old.chmod(0o640)
    restore(write(str(root), lambda text: merge(text, BLOCK)))
    assert old.read_bytes() == b"10.0.0.1 db\n\xff"
    assert mode(old) == 0o640
    assert listing(root) == ["etc", "etc/hosts"]


def test_restore_puts_back_a_symlink(root: Path, host_etc: Path) -> None:
    (root / "etc").mkdir()
    link = root / "etc" / "hosts"
    link.symlink_to("../../../../host/etc/hosts")
    restore(write(str(root), lambda old: merge(old, BLOCK)))
    assert link.is_symlink() and os.readlink(link) == "../../../../host/etc/hosts"
    assert (host_etc / "hosts").read_text() == HOST_HOSTS
    assert listing(root) == ["etc", "etc/hosts"]


def test_restore_removes_the_etc_it_created(root: Path) -> None:
    restore(write(str(root), lambda old: merge(old, BLOCK)))
    assert listing(root) == []


def test_restore_of_a_file_already_gone_is_done(root: Path) -> None:
    (root / "etc").mkdir()
    backup = write(str(root), lambda old: merge(old, BLOCK))
    (root / "etc" / "hosts").unlink()
    restore(backup)
    assert listing(root) == ["etc"]


def test_restore_refuses_an_etc_turned_symlink_with_an_oserror(root: Path, host_etc: Path) -> None:
    (root / "etc").mkdir()
    backup = write(str(root), lambda old: merge(old, BLOCK))
    (root / "etc" / "hosts").unlink()
    (root / "etc").rmdir()
    (root / "etc").symlink_to(str(host_etc))
    with pytest.raises(OSError) as info:  # what apply.rollback catches
        restore(backup)
    assert info.value.strerror == f"{root}/etc is a symlink or not a directory: refusing to write hosts through it"
    assert (host_etc / "hosts").read_text() == HOST_HOSTS
