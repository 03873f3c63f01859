"""Where the course's datasets live: the one rule every part of the course follows (no torch needed).

The instructor's tools read this module by its file path, so that they learn the datasets folder
without importing course_utils (whose import loads torch, seconds on a CPU).
"""
from __future__ import annotations

import os
from pathlib import Path

DATA_ROOT_ENV_VAR = "COURSE_DATA_ROOT"
DEFAULT_DATA_FOLDER = Path(__file__).resolve().parent.parent / "data"


def data_root() -> Path:
    """Where datasets live: $COURSE_DATA_ROOT (a leading `~` expanded) if set, else `data/` beside course_utils."""
    from_env = os.environ.get(DATA_ROOT_ENV_VAR, "").strip()
    return Path(from_env).expanduser() if from_env else DEFAULT_DATA_FOLDER
