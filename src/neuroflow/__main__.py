"""`python -m neuroflow` runs the command line."""

from neuroflow.cli.main import main

main()
