"""Load the tiny GPT that train_tiny_gpt.py trained (the course ships it),
measure it on held-out plays, and let it write."""

import json
import math

import torch

from foundations_of_llms.plays import TEST_PLAYS, VALIDATION_PLAYS, plays_text
from foundations_of_llms.training import (
      SHIPPED_MODEL,
      from_pretrained,
      mean_loss,
      sample_text,
)

CHECKPOINT = SHIPPED_MODEL  # or the folder your run saved
# the validation characters the training run measured its loss on
EVAL_CHARS = 16_384
# the first 65,536 characters of the test
# plays, never seen in training or validation
TEST_CHARS = 65_536
PROMPT, SAMPLE_CHARS, TEMPERATURE, SEED = "My lord, ", 300, 0.8, 0


# as in training: on the machine that trained it, the same loss to the last bit
torch.set_num_threads(1)
model, chars = from_pretrained(CHECKPOINT)
index = {c: i for i, c in enumerate(chars)}
history = json.loads((CHECKPOINT / "history.json").read_text())
print(f"loaded {CHECKPOINT.name}/: {model.wpe.num_embeddings}-character context, "
      f"{sum(p.numel() for p in model.parameters()):,} parameters")

validation_text = "".join(c for c in plays_text(VALIDATION_PLAYS.__contains__)
                          if c in index)
validation = torch.tensor([index[c] for c in validation_text[: EVAL_CHARS + 1]])
val_loss = mean_loss(model, validation, model.wpe.num_embeddings)
# the weights whose loss the run printed
assert math.isclose(val_loss, history["val_loss"][-1], rel_tol=1e-5)
print(f"validation loss, recomputed: {val_loss:.3f} nats per character (the run "
      f"printed {history['val_loss'][-1]:.3f})")

test_text = "".join(c for c in plays_text(TEST_PLAYS.__contains__)
                    if c in index)[: TEST_CHARS + 1]
test_loss = mean_loss(model, torch.tensor([index[c] for c in test_text]),
                      model.wpe.num_embeddings)
print(f"test loss: {test_loss:.3f} nats per character = "
      f"{test_loss / math.log(2):.2f} bits per character; perplexity "
      f"{math.exp(test_loss):.2f} per character")

generator = torch.Generator().manual_seed(SEED)
print(f"\n{SAMPLE_CHARS} characters after {PROMPT!r}, temperature {TEMPERATURE}:")
print(sample_text(model, chars, PROMPT, SAMPLE_CHARS, TEMPERATURE, generator))
