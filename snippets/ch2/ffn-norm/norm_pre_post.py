"""Post-LN and pre-LN blocks written out, checked against
nn.TransformerEncoderLayer, and stacked 12 deep."""

import torch
import torch.nn as nn

BATCH, SEQ, D_MODEL, HEADS, LAYERS = 4, 16, 64, 4, 12
torch.manual_seed(0)


def norm_placement_block(norm_first):
    """PyTorch's block: self-attention and a 4x GELU MLP, each with a residual
    connection and a LayerNorm."""
    return nn.TransformerEncoderLayer(D_MODEL, HEADS, dim_feedforward=4 * D_MODEL,
                                      dropout=0.0,
                                      activation="gelu", batch_first=True,
                                      norm_first=norm_first)


def norm_placement_from_scratch(block, x, norm_first):
    """The two orderings, using the block's own sublayers and LayerNorms."""
    def attention(h):
        return block.self_attn(h, h, h, need_weights=False)[0]

    def mlp(h):
        return block.linear2(block.activation(block.linear1(h)))

    # pre-LN (GPT-2): x + F(LN(x)); the residual
    # path never passes through a LayerNorm
    if norm_first:
        x = x + attention(block.norm1(x))
        return x + mlp(block.norm2(x))
    # post-LN (Vaswani et al. 2017): LN(x + F(x))
    x = block.norm1(x + attention(x))
    return block.norm2(x + mlp(x))


x = torch.randn(BATCH, SEQ, D_MODEL)  # (batch, seq, d_model)
root_mean_squares = {}
for norm_first, name in ((False, "post-LN"), (True, "pre-LN")):
    torch.manual_seed(1)  # the same weights for both orderings
    blocks = [norm_placement_block(norm_first) for _ in range(LAYERS)]
    with torch.no_grad():
        torch.testing.assert_close(
            norm_placement_from_scratch(blocks[0], x, norm_first), blocks[0](x))
        h, root_mean_squares[name] = x, []
        for block in blocks:
            h = block(h)
            # per token, averaged
            root_mean_squares[name].append(
                h.pow(2).mean(dim=-1).sqrt().mean().item())
    print(f"{name}: the block written out equals "
          f"nn.TransformerEncoderLayer(norm_first={norm_first})")

print("root mean square of the hidden state after each layer (random weights):")
print(f"{'layer':>7} "
      + " ".join(f"{layer:>5}" for layer in range(1, LAYERS + 1)))
for name, values in root_mean_squares.items():
    print(f"{name:>7} " + " ".join(f"{v:>5.2f}" for v in values))
# the last LayerNorm sets the scale
assert all(abs(v - 1) < 1e-3 for v in root_mean_squares["post-LN"])
pre = root_mean_squares["pre-LN"]
assert pre[-1] > pre[0]  # nothing rescales the residual stream, so it grows
