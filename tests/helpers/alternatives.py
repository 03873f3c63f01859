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
    "flows": [
        Alternative("log-prob-torch-distributions", "log-prob",
                    "    per_dimension = -0.5 * z.pow(2) - 0.5 * math.log(2 * math.pi)\n",
                    "    per_dimension = torch.distributions.Normal(torch.zeros_like(z), torch.ones_like(z)).log_prob(z)\n"),
        Alternative("flow-python-accumulator", "log-prob",
                    "    h, total_log_det = x, torch.zeros(len(x), device=x.device)\n    for layer in layers:\n"
                    "        h, log_det = layer(h)\n        total_log_det = total_log_det + log_det\n",
                    "    h, total_log_det = x, 0.0\n    for layer in layers:\n        h, log_det = layer(h)\n        total_log_det += log_det\n"),
        Alternative("coupling-torch-where", "coupling",
                    "        kept = x * self.mask\n        s, t = self.scale_and_shift(kept)\n"
                    "        s, t = s * (1 - self.mask), t * (1 - self.mask)\n"
                    "        y = kept + (1 - self.mask) * (x * torch.exp(s) + t)\n        return y, s.flatten(start_dim=1).sum(dim=1)",
                    "        keep = self.mask.bool()\n        s, t = self.scale_and_shift(torch.where(keep, x, torch.zeros_like(x)))\n"
                    "        y = torch.where(keep, x, x * s.exp() + t)\n"
                    "        return y, torch.where(keep, torch.zeros_like(s), s).reshape(len(x), -1).sum(-1)"),
        Alternative("coupling-inverse-divides", "coupling",
                    "        return kept + (1 - self.mask) * (y - t) * torch.exp(-s)",
                    "        return torch.where(self.mask.bool(), y, (y - t) / torch.exp(s))"),
        Alternative("pixels-softplus-and-shape", "pixels",
                    "    w = torch.log(squeezed) - torch.log1p(-squeezed)\n"
                    "    per_pixel = math.log(1 - 2 * alpha) - torch.log(squeezed) - torch.log1p(-squeezed)\n",
                    "    w = torch.logit(squeezed)\n"
                    "    per_pixel = math.log(1 - 2 * alpha) + F.softplus(w) + F.softplus(-w)\n"),
        Alternative("pixels-other-forms", "pixels",
                    "    levels = torch.round(images * 255)\n    return (levels + noise) / 256",
                    "    return ((images * 255).round() + noise) / 256.0"),
        Alternative("bits-per-dim-in-two-steps", "pixels",
                    "    return (-log_likelihood + num_dims * math.log(256)) / (num_dims * math.log(2))",
                    "    nats_per_dim = -log_likelihood / num_dims\n    return nats_per_dim / math.log(2) + 8"),
        Alternative("made-explicit-loops", "made",
                    "    degrees = [torch.arange(1, num_inputs + 1)]\n",
                    "    sizes = [num_inputs, *hidden_sizes]\n"
                    "    degree_lists = [list(range(1, num_inputs + 1))] + [[u % (num_inputs - 1) + 1 for u in range(h)] for h in hidden_sizes]\n"
                    "    result = []\n"
                    "    for before, after in zip(degree_lists[:-1], degree_lists[1:]):\n"
                    "        result.append(torch.tensor([[1.0 if a >= b else 0.0 for b in before] for a in after]))\n"
                    "    result.append(torch.tensor([[1.0 if i > b else 0.0 for b in degree_lists[-1]] for i in range(1, num_inputs + 1)]))\n"
                    "    return result\n"
                    "    degrees = [torch.arange(1, num_inputs + 1)]\n"),
        Alternative("iaf-other-forms", "iaf-step",
                    "    z_new = gate * z + (1 - gate) * m\n    return z_new, F.logsigmoid(s).sum(dim=1)",
                    "    z_new = m + gate * (z - m)\n    return z_new, -F.softplus(-s).sum(dim=-1)"),
        Alternative("iaf-log-q-torch-distributions", "iaf-step",
                    "    gaussian = (-0.5 * eps.pow(2) - 0.5 * math.log(2 * math.pi) - 0.5 * logvar).sum(dim=1)\n"
                    "    return gaussian - sum(log_dets, torch.zeros_like(gaussian))",
                    "    standard = torch.distributions.Normal(torch.zeros_like(eps), torch.ones_like(eps))\n"
                    "    log_q = standard.log_prob(eps).sum(dim=1) - 0.5 * logvar.sum(dim=1)\n"
                    "    for log_det in log_dets:\n        log_q = log_q - log_det\n    return log_q"),
        Alternative("iwae-by-hand", "iwae",
                    "    return torch.logsumexp(log_weights, dim=0) - math.log(log_weights.shape[0])",
                    "    largest = log_weights.max(dim=0, keepdim=True).values\n"
                    "    return (largest + torch.log(torch.exp(log_weights - largest).mean(dim=0, keepdim=True))).squeeze(0)"),
    ],
    "pixel_loss": [
        Alternative("bce-torch-function", "dissimilarity",
                    "    per_pixel = -(original * probabilities.log() + (1 - original) * (1 - probabilities).log())",
                    "    per_pixel = F.binary_cross_entropy(probabilities, original, reduction=\"none\")"),
        Alternative("bce-reshape-and-log1p", "dissimilarity",
                    "    per_pixel = -(original * probabilities.log() + (1 - original) * (1 - probabilities).log())\n"
                    "    return per_pixel.flatten(start_dim=1).sum(dim=1)",
                    "    per_pixel = -(original * torch.log(probabilities) + (1 - original) * torch.log1p(-probabilities))\n"
                    "    return per_pixel.reshape(per_pixel.shape[0], -1).sum(-1)"),
        Alternative("squared-error-mse-loss", "dissimilarity",
                    "    return (original - candidate).pow(2).flatten(start_dim=1).sum(dim=1)",
                    "    return F.mse_loss(candidate, original, reduction=\"none\").view(len(original), -1).sum(dim=1)"),
        Alternative("shift-pad-and-crop", "shift",
                    "    shifted = torch.zeros_like(images)\n",
                    "    flat = images.reshape(-1, 1, *images.shape[-2:])\n"
                    "    padding = {\"up\": (0, 0, 0, 1), \"down\": (0, 0, 1, 0), \"left\": (0, 1, 0, 0), \"right\": (1, 0, 0, 0)}[direction]\n"
                    "    padded = F.pad(flat, padding)\n"
                    "    height, width = images.shape[-2:]\n"
                    "    top = 1 if direction == \"up\" else 0\n"
                    "    left = 1 if direction == \"left\" else 0\n"
                    "    return padded[..., top:top + height, left:left + width].reshape(images.shape).clone()\n"
                    "    shifted = torch.zeros_like(images)\n"),
        Alternative("shift-roll-then-zero", "shift",
                    "    shifted = torch.zeros_like(images)\n",
                    "    step, dim = {\"up\": (-1, -2), \"down\": (1, -2), \"left\": (-1, -1), \"right\": (1, -1)}[direction]\n"
                    "    rolled = torch.roll(images, step, dims=dim)\n"
                    "    edge = -1 if step < 0 else 0\n"
                    "    rolled.select(dim, edge).zero_()\n"
                    "    return rolled\n"
                    "    shifted = torch.zeros_like(images)\n"),
        Alternative("rank-itemgetter", "rank",
                    "    scores = [(name, float(dissimilarity(original, candidate).item())) for name, candidate in candidates.items()]\n"
                    "    return sorted(scores, key=lambda pair: pair[1])",
                    "    import operator\n"
                    "    scores = []\n"
                    "    for name in candidates:\n"
                    "        scores.append((name, float(dissimilarity(original, candidates[name]))))\n"
                    "    scores.sort(key=operator.itemgetter(1))\n"
                    "    return scores"),
        Alternative("verdict-with-tensors", "rank",
                    "    closest = behind = rank_sum = 0\n",
                    "    ranks, reference_ranks = [], []\n"
                    "    for original in originals.split(1):\n"
                    "        names = [name for name, _ in rank_candidates(original, make_candidates(original), dissimilarity)]\n"
                    "        ranks.append(names.index(judged) + 1)\n"
                    "        reference_ranks.append(names.index(reference) + 1)\n"
                    "    ranks, reference_ranks = torch.tensor(ranks, dtype=torch.float64), torch.tensor(reference_ranks)\n"
                    "    return {\"closest\": (ranks == 1).double().mean().item(), \"behind\": (ranks > reference_ranks).double().mean().item(),\n"
                    "            \"mean rank\": ranks.mean().item()}\n"
                    "    closest = behind = rank_sum = 0\n"),
    ],
    "diffusion": [
        Alternative("forward-log-space", "forward", "return torch.cumprod(1 - betas, dim=0)",
                    "return torch.exp(torch.cumsum(torch.log1p(-betas), dim=0))"),
        Alternative("forward-gather", "forward",
                    "    alpha_bar = alpha_bars[t].view(-1, *([1] * (x0.dim() - 1)))     # (B, 1, 1, 1): broadcasts over pixels\n"
                    "    return alpha_bar.sqrt() * x0 + (1 - alpha_bar).sqrt() * noise",
                    "    a = alpha_bars.gather(0, t.long())[:, None, None, None]\n"
                    "    return torch.sqrt(a) * x0 + torch.sqrt(1.0 - a) * noise"),
        Alternative("loss-written-out", "loss",
                    "    noise = torch.randn_like(x0)\n    alpha_bar = alpha_bars[t].view(-1, 1, 1, 1)\n"
                    "    x_t = alpha_bar.sqrt() * x0 + (1 - alpha_bar).sqrt() * noise\n"
                    "    return F.mse_loss(model(x_t, t, one_hot), noise)",
                    "    eps = torch.randn(x0.shape, device=x0.device, dtype=x0.dtype)\n"
                    "    a = alpha_bars[t][:, None, None, None]\n"
                    "    return ((model(torch.sqrt(a) * x0 + torch.sqrt(1 - a) * eps, t, one_hot) - eps) ** 2).mean()"),
        Alternative("dropout-where", "dropout",
                    "    keep = (torch.rand(len(one_hot), 1, device=one_hot.device) >= p).to(one_hot.dtype)\n    return one_hot * keep",
                    "    dropped = torch.rand(one_hot.shape[0], device=one_hot.device) < p\n"
                    "    return torch.where(dropped[:, None], torch.zeros_like(one_hot), one_hot)"),
        Alternative("dropout-bernoulli", "dropout",
                    "    keep = (torch.rand(len(one_hot), 1, device=one_hot.device) >= p).to(one_hot.dtype)\n    return one_hot * keep",
                    "    keep = torch.bernoulli(torch.full((len(one_hot), 1), 1.0 - p, device=one_hot.device, dtype=one_hot.dtype))\n"
                    "    result = one_hot.clone()\n    result[keep[:, 0] == 0] = 0\n    return result"),
        Alternative("ddpm-step-noise-form", "ddpm-step",
                    "    x0_hat = (x_t - math.sqrt(1 - alpha_bar_t) * eps_hat) / math.sqrt(alpha_bar_t)\n"
                    "    alpha_ts = alpha_bar_t / alpha_bar_s\n    beta_ts = 1 - alpha_ts\n"
                    "    mean = (math.sqrt(alpha_bar_s) * beta_ts / (1 - alpha_bar_t)) * x0_hat \\\n"
                    "        + (math.sqrt(alpha_ts) * (1 - alpha_bar_s) / (1 - alpha_bar_t)) * x_t\n",
                    "    alpha_ts = torch.tensor(alpha_bar_t / alpha_bar_s, dtype=torch.float64)\n    beta_ts = 1 - alpha_ts\n"
                    "    mean = ((x_t - (beta_ts / math.sqrt(1 - alpha_bar_t)) * eps_hat) / alpha_ts.sqrt()).to(x_t.dtype)\n"
                    "    beta_ts = float(beta_ts)\n"),
        Alternative("ddim-step-one-line", "ddim-step",
                    "    x0_hat = (x_t - math.sqrt(1 - alpha_bar_t) * eps_hat) / math.sqrt(alpha_bar_t)\n"
                    "    return math.sqrt(alpha_bar_s) * x0_hat + math.sqrt(1 - alpha_bar_s) * eps_hat",
                    "    ratio = (alpha_bar_s / alpha_bar_t) ** 0.5\n"
                    "    return ratio * x_t + ((1 - alpha_bar_s) ** 0.5 - ratio * (1 - alpha_bar_t) ** 0.5) * eps_hat"),
        Alternative("fm-loss-broadcast-time", "fm-loss",
                    "    t = torch.rand(len(x1), device=x1.device)\n"
                    "    x_t = (1 - t).view(-1, 1, 1, 1) * x0 + t.view(-1, 1, 1, 1) * x1\n"
                    "    return F.mse_loss(model(x_t, t, one_hot), x1 - x0)",
                    "    t = torch.rand(x1.shape[0], 1, 1, 1, device=x1.device)\n"
                    "    x_t = x0 + t * (x1 - x0)\n"
                    "    return ((model(x_t, t.flatten(), one_hot) - (x1 - x0)) ** 2).mean()"),
        Alternative("euler-linspace", "euler",
                    "    h = 1.0 / steps\n    for k in range(steps):\n        t = torch.full((len(x),), k * h, device=x.device)\n"
                    "        x = x + h * velocity(x, t)\n",
                    "    times = torch.linspace(0, 1, steps + 1, device=x.device)\n"
                    "    for t_now, t_next in zip(times[:-1], times[1:]):\n"
                    "        x = x + (t_next - t_now) * velocity(x, t_now.repeat(x.shape[0]))\n"),
        Alternative("guidance-one-batched-call", "guidance",
                    "    conditional = model(x, t, one_hot)\n"
                    "    unconditional_prediction = model(x, t, torch.zeros_like(one_hot))\n",
                    "    both = model(torch.cat([x, x]), torch.cat([t, t]), torch.cat([one_hot, torch.zeros_like(one_hot)]))\n"
                    "    conditional, unconditional_prediction = both.chunk(2)\n"),
    ],
}
