"""The flows lab's plausible mistakes and correct alternatives (see tests/helpers/edits.py).

Beyond wrong formulas, the mistakes cover the classes a value check alone cannot see: a gradient cut
from a loss (`.detach()`), tensors made on the default device instead of the inputs' (a GPU's trap),
random draws of the wrong distribution or shared where they must be fresh, and numerics that break
only when the examples of a batch differ by orders of magnitude.
"""
from tests.helpers.edits import Alternative, Mutant

LOG_PROB = [
    Mutant("log-prob-square-not-halved", "log-prob", "-0.5 * z.pow(2) - 0.5 * math.log(2 * math.pi)",
           "-z.pow(2) - 0.5 * math.log(2 * math.pi)"),
    Mutant("log-prob-no-constant", "log-prob", "-0.5 * z.pow(2) - 0.5 * math.log(2 * math.pi)", "-0.5 * z.pow(2)"),
    Mutant("log-prob-constant-once", "log-prob",
           "    per_dimension = -0.5 * z.pow(2) - 0.5 * math.log(2 * math.pi)\n    return per_dimension.flatten(start_dim=1).sum(dim=1)",
           "    return (-0.5 * z.pow(2)).flatten(start_dim=1).sum(dim=1) - 0.5 * math.log(2 * math.pi)"),
    Mutant("log-prob-summed-over-the-batch", "log-prob", "return per_dimension.flatten(start_dim=1).sum(dim=1)",
           "return per_dimension.sum()"),
    Mutant("log-prob-averaged-over-dimensions", "log-prob", "return per_dimension.flatten(start_dim=1).sum(dim=1)",
           "return per_dimension.flatten(start_dim=1).mean(dim=1)"),
    Mutant("log-prob-only-last-dimension", "log-prob", "return per_dimension.flatten(start_dim=1).sum(dim=1)",
           "return per_dimension.sum(dim=-1)"),
    Mutant("log-prob-channels-only", "log-prob", "return per_dimension.flatten(start_dim=1).sum(dim=1)",
           "return per_dimension.sum(dim=1)"),
    Mutant("flow-log-det-subtracted", "log-prob", "return standard_normal_log_prob(h) + total_log_det",
           "return standard_normal_log_prob(h) - total_log_det"),
    Mutant("flow-log-det-left-out", "log-prob", "return standard_normal_log_prob(h) + total_log_det",
           "return standard_normal_log_prob(h)"),
    Mutant("flow-base-at-x", "log-prob", "return standard_normal_log_prob(h) + total_log_det",
           "return standard_normal_log_prob(x) + total_log_det"),
    Mutant("flow-layers-reversed", "log-prob", "    for layer in layers:\n        h, log_det = layer(h)",
           "    for layer in reversed(list(layers)):\n        h, log_det = layer(h)"),
    Mutant("flow-only-the-last-log-det", "log-prob", "total_log_det = total_log_det + log_det", "total_log_det = log_det"),
    Mutant("flow-every-layer-on-x", "log-prob", "h, log_det = layer(h)", "h, log_det = layer(x)"),
    # gradient: the log-determinants cut from autograd (their values stay right)
    Mutant("flow-log-dets-detached", "log-prob", "total_log_det = total_log_det + log_det",
           "total_log_det = total_log_det + log_det.detach()"),
    # device: the running sum made on the default device
    Mutant("flow-log-det-sum-on-the-default-device", "log-prob", "torch.zeros(len(x), device=x.device)", "torch.zeros(len(x))"),
    Mutant("sample-forward-instead-of-inverse", "log-prob", "        h = layer.inverse(h)", "        h, _ = layer(h)"),
    Mutant("sample-inverses-in-order", "log-prob", "    for layer in reversed(layers):\n        h = layer.inverse(h)",
           "    for layer in layers:\n        h = layer.inverse(h)"),
    # random draws: the temperature as a variance, ignored, or a uniform base
    Mutant("sample-temperature-as-variance", "log-prob", "h = temperature * torch.randn(", "h = math.sqrt(temperature) * torch.randn("),
    Mutant("sample-temperature-ignored", "log-prob", "h = temperature * torch.randn(", "h = torch.randn("),
    Mutant("sample-uniform-base", "log-prob", "h = temperature * torch.randn(", "h = temperature * torch.rand("),
    Mutant("sample-base-on-the-default-device", "log-prob", "torch.randn(n, *shape, device=device)", "torch.randn(n, *shape)"),
    Mutant("sample-flat-base", "log-prob", "torch.randn(n, *shape, device=device)", "torch.randn(n, math.prod(shape), device=device)"),
]

