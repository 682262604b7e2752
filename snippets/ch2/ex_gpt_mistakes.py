"""Exercises: two mistakes in the GPT of gpt_from_gpt2.py, and what does and does not catch them."""

import math
from dataclasses import dataclass

import torch
import torch.nn as nn
import torch.nn.functional as F
from transformers import GPT2Config, GPT2LMHeadModel


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


class PostLNBlock(Block):
    """Exercise 2: the same modules in the original Transformer's order, normalising after each residual sum."""

    def forward(self, x):
        x = self.ln_1(x + self.attn(x))
        return self.ln_2(x + self.mlp(x))


def same_logits(model, reference, ids):
    """Whether two models give the same logits, as gpt_from_gpt2.py checks it, and their largest difference."""
    with torch.no_grad():
        logits, expected = model(ids), reference(ids).logits
    try:
        torch.testing.assert_close(logits, expected)
        return True, 0.0
    except AssertionError:
        return False, (logits - expected).abs().max().item()


BATCH, SEQ = 4, 16
CONV1D = ("attn.c_attn.weight", "attn.c_proj.weight", "mlp.c_fc.weight", "mlp.c_proj.weight")
torch.manual_seed(0)
config = GPTConfig()
gpt2 = GPT2LMHeadModel(GPT2Config(
    vocab_size=config.vocab_size, n_positions=config.n_ctx, n_embd=config.d_model, n_layer=config.n_layer,
    n_head=config.n_head, resid_pdrop=0.0, embd_pdrop=0.0, attn_pdrop=0.0,  # no dropout: a deterministic model
    bos_token_id=None, eos_token_id=None)).eval()
with torch.no_grad():
    for p in gpt2.parameters():  # random gains and biases too, as in gpt_from_gpt2.py
        p.normal_(0.0, 0.5)
weights = {name.removeprefix("transformer."): tensor for name, tensor in gpt2.state_dict().items()}
correct = {name: tensor.T if name.endswith(CONV1D) else tensor for name, tensor in weights.items()}
ids = torch.randint(config.vocab_size, (BATCH, SEQ))

print("Exercise 1: one kind of Conv1D weight left untransposed")
print(f"  {'weight':20s} {'shape in GPT-2':>15s} {'nn.Linear wants':>16s}  load_state_dict  logits equal")
caught_by_shape = []
for suffix in CONV1D:
    name = f"h.0.{suffix}"
    ours = GPT(config).eval()
    mistaken = {k: weights[k] if k.endswith(suffix) else v for k, v in correct.items()}  # in every block
    try:
        ours.load_state_dict(mistaken)
        loaded = "accepted"
        equal, _ = same_logits(ours, gpt2, ids)
    except RuntimeError:  # "size mismatch for h.0.attn.c_attn.weight: ..."
        loaded, equal = "rejected", None
        caught_by_shape.append(suffix)
    shapes = f"{tuple(weights[name].shape)!s:>15s} {tuple(correct[name].shape)!s:>16s}"
    print(f"  {suffix:20s} {shapes}  {loaded:15s}  {'-' if equal is None else equal}")
assert caught_by_shape == ["attn.c_attn.weight", "mlp.c_fc.weight", "mlp.c_proj.weight"]  # the non-square ones

print("\nExercise 2: the blocks made post-LN")
post_ln = GPT(config).eval()
post_ln.h = nn.ModuleList(PostLNBlock(config) for _ in range(config.n_layer))
post_ln.load_state_dict(correct)  # the same modules under the same names: every weight finds its place
n_post, n_gpt2 = (sum(p.numel() for p in m.parameters()) for m in (post_ln, gpt2))
equal, difference = same_logits(post_ln, gpt2, ids)
print(f"  parameters: post-LN {n_post:,}, GPT2LMHeadModel {n_gpt2:,}")
print(f"  logits equal to GPT-2's: {equal} (largest difference {difference:.2f})")
assert n_post == n_gpt2 and not equal
