"""The pixel_loss lab's plausible mistakes and correct alternatives (see tests/helpers/edits.py)."""
from tests.helpers.edits import Alternative, Mutant

MUTANTS: list[Mutant] = [
    Mutant("bce-arguments-swapped", "dissimilarity",
           "per_pixel = -(original * probabilities.log() + (1 - original) * (1 - probabilities).log())",
           "per_pixel = -(probabilities * original.clamp(eps, 1 - eps).log() + (1 - probabilities) * (1 - original).clamp(eps, 1 - eps).log())"),
    Mutant("bce-not-clamped", "dissimilarity",
           "probabilities = candidate.clamp(eps, 1 - eps)", "probabilities = candidate"),
    Mutant("bce-averaged-over-pixels", "dissimilarity",
           "return per_pixel.flatten(start_dim=1).sum(dim=1)", "return per_pixel.flatten(start_dim=1).mean(dim=1)"),
    Mutant("bce-summed-over-the-batch", "dissimilarity",
           "return per_pixel.flatten(start_dim=1).sum(dim=1)", "return per_pixel.sum()"),
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
    Mutant("rank-farthest-first", "rank",
           "sorted(scores, key=lambda pair: pair[1])", "sorted(scores, key=lambda pair: -pair[1])"),
    Mutant("rank-arguments-swapped", "rank",
           "float(dissimilarity(original, candidate).item())", "float(dissimilarity(candidate, original).item())"),
    Mutant("rank-returns-tensors", "rank",
           "float(dissimilarity(original, candidate).item())", "dissimilarity(original, candidate)"),
    Mutant("rank-sorted-by-name", "rank",
           "sorted(scores, key=lambda pair: pair[1])", "sorted(scores)"),
    Mutant("verdict-ranks-from-zero", "rank",
           "rank = order.index(judged) + 1", "rank = order.index(judged)"),
    Mutant("verdict-counts-not-shares", "rank",
           '{"closest": closest / n, "behind": behind / n', '{"closest": float(closest), "behind": float(behind)'),
    Mutant("verdict-ahead-for-behind", "rank",
           "behind += rank > order.index(reference) + 1", "behind += rank <= order.index(reference) + 1"),
    Mutant("verdict-behind-means-not-first", "rank",
           "behind += rank > order.index(reference) + 1", "behind += rank > 1"),
    Mutant("verdict-rank-sum", "rank",
           '"mean rank": rank_sum / n', '"mean rank": float(rank_sum)'),
    Mutant("verdict-first-original-only", "rank",
           "original = originals[i : i + 1]", "original = originals[0:1]"),
    Mutant("verdict-tensor-values", "rank",
           "    n = len(originals)\n", "    n = torch.tensor(float(len(originals)))\n"),
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
]
