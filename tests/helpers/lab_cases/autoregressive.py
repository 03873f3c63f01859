"""The autoregressive lab's plausible mistakes and correct alternatives (see tests/helpers/edits.py)."""
from tests.helpers.edits import Alternative, Mutant

MUTANTS: list[Mutant] = [
    # Exercise 1: the masks
    Mutant("mask-a-keeps-the-centre", "mask", '    if mask_type == "B":\n        mask[centre, centre] = 1', "    mask[centre, centre] = 1"),
    Mutant("mask-types-swapped", "mask", 'if mask_type == "B":', 'if mask_type == "A":'),
    Mutant("mask-whole-centre-row", "mask", "mask[centre, :centre] = 1", "mask[centre, :] = 1"),
    Mutant("mask-transposed", "mask", "    return mask\n", "    return mask.T\n"),
    Mutant("mask-keeps-the-future", "mask", "    mask[:centre, :] = 1\n    mask[centre, :centre] = 1",
           "    mask[centre + 1:, :] = 1\n    mask[centre, centre + 1:] = 1"),
    Mutant("mask-no-left-of-centre", "mask", "    mask[centre, :centre] = 1\n", ""),
    Mutant("mask-centre-of-a-3x3", "mask", "centre = kernel_size // 2", "centre = 1"),
    Mutant("mask-accepts-anything", "mask",
           '    if mask_type not in ("A", "B"):\n        raise ValueError(f"mask_type must be \'A\' or \'B\', got {mask_type!r}")\n'
           '    if kernel_size < 1 or kernel_size % 2 == 0:\n        raise ValueError(f"kernel_size must be odd and positive, got {kernel_size}")\n',
           ""),
    Mutant("mask-raises-key-error", "mask", "raise ValueError(f\"mask_type must be", "raise KeyError(f\"mask_type must be"),
    # Exercise 2: the receptive field
    Mutant("field-convolution-not-correlation", "field", "offsets = [(i - centre, j - centre)", "offsets = [(centre - i, centre - j)"),
    Mutant("field-rows-and-columns-swapped", "field", "offsets = [(i - centre, j - centre)", "offsets = [(j - centre, i - centre)"),
    Mutant("field-holds-the-output-pixel", "field", "    return field\n", "    field[row, col] = True\n    return field\n"),
    Mutant("field-last-layer-only", "field", "for mask in reversed(masks):", "for mask in masks[-1:]:"),
    Mutant("field-no-border", "field",
           "        current = {(r + dr, c + dc) for r, c in current for dr, dc in offsets\n"
           "                   if 0 <= r + dr < height and 0 <= c + dc < width}",
           "        current = {(r + dr, c + dc) for r, c in current for dr, dc in offsets if r + dr < height and c + dc < width}"),
    Mutant("field-border-only-at-the-end", "field",
           "        current = {(r + dr, c + dc) for r, c in current for dr, dc in offsets\n"
           "                   if 0 <= r + dr < height and 0 <= c + dc < width}\n"
           "    field = torch.zeros(height, width, dtype=torch.bool)\n    for r, c in current:\n        field[r, c] = True",
           "        current = {(r + dr, c + dc) for r, c in current for dr, dc in offsets}\n"
           "    field = torch.zeros(height, width, dtype=torch.bool)\n    for r, c in current:\n"
           "        if 0 <= r < height and 0 <= c < width:\n            field[r, c] = True"),
    Mutant("field-centre-one-off", "field", "centre = mask.shape[0] // 2", "centre = mask.shape[0] // 2 + 1"),
    Mutant("field-union-of-the-layers", "field", "        current = {(r + dr, c + dc)", "        current = current | {(r + dr, c + dc)"),
    Mutant("field-float-map", "field", "dtype=torch.bool)", "dtype=torch.float32)"),
    # Exercise 3: bits per dimension
    Mutant("bits-in-nats", "bits", "/ (levels[0].numel() * math.log(2))", "/ levels[0].numel()"),
    Mutant("bits-not-per-dimension", "bits", "/ (levels[0].numel() * math.log(2))", "/ math.log(2)"),
    Mutant("bits-raw-logits", "bits", "log_probs = F.log_softmax(logits, dim=1)", "log_probs = logits"),
    Mutant("bits-softmax-over-the-width", "bits", "F.log_softmax(logits, dim=1)", "F.log_softmax(logits, dim=-1)"),
    Mutant("bits-sign", "bits", "return -log_likelihood", "return log_likelihood"),
    Mutant("bits-levels-times-256", "bits", "torch.round(images[:, 0] * 255)", "torch.round(images[:, 0] * 256).clamp(max=255)"),
    Mutant("bits-mean-over-the-batch", "bits", "return -log_likelihood / (levels[0].numel() * math.log(2))",
           "return (-log_likelihood / (levels[0].numel() * math.log(2))).mean()"),
    Mutant("bits-detached", "bits", "F.log_softmax(logits, dim=1)", "F.log_softmax(logits.detach(), dim=1)"),
    Mutant("bits-probabilities-not-logs", "bits", "F.log_softmax(logits, dim=1)", "F.softmax(logits, dim=1)"),
    # Exercise 4: the sampler
    Mutant("sampler-argmax", "sampler", "levels = torch.multinomial(F.softmax(logits, dim=1), num_samples=1).squeeze(1)",
           "levels = logits.argmax(dim=1)"),
    Mutant("sampler-one-pass", "sampler",
           "    for row in range(height):\n        for col in range(width):\n            logits = model(images)[:, :, row, col]",
           "    all_logits = model(images)\n    for row in range(height):\n        for col in range(width):\n"
           "            logits = all_logits[:, :, row, col]"),
    Mutant("sampler-column-by-column", "sampler", "    for row in range(height):\n        for col in range(width):",
           "    for col in range(width):\n        for row in range(height):"),
    Mutant("sampler-divides-by-256", "sampler", "levels.float() / 255", "levels.float() / 256"),
    Mutant("sampler-levels-not-scaled", "sampler", "levels.float() / 255", "levels.float()"),
    Mutant("sampler-default-device", "sampler", "torch.zeros(n, 1, height, width, device=device)", "torch.zeros(n, 1, height, width)"),
    Mutant("sampler-softmax-over-the-batch", "sampler", "F.softmax(logits, dim=1)", "F.softmax(logits, dim=0)"),
    Mutant("sampler-logits-as-probabilities", "sampler", "torch.multinomial(F.softmax(logits, dim=1), num_samples=1)",
           "torch.multinomial(logits, num_samples=1)"),
    # Exercise 5: quantisation and the straight-through gradient
    Mutant("quantize-dot-product", "quantize",
           "distances = (vectors.pow(2).sum(dim=1, keepdim=True) - 2 * vectors @ codebook.T\n"
           "                 + codebook.pow(2).sum(dim=1))", "distances = -(vectors @ codebook.T)"),
    Mutant("quantize-farthest-code", "quantize", "indices = distances.argmin(dim=1)", "indices = distances.argmax(dim=1)"),
    Mutant("quantize-channels-taken-as-last", "quantize", "vectors = z_e.permute(0, 2, 3, 1).reshape(-1, dim)", "vectors = z_e.reshape(-1, dim)"),
    Mutant("quantize-detached-codes", "quantize", "z_q = codebook[indices]", "z_q = codebook.detach()[indices]"),
    Mutant("quantize-flat-indices", "quantize", "return z_q, indices.view(batch, height, width)", "return z_q, indices"),
    Mutant("quantize-codes-channels-last", "quantize", "z_q = codebook[indices].view(batch, height, width, dim).permute(0, 3, 1, 2)",
           "z_q = codebook[indices].view(batch, height, width, dim)"),
    Mutant("straight-through-returns-z-q", "quantize", "return z_e + (z_q - z_e).detach()", "return z_q"),
    Mutant("straight-through-without-stop-gradient", "quantize", "return z_e + (z_q - z_e).detach()", "return z_e + (z_q - z_e)"),
    Mutant("straight-through-feeds-the-codebook", "quantize", "return z_e + (z_q - z_e).detach()", "return z_q + (z_e - z_e.detach())"),
    Mutant("straight-through-everything-stopped", "quantize", "return z_e + (z_q - z_e).detach()",
           "return z_e.detach() + (z_q - z_e).detach()"),
    # Exercise 6: the codebook and commitment losses
    Mutant("vq-loss-no-stop-gradient", "vq-loss",
           "    codebook_loss = F.mse_loss(z_q, z_e.detach())\n    commitment_loss = F.mse_loss(z_e, z_q.detach())",
           "    codebook_loss = F.mse_loss(z_q, z_e)\n    commitment_loss = F.mse_loss(z_e, z_q)"),
    Mutant("vq-loss-stop-gradients-swapped", "vq-loss",
           "    codebook_loss = F.mse_loss(z_q, z_e.detach())\n    commitment_loss = F.mse_loss(z_e, z_q.detach())",
           "    codebook_loss = F.mse_loss(z_q.detach(), z_e)\n    commitment_loss = F.mse_loss(z_e.detach(), z_q)"),
    Mutant("vq-loss-beta-on-the-codebook-term", "vq-loss", "return codebook_loss + beta * commitment_loss",
           "return beta * codebook_loss + commitment_loss"),
    Mutant("vq-loss-summed", "vq-loss",
           "    codebook_loss = F.mse_loss(z_q, z_e.detach())\n    commitment_loss = F.mse_loss(z_e, z_q.detach())",
           "    codebook_loss = F.mse_loss(z_q, z_e.detach(), reduction=\"sum\")\n"
           "    commitment_loss = F.mse_loss(z_e, z_q.detach(), reduction=\"sum\")"),
    Mutant("vq-loss-without-beta", "vq-loss", "return codebook_loss + beta * commitment_loss", "return codebook_loss + commitment_loss"),
    Mutant("vq-loss-codebook-term-detached", "vq-loss", "codebook_loss = F.mse_loss(z_q, z_e.detach())",
           "codebook_loss = F.mse_loss(z_q.detach(), z_e.detach())"),
    Mutant("vq-loss-absolute-differences", "vq-loss",
           "    codebook_loss = F.mse_loss(z_q, z_e.detach())\n    commitment_loss = F.mse_loss(z_e, z_q.detach())",
           "    codebook_loss = F.l1_loss(z_q, z_e.detach())\n    commitment_loss = F.l1_loss(z_e, z_q.detach())"),
    # Exercise 7: the causal mask and attention
    Mutant("causal-mask-without-the-diagonal", "attention", "device=device).tril()", "device=device).tril(-1)"),
    Mutant("causal-mask-upper-triangle", "attention", "device=device).tril()", "device=device).triu()"),
    Mutant("causal-mask-default-device", "attention", "dtype=torch.bool, device=device).tril()", "dtype=torch.bool).tril()"),
    Mutant("attention-not-scaled", "attention", "q @ k.transpose(-2, -1) / math.sqrt(head_dim)", "q @ k.transpose(-2, -1)"),
    Mutant("attention-scaled-by-the-width", "attention", "/ math.sqrt(head_dim)", "/ math.sqrt(dim)"),
    Mutant("attention-masked-after-the-softmax", "attention",
           "        scores = scores.masked_fill(~causal_mask(length, x.device), float(\"-inf\"))\n"
           "        attended = scores.softmax(dim=-1) @ v",
           "        attended = (scores.softmax(dim=-1) * causal_mask(length, x.device)) @ v"),
    Mutant("attention-softmax-over-the-queries", "attention", "scores.softmax(dim=-1)", "scores.softmax(dim=-2)"),
    Mutant("attention-no-mask", "attention", "        scores = scores.masked_fill(~causal_mask(length, x.device), float(\"-inf\"))\n", ""),
    Mutant("attention-heads-interleaved", "attention", "part.view(batch, length, self.heads, head_dim).transpose(1, 2)",
           "part.view(batch, length, head_dim, self.heads).permute(0, 3, 1, 2)"),
    Mutant("attention-masked-with-zeros", "attention", 'float("-inf"))', "0.0)"),
    # Exercise 8: the temperature sampler
    Mutant("temperature-multiplies", "temperature", "model(tokens)[:, -1] / temperature", "model(tokens)[:, -1] * temperature"),
    Mutant("temperature-on-the-probabilities", "temperature",
           "        logits = model(tokens)[:, -1] / temperature                      # (n, K): the next code's logits\n"
           "        code = torch.multinomial(F.softmax(logits, dim=-1), num_samples=1)",
           "        logits = model(tokens)[:, -1]\n        code = torch.multinomial(F.softmax(logits, dim=-1) / temperature, num_samples=1)"),
    Mutant("temperature-argmax", "temperature", "code = torch.multinomial(F.softmax(logits, dim=-1), num_samples=1)",
           "code = logits.argmax(dim=-1, keepdim=True)"),
    Mutant("temperature-first-position", "temperature", "model(tokens)[:, -1]", "model(tokens)[:, 0]"),
    Mutant("temperature-keeps-the-start-token", "temperature", "return tokens[:, 1:]", "return tokens"),
    Mutant("temperature-not-fed-back", "temperature", "logits = model(tokens)[:, -1]", "logits = model(tokens[:, :1])[:, -1]"),
    Mutant("temperature-float-codes", "temperature", "code = torch.multinomial(F.softmax(logits, dim=-1), num_samples=1)",
           "code = torch.multinomial(F.softmax(logits, dim=-1), num_samples=1).float()"),
    Mutant("temperature-softmax-over-the-batch", "temperature", "F.softmax(logits, dim=-1)", "F.softmax(logits, dim=0)"),
]

