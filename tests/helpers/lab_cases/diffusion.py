"""The diffusion lab's plausible mistakes and correct alternatives (see tests/helpers/edits.py)."""
from tests.helpers.edits import Alternative, Mutant

FORWARD_RETURN = "    return alpha_bar.sqrt() * x0 + (1 - alpha_bar).sqrt() * noise"
FORWARD_VIEW = "alpha_bar = alpha_bars[t].view(-1, *([1] * (x0.dim() - 1)))"
LOSS_STEPS = "t = torch.randint(0, len(alpha_bars), (len(x0),), device=x0.device)"
LOSS_RETURN = "return F.mse_loss(model(x_t, t, one_hot), noise)"
KEEP = "keep = (torch.rand(len(one_hot), 1, device=one_hot.device) >= label_drop).to(one_hot.dtype)"
MEAN = ("mean = (math.sqrt(alpha_bar_s) * beta_ts * x0 + math.sqrt(alpha_ts) * (1 - alpha_bar_s) * x_t) / (1 - alpha_bar_t)")
VARIANCE = "variance = (1 - alpha_bar_s) / (1 - alpha_bar_t) * beta_ts"
DDIM_NEXT = "alpha_bar_s = float(alpha_bars[steps[i + 1]]) if i + 1 < len(steps) else 1.0"
DDIM_UPDATE = "x = math.sqrt(alpha_bar_s) * x0_hat + math.sqrt(1 - alpha_bar_s) * eps_hat"
FM_TIMES = "t = torch.rand(len(x1), device=x1.device)"
FM_RETURN = "return F.mse_loss(model(x_t, t, one_hot), x1 - x0)"
EULER_TIMES = "t = torch.full((len(x),), k * h, device=x.device)"
GUIDED = "return unconditional_prediction + scale * (conditional - unconditional_prediction)"
UNCONDITIONAL_CALL = "unconditional_prediction = model(x, t, torch.zeros_like(one_hot))"