COUPLING = [
    Mutant("coupling-log-det-over-kept-too", "coupling",
           "        s, t = s * (1 - self.mask), t * (1 - self.mask)\n        y = kept",
           "        t = t * (1 - self.mask)\n        y = kept"),
    Mutant("coupling-log-det-sign", "coupling", "return y, s.flatten(start_dim=1).sum(dim=1)",
           "return y, -s.flatten(start_dim=1).sum(dim=1)"),
    Mutant("coupling-forward-divides", "coupling", "(x * torch.exp(s) + t)", "(x * torch.exp(-s) + t)"),
    Mutant("coupling-shift-before-scale", "coupling", "(x * torch.exp(s) + t)", "((x + t) * torch.exp(s))"),
    Mutant("coupling-network-sees-everything", "coupling",
           "        s, t = self.scale_and_shift(kept)\n        s, t = s * (1 - self.mask), t * (1 - self.mask)\n        y",
           "        s, t = self.scale_and_shift(x)\n        s, t = s * (1 - self.mask), t * (1 - self.mask)\n        y"),
    Mutant("coupling-inverse-multiplies", "coupling", "(y - t) * torch.exp(-s)", "(y - t) * torch.exp(s)"),
    Mutant("coupling-inverse-unscales-first", "coupling", "(y - t) * torch.exp(-s)", "(y * torch.exp(-s) - t)"),
    Mutant("coupling-inverse-network-sees-everything", "coupling",
           "        s, t = self.scale_and_shift(kept)\n        s, t = s * (1 - self.mask), t * (1 - self.mask)\n        return",
           "        s, t = self.scale_and_shift(y)\n        s, t = s * (1 - self.mask), t * (1 - self.mask)\n        return"),
    Mutant("coupling-log-det-for-the-batch", "coupling", "return y, s.flatten(start_dim=1).sum(dim=1)", "return y, s.sum()"),
    Mutant("coupling-mask-inverted", "coupling", "y = kept + (1 - self.mask) * (x * torch.exp(s) + t)",
           "y = x * (1 - self.mask) + self.mask * (x * torch.exp(s) + t)"),
    Mutant("coupling-shift-not-masked", "coupling",
           "        s, t = s * (1 - self.mask), t * (1 - self.mask)\n        y = kept + (1 - self.mask) * (x * torch.exp(s) + t)",
           "        s = s * (1 - self.mask)\n        y = kept + (1 - self.mask) * x * torch.exp(s) + t"),
    # sizes: right for vectors (B, D), wrong for images (B, C, H, W)
    Mutant("coupling-log-det-over-dim-1-only", "coupling", "return y, s.flatten(start_dim=1).sum(dim=1)", "return y, s.sum(dim=1)"),
    # gradient: log_det cut from the network
    Mutant("coupling-log-det-detached", "coupling", "return y, s.flatten(start_dim=1).sum(dim=1)",
           "return y, s.detach().flatten(start_dim=1).sum(dim=1)"),
    # device: a tensor of ones made on the default device
    Mutant("coupling-ones-on-the-default-device", "coupling", "y = kept + (1 - self.mask) * (x * torch.exp(s) + t)",
           "y = kept + (torch.ones(self.mask.shape) - self.mask) * (x * torch.exp(s) + t)"),
]