ALTERNATIVES: list[Alternative] = [
    Alternative("mask-by-comparisons", "mask",
                "    centre = kernel_size // 2\n    mask = torch.zeros(kernel_size, kernel_size)\n    mask[:centre, :] = 1\n"
                "    mask[centre, :centre] = 1\n    if mask_type == \"B\":\n        mask[centre, centre] = 1\n    return mask",
                "    centre = kernel_size // 2\n    rows = torch.arange(kernel_size).view(-1, 1)\n    cols = torch.arange(kernel_size).view(1, -1)\n"
                "    before = (rows < centre) | ((rows == centre) & (cols < centre))\n"
                "    if mask_type == \"B\":\n        before = before | ((rows == centre) & (cols == centre))\n    return before"),
    Alternative("field-by-dilation", "field",
                "    current = {(row, col)}\n",
                "    grid = torch.zeros(1, 1, height, width)\n    grid[0, 0, row, col] = 1.0\n    for mask in reversed(masks):\n"
                "        kernel = torch.as_tensor(mask, dtype=torch.float32).flip(0, 1)[None, None]\n"
                "        grid = (F.conv2d(grid, kernel, padding=mask.shape[-1] // 2) > 0).float()\n    return grid[0, 0] > 0\n"
                "    current = {(row, col)}\n"),
    Alternative("bits-by-cross-entropy", "bits",
                "    levels = torch.round(images[:, 0] * 255).long()",
                "    levels = (images * 255).round().long().squeeze(1)\n"
                "    return F.cross_entropy(logits, levels, reduction=\"none\").flatten(1).sum(1) / (levels[0].numel() * math.log(2))\n"
                "    levels = torch.round(images[:, 0] * 255).long()"),
    Alternative("sampler-categorical-and-cropped", "sampler",
                "            logits = model(images)[:, :, row, col]                         # (n, 256)\n"
                "            levels = torch.multinomial(F.softmax(logits, dim=1), num_samples=1).squeeze(1)",
                "            logits = model(images[:, :, :row + 1])[:, :, row, col]\n"
                "            levels = torch.distributions.Categorical(logits=logits).sample()"),
    Alternative("quantize-by-cdist", "quantize",
                "    distances = (vectors.pow(2).sum(dim=1, keepdim=True) - 2 * vectors @ codebook.T\n"
                "                 + codebook.pow(2).sum(dim=1))                                           # (B H W, K)\n"
                "    indices = distances.argmin(dim=1)\n"
                "    z_q = codebook[indices].view(batch, height, width, dim).permute(0, 3, 1, 2)",
                "    indices = torch.cdist(vectors, codebook).argmin(dim=1)\n"
                "    z_q = torch.index_select(codebook, 0, indices).reshape(batch, height, width, dim).permute(0, 3, 1, 2)"),
    Alternative("straight-through-other-form", "quantize", "return z_e + (z_q - z_e).detach()", "return z_q.detach() + z_e - z_e.detach()"),
    Alternative("vq-loss-written-out", "vq-loss",
                "    codebook_loss = F.mse_loss(z_q, z_e.detach())\n    commitment_loss = F.mse_loss(z_e, z_q.detach())",
                "    codebook_loss = ((z_q - z_e.detach()) ** 2).mean()\n    commitment_loss = ((z_e - z_q.detach()) ** 2).mean()"),
    Alternative("attention-loop-over-heads", "attention",
                "        q, k, v = (part.view(batch, length, self.heads, head_dim).transpose(1, 2) for part in (q, k, v))   # (B, heads, T, d_h)\n"
                "        scores = q @ k.transpose(-2, -1) / math.sqrt(head_dim)                                              # (B, heads, T, T)\n"
                "        scores = scores.masked_fill(~causal_mask(length, x.device), float(\"-inf\"))\n"
                "        attended = scores.softmax(dim=-1) @ v                                                               # (B, heads, T, d_h)\n"
                "        return self.out(attended.transpose(1, 2).reshape(batch, length, dim))",
                "        allowed = causal_mask(length, x.device)\n        heads = []\n        for h in range(self.heads):\n"
                "            part = slice(h * head_dim, (h + 1) * head_dim)\n"
                "            scores = torch.einsum(\"btd,bsd->bts\", q[..., part], k[..., part]) / head_dim ** 0.5\n"
                "            weights = torch.softmax(scores.masked_fill(~allowed, -1e9), dim=-1)\n"
                "            heads.append(torch.einsum(\"bts,bsd->btd\", weights, v[..., part]))\n"
                "        return self.out(torch.cat(heads, dim=-1))"),
    Alternative("causal-mask-by-comparison", "attention", "    return torch.ones(length, length, dtype=torch.bool, device=device).tril()",
                "    positions = torch.arange(length, device=device)\n    return positions.view(-1, 1) >= positions.view(1, -1)"),
    Alternative("temperature-categorical-and-a-buffer", "temperature",
                "    tokens = starts.view(-1, 1)\n    for _ in range(length):\n"
                "        logits = model(tokens)[:, -1] / temperature                      # (n, K): the next code's logits\n"
                "        code = torch.multinomial(F.softmax(logits, dim=-1), num_samples=1)\n"
                "        tokens = torch.cat([tokens, code], dim=1)\n    return tokens[:, 1:]",
                "    tokens = torch.zeros(len(starts), length + 1, dtype=torch.long, device=starts.device)\n    tokens[:, 0] = starts\n"
                "    for t in range(length):\n        logits = model(tokens[:, :t + 1])[:, t] / temperature\n"
                "        tokens[:, t + 1] = torch.distributions.Categorical(logits=logits).sample()\n    return tokens[:, 1:]"),
]
