"""Exercise: with rotary position embeddings, a query at m and a key at n score q^T R(n - m) k, which depends on
n - m alone; "three before" and "three after" score differently unless q and k happen to agree."""

import torch

D_HEAD, BASE = 8, 10_000.0
torch.manual_seed(0)


def rope(x, positions):
    """RoPE: rotate each pair (x_2i, x_2i+1) of the vector at position m by the angle m * omega_i."""
    omega = BASE ** (-torch.arange(0, x.shape[-1], 2, dtype=x.dtype) / x.shape[-1])  # (d/2,)
    angles = positions[:, None].to(x.dtype) * omega  # (seq, d/2)
    even, odd = x[..., 0::2], x[..., 1::2]  # (..., seq, d/2) each
    rotated = torch.stack([even * angles.cos() - odd * angles.sin(), even * angles.sin() + odd * angles.cos()], -1)
    return rotated.flatten(-2)  # (..., seq, d)


def score(q, k, m, n):
    """The query q at position m against the key k at position n, both rotated."""
    return (rope(q, torch.tensor([m])) @ rope(k, torch.tensor([n])).T).item()


q, k = torch.randn(2, 1, D_HEAD, dtype=torch.float64)  # one query and one key, (1, d) each
same_gap = [score(q, k, m, m + 3) for m in (0, 5, 40)]  # n - m = 3 each time
assert max(same_gap) - min(same_gap) < 1e-12
print(f"n - m = 3 at m = 0, 5, 40: {', '.join(f'{s:.6f}' for s in same_gap)}")
print(f"(m, n) = (3, 0): {score(q, k, 3, 0):.6f}; (0, 3): {score(q, k, 0, 3):.6f}")
assert abs(score(q, k, 3, 0) - score(q, k, 0, 3)) > 1e-3
assert abs(score(q, q, 3, 0) - score(q, q, 0, 3)) < 1e-12  # the exception: q = k
print(f"with k = q instead: (3, 0): {score(q, q, 3, 0):.6f}; (0, 3): {score(q, q, 0, 3):.6f}")
