"""The pixel_loss lab's plausible mistakes and correct alternatives (see tests/helpers/edits.py)."""
from tests.helpers.edits import Alternative, Mutant

MUTANTS: list[Mutant] = [
    # Exercise 1: the dissimilarities.
    Mutant("bce-arguments-swapped", "dissimilarity",
           "per_pixel = -(original * probabilities.log() + (1 - original) * (1 - probabilities).log())",
           "per_pixel = -(probabilities * original.clamp(eps, 1 - eps).log() + (1 - probabilities) * (1 - original).clamp(eps, 1 - eps).log())"),
    Mutant("bce-not-clamped", "dissimilarity",
           "probabilities = candidate.clamp(eps, 1 - eps)", "probabilities = candidate"),
    Mutant("bce-bounded-below-only", "dissimilarity",
           "probabilities = candidate.clamp(eps, 1 - eps)", "probabilities = candidate.clamp(min=eps)"),
    Mutant("bce-eps-added-instead-of-a-bound", "dissimilarity",
           "per_pixel = -(original * probabilities.log() + (1 - original) * (1 - probabilities).log())",
           "per_pixel = -(original * (candidate + eps).log() + (1 - original) * (1 - candidate + eps).log())"),
    Mutant("bce-averaged-over-pixels", "dissimilarity",
           "return per_pixel.flatten(start_dim=1).sum(dim=1)", "return per_pixel.flatten(start_dim=1).mean(dim=1)"),
    Mutant("bce-summed-over-the-batch", "dissimilarity",
           "return per_pixel.flatten(start_dim=1).sum(dim=1)", "return per_pixel.sum()"),
    Mutant("bce-sums-rows-and-columns-only", "dissimilarity",
           "return per_pixel.flatten(start_dim=1).sum(dim=1)", "return per_pixel.sum(dim=(-2, -1))"),
    Mutant("bce-sign-flipped", "dissimilarity",
           "per_pixel = -(original", "per_pixel = (original"),
    Mutant("bce-clamp-bounds-fixed", "dissimilarity",
           "candidate.clamp(eps, 1 - eps)", "candidate.clamp(1e-3, 1 - 1e-3)"),
    Mutant("squared-error-averaged", "dissimilarity",
           "(original - candidate).pow(2).flatten(start_dim=1).sum(dim=1)", "(original - candidate).pow(2).flatten(start_dim=1).mean(dim=1)"),
    Mutant("squared-error-square-root", "dissimilarity",
           "(original - candidate).pow(2).flatten(start_dim=1).sum(dim=1)", "(original - candidate).pow(2).flatten(start_dim=1).sum(dim=1).sqrt()"),
    Mutant("squared-error-absolute", "dissimilarity",
           "(original - candidate).pow(2).flatten(start_dim=1).sum(dim=1)", "(original - candidate).abs().flatten(start_dim=1).sum(dim=1)"),
    # Exercise 2: the shift.
    Mutant("shift-wraps-around", "shift",
           "    shifted = torch.zeros_like(images)\n",
           "    shifted = torch.roll(images, {'up': -1, 'down': 1, 'left': -1, 'right': 1}[direction], "
           "dims=-2 if direction in ('up', 'down') else -1)\n    return shifted\n"),
    Mutant("shift-left-right-swapped", "shift",
           'elif direction == "left":', 'elif direction == "right":'),
    Mutant("shift-up-is-down", "shift",
           'if direction == "up":', 'if direction == "down":'),
    Mutant("shift-keeps-the-edge", "shift",
           "shifted = torch.zeros_like(images)", "shifted = images.clone()"),
    Mutant("shift-in-place", "shift",
           "shifted = torch.zeros_like(images)", "shifted = images"),
    Mutant("shift-no-validation", "shift",
           "    if direction not in DIRECTIONS:\n        raise ValueError", "    if False:\n        raise ValueError"),
    Mutant("shift-rows-and-columns-swapped", "shift",
           "        shifted[..., :-1, :] = images[..., 1:, :]", "        shifted[..., :, :-1] = images[..., :, 1:]"),
    Mutant("shift-new-tensor-on-the-default-device", "shift",
           "shifted = torch.zeros_like(images)", "shifted = torch.zeros(images.shape)"),
    Mutant("shift-assumes-four-dimensions", "shift",
           "        shifted[..., :, :-1] = images[..., :, 1:]", "        shifted[:, :, :, :-1] = images[:, :, :, 1:]"),
    # Exercise 3: ranking and the verdict with its errors.
    Mutant("rank-farthest-first", "rank",
           "sorted(scores, key=lambda pair: pair[1])", "sorted(scores, key=lambda pair: -pair[1])"),
    Mutant("rank-arguments-swapped", "rank",
           "float(dissimilarity(original, candidate).item())", "float(dissimilarity(candidate, original).item())"),
    Mutant("rank-returns-tensors", "rank",
           "float(dissimilarity(original, candidate).item())", "dissimilarity(original, candidate)"),
    Mutant("rank-sorted-by-name", "rank",
           "sorted(scores, key=lambda pair: pair[1])", "sorted(scores)"),
    Mutant("verdict-ranks-from-zero", "rank",
           "ranks.append(order.index(judged) + 1)", "ranks.append(order.index(judged))"),
    Mutant("verdict-counts-not-shares", "rank",
           '"behind": share(sum(behind) / n)', '"behind": share(float(sum(behind)))'),
    Mutant("verdict-ahead-for-behind", "rank",
           "behind.append(order.index(judged) > order.index(reference))", "behind.append(order.index(judged) <= order.index(reference))"),
    Mutant("verdict-behind-means-not-first", "rank",
           "behind.append(order.index(judged) > order.index(reference))", "behind.append(order.index(judged) > 0)"),
    Mutant("verdict-rank-sum", "rank",
           '"mean rank": cu.Measured(mean_rank,', '"mean rank": cu.Measured(float(sum(ranks)),'),
    Mutant("verdict-first-original-only", "rank",
           "original = originals[i : i + 1]", "original = originals[0:1]"),
    Mutant("verdict-share-variance-not-error", "rank",
           "share = lambda p: cu.Measured(p, math.sqrt(p * (1 - p) / n))", "share = lambda p: cu.Measured(p, p * (1 - p) / n)"),
    Mutant("verdict-share-error-of-one-image", "rank",
           "share = lambda p: cu.Measured(p, math.sqrt(p * (1 - p) / n))", "share = lambda p: cu.Measured(p, math.sqrt(p * (1 - p)))"),
    Mutant("verdict-rank-variance-over-n", "rank",
           "/ (n - 1) if n > 1 else 0.0", "/ n"),
    Mutant("verdict-rank-error-of-one-rank", "rank",
           "cu.Measured(mean_rank, math.sqrt(rank_variance / n))", "cu.Measured(mean_rank, math.sqrt(rank_variance))"),
    Mutant("verdict-plain-floats", "rank",
           '    return {"closest": share(', '    share = lambda p: p\n    return {"closest": share('),
    # Exercise 4: the best guess and its expected loss.
    Mutant("best-guess-unweighted", "best-guess",
           "    return (probs.view(-1, *[1] * (targets.dim() - 1)) * targets).sum(dim=0)", "    return targets.mean(dim=0)"),
    Mutant("best-guess-most-likely-version", "best-guess",
           "    return (probs.view(-1, *[1] * (targets.dim() - 1)) * targets).sum(dim=0)", "    return targets[probs.argmax()]"),
    Mutant("best-guess-broadcasts-for-flat-images-only", "best-guess",
           "(probs.view(-1, *[1] * (targets.dim() - 1)) * targets)", "(probs[:, None] * targets)"),
    Mutant("best-guess-accumulates-on-the-default-device", "best-guess",
           "    return (probs.view(-1, *[1] * (targets.dim() - 1)) * targets).sum(dim=0)",
           "    guess = torch.zeros(targets.shape[1:])\n    for target, prob in zip(targets, probs):\n"
           "        guess = guess + prob * target\n    return guess"),
    Mutant("least-bce-nan-where-versions-agree", "best-guess",
           "    return -(torch.special.xlogy(p, p) + torch.special.xlogy(1 - p, 1 - p)).sum()",
           "    return -(p * p.log() + (1 - p) * (1 - p).log()).sum()"),
    Mutant("least-bce-in-bits", "best-guess",
           "    return -(torch.special.xlogy(p, p) + torch.special.xlogy(1 - p, 1 - p)).sum()",
           "    return -(torch.special.xlogy(p, p) + torch.special.xlogy(1 - p, 1 - p)).sum() / math.log(2)"),
    Mutant("least-bce-one-outcome", "best-guess",
           "    return -(torch.special.xlogy(p, p) + torch.special.xlogy(1 - p, 1 - p)).sum()",
           "    return -torch.special.xlogy(p, p).sum()"),
    Mutant("least-bce-averaged-over-pixels", "best-guess",
           "(1 - p, 1 - p)).sum()", "(1 - p, 1 - p)).mean()"),
    Mutant("least-bce-bounded-by-eps", "best-guess",
           "    p = best_guess(targets, probs)\n", "    p = best_guess(targets, probs).clamp(EPS, 1 - EPS)\n"),
]

