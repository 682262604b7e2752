"""Exercise: Adam's first step with and without
bias correction, for three choices of beta_2."""

import torch

LR = 1e-3
# three parameters with very different gradients
gradient = torch.tensor([0.01, 0.5, -3.0])

for betas in [(0.9, 0.999), (0.9, 0.99), (0.9, 0.95)]:
    weights = torch.zeros(3, requires_grad=True)
    optimiser = torch.optim.Adam([weights], lr=LR, betas=betas, eps=1e-8)
    weights.grad = gradient.clone()
    optimiser.step()
    # the step PyTorch took, in units of the learning rate
    corrected = weights.detach().abs() / LR
    # about lr, whatever the gradient
    torch.testing.assert_close(corrected, torch.ones(3), atol=1e-3, rtol=0)
    beta_1, beta_2 = betas
    # the moments after one step
    m, v = (1 - beta_1) * gradient, (1 - beta_2) * gradient**2
    # the same step without dividing by 1 - beta^t
    uncorrected = (m / (v.sqrt() + 1e-8)).abs()
    predicted = (1 - beta_1) / (1 - beta_2) ** 0.5
    torch.testing.assert_close(uncorrected, torch.full((3,), predicted),
                               rtol=1e-3, atol=0)
    print(f"betas {betas}: first step {corrected.mean():.3f} x lr with the "
          f"correction, {uncorrected.mean():.3f} x lr without")
