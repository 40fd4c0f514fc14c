"""hooks.request: container ids, and how annotations, --network and the config make a Request."""

import ipaddress

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hooks import configfile
from hooks.errors import BadInput
from hooks.naming import check_container_id
from hooks.netconf import DnsDefaults
from hooks.request import Request

RESOLVER = DnsDefaults(nameservers=("192.0.2.53",), search=("example.org",))
CONFIG = configfile.parse(
    '[networks.backend]\nbridge = "jailnet1"\nsubnet = "10.88.0.0/24"\n'
    'nameservers = ["10.88.0.1"]\nsearch = ["internal"]\n'
    '[networks.db]\nbridge = "jailnet2"\nsubnet = "10.99.0.0/24"\n',
    where="jailnet.toml", resolver=RESOLVER)
DEFAULT = CONFIG.networks["default"]
BACKEND = CONFIG.networks["backend"]


def make(annotations: dict[str, str] | None = None, network: str | None = None, cid: str = "c1") -> Request:
    return Request.from_inputs(container_id=cid, annotations=annotations or {}, config=CONFIG, network=network)


def refused(annotations: dict[str, str] | None = None, network: str | None = None, cid: str = "c1") -> str:
    with pytest.raises(BadInput) as info:
        make(annotations, network, cid)
    return str(info.value)


# --- check_container_id ----------------------------------------------------------------------

@pytest.mark.parametrize("cid", [
    "c1",
    "redis",
    "my_container-2",
    "_private",
    "0x1",                      # digits and letters: not a jid
    "9a",
    "a" * 255,
    "4c3f1e9f0a8b7d6c5e4f3a2b1c0d9e8f7a6b5c4d3e2f1a0b9c8d7e6f5a4b3c2d",   # containerd/docker 64 hex
    "k8s_POD_nginx-7c5ddbdf54-x2xbz_default_2f7c2fb3-1a1b-4c4c-9a9a-1f2e3d4c5b6a_0",
])
def test_valid_container_ids(cid: str) -> None:
    assert check_container_id(cid) == cid


@pytest.mark.parametrize(("cid", "message"), [
    ("", "state.id: must not be empty"),
    (".", "state.id: '.' cannot name a jail: jail names may not contain '.' (jail(8))"),
    ("web.1", "state.id: 'web.1' cannot name a jail: jail names may not contain '.' (jail(8))"),
    ("/", "state.id: '/' cannot name a jail: '/' is not allowed (letters, digits, '_' and '-')"),
    ("../etc", "state.id: '../etc' cannot name a jail: jail names may not contain '.' (jail(8))"),
    ("a/b", "state.id: 'a/b' cannot name a jail: '/' is not allowed (letters, digits, '_' and '-')"),
    ("a b", "state.id: 'a b' cannot name a jail: ' ' is not allowed (letters, digits, '_' and '-')"),
    ("a\nb", "state.id: 'a\\nb' cannot name a jail: '\\n' is not allowed (letters, digits, '_' and '-')"),
    ("a\x00b", "state.id: must not contain NUL"),
    ("\x00", "state.id: must not contain NUL"),
    ("-c1", "state.id: '-c1' must not start with '-'"),
    ("-", "state.id: '-' must not start with '-'"),
    ("a" * 300, "state.id: longer than 255 characters (300)"),
    ("a" * 256, "state.id: longer than 255 characters (256)"),
    ("12345", "state.id: '12345' cannot name a jail: an all-digit name is taken for a jid (jail(8))"),
    ("0", "state.id: '0' cannot name a jail: an all-digit name is taken for a jid (jail(8))"),
    ("café", "state.id: 'café' cannot name a jail: 'é' is not allowed (letters, digits, '_' and '-')"),
    ("\u0661\u0662", "state.id: '\u0661\u0662' cannot name a jail: '\u0661' is not allowed "
                     "(letters, digits, '_' and '-')"),
    ("ｃ1", "state.id: 'ｃ1' cannot name a jail: 'ｃ' is not allowed (letters, digits, '_' and '-')"),
    ("a:b", "state.id: 'a:b' cannot name a jail: ':' is not allowed (letters, digits, '_' and '-')"),
])
def test_invalid_container_ids(cid: str, message: str) -> None:
    with pytest.raises(BadInput) as info:
        check_container_id(cid)
    assert str(info.value) == message


