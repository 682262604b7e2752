# %% [markdown]
# # Lab 2: a transformer block from scratch
#
# In this lab you write a decoder's transformer block with nothing but tensor
# arithmetic: scaled dot-product attention with a causal mask, several heads, a
# feed-forward network, layer normalisation and residual connections. Then you
# check each part against PyTorch's own: your attention against
# `torch.nn.functional.scaled_dot_product_attention`, and your block against
# `torch.nn.TransformerEncoderLayer` given the same weights. It follows
# [chapter 2](../../ch2/), in particular [the whole block](../../ch2/gpt/).
#
# It runs in seconds on a CPU. Each check is an assertion: if your code and the
# library's disagree, the notebook stops there.

# %%
import math

import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(0)
BATCH, SEQ, D_MODEL, HEADS = 2, 6, 32, 4
D_HEAD = D_MODEL // HEADS
x = torch.randn(BATCH, SEQ, D_MODEL)  # a batch of 2 sequences of 6 token vectors

# %% [markdown]
# ## Attention with a causal mask
#
# Each position's query is compared with every key; the scores are divided by
# $\sqrt{d_k}$ and turned into weights by a softmax; the output is the weighted
# mean of the values:
#
# $$\mathrm{Attention}(Q, K, V)
#   = \mathrm{softmax}\left(\frac{QK^\top}{\sqrt{d_k}} + M\right) V$$
#
# A decoder must not look ahead, so the mask $M$ is $-\infty$ above the diagonal:
# position $i$ attends to positions $0, \dots, i$ only.

# %%
def attention(queries, keys, values, causal=True):
    """Scaled dot-product attention over the last two dimensions:
    (..., seq, d_k) -> (..., seq, d_v)."""
    seq, d_k = queries.shape[-2], queries.shape[-1]
    scores = queries @ keys.transpose(-2, -1) / math.sqrt(d_k)  # (..., seq, seq)
    if causal:
        # True above the diagonal
        future = torch.ones(seq, seq, dtype=torch.bool).triu(diagonal=1)
        scores = scores.masked_fill(future, float("-inf"))
    return scores.softmax(dim=-1) @ values


q, k, v = torch.randn(3, BATCH, HEADS, SEQ, D_HEAD).unbind(0)
torch.testing.assert_close(
    attention(q, k, v),
    F.scaled_dot_product_attention(q, k, v, is_causal=True))
torch.testing.assert_close(
    attention(q, k, v, causal=False),
    F.scaled_dot_product_attention(q, k, v))
print("attention equals F.scaled_dot_product_attention, "
      "with and without the causal mask")

# %% [markdown]
# The first position can attend only to itself, so its output is its own value
# vector, exactly:

# %%
assert torch.equal(attention(q, k, v)[..., 0, :], v[..., 0, :])
print("position 0 returns its own value vector")

# %% [markdown]
# ## Multi-head attention
#
# Multi-head attention projects the input to queries, keys and values with $W_Q$,
# $W_K$, $W_V$, splits each into `HEADS` heads of `D_HEAD` dimensions, attends in
# every head separately, concatenates the heads and mixes them with $W_O$. The
# weights are plain tensors here, so that the next section can copy them into a
# library module.

# %%
def linear(in_features, out_features):
    """A weight matrix and a bias, initialised as nn.Linear initialises them."""
    layer = nn.Linear(in_features, out_features)
    return {"weight": layer.weight.detach(), "bias": layer.bias.detach()}


def affine(x, params):
    return x @ params["weight"].T + params["bias"]


def multi_head_attention(x, params):
    batch, seq, d_model = x.shape

    def split_heads(t):  # (batch, seq, d_model) -> (batch, heads, seq, d_head)
        return t.view(batch, seq, HEADS, D_HEAD).transpose(1, 2)

    queries, keys, values = (split_heads(affine(x, params[name]))
                             for name in ("q", "k", "v"))
    heads = attention(queries, keys, values)  # (batch, heads, seq, d_head)
    concatenated = heads.transpose(1, 2).reshape(batch, seq, d_model)
    return affine(concatenated, params["o"])


# %% [markdown]
# ## Layer normalisation and the feed-forward network
#
# Layer normalisation rescales each token vector to mean 0 and variance 1 over its
# features, then applies a learned scale $\gamma$ and shift $\beta$. The
# feed-forward network widens each vector to $4 d$, applies a GELU, and narrows it
# back; it works on every position separately.

# %%
def layer_norm(x, params, eps=1e-5):
    mean = x.mean(dim=-1, keepdim=True)
    variance = x.var(dim=-1, keepdim=True, unbiased=False)
    return ((x - mean) / torch.sqrt(variance + eps) * params["weight"]
            + params["bias"])


def feed_forward(x, params):
    return affine(F.gelu(affine(x, params["up"])), params["down"])


ln_params = {"weight": torch.randn(D_MODEL), "bias": torch.randn(D_MODEL)}
torch.testing.assert_close(
    layer_norm(x, ln_params),
    F.layer_norm(x, (D_MODEL,), ln_params["weight"], ln_params["bias"]))
normalised = layer_norm(x, {"weight": torch.ones(D_MODEL),
                            "bias": torch.zeros(D_MODEL)})
