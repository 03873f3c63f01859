"""Each lab's plausible mistakes and correct alternatives, one module per lab (`<lab>.py`).

A module defines `MUTANTS` (wrong implementations, each costing the points of the exercise it edits)
and `ALTERNATIVES` (correct rewrites, each earning full marks). A new lab adds its own module.
"""
from __future__ import annotations

import importlib
import pkgutil
from types import ModuleType


def lab_modules() -> dict[str, ModuleType]:
    """Every lab's module, by lab name."""
    return {info.name: importlib.import_module(f"{__name__}.{info.name}")
            for info in pkgutil.iter_modules(__path__) if not info.name.startswith("_")}
