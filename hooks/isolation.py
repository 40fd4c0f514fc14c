"""Networks that keep apart: the pf filter anchor ``jailnet/isolation``.

For each ordered pair of configured networks where either one is ``isolated`` (the default), the
anchor holds ``block drop quick inet from A to B``, and ``inet6`` the same when both are dual
stack (docs/isolation.md). pf evaluates it where pf.conf calls ``anchor "jailnet/*"``
(pf.conf(5) "ANCHORS"); ``quick`` ends the evaluation at the block (pf.conf(5) "quick"), so a
later ``pass`` in the main ruleset cannot undo it. Traffic between a container and the outside
world matches no rule here.

The anchor is (re)loaded with one ``pfctl -a jailnet/isolation -f -``, the rules on stdin,
whenever the rules the configuration asks for differ from the ones last loaded. Those are kept in
the state directory (:attr:`hooks.statedir.StateDir.isolation_file`), so a create with an
unchanged configuration compares two strings and runs nothing. A host with one network needs no
rule and loads nothing. The load is one of a create's host-wide steps: a create that fails puts
the earlier rules back, and the state file is written only when the create succeeds.
"""

from collections.abc import Mapping
from typing import TYPE_CHECKING

from hooks import plan
from hooks.naming import ISOLATION_ANCHOR

if TYPE_CHECKING:
    from hooks.netconf import Network

def rules(networks: Mapping[str, "Network"]) -> str:
    """The anchor's rules for ``networks``, in pf.conf(5)'s filter grammar (sbin/pfctl/parse.y
    ``pfrule``: ``action [quick] [af] fromto``), networks in name order."""
    lines = []
    ordered = sorted(networks.values(), key=lambda n: n.name)
    for one in ordered:
        for other in ordered:
            if one.name == other.name or not (one.isolated or other.isolated):
                continue
            lines.append(f"block drop quick inet from {one.subnet} to {other.subnet}\n")
            if one.subnet6 is not None and other.subnet6 is not None:
                lines.append(f"block drop quick inet6 from {one.subnet6} to {other.subnet6}\n")
    return "".join(lines)


def load(text: str, previous: str | None) -> plan.Command:
    """Replace the anchor's rules with ``text`` (``-a`` with ``-f -``: pfctl.8), an empty text
    included: that leaves the anchor empty. Undone by loading ``previous``, the state file that
    still holds the rules loaded before (``-f FILE``), or, when none were, by flushing the
    anchor's filter rules (``-F rules``)."""
    undo = (("pfctl", "-a", ISOLATION_ANCHOR, "-f", previous) if previous is not None
            else ("pfctl", "-a", ISOLATION_ANCHOR, "-F", "rules"))
    return plan.Command(("pfctl", "-a", ISOLATION_ANCHOR, "-f", "-"), stdin=text, undo=undo)
