"""Run jailnet as ``python -m hooks`` (the same as the ``jailnet`` command)."""

from hooks.cli import main

raise SystemExit(main())
