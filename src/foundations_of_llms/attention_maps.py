"""The attention weights of the tiny GPT, head by head, recomputed from each
layer's own queries and keys and checked against what the layer returns: taught on
docs/ch2/attention-explorer.md, used again by the page that runs the tiny GPT in
the browser (docs/ch3/play.md).

    from foundations_of_llms.attention_maps import tiny_gpt_attention
"""

import math

import torch
import torch.nn.functional as F


# --8<-- [start:tiny_gpt_attention]
@torch.no_grad()
def tiny_gpt_attention(model, chars, sentence):
    """(tokens, weights of shape (layers, heads, seq, seq)) of the tiny GPT
    reading one sentence, one character per token:
    softmax(q k^T / sqrt(d_k) + causal mask) for each head, from each layer's
    own queries and keys (docs/ch2/attention-explorer.md)."""
    ids = torch.tensor([[chars.index(c) for c in sentence]])  # (1, seq)
    x = model.wte(ids) + model.wpe(torch.arange(ids.shape[1]))
    per_layer = []
    for block in model.h:
        attn, h = block.attn, block.ln_1(x)
        batch, seq, d_model = h.shape
        d_k = d_model // attn.n_head
        q, k, v = (t.view(batch, seq, attn.n_head, d_k).transpose(1, 2)
                   for t in attn.c_attn(h).split(d_model, -1))
        causal_mask = torch.ones(seq, seq, dtype=torch.bool).tril()
        weights = F.softmax((q @ k.transpose(-2, -1) / math.sqrt(d_k))
                            .masked_fill(~causal_mask, -math.inf), dim=-1)
        # These weights are the layer's own: times v they give what PyTorch's
        # fused attention gives, and through W_O what the layer itself returns.
        heads = weights @ v
        torch.testing.assert_close(
            heads, F.scaled_dot_product_attention(q, k, v, is_causal=True))
        torch.testing.assert_close(
            attn.c_proj(heads.transpose(1, 2).reshape(batch, seq, d_model)),
            attn(h))
        per_layer.append(weights[0])
        x = block(x)
    return list(sentence), torch.stack(per_layer)
# --8<-- [end:tiny_gpt_attention]
