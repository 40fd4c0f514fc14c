"""hooks.naming: interface names derived from container ids (properties with hypothesis)."""

import hashlib
import re

from hypothesis import given, settings
from hypothesis import strategies as st

from hooks.naming import MAX_IFNAME, host_ifname, is_jailnet_ifname, jail_ifname

SHAPE = re.compile(r"jn[0-9a-f]{12}[ab]")

#: Container ids as runtimes make them: anything printable, and 64-hex containerd ids.
IDS = st.one_of(
    st.text(min_size=1, max_size=80),
    st.text(alphabet="0123456789abcdef", min_size=64, max_size=64),
)


def test_golden_names() -> None:
    # jn + the first 12 hex digits of SHA-256(id) + a/b.
    assert hashlib.sha256(b"c1").hexdigest()[:12] == "d0f631ca1ddb"
    assert host_ifname("c1") == "jnd0f631ca1ddba"
    assert jail_ifname("c1") == "jnd0f631ca1ddbb"
    assert host_ifname("0" * 64) == "jn60e05bd1b195a"
    assert len(host_ifname("c1")) == MAX_IFNAME == 15


@settings(max_examples=100)
@given(IDS)
def test_names_fit_ifnamsiz_and_are_deterministic(cid: str) -> None:
    host, jail = host_ifname(cid), jail_ifname(cid)
    assert len(host) <= 15 and len(jail) <= 15
    assert host == host_ifname(cid) and jail == jail_ifname(cid)
    assert SHAPE.fullmatch(host) and SHAPE.fullmatch(jail)


@settings(max_examples=100)
@given(IDS)
def test_host_and_jail_ends_differ_only_in_the_last_letter(cid: str) -> None:
    host, jail = host_ifname(cid), jail_ifname(cid)
    assert host[:-1] == jail[:-1]
    assert (host[-1], jail[-1]) == ("a", "b")


@settings(max_examples=50)
@given(st.sets(IDS, min_size=2, max_size=200))
def test_distinct_ids_give_distinct_names(ids: set[str]) -> None:
    hosts = {host_ifname(cid) for cid in ids}
    jails = {jail_ifname(cid) for cid in ids}
    assert len(hosts) == len(ids) and len(jails) == len(ids)
    assert not hosts & jails


def test_distinct_over_many_sequential_ids() -> None:
    ids = [f"ctr-{i}" for i in range(20000)]
    assert len({host_ifname(cid) for cid in ids}) == len(ids)


@settings(max_examples=100)
@given(IDS)
def test_is_jailnet_ifname_accepts_what_the_functions_produce(cid: str) -> None:
    assert is_jailnet_ifname(host_ifname(cid))
    assert is_jailnet_ifname(jail_ifname(cid))


@settings(max_examples=200)
@given(st.one_of(
    st.text(max_size=20),
    st.text(alphabet="jn0123456789abcdefABCDEFxyz", min_size=13, max_size=17),
    st.from_regex(r"jn[0-9a-fA-F]{11,13}[abcAB]", fullmatch=True),
))
def test_is_jailnet_ifname_accepts_exactly_the_shape(name: str) -> None:
    assert is_jailnet_ifname(name) == bool(SHAPE.fullmatch(name))


def test_is_jailnet_ifname_rejects_near_misses() -> None:
    good = host_ifname("c1")
    assert is_jailnet_ifname(good)
    for bad in (
        "", "jn", "jna", "epair0a", "jailnet0", "lo0",
        good[:-1],                  # 14 characters
        good + "a",                 # 16 characters
        good[:-1] + "c",            # neither end
        good[:-1] + "A",
        "JN" + good[2:],            # prefix is lowercase
        "jn" + good[2:].upper(),    # hex digits are lowercase
        "jn" + "g" * 12 + "a",      # not hex
        "jn" + "\u0661" * 12 + "a",  # Unicode digits are not hex digits
        "xn" + good[2:],
    ):
        assert not is_jailnet_ifname(bad), bad


def test_the_anchor_is_the_id_under_jailnet_while_it_fits() -> None:
    from hooks.naming import PF_ANCHOR_NAME_SIZE, anchor_name

    assert anchor_name("web") == "jailnet/web"
    longest = "x" * (PF_ANCHOR_NAME_SIZE - 1)
    assert anchor_name(longest) == f"jailnet/{longest}"  # 63 characters: the longest name pf takes


def test_a_long_id_gets_the_key_of_its_interface_names() -> None:
    from hooks.naming import PF_ANCHOR_NAME_SIZE, anchor_name

    cid = "4b825dc642cb6eb9a060e54bf8d69288fbee4904" * 2  # 80 characters
    assert anchor_name(cid) == f"jailnet/{host_ifname(cid)[:-1]}"
    containerd = "e" * PF_ANCHOR_NAME_SIZE  # containerd's ids are 64 hex digits: one too many
    assert anchor_name(containerd) == f"jailnet/{host_ifname(containerd)[:-1]}"
