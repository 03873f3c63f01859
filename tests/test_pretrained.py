"""The committed pretrained models: small files, loaded by each lab's own code, reproducing the figures RESULTS.md shows.

`tools.pretrained.measure` runs a lab's own cells with `PRETRAINED = True` (nothing is trained) on
the CPU up to the cell that measures its main figures; they must match the figures recorded when
the models were made (figures.json), which RESULTS.md shows.
"""
import json

import pytest

from tools.pretrained import FIGURE_CELLS, FIGURES_FILE, PRETRAINED_DIR, measure

TOLERANCE = {"test negative ELBO (nats)": 0.3, "conditional accuracy": 0.005, "label-free NMI": 0.01,
             "real-vs-real FD": 0.1}


def test_every_lab_ships_small_pretrained_models():
    files = sorted(PRETRAINED_DIR.glob("*/*.pt.xz"))
    assert {path.parent.name for path in files} == set(FIGURE_CELLS), "every lab ships its reference models"
    too_big = [f"{p.relative_to(PRETRAINED_DIR)}: {p.stat().st_size / 1e6:.2f} MB" for p in files if p.stat().st_size > 2_000_000]
    assert not too_big, too_big


@pytest.mark.slow
@pytest.mark.data
@pytest.mark.parametrize("lab", sorted(FIGURE_CELLS))
def test_the_pretrained_models_reproduce_the_recorded_figures(lab):
    expected = json.loads(FIGURES_FILE.read_text())[lab]
    measured = measure(lab)      # raises if a committed model no longer loads into the lab's own classes
    assert measured.keys() == expected.keys() == set(FIGURE_CELLS[lab][1])
    for name, value in expected.items():
        tolerance = TOLERANCE.get(name, 0.01 if "confident" in name else 2.0)
        assert abs(measured[name] - value) <= tolerance, f"{lab} {name}: {measured[name]:.4g}, recorded {value:.4g}"
