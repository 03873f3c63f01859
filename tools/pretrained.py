"""Train the labs' reference models under the full budget and keep them as the course's pretrained models.

    python -m tools.pretrained          # every lab (about half an hour on a 2-core CPU, minutes on a GPU)
    python -m tools.pretrained gan      # one lab
    python -m tools.pretrained --measure-only   # keep the committed models, record their figures again

Each solution notebook runs under the full budget through tools.report (which also writes
reports/report.{md,json}); the models it saved in its outputs/ folder are then copied to
course_utils/pretrained/<lab>/, where the labs' `PRETRAINED = True` switch loads them.
"""
from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
from pathlib import Path

from tools import course, report
from tools.course import REPO_ROOT, check_labs, lab_names
from tools.labcode import lab_namespace

PRETRAINED_DIR = REPO_ROOT / "course_utils" / "pretrained"
FIGURES_FILE = PRETRAINED_DIR / "figures.json"
# lab -> (the cells that load its models and measure its main figures, the figures kept)
FIGURE_CELLS = {
    "vae": (["setup-imports", "config", "load-data", "encoder", "reparametrize", "decoder", "vae", "loss",
             "training-loop", "train-main", "quality"], ["test negative ELBO (nats)"]),
    "cvae": (["setup-imports", "config", "load-data", "one-hot", "cvae", "train-step", "training-loop", "train-main",
              "quality", "gumbel-model", "gumbel-loss", "gumbel-train", "gumbel-results"], ["conditional accuracy",
                                                                                        "label-free NMI"]),
    "gan": (["setup-imports", "config", "load-data", "networks", "d-step", "stand-ins", "g-step", "dcgan-training-loop",
             "dcgan-train", "collage", "wgan", "wgan-train", "gradient-penalty", "critic-gp-step", "wgan-gp-train", "compare"],
            ["DCGAN confident", "DCGAN FD", "WGAN confident", "WGAN FD", "WGAN-GP confident", "WGAN-GP FD", "real-vs-real FD"]),
    "pixel_loss": (["setup-imports", "config", "load-data", "dissimilarity", "shift", "rank", "small-vae", "candidates", "figure",
                    "feature-distance", "statistics"], ["BCE closest (share)", "squared error closest (share)",
                                                        "features closest (share)"]),
}


def measure(lab: str) -> dict[str, float]:
    """Run the lab's own cells with PRETRAINED = True on the CPU (nothing is trained) and return its main figures."""
    cells, names = FIGURE_CELLS[lab]
    saved_env = dict(os.environ)
    here = Path.cwd()
    with tempfile.TemporaryDirectory() as scratch:
        os.environ.update(COURSE_BUDGET="full", COURSE_DEVICE="cpu", COURSE_METRICS_DIR=scratch, MPLBACKEND="Agg")
        os.environ.pop("NBGRADER_EXECUTION", None)
        os.chdir(scratch)
        try:
            namespace = lab_namespace(lab, cells, replace={"config": ("PRETRAINED = False", "PRETRAINED = True")})
            if namespace.get("PRETRAINED") is not True:
                raise RuntimeError(f"{lab}: the configuration did not switch PRETRAINED on")
            metrics_file = Path(scratch) / f"{lab}.json"
            metrics = json.loads(metrics_file.read_text()) if metrics_file.exists() else {}
        finally:
            os.chdir(here)
            os.environ.clear()
            os.environ.update(saved_env)
            import matplotlib.pyplot as plt
            plt.close("all")
    return {name: metrics[name] for name in names}


@course.command("pretrained")
def main(argv: list[str]) -> int:
    measure_only = "--measure-only" in argv
    labs = [arg for arg in argv if arg != "--measure-only"] or lab_names()
    check_labs(labs)
    if not measure_only and train_and_keep(labs) != 0:
        return 1
    record_figures(labs)
    return 0


def train_and_keep(labs: list[str]) -> int:
    """Run the labs under the full budget and copy the models they saved into course_utils/pretrained/."""
    for lab in labs:
        shutil.rmtree(REPO_ROOT / "solutions" / lab / "outputs", ignore_errors=True)
    if report.main(["--budget", "full", *labs]) != 0:
        print("a notebook failed under the full budget: nothing was copied")
        return 1
    for lab in labs:
        saved = sorted((REPO_ROOT / "solutions" / lab / "outputs").glob("*.pt.xz"))
        target = PRETRAINED_DIR / lab
        shutil.rmtree(target, ignore_errors=True)
        target.mkdir(parents=True)
        for path in saved:
            shutil.copy2(path, target / path.name)
        print(f"{lab}: kept {', '.join(f'{p.name} ({p.stat().st_size / 1e6:.2f} MB)' for p in saved)}")
    return 0


def record_figures(labs: list[str]) -> None:
    """Measure each lab's figures with its pretrained models and write them to figures.json."""
    figures = json.loads(FIGURES_FILE.read_text()) if FIGURES_FILE.exists() else {}
    for lab in labs:
        figures[lab] = measure(lab)
        print(f"{lab}: {figures[lab]}")
    FIGURES_FILE.write_text(json.dumps(figures, indent=2, sort_keys=True) + "\n")
    print(f"wrote {FIGURES_FILE.relative_to(REPO_ROOT)}; `make results` shows them in RESULTS.md")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
