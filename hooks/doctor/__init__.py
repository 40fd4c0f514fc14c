"""``jailnet doctor``: check that this host is ready for jailnet, say how to fix what is not, and
with ``--fix`` apply the fixes that are safe and reversible.

Functional core, imperative shell: :func:`gather` runs read-only probes through the runner into
:class:`Observations`; :func:`diagnose` (pure) turns them into :class:`Finding` values; :func:`main`
prints them and, with ``--fix``, applies the fixable ones, says what it did and checks again.

- :mod:`hooks.doctor.findings`: :class:`Finding` and the fix actions (values);
- :mod:`hooks.doctor.observations`: what doctor saw, and the probes that see it (the probe list);
- :mod:`hooks.doctor.checks`: :func:`diagnose`, one function per check (with their sources);
- :mod:`hooks.doctor.fixes`: :func:`fix`, which applies the actions (the fix policy);
- this module: :func:`main` and the report, as text (:func:`render`, :func:`summary`) or JSON
  (:func:`as_json`, README "jailnet doctor").
"""

import argparse
import json
from collections.abc import Sequence

import attrs

from hooks.console import Console
from hooks.doctor.checks import diagnose
from hooks.doctor.findings import Finding, RunCommand, ready
from hooks.doctor.fixes import Attempt, fix
from hooks.doctor.observations import (
    Lease,
    Observations,
    PfView,
    StateView,
    gather,
    nat_rule_for,
)

#: The names callers and tests use; the rest lives in the modules listed above.
__all__ = [
    "Attempt", "Finding", "Lease", "Observations", "PfView", "RunCommand", "StateView", "as_json", "diagnose", "fix",
    "gather", "main", "nat_rule_for", "ready", "render", "summary",
]


def _tag(finding: Finding) -> str:
    if finding.severity == "info":
        return "info"
    if finding.ok:
        return "ok"
    return "FAIL" if finding.severity == "error" else "WARN"


def render(findings: Sequence[Finding]) -> str:
    """One line per check; details and fix lines indented under a check that is not ok."""
    lines = []
    for finding in findings:
        lines.append(f"{_tag(finding):<4} {finding.message}")
        if not finding.ok:
            lines += [f"       - {detail}" for detail in finding.details]
            lines += [f"     {line}" for line in (finding.fix or "").splitlines()]
    return "".join(line + "\n" for line in lines)


def summary(findings: Sequence[Finding], *, fixing: bool) -> str:
    """The last line: ready or not, and what ``--fix`` could do."""
    errors = [f for f in findings if f.severity == "error" and not f.ok]
    warnings = [f for f in findings if f.severity == "warning" and not f.ok]
    warned = f" ({len(warnings)} warning(s))" if warnings else ""
    if not errors:
        return f"ready: this host can run jailnet containers{warned}\n"
    fixable = [f for f in errors if f.fixable]
    hint = f"; jailnet doctor --fix can fix {len(fixable)}" if fixable and not fixing else ""
    return f"not ready: {len(errors)} problem(s){hint}{warned}\n"


def as_json(finding: Finding) -> dict[str, object]:
    """One entry of the report's ``checks`` list (README "jailnet doctor")."""
    return {"id": finding.id, "network": finding.network, "ok": finding.ok, "severity": finding.severity,
            "message": finding.message, "details": list(finding.details), "fix": finding.fix,
            "fixable": finding.fixable}


def main(args: argparse.Namespace, console: Console) -> int:
    """``jailnet doctor [--network NAME] [--fix] [--json]``: 0 ready, 1 not ready. Bad input (the
    configuration, an unknown ``--network``) raises :class:`~hooks.errors.BadInput`, which
    :func:`hooks.cli.main` reports with exit status 2."""
    config = console.networks(args)
    names = [config.network(args.network, "--network").name] if args.network else sorted(config.networks)
    nets = [config.networks[name] for name in names]
    state_path = console.state_dir(args)
    observed = gather(console, nets, state_path, config.cluster)
    findings = diagnose(observed, config, names)
    attempts: list[Attempt] = []
    before = findings
    skipped = ""
    if args.fix:
        if observed.euid != 0 and any(f.fixable for f in findings):
            skipped = "not root: nothing fixed"
        else:
            attempts = fix(findings, console, state_path)
            if attempts:
                findings = diagnose(gather(console, nets, state_path, config.cluster), config, names)
    is_ready = ready(findings)
    if args.json:
        report = {"ready": is_ready, "checks": [as_json(f) for f in findings],
                  "fixed": [attrs.asdict(a) for a in attempts]}
        console.out.write(json.dumps(report, indent=2) + "\n")
        if skipped:
            console.err.write(f"jailnet: doctor --fix: {skipped}\n")
        return 0 if is_ready else 1
    out = console.out
    out.write(render(before))
    if args.fix:
        if skipped:
            out.write(f"--fix: {skipped}\n")
        elif not attempts:
            out.write("--fix: nothing that doctor may fix\n")
        else:
            out.write("--fix:\n")
            for attempt in attempts:
                out.write(f"  ran    {attempt.command}\n" if attempt.ok else f"  FAILED {attempt.error}\n")
            out.write("after --fix:\n")
            out.write(render(findings))
    out.write(summary(findings, fixing=bool(args.fix)))
    return 0 if is_ready else 1
