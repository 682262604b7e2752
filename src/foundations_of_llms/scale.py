"""How many parameters a GPT-2-style decoder has, by formula, taught on
docs/ch1/scale.md.

    from foundations_of_llms.scale import decoder_parameters
"""


# --8<-- [start:decoder_parameters]
def decoder_parameters(vocab, context, d_model, layers):
    """A GPT-2-style decoder: embeddings + layers x (attention + MLP + 2
    LayerNorms) + final LayerNorm; the output layer reuses the token embedding
    (weight tying), so it adds nothing (docs/ch1/scale.md)."""
    embeddings = vocab * d_model + context * d_model
    # W_q, W_k, W_v and W_o
    attention = 3 * (d_model * d_model + d_model) + (d_model * d_model + d_model)
    # d -> 4d -> d
    mlp = ((d_model * 4 * d_model + 4 * d_model)
           + (4 * d_model * d_model + d_model))
    norms = 2 * (2 * d_model)  # two LayerNorms, each with a gain and a bias
    return embeddings + layers * (attention + mlp + norms) + 2 * d_model
# --8<-- [end:decoder_parameters]
