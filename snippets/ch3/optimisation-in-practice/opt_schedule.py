"""Warm-up and cosine decay of the learning rate (the course's tiny GPT,
GPT-3), and gradient clipping by hand."""

import math

import matplotlib.pyplot as plt
import torch
import torch.nn as nn

from foundations_of_llms.figures import save_light_and_dark
from foundations_of_llms.training import MIN_LR, PEAK_LR, WARMUP_STEPS, lr_at

STEPS = 2000  # train_tiny_gpt.py's default number of steps
GPT3_PEAK_LR = 0.6e-4  # GPT-3 175B (Brown et al. 2020, Table 2.1 and App. B)
GPT3_WARMUP_TOKENS, GPT3_DECAY_TOKENS, GPT3_TOTAL_TOKENS = 375e6, 260e9, 300e9
CLIP = 1.0  # the largest global norm the gradient may have


def opt_gpt3_lr(tokens):
    """GPT-3 175B: linear warm-up over 375M tokens,
    cosine down to 10 % at 260B tokens, then 10 %."""
    if tokens < GPT3_WARMUP_TOKENS:
        return GPT3_PEAK_LR * tokens / GPT3_WARMUP_TOKENS
    # 0 -> 1
    progress = min(1.0, (tokens - GPT3_WARMUP_TOKENS)
                   / (GPT3_DECAY_TOKENS - GPT3_WARMUP_TOKENS))
    return GPT3_PEAK_LR * (0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * progress)))


for step in (0, WARMUP_STEPS - 1, STEPS // 2, STEPS - 1):
    print(f"tiny GPT, step {step:4}: lr {lr_at(step, STEPS):.2e}")
for tokens in (GPT3_WARMUP_TOKENS / 2, GPT3_WARMUP_TOKENS, 130e9,
               GPT3_DECAY_TOKENS, GPT3_TOTAL_TOKENS):
    print(f"GPT-3 175B, {tokens / 1e9:g}B tokens: lr {opt_gpt3_lr(tokens):.2e}")
assert (lr_at(WARMUP_STEPS - 1, STEPS) == PEAK_LR
        and math.isclose(lr_at(STEPS - 1, STEPS), MIN_LR))
assert math.isclose(opt_gpt3_lr(GPT3_TOTAL_TOKENS), 0.1 * GPT3_PEAK_LR)

# What the figure shows, computed from the two schedules.
rising = [lr_at(s, STEPS) for s in range(WARMUP_STEPS)]
# a straight line
assert all(math.isclose(lr, PEAK_LR * (s + 1) / WARMUP_STEPS)
           for s, lr in enumerate(rising))
# from the peak at step 100
falling = [lr_at(s, STEPS) for s in range(WARMUP_STEPS, STEPS)]
# then it only falls, to the last step
assert all(a > b for a, b in zip(falling, falling[1:], strict=False))
share = GPT3_WARMUP_TOKENS / GPT3_TOTAL_TOKENS
print(f"warm-up: tiny GPT {WARMUP_STEPS} of {STEPS:,} steps "
      f"({WARMUP_STEPS / STEPS:.0%}); GPT-3 175B {GPT3_WARMUP_TOKENS / 1e9:g}B "
      f"of {GPT3_TOTAL_TOKENS / 1e9:g}B tokens ({share:.3%})")
# 260B, 261B, ..., 300B
last_stretch = {opt_gpt3_lr(GPT3_DECAY_TOKENS + billions * 1e9)
                for billions in range(41)}
assert len(last_stretch) == 1  # one value: the schedule is flat there
print(f"GPT-3 175B from {GPT3_DECAY_TOKENS / 1e9:g}B to "
      f"{GPT3_TOTAL_TOKENS / 1e9:g}B tokens, every 1B: lr "
      f"{last_stretch.pop():.2e} throughout")

def opt_draw_schedules():
    fig, (tiny, gpt3) = plt.subplots(1, 2, figsize=(9, 3.6), layout="constrained")
    # every 10th step: the warm-up is a straight line, the rest a smooth curve
    steps = range(0, STEPS + 1, 10)
    tiny.plot(steps, [lr_at(s, STEPS) for s in steps])
    tiny.set(xlabel="step", ylabel="learning rate",
             title=f"tiny GPT (train_tiny_gpt.py, {STEPS:,} steps)")
    tokens = torch.linspace(0, GPT3_TOTAL_TOKENS, 301).tolist()  # every 1B tokens
    gpt3.plot([t / 1e9 for t in tokens], [opt_gpt3_lr(t) for t in tokens])
    gpt3.axvline(GPT3_DECAY_TOKENS / 1e9, linestyle=":", color="gray")
    # the label above the curve's tail, pointing at where the decay ends
    gpt3.annotate("10 % of the peak\nfrom 260B tokens",
                  (GPT3_DECAY_TOKENS / 1e9, 6e-6), xytext=(295, 2.3e-5),
                  ha="right", va="center",
                  arrowprops={"arrowstyle": "-", "color": "gray", "lw": 0.8})
    gpt3.set(xlabel="tokens seen (billions)", ylabel="learning rate",
             title="GPT-3 175B (Brown et al. 2020, App. B)")
    gpt3.yaxis.set_major_formatter(
        lambda rate, _: "0" if rate == 0 else f"{rate * 1e5:g}e-5")
    # the warm-up is too short to see at full scale
    warmup = gpt3.inset_axes([0.56, 0.62, 0.4, 0.26])
    first = torch.linspace(0, 1e9, 101).tolist()
    warmup.plot([t / 1e9 for t in first], [opt_gpt3_lr(t) for t in first])
    warmup.set_title("first 1B tokens")
    warmup.set_xticks([0, 1])
    warmup.set_yticks([])
    return fig


save_light_and_dark(opt_draw_schedules, "opt-schedules")
print("saved opt-schedules-light.svg and opt-schedules-dark.svg")

# Gradient clipping by global norm: one norm
# over all the parameters' gradients together
torch.manual_seed(0)
model = nn.Sequential(nn.Linear(8, 16), nn.Tanh(), nn.Linear(16, 1))
for scale in (10.0, 0.01):  # targets that give a large gradient, then a small one
    inputs, targets = torch.randn(64, 8), scale * torch.randn(64, 1)
    model.zero_grad()
    nn.functional.mse_loss(model(inputs), targets).backward()
    grads = [p.grad.clone() for p in model.parameters()]
    # ||g|| = sqrt(sum of every squared entry)
    total_norm = torch.sqrt(sum((g**2).sum() for g in grads))
    # scale down only when ||g|| > CLIP
    clip_coef = min(1.0, CLIP / (total_norm.item() + 1e-6))
    # every gradient by the same factor: the direction is kept
    clipped = [g * clip_coef for g in grads]
    # clips p.grad in place
    returned = nn.utils.clip_grad_norm_(model.parameters(), CLIP)
    # it returns the norm BEFORE clipping
    torch.testing.assert_close(returned, total_norm)
    for mine, library in zip(clipped, (p.grad for p in model.parameters()),
                             strict=True):
        torch.testing.assert_close(mine, library)
    after = torch.sqrt(sum((p.grad**2).sum() for p in model.parameters()))
    print(f"gradient norm {total_norm:.4f} -> clip_grad_norm_ returns "
          f"{returned:.4f}, norm after {after:.4f}")
