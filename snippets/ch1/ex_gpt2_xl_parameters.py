"""Exercise: the parameters of GPT-2 XL, by formula and by building the model (shapes only)."""

import torch
from transformers import GPT2Config, GPT2LMHeadModel


def decoder_parameters(vocab, context, d_model, layers):
    """A GPT-2-style decoder: embeddings + layers x (attention + MLP + 2 LayerNorms) + final LayerNorm.
    The output layer reuses the token embedding (weight tying), so it adds nothing."""
    embeddings = vocab * d_model + context * d_model
    attention = 3 * (d_model * d_model + d_model) + (d_model * d_model + d_model)  # W_q, W_k, W_v and W_o
    mlp = (d_model * 4 * d_model + 4 * d_model) + (4 * d_model * d_model + d_model)  # d -> 4d -> d
    norms = 2 * (2 * d_model)  # two LayerNorms, each with a gain and a bias
    return embeddings + layers * (attention + mlp + norms) + 2 * d_model


def built(model_class, config):
    """Build the architecture on the 'meta' device: shapes only, no memory, no weights to download."""
    with torch.device("meta"):
        model = model_class(config)
    return sum(p.numel() for p in model.parameters())  # a tied (shared) tensor is counted once


xl = GPT2Config(n_layer=48, n_embd=1600, n_head=25)  # GPT-2 XL; context 1,024 and vocabulary 50,257 by default
by_formula = decoder_parameters(xl.vocab_size, xl.n_positions, xl.n_embd, xl.n_layer)
by_building = built(GPT2LMHeadModel, xl)
assert by_formula == by_building
dominant = 12 * xl.n_layer * xl.n_embd**2
print(f"GPT-2 XL: {by_formula:,} parameters by formula, {by_building:,} in the built model")
print(f"12 L d^2 = {dominant:,}, {dominant / by_formula:.1%} of them")
