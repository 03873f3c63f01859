"""Progress bars that work in JupyterLab, in a terminal and in CI logs."""
from __future__ import annotations

from typing import Iterable, TypeVar

from tqdm.auto import tqdm

T = TypeVar("T")


def progress(iterable: Iterable[T], desc: str = "", total: int | None = None, leave: bool = False) -> tqdm:
    """Wrap `iterable` in a tqdm progress bar (a widget in Jupyter, text elsewhere).

    Use `bar.set_postfix(loss=...)` on the returned bar to show a running value.
    """
    return tqdm(iterable, desc=desc, total=total, leave=leave, dynamic_ncols=True)
