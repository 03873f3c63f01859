"""Shared test settings: a non-interactive plotting backend and the repository root."""
import os
from pathlib import Path

os.environ.setdefault("MPLBACKEND", "Agg")

REPO_ROOT = Path(__file__).resolve().parent.parent
