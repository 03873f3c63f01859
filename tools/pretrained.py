"""Train the labs' reference models under the full budget and keep them as the course's pretrained models.

    python -m tools.pretrained          # every lab (hours on a 2-core CPU, minutes on a GPU)
    python -m tools.pretrained gan      # one lab
    python -m tools.pretrained --measure-only   # keep the committed models, record their figures again

Each solution notebook runs under the `course` budget through tools.report (the full budget, or
longer where a lab asks for it with `BUDGET.choose(..., course=...)`: at most two hours of a 2-core
CPU per lab); the models it saved in its outputs/ folder are then copied to
course_utils/pretrained/<lab>/, where the labs' `PRETRAINED = True` switch loads them. What the full
budget gives is measured by `make report`.
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
    "vae": (["setup-imports", "config", "load-data", "encoder", "reparametrize", "decoder", "vae", "loss", "train-epoch",
             "training-loop", "train-main", "quality"], ["test negative ELBO (nats)"]),
    "cvae": (["setup-imports", "config", "load-data", "one-hot", "cvae", "train-step", "training-loop", "train-main",
              "quality", "gumbel-model", "gumbel-loss", "gumbel-train", "gumbel-plain-train", "gumbel-results"],
             ["conditional accuracy", "label-free NMI", "label-free NMI, plain ELBO"]),
    "gan": (["setup-imports", "config", "load-data", "networks", "d-step", "stand-ins", "g-step", "dcgan-training-loop",
             "dcgan-train", "collage", "wgan", "wgan-train", "gradient-penalty", "wgan-gp-iteration", "wgan-gp-train", "compare"],
            ["DCGAN confident", "DCGAN FD", "WGAN confident", "WGAN FD", "WGAN-GP confident", "WGAN-GP FD", "real FD at the same N"]),
    "flows": (["setup-imports", "config", "scale-shift", "log-prob", "coupling", "coupling-given", "toy-flow", "toy-train", "pixels",
               "image-flow", "image-data", "image-flow-one-batch", "image-flow-train", "image-flow-test", "made", "made-given",
               "iaf-step", "iaf-vae", "iaf-vae-train", "iwae", "iwae-table"],
              ["toy KL (nats)", "image flow test bits/dim", "image flow test bits/dim error", "plain VAE ELBO (nats)",
               "plain VAE ELBO (nats) error", "VAE + IAF ELBO (nats)", "VAE + IAF ELBO (nats) error", "plain VAE L_100 (nats)", "plain VAE L_100 (nats) error", "VAE + IAF L_100 (nats)",
               "VAE + IAF L_100 (nats) error", "IAF minus plain L_100 (nats)", "IAF minus plain L_100 (nats) error",
               "IAF minus plain gap L_100 - ELBO (nats)", "IAF minus plain gap L_100 - ELBO (nats) error"]),
    "diffusion": (["setup-imports", "config", "load-data", "schedules", "forward", "loss", "train-step", "unet",
                   "ddpm-train", "posterior", "samplers", "ddim", "ddpm-samples", "fm-loss", "euler", "euler-given", "fm-train",
                   "steps", "why-given", "why-train", "why-errors"],
                  ["DDPM 10 steps FD", "DDIM 10 steps FD", "flow matching 10 steps FD", "DDIM 10 steps confident",
                   "flow matching 10 steps confident", "clean-image error noise target SNR 0.001",
                   "clean-image error v target SNR 0.001", "clean-image error flow matching SNR 0.001"]),
    "pixel_loss": (["setup-imports", "config", "load-data", "dissimilarity", "shift", "rank", "small-vae", "candidates", "figure",
                    "feature-distance", "statistics", "vae-gan", "vae-gan-compare"],
                   ["BCE closest (share)", "squared error closest (share)", "features closest (share)",
                    "BCE of the shift over the Gaussian blur's",
                    "per-pixel VAE grey (reconstructions)", "VAE-GAN grey (reconstructions)", "per-pixel VAE confident",
                    "VAE-GAN confident", "per-pixel VAE FD", "VAE-GAN FD"]),
    "autoregressive": (["setup-imports", "config", "load-data", "mask", "mask-given", "field", "pixelcnn", "bits", "train-pixelcnn",
                        "sampler", "quantize", "vq-loss", "vqvae", "vqvae-train", "attention", "prior-model", "temperature",
                        "prior-train", "prior-samples", "likelihoods"],
                       ["PixelCNN test bits/dim", "course PixelCNN test bits/dim", "PixelCNN bits/dim in the table",
                        "course PixelCNN bits/dim (random test subset)", "VQ-VAE without reset codes used", "VQ-VAE with reset codes used",
                        "VQ-VAE with reset perplexity", "prior test nats per code", "class asked, tau = 1 confident",
                        "class asked, tau = 1 FD", "class asked, tau = 1 accuracy"]),
}


# lab -> {model name: (an expression that draws `n` samples in [0, 1] with the seed `seed`, its training history)},
# evaluated in the lab's namespace after FIGURE_CELLS; the last lab compares them side by side.
COURSE_SAMPLERS = {
    "vae": {"VAE": ("vae.decoder(torch.randn(n, LATENT_DIM, generator=torch.Generator().manual_seed(seed)).to(DEVICE))",
                    "history")},
    "cvae": {"CVAE": ("conditional_samples(cvae, n // N_CLASSES, seed)[0]", "history")},
    "gan": {"DCGAN": ("torch.cat([generate(dcgan_g, z) for z in torch.randn(n, LATENT_DIM, "
                      "generator=torch.Generator().manual_seed(seed)).to(DEVICE).split(500)])", "dcgan_history"),
            "WGAN-GP": ("torch.cat([generate(gp_g, z) for z in torch.randn(n, LATENT_DIM, "
                        "generator=torch.Generator().manual_seed(seed)).to(DEVICE).split(500)])", "gp_history")},
    "flows": {"coupling flow": ("image_samples(image_flow, n)", "flow_history")},
    "autoregressive": {"VQ-VAE + Transformer prior": ("prior_samples(n, 1.0, torch.arange(n) % 10, seed)", "generator_history")},
}
N_COURSE_SAMPLES = 1000
COURSE_CELL_TIMEOUT_S = 3 * 3600


def draw_course_samples(lab: str, namespace: dict) -> dict[str, dict]:
    """Samples of the lab's models for the course comparison, timed, with the seconds their training took."""
    import time

    import torch
    drawn = {}
    for name, (expression, history) in COURSE_SAMPLERS.get(lab, {}).items():
        start = time.perf_counter()
        with torch.no_grad():
            images = eval(expression, namespace, {"n": N_COURSE_SAMPLES, "seed": 12345}).float().cpu()  # noqa: S307 -- our own table
        seconds = time.perf_counter() - start
        images = images[torch.randperm(len(images), generator=torch.Generator().manual_seed(0))]   # any prefix: all classes
        drawn[name] = {"images": images, "lab": lab, "training seconds": float(sum(namespace[history]["seconds"])),
                       "sampling seconds per 1000": 1000 * seconds / len(images)}
    return drawn


