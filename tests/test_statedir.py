"""The state directory's container records and their journals (hooks/statedir.py)."""

from pathlib import Path

import attrs

from hooks.statedir import Record, StateDir

RECORD = Record(id="web", state="creating", network="default", address="172.17.0.2", prefixlen=16,
                bridge="jailnet0", table="jail-nat", host_interface="jn4b5e57f6eb2fa",
                jail_interface="jn4b5e57f6eb2fb", jail="web", jid=1, created="2026-12-03T12:00:00Z")


def test_the_journal_is_read_newest_first_and_a_torn_line_is_skipped(tmp_path: Path) -> None:
    state = StateDir(tmp_path)
    state.begin(RECORD)
    state.journal("web", ("ifconfig", "epair0a", "destroy"))
    state.journal("web", ("ifconfig", "jailnet0", "deletem", "jn4b5e57f6eb2fa"))
    with open(tmp_path / "containers" / "web.journal", "a") as f:
        f.write('["pfctl", "-t"')  # a hook killed mid-line (a power loss; write(2) itself is whole)
    record = state.read("web")
    assert record is not None and record.undo == (
        ("ifconfig", "jailnet0", "deletem", "jn4b5e57f6eb2fa"), ("ifconfig", "epair0a", "destroy"))


def test_up_and_delete_drop_the_journal_and_begin_starts_a_new_one(tmp_path: Path) -> None:
    state = StateDir(tmp_path)
    state.begin(RECORD)
    state.journal("web", ("ifconfig", "epair0a", "destroy"))
    state.write(attrs.evolve(RECORD, state="up"))
    assert not (tmp_path / "containers" / "web.journal").exists()
    assert state.read("web") == attrs.evolve(RECORD, state="up")
    state.journal("web", ("stale",))  # left by a create killed before it began
    state.begin(RECORD)
    assert state.read("web") == RECORD  # nothing of the stale journal
    state.journal("web", ("ifconfig", "epair0a", "destroy"))
    state.delete("web")
    assert sorted(p.name for p in (tmp_path / "containers").iterdir()) == []
    assert state.record_ids() == []
