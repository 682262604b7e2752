"""Why attention divides by sqrt(d_k): without it,
scores grow with d_k and the softmax saturates."""

import math

import torch

D_KS = (16, 64, 256, 1024)  # widths of the queries and keys
KEYS = 16  # keys each query attends over
SAMPLES = 4_000  # independent queries per width
torch.manual_seed(0)


def softmax_statistics(scores):
    """Mean largest softmax weight, and mean Frobenius norm of the softmax
    Jacobian diag(p) - p p^T."""
    weights = scores.softmax(dim=-1)  # (samples, keys)
    jacobian = (torch.diag_embed(weights)
                - weights.unsqueeze(-1) * weights.unsqueeze(-2))
    return (weights.max(dim=-1).values.mean().item(),
            jacobian.norm(dim=(-2, -1)).mean().item())


print(f"{'d_k':>5} | {'Var(q.k)':>9} {'max weight':>11} {'|Jacobian|':>11} | "
      f"{'Var(q.k/sqrt d_k)':>18} {'max weight':>11} {'|Jacobian|':>11}")
results = {}
for d_k in D_KS:
    queries = torch.randn(SAMPLES, 1, d_k)  # unit-variance entries
    keys = torch.randn(SAMPLES, KEYS, d_k)
    scores = (queries * keys).sum(dim=-1)  # (samples, keys): q . k for every pair
    scaled = scores / math.sqrt(d_k)
    results[d_k] = (scores.var().item(), *softmax_statistics(scores),
                    scaled.var().item(), *softmax_statistics(scaled))
    var, top, jac, var_s, top_s, jac_s = results[d_k]
    print(f"{d_k:>5} | {var:>9.1f} {top:>11.3f} {jac:>11.3f} | {var_s:>18.3f} "
          f"{top_s:>11.3f} {jac_s:>11.3f}")

# The variance of q . k is d_k (Vaswani et al. 2017,
# footnote 4); scaling brings it back to about 1.
for d_k in D_KS:
    var, var_scaled = results[d_k][0], results[d_k][3]
    assert abs(var / d_k - 1) < 0.05 and abs(var_scaled - 1) < 0.05
# Unscaled, the largest weight grows towards 1 and the Jacobian (the gradient's
# path) shrinks with d_k.
tops = [results[d_k][1] for d_k in D_KS]
jacobians = [results[d_k][2] for d_k in D_KS]
assert tops == sorted(tops) and jacobians == sorted(jacobians, reverse=True)
print(f"uniform weights over {KEYS} keys would give max weight {1 / KEYS:.4f}")
