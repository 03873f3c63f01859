"""Progress bars that work in JupyterLab, in a terminal and in CI logs."""
from __future__ import annotations

import os
from typing import Iterable, TypeVar

from tqdm.auto import tqdm

T = TypeVar("T")


def progress(iterable: Iterable[T], desc: str = "", total: int | None = None, leave: bool = False) -> tqdm:
    """Wrap `iterable` in a tqdm progress bar (a widget in Jupyter, text elsewhere).

    Use `bar.set_postfix(loss=...)` on the returned bar to show a running value. While nbgrader
    autogrades a notebook the bar is off: nobody watches it, a feedback page cannot show its widget,
    and its timings would make two gradings of the same answers differ.
    """
    grading = os.environ.get("NBGRADER_EXECUTION") == "autograde"
    return tqdm(iterable, desc=desc, total=total, leave=leave, dynamic_ncols=True, disable=grading)
