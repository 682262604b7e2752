"""Exercise: with rotary position embeddings, a query at m and a key at n score
q^T R(n - m) k, which depends on n - m alone; "three before" and "three after"
score differently unless q and k happen to agree."""

import torch

from foundations_of_llms.positions import rope

D_HEAD = 8
torch.manual_seed(0)


def score(q, k, m, n):
    """The query q at position m against the key k at position n, both rotated."""
    return (rope(q, torch.tensor([m])) @ rope(k, torch.tensor([n])).T).item()


# one query and one key, (1, d) each
q, k = torch.randn(2, 1, D_HEAD, dtype=torch.float64)
same_gap = [score(q, k, m, m + 3) for m in (0, 5, 40)]  # n - m = 3 each time
assert max(same_gap) - min(same_gap) < 1e-12
print(f"n - m = 3 at m = 0, 5, 40: {', '.join(f'{s:.6f}' for s in same_gap)}")
print(f"(m, n) = (3, 0): {score(q, k, 3, 0):.6f}; (0, 3): "
      f"{score(q, k, 0, 3):.6f}")
assert abs(score(q, k, 3, 0) - score(q, k, 0, 3)) > 1e-3
assert abs(score(q, q, 3, 0) - score(q, q, 0, 3)) < 1e-12  # the exception: q = k
print(f"with k = q instead: (3, 0): {score(q, q, 3, 0):.6f}; (0, 3): "
      f"{score(q, q, 0, 3):.6f}")
