"""Correct implementations other than the instructor's: each must earn full marks, hidden tests included.

An alternative edits one solution cell the way a mutant does (helpers/mutants.py), but the result
is right: another library function, another formula for the same value, an explicit loop. A check
that fails one of them fails correct code.
"""
from __future__ import annotations

from tests.helpers.mutants import Mutant


class Alternative(Mutant):
    """A correct rewrite of one solution cell (the same text replacement as a mutant)."""


ALTERNATIVES: dict[str, list[Alternative]] = {
    "vae": [
        Alternative("encoder-view", "encoder", "self.hidden(x.flatten(start_dim=1))", "self.hidden(x.view(len(x), -1))"),
        Alternative("reparam-torch-distributions", "reparametrize",
                    "    if eps is None:\n        eps = torch.randn_like(mu)\n    sigma = torch.exp(0.5 * logvar)\n    return mu + sigma * eps",
                    "    if eps is None:\n        return torch.distributions.Normal(mu, torch.exp(0.5 * logvar)).rsample()\n"
                    "    return mu + torch.exp(logvar / 2) * eps"),
        Alternative("reparam-randn-on-mus-device", "reparametrize", "eps = torch.randn_like(mu)",
                    "eps = torch.randn(mu.shape, device=mu.device, dtype=mu.dtype)"),
        Alternative("reparam-sqrt-of-variance", "reparametrize", "sigma = torch.exp(0.5 * logvar)",
                    "sigma = logvar.exp().sqrt()"),
        Alternative("decoder-sigmoid-by-hand", "decoder", "torch.sigmoid(logits).view(-1, *self.image_shape)",
                    "(1 / (1 + torch.exp(-logits))).reshape(z.shape[0], *self.image_shape)"),
        Alternative("forward-step-by-step", "vae", "        z = reparametrize(mu, logvar)\n        return self.decoder(z), mu, logvar",
                    "        x_hat = self.decoder(reparametrize(mu, logvar))\n        return (x_hat, mu, logvar)"),
        Alternative("loss-by-hand-and-torch-distributions", "loss",
                    "    per_pixel = F.binary_cross_entropy(x_hat, x, reduction=\"none\")  # (B, 1, 28, 28)",
                    "    per_pixel = -(x * torch.log(x_hat) + (1 - x) * torch.log(1 - x_hat))"),
        Alternative("kl-torch-distributions", "loss", "    return 0.5 * (mu.pow(2) + logvar.exp() - logvar - 1)",
                    "    q = torch.distributions.Normal(mu, torch.exp(0.5 * logvar))\n"
                    "    prior = torch.distributions.Normal(torch.zeros_like(mu), torch.ones_like(mu))\n"
                    "    return torch.distributions.kl_divergence(q, prior)"),
        Alternative("elbo-sum-then-divide", "loss", "    return per_image.mean()", "    return per_image.sum() / x.shape[0]"),
        Alternative("free-bits-torch-where", "free-bits", "kl_per_dimension.clamp(min=free_bits).sum()",
                    "torch.where(kl_per_dimension < free_bits, torch.full_like(kl_per_dimension, free_bits), "
                    "kl_per_dimension).sum()"),
    ],
    "cvae": [
        Alternative("onehot-F-one-hot", "one-hot",
                    "    encoded = torch.zeros(*labels.shape, n_classes, device=labels.device)\n"
                    "    encoded.scatter_(-1, labels.long().unsqueeze(-1), 1.0)\n    return encoded",
                    "    return F.one_hot(labels.long(), n_classes).float()"),
        Alternative("onehot-identity-rows", "one-hot",
                    "    encoded = torch.zeros(*labels.shape, n_classes, device=labels.device)\n"
                    "    encoded.scatter_(-1, labels.long().unsqueeze(-1), 1.0)\n    return encoded",
                    "    return torch.eye(n_classes, device=labels.device)[labels.long()]"),
        Alternative("onehot-comparison", "one-hot",
                    "    encoded = torch.zeros(*labels.shape, n_classes, device=labels.device)\n"
                    "    encoded.scatter_(-1, labels.long().unsqueeze(-1), 1.0)\n    return encoded",
                    "    return (labels.unsqueeze(-1) == torch.arange(n_classes, device=labels.device)).float()"),
        Alternative("cvae-by-hand", "cvae", "        z = torch.distributions.Normal(mu, torch.exp(0.5 * logvar)).rsample()",
                    "        z = mu + torch.exp(0.5 * logvar) * torch.randn_like(mu)"),
        Alternative("cvae-view-and-tuple-cat", "cvae",
                    "torch.cat([x.flatten(start_dim=1), y_onehot], dim=1)", "torch.cat((x.view(x.shape[0], -1), y_onehot), 1)"),
        Alternative("step-reductions-by-hand", "train-step", "    return (reconstruction + beta * kl).mean()",
                    "    return (reconstruction.sum() + beta * kl.sum()) / len(x)"),
        Alternative("step-zero-grad-to-none", "train-step", "    optimizer.zero_grad()\n",
                    "    optimizer.zero_grad(set_to_none=True)\n"),
        Alternative("gumbel-torch-distributions", "gumbel-loss",
                    "    log_q = F.log_softmax(class_logits, dim=1)                               # (B, K), exact even for extreme logits\n"
                    "    return (log_q.exp() * (log_q + math.log(class_logits.shape[1]))).sum(dim=1)",
                    "    q = torch.distributions.Categorical(logits=class_logits)\n"
                    "    uniform = torch.distributions.Categorical(logits=torch.zeros_like(class_logits))\n"
                    "    return torch.distributions.kl_divergence(q, uniform)"),
    ],
    "gan": [
        Alternative("init-type-names", "networks", "    if isinstance(module, (nn.Conv2d, nn.ConvTranspose2d, nn.Linear)):",
                    "    if type(module).__name__ in (\"Conv2d\", \"ConvTranspose2d\", \"Linear\"):"),
        Alternative("d-step-one-backward", "d-step",
                    "    loss_real.backward()\n    logits_fake = discriminator(fake.detach())\n"
                    "    loss_fake = F.binary_cross_entropy_with_logits(logits_fake, torch.zeros_like(logits_fake))\n"
                    "    loss_fake.backward()\n",
                    "    logits_fake = discriminator(fake.detach())\n"
                    "    loss_fake = F.binary_cross_entropy_with_logits(logits_fake, torch.zeros_like(logits_fake))\n"
                    "    (loss_real + loss_fake).backward()\n"),
        Alternative("d-step-softplus-by-hand", "d-step",
                    "F.binary_cross_entropy_with_logits(logits_fake, torch.zeros_like(logits_fake))",
                    "F.softplus(logits_fake).mean()"),
        Alternative("g-step-softplus-by-hand", "g-step",
                    "F.binary_cross_entropy_with_logits(logits, torch.ones_like(logits))", "F.softplus(-logits).mean()"),
        Alternative("critic-clamp-data", "wgan", "            parameter.clamp_(-clip, clip)",
                    "            parameter.data = parameter.data.clamp(-clip, clip)"),
        Alternative("gp-lerp", "gradient-penalty", "mixed = (eps * real + (1 - eps) * fake.detach()).requires_grad_(True)",
                    "mixed = torch.lerp(fake.detach(), real, eps).requires_grad_(True)"),
        Alternative("gp-norm-by-hand", "gradient-penalty", "gradients.flatten(start_dim=1).norm(dim=1)",
                    "gradients.pow(2).sum(dim=(1, 2, 3)).sqrt()"),
        Alternative("critic-gp-two-backwards", "critic-gp-step",
                    "    (loss + weight * gradient_penalty(critic, real, fake)).backward()",
                    "    loss.backward()\n    (weight * gradient_penalty(critic, real, fake)).backward()"),
    ],
}