PIXELS = [
    Mutant("dequantize-divides-by-255", "pixels", "return (levels + noise) / 256", "return (levels + noise) / 255"),
    Mutant("dequantize-noise-on-the-unit-scale", "pixels",
           "    levels = torch.round(images * 255)\n    return (levels + noise) / 256", "    return images + noise / 256"),
    Mutant("dequantize-ignores-the-given-noise", "pixels",
           "    if noise is None:\n        noise = torch.rand_like(images)", "    noise = torch.rand_like(images)"),
    Mutant("dequantize-gaussian-noise", "pixels", "noise = torch.rand_like(images)", "noise = torch.randn_like(images)"),
    # random draws: one noise value per image, or one noise image for the whole batch
    Mutant("dequantize-one-noise-per-image", "pixels", "noise = torch.rand_like(images)",
           "noise = torch.rand(len(images), 1, 1, 1, device=images.device)"),
    Mutant("dequantize-same-noise-for-the-batch", "pixels", "noise = torch.rand_like(images)", "noise = torch.rand_like(images[:1])"),
    Mutant("dequantize-noise-on-the-default-device", "pixels", "noise = torch.rand_like(images)", "noise = torch.rand(images.shape)"),
    Mutant("logit-not-squeezed", "pixels", "squeezed = alpha + (1 - 2 * alpha) * v", "squeezed = v"),
    Mutant("logit-log-det-without-the-squeeze", "pixels",
           "per_pixel = math.log(1 - 2 * alpha) - torch.log(squeezed)", "per_pixel = -torch.log(squeezed)"),
    Mutant("logit-log-det-sign", "pixels",
           "per_pixel = math.log(1 - 2 * alpha) - torch.log(squeezed) - torch.log1p(-squeezed)",
           "per_pixel = -(math.log(1 - 2 * alpha) - torch.log(squeezed) - torch.log1p(-squeezed))"),
    Mutant("logit-log-det-averaged", "pixels", "return w, per_pixel.flatten(start_dim=1).sum(dim=1)",
           "return w, per_pixel.flatten(start_dim=1).mean(dim=1)"),
    # numerics: the product of 784 derivatives overflows float32 before its logarithm is taken
    Mutant("logit-log-det-log-of-the-product", "pixels", "return w, per_pixel.flatten(start_dim=1).sum(dim=1)",
           "return w, per_pixel.exp().flatten(start_dim=1).prod(dim=1).log()"),
    Mutant("logit-log-det-with-the-configured-alpha", "pixels", "per_pixel = math.log(1 - 2 * alpha)",
           "per_pixel = math.log(1 - 2 * LOGIT_ALPHA)"),
    Mutant("logit-log-det-over-rows-and-columns-only", "pixels", "return w, per_pixel.flatten(start_dim=1).sum(dim=1)",
           "return w, per_pixel.sum(dim=(-2, -1))"),
    Mutant("bits-without-the-intervals", "pixels", "(-log_likelihood + num_dims * math.log(256))", "(-log_likelihood)"),
    Mutant("bits-in-nats", "pixels", "/ (num_dims * math.log(2))", "/ num_dims"),
    Mutant("bits-sign", "pixels", "(-log_likelihood + num_dims", "(log_likelihood + num_dims"),
    Mutant("bits-not-per-dimension", "pixels", "/ (num_dims * math.log(2))", "/ math.log(2)"),
]

