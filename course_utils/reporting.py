"""Machine-readable results of a lab run, collected by `make report`."""
from __future__ import annotations

import json
import math
import os
from pathlib import Path

from .yardstick import Measured

METRICS_DIR_ENV_VAR = "COURSE_METRICS_DIR"
ERROR_SUFFIX = "error"       # "FD error" is the standard error of the figure "FD"


def save_metrics(lab: str, metrics: dict[str, float | int | str | Measured]) -> Path:
    """Write `metrics` for `lab` as JSON to $COURSE_METRICS_DIR/<lab>.json (default: outputs/<lab>_metrics.json).

    A `Measured` figure is written as two entries: its value under its name, its error under "<name> error".
    """
    clean = {}
    for name, value in metrics.items():
        if isinstance(value, Measured):
            clean[f"{name} {ERROR_SUFFIX}"] = value.error if math.isfinite(value.error) else None
            value = value.value
        if isinstance(value, float) and not math.isfinite(value):
            value = None
        elif not isinstance(value, (int, float, str, type(None))):
            raise TypeError(f"save_metrics: {name!r} is a {type(value).__name__}; use numbers or strings.")
        clean[name] = value
    folder = os.environ.get(METRICS_DIR_ENV_VAR, "").strip()
    path = Path(folder) / f"{lab}.json" if folder else Path("outputs") / f"{lab}_metrics.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(clean, indent=2, sort_keys=True) + "\n")
    return path
