# %% [markdown]
# # Lab 3: train the tiny GPT and sample from it
#
# In this lab you load the tiny character-level GPT that
# [chapter 3](../../ch3/training/) trained on Shakespeare, measure it on held-out
# plays, let it write, and then train a smaller one from scratch for a few hundred
# steps to watch the loss fall.
#
# The model is in the course's repository, in `docs/models/tiny-gpt/`; this
# notebook finds it when it runs anywhere inside a copy of the repository.
# Elsewhere, download its four files,
# [config.json](../../models/tiny-gpt/config.json),
# [tokenizer.json](../../models/tiny-gpt/tokenizer.json),
# [model.safetensors](../../models/tiny-gpt/model.safetensors) and
# [history.json](../../models/tiny-gpt/history.json), into a folder `tiny-gpt/`
# beside the notebook.

# %%
import json
import math
from pathlib import Path

import matplotlib.pyplot as plt
import torch
import torch.nn as nn
import torch.nn.functional as F

from foundations_of_llms.gpt import GPT, GPTConfig
from foundations_of_llms.plays import TEST_PLAYS, VALIDATION_PLAYS, plays_text
from foundations_of_llms.training import from_pretrained, mean_loss, sample_text

# the validation characters the training run measured its loss on
EVAL_CHARS = 16_384
# as in training: the same sums in the same order, so the same loss to the
# last bit
torch.set_num_threads(1)


def find_checkpoint():
    """docs/models/tiny-gpt/ in the course's repository (searched from here
    upwards), or tiny-gpt/ here."""
    for folder in [Path.cwd(), *Path.cwd().parents]:
        for candidate in (folder / "docs" / "models" / "tiny-gpt",
                          folder / "tiny-gpt"):
            if (candidate / "model.safetensors").is_file():
                return candidate
    raise FileNotFoundError("the tiny GPT's files were not found: "
                            "download them into tiny-gpt/ (see above)")


CHECKPOINT = find_checkpoint()

# %% [markdown]
# ## The model
#
# The classes are the ones every example of the course imports, from its package
# `foundations_of_llms` (`src/foundations_of_llms/gpt.py`, taught on
# [the whole block and model](../../ch2/gpt/)): a GPT-2-style decoder with learned
# positions, pre-norm blocks and an output layer tied to the token embedding.

# %%
model, chars = from_pretrained(CHECKPOINT)
index = {c: i for i, c in enumerate(chars)}
print(f"{model.h[0].attn.n_head} heads x {len(model.h)} layers, "
      f"d_model {model.wte.embedding_dim}, "
      f"context {model.wpe.num_embeddings} characters, "
      f"vocabulary {len(chars)} characters, "
      f"{sum(p.numel() for p in model.parameters()):,} parameters")

# %% [markdown]
# ## Its validation loss
#
# The validation loss is the mean cross-entropy, in nats per character, over the
# first 16,384 characters of the two validation plays, cut into windows of 64
# characters, each scored on its own, with no context carried over from the one
# before. The training run recorded the same measurement
# in `history.json`; recomputing it checks that these are the weights it trained.

# %%


validation_text = "".join(c for c in plays_text(VALIDATION_PLAYS.__contains__)
                          if c in index)
validation = torch.tensor([index[c] for c in validation_text[: EVAL_CHARS + 1]])
shipped_loss = mean_loss(model, validation, model.wpe.num_embeddings)
recorded = json.loads((CHECKPOINT / "history.json").read_text())["val_loss"][-1]
print(f"validation loss: {shipped_loss:.3f} nats per character "
      f"({shipped_loss / math.log(2):.2f} bits); "
      f"the training run recorded {recorded:.3f}")
assert math.isclose(shipped_loss, recorded, rel_tol=1e-5)
# far better than a uniform guess over the characters
assert shipped_loss < math.log(len(chars))

# %% [markdown]
# ## Sampling
#
# To write, the model predicts a distribution over the next character, we draw one
# from $\mathrm{softmax}(z / T)$ with temperature $T$, append it and repeat. A
# seeded generator makes the draw repeatable: the same seed gives the same text.

# %%


text = sample_text(model, chars, "ROMEO. ", 200, 0.8,
                   torch.Generator().manual_seed(0))
print(text)
assert text == sample_text(model, chars, "ROMEO. ", 200, 0.8,
                           torch.Generator().manual_seed(0))

