"""``python -m capeval``: the same as the ``capeval`` command."""
from capeval.cli.main import main

main()
