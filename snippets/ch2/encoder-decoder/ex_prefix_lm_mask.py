"""Exercise: the mask of a prefix LM, bidirectional
over the input prefix and causal after it."""

import torch

LENGTH, PREFIX = 6, 3

# 1 = may attend: key j <= query i
causal = torch.ones(LENGTH, LENGTH, dtype=torch.bool).tril()
prefix_lm = causal.clone()
prefix_lm[:, :PREFIX] = True  # every position sees the whole prefix
print(f"prefix LM, {LENGTH} positions, the first {PREFIX} the input prefix (rows "
      "are queries, 1 = may attend)")
for row in prefix_lm.int().tolist():
    print("  " + " ".join(map(str, row)))

bidirectional = torch.ones(PREFIX, PREFIX, dtype=torch.bool)
# the prefix: an encoder's mask
assert torch.equal(prefix_lm[:PREFIX, :PREFIX], bidirectional)
# the prefix never sees what comes after it
assert not prefix_lm[:PREFIX, PREFIX:].any()
# the rest: causal
assert torch.equal(prefix_lm[PREFIX:],
                   causal[PREFIX:] | (torch.arange(LENGTH) < PREFIX))
extra = (prefix_lm & ~causal).nonzero().tolist()
print(f"differs from the causal mask in {len(extra)} places, all above the "
      f"diagonal inside the prefix: {extra}")
