"""The course's GPT and the transformers library's GPT-2 side by side, taught on
docs/ch2/gpt.md.

    from foundations_of_llms.gpt2 import gpt2_weights, random_gpt2
"""

import torch
from transformers import GPT2Config, GPT2LMHeadModel

# --8<-- [start:gpt2]
CONV1D = ("attn.c_attn.weight", "attn.c_proj.weight",
          "mlp.c_fc.weight", "mlp.c_proj.weight")


def random_gpt2(config):
    """transformers' GPT-2 in the shape of a GPTConfig, every parameter drawn from
    N(0, 0.5^2) (docs/ch2/gpt.md)."""
    gpt2 = GPT2LMHeadModel(GPT2Config(
        vocab_size=config.vocab_size, n_positions=config.n_ctx,
        n_embd=config.d_model, n_layer=config.n_layer, n_head=config.n_head,
        # no dropout: deterministic
        resid_pdrop=0.0, embd_pdrop=0.0, attn_pdrop=0.0,
        bos_token_id=None, eos_token_id=None)).eval()
    with torch.no_grad():
        # GPT-2's initialisation sets every bias to 0 and every LayerNorm gain
        # to 1, which would hide a bias or a gain copied to the wrong place:
        # randomise them all
        for p in gpt2.parameters():
            p.normal_(0.0, 0.5)
    return gpt2


def gpt2_weights(gpt2, transpose=CONV1D):
    """GPT-2's weights under the course GPT's names, the Conv1D ones transposed:
    Conv1D keeps W as (in, out), nn.Linear as (out, in) (docs/ch2/gpt.md)."""
    weights = {}
    for name, tensor in gpt2.state_dict().items():
        name = name.removeprefix("transformer.")
        weights[name] = tensor.T if name.endswith(transpose) else tensor
    return weights
# --8<-- [end:gpt2]
