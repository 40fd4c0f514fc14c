"""jailnet: OCI hook programs that give FreeBSD vnet jails (runj) Docker-style bridge + NAT networking."""

__version__ = "0.1.0"

#: The command's name: its usage lines, its error prefix, the argv[0] ocijail repeats.
PROG = "jailnet"
