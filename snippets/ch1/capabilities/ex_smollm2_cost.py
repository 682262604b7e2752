"""Exercise: what SmolLM2-135M costs to store, to answer with and to train,
from its parameter count."""

# parameters of SmolLM2-135M-Instruct, as the capabilities script prints them
N = 134_515_008
TRAINING_TOKENS = 2e12  # the model card's 2 trillion tokens
ANSWER_TOKENS = 100

for name, bytes_per_parameter in [("float32", 4), ("bfloat16", 2),
                                  ("4 bits, no scales", 0.5)]:
    print(f"weights in {name:17}: {N * bytes_per_parameter / 1e6:7.1f} MB")
# about 2 FLOPs per parameter per generated token (attention left out)
answer_flops = 2 * N * ANSWER_TOKENS
# about 6 FLOPs per parameter per training token
training_flops = 6 * N * TRAINING_TOKENS
print(f"a {ANSWER_TOKENS}-token answer: about {answer_flops:.2e} FLOPs")
print(f"pretraining on {TRAINING_TOKENS:.0e} tokens: about {training_flops:.2e} "
      "FLOPs")
print(f"pretraining = {training_flops / answer_flops:.1e} answers of "
      f"{ANSWER_TOKENS} tokens")
# the 1.6e21 that capabilities.py prints
assert round(training_flops / 1e21, 1) == 1.6
