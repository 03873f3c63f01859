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
SIZE_LIMIT = {"diffusion": 4_000_000}          # bytes per file; 2 MB for the other labs


def tolerance(name: str) -> float:
    """How far a re-measured figure may drift (another CPU, another thread count): shares to 1%, bounds to half a nat."""
    if name in TOLERANCE:
        return TOLERANCE[name]
    if any(word in name for word in ("share", "confident", "grey", "recognised")):
        return 0.01
    if "bits/dim" in name or "KL" in name:
        return 0.02
    if "nats" in name:
        return 0.5
    return 2.0


def test_every_lab_ships_small_pretrained_models():
    files = sorted(PRETRAINED_DIR.glob("*/*.pt.xz"))
    assert {path.parent.name for path in files} == set(FIGURE_CELLS), "every lab ships its reference models"
    too_big = [f"{p.relative_to(PRETRAINED_DIR)}: {p.stat().st_size / 1e6:.2f} MB" for p in files
               if p.stat().st_size > SIZE_LIMIT.get(p.parent.name, 2_000_000)]
    assert not too_big, too_big


@pytest.mark.slow
@pytest.mark.data
@pytest.mark.parametrize("lab", sorted(FIGURE_CELLS))
def test_the_pretrained_models_reproduce_the_recorded_figures(lab):
    expected = json.loads(FIGURES_FILE.read_text())[lab]
    measured = measure(lab)      # raises if a committed model no longer loads into the lab's own classes
    assert measured.keys() == expected.keys() == set(FIGURE_CELLS[lab][1])
    for name, value in expected.items():
        assert abs(measured[name] - value) <= tolerance(name), f"{lab} {name}: {measured[name]:.4g}, recorded {value:.4g}"


def test_the_course_samples_hold_every_lab_model_for_the_last_lab():
    """course_samples.pt.xz: samples of each model COURSE_SAMPLERS names, in course order, timed, as 8-bit images."""
    import torch

    import course_utils as cu
    from tools.pretrained import COURSE_SAMPLERS, N_COURSE_SAMPLES
    samples = cu.load_course_samples()
    expected = [(name, lab) for lab, models in COURSE_SAMPLERS.items() for name in models]
    assert [(name, entry["lab"]) for name, entry in samples.items()] == expected
    for name, entry in samples.items():
        assert entry["images"].dtype == torch.uint8 and entry["images"].shape == (N_COURSE_SAMPLES, 1, 28, 28), name
        assert entry["images"].float().std() > 20, f"{name}: the samples are nearly blank"
        assert entry["training seconds"] > 0 and entry["sampling seconds per 1000"] > 0, name
    assert cu.checkpoints.COURSE_SAMPLES_FILE.stat().st_size <= 2_000_000


def test_course_samples_round_trip_and_a_missing_file_says_what_to_do(tmp_path):
    import torch

    import course_utils as cu
    images = torch.rand(3, 1, 28, 28)
    path = cu.save_course_samples({"toy": {"images": images, "lab": "vae", "training seconds": 1.0,
                                           "sampling seconds per 1000": 2.0}}, tmp_path / "samples.pt.xz")
    loaded = cu.load_course_samples(path)["toy"]
    assert (loaded["images"].float() / 255 - images).abs().max() <= 0.5 / 255 + 1e-6 and loaded["lab"] == "vae"
    with pytest.raises(FileNotFoundError, match="make pretrained"):
        cu.load_course_samples(tmp_path / "missing.pt.xz")


def test_a_lab_without_course_models_says_so_and_what_to_do():
    import torch.nn as nn

    import course_utils as cu
    with pytest.raises(FileNotFoundError, match=r"no pretrained model 'missing' for the vae lab.*PRETRAINED = False"):
        cu.load_pretrained(nn.Linear(2, 2), "vae", "missing")
