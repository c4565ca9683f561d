"""``python -m pyfuncs.cli`` runs the ``gpucredit`` command."""

from pyfuncs.cli.app import main

main()
