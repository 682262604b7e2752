"""Exercise: the tiny GPT's learning rate at a few steps, from train_tiny_gpt.py's schedule."""

import math

WARMUP_STEPS = 100  # the learning rate rises linearly from 0 over these steps ...
PEAK_LR, MIN_LR = 1e-3, 1e-4  # ... then follows a cosine from PEAK_LR down to MIN_LR at the last step
STEPS = 2_000


def lr_at(step, steps):
    """Linear warm-up to PEAK_LR, then cosine decay to MIN_LR at the last step."""
    if step < WARMUP_STEPS:
        return PEAK_LR * (step + 1) / WARMUP_STEPS
    progress = (step - WARMUP_STEPS) / max(1, steps - 1 - WARMUP_STEPS)  # 0 -> 1
    return MIN_LR + 0.5 * (PEAK_LR - MIN_LR) * (1 + math.cos(math.pi * progress))


for step in [0, 50, 99, 100, 1_000, 1_999]:
    print(f"step {step:5,}: learning rate {lr_at(step, STEPS):.2e}")
assert math.isclose(lr_at(50, STEPS), 5.1e-4) and lr_at(99, STEPS) == lr_at(100, STEPS) == PEAK_LR
assert math.isclose(lr_at(STEPS - 1, STEPS), MIN_LR)
