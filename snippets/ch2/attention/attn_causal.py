"""Self-attention from scratch: Q, K, V projected from one input, the causal
mask, and PyTorch's SDPA."""

import math

import matplotlib.pyplot as plt
import torch
import torch.nn as nn
import torch.nn.functional as F

from foundations_of_llms.figures import save_light_and_dark

SEQ = 6  # tokens in the sequence
D_MODEL = 16  # width of each token's vector
D_K = 8  # width of queries and keys (and here of values)
torch.manual_seed(0)


def self_attention_from_scratch(queries, keys, values, causal=False):
    """softmax(Q K^T / sqrt(d_k)) V, optionally
    hiding every key that comes after its query."""
    d_k = queries.shape[-1]
    # (..., seq_q, seq_k)
    scores = queries @ keys.transpose(-2, -1) / math.sqrt(d_k)
    if causal:
        seq_q, seq_k = scores.shape[-2:]
        # True where attending is allowed
        causal_mask = torch.ones(seq_q, seq_k, dtype=torch.bool).tril()
        # exp(-inf) = 0 after the softmax
        scores = scores.masked_fill(~causal_mask, float("-inf"))
    weights = scores.softmax(dim=-1)  # each row sums to 1
    return weights @ values, weights  # (..., seq_q, d_v), (..., seq_q, seq_k)


x = torch.randn(SEQ, D_MODEL)  # ONE input: a row per token
# three learned projections
W_Q, W_K, W_V = (nn.Linear(D_MODEL, D_K, bias=False) for _ in range(3))
with torch.no_grad():
    queries, keys, values = W_Q(x), W_K(x), W_V(x)  # each (seq, d_k)

causal_mask = torch.ones(SEQ, SEQ, dtype=torch.bool).tril()
print("causal mask (1 = may attend):")
print("\n".join(" ".join(str(int(allowed)) for allowed in row)
                for row in causal_mask))

output, weights = self_attention_from_scratch(queries, keys, values, causal=True)
print("attention weights (row = query position, column = key position):")
print("\n".join(" ".join(f"{w:.4f}" for w in row) for row in weights.tolist()))
# every row is a distribution
torch.testing.assert_close(weights.sum(dim=-1), torch.ones(SEQ))
assert (weights.triu(diagonal=1) == 0).all()  # no query sees a later key
print(f"output: {tuple(output.shape)}; rows sum to 1; upper triangle is exactly "
      "0")
assert weights[0, 0] == 1  # the first token can only attend to itself
# the weights of rows 2 to 6 on and below the diagonal
allowed = weights[1:][causal_mask[1:]]
print(f"rows 2 to {SEQ}, on and below the diagonal: weights from "
      f"{allowed.min():.4f} to {allowed.max():.4f}")

# The library computes the same thing, with and without the mask.
for causal in (False, True):
    ours, _ = self_attention_from_scratch(queries, keys, values, causal=causal)
    library = F.scaled_dot_product_attention(queries, keys, values,
                                             is_causal=causal)
    torch.testing.assert_close(ours, library)
    print(f"causal={causal}: from scratch equals F.scaled_dot_product_attention")
# SDPA also takes the mask itself; for this
# function a boolean True means "may attend".
library = F.scaled_dot_product_attention(queries, keys, values,
                                         attn_mask=causal_mask)
torch.testing.assert_close(output, library)
print("attn_mask=causal_mask (True = may attend) gives the same as "
      "is_causal=True")


def draw_causal_weights():
    fig, ax = plt.subplots(figsize=(4.6, 4), layout="constrained")
    image = ax.imshow(weights, cmap="viridis", vmin=0, vmax=1)
    for query, row in enumerate(weights.tolist()):
        # viridis is dark at low weights, light at high ones
        for key, w in enumerate(row):
            ax.text(key, query, f"{w:.2f}", ha="center", va="center",
                    fontsize=10,
                    color="black" if w > 0.6 else "white")
    positions = range(1, SEQ + 1)
    ax.set(xticks=range(SEQ), xticklabels=positions, yticks=range(SEQ),
           yticklabels=positions,
           xlabel="key position", ylabel="query position",
           title="Causal attention weights")
    fig.colorbar(image, ax=ax, label="weight")
    return fig


save_light_and_dark(draw_causal_weights, "attn-causal-weights")
print("saved attn-causal-weights-light.svg and attn-causal-weights-dark.svg")