# %% [markdown]
# ## Training one from scratch
#
# Now a smaller model (2 layers, $d_{\text{model}} = 64$) trained on the training
# plays for a few hundred steps of AdamW, on batches of 12 random windows of 65
# characters. Before any training its logits are close to zero, so its loss starts
# near $\ln 78$, a uniform guess over the 78 characters.

# %%
STEPS, BATCH, LEARNING_RATE, EVAL_EVERY = 300, 12, 3e-3, 50
torch.manual_seed(0)  # the initial weights and every batch
train_text = "".join(
    c for c in plays_text(lambda name: name not in VALIDATION_PLAYS | TEST_PLAYS)
    if c in index)
train = torch.tensor([index[c] for c in train_text])
config = GPTConfig(vocab_size=len(chars), n_ctx=64, d_model=64,
                   n_layer=2, n_head=4)
small = GPT(config)
optimizer = torch.optim.AdamW(small.parameters(), lr=LEARNING_RATE,
                              weight_decay=0.1)
print(f"training characters: {len(train):,}; the small model has "
      f"{sum(p.numel() for p in small.parameters()):,} parameters")

history = {"step": [0], "val_loss": [mean_loss(small, validation, config.n_ctx)]}
print(f"{'step':>5} {'validation loss':>16}\n"
      f"{0:>5} {history['val_loss'][0]:>16.3f}")
for step in range(1, STEPS + 1):
    starts = torch.randint(len(train) - config.n_ctx - 1, (BATCH,))
    windows = torch.stack([train[s : s + config.n_ctx + 1]
                           for s in starts.tolist()])
    loss = F.cross_entropy(small(windows[:, :-1]).flatten(0, 1),
                           windows[:, 1:].flatten())
    optimizer.zero_grad(set_to_none=True)
    loss.backward()
    nn.utils.clip_grad_norm_(small.parameters(), 1.0)
    optimizer.step()
    if step % EVAL_EVERY == 0:
        history["step"].append(step)
        history["val_loss"].append(mean_loss(small, validation, config.n_ctx))
        print(f"{step:>5} {history['val_loss'][-1]:>16.3f}")

first, last = history["val_loss"][0], history["val_loss"][-1]
assert len(chars) == 78  # the vocabulary the text above names
assert abs(first - math.log(len(chars))) < 0.05  # it starts as a uniform guess
# a few hundred steps take off more than a nat per character
assert last < first - 1.0
# and at no point match the shipped model's 2,000 steps
assert min(history["val_loss"]) > shipped_loss

# %% [markdown]
# The figure below draws the validation loss against the training step. The
# curve starts at the uniform guess (the dotted line), falls fast at first, as
# the model learns which characters are frequent, then more slowly, as it learns
# spellings and words, and stays above the shipped model's loss (the dashed
# line) at every point, as the last assert above requires.

# %%
# narrow, so that its text stays readable on a phone
fig, ax = plt.subplots(figsize=(4.8, 3.4), layout="constrained")
ax.plot(history["step"], history["val_loss"], marker="o",
        label="small model, trained here")
ax.axhline(shipped_loss, linestyle="--", color="tab:green",
           label="shipped tiny GPT (2,000 steps)")
ax.axhline(math.log(len(chars)), linestyle=":", color="gray",
           label=f"uniform guess, ln {len(chars)}")
ax.set(xlabel="training step", ylabel="validation loss (nats per character)")
ax.legend(frameon=False)
plt.show()

# %% [markdown]
# And what it writes after so little training, from the same prompt and seed as
# before:

# %%
print(sample_text(small.eval(), chars, "ROMEO. ", 200, 0.8,
                  torch.Generator().manual_seed(0)))

# %% [markdown]
# ## Exercises
#
# 1. Sample from the shipped model at temperatures 0.2, 0.8 and 1.5. Which repeats
#    itself, which invents words? Compute the mean loss of the text each one
#    writes, under the model itself.
# 2. Train the small model for 1,000 steps. Does its validation loss keep falling
#    at the rate of the first 300 steps?
# 3. Give the small model the learning-rate schedule of
#    `snippets/ch3/training/train_tiny_gpt.py` (linear warm-up, then cosine
#    decay). Does it end lower after the same number of steps?
# 4. Measure the shipped model's loss on the four test plays. Is it close to its
#    validation loss?
# 5. Make the context 16 characters instead of 64 for the small model
#    (`n_ctx=16`). What does it cost?
