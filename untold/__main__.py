"""``python -m untold`` runs the CLI."""

from untold.cli import main

main()
