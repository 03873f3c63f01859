"""The diffusion lab's plausible mistakes and correct alternatives (see tests/helpers/edits.py)."""
from tests.helpers.edits import Alternative, Mutant

MUTANTS: list[Mutant] = [
    Mutant("forward-cumsum", "forward", "return torch.cumprod(1 - betas, dim=0)", "return 1 - torch.cumsum(betas, dim=0)"),
    Mutant("forward-product-of-betas", "forward", "return torch.cumprod(1 - betas, dim=0)", "return torch.cumprod(betas, dim=0)"),
    Mutant("forward-alphas-not-products", "forward", "return torch.cumprod(1 - betas, dim=0)", "return 1 - betas"),
    Mutant("forward-no-square-roots", "forward", "return alpha_bar.sqrt() * x0 + (1 - alpha_bar).sqrt() * noise",
           "return alpha_bar * x0 + (1 - alpha_bar) * noise"),
    Mutant("forward-noise-not-rooted", "forward", "return alpha_bar.sqrt() * x0 + (1 - alpha_bar).sqrt() * noise",
           "return alpha_bar.sqrt() * x0 + (1 - alpha_bar) * noise"),
    Mutant("forward-signal-factor-on-noise", "forward", "return alpha_bar.sqrt() * x0 + (1 - alpha_bar).sqrt() * noise",
           "return alpha_bar.sqrt() * x0 + alpha_bar.sqrt() * noise"),
    Mutant("forward-step-off-by-one", "forward", "alpha_bar = alpha_bars[t].view(", "alpha_bar = alpha_bars[(t - 1).clamp(min=0)].view("),
    Mutant("forward-first-image-step-for-all", "forward", "alpha_bar = alpha_bars[t].view(-1, *([1] * (x0.dim() - 1)))",
           "alpha_bar = alpha_bars[t[0]]"),
    Mutant("loss-target-is-the-image", "loss", "return F.mse_loss(model(x_t, t, one_hot), noise)",
           "return F.mse_loss(model(x_t, t, one_hot), x0)"),
    Mutant("loss-summed-over-pixels", "loss", "return F.mse_loss(model(x_t, t, one_hot), noise)",
           "return (model(x_t, t, one_hot) - noise).pow(2).flatten(start_dim=1).sum(dim=1).mean()"),
    Mutant("loss-noise-not-rooted", "loss", "x_t = alpha_bar.sqrt() * x0 + (1 - alpha_bar).sqrt() * noise",
           "x_t = alpha_bar.sqrt() * x0 + (1 - alpha_bar) * noise"),
    Mutant("loss-one-step-for-the-batch", "loss", "t = torch.randint(0, len(alpha_bars), (len(x0),), device=x0.device)",
           "t = torch.randint(0, len(alpha_bars), (1,), device=x0.device).expand(len(x0))"),
    Mutant("loss-steps-up-to-T", "loss", "t = torch.randint(0, len(alpha_bars), (len(x0),), device=x0.device)",
           "t = torch.randint(1, len(alpha_bars) + 1, (len(x0),), device=x0.device)"),
    Mutant("loss-fresh-noise-for-the-target", "loss", "return F.mse_loss(model(x_t, t, one_hot), noise)",
           "return F.mse_loss(model(x_t, t, one_hot), torch.randn_like(noise))"),
    Mutant("loss-labels-not-passed", "loss", "return F.mse_loss(model(x_t, t, one_hot), noise)",
           "return F.mse_loss(model(x_t, t, torch.zeros_like(one_hot)), noise)"),
    Mutant("loss-steps-as-times", "loss", "return F.mse_loss(model(x_t, t, one_hot), noise)",
           "return F.mse_loss(model(x_t, t.float() / len(alpha_bars), one_hot), noise)"),
    Mutant("dropout-keeps-with-p", "dropout", "keep = (torch.rand(len(one_hot), 1, device=one_hot.device) >= p)",
           "keep = (torch.rand(len(one_hot), 1, device=one_hot.device) < p)"),
    Mutant("dropout-in-place", "dropout", "    return one_hot * keep", "    one_hot *= keep\n    return one_hot"),
    Mutant("dropout-ignores-p", "dropout", "keep = (torch.rand(len(one_hot), 1, device=one_hot.device) >= p)",
           "keep = (torch.rand(len(one_hot), 1, device=one_hot.device) >= 0.1)"),
    Mutant("ddpm-step-no-noise", "ddpm-step", "return mean + math.sqrt(variance) * noise", "return mean"),
    Mutant("ddpm-step-variance-not-rooted", "ddpm-step", "return mean + math.sqrt(variance) * noise", "return mean + variance * noise"),
    Mutant("ddpm-step-beta-variance", "ddpm-step", "variance = (1 - alpha_bar_s) / (1 - alpha_bar_t) * beta_ts", "variance = beta_ts"),
    Mutant("ddpm-step-returns-x0-hat", "ddpm-step", "return mean + math.sqrt(variance) * noise",
           "return x0_hat + math.sqrt(variance) * noise"),
    Mutant("ddpm-step-x0-sign", "ddpm-step", "x0_hat = (x_t - math.sqrt(1 - alpha_bar_t) * eps_hat)",
           "x0_hat = (x_t + math.sqrt(1 - alpha_bar_t) * eps_hat)"),
    Mutant("ddpm-step-x0-not-rooted", "ddpm-step", "/ math.sqrt(alpha_bar_t)\n    alpha_ts", "/ alpha_bar_t\n    alpha_ts"),
    Mutant("ddpm-step-weights-swapped", "ddpm-step", "* beta_ts / (1 - alpha_bar_t)) * x0_hat", "* beta_ts / (1 - alpha_bar_t)) * x_t"),
    Mutant("ddpm-step-single-step-alpha", "ddpm-step", "alpha_ts = alpha_bar_t / alpha_bar_s", "alpha_ts = alpha_bar_t"),
    Mutant("ddim-step-ancestral-mean", "ddim-step",
           "return math.sqrt(alpha_bar_s) * x0_hat + math.sqrt(1 - alpha_bar_s) * eps_hat",
           "return (math.sqrt(alpha_bar_s) * (1 - alpha_bar_t / alpha_bar_s) * x0_hat"
           " + math.sqrt(alpha_bar_t / alpha_bar_s) * (1 - alpha_bar_s) * x_t) / (1 - alpha_bar_t)"),
    Mutant("ddim-step-noise-not-rooted", "ddim-step", "math.sqrt(1 - alpha_bar_s) * eps_hat", "(1 - alpha_bar_s) * eps_hat"),
    Mutant("ddim-step-signal-not-rooted", "ddim-step", "return math.sqrt(alpha_bar_s) * x0_hat", "return alpha_bar_s * x0_hat"),
    Mutant("ddim-step-fresh-noise", "ddim-step", "math.sqrt(1 - alpha_bar_s) * eps_hat", "math.sqrt(1 - alpha_bar_s) * torch.randn_like(eps_hat)"),
    Mutant("ddim-step-x-t-for-eps", "ddim-step", "math.sqrt(1 - alpha_bar_s) * eps_hat", "math.sqrt(1 - alpha_bar_s) * x_t"),
    Mutant("ddim-step-x0-sign", "ddim-step", "x0_hat = (x_t - math.sqrt(1 - alpha_bar_t) * eps_hat)",
           "x0_hat = (x_t + math.sqrt(1 - alpha_bar_t) * eps_hat)"),
    Mutant("fm-loss-velocity-sign", "fm-loss", "return F.mse_loss(model(x_t, t, one_hot), x1 - x0)",
           "return F.mse_loss(model(x_t, t, one_hot), x0 - x1)"),
    Mutant("fm-loss-target-is-data", "fm-loss", "return F.mse_loss(model(x_t, t, one_hot), x1 - x0)",
           "return F.mse_loss(model(x_t, t, one_hot), x1)"),
    Mutant("fm-loss-path-reversed", "fm-loss", "x_t = (1 - t).view(-1, 1, 1, 1) * x0 + t.view(-1, 1, 1, 1) * x1",
           "x_t = t.view(-1, 1, 1, 1) * x0 + (1 - t).view(-1, 1, 1, 1) * x1"),
    Mutant("fm-loss-one-time-for-the-batch", "fm-loss", "t = torch.rand(len(x1), device=x1.device)",
           "t = torch.rand(1, device=x1.device).expand(len(x1))"),
    Mutant("fm-loss-summed", "fm-loss", "return F.mse_loss(model(x_t, t, one_hot), x1 - x0)",
           "return (model(x_t, t, one_hot) - (x1 - x0)).pow(2).flatten(start_dim=1).sum(dim=1).mean()"),
    Mutant("fm-loss-gaussian-times", "fm-loss", "t = torch.rand(len(x1), device=x1.device)",
           "t = torch.randn(len(x1), device=x1.device).abs().clamp(max=0.999)"),
    Mutant("euler-step-one-over-steps-minus-one", "euler", "h = 1.0 / steps", "h = 1.0 / max(1, steps - 1)"),
    Mutant("euler-no-step-size", "euler", "x = x + h * velocity(x, t)", "x = x + velocity(x, t)"),
    Mutant("euler-time-at-the-end", "euler", "t = torch.full((len(x),), k * h, device=x.device)",
           "t = torch.full((len(x),), (k + 1) * h, device=x.device)"),
    Mutant("euler-time-backwards", "euler", "t = torch.full((len(x),), k * h, device=x.device)",
           "t = torch.full((len(x),), 1 - k * h, device=x.device)"),
    Mutant("euler-time-as-float", "euler", "x = x + h * velocity(x, t)", "x = x + h * velocity(x, k * h)"),
    Mutant("euler-velocity-frozen", "euler",
           "    for k in range(steps):\n        t = torch.full((len(x),), k * h, device=x.device)\n        x = x + h * velocity(x, t)\n",
           "    v = velocity(x, torch.zeros(len(x), device=x.device))\n    for k in range(steps):\n        x = x + h * v\n"),
    Mutant("guidance-paper-form", "guidance", "return unconditional_prediction + scale * (conditional - unconditional_prediction)",
           "return (1 + scale) * conditional - scale * unconditional_prediction"),
    Mutant("guidance-swapped", "guidance", "return unconditional_prediction + scale * (conditional - unconditional_prediction)",
           "return conditional + scale * (unconditional_prediction - conditional)"),
    Mutant("guidance-added", "guidance", "return unconditional_prediction + scale * (conditional - unconditional_prediction)",
           "return conditional + scale * unconditional_prediction"),
    Mutant("guidance-no-unconditional-call", "guidance", "unconditional_prediction = model(x, t, torch.zeros_like(one_hot))",
           "unconditional_prediction = model(x, t, one_hot)"),
    Mutant("guidance-labels-zeroed-in-place", "guidance", "unconditional_prediction = model(x, t, torch.zeros_like(one_hot))",
           "unconditional_prediction = model(x, t, one_hot.zero_())"),
]

ALTERNATIVES: list[Alternative] = [
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
]
