"""Plausible wrong implementations of each graded exercise, for the autograder round trip.

A mutant takes the complete (correct) submission and edits one solution cell with a single
text replacement. The autograde test checks that it loses the points of that exercise, whose
check cell is `<cell>-check`, and no others. Mutants run one after another in the test process
(see `nbgrading.failing_graded_cells`), so a mutant must be an honest mistake in the student's own
code, never a change to a library's state; cheating is tested through the real grader in
`batch_fixtures.py`.
"""
from __future__ import annotations

import copy
from dataclasses import dataclass

import nbformat


@dataclass(frozen=True)
class Mutant:
    name: str   # the mistake, in a few words (also the fake student's id)
    cell: str   # id of the solution cell it edits
    old: str    # text in the solution that the mistake replaces (must occur exactly once)
    new: str

    @property
    def breaks(self) -> str:
        """The graded check cell whose points this mistake must cost."""
        return f"{self.cell}-check"

    def apply(self, nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
        mutated = copy.deepcopy(nb)
        [cell] = [c for c in mutated.cells if c.get("id") == self.cell]
        count = cell.source.count(self.old)
        if count != 1:
            raise ValueError(f"mutant {self.name}: {self.old!r} occurs {count} times in cell {self.cell!r}, expected once")
        cell.source = cell.source.replace(self.old, self.new)
        return mutated


MUTANTS: dict[str, list[Mutant]] = {
    "vae": [
        Mutant("encoder-softplus-logvar", "encoder",
               "self.to_logvar(features)", "F.softplus(self.to_logvar(features))"),
        Mutant("encoder-one-head", "encoder",
               "self.to_mu(features), self.to_logvar(features)", "self.to_mu(features), self.to_mu(features)"),
        Mutant("reparam-logvar-as-std", "reparametrize",
               "sigma = torch.exp(0.5 * logvar)", "sigma = logvar"),
        Mutant("reparam-variance-as-std", "reparametrize",
               "sigma = torch.exp(0.5 * logvar)", "sigma = torch.exp(logvar)"),
        Mutant("reparam-ignores-eps", "reparametrize",
               "if eps is None:", "if True:"),
        Mutant("reparam-noise-on-cpu", "reparametrize",
               "eps = torch.randn_like(mu)", "eps = torch.randn(mu.shape)"),
        Mutant("decoder-no-sigmoid", "decoder",
               "torch.sigmoid(logits).view(", "logits.view("),
        Mutant("decoder-tanh", "decoder",
               "torch.sigmoid(logits).view(", "(0.5 * torch.tanh(logits) + 0.5).view("),
        Mutant("decoder-hardcoded-shape", "decoder",
               "torch.sigmoid(logits).view(-1, *self.image_shape)", "torch.sigmoid(logits).view(-1, 1, 28, 28)"),
        Mutant("forward-decodes-mean", "vae",
               "self.decoder(z), mu, logvar", "self.decoder(mu), mu, logvar"),
        Mutant("forward-swaps-outputs", "vae",
               "self.decoder(z), mu, logvar", "self.decoder(z), logvar, mu"),
        Mutant("kl-sign-flipped", "loss",
               "return 0.5 * (mu.pow(2)", "return -0.5 * (mu.pow(2)"),
        Mutant("kl-logvar-as-log-std", "loss",
               "logvar.exp() - logvar - 1", "(2 * logvar).exp() - 2 * logvar - 1"),
        Mutant("elbo-sum-over-batch", "loss",
               "return per_image.mean()", "return per_image.sum()"),
        Mutant("bce-arguments-swapped", "loss",
               "F.binary_cross_entropy(x_hat, x, reduction=\"none\")", "F.binary_cross_entropy(x, x_hat, reduction=\"none\")"),
        Mutant("bce-mean-over-pixels", "loss",
               "per_pixel.flatten(start_dim=1).sum(dim=1)", "per_pixel.flatten(start_dim=1).mean(dim=1)"),
    ],
    "cvae": [
        Mutant("onehot-no-range-check", "one-hot",
               "if outside.any():", "if False:"),
        Mutant("onehot-accepts-floats", "one-hot",
               "if labels.dtype.is_floating_point or", "if False and labels.dtype.is_floating_point or"),
        Mutant("onehot-integer-matrix", "one-hot",
               "torch.zeros(*labels.shape, n_classes, device=labels.device)",
               "torch.zeros(*labels.shape, n_classes, device=labels.device, dtype=torch.long)"),
        Mutant("cvae-decoder-ignores-label", "cvae",
               "torch.cat([z, y_onehot], dim=1)", "torch.cat([z, torch.zeros_like(y_onehot)], dim=1)"),
        Mutant("cvae-decodes-mean", "cvae",
               "return self.decode(z, y_onehot), mu, logvar", "return self.decode(mu, y_onehot), mu, logvar"),
        Mutant("cvae-sample-without-gradient", "cvae",
               ".rsample()", ".sample()"),
        Mutant("cvae-variance-as-std", "cvae",
               "torch.distributions.Normal(mu, torch.exp(0.5 * logvar))", "torch.distributions.Normal(mu, torch.exp(logvar))"),
        Mutant("step-no-zero-grad", "train-step",
               "    optimizer.zero_grad()\n", ""),
        Mutant("step-beta-on-reconstruction", "train-step",
               "(reconstruction + beta * kl).mean()", "(beta * reconstruction + kl).mean()"),
        Mutant("step-sum-over-batch", "train-step",
               "(reconstruction + beta * kl).mean()", "(reconstruction + beta * kl).sum()"),
        Mutant("step-forgets-label", "train-step",
               "x_hat, mu, logvar = model(x, y_onehot)", "x_hat, mu, logvar = model(x, torch.zeros_like(y_onehot))"),
        Mutant("step-returns-tensor", "train-step",
               "return loss.item()", "return loss"),
    ],
    "gan": [
        Mutant("init-std-too-large", "init",
               "nn.init.normal_(module.weight, mean=0.0, std=0.02)", "nn.init.normal_(module.weight, mean=0.0, std=0.2)"),
        Mutant("init-batchnorm-around-zero", "init",
               "nn.init.normal_(module.weight, mean=1.0, std=0.02)", "nn.init.normal_(module.weight, mean=0.0, std=0.02)"),
        Mutant("init-misses-transposed-conv", "init",
               "(nn.Conv2d, nn.ConvTranspose2d, nn.Linear)", "(nn.Conv2d, nn.Linear)"),
        Mutant("init-keeps-biases", "init",
               "nn.init.zeros_(module.bias)", "pass"),
        Mutant("generator-tanh-output", "networks",
               "nn.ConvTranspose2d(64, 1, 4, stride=2, padding=1), nn.Sigmoid(),",
               "nn.ConvTranspose2d(64, 1, 4, stride=2, padding=1), nn.Tanh(),"),
        Mutant("discriminator-not-squeezed", "networks",
               "return self.net(x).squeeze(1)", "return self.net(x)"),
        Mutant("discriminator-default-leaky-slope", "networks",
               "nn.Conv2d(1, 64, 4, stride=2, padding=1), nn.LeakyReLU(0.2),", "nn.Conv2d(1, 64, 4, stride=2, padding=1), nn.LeakyReLU(),"),
        Mutant("generator-missing-relu", "networks",
               "bias=False), nn.BatchNorm2d(64), nn.ReLU(),", "bias=False), nn.BatchNorm2d(64),"),
        Mutant("discriminator-outputs-probabilities", "networks",
               "nn.Flatten(), nn.Linear(128 * 7 * 7, 1),", "nn.Flatten(), nn.Linear(128 * 7 * 7, 1), nn.Sigmoid(),"),
        Mutant("d-step-no-detach", "d-step",
               "discriminator(fake.detach())", "discriminator(fake)"),
        Mutant("d-step-fake-labelled-real", "d-step",
               "torch.zeros_like(logits_fake)", "torch.ones_like(logits_fake)"),
        Mutant("d-step-bce-arguments-swapped", "d-step",
               "F.binary_cross_entropy_with_logits(logits_real, torch.ones_like(logits_real))",
               "F.binary_cross_entropy_with_logits(torch.ones_like(logits_real), logits_real)"),
        Mutant("d-step-steps-twice", "d-step",
               "    loss_real.backward()\n", "    loss_real.backward()\n    optimizer_d.step()\n"),
        Mutant("d-step-no-zero-grad", "d-step",
               "    optimizer_d.zero_grad()\n", ""),
        Mutant("g-step-label-not-flipped", "g-step",
               "torch.ones_like(logits)", "torch.zeros_like(logits)"),
        Mutant("g-step-detaches-fake", "g-step",
               "logits = discriminator(fake)", "logits = discriminator(fake.detach())"),
        Mutant("critic-sign-flipped", "wgan",
               "critic(fake.detach()).mean() - critic(real).mean()", "critic(real).mean() - critic(fake.detach()).mean()"),
        Mutant("critic-no-clipping", "wgan",
               "parameter.clamp_(-clip, clip)", "pass"),
        Mutant("critic-no-detach", "wgan",
               "critic(fake.detach()).mean()", "critic(fake).mean()"),
        Mutant("wgan-generator-sign-flipped", "wgan",
               "loss = -critic(fake).mean()", "loss = critic(fake).mean()"),
        Mutant("gp-no-create-graph", "gradient-penalty",
               "create_graph=True", "create_graph=False"),
        Mutant("gp-one-norm-for-the-batch", "gradient-penalty",
               "gradients.flatten(start_dim=1).norm(dim=1)", "gradients.norm()"),
        Mutant("gp-norm-not-centred", "gradient-penalty",
               "(gradients.flatten(start_dim=1).norm(dim=1) - 1).pow(2)", "gradients.flatten(start_dim=1).norm(dim=1).pow(2)"),
        Mutant("gp-fake-not-detached", "gradient-penalty",
               "(1 - eps) * fake.detach()", "(1 - eps) * fake"),
    ],
    "pixel_loss": [
        Mutant("bce-arguments-swapped", "dissimilarity",
               "per_pixel = -(original * probabilities.log() + (1 - original) * (1 - probabilities).log())",
               "per_pixel = -(probabilities * original.clamp(eps, 1 - eps).log() + (1 - probabilities) * (1 - original).clamp(eps, 1 - eps).log())"),
        Mutant("bce-not-clamped", "dissimilarity",
               "probabilities = candidate.clamp(eps, 1 - eps)", "probabilities = candidate"),
        Mutant("squared-error-averaged", "dissimilarity",
               "(original - candidate).pow(2).flatten(start_dim=1).sum(dim=1)", "(original - candidate).pow(2).flatten(start_dim=1).mean(dim=1)"),
        Mutant("shift-wraps-around", "shift",
               "    shifted = torch.zeros_like(images)\n",
               "    shifted = torch.roll(images, {'up': -1, 'down': 1, 'left': -1, 'right': 1}[direction], "
               "dims=-2 if direction in ('up', 'down') else -1)\n    return shifted\n"),
        Mutant("shift-left-right-swapped", "shift",
               'elif direction == "left":', 'elif direction == "right":'),
        Mutant("rank-farthest-first", "rank",
               "sorted(scores, key=lambda pair: pair[1])", "sorted(scores, key=lambda pair: -pair[1])"),
        Mutant("rank-arguments-swapped", "rank",
               "float(dissimilarity(original, candidate).item())", "float(dissimilarity(candidate, original).item())"),
        Mutant("rank-returns-tensors", "rank",
               "float(dissimilarity(original, candidate).item())", "dissimilarity(original, candidate)"),
    ],
}
