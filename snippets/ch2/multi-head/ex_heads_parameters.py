"""Exercise: the parameters of one multi-head attention layer with d = 768, for
12 and for 24 heads."""

import torch.nn as nn

D_MODEL = 768  # BERT-base and GPT-2 small
formula = 4 * D_MODEL**2 + 4 * D_MODEL  # W_Q, W_K, W_V, W_O and their biases
for heads in (12, 24):
    # its in_proj holds W_Q, W_K and W_V stacked
    layer = nn.MultiheadAttention(D_MODEL, heads)
    parameters = sum(p.numel() for p in layer.parameters())
    assert parameters == formula
    print(f"{heads} heads of {D_MODEL // heads} dimensions: {parameters:,} "
          f"parameters (4d^2 + 4d = {formula:,})")
