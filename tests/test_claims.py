"""hooks/claims.py: host ports published by live containers, never by two at once."""

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hooks.claims import Claims, claim_names
from hooks.errors import BadInput
from hooks.ports import Published, parse_list

WHERE = "annotation org.jailnet.ports"


def ports(text: str) -> tuple[Published, ...]:
    return parse_list(text, WHERE)


def test_a_claim_is_a_file_per_port_with_an_index(tmp_path: Path) -> None:
    root = tmp_path / "ports"  # made by the first claim, as the state directory's ports/ is
    claims = Claims(root)
    claims.claim("web", ports("8080:80,127.0.0.1:9000-9001:9000-9001/udp"))
    assert claims.holders() == {"tcp/8080/any": "web", "udp/9000/127.0.0.1": "web", "udp/9001/127.0.0.1": "web"}
    assert claims.held("web") == ("tcp/8080/any", "udp/9000/127.0.0.1", "udp/9001/127.0.0.1")
    assert (root / "tcp" / "8080" / "any").stat().st_mode & 0o777 == 0o600
    for directory in (root, root / "tcp", root / "tcp" / "8080", root / "ids", root / "udp" / "9000"):
        assert directory.stat().st_mode & 0o777 == 0o700, directory


@pytest.mark.parametrize(("first", "second", "message"), [
    ("8080:80", "8080:81", "'8080:81/tcp': host port 8080/tcp is published by container web"),
    ("8080:80", "127.0.0.1:8080:81", "'127.0.0.1:8080:81/tcp': host port 8080/tcp is published by container web"),
    ("127.0.0.1:8080:80", "8080:81", "'8080:81/tcp': host port 127.0.0.1:8080/tcp is published by container web"),
    ("9000-9002:9000-9002", "9002:22", "'9002:22/tcp': host port 9002/tcp is published by container web"),
])
def test_a_port_another_container_holds_is_refused_naming_it(tmp_path: Path, first: str, second: str,
                                                              message: str) -> None:
    claims = Claims(tmp_path)
    claims.claim("web", ports(first))
    before = claims.holders()
    with pytest.raises(BadInput) as caught:
        claims.claim("api", ports(f"7000:70,{second}"))
    assert str(caught.value) == f"{WHERE}: {message}"
    assert claims.holders() == before and claims.held("api") == ()  # nothing of api's was claimed


@pytest.mark.parametrize(("first", "second"), [
    ("8080:80", "8080:80/udp"),
    ("127.0.0.1:8080:80", "192.0.2.1:8080:80"),
    ("9000-9002:9000-9002", "9003:9003"),
])
def test_claims_that_do_not_meet_both_hold(tmp_path: Path, first: str, second: str) -> None:
    claims = Claims(tmp_path)
    claims.claim("web", ports(first))
    claims.claim("api", ports(second))
    assert set(claims.holders().values()) == {"web", "api"}


def test_claiming_again_makes_the_claims_exactly_the_new_ports(tmp_path: Path) -> None:
    claims = Claims(tmp_path)
    claims.claim("web", ports("8080:80,5353:53/udp"))
    claims.claim("web", ports("8080:80,8443:443"))  # kept, added; 5353/udp dropped
    assert claims.holders() == {"tcp/8080/any": "web", "tcp/8443/any": "web"}
    assert claims.held("web") == ("tcp/8080/any", "tcp/8443/any")


def test_release_frees_the_ports_and_is_idempotent(tmp_path: Path) -> None:
    claims = Claims(tmp_path)
    claims.claim("web", ports("8080:80,5353:53/udp"))
    assert sorted(claims.release("web")) == ["tcp/8080/any", "udp/5353/any"]
    assert claims.release("web") == [] and claims.holders() == {} and claims.held("web") == ()
    claims.claim("api", ports("8080:80"))  # free again
    assert claims.holders() == {"tcp/8080/any": "api"}


def test_release_all_finds_claims_the_index_lost(tmp_path: Path) -> None:
    """A create killed after its claim files and before its index leaves claims only a scan finds."""
    claims = Claims(tmp_path)
    claims.claim("web", ports("8080:80"))
    (tmp_path / "ids" / "web").unlink()
    assert claims.release("web") == [] and claims.holders() == {"tcp/8080/any": "web"}
    assert claims.release_all("web") == ["tcp/8080/any"] and claims.holders() == {}


def test_release_leaves_a_claim_another_container_took_over(tmp_path: Path) -> None:
    claims = Claims(tmp_path)
    claims.claim("web", ports("8080:80"))
    (tmp_path / "tcp" / "8080" / "any").write_text("api\n")  # as if web's were gone and api's made
    assert claims.release("web") == [] and claims.holders() == {"tcp/8080/any": "api"}


SPECS = st.sampled_from(["8080:80", "8080:80/udp", "127.0.0.1:8080:80", "192.0.2.1:8080:80", "8081-8082:81-82",
                         "127.0.0.1:8082:82"])
STEPS = st.lists(st.tuples(st.sampled_from(["claim", "release"]), st.sampled_from(["a", "b", "c"]),
                           st.lists(SPECS, min_size=1, max_size=2, unique=True)), max_size=12)


@settings(max_examples=60, deadline=None)
@given(STEPS)
def test_no_two_containers_ever_hold_a_port_in_common(tmp_path_factory: pytest.TempPathFactory,
                                                      steps: list[tuple[str, str, list[str]]]) -> None:
    claims = Claims(tmp_path_factory.mktemp("claims"))
    live: dict[str, tuple[Published, ...]] = {}
    for action, cid, specs in steps:
        if action == "release":
            claims.release(cid)
            live.pop(cid, None)
            continue
        try:
            wanted = ports(",".join(specs))
        except BadInput:
            continue  # the list clashes with itself: refused before any claim
        others = [p for other, held in live.items() if other != cid for p in held]
        clash = any(p.overlaps(o) for p in wanted for o in others)
        try:
            claims.claim(cid, wanted)
        except BadInput:
            assert clash
            continue
        assert not clash
        live[cid] = wanted
    holders = claims.holders()
    assert set(holders.values()) <= set(live)
    for name, holder in holders.items():
        assert name in claims.held(holder)
    for cid, held in live.items():  # every live container holds exactly its ports' claims
        assert sorted(n for n, h in holders.items() if h == cid) == sorted(
            name for p in held for name in claim_names(p))
