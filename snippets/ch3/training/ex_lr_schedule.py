"""Exercise: the tiny GPT's learning rate at a few steps, from
train_tiny_gpt.py's schedule."""

import math

from foundations_of_llms.training import MIN_LR, PEAK_LR, lr_at

STEPS = 2_000

for step in [0, 50, 99, 100, 1_000, 1_999]:
    print(f"step {step:5,}: learning rate {lr_at(step, STEPS):.2e}")
assert (math.isclose(lr_at(50, STEPS), 1.53e-3)
        and lr_at(99, STEPS) == lr_at(100, STEPS) == PEAK_LR)
assert math.isclose(lr_at(STEPS - 1, STEPS), MIN_LR)
