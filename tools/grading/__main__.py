"""`python -m tools.grading`: the client's command line (client/cli.py)."""
import sys

from tools.grading.client.cli import main

sys.exit(main())
