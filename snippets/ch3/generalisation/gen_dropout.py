"""Dropout by hand and in PyTorch: in training each
activation is zeroed with probability p and the survivors
are scaled by 1/(1 - p); in evaluation nothing changes."""

import torch
import torch.nn as nn

# PyTorch's p is the share zeroed; Srivastava
# et al.'s p is the share kept, here 0.8
P = 0.2
torch.manual_seed(0)
x = torch.randn(1000, 48)  # 1,000 positions of a 48-wide residual stream

dropout = nn.Dropout(P)  # a new module is in training mode
y = dropout(x)
kept = y != 0  # the mask the library drew (no value of x is exactly 0)
by_hand = torch.where(kept, x / (1 - P), torch.zeros_like(x))
# the survivors are scaled up by 1/(1 - p), the rest are 0
torch.testing.assert_close(y, by_hand)
print(f"share zeroed: {1 - kept.float().mean().item():.4f} (p = {P})")
print(f"mean multiplier y/x: {(y / x).mean().item():.4f} (expected value (1 - p) "
      "* 1/(1 - p) = 1)")

second = dropout(x)  # every call draws a new mask
print("values zeroed in both of two calls: "
      f"{((y == 0) & (second == 0)).float().mean().item():.4f} (independent "
      f"masks: p^2 = {P**2:.4f})")

dropout.eval()  # what model.eval() does to every dropout layer in a model
assert torch.equal(dropout(x), x)  # evaluation: the identity, no scaling needed
print("in eval mode dropout returns its input unchanged")
