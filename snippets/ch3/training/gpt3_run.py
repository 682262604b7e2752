"""GPT-3 175B's training run, computed from the
numbers its paper gives (Brown et al. 2020)."""

import math

# Table 2.1: the 175B model (its context of 2,048 tokens is in section 2.1).
N_PARAMS = 175.0e9
N_LAYERS, D_MODEL, N_CTX = 96, 12_288, 2_048
FULL_BATCH_TOKENS = 3.2e6
PEAK_LR = 0.6e-4
# Section 2.2: every model was trained on 300 billion tokens.
TOKENS = 300e9
# Appendix B: Adam, warm-up, cosine decay, batch ramp, weight decay.
BETA1, BETA2, EPSILON, CLIP, WEIGHT_DECAY = 0.9, 0.95, 1e-8, 1.0, 0.1
WARMUP_TOKENS = 375e6  # linear warm-up of the learning rate
# cosine decay to 10 % of the peak over 260B tokens; then 10 % to the end
DECAY_TOKENS = 260e9
FINAL_FRACTION = 0.1
START_BATCH_TOKENS = 32e3  # the batch grows from 32k tokens to full size ...
# ... over the first 4 to 12 billion tokens, "depending on model size"
RAMP_TOKENS = (4e9, 12e9)
# Appendix D, Table D.1: the compute the paper reports for the 175B model.
PAPER_FLOPS = 3.14e23


def gpt3_learning_rate(tokens_seen):
    """The learning rate after `tokens_seen` tokens: warm-up, cosine to 10 % at
    260B tokens, then flat."""
    if tokens_seen < WARMUP_TOKENS:
        return PEAK_LR * tokens_seen / WARMUP_TOKENS
    progress = min(1.0, tokens_seen / DECAY_TOKENS)
    cosine = 0.5 * (1 + math.cos(math.pi * progress))  # 1 -> 0
    return PEAK_LR * (FINAL_FRACTION + (1 - FINAL_FRACTION) * cosine)


def steps_during_ramp(ramp_tokens):
    """Optimiser steps while the batch b grows linearly in tokens seen, from b0
    to b1 over T tokens: each token is 1/b of a step, so steps = integral of dt
    / b(t) = T / (b1 - b0) * ln(b1 / b0)."""
    b0, b1 = START_BATCH_TOKENS, FULL_BATCH_TOKENS
    return ramp_tokens / (b1 - b0) * math.log(b1 / b0)


compute = 6 * N_PARAMS * TOKENS
print(f"compute 6ND = 6 x {N_PARAMS:.3g} x {TOKENS:.3g} = {compute:.3g} FLOPs "
      f"(paper, Table D.1: {PAPER_FLOPS:.3g})")
assert abs(compute / PAPER_FLOPS - 1) < 0.01
print(f"tokens per parameter: {TOKENS / N_PARAMS:.2f} (the Chinchilla rule of "
      "thumb is about 20)")
print(f"sequences of {N_CTX:,} tokens in a full batch: "
      f"{FULL_BATCH_TOKENS / N_CTX:,.1f}")

print("\nlearning rate against tokens seen:")
for tokens in (0, 100e6, 375e6, 1e9, 65e9, 130e9, 195e9, 260e9, 300e9):
    print(f"  {tokens / 1e9:7.3f}B tokens   {gpt3_learning_rate(tokens):.3e}")
# the cosine has barely begun
assert math.isclose(gpt3_learning_rate(WARMUP_TOKENS), PEAK_LR, rel_tol=1e-4)
assert math.isclose(gpt3_learning_rate(TOKENS), FINAL_FRACTION * PEAK_LR)

print("\noptimiser steps (a linear ramp of the batch, in tokens, is this "
      "script's reading of App. B):")
for ramp in RAMP_TOKENS:
    steps = steps_during_ramp(ramp) + (TOKENS - ramp) / FULL_BATCH_TOKENS
    print(f"  batch ramp over {ramp / 1e9:2.0f}B tokens: "
          f"{steps_during_ramp(ramp):6,.0f} steps in the ramp, {steps:,.0f} in "
          "all")
print("  at the full batch from the first step: "
      f"{TOKENS / FULL_BATCH_TOKENS:,.0f}")

# Memory for training with Adam in mixed precision (Rajbhandari et al. 2020, ZeRO,
# section 3.1): 2 bytes of fp16 weights + 2 of fp16 gradients + 12 of fp32
# optimiser state (a weight copy, momentum, variance).
bytes_per_param = 2 + 2 + 12
print(f"\nweights, gradients and Adam state: {bytes_per_param} bytes x "
      f"{N_PARAMS:.3g} = {bytes_per_param * N_PARAMS / 1e12:.1f} TB, or "
      f"{bytes_per_param * N_PARAMS / 80e9:.0f} GPUs of 80 GB before a single "
      "activation is stored")