MADE = [
    Mutant("made-hidden-strict", "made", "(after.view(-1, 1) >= before.view(1, -1))", "(after.view(-1, 1) > before.view(1, -1))"),
    Mutant("made-output-not-strict", "made", "(output_degrees.view(-1, 1) > degrees[-1].view(1, -1))",
           "(output_degrees.view(-1, 1) >= degrees[-1].view(1, -1))"),
    Mutant("made-degrees-cycle-to-d", "made", "torch.arange(size) % (num_inputs - 1) + 1", "torch.arange(size) % num_inputs + 1"),
    Mutant("made-masks-transposed", "made", "(after.view(-1, 1) >= before.view(1, -1)).float()",
           "(after.view(-1, 1) >= before.view(1, -1)).float().t()"),
    Mutant("made-comparison-reversed", "made", "(after.view(-1, 1) >= before.view(1, -1))", "(after.view(-1, 1) <= before.view(1, -1))"),
    Mutant("made-no-output-mask", "made", "masks.append((output_degrees.view(-1, 1) > degrees[-1].view(1, -1)).float())",
           "masks.append(torch.ones(num_inputs, len(degrees[-1])))"),
    Mutant("made-degrees-from-zero", "made", "torch.arange(size) % (num_inputs - 1) + 1", "torch.arange(size) % (num_inputs - 1)"),
    Mutant("made-degrees-stop-short", "made", "torch.arange(size) % (num_inputs - 1) + 1",
           "torch.arange(size) % max(num_inputs - 2, 1) + 1"),
    Mutant("made-output-mask-forgotten", "made",
           "    masks.append((output_degrees.view(-1, 1) > degrees[-1].view(1, -1)).float())\n", ""),
]

IAF_STEP = [
    Mutant("iaf-gate-on-m", "iaf-step", "z_new = gate * z + (1 - gate) * m", "z_new = gate * m + (1 - gate) * z"),
    Mutant("iaf-exp-gate", "iaf-step", "gate = torch.sigmoid(s)", "gate = torch.exp(s)"),
    Mutant("iaf-z-not-gated", "iaf-step", "z_new = gate * z + (1 - gate) * m", "z_new = z + (1 - gate) * m"),
    Mutant("iaf-log-det-of-the-gates", "iaf-step", "F.logsigmoid(s).sum(dim=1)", "torch.sigmoid(s).sum(dim=1)"),
    Mutant("iaf-log-det-unstable", "iaf-step", "F.logsigmoid(s).sum(dim=1)", "torch.log(torch.sigmoid(s)).sum(dim=1)"),
    Mutant("iaf-log-det-sign", "iaf-step", "F.logsigmoid(s).sum(dim=1)", "-F.logsigmoid(s).sum(dim=1)"),
    Mutant("iaf-log-det-of-one-minus-the-gate", "iaf-step", "F.logsigmoid(s).sum(dim=1)", "F.logsigmoid(-s).sum(dim=1)"),
    Mutant("iaf-log-det-for-the-batch", "iaf-step", "F.logsigmoid(s).sum(dim=1)", "F.logsigmoid(s).sum()"),
    # numerics: a clamp that hides the -inf but gets strongly negative gates wrong
    Mutant("iaf-log-det-clamped-gate", "iaf-step", "F.logsigmoid(s).sum(dim=1)", "torch.log(torch.sigmoid(s).clamp(min=1e-30)).sum(dim=1)"),
    Mutant("iaf-log-q-adds-the-log-dets", "iaf-step", "return gaussian - sum(", "return gaussian + sum("),
    Mutant("iaf-log-q-logvar-sign", "iaf-step", "- 0.5 * logvar).sum(dim=1)", "+ 0.5 * logvar).sum(dim=1)"),
    Mutant("iaf-log-q-without-logvar", "iaf-step", " - 0.5 * logvar).sum(dim=1)", ").sum(dim=1)"),
    Mutant("iaf-log-q-without-the-constant", "iaf-step", "-0.5 * eps.pow(2) - 0.5 * math.log(2 * math.pi)", "-0.5 * eps.pow(2)"),
    # gradient and device
    Mutant("iaf-log-q-log-dets-detached", "iaf-step", "return gaussian - sum(log_dets, torch.zeros_like(gaussian))",
           "return gaussian - sum((log_det.detach() for log_det in log_dets), torch.zeros_like(gaussian))"),
    Mutant("iaf-log-q-sum-on-the-default-device", "iaf-step", "sum(log_dets, torch.zeros_like(gaussian))",
           "sum(log_dets, torch.zeros(len(eps)))"),
]

