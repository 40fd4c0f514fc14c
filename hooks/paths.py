"""Where jailnet looks for things on the host, and the environment variables that move them.

Constants only, so that every module (and ``jailnet --help``) can name them without importing
the modules that use them.
"""

DEFAULT_CONFIG = "/usr/local/etc/jailnet/jailnet.toml"
"""The host configuration file (hier(7): local configuration under /usr/local/etc)."""
DEFAULT_STATE_DIR = "/var/run/jailnet"
"""Leases and records; /var/run is emptied at boot (rc.d/cleanvar), like the interfaces."""
HOST_RESOLV_CONF = "/etc/resolv.conf"
"""The host's resolver configuration, whose nameservers containers inherit."""

ENV_CONFIG = "JAILNET_CONFIG"
ENV_STATE_DIR = "JAILNET_STATE_DIR"
ENV_RESOLV_CONF = "JAILNET_RESOLV_CONF"
"""Read the host's nameservers from this file instead of /etc/resolv.conf (tests, odd hosts)."""