ALTERNATIVES: list[Alternative] = [
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
                "    ranks, behind = [], []\n",
                "    ranks, reference_ranks = [], []\n"
                "    for original in originals.split(1):\n"
                "        names = [name for name, _ in rank_candidates(original, make_candidates(original), dissimilarity)]\n"
                "        ranks.append(names.index(judged) + 1)\n"
                "        reference_ranks.append(names.index(reference) + 1)\n"
                "    ranks, reference_ranks = torch.tensor(ranks, dtype=torch.float64), torch.tensor(reference_ranks)\n"
                "    n = len(ranks)\n"
                "    first, behind_share = (ranks == 1).double().mean().item(), (ranks > reference_ranks).double().mean().item()\n"
                "    return {\"closest\": cu.Measured(first, (first * (1 - first) / n) ** 0.5),\n"
                "            \"behind\": cu.Measured(behind_share, (behind_share * (1 - behind_share) / n) ** 0.5),\n"
                "            \"mean rank\": cu.Measured(ranks.mean().item(), (ranks.std() / n ** 0.5).item())}\n"
                "    ranks, behind = [], []\n"),
    Alternative("best-guess-einsum", "best-guess",
                "    return (probs.view(-1, *[1] * (targets.dim() - 1)) * targets).sum(dim=0)",
                "    return torch.einsum(\"k,k...->...\", probs, targets)"),
    Alternative("least-bce-bernoulli-entropy", "best-guess",
                "    return -(torch.special.xlogy(p, p) + torch.special.xlogy(1 - p, 1 - p)).sum()",
                "    return torch.distributions.Bernoulli(probs=p).entropy().sum()"),
    Alternative("least-bce-where", "best-guess",
                "    return -(torch.special.xlogy(p, p) + torch.special.xlogy(1 - p, 1 - p)).sum()",
                "    inside = (p > 0) & (p < 1)\n"
                "    safe = torch.where(inside, p, torch.full_like(p, 0.5))\n"
                "    return torch.where(inside, -(safe * safe.log() + (1 - safe) * (1 - safe).log()), torch.zeros_like(p)).sum()"),
]