IWAE = [
    Mutant("iwae-mean-of-the-logs", "iwae",
           "    largest = log_weights.max(dim=0).values\n    return largest + torch.log(torch.exp(log_weights - largest).mean(dim=0))",
           "    return log_weights.mean(dim=0)"),
    Mutant("iwae-sum-instead-of-mean", "iwae", "torch.exp(log_weights - largest).mean(dim=0)", "torch.exp(log_weights - largest).sum(dim=0)"),
    Mutant("iwae-naive-exp", "iwae",
           "    largest = log_weights.max(dim=0).values\n    return largest + torch.log(torch.exp(log_weights - largest).mean(dim=0))",
           "    return torch.log(torch.exp(log_weights).mean(dim=0))"),
    Mutant("iwae-max", "iwae", "    return largest + torch.log(torch.exp(log_weights - largest).mean(dim=0))", "    return largest"),
    Mutant("iwae-minus-k", "iwae", "torch.log(torch.exp(log_weights - largest).mean(dim=0))",
           "torch.log(torch.exp(log_weights - largest).sum(dim=0)) - k"),
    Mutant("iwae-over-the-examples", "iwae",
           "    largest = log_weights.max(dim=0).values\n    return largest + torch.log(torch.exp(log_weights - largest).mean(dim=0))",
           "    largest = log_weights.max(dim=1, keepdim=True).values\n"
           "    return (largest + torch.log(torch.exp(log_weights - largest).mean(dim=1, keepdim=True))).squeeze(1)"),
    # random draws: one sample used k times
    Mutant("iwae-one-sample-repeated", "iwae", "torch.stack([log_weight(x) for _ in range(k)])", "torch.stack([log_weight(x)] * k)"),
    # numerics: one largest term for the whole batch
    Mutant("iwae-largest-of-the-whole-batch", "iwae", "largest = log_weights.max(dim=0).values", "largest = log_weights.max()"),
    # gradient and device
    Mutant("iwae-log-weights-detached", "iwae", "torch.stack([log_weight(x) for _ in range(k)])",
           "torch.stack([log_weight(x).detach() for _ in range(k)])"),
    Mutant("iwae-buffer-on-the-default-device", "iwae", "    log_weights = torch.stack([log_weight(x) for _ in range(k)])          # (k, B)\n",
           "    log_weights = torch.zeros(k, len(x))\n    for j in range(k):\n        log_weights[j] = log_weight(x)\n"),
    # sizes: a batch of vectors only
    Mutant("iwae-repeat-for-vectors-only", "iwae", "torch.stack([log_weight(x) for _ in range(k)])          # (k, B)",
           "log_weight(x.repeat(k, 1)).view(k, len(x))"),
]

MUTANTS: list[Mutant] = LOG_PROB + COUPLING + PIXELS + MADE + IAF_STEP + IWAE