MUTANTS: list[Mutant] = [
    # Exercise 1: the forward process
    Mutant("forward-cumsum", "forward", "return torch.cumprod(1 - betas, dim=0)", "return 1 - torch.cumsum(betas, dim=0)"),
    Mutant("forward-product-of-betas", "forward", "return torch.cumprod(1 - betas, dim=0)", "return torch.cumprod(betas, dim=0)"),
    Mutant("forward-alphas-not-products", "forward", "return torch.cumprod(1 - betas, dim=0)", "return 1 - betas"),
    Mutant("forward-loop-on-the-default-device", "forward", "    return torch.cumprod(1 - betas, dim=0)",
           "    products, running = torch.ones(len(betas)), 1.0\n    for i, beta in enumerate(betas):\n"
           "        running = running * (1 - beta)\n        products[i] = running\n    return products"),
    Mutant("forward-no-square-roots", "forward", FORWARD_RETURN, "    return alpha_bar * x0 + (1 - alpha_bar) * noise"),
    Mutant("forward-noise-not-rooted", "forward", FORWARD_RETURN, "    return alpha_bar.sqrt() * x0 + (1 - alpha_bar) * noise"),
    Mutant("forward-signal-factor-on-noise", "forward", FORWARD_RETURN, "    return alpha_bar.sqrt() * x0 + alpha_bar.sqrt() * noise"),
    Mutant("forward-step-off-by-one", "forward", "alpha_bar = alpha_bars[t].view(", "alpha_bar = alpha_bars[(t - 1).clamp(min=0)].view("),
    Mutant("forward-first-image-step-for-all", "forward", FORWARD_VIEW, "alpha_bar = alpha_bars[t[0]]"),
    Mutant("forward-not-broadcast-per-image", "forward", FORWARD_VIEW, "alpha_bar = alpha_bars[t]"),
    Mutant("forward-step-broadcast-over-width", "forward", FORWARD_VIEW, "alpha_bar = alpha_bars[t].view(1, 1, 1, -1)"),
    # Exercise 2: the noise-prediction loss
    Mutant("loss-target-is-the-image", "loss", LOSS_RETURN, "return F.mse_loss(model(x_t, t, one_hot), x0)"),
    Mutant("loss-summed-over-pixels", "loss", LOSS_RETURN,
           "return (model(x_t, t, one_hot) - noise).pow(2).flatten(start_dim=1).sum(dim=1).mean()"),
    Mutant("loss-noise-not-rooted", "loss", "x_t = alpha_bar.sqrt() * x0 + (1 - alpha_bar).sqrt() * noise",
           "x_t = alpha_bar.sqrt() * x0 + (1 - alpha_bar) * noise"),
    Mutant("loss-one-step-for-the-batch", "loss", LOSS_STEPS,
           "t = torch.randint(0, len(alpha_bars), (1,), device=x0.device).expand(len(x0))"),
    Mutant("loss-steps-up-to-T", "loss", LOSS_STEPS, "t = torch.randint(1, len(alpha_bars) + 1, (len(x0),), device=x0.device)"),
    Mutant("loss-fresh-noise-for-the-target", "loss", LOSS_RETURN, "return F.mse_loss(model(x_t, t, one_hot), torch.randn_like(noise))"),
    Mutant("loss-labels-not-passed", "loss", LOSS_RETURN, "return F.mse_loss(model(x_t, t, torch.zeros_like(one_hot)), noise)"),
    Mutant("loss-steps-as-times", "loss", LOSS_RETURN, "return F.mse_loss(model(x_t, t.float() / len(alpha_bars), one_hot), noise)"),
    Mutant("loss-gaussian-steps", "loss", LOSS_STEPS,
           "t = (torch.randn(len(x0), device=x0.device).abs() * len(alpha_bars) / 3).long().clamp(max=len(alpha_bars) - 1)"),
    Mutant("loss-steps-on-the-default-device", "loss", LOSS_STEPS, "t = torch.randint(0, len(alpha_bars), (len(x0),))"),
    Mutant("loss-noise-on-the-default-device", "loss", "noise = torch.randn_like(x0)", "noise = torch.randn(x0.shape)"),
    Mutant("loss-prediction-detached", "loss", LOSS_RETURN, "return F.mse_loss(model(x_t, t, one_hot).detach(), noise)"),
    Mutant("loss-returns-a-number", "loss", LOSS_RETURN, "return F.mse_loss(model(x_t, t, one_hot), noise).item()"),
    # Exercise 3: the training step
    Mutant("train-step-keeps-with-probability-p", "train-step", KEEP,
           "keep = (torch.rand(len(one_hot), 1, device=one_hot.device) < label_drop).to(one_hot.dtype)"),
    Mutant("train-step-drops-in-place", "train-step", "    loss = loss_fn(model, x, one_hot * keep)",
           "    one_hot *= keep\n    loss = loss_fn(model, x, one_hot)"),
    Mutant("train-step-ignores-the-rate", "train-step", KEEP,
           "keep = (torch.rand(len(one_hot), 1, device=one_hot.device) >= 0.1).to(one_hot.dtype)"),
    Mutant("train-step-loss-sees-the-original-labels", "train-step", "loss = loss_fn(model, x, one_hot * keep)",
           "loss = loss_fn(model, x, one_hot)"),
    Mutant("train-step-mask-on-the-default-device", "train-step", KEEP,
           "keep = (torch.rand(len(one_hot), 1) >= label_drop).to(one_hot.dtype)"),
    Mutant("train-step-gradients-never-cleared", "train-step", "    optimizer.zero_grad()\n", ""),
    Mutant("train-step-step-before-backward", "train-step", "    loss.backward()\n    optimizer.step()\n",
           "    optimizer.step()\n    loss.backward()\n"),
    Mutant("train-step-no-backward", "train-step", "    loss.backward()\n", ""),
    Mutant("train-step-average-before-the-step", "train-step",
           "    optimizer.step()\n    ema.update_parameters(model)\n", "    ema.update_parameters(model)\n    optimizer.step()\n"),
    Mutant("train-step-average-never-updated", "train-step", "    ema.update_parameters(model)\n", ""),
    Mutant("train-step-returns-the-tensor", "train-step", "return loss.item()", "return loss"),
    # Exercise 4: the posterior, derived
    Mutant("posterior-variance-is-beta", "posterior", VARIANCE, "variance = beta_ts"),
    Mutant("posterior-returns-the-std", "posterior", VARIANCE, "variance = ((1 - alpha_bar_s) / (1 - alpha_bar_t) * beta_ts) ** 0.5"),
    Mutant("posterior-precisions-without-alpha", "posterior", VARIANCE, "variance = 1 / (1 / beta_ts + 1 / (1 - alpha_bar_s))"),
    Mutant("posterior-weights-swapped", "posterior", MEAN,
           "mean = (math.sqrt(alpha_bar_s) * beta_ts * x_t + math.sqrt(alpha_ts) * (1 - alpha_bar_s) * x0) / (1 - alpha_bar_t)"),
    Mutant("posterior-alpha-not-rooted", "posterior", MEAN,
           "mean = (math.sqrt(alpha_bar_s) * beta_ts * x0 + alpha_ts * (1 - alpha_bar_s) * x_t) / (1 - alpha_bar_t)"),
    Mutant("posterior-single-step-alpha", "posterior", "alpha_ts = alpha_bar_t / alpha_bar_s", "alpha_ts = alpha_bar_t"),
    Mutant("posterior-no-denominator", "posterior", MEAN,
           "mean = math.sqrt(alpha_bar_s) * beta_ts * x0 + math.sqrt(alpha_ts) * (1 - alpha_bar_s) * x_t"),
    Mutant("posterior-precision-form-divides-by-zero", "posterior", VARIANCE,
           "variance = 1 / (1 / beta_ts + alpha_ts / (1 - alpha_bar_s))"),
    Mutant("posterior-mean-is-x0", "posterior", MEAN, "mean = x0 * 1.0"),
    Mutant("posterior-mean-on-the-default-device", "posterior", MEAN,
           "mean = torch.zeros(x_t.shape) + (math.sqrt(alpha_bar_s) * beta_ts * x0 + math.sqrt(alpha_ts) * (1 - alpha_bar_s) * x_t)"
           " / (1 - alpha_bar_t)"),
    # Exercise 5: the DDIM sampler
    Mutant("ddim-no-last-step", "ddim", DDIM_NEXT,
           "alpha_bar_s = float(alpha_bars[steps[i + 1]]) if i + 1 < len(steps) else alpha_bar_t"),
    Mutant("ddim-steps-ascending", "ddim", "steps = sampling_steps(n_steps, len(alpha_bars))",
           "steps = sampling_steps(n_steps, len(alpha_bars))[::-1]"),
    Mutant("ddim-position-for-step", "ddim", "eps_hat = predict(x, t)", "eps_hat = predict(x, i)"),
    Mutant("ddim-next-step-off-by-one", "ddim", DDIM_NEXT, "alpha_bar_s = float(alpha_bars[t - 1]) if t > 0 else 1.0"),
    Mutant("ddim-x0-sign", "ddim", "x0_hat = (x - math.sqrt(1 - alpha_bar_t) * eps_hat)", "x0_hat = (x + math.sqrt(1 - alpha_bar_t) * eps_hat)"),
    Mutant("ddim-noise-not-rooted", "ddim", "math.sqrt(1 - alpha_bar_s) * eps_hat", "(1 - alpha_bar_s) * eps_hat"),
    Mutant("ddim-signal-not-rooted", "ddim", DDIM_UPDATE, "x = alpha_bar_s * x0_hat + math.sqrt(1 - alpha_bar_s) * eps_hat"),
    Mutant("ddim-fresh-noise", "ddim", DDIM_UPDATE, "x = math.sqrt(alpha_bar_s) * x0_hat + math.sqrt(1 - alpha_bar_s) * torch.randn_like(x)"),
    Mutant("ddim-ancestral-mean", "ddim", DDIM_UPDATE,
           "x = (math.sqrt(alpha_bar_s) * (1 - alpha_bar_t / alpha_bar_s) * x0_hat"
           " + math.sqrt(alpha_bar_t / alpha_bar_s) * (1 - alpha_bar_s) * x) / (1 - alpha_bar_t)"),
    Mutant("ddim-x-for-the-noise", "ddim", DDIM_UPDATE, "x = math.sqrt(alpha_bar_s) * x0_hat + math.sqrt(1 - alpha_bar_s) * x"),
    # Exercise 6: the flow-matching loss
    Mutant("fm-loss-velocity-sign", "fm-loss", FM_RETURN, "return F.mse_loss(model(x_t, t, one_hot), x0 - x1)"),
    Mutant("fm-loss-target-is-data", "fm-loss", FM_RETURN, "return F.mse_loss(model(x_t, t, one_hot), x1)"),
    Mutant("fm-loss-path-reversed", "fm-loss", "x_t = (1 - t).view(-1, 1, 1, 1) * x0 + t.view(-1, 1, 1, 1) * x1",
           "x_t = t.view(-1, 1, 1, 1) * x0 + (1 - t).view(-1, 1, 1, 1) * x1"),
    Mutant("fm-loss-one-time-for-the-batch", "fm-loss", FM_TIMES, "t = torch.rand(1, device=x1.device).expand(len(x1))"),
    Mutant("fm-loss-summed", "fm-loss", FM_RETURN, "return (model(x_t, t, one_hot) - (x1 - x0)).pow(2).flatten(start_dim=1).sum(dim=1).mean()"),
    Mutant("fm-loss-gaussian-times", "fm-loss", FM_TIMES, "t = torch.randn(len(x1), device=x1.device).abs().clamp(max=0.999)"),
    Mutant("fm-loss-times-on-the-default-device", "fm-loss", FM_TIMES, "t = torch.rand(len(x1))"),
    Mutant("fm-loss-noise-on-the-default-device", "fm-loss", "x0 = torch.randn_like(x1)", "x0 = torch.randn(x1.shape)"),
    Mutant("fm-loss-prediction-detached", "fm-loss", FM_RETURN, "return F.mse_loss(model(x_t, t, one_hot).detach(), x1 - x0)"),
    # Exercise 7: the Euler sampler
    Mutant("euler-step-one-over-steps-minus-one", "euler", "h = 1.0 / steps", "h = 1.0 / max(1, steps - 1)"),
    Mutant("euler-no-step-size", "euler", "x = x + h * velocity(x, t)", "x = x + velocity(x, t)"),
    Mutant("euler-time-at-the-end", "euler", EULER_TIMES, "t = torch.full((len(x),), (k + 1) * h, device=x.device)"),
    Mutant("euler-time-backwards", "euler", EULER_TIMES, "t = torch.full((len(x),), 1 - k * h, device=x.device)"),
    Mutant("euler-time-as-float", "euler", "x = x + h * velocity(x, t)", "x = x + h * velocity(x, k * h)"),
    Mutant("euler-velocity-frozen", "euler",
           "    for k in range(steps):\n        t = torch.full((len(x),), k * h, device=x.device)\n        x = x + h * velocity(x, t)\n",
           "    v = velocity(x, torch.zeros(len(x), device=x.device))\n    for k in range(steps):\n        x = x + h * v\n"),
    Mutant("euler-times-on-the-default-device", "euler", EULER_TIMES, "t = torch.full((len(x),), k * h)"),
    # Exercise 8: the guided prediction, derived
    Mutant("guidance-paper-form", "guidance", GUIDED, "return (1 + scale) * conditional - scale * unconditional_prediction"),
    Mutant("guidance-swapped", "guidance", GUIDED, "return conditional + scale * (unconditional_prediction - conditional)"),
    Mutant("guidance-added", "guidance", GUIDED, "return conditional + scale * unconditional_prediction"),
    Mutant("guidance-no-unconditional-call", "guidance", UNCONDITIONAL_CALL, "unconditional_prediction = model(x, t, one_hot)"),
    Mutant("guidance-labels-zeroed-in-place", "guidance", UNCONDITIONAL_CALL, "unconditional_prediction = model(x, t, one_hot.zero_())"),
    Mutant("guidance-zeros-on-the-default-device", "guidance", UNCONDITIONAL_CALL,
           "unconditional_prediction = model(x, t, torch.zeros(one_hot.shape))"),
    Mutant("guidance-scale-on-the-conditional-only", "guidance", GUIDED, "return scale * conditional + unconditional_prediction - conditional"),
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
    Alternative("loss-through-q-sample", "loss",
                "    alpha_bar = alpha_bars[t].view(-1, 1, 1, 1)\n    x_t = alpha_bar.sqrt() * x0 + (1 - alpha_bar).sqrt() * noise\n",
                "    x_t = q_sample(x0, t, noise, alpha_bars)\n"),
    Alternative("train-step-where-and-zero-grad-last", "train-step",
                "    keep = (torch.rand(len(one_hot), 1, device=one_hot.device) >= label_drop).to(one_hot.dtype)\n"
                "    loss = loss_fn(model, x, one_hot * keep)\n    optimizer.zero_grad()\n    loss.backward()\n    optimizer.step()\n",
                "    dropped = torch.rand(one_hot.shape[0], device=one_hot.device) < label_drop\n"
                "    labels = torch.where(dropped[:, None], torch.zeros_like(one_hot), one_hot)\n"
                "    loss = loss_fn(model, x, labels)\n    loss.backward()\n    optimizer.step()\n    model.zero_grad(set_to_none=True)\n"),
    Alternative("train-step-bernoulli", "train-step",
                "    keep = (torch.rand(len(one_hot), 1, device=one_hot.device) >= label_drop).to(one_hot.dtype)\n"
                "    loss = loss_fn(model, x, one_hot * keep)\n",
                "    keep = torch.bernoulli(torch.full((len(one_hot), 1), 1.0 - label_drop, device=one_hot.device, dtype=one_hot.dtype))\n"
                "    labels = one_hot.clone()\n    labels[keep[:, 0] == 0] = 0\n    loss = loss_fn(model, x, labels)\n"),
    Alternative("posterior-precision-form-with-the-last-step", "posterior",
                "    mean = (math.sqrt(alpha_bar_s) * beta_ts * x0 + math.sqrt(alpha_ts) * (1 - alpha_bar_s) * x_t) / (1 - alpha_bar_t)\n"
                "    variance = (1 - alpha_bar_s) / (1 - alpha_bar_t) * beta_ts\n",
                "    if alpha_bar_s >= 1.0:\n        return x0.clone(), 0.0\n"
                "    precision = alpha_ts / beta_ts + 1 / (1 - alpha_bar_s)\n"
                "    variance = 1 / precision\n"
                "    mean = variance * (math.sqrt(alpha_ts) / beta_ts * x_t + math.sqrt(alpha_bar_s) / (1 - alpha_bar_s) * x0)\n"),
    Alternative("posterior-noise-form-as-tensors", "posterior",
                "    mean = (math.sqrt(alpha_bar_s) * beta_ts * x0 + math.sqrt(alpha_ts) * (1 - alpha_bar_s) * x_t) / (1 - alpha_bar_t)\n"
                "    variance = (1 - alpha_bar_s) / (1 - alpha_bar_t) * beta_ts\n",
                "    eps = (x_t - math.sqrt(alpha_bar_t) * x0) / math.sqrt(1 - alpha_bar_t)\n"
                "    mean = (x_t - beta_ts / math.sqrt(1 - alpha_bar_t) * eps) / math.sqrt(alpha_ts)\n"
                "    variance = torch.tensor(beta_ts * (1 - alpha_bar_s) / (1 - alpha_bar_t))\n"),
    Alternative("ddim-pairs-and-one-formula", "ddim",
                "    steps = sampling_steps(n_steps, len(alpha_bars))\n    for i, t in enumerate(steps):\n"
                "        alpha_bar_t = float(alpha_bars[t])\n"
                "        alpha_bar_s = float(alpha_bars[steps[i + 1]]) if i + 1 < len(steps) else 1.0\n"
                "        eps_hat = predict(x, t)\n"
                "        x0_hat = (x - math.sqrt(1 - alpha_bar_t) * eps_hat) / math.sqrt(alpha_bar_t)\n"
                "        x = math.sqrt(alpha_bar_s) * x0_hat + math.sqrt(1 - alpha_bar_s) * eps_hat\n",
                "    steps = sampling_steps(n_steps, len(alpha_bars))\n"
                "    targets = [alpha_bars[s] for s in steps[1:]] + [torch.ones((), dtype=alpha_bars.dtype, device=alpha_bars.device)]\n"
                "    for t, a_s in zip(steps, targets):\n"
                "        a_t = alpha_bars[t]\n"
                "        ratio = (a_s / a_t).sqrt()\n"
                "        x = ratio * x + ((1 - a_s).sqrt() - ratio * (1 - a_t).sqrt()) * predict(x, t)\n"),
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
    Alternative("guidance-weights-summing-to-one", "guidance", GUIDED,
                "return (1 - scale) * unconditional_prediction + scale * conditional"),
]
