"""Exercise: the parameters of GPT-2 XL, by formula and by building the architecture (shapes only)."""

import torch
from torch import nn

VOCAB, CONTEXT, D_MODEL, LAYERS, HEADS = 50_257, 1_024, 1_600, 48, 25  # GPT-2 XL


def decoder_parameters(vocab, context, d_model, layers):
    """A GPT-2-style decoder: embeddings + layers x (attention + MLP + 2 LayerNorms) + final LayerNorm.
    The output layer reuses the token embedding (weight tying), so it adds nothing."""
    embeddings = vocab * d_model + context * d_model
    attention = 3 * (d_model * d_model + d_model) + (d_model * d_model + d_model)  # W_q, W_k, W_v and W_o
    mlp = (d_model * 4 * d_model + 4 * d_model) + (4 * d_model * d_model + d_model)  # d -> 4d -> d
    norms = 2 * (2 * d_model)  # two LayerNorms, each with a gain and a bias
    return embeddings + layers * (attention + mlp + norms) + 2 * d_model


def gpt2_shaped(vocab, context, d_model, layers, heads):
    """GPT-2's architecture from PyTorch's own layers: a pre-norm block (LayerNorm before attention and
    before the MLP) is nn.TransformerEncoderLayer(norm_first=True) with a 4d GELU MLP."""
    blocks = [nn.TransformerEncoderLayer(d_model, heads, 4 * d_model, activation="gelu", norm_first=True)
              for _ in range(layers)]
    return nn.ModuleDict({
        "token_embedding": nn.Embedding(vocab, d_model),
        "position_embedding": nn.Embedding(context, d_model),
        "blocks": nn.ModuleList(blocks),
        "final_norm": nn.LayerNorm(d_model),
    })  # the output layer is the token embedding again (tied), so it is not a separate module


with torch.device("meta"):  # shapes only: no memory is allocated and no weights are needed
    model = gpt2_shaped(VOCAB, CONTEXT, D_MODEL, LAYERS, HEADS)
by_building = sum(p.numel() for p in model.parameters())
by_formula = decoder_parameters(VOCAB, CONTEXT, D_MODEL, LAYERS)
assert by_formula == by_building
dominant = 12 * LAYERS * D_MODEL**2
print(f"GPT-2 XL: {by_formula:,} parameters by formula, {by_building:,} in the built model")
print(f"12 L d^2 = {dominant:,}, {dominant / by_formula:.1%} of them")
