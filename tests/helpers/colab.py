"""A notebook as Colab's File > Download > Download .ipynb writes it, made from one written in JupyterLab.

What Colab writes, read from notebooks it saved: `nbformat_minor` 0 and no top-level cell ids; each
cell's id in its metadata (`metadata.id`, usually 12 characters, 8 in older files, none on some);
notebook metadata `colab` (`provenance`, `gpuType`, `toc_visible`), `accelerator`, a kernelspec
`{"name": "python3", "display_name": "Python 3"}` without `language`, `language_info` with a
name only; on code cells that ran, `metadata.colab.base_uri`, `executionInfo` (status, timestamp,
elapsed, user) and `outputId`; outputs with their text as lists of lines, execution counts, an
`execute_result` with empty metadata and figures as `display_data` (image/png and text/plain).
Cell metadata Colab does not know (nbgrader's) is kept as it was.
"""
from __future__ import annotations

import base64
import copy
import random
import string

import nbformat

ID_CHARACTERS = string.ascii_letters + string.digits + "-_"
PNG = base64.b64encode(b"\x89PNG\r\n\x1a\n" + bytes(64)).decode()
USER = {"displayName": "Ada Student", "userId": "04127741934562915283"}


def _lines(text: str) -> list[str]:
    return text.splitlines(keepends=True)


def _colab_id(rng: random.Random, length: int) -> str:
    return "".join(rng.choice(ID_CHARACTERS) for _ in range(length))


def _outputs(cell, rng: random.Random) -> list[dict]:
    """What a cell shows after a run in Colab: printed lines for a check, a value or a figure for others."""
    if "nbgrader" in cell.metadata and cell.metadata["nbgrader"].get("grade"):
        return [{"output_type": "stream", "name": "stdout", "text": ["\N{HEAVY CHECK MARK} checked in Colab\n"]}]
    choice = rng.random()
    if choice < 0.3:
        return [{"output_type": "display_data", "metadata": {},
                 "data": {"image/png": PNG, "text/plain": ["<Figure size 640x480 with 1 Axes>"]}}]
    if choice < 0.5:
        return [{"output_type": "execute_result", "execution_count": None, "metadata": {},
                 "data": {"text/plain": ["tensor([0.5000, 0.2500])"]}}]
    return []


def colab_download(nb: nbformat.NotebookNode, seed: int = 0) -> dict:
    """`nb` (a notebook from JupyterLab) as Colab saves it: a plain dict, to be written with json.dumps.

    Every cell keeps its source and nbgrader metadata; ids move into the metadata (a few cells lose
    theirs, a few get 8 characters), and code cells carry Colab's run records and outputs.
    """
    rng = random.Random(seed)
    cells = []
    for index, original in enumerate(nb.cells):
        cell = {"cell_type": original.cell_type, "metadata": copy.deepcopy(dict(original.metadata)),
                "source": _lines(original.source)}
        if index % 7 != 3:                                  # a few cells have no id at all
            cell["metadata"]["id"] = _colab_id(rng, 8 if index % 5 == 1 else 12)
        if original.cell_type == "code":
            count = index + 1
            outputs = _outputs(original, rng)
            for output in outputs:
                if output["output_type"] == "execute_result":
                    output["execution_count"] = count
            cell["metadata"].update({
                "colab": {"base_uri": "https://localhost:8080/", **({"height": 430} if outputs else {})},
                "executionInfo": {"status": "ok", "timestamp": 1786000000000 + 1000 * index, "user_tz": -60,
                                  "elapsed": rng.randint(5, 4000), "user": dict(USER)},
                "outputId": f"{rng.getrandbits(32):08x}-{rng.getrandbits(16):04x}-4{rng.getrandbits(12):03x}-"
                            f"8{rng.getrandbits(12):03x}-{rng.getrandbits(48):012x}"})
            cell["execution_count"] = count
            cell["outputs"] = outputs
        cells.append(cell)
    return {"cells": cells,
            "metadata": {"colab": {"provenance": [], "gpuType": "T4", "toc_visible": True},
                         "accelerator": "GPU",
                         "kernelspec": {"name": "python3", "display_name": "Python 3"},
                         "language_info": {"name": "python"}},
            "nbformat": 4, "nbformat_minor": 0}