@settings(max_examples=100)
@given(st.text(max_size=40))
def test_container_id_check_is_the_documented_subset(cid: str) -> None:
    ok = (
        0 < len(cid) <= 255
        and all(c.isascii() and (c.isalnum() or c in "_-") for c in cid)
        and not cid.startswith("-")
        and not cid.isdigit()
    )
    try:
        check_container_id(cid)
    except BadInput as exc:
        assert not ok, exc
        assert str(exc).startswith("state.id: ")
    else:
        assert ok


# --- the network: annotation > --network > "default" -----------------------------------------

def test_no_choice_is_default() -> None:
    request = make()
    assert request == Request(container_id="c1", jail="c1", network=DEFAULT, address=None,
                              nameservers=("192.0.2.53",), search=("example.org",), dns=True)


def test_network_argument_beats_default() -> None:
    assert make(network="backend").network == BACKEND


def test_annotation_beats_network_argument() -> None:
    assert make({"org.jailnet.network": "db"}, network="backend").network.name == "db"
    assert make({"org.jailnet.network": "default"}, network="backend").network == DEFAULT


def test_unknown_network_names_where_it_came_from() -> None:
    assert refused({"org.jailnet.network": "nope"}, network="backend") == (
        "annotation org.jailnet.network: unknown network 'nope' (known: backend, db, default)")
    assert refused(network="nope") == "--network: unknown network 'nope' (known: backend, db, default)"


def test_network_dns_defaults_come_from_the_network() -> None:
    request = make(network="backend")
    assert (request.nameservers, request.search) == (("10.88.0.1",), ("internal",))


# --- static ipv4 -----------------------------------------------------------------------------

def test_static_address() -> None:
    assert make({"org.jailnet.ipv4": "172.17.0.50"}).address == ipaddress.IPv4Address("172.17.0.50")
    assert make({"org.jailnet.ipv4": " 10.88.0.9\n"}, network="backend").address == ipaddress.IPv4Address("10.88.0.9")


def test_static_address_is_checked_against_the_chosen_network() -> None:
    assert make({"org.jailnet.ipv4": "10.88.0.9", "org.jailnet.network": "backend"}).network == BACKEND
    assert refused({"org.jailnet.ipv4": "10.88.0.9"}) == (
        "annotation org.jailnet.ipv4: 10.88.0.9 is outside 172.17.0.0/16")


@pytest.mark.parametrize(("value", "message"), [
    ("", "annotation org.jailnet.ipv4: '' is not an IPv4 address"),
    ("fd00::5", "annotation org.jailnet.ipv4: 'fd00::5' is not an IPv4 address"),
    ("172.17.0.50/16", "annotation org.jailnet.ipv4: '172.17.0.50/16' is not an IPv4 address"),
    ("172.17.0.050", "annotation org.jailnet.ipv4: '172.17.0.050' is not an IPv4 address"),
    ("web", "annotation org.jailnet.ipv4: 'web' is not an IPv4 address"),
    ("10.0.0.5", "annotation org.jailnet.ipv4: 10.0.0.5 is outside 172.17.0.0/16"),
    ("172.17.0.0", "annotation org.jailnet.ipv4: 172.17.0.0 is the network address of 172.17.0.0/16"),
    ("172.17.255.255", "annotation org.jailnet.ipv4: 172.17.255.255 is the broadcast address of 172.17.0.0/16"),
    ("172.17.0.1", "annotation org.jailnet.ipv4: 172.17.0.1 is the gateway of network default"),
])
def test_bad_static_addresses(value: str, message: str) -> None:
    assert refused({"org.jailnet.ipv4": value}) == message


# --- nameservers and search ------------------------------------------------------------------

def test_nameservers_annotation_comma_list_with_spaces() -> None:
    request = make({"org.jailnet.nameservers": " 1.1.1.1 ,9.9.9.9,, 2001:db8::1 "})
    assert request.nameservers == ("1.1.1.1", "9.9.9.9", "2001:db8::1")
    assert request.search == ("example.org",)  # untouched


def test_search_annotation_comma_list_with_spaces() -> None:
    request = make({"org.jailnet.search": "a.example, b.example ,c"}, network="backend")
    assert request.search == ("a.example", "b.example", "c")
    assert request.nameservers == ("10.88.0.1",)  # untouched


