"""hooks/ports.py: Docker's ``-p`` specs, read, refused with one line naming the spec, and the
host ports a list claims twice."""

import ipaddress

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hooks.errors import BadInput
from hooks.ports import Published, parse_list, parse_spec

WHERE = "annotation org.jailnet.ports"
A = ipaddress.IPv4Address


@pytest.mark.parametrize(("spec", "expected"), [
    ("8080:80", Published(host_ip=None, host_port=8080, container_port=80)),
    ("127.0.0.1:8443:443/tcp", Published(host_ip=A("127.0.0.1"), host_port=8443, container_port=443)),
    ("5353:53/udp", Published(host_ip=None, host_port=5353, container_port=53, protocol="udp")),
    ("9000-9002:9000-9002", Published(host_ip=None, host_port=9000, container_port=9000, count=3)),
    ("9000-9002:7000-7002/udp", Published(host_ip=None, host_port=9000, container_port=7000, count=3,
                                          protocol="udp")),
    ("1:65535", Published(host_ip=None, host_port=1, container_port=65535)),
])
def test_specs_docker_takes(spec: str, expected: Published) -> None:
    assert parse_spec(spec, WHERE) == expected


@pytest.mark.parametrize(("spec", "problem"), [
    ("8080:0", "container port 0 is not a port (1-65535)"),
    ("0:80", "host port 0 is not a port (1-65535)"),
    ("65536:80", "host port 65536 is not a port (1-65535)"),
    ("8080:80/sctp", "protocol 'sctp' is neither tcp nor udp"),
    ("8080:80/", "protocol '' is neither tcp nor udp"),
    ("9002-9000:9002-9000", "host port range 9002-9000 runs backwards"),
    ("9000-9002:9000-9001", "host ports 9000-9002 and container ports 9000-9001 are not ranges of one length"),
    ("9000-9002:80", "host ports 9000-9002 and container ports 80 are not ranges of one length"),
    ("300.1.1.1:8080:80", "host address '300.1.1.1' is not an IPv4 address"),
    ("::1:8080:80", "expected [HOSTIP:]HOSTPORT:CONTAINERPORT[/tcp|/udp] (HOSTIP an IPv4 address)"),
    ("80", "expected [HOSTIP:]HOSTPORT:CONTAINERPORT[/tcp|/udp] (HOSTIP an IPv4 address)"),
    ("127.0.0.1::80", "host port is missing"),
    ("8080:", "container port is missing"),
    ("http:80", "host port 'http' is not a number"),
    ("+80:80", "host port '+80' is not a number"),
    ("٨٠:80", "host port '٨٠' is not a number"),  # Arabic-Indic digits: isdigit() but not ASCII
    ("8080-:80", "host port range end is missing"),
])
def test_bad_specs_are_refused_naming_the_spec(spec: str, problem: str) -> None:
    with pytest.raises(BadInput) as caught:
        parse_spec(spec, WHERE)
    assert str(caught.value) == f"{WHERE}: {spec!r}: {problem}"
    assert "\n" not in str(caught.value)


def test_a_list_is_read_in_order_with_spaces_ignored() -> None:
    assert [p.spec() for p in parse_list(" 8080:80 , 5353:53/udp,127.0.0.1:8080:80/udp", WHERE)] == [
        "8080:80/tcp", "5353:53/udp", "127.0.0.1:8080:80/udp"]


@pytest.mark.parametrize(("text", "spec", "holder"), [
    ("8080:80,8080:81", "8080:81", "8080:80/tcp"),
    ("9000-9002:9000-9002,9002:22", "9002:22", "9000-9002:9000-9002/tcp"),
    ("127.0.0.1:8080:80,8080:81", "8080:81", "127.0.0.1:8080:80/tcp"),  # all addresses vs one
    ("8080:81,127.0.0.1:8080:80", "127.0.0.1:8080:80", "8080:81/tcp"),
    ("127.0.0.1:53:53/udp,127.0.0.1:53:5353/udp", "127.0.0.1:53:5353/udp", "127.0.0.1:53:53/udp"),
])
def test_a_list_may_not_claim_a_host_port_twice(text: str, spec: str, holder: str) -> None:
    with pytest.raises(BadInput) as caught:
        parse_list(text, WHERE)
    assert str(caught.value) == f"{WHERE}: {spec!r} publishes a host port {holder!r} publishes already"


@pytest.mark.parametrize("text", [
    "8080:80,8080:80/udp",                           # another protocol
    "127.0.0.1:8080:80,192.0.2.1:8080:80",           # another address
    "9000-9002:9000-9002,9003:9003",                 # next to the range
])
def test_claims_that_do_not_meet_are_fine(text: str) -> None:
    assert len(parse_list(text, WHERE)) == len(text.split(","))


@pytest.mark.parametrize("text", ["", "8080:80,", ",8080:80", "8080:80,,5353:53/udp"])
def test_an_empty_spec_is_refused(text: str) -> None:
    with pytest.raises(BadInput, match="an empty spec"):
        parse_list(text, WHERE)


PUBLISHED = st.builds(
    lambda ip, host, container, count, protocol: Published(
        host_ip=ip, host_port=min(host, 65536 - count), container_port=min(container, 65536 - count), count=count,
        protocol=protocol),
    st.none() | st.sampled_from([A("127.0.0.1"), A("192.0.2.1")]),
    st.integers(1, 65535), st.integers(1, 65535), st.integers(1, 5), st.sampled_from(["tcp", "udp"]))


@given(PUBLISHED)
def test_a_spec_reads_back_as_itself(published: Published) -> None:
    assert parse_spec(published.spec(), WHERE) == published


@given(PUBLISHED, PUBLISHED)
def test_overlap_is_a_shared_host_port_on_a_shared_address(one: Published, two: Published) -> None:
    def ports(p: Published) -> set[tuple[str, object, int]]:
        return {(p.protocol, p.host_ip, port) for port in range(p.host_port, p.host_end + 1)}

    shared_port = any(a[0] == b[0] and a[2] == b[2] and (a[1] is None or b[1] is None or a[1] == b[1])
                      for a in ports(one) for b in ports(two))
    assert one.overlaps(two) == two.overlaps(one) == shared_port
