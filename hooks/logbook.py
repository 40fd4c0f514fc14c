"""One line per action, to syslog and an optional file: runtimes discard a hook's output on
success (runj hook/hook.go prints it only on failure), so this is where an admin looks.

syslog(3) is used when the log socket exists (``/var/run/log`` on FreeBSD, syslogd(8);
``/dev/log`` elsewhere), with ident ``jailnet`` and facility ``daemon``. Errors also go to
stderr, which the runtime shows when the hook fails.
"""

import os
import time
from typing import TextIO

SYSLOG_SOCKETS = ("/var/run/log", "/dev/log")


class Logbook:
    """Writes ``<kind> <container id>: <message>`` lines."""

    def __init__(self, kind: str, container_id: str, *, log_file: str | None, stderr: TextIO) -> None:
        self.prefix = f"{kind} {container_id}" if container_id else kind
        self.log_file = log_file
        self.stderr = stderr
        self._syslog = None
        if any(os.path.exists(sock) for sock in SYSLOG_SOCKETS):
            import syslog

            syslog.openlog("jailnet", syslog.LOG_PID, syslog.LOG_DAEMON)
            self._syslog = syslog

    def _write(self, level: str, message: str) -> None:
        line = f"{self.prefix}: {message}"
        if self._syslog is not None:
            self._syslog.syslog(self._syslog.LOG_ERR if level == "error" else self._syslog.LOG_INFO, line)
        if self.log_file:
            stamp = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
            try:
                with open(self.log_file, "a") as f:
                    f.write(f"{stamp} jailnet[{os.getpid()}] {level}: {line}\n")
            except OSError as exc:
                self.stderr.write(f"jailnet: {self.prefix}: cannot write log file {self.log_file}: {exc.strerror}\n")
                self.log_file = None

    def info(self, message: str) -> None:
        """Log one action."""
        self._write("info", message)

    def error(self, message: str, *, echo: bool = True) -> None:
        """Log a failure; it goes to stderr too unless ``echo`` is off (a failure the hook raises
        is written there by :mod:`hooks.cli`)."""
        self._write("error", message)
        if echo:
            self.stderr.write(f"jailnet: {self.prefix}: {message}\n")
