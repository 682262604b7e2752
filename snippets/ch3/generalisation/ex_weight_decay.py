"""Exercise: what AdamW's decoupled weight decay
alone does to a matrix that gets no gradient."""

import math

import torch

LR, STEPS = 0.005, 250

for decay in [1.0, 0.1]:
    weights = torch.ones(4, 4, requires_grad=True)
    optimiser = torch.optim.AdamW([weights], lr=LR, weight_decay=decay)
    for _ in range(STEPS):
        # no gradient: Adam's step is 0 / (0 + eps) = 0, only the decay acts
        weights.grad = torch.zeros(4, 4)
        optimiser.step()
    factor = float(weights.detach()[0, 0])
    assert math.isclose(factor, (1 - LR * decay) ** STEPS, rel_tol=1e-4)
    print(f"weight_decay {decay}: multiplied by {factor:.3f} over {STEPS} steps, "
          "(1 - lr * decay)^steps")

steps_needed = STEPS * math.log(1 - LR * 1.0) / math.log(1 - LR * 0.1)
print(f"decay 0.1 needs {steps_needed:,.0f} steps to shrink as much as decay "
      f"1.0 in {STEPS}")
assert round(steps_needed) == 2506
