"""Sinusoidal position encodings (Vaswani et al.
2017) and rotary ones, RoPE (Su et al. 2021)."""

import matplotlib.pyplot as plt
import torch
from transformers import LlamaConfig
from transformers.models.llama.modeling_llama import (
    LlamaRotaryEmbedding,
    apply_rotary_pos_emb,
)

from foundations_of_llms.figures import save_light_and_dark
from foundations_of_llms.positions import rope

# width of the encodings (for RoPE: d_k, the width of one head's queries and keys)
D_MODEL = 64
BASE = 10_000  # the wavelengths grow geometrically from 2*pi to 10,000 * 2*pi
POSITIONS = 100  # rows of the figure
OFFSET = 7  # a shift k for the checks below
torch.manual_seed(0)

# Sinusoidal: PE(pos, 2i) = sin(pos * omega_i), PE(pos, 2i+1) = cos(pos *
# omega_i), omega_i = BASE^(-2i/d)
# (d/2,)
omega = BASE ** (-torch.arange(0, D_MODEL, 2, dtype=torch.float64) / D_MODEL)
# (positions, d/2)
angles = torch.arange(POSITIONS, dtype=torch.float64)[:, None] * omega
# (positions, d): sin, cos, sin, cos, ...
pe = torch.stack([angles.sin(), angles.cos()], dim=-1).flatten(1)
print(f"sinusoidal encodings {tuple(pe.shape)}; wavelengths from "
      f"{2 * torch.pi:.2f} to {2 * torch.pi / omega[-1].item():,.0f} positions")

# PE(pos + k) is a fixed linear map of PE(pos): each (sin, cos) pair is rotated by
# the angle k * omega_i.
c, s = (OFFSET * omega).cos(), (OFFSET * omega).sin()
# (d, d)
rotation = torch.block_diag(*[torch.tensor([[ci, si], [-si, ci]])
                              for ci, si in zip(c, s, strict=True)])
# the same matrix for every pos
torch.testing.assert_close(pe[OFFSET:], pe[:-OFFSET] @ rotation.T)
# ... so the dot product of two encodings depends only on how far apart they are:
# sum_i cos(k * omega_i).
# PE(pos + k) . PE(pos), for every pos
dots = (pe[OFFSET:] * pe[:-OFFSET]).sum(dim=1)
torch.testing.assert_close(dots, (OFFSET * omega).cos().sum().expand_as(dots))

# What the figure shows: how often each sine column changes sign over the 100
# positions (the stripes), and how little the rightmost pair of columns moves.
# from position 1: at position 0 every sine is exactly 0, of no sign
after_0 = pe[1:]
sign_changes = (after_0[1:].sign() != after_0[:-1].sign()).sum(dim=0)  # (d,)
print("sign changes from position 1 to 99, sine columns: "
      + ", ".join(f"{column}: {sign_changes[column]}"
                  for column in range(0, D_MODEL, 8)))
assert (sign_changes[24::2] == 0).all()  # no sine from column 24 on changes sign
last_sin, last_cos = pe[:, -2], pe[:, -1]
print(f"rightmost pair: sine column from {last_sin.min():.4f} to "
      f"{last_sin.max():.4f}, cosine column from {last_cos.min():.4f} to "
      f"{last_cos.max():.4f}")

# The score of a query at position m and a
# key at position n depends only on m - n.
# one query and one key vector, (1, d) each
query, key = torch.randn(2, 1, D_MODEL, dtype=torch.float64)


def rope_score(m, n):
    """The attention score of the query at position m and the key at position
    n, both rotated by RoPE."""
    return (rope(query, torch.tensor([m]), BASE)
            @ rope(key, torch.tensor([n]), BASE).T).item()


print(f"\nwithout RoPE: q.k = {(query @ key.T).item():.4f}")
print(f"{'m':>6} {'n':>6} {'m - n':>6} {'RoPE score':>11}")
for m, n in [(5, 5), (3, 0), (3 + OFFSET, OFFSET), (3 + 1000, 1000), (0, 3),
             (10, 0)]:
    print(f"{m:>6} {n:>6} {m - n:>6} {rope_score(m, n):>11.4f}")
# (m, n) and (m + shift, n + shift): the same score
for shift in (1, OFFSET, 1000):
    assert abs(rope_score(3 + shift, shift) - rope_score(3, 0)) < 1e-9
    assert abs(rope_score(shift, 3 + shift) - rope_score(0, 3)) < 1e-9
# at the same position, the plain dot product
assert abs(rope_score(5, 5) - (query @ key.T).item()) < 1e-9
# a rotation keeps lengths
torch.testing.assert_close(rope(query, torch.tensor([5]), BASE).norm(),
                           query.norm())

# transformers' Llama code pairs dimension i with i + d/2
# instead of 2i with 2i+1: the same rotations, with the
# dimensions listed in another order (2i -> i, 2i+1 -> i + d/2).
x = torch.randn(1, 1, 16, D_MODEL)  # (batch, heads, seq, d_k)
positions = torch.arange(16)
config = LlamaConfig(hidden_size=D_MODEL, num_attention_heads=1,
                     rope_parameters={"rope_type": "default", "rope_theta": BASE})
rotary = LlamaRotaryEmbedding(config)
cos, sin = rotary(x, positions[None])  # (batch, seq, d_k) each
reordered = torch.cat([x[..., 0::2], x[..., 1::2]], dim=-1)
library, _ = apply_rotary_pos_emb(reordered, reordered, cos, sin)
ours = rope(x, positions, BASE)
torch.testing.assert_close(library, torch.cat([ours[..., 0::2], ours[..., 1::2]],
                                              dim=-1))
# the same frequencies omega_i
torch.testing.assert_close(rotary.inv_freq, omega.float())
print("\nrope(x) agrees with transformers' LlamaRotaryEmbedding + "
      "apply_rotary_pos_emb")


def draw_sinusoidal():
    fig, ax = plt.subplots(figsize=(7, 4), layout="constrained")
    image = ax.imshow(pe.numpy(), cmap="RdBu", vmin=-1, vmax=1, aspect="auto",
                      interpolation="none")
    ax.set(xlabel="dimension (even: sin, odd: cos)", ylabel="position",
           title="Sinusoidal position encodings")
    fig.colorbar(image, ax=ax, label="value")
    return fig


save_light_and_dark(draw_sinusoidal, "emb-sinusoidal")
print("saved emb-sinusoidal-light.svg and emb-sinusoidal-dark.svg")
