"""The two kinds of failure the ``jailnet`` command reports, and their exit codes.

Library code raises these with a finished, user-facing sentence; only :mod:`hooks.cli` turns
them into a stderr line and an exit status (as containernetworking/cni ``pkg/skel`` keeps typed
errors in the library and prints them in one place).
"""


class BadInput(ValueError):
    """Invalid state JSON, annotation, configuration or command line: exit 2, nothing touched.

    The message names the field, e.g. ``annotation org.jailnet.ipv4: 10.0.0.5 is outside
    172.17.0.0/16``.
    """

    exit_code = 2


class OperationFailed(RuntimeError):
    """A command or file operation failed on the host: exit 1 (after rolling back)."""

    exit_code = 1
