"""Correct answers written independently of the instructor's (other names, other calls), for the similarity tests."""

INDEPENDENT_VAE = {
    "encoder": '''        h = x.view(x.size(0), -1)
        h = self.hidden(h)
        mean = self.to_mu(h)
        log_variance = self.to_logvar(h)
        return mean, log_variance''',
    "reparametrize": '''    std = logvar.mul(0.5).exp()
    noise = torch.randn(mu.shape, device=mu.device, dtype=mu.dtype) if eps is None else eps
    z = noise * std + mu
    return z''',
    "decoder": '''        out = self.hidden(z)
        out = torch.sigmoid(self.to_logits(out))
        return out.reshape(z.shape[0], *self.image_shape)''',
    "vae": '''        stats = self.encoder(x)
        sample = reparametrize(*stats)
        reconstruction = self.decoder(sample)
        return reconstruction, stats[0], stats[1]''',
    "loss": ['''    bce = -(x * torch.log(x_hat.clamp_min(1e-12)) + (1 - x) * torch.log((1 - x_hat).clamp_min(1e-12)))
    return bce.reshape(len(x), -1).sum(-1)''',
             '''    variance = torch.exp(logvar)
    return (variance + mu * mu - 1.0 - logvar) / 2''',
             '''    rec = reconstruction_nll(x_hat, x)
    kl = torch.sum(gaussian_kl(mu, logvar), dim=-1)
    return torch.mean(rec + kl)'''],
    "train-epoch": '''    model.train(True)
    seen, running = 0, 0.0
    for images, _labels in loader:
        reconstruction, mean, log_variance = model(images)
        objective = loss_fn(reconstruction, images, mean, log_variance)
        optimizer.zero_grad()
        objective.backward()
        optimizer.step()
        running += objective.detach().item() * images.size(0)
        seen += images.size(0)
    return running / seen''',
    "free-bits": '''    rec = torch.mean(reconstruction_nll(x_hat, x))
    kl_dims = torch.mean(gaussian_kl(mu, logvar), dim=0)
    kl_dims = torch.maximum(kl_dims, torch.full_like(kl_dims, free_bits))
    return rec + beta * torch.sum(kl_dims)''',
}