torch.testing.assert_close(normalised.mean(-1), torch.zeros(BATCH, SEQ),
                           atol=1e-6, rtol=0)
print("layer_norm equals F.layer_norm; "
      "with gamma = 1 and beta = 0 every vector has mean 0")

# %% [markdown]
# ## The block
#
# A pre-norm block, as in GPT-2: normalise what enters each sub-layer and add what
# it returns to the residual stream.
#
# $$h = x + \mathrm{MHA}(\mathrm{LN}_1(x)),
#   \qquad y = h + \mathrm{FFN}(\mathrm{LN}_2(h))$$

# %%
def transformer_block(x, params):
    h = x + multi_head_attention(layer_norm(x, params["ln_1"]), params["attn"])
    return h + feed_forward(layer_norm(h, params["ln_2"]), params["mlp"])


# random gamma and beta, so that copying them wrongly cannot go unnoticed
def random_layer_norm():
    return {"weight": 1 + 0.1 * torch.randn(D_MODEL),
            "bias": 0.1 * torch.randn(D_MODEL)}


params = {
    "ln_1": random_layer_norm(),
    "attn": {name: linear(D_MODEL, D_MODEL) for name in ("q", "k", "v", "o")},
    "ln_2": random_layer_norm(),
    "mlp": {"up": linear(D_MODEL, 4 * D_MODEL),
            "down": linear(4 * D_MODEL, D_MODEL)},
}


def count(tree):
    """The number of numbers in a nested dict of tensors."""
    return (sum(map(count, tree.values())) if isinstance(tree, dict)
            else tree.numel())


ours = transformer_block(x, params)
print(f"block output: {tuple(ours.shape)}; {count(params):,} parameters")

# %% [markdown]
# ## Checked against the library
#
# `nn.TransformerEncoderLayer` with `norm_first=True` is the same pre-norm block.
# Its attention keeps $W_Q$, $W_K$, $W_V$ stacked in one matrix, `in_proj_weight`;
# its GELU is the exact one, as ours is. Copy our weights in, give it the same
# causal mask, and the outputs must agree.

# %%
library = nn.TransformerEncoderLayer(
    D_MODEL, HEADS, dim_feedforward=4 * D_MODEL, dropout=0.0,
    activation="gelu", batch_first=True, norm_first=True)
attn = params["attn"]
with torch.no_grad():
    library.self_attn.in_proj_weight.copy_(
        torch.cat([attn[n]["weight"] for n in ("q", "k", "v")]))
    library.self_attn.in_proj_bias.copy_(
        torch.cat([attn[n]["bias"] for n in ("q", "k", "v")]))
    for module, ours_params in [(library.self_attn.out_proj, attn["o"]),
                                (library.linear1, params["mlp"]["up"]),
                                (library.linear2, params["mlp"]["down"]),
                                (library.norm1, params["ln_1"]),
                                (library.norm2, params["ln_2"])]:
        module.weight.copy_(ours_params["weight"])
        module.bias.copy_(ours_params["bias"])

library.eval()
# -inf above the diagonal
causal_mask = nn.Transformer.generate_square_subsequent_mask(SEQ)
with torch.no_grad():
    theirs = library(x, src_mask=causal_mask, is_causal=True)
torch.testing.assert_close(ours, theirs)
n_library = sum(p.numel() for p in library.parameters())
print("our block equals nn.TransformerEncoderLayer(norm_first=True) "
      "with the same weights; "
      f"it has {n_library:,} parameters, as ours")
# attention 4d^2 + 4d, MLP 8d^2 + 5d, norms 4d
assert n_library == count(params) == 12 * D_MODEL**2 + 13 * D_MODEL

# %% [markdown]
# ## The mask really hides the future
#
# Change the last token of every sequence: the outputs at all earlier positions
# must not move.

# %%
changed = x.clone()
changed[:, -1] = torch.randn(BATCH, D_MODEL)
after = transformer_block(changed, params)
assert torch.equal(after[:, :-1], ours[:, :-1])  # not one bit
assert not torch.allclose(after[:, -1], ours[:, -1])
print("changing the last token changes only the last output")

# %% [markdown]
# ## Exercises
#
# 1. Write the post-norm block of the original transformer,
#    $\mathrm{LN}(x + \mathrm{MHA}(x))$, and check it against
#    `nn.TransformerEncoderLayer(..., norm_first=False)`.
# 2. GPT-2 uses the tanh approximation of the GELU. Switch `feed_forward` to
#    `F.gelu(..., approximate="tanh")`: how large is the difference from the
#    library's block now?
# 3. Check your block against GPT-2's in `transformers`: build a `GPT2Block` from
#    a small `GPT2Config` (`n_embd=32`, `n_head=4`, dropouts 0) and copy the
#    weights in. Its `Conv1D` layers store the weight transposed, and $W_Q$,
#    $W_K$, $W_V$ side by side in `c_attn`.
# 4. Remove the division by $\sqrt{d_k}$ and make `D_MODEL` larger. Look at the
#    attention weights: what happens to them, and why does that slow learning?
# 5. Count the block's parameters by hand for $d = 768$ (GPT-2 small) and compare
#    with the assertion above.
