"""jailnet: OCI hook programs that give FreeBSD vnet jails (runj) Docker-style bridge + NAT networking."""

__version__ = "0.1.0"
