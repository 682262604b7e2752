"""Exercise: the causal mask only renormalises. A masked row is the unmasked
row cut to the allowed keys and rescaled to sum to 1, so every allowed weight
is larger with the mask than without it."""

import torch
import torch.nn.functional as F

torch.manual_seed(0)
N = 6
scores = torch.randn(N, N)  # any scores: query i (row) against key j (column)
causal = torch.ones(N, N, dtype=torch.bool).tril()

masked = F.softmax(scores.masked_fill(~causal, float("-inf")), dim=-1)
unmasked = F.softmax(scores, dim=-1)
renormalised = unmasked * causal / (unmasked * causal).sum(dim=-1, keepdim=True)
torch.testing.assert_close(masked, renormalised)
# removing keys can only raise the others' shares
assert bool((masked[causal] >= unmasked[causal]).all())
print(f"row 2 with the mask:    {[round(w, 4) for w in masked[1].tolist()]}")
print(f"row 2 without the mask: {[round(w, 4) for w in unmasked[1].tolist()]}")
ratio_masked, ratio_unmasked = (masked[1, 0] / masked[1, 1],
                                unmasked[1, 0] / unmasked[1, 1])
torch.testing.assert_close(ratio_masked, ratio_unmasked)
print(f"weight of position 1 / weight of position 2 in row 2: {ratio_masked:.4f} "
      f"with, {ratio_unmasked:.4f} without")
