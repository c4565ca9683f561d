"""The ``gpucredit`` command: one module per command group (demo, build, refresh, serve, docs)."""

from pyfuncs.cli.app import app, main

__all__ = ["app", "main"]