ALTERNATIVES: list[Alternative] = [
    Alternative("log-prob-torch-distributions", "log-prob",
                "    per_dimension = -0.5 * z.pow(2) - 0.5 * math.log(2 * math.pi)\n",
                "    per_dimension = torch.distributions.Normal(torch.zeros_like(z), torch.ones_like(z)).log_prob(z)\n"),
    Alternative("flow-python-accumulator", "log-prob",
                "    h, total_log_det = x, torch.zeros(len(x), device=x.device)\n    for layer in layers:\n"
                "        h, log_det = layer(h)\n        total_log_det = total_log_det + log_det\n",
                "    h, total_log_det = x, 0.0\n    for layer in layers:\n        h, log_det = layer(h)\n        total_log_det += log_det\n"),
    Alternative("sample-normal-and-slicing", "log-prob",
                "    h = temperature * torch.randn(n, *shape, device=device)\n    for layer in reversed(layers):\n"
                "        h = layer.inverse(h)\n    return h",
                "    x = torch.randn((n,) + tuple(shape), device=device).mul(temperature)\n"
                "    for index in range(len(layers) - 1, -1, -1):\n        x = layers[index].inverse(x)\n    return x"),
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
                "    if noise is None:\n        noise = torch.rand_like(images)\n"
                "    levels = torch.round(images * 255)\n    return (levels + noise) / 256",
                "    if noise is None:\n        noise = torch.rand(images.shape, device=images.device, dtype=images.dtype)\n"
                "    return ((images * 255).round() + noise) / 256.0"),
    Alternative("logit-log-det-as-one-logarithm", "pixels",
                "    per_pixel = math.log(1 - 2 * alpha) - torch.log(squeezed) - torch.log1p(-squeezed)\n"
                "    return w, per_pixel.flatten(start_dim=1).sum(dim=1)",
                "    derivative = (1 - 2 * alpha) / (squeezed * (1 - squeezed))\n"
                "    return w, torch.log(derivative).reshape(v.shape[0], -1).sum(dim=-1)"),
    Alternative("bits-per-dim-in-two-steps", "pixels",
                "    return (-log_likelihood + num_dims * math.log(256)) / (num_dims * math.log(2))",
                "    nats_per_dim = -log_likelihood / num_dims\n    return nats_per_dim / math.log(2) + 8"),
    Alternative("made-explicit-loops", "made",
                "    degrees = [torch.arange(1, num_inputs + 1)]\n",
                "    degree_lists = [list(range(1, num_inputs + 1))] + [[u % (num_inputs - 1) + 1 for u in range(h)] for h in hidden_sizes]\n"
                "    result = []\n"
                "    for before, after in zip(degree_lists[:-1], degree_lists[1:]):\n"
                "        result.append(torch.tensor([[1.0 if a >= b else 0.0 for b in before] for a in after]))\n"
                "    result.append(torch.tensor([[1.0 if i > b else 0.0 for b in degree_lists[-1]] for i in range(1, num_inputs + 1)]))\n"
                "    return result\n"
                "    degrees = [torch.arange(1, num_inputs + 1)]\n"),
    Alternative("made-degrees-in-blocks-and-boolean-masks", "made",
                "        degrees.append(torch.arange(size) % (num_inputs - 1) + 1)\n"
                "    masks = [(after.view(-1, 1) >= before.view(1, -1)).float() for before, after in zip(degrees[:-1], degrees[1:])]\n",
                "        degrees.append(torch.arange(size) * (num_inputs - 1) // size + 1)\n"
                "    masks = [after[:, None] >= before[None, :] for before, after in zip(degrees[:-1], degrees[1:])]\n"),
    Alternative("iaf-other-forms", "iaf-step",
                "    z_new = gate * z + (1 - gate) * m\n    return z_new, F.logsigmoid(s).sum(dim=1)",
                "    z_new = m + gate * (z - m)\n    return z_new, -F.softplus(-s).sum(dim=-1)"),
    Alternative("iaf-log-q-torch-distributions", "iaf-step",
                "    gaussian = (-0.5 * eps.pow(2) - 0.5 * math.log(2 * math.pi) - 0.5 * logvar).sum(dim=1)\n"
                "    return gaussian - sum(log_dets, torch.zeros_like(gaussian))",
                "    standard = torch.distributions.Normal(torch.zeros_like(eps), torch.ones_like(eps))\n"
                "    log_q = standard.log_prob(eps).sum(dim=1) - 0.5 * logvar.sum(dim=1)\n"
                "    for log_det in log_dets:\n        log_q = log_q - log_det\n    return log_q"),
    Alternative("iwae-logsumexp", "iwae",
                "    largest = log_weights.max(dim=0).values\n    return largest + torch.log(torch.exp(log_weights - largest).mean(dim=0))",
                "    return torch.logsumexp(log_weights, dim=0) - math.log(k)"),
    Alternative("iwae-one-call-on-a-repeated-batch", "iwae",
                "    log_weights = torch.stack([log_weight(x) for _ in range(k)])          # (k, B)\n",
                "    repeated = x.repeat(k, *[1] * (x.dim() - 1))                          # (k * B, ...): x, then x again, ...\n"
                "    log_weights = log_weight(repeated).view(k, len(x))\n"),
]
