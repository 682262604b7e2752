"""LayerNorm and RMSNorm from scratch, checked
against torch.nn.LayerNorm and torch.nn.RMSNorm."""

import torch
import torch.nn as nn

BATCH, SEQ, D_MODEL = 2, 5, 16
EPS = 1e-5
torch.manual_seed(0)


def layer_norm_from_scratch(x, gain, bias, eps=EPS):
    """(x - mean) / sqrt(var + eps) * gain + bias, with the statistics of each
    token's own vector."""
    mean = x.mean(dim=-1, keepdim=True)  # (batch, seq, 1)
    # (batch, seq, 1): divide by d, not d - 1
    variance = x.var(dim=-1, keepdim=True, unbiased=False)
    return (x - mean) / torch.sqrt(variance + eps) * gain + bias


def rms_norm_from_scratch(x, gain, eps=EPS):
    """x / sqrt(mean(x^2) + eps) * gain: no centring, no bias."""
    mean_square = x.pow(2).mean(dim=-1, keepdim=True)  # (batch, seq, 1)
    return x / torch.sqrt(mean_square + eps) * gain


# activations with mean about 2 and scale about 3
x = 3 * torch.randn(BATCH, SEQ, D_MODEL) + 2
layer_norm = nn.LayerNorm(D_MODEL, eps=EPS)
rms_norm = nn.RMSNorm(D_MODEL, eps=EPS)
# both start at gain 1, bias 0; random values make the comparison a real test
with torch.no_grad():
    for parameter in (layer_norm.weight, layer_norm.bias, rms_norm.weight):
        parameter.normal_()
    torch.testing.assert_close(layer_norm_from_scratch(x, layer_norm.weight,
                                                       layer_norm.bias),
                               layer_norm(x))
    torch.testing.assert_close(rms_norm_from_scratch(x, rms_norm.weight),
                               rms_norm(x))
print("from scratch equals nn.LayerNorm and nn.RMSNorm")

# With gain 1 and bias 0, what does each do to one token's vector?
ones, zeros = torch.ones(D_MODEL), torch.zeros(D_MODEL)
token = x[0, 0]
for name, y in (("input", token),
                ("LayerNorm", layer_norm_from_scratch(token, ones, zeros)),
                ("RMSNorm", rms_norm_from_scratch(token, ones))):
    mean, std, rms = torch.stack([y.mean(), y.std(unbiased=False),
                                  y.pow(2).mean().sqrt()]).round(decimals=4) + 0.0
    # + 0.0 turns -0 into 0
    print(f"{name:>9}: mean {mean:7.4f}  std {std:6.4f}  root mean "
          f"square {rms:6.4f}")
print(f"parameters for d = {D_MODEL}: LayerNorm "
      f"{sum(p.numel() for p in layer_norm.parameters())} (gain and bias), "
      f"RMSNorm {sum(p.numel() for p in rms_norm.parameters())} (gain)")
