"""State directories to start every run from: captured once, written afresh before each run.

A :class:`Template` holds a jailnet state directory in memory (directories, files, modes), so a
reset writes exactly the same tree every time, for the hook and for its floor alike.

More containers' leases and records are made by jailnet's own code, not by imitating its file
layout (which may change): :meth:`hooks.leases.LeaseStore.reserve` hands out each address, under
:meth:`hooks.statedir.StateDir.lock`, and :meth:`hooks.statedir.StateDir.write` writes each record,
a copy of the one a real ``jailnet hook createRuntime`` wrote for the first container. Doing that
10,000 times costs seconds (three atomic renames a container), so :func:`grow` lets jailnet add
two containers, learns from the first which files one container adds or changes, checks that the
lesson predicts the second exactly, and only then writes the rest itself; when the prediction is
wrong it goes on with jailnet's code for every container.

On a network whose containers list each other in ``/etc/hosts`` (``hosts = "peers"``), a create
rewrites every member's file under its jail root, which the record names: :func:`grow` given
``jails`` gives each container its own root there, with the ``/etc`` the write needs.
"""

import ipaddress
import os
import shutil
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import attrs

from hooks import configfile
from hooks.naming import host_ifname, jail_ifname
from hooks.netconf import DnsDefaults
from hooks.statedir import Record, StateDir

NETWORK = "default"
FIRST_JID = 900000


@dataclass(frozen=True)
class Template:
    """A directory tree in memory: ``dirs`` (relative path, mode) parents first, ``files``
    (relative path, content, mode)."""

    dirs: tuple[tuple[str, int], ...]
    files: tuple[tuple[str, bytes, int], ...]

    @classmethod
    def empty(cls) -> "Template":
        return cls((), ())

    @classmethod
    def capture(cls, root: Path) -> "Template":
        """Read the tree under ``root`` (regular files and directories; nothing else is there)."""
        dirs: list[tuple[str, int]] = []
        files: list[tuple[str, bytes, int]] = []
        for top, subdirs, names in os.walk(root):
            subdirs.sort()
            rel = os.path.relpath(top, root)
            prefix = "" if rel == "." else rel + "/"
            for sub in subdirs:
                dirs.append((prefix + sub, os.stat(os.path.join(top, sub)).st_mode & 0o7777))
            for name in sorted(names):
                path = os.path.join(top, name)
                with open(path, "rb") as f:
                    files.append((prefix + name, f.read(), os.fstat(f.fileno()).st_mode & 0o7777))
        return cls(tuple(dirs), tuple(files))

    def write(self, root: Path) -> None:
        """Make ``root`` (absent; mode 0700, as jailnet makes it) hold exactly this tree."""
        mask = os.umask(0)
        try:
            top = str(root)
            os.makedirs(top, mode=0o700)
            for rel, mode in self.dirs:
                os.mkdir(f"{top}/{rel}", mode)
            flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC
            for rel, content, mode in self.files:
                fd = os.open(f"{top}/{rel}", flags, mode)
                try:
                    os.write(fd, content)
                finally:
                    os.close(fd)
        finally:
            os.umask(mask)

    def reset(self, root: Path) -> None:
        """Remove ``root`` and write the template there again."""
        if root.exists():
            shutil.rmtree(root)
        self.write(root)


def network_leases(root: Path, network: str = NETWORK) -> int:
    """How many leases ``network`` holds in the state directory at ``root`` (jailnet's own full scan)."""
    held = StateDir(root).network_leases().get(network)
    return 0 if held is None else len(held.holders())


@dataclass(frozen=True)
class Placement:
    """Where the containers go: the network's name, the configuration file that defines it (None:
    the built-in ``default``), and the directory under which each gets its jail root (None: the
    records keep the first container's root, which a create on the network never reads)."""

    name: str = NETWORK
    config: Path | None = None
    jails: Path | None = None

    def words(self, number: int, address: str) -> dict[str, str]:
        """The words that name container ``number``, holding ``address``, in files."""
        cid = f"bench{number:05d}"
        words = {"cid": cid, "address": address, "host": host_ifname(cid), "jail": jail_ifname(cid),
                 "jid": str(FIRST_JID + number)}
        if self.jails is not None:
            words["root"] = str(self.jails / cid / "root")
        return words

    def make_root(self, words: dict[str, str]) -> None:
        """The container's jail root with its ``/etc``, where its ``hosts`` is written."""
        if "root" in words:
            os.makedirs(os.path.join(words["root"], "etc"), exist_ok=True)


