"""Exercise: the mask of a prefix LM, bidirectional over the input prefix and causal after it."""

import torch

LENGTH, PREFIX = 6, 3

causal = torch.ones(LENGTH, LENGTH, dtype=torch.bool).tril()  # 1 = may attend: key j <= query i
prefix_lm = causal.clone()
prefix_lm[:, :PREFIX] = True  # every position sees the whole prefix
print(f"prefix LM, {LENGTH} positions, the first {PREFIX} the input prefix (rows are queries, 1 = may attend)")
for row in prefix_lm.int().tolist():
    print("  " + " ".join(map(str, row)))

bidirectional = torch.ones(PREFIX, PREFIX, dtype=torch.bool)
assert torch.equal(prefix_lm[:PREFIX, :PREFIX], bidirectional)  # the prefix: an encoder's mask
assert not prefix_lm[:PREFIX, PREFIX:].any()  # the prefix never sees what comes after it
assert torch.equal(prefix_lm[PREFIX:], causal[PREFIX:] | (torch.arange(LENGTH) < PREFIX))  # the rest: causal
extra = (prefix_lm & ~causal).nonzero().tolist()
print(f"differs from the causal mask in {len(extra)} places, all above the diagonal inside the prefix: {extra}")
