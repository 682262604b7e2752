"""The course's small GPT, defined once: taught on docs/ch2/gpt.md, imported by
every later example.

    from foundations_of_llms.gpt import GPT, GPTConfig
"""

import math
from dataclasses import dataclass

import torch
import torch.nn as nn
import torch.nn.functional as F


# --8<-- [start:gptconfig]
@dataclass
class GPTConfig:
    """The tiny GPT's sizes (chapter 2, The whole block and model:
    docs/ch2/gpt.md)."""
    vocab_size: int = 512
    n_ctx: int = 64  # context length: the number of learned positions
    d_model: int = 64
    n_layer: int = 2
    n_head: int = 4
    # share of activations zeroed in training (chapter 3); 0 here
    dropout: float = 0.0
# --8<-- [end:gptconfig]


# --8<-- [start:causalselfattention]
class CausalSelfAttention(nn.Module):
    """Masked multi-head self-attention, all heads in one matrix product
    (docs/ch2/gpt.md)."""
    def __init__(self, config):
        super().__init__()
        self.n_head = config.n_head
        # W_Q, W_K and W_V side by side
        self.c_attn = nn.Linear(config.d_model, 3 * config.d_model)
        self.c_proj = nn.Linear(config.d_model, config.d_model)  # W_O
        self.resid_dropout = nn.Dropout(config.dropout)
        # True: PyTorch's one-call attention; False: the lines written out
        self.fused = True

    def forward(self, x):  # x: (batch, seq, d_model)
        batch, seq, d_model = x.shape
        d_k = d_model // self.n_head
        # (batch, heads, seq, d_k)
        queries, keys, values = (
            t.view(batch, seq, self.n_head, d_k).transpose(1, 2)
            for t in self.c_attn(x).split(d_model, dim=-1))
        if self.fused:  # the else branch, to rounding, and faster to train
            heads = F.scaled_dot_product_attention(queries, keys, values,
                                                   is_causal=True)
        else:
            # (batch, heads, seq, seq)
            scores = queries @ keys.transpose(-2, -1) / math.sqrt(d_k)
            # query i sees keys 0..i
            causal_mask = torch.ones(seq, seq, dtype=torch.bool).tril()
            weights = F.softmax(
                scores.masked_fill(~causal_mask, float("-inf")), dim=-1)
            heads = weights @ values  # (batch, heads, seq, d_k)
        # concat, W_O
        return self.resid_dropout(
            self.c_proj(heads.transpose(1, 2).reshape(batch, seq, d_model)))
# --8<-- [end:causalselfattention]


# --8<-- [start:mlp]
class MLP(nn.Module):
    """The feed-forward sub-layer: d -> 4d -> d with GPT-2's GELU
    (docs/ch2/gpt.md)."""
    def __init__(self, config):
        super().__init__()
        self.c_fc = nn.Linear(config.d_model, 4 * config.d_model)
        # GPT-2's GELU, in its tanh approximation
        self.gelu = nn.GELU(approximate="tanh")
        self.c_proj = nn.Linear(4 * config.d_model, config.d_model)
        self.dropout = nn.Dropout(config.dropout)

    def forward(self, x):
        return self.dropout(self.c_proj(self.gelu(self.c_fc(x))))
# --8<-- [end:mlp]


# --8<-- [start:block]
class Block(nn.Module):
    """A pre-LN decoder block: x + attn(LN(x)), then x + mlp(LN(x))
    (docs/ch2/gpt.md)."""
    def __init__(self, config):
        super().__init__()
        self.ln_1 = nn.LayerNorm(config.d_model)
        self.attn = CausalSelfAttention(config)
        self.ln_2 = nn.LayerNorm(config.d_model)
        self.mlp = MLP(config)

    def forward(self, x):
        # pre-LN: normalise what enters each sub-layer, and add what it returns to
        # the residual stream
        x = x + self.attn(self.ln_1(x))
        return x + self.mlp(self.ln_2(x))
# --8<-- [end:block]


# --8<-- [start:gpt]
class GPT(nn.Module):
    """Embeddings, the blocks, a final LayerNorm and the tied output layer
    (docs/ch2/gpt.md)."""
    def __init__(self, config):
        super().__init__()
        # token embedding
        self.wte = nn.Embedding(config.vocab_size, config.d_model)
        # learned position embedding
        self.wpe = nn.Embedding(config.n_ctx, config.d_model)
        self.drop = nn.Dropout(config.dropout)
        self.h = nn.ModuleList(Block(config) for _ in range(config.n_layer))
        self.ln_f = nn.LayerNorm(config.d_model)
        self.lm_head = nn.Linear(config.d_model, config.vocab_size, bias=False)
        # tied: the output layer is the token embedding
        self.lm_head.weight = self.wte.weight
        # GPT-2's initialisation (Radford et al. 2019, section 2.3):
        for name, param in self.named_parameters():
            # the layers that add to the residual stream start smaller,
            # by 1/sqrt(residual layers)
            if name.endswith("c_proj.weight"):
                nn.init.normal_(param, std=0.02 / math.sqrt(2 * config.n_layer))
            elif param.dim() == 2:
                # every other matrix, embeddings included: N(0, 0.02)
                nn.init.normal_(param, std=0.02)
            elif name.endswith("bias"):
                nn.init.zeros_(param)

    def forward(self, ids):  # ids: (batch, seq) token ids
        # (batch, seq, d_model)
        x = self.drop(self.wte(ids) + self.wpe(torch.arange(ids.shape[1])))
        for block in self.h:
            x = block(x)
        return self.lm_head(self.ln_f(x))  # logits: (batch, seq, vocab_size)
# --8<-- [end:gpt]
