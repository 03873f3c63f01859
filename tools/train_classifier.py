"""Train the judge classifier of course_utils and save its weights (float16, about 0.3 MB).

    python -m tools.train_classifier mnist            # about 2 minutes on a 2-core CPU
    python -m tools.train_classifier fashion-mnist

Adam, batch 128, random shifts of up to 2 pixels per image (cu.random_shifts); prints the test accuracy at the end.
"""
from __future__ import annotations

import sys

import torch
import torch.nn.functional as F

import course_utils as cu
from course_utils.classifier import DigitClassifier, weights_path
from course_utils.data import dataset_key

EPOCHS = {"mnist": 4, "fashion-mnist": 8}


@torch.no_grad()
def accuracy(model: torch.nn.Module, data: cu.ImageData) -> float:
    model.eval()
    correct = 0
    for x, y in cu.BatchLoader(data, 1000):
        correct += int((model(x).argmax(1) == y).sum())
    return correct / len(data)


def train(dataset: str, seed: int = 0) -> float:
    dataset = dataset_key(dataset)
    cu.seed_everything(seed)
    device = cu.get_device()
    train_data, test_data = cu.load_images(dataset, train=True), cu.load_images(dataset, train=False)
    model = DigitClassifier().to(device)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    epochs = EPOCHS[dataset]
    loader = cu.BatchLoader(train_data, 128, shuffle=True, device=device, seed=seed)
    scheduler = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=3e-3, total_steps=epochs * len(loader))
    for epoch in range(1, epochs + 1):
        model.train()
        meter = cu.AverageMeter("loss")
        for x, y in cu.progress(loader, desc=f"{dataset} epoch {epoch}/{epochs}"):
            loss = F.cross_entropy(model(cu.random_shifts(x)), y)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            scheduler.step()
            meter.update(loss.item(), n=len(y))
        print(f"epoch {epoch}: train loss {meter.avg:.4f}, test accuracy {accuracy(model, test_data.to(device)):.4f}")
    model = model.cpu()
    path = weights_path(dataset)
    path.parent.mkdir(parents=True, exist_ok=True)
    torch.save({name: tensor.half() for name, tensor in model.state_dict().items()}, path)
    # report the accuracy of the weights as saved (float16), which is what load_classifier returns
    final = accuracy(cu.load_classifier(dataset), test_data)
    print(f"saved {path} ({path.stat().st_size / 1e6:.2f} MB); test accuracy as saved: {final:.4f}")
    return final


if __name__ == "__main__":
    for name in sys.argv[1:] or ["mnist", "fashion-mnist"]:
        train(name)
