"""Multi-head attention from scratch, checked against
torch.nn.MultiheadAttention with the same weights."""

import math

import torch
import torch.nn as nn

BATCH, SEQ = 2, 5
D_MODEL, HEADS = 16, 4
D_HEAD = D_MODEL // HEADS  # d_k = d_v = d_model / h
torch.manual_seed(0)

mha = nn.MultiheadAttention(D_MODEL, HEADS, batch_first=True)
# PyTorch starts the biases at 0; random ones make the comparison a real test
with torch.no_grad():
    mha.in_proj_bias.normal_()
    mha.out_proj.bias.normal_()

# The module stores W_Q, W_K, W_V stacked in one
# (3 d_model, d_model) matrix; copy them out.
W_Q, W_K, W_V = mha.in_proj_weight.detach().chunk(3)  # each (d_model, d_model)
b_Q, b_K, b_V = mha.in_proj_bias.detach().chunk(3)  # each (d_model,)
W_O, b_O = mha.out_proj.weight.detach(), mha.out_proj.bias.detach()


def multi_head_attention_from_scratch(x, causal=False):
    """Project, split into heads, attend in
    each head, concatenate, project back."""
    batch, seq, d_model = x.shape

    def split_heads(t):  # (batch, seq, d_model) -> (batch, heads, seq, d_head)
        return t.view(batch, seq, HEADS, D_HEAD).transpose(1, 2)

    queries = split_heads(x @ W_Q.T + b_Q)
    keys = split_heads(x @ W_K.T + b_K)
    values = split_heads(x @ W_V.T + b_V)
    # (batch, heads, seq, seq)
    scores = queries @ keys.transpose(-2, -1) / math.sqrt(D_HEAD)
    if causal:
        causal_mask = torch.ones(seq, seq, dtype=torch.bool).tril()
        scores = scores.masked_fill(~causal_mask, float("-inf"))
    weights = scores.softmax(dim=-1)  # (batch, heads, seq, seq)
    heads = weights @ values  # (batch, heads, seq, d_head)
    # (batch, seq, heads * d_head)
    concatenated = heads.transpose(1, 2).reshape(batch, seq, d_model)
    return concatenated @ W_O.T + b_O, weights  # (batch, seq, d_model)


x = torch.randn(BATCH, SEQ, D_MODEL)
for causal in (False, True):
    # nn.MultiheadAttention's boolean mask marks
    # what may NOT be attended: the upper triangle.
    attn_mask = (torch.ones(SEQ, SEQ, dtype=torch.bool).triu(diagonal=1)
                 if causal else None)
    with torch.no_grad():
        library, library_weights = mha(x, x, x, attn_mask=attn_mask,
                                       average_attn_weights=False)
        ours, our_weights = multi_head_attention_from_scratch(x, causal=causal)
    torch.testing.assert_close(ours, library)
    torch.testing.assert_close(our_weights, library_weights)
    print(f"causal={causal}: output {tuple(ours.shape)} and per-head weights "
          f"{tuple(our_weights.shape)} equal nn.MultiheadAttention's")

n_parameters = sum(p.numel() for p in mha.parameters())
assert n_parameters == 4 * D_MODEL**2 + 4 * D_MODEL
# the head count changes how the matrices are used, not their size
for heads in (1, 2, 8):
    parameters = nn.MultiheadAttention(D_MODEL, heads).parameters()
    assert sum(p.numel() for p in parameters) == n_parameters
print(f"parameters: {n_parameters} = 4 d^2 + 4 d with d = {D_MODEL}, the same "
      "with 1, 2, 4 or 8 heads")
