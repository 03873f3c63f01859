"""`python -m tools.grading`: see cli.py."""
import sys

from tools.grading.cli import main

sys.exit(main())
