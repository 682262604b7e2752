"""Exercise: the parameters of GPT-2 XL, by formula and by building the
architecture (shapes only)."""

import torch
from torch import nn

from foundations_of_llms.scale import decoder_parameters

VOCAB, CONTEXT, D_MODEL, LAYERS, HEADS = 50_257, 1_024, 1_600, 48, 25  # GPT-2 XL


def gpt2_shaped(vocab, context, d_model, layers, heads):
    """GPT-2's architecture from PyTorch's own layers: a pre-norm block
    (LayerNorm before attention and before the MLP) is
    nn.TransformerEncoderLayer(norm_first=True) with a 4d GELU MLP."""
    blocks = [nn.TransformerEncoderLayer(d_model, heads, 4 * d_model,
                                         activation="gelu", norm_first=True)
              for _ in range(layers)]
    return nn.ModuleDict({
        "token_embedding": nn.Embedding(vocab, d_model),
        "position_embedding": nn.Embedding(context, d_model),
        "blocks": nn.ModuleList(blocks),
        "final_norm": nn.LayerNorm(d_model),
        # the output layer is the token embedding again (tied),
        # so it is not a separate module
    })


# shapes only: no memory is allocated and no weights are needed
with torch.device("meta"):
    model = gpt2_shaped(VOCAB, CONTEXT, D_MODEL, LAYERS, HEADS)
by_building = sum(p.numel() for p in model.parameters())
by_formula = decoder_parameters(VOCAB, CONTEXT, D_MODEL, LAYERS)
assert by_formula == by_building
dominant = 12 * LAYERS * D_MODEL**2
print(f"GPT-2 XL: {by_formula:,} parameters by formula, {by_building:,} in "
      "the built model")
print(f"12 L d^2 = {dominant:,}, {dominant / by_formula:.1%} of them")
