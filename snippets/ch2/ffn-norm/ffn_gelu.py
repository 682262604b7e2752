"""The position-wise feed-forward network, GELU against ReLU, and the MLP's
share of a block's parameters."""

import math

import matplotlib.pyplot as plt
import torch
import torch.nn as nn

from foundations_of_llms.figures import save_light_and_dark

BATCH, SEQ, D_MODEL = 2, 7, 32
# the usual 4x expansion: 512 -> 2048 in the
# original Transformer, 768 -> 3072 in GPT-2
D_FF = 4 * D_MODEL
GPT2_SMALL_D = 768
torch.manual_seed(0)

# W_2 GELU(W_1 x + b_1) + b_2
ffn = nn.Sequential(nn.Linear(D_MODEL, D_FF), nn.GELU(), nn.Linear(D_FF, D_MODEL))
x = torch.randn(BATCH, SEQ, D_MODEL)
with torch.no_grad():
    whole_sequence = ffn(x)  # (batch, seq, d_model)
    # (batch, seq, d_model)
    one_position_at_a_time = torch.stack([ffn(x[:, t]) for t in range(SEQ)],
                                         dim=1)
    shuffled = torch.randperm(SEQ)
    torch.testing.assert_close(whole_sequence, one_position_at_a_time)
    torch.testing.assert_close(ffn(x[:, shuffled]), whole_sequence[:, shuffled])
print(f"FFN {D_MODEL} -> {D_FF} -> {D_MODEL}: the whole sequence at once equals "
      "each position alone,")
print("and shuffling the positions shuffles the outputs the same way")

# GELU(x) = x * Phi(x), with Phi the standard
# normal CDF (Hendrycks & Gimpel 2016).
grid = torch.linspace(-4, 4, 8001, dtype=torch.float64)
gelu_formula = grid * 0.5 * (1 + torch.erf(grid / math.sqrt(2)))
gelu_tanh = 0.5 * grid * (1 + torch.tanh(math.sqrt(2 / math.pi)
                                         * (grid + 0.044715 * grid**3)))
torch.testing.assert_close(nn.GELU()(grid), gelu_formula)
torch.testing.assert_close(nn.GELU(approximate="tanh")(grid), gelu_tanh)
print(f"nn.GELU() equals x * Phi(x); the tanh approximation is within "
      f"{(gelu_formula - gelu_tanh).abs().max():.1e} of it on [-4, 4]")
lowest = gelu_formula.argmin()
print(f"GELU's minimum: {gelu_formula[lowest]:.4f} at x = {grid[lowest]:.3f} "
      "(ReLU's is 0)")
negative, relu = grid < 0, torch.relu(grid)
# below zero for every negative input, as the figure shows
assert (gelu_formula[negative] < 0).all()
gap = (gelu_formula - relu).abs()
print(f"|GELU - ReLU|: {gap[grid.abs() <= 0.5].max():.4f} at most within 0.5 of "
      f"0, {gap[grid.abs() >= 3].max():.4f} at most for |x| >= 3")
print(f"{'x':>6} {'ReLU':>7} {'GELU':>7}")
for value in (-3.0, -1.0, -0.5, 0.0, 0.5, 1.0, 3.0):
    t = torch.tensor(value)
    print(f"{value:>6.1f} {torch.relu(t):>7.4f} {nn.GELU()(t):>7.4f}")

# Parameters of one GPT-2-small-sized block (d = 768): built on the meta device,
# which stores no numbers.
d = GPT2_SMALL_D
with torch.device("meta"):
    attention = nn.MultiheadAttention(d, num_heads=12)
    mlp = nn.Sequential(nn.Linear(d, 4 * d), nn.GELU(), nn.Linear(4 * d, d))
    layer_norms = nn.ModuleList([nn.LayerNorm(d), nn.LayerNorm(d)])
count = {name: sum(p.numel() for p in part.parameters())
         for name, part in (("attention", attention), ("MLP", mlp),
                            ("2 LayerNorms", layer_norms))}
assert (count["MLP"] == 8 * d**2 + 5 * d
        and sum(count.values()) == 12 * d**2 + 13 * d)
for name, n in count.items():
    print(f"{name:>13}: {n:>9,} ({n / sum(count.values()):.2%})")
print(f"{'block':>13}: {sum(count.values()):>9,} = 12 d^2 + 13 d; the MLP is 8 "
      "d^2 + 5 d of it")


def draw_gelu_relu():
    fig, ax = plt.subplots(figsize=(6, 4), layout="constrained")
    # every 20th point of the grid, 0.02 apart: a smooth line, a small file
    drawn = slice(None, None, 20)
    ax.plot(grid[drawn], torch.relu(grid[drawn]), label="ReLU(x) = max(0, x)")
    ax.plot(grid[drawn], gelu_formula[drawn], label="GELU(x) = x Φ(x)")
    ax.axhline(0, color="gray", linewidth=0.5)
    ax.axvline(0, color="gray", linewidth=0.5)
    ax.set(xlim=(-3, 3), ylim=(-0.5, 3), xlabel="x", ylabel="activation",
           title="GELU against ReLU")
    ax.legend(frameon=False)
    return fig


save_light_and_dark(draw_gelu_relu, "ffn-gelu-relu")
print("saved ffn-gelu-relu-light.svg and ffn-gelu-relu-dark.svg")