def test_empty_search_annotation_clears_the_search_list() -> None:
    assert make({"org.jailnet.search": ""}).search == ()
    assert make({"org.jailnet.search": " , "}).search == ()


@pytest.mark.parametrize(("annotations", "message"), [
    ({"org.jailnet.nameservers": "1.1.1.1,dns.example"},
     "annotation org.jailnet.nameservers: 'dns.example' is not an IP address"),
    ({"org.jailnet.nameservers": "1.1.1.1 8.8.8.8"},
     "annotation org.jailnet.nameservers: '1.1.1.1 8.8.8.8' is not an IP address"),
    ({"org.jailnet.nameservers": "1.1.1.1,1.0.0.1,8.8.8.8,8.8.4.4"},
     "annotation org.jailnet.nameservers: at most 3 nameservers are used (resolver(5) MAXNS), got 4"),
    ({"org.jailnet.nameservers": ""},
     "annotation org.jailnet.nameservers: empty (use org.jailnet.dns=none to skip DNS)"),
    ({"org.jailnet.nameservers": " , ,"},
     "annotation org.jailnet.nameservers: empty (use org.jailnet.dns=none to skip DNS)"),
    ({"org.jailnet.search": "a.example,bad domain"},
     "annotation org.jailnet.search: 'bad domain' is not a domain name"),
    ({"org.jailnet.search": "a,b,c,d,e,f,g"},
     "annotation org.jailnet.search: at most 6 search domains are used (resolver(5)), got 7"),
])
def test_bad_dns_annotations(annotations: dict[str, str], message: str) -> None:
    assert refused(annotations) == message


# --- dns=none --------------------------------------------------------------------------------

def test_dns_none_disables_resolv_conf() -> None:
    assert make({"org.jailnet.dns": "none"}).dns is False
    assert make().dns is True


@pytest.mark.parametrize("value", ["", "None", "NONE", " none", "off", "false"])
def test_other_dns_values_are_refused(value: str) -> None:
    assert refused({"org.jailnet.dns": value}) == (
        f"annotation org.jailnet.dns: {value!r} is not understood (only 'none')")


# --- ocijail's jid ---------------------------------------------------------------------------

@pytest.mark.parametrize(("jid", "jail"), [("5", "5"), ("1", "1"), ("05", "5"), ("999999", "999999")])
def test_ocijail_jid_names_the_jail(jid: str, jail: str) -> None:
    request = make({"org.freebsd.jail.jid": jid}, cid="ctr")
    assert (request.container_id, request.jail) == ("ctr", jail)


@pytest.mark.parametrize("jid", [
    "", "0", "00", "-1", "+5", " 5", "5 ", "x", "5x", "1.0", "0x10",
    "\u0661",                   # ARABIC-INDIC DIGIT ONE: isdigit() and int() accept it
    "\u00b2",                   # SUPERSCRIPT TWO: isdigit() but not int()
    "1000000",                  # above JAIL_MAX (sys/sys/jail.h)
    "99999999999999999999",
])
def test_invalid_jids_are_refused(jid: str) -> None:
    assert refused({"org.freebsd.jail.jid": jid}) == f"annotation org.freebsd.jail.jid: {jid!r} is not a jid"


# --- order of checks -------------------------------------------------------------------------

def test_container_id_is_checked_first() -> None:
    assert refused({"org.jailnet.network": "nope"}, cid="a.b") == (
        "state.id: 'a.b' cannot name a jail: jail names may not contain '.' (jail(8))")


def test_everything_at_once() -> None:
    request = make({
        "org.jailnet.network": "backend",
        "org.jailnet.ipv4": "10.88.0.77",
        "org.jailnet.nameservers": "10.88.0.1,192.0.2.1",
        "org.jailnet.search": "svc.internal",
        "org.jailnet.dns": "none",
        "org.freebsd.jail.jid": "12",
        "org.other": "ignored",
    }, network="db", cid="web-1")
    assert request == Request(container_id="web-1", jail="12", network=BACKEND,
                              address=ipaddress.IPv4Address("10.88.0.77"),
                              nameservers=("10.88.0.1", "192.0.2.1"), search=("svc.internal",), dns=False)
