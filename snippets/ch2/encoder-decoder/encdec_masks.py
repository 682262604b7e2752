"""The three attention masks of a transformer, and cross-attention from
scratch, checked against PyTorch."""

import math

import matplotlib.pyplot as plt
import torch
import torch.nn as nn
import torch.nn.functional as F
from matplotlib.colors import ListedColormap
from matplotlib.patches import Patch

from foundations_of_llms.figures import save_light_and_dark

# encoder positions (the source), decoder positions (the target so far)
SOURCE_LEN, TARGET_LEN = 6, 4
D_MODEL, N_HEAD = 16, 2
BATCH = 3
torch.manual_seed(0)

# encoder: every source token sees all
bidirectional_mask = torch.ones(SOURCE_LEN, SOURCE_LEN, dtype=torch.bool)
# decoder: target token i sees 0..i
causal_mask = torch.ones(TARGET_LEN, TARGET_LEN, dtype=torch.bool).tril()
# decoder -> encoder: the whole source
cross_mask = torch.ones(TARGET_LEN, SOURCE_LEN, dtype=torch.bool)
masks = {"encoder self-attention (bidirectional)": bidirectional_mask,
         "decoder self-attention (causal)": causal_mask,
         "decoder cross-attention (whole source)": cross_mask}
for title, mask in masks.items():
    print(f"{title}: rows are queries, columns keys, 1 = may attend")
    for row in mask.int().tolist():
        print("  " + " ".join(map(str, row)))

print("filled cells in the figure: "
      + "; ".join(f"{title.split(' (')[0]} {int(mask.sum())} of {mask.numel()}"
                  for title, mask in masks.items()))
assert (bidirectional_mask.all() and cross_mask.all()
        and torch.equal(causal_mask, causal_mask.tril()))
# 0 where allowed, -inf where not
library_mask = nn.Transformer.generate_square_subsequent_mask(TARGET_LEN)
assert (torch.equal(library_mask == 0, causal_mask)
        and bool((library_mask[~causal_mask] == float("-inf")).all()))

# what the encoder returns for the source
encoder_states = torch.randn(BATCH, SOURCE_LEN, D_MODEL)
# the decoder's vectors, after its self-attention
decoder_states = torch.randn(BATCH, TARGET_LEN, D_MODEL)
d_k = D_MODEL // N_HEAD
W_Q, W_K, W_V, W_O = (torch.randn(D_MODEL, D_MODEL) / math.sqrt(D_MODEL)
                      for _ in range(4))
b_Q, b_K, b_V, b_O = (torch.randn(D_MODEL) for _ in range(4))
# from the decoder
queries = (decoder_states @ W_Q.T + b_Q).view(BATCH, TARGET_LEN, N_HEAD,
                                              d_k).transpose(1, 2)
# from the encoder
keys = (encoder_states @ W_K.T + b_K).view(BATCH, SOURCE_LEN, N_HEAD,
                                           d_k).transpose(1, 2)
# from the encoder
values = (encoder_states @ W_V.T + b_V).view(BATCH, SOURCE_LEN, N_HEAD,
                                             d_k).transpose(1, 2)
# queries: (batch, heads, target, d_k); keys
# and values: (batch, heads, source, d_k)
# (batch, heads, target, source)
weights = F.softmax(queries @ keys.transpose(-2, -1) / math.sqrt(d_k), dim=-1)
heads = weights @ values  # (batch, heads, target, d_k)
# (batch, target, d_model)
output = heads.transpose(1, 2).reshape(BATCH, TARGET_LEN, D_MODEL) @ W_O.T + b_O
torch.testing.assert_close(weights.sum(dim=-1),
                           torch.ones(BATCH, N_HEAD, TARGET_LEN))
print(f"cross-attention weights {tuple(weights.shape)}, each row a distribution "
      "over the source positions")
print(f"output {tuple(output.shape)}: one vector per target position")

torch.testing.assert_close(heads,
                           F.scaled_dot_product_attention(queries, keys, values))

mha = nn.MultiheadAttention(D_MODEL, N_HEAD, batch_first=True)
with torch.no_grad():
    mha.in_proj_weight.copy_(torch.cat([W_Q, W_K, W_V]))
    mha.in_proj_bias.copy_(torch.cat([b_Q, b_K, b_V]))
    mha.out_proj.weight.copy_(W_O)
    mha.out_proj.bias.copy_(b_O)
    # query, key, value
    library_output, library_weights = mha(decoder_states, encoder_states,
                                          encoder_states,
                                          average_attn_weights=False)
torch.testing.assert_close(output, library_output)
torch.testing.assert_close(weights, library_weights)
print("equal to F.scaled_dot_product_attention (per head) and to "
      "nn.MultiheadAttention (output and weights)")


def draw_masks():
    fig, axes = plt.subplots(1, 3, figsize=(9, 3.4), layout="constrained",
                             gridspec_kw={"width_ratios": [SOURCE_LEN, TARGET_LEN,
                                                           SOURCE_LEN]})
    # (queries, keys)
    axis_names = [("source", "source"), ("target", "target"),
                  ("target", "source")]
    # a cell that may attend in the palette's first colour, a blocked one in grey
    allowed = plt.rcParams["axes.prop_cycle"].by_key()["color"][0]
    colours = ListedColormap(["#8c8c8c", allowed])
    for ax, (title, mask), (query_name, key_name) in zip(axes, masks.items(),
                                                         axis_names, strict=True):
        ax.imshow(mask.float(), cmap=colours, vmin=0, vmax=1)
        ax.set_xticks(range(mask.shape[1]))
        ax.set_yticks(range(mask.shape[0]))
        ax.set_xticks([i - 0.5 for i in range(1, mask.shape[1])], minor=True)
        ax.set_yticks([i - 0.5 for i in range(1, mask.shape[0])], minor=True)
        # the background's colour between cells: each cell a tile of its own
        ax.grid(which="minor", color=plt.rcParams["axes.facecolor"], linewidth=2)
        ax.tick_params(which="minor", length=0)
        ax.set(xlabel=f"key: {key_name} position",
               ylabel=f"query: {query_name} position")
        ax.set_title(title.replace(" (", "\n("))
    fig.legend(handles=[Patch(color=allowed, label="may attend"),
                        Patch(color="#8c8c8c", label="masked")],
               loc="outside lower center", ncols=2, frameon=False)
    return fig


save_light_and_dark(draw_masks, "encdec-masks")
print("saved encdec-masks-light.svg and encdec-masks-dark.svg")