def record_course_samples(drawn: dict[str, dict]) -> None:
    """Merge newly drawn samples into the course's samples file, in course order."""
    import course_utils as cu
    try:
        kept = cu.load_course_samples()
    except FileNotFoundError:
        kept = {}
    kept = {name: {**entry, "images": entry["images"].float() / 255} for name, entry in kept.items()}
    kept.update(drawn)
    order = [name for models in COURSE_SAMPLERS.values() for name in models]
    cu.save_course_samples({name: kept[name] for name in order if name in kept})


def measure(lab: str, keep_course_samples: bool = False) -> dict[str, float]:
    """Run the lab's own cells with PRETRAINED = True on the CPU (nothing is trained) and return its main figures.

    With `keep_course_samples`, the lab's models also draw samples for the course comparison of the
    last lab (COURSE_SAMPLERS), kept in course_samples.pt.xz.
    """
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
            if keep_course_samples and lab in COURSE_SAMPLERS:
                record_course_samples(draw_course_samples(lab, namespace))
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
    """Run the labs under the course budget and copy the models they saved into course_utils/pretrained/."""
    for lab in labs:
        shutil.rmtree(REPO_ROOT / "solutions" / lab / "outputs", ignore_errors=True)
    # A course model may train for up to two hours of CPU, in one cell.
    if report.main(["--budget", "course", "--timeout", str(COURSE_CELL_TIMEOUT_S), *labs]) != 0:
        print("a notebook failed under the course budget: nothing was copied")
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
        figures[lab] = measure(lab, keep_course_samples=True)
        print(f"{lab}: {figures[lab]}")
    FIGURES_FILE.write_text(json.dumps(figures, indent=2, sort_keys=True) + "\n")
    print(f"wrote {FIGURES_FILE.relative_to(REPO_ROOT)}; `make results` shows them in RESULTS.md")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
