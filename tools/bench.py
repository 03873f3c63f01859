"""Time one epoch of the VAE lab's training step with two data paths, on this machine.

    python -m tools.bench              # a whole epoch each (60,000 images)
    python -m tools.bench --batches 50 # a quick look

The baseline is the usual torchvision pipeline: a DataLoader over MNIST with ToTensor applied to
one PIL image at a time. The tensor path is course_utils.BatchLoader: the split is converted once
and batches are slices of one tensor on the training device. The model, optimiser and loss are the
VAE lab's own (its solution cells), so only the data path differs.

It also times the data path alone (batches delivered, no model), which is where the two differ,
and the training step alone (one batch fed again and again, no data path), which no data path can
beat: baseline epoch / step-alone epoch is the largest speed-up any loader could give here.
"""
from __future__ import annotations

import argparse
import itertools
import sys
import time

import torch
import torchvision

import course_utils as cu
from tools import course
from tools.results import write_record
from tools.labcode import lab_namespace

VAE_CELLS = ["setup-imports", "encoder", "reparametrize", "decoder", "vae", "loss"]


def time_epoch(batches, n_batches: int, lab: dict, device: torch.device) -> tuple[float, int]:
    """Seconds and images for `n_batches` training steps of a fresh VAE fed by `batches`."""
    cu.seed_everything(0)
    model = lab["build_vae"]((1, 28, 28), (512, 256), 20).to(device)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    seen = 0
    start = time.perf_counter()
    for i, (x, _) in enumerate(batches):
        if i == n_batches:
            break
        x = x.to(device, non_blocking=True)
        x_hat, mu, logvar = model(x)
        loss = lab["negative_elbo"](x_hat, x, mu, logvar)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        seen += len(x)
    if device.type == "cuda":
        torch.cuda.synchronize()
    return time.perf_counter() - start, seen


def time_data(batches, n_batches: int, device: torch.device) -> tuple[float, int]:
    """Seconds and images for delivering `n_batches` batches to `device`, without a model."""
    seen = 0
    start = time.perf_counter()
    for i, (x, _) in enumerate(batches):
        if i == n_batches:
            break
        seen += len(x.to(device, non_blocking=True))
    if device.type == "cuda":
        torch.cuda.synchronize()
    return time.perf_counter() - start, seen


@course.command("bench", known=(cu.DatasetUnavailableError,))
def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--batches", type=int, default=None, help="batches per run (default: a whole epoch)")
    parser.add_argument("--batch-size", type=int, default=128, help="images per batch (default: 128)")
    args = parser.parse_args(argv)
    cu.load_images("mnist")             # a missing dataset stops here, with the fix, before anything is timed

    device = cu.get_device()
    lab = lab_namespace("vae", VAE_CELLS)
    dataset = torchvision.datasets.MNIST(str(cu.data_root()), train=True, download=False,
                                         transform=torchvision.transforms.ToTensor())
    baseline = torch.utils.data.DataLoader(dataset, batch_size=args.batch_size, shuffle=True,
                                           pin_memory=device.type == "cuda")
    tensor_path = cu.BatchLoader(cu.load_images("mnist"), args.batch_size, shuffle=True, device=device, seed=0)
    n_batches = args.batches or len(tensor_path)

    print(f"device: {cu.describe_device(device)} | torch {torch.__version__} | batch {args.batch_size} | {n_batches} batches")
    paths = (("DataLoader + ToTensor (baseline)", baseline), ("cu.BatchLoader (tensor path)", tensor_path))
    print("training epoch (data + VAE training step):")
    results = {}
    for name, batches in paths:
        seconds, images = time_epoch(batches, n_batches, lab, device)
        results[name] = seconds
        print(f"  {name:<34} {seconds:8.2f} s   {images / seconds:10.0f} samples/s")
    one_batch = next(iter(tensor_path))
    step_only, images = time_epoch(itertools.repeat(one_batch), n_batches, lab, device)
    print(f"  {'training step alone (no data path)':<34} {step_only:8.2f} s   {images / step_only:10.0f} samples/s")
    (base, fast) = results.values()
    print(f"speed-up of the tensor path: {base / fast:.1f}x "
          f"(no data path could give more than {base / step_only:.1f}x here: the training step alone takes {step_only:.2f} s)")
    print("data alone (batches delivered to the device, no training):")
    data_only = {}
    for name, batches in paths:
        seconds, images = time_data(batches, n_batches, device)
        data_only[name] = seconds
        print(f"  {name:<34} {seconds:8.2f} s   {images / seconds:10.0f} samples/s")
    (base_data, fast_data) = data_only.values()
    print(f"speed-up of the tensor path, data alone: {base_data / fast_data:.0f}x")
    write_record("bench", {
        "device": cu.describe_device(device), "batch size": args.batch_size, "batches": n_batches,
        "one VAE training epoch (s)": {name: round(seconds, 2) for name, seconds in results.items()},
        "the training step alone (s)": round(step_only, 2),
        "speed-up of the training epoch": round(base / fast, 2),
        "data alone (s)": {name: round(seconds, 3) for name, seconds in data_only.items()},
        "speed-up of the data path alone": round(base_data / fast_data, 1)})
    return 0


if __name__ == "__main__":
    sys.exit(main())
