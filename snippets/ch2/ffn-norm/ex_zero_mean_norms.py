"""Exercise: on vectors whose mean is zero, LayerNorm (bias 0) and RMSNorm
agree; on other vectors they do not."""

import torch
import torch.nn as nn

D_MODEL, EPS = 16, 1e-5
torch.manual_seed(0)

layer_norm = nn.LayerNorm(D_MODEL, eps=EPS, bias=False)  # beta = 0
rms_norm = nn.RMSNorm(D_MODEL, eps=EPS)
# the same random gain in both, so that equality is not an accident of gain 1
with torch.no_grad():
    layer_norm.weight.normal_()
    rms_norm.weight.copy_(layer_norm.weight)

x = 3 * torch.randn(4, D_MODEL) + 2  # four vectors with mean about 2
centred = x - x.mean(dim=-1, keepdim=True)  # the same vectors moved to mean 0
with torch.no_grad():
    # mean 0: variance = mean square
    torch.testing.assert_close(layer_norm(centred), rms_norm(centred))
    gap = (layer_norm(x) - rms_norm(x)).abs().max()
assert gap > 0.1  # with a mean, RMSNorm keeps it (scaled); LayerNorm removes it
print("mean-zero vectors: nn.LayerNorm(bias=False) equals nn.RMSNorm with "
      "the same gain")
print(f"the same vectors before centring: the two differ by up to {gap:.2f}")
