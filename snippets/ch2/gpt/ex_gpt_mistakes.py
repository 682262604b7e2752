"""Exercises: two mistakes in the GPT of gpt_from_gpt2.py, and what does and
does not catch them."""

import torch
import torch.nn as nn

from foundations_of_llms.gpt import GPT, Block, GPTConfig
from foundations_of_llms.gpt2 import CONV1D, gpt2_weights, random_gpt2


class PostLNBlock(Block):
    """Exercise 2: the same modules in the original Transformer's order,
    normalising after each residual sum."""

    def forward(self, x):
        x = self.ln_1(x + self.attn(x))
        return self.ln_2(x + self.mlp(x))


def same_logits(model, reference, ids):
    """Whether two models give the same logits, as gpt_from_gpt2.py checks it,
    and their largest difference."""
    with torch.no_grad():
        logits, expected = model(ids), reference(ids).logits
    try:
        torch.testing.assert_close(logits, expected)
        return True, 0.0
    except AssertionError:
        return False, (logits - expected).abs().max().item()


BATCH, SEQ = 4, 16
torch.manual_seed(0)
config = GPTConfig()
gpt2 = random_gpt2(config)  # random gains and biases too, as in gpt_from_gpt2.py
weights = gpt2_weights(gpt2, transpose=())  # GPT-2's weights as they are stored
correct = gpt2_weights(gpt2)
ids = torch.randint(config.vocab_size, (BATCH, SEQ))

print("Exercise 1: one kind of Conv1D weight left untransposed")
print(f"  {'weight':20s} {'shape in GPT-2':>15s} {'nn.Linear wants':>16s}  "
      "load_state_dict  logits equal")
caught_by_shape = []
for suffix in CONV1D:
    name = f"h.0.{suffix}"
    ours = GPT(config).eval()
    # in every block
    mistaken = {k: weights[k] if k.endswith(suffix) else v
                for k, v in correct.items()}
    try:
        ours.load_state_dict(mistaken)
        loaded = "accepted"
        equal, _ = same_logits(ours, gpt2, ids)
    except RuntimeError:  # "size mismatch for h.0.attn.c_attn.weight: ..."
        loaded, equal = "rejected", None
        caught_by_shape.append(suffix)
    shapes = (f"{tuple(weights[name].shape)!s:>15s} "
              f"{tuple(correct[name].shape)!s:>16s}")
    print(f"  {suffix:20s} {shapes}  {loaded:15s}  "
          f"{'-' if equal is None else equal}")
# the non-square ones
assert caught_by_shape == ["attn.c_attn.weight", "mlp.c_fc.weight",
                           "mlp.c_proj.weight"]

print("\nExercise 2: the blocks made post-LN")
post_ln = GPT(config).eval()
post_ln.h = nn.ModuleList(PostLNBlock(config) for _ in range(config.n_layer))
# the same modules under the same names: every weight finds its place
post_ln.load_state_dict(correct)
n_post, n_gpt2 = (sum(p.numel() for p in m.parameters()) for m in (post_ln, gpt2))
equal, difference = same_logits(post_ln, gpt2, ids)
print(f"  parameters: post-LN {n_post:,}, GPT2LMHeadModel {n_gpt2:,}")
print(f"  logits equal to GPT-2's: {equal} (largest difference {difference:.2f})")
assert n_post == n_gpt2 and not equal