class _Adder:
    """Adds containers ``bench00001``, ``bench00002``, ... with jailnet's own code."""

    def __init__(self, root: Path, record: Record, resolv_conf: Path, network: Placement) -> None:
        self.state = StateDir(root)
        resolver = DnsDefaults.from_file(str(resolv_conf))
        config = None if network.config is None else str(network.config)
        self.leases = self.state.leases(configfile.load(config, resolver=resolver).network(network.name, "benchmark"))
        self.record = record
        self.network = network

    def add(self, number: int) -> dict[str, str]:
        """Lease and record container ``number``; the words that name it in files."""
        cid = f"bench{number:05d}"
        address = self.leases.reserve(cid)
        words = self.network.words(number, str(address))
        self.network.make_root(words)
        self.state.write(attrs.evolve(self.record, id=cid, address=str(address), host_interface=words["host"],
                                      jail_interface=words["jail"], jail=cid, jid=FIRST_JID + number,
                                      root=words.get("root", self.record.root)))
        return words


def _words(number: int, first: dict[str, str], network: Placement) -> dict[str, str]:
    """Container ``number``'s words, its address counted on from the first container's."""
    return network.words(number, str(ipaddress.IPv4Address(first["address"]) + (number - 1)))


def _generalise(text: str, words: dict[str, str]) -> str:
    """``text`` as a :meth:`str.format` template with ``words`` left open (``{cid}``, ...)."""
    text = text.replace("{", "{{").replace("}", "}}")
    for name, word in sorted(words.items(), key=lambda item: -len(item[1])):
        text = text.replace(word, f"{{{name}}}")
    return text


@dataclass(frozen=True)
class _Lesson:
    """What adding one container does to the tree: directories and files, with its words left open."""

    dirs: tuple[tuple[str, int], ...]
    files: tuple[tuple[str, str, int], ...]

    @classmethod
    def learn(cls, before: Template, after: Template, words: dict[str, str]) -> "_Lesson":
        old = {rel: (content, mode) for rel, content, mode in before.files}
        known = {rel for rel, _ in before.dirs}
        changed = tuple((_generalise(rel, words), _generalise(content.decode(), words), mode)
                        for rel, content, mode in after.files if old.get(rel) != (content, mode))
        return cls(tuple(d for d in after.dirs if d[0] not in known), changed)

    def apply(self, dirs: dict[str, int], files: dict[str, tuple[bytes, int]], words: dict[str, str]) -> None:
        for rel, mode in self.dirs:
            dirs.setdefault(rel, mode)
        for rel, content, mode in self.files:
            files[rel.format_map(words)] = (content.format_map(words).encode(), mode)


def _template(dirs: dict[str, int], files: dict[str, tuple[bytes, int]]) -> Template:
    return Template(tuple(dirs.items()), tuple((rel, content, mode) for rel, (content, mode) in files.items()))


def _same(one: Template, other: Template) -> bool:
    """The same tree, whatever the order of the entries."""
    return set(one.dirs) == set(other.dirs) and set(one.files) == set(other.files)


def grow(root: Path, first_id: str, counts: Iterable[int], resolv_conf: Path,
         network: Placement = Placement()) -> Iterator[tuple[int, Template]]:
    """Add containers to ``network`` in the state directory at ``root``, which holds
    ``first_id``'s lease and record, and yield a :class:`Template` each time the network holds
    one of ``counts`` leases (in increasing order): a network on which that many containers
    started one after another."""
    record = StateDir(root).read(first_id)
    if record is None:
        raise RuntimeError(f"no record for {first_id} in {root}")
    adder = _Adder(root, record, resolv_conf, network)
    wanted = sorted(counts)
    held, number = network_leases(root, network.name), 0
    snapshot = Template.capture(root)
    lesson: _Lesson | None = None
    first: dict[str, str] = {}
    while wanted and number < 2 and held < wanted[-1]:
        while wanted and wanted[0] <= held:
            yield wanted.pop(0), snapshot
        number += 1
        words = adder.add(number)
        held += 1
        before, snapshot = snapshot, Template.capture(root)
        if number == 1:
            first, lesson = words, _Lesson.learn(before, snapshot, words)
        elif lesson is not None:  # the second container: does the lesson predict it?
            dirs, files = dict(before.dirs), {rel: (content, mode) for rel, content, mode in before.files}
            lesson.apply(dirs, files, _words(2, first, network))
            if words != _words(2, first, network) or not _same(_template(dirs, files), snapshot):
                lesson = None
    dirs, files = dict(snapshot.dirs), {rel: (content, mode) for rel, content, mode in snapshot.files}
    for count in wanted:
        while held < count:
            number += 1
            if lesson is not None:
                words = _words(number, first, network)
                network.make_root(words)
                lesson.apply(dirs, files, words)
            else:
                adder.add(number)
            held += 1
        if lesson is None:
            snapshot = Template.capture(root)
            dirs, files = dict(snapshot.dirs), {rel: (content, mode) for rel, content, mode in snapshot.files}
        yield count, _template(dirs, files)
