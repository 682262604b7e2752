"""A token embedding is a lookup table; GPT-2 adds a second, learned table
indexed by position."""

import torch
import torch.nn as nn
import torch.nn.functional as F
from transformers import GPT2Config, GPT2Model

VOCAB_SIZE = 50_257  # GPT-2's vocabulary
D_MODEL = 768  # the smallest GPT-2's width
CONTEXT = 1024  # GPT-2's longest input, in tokens
# "The future of AI is" in GPT-2's vocabulary (tok_pretrained.py)
TOKEN_IDS = [[464, 2003, 286, 9552, 318]]
torch.manual_seed(0)

embedding = nn.Embedding(VOCAB_SIZE, D_MODEL)  # random, as before training
token_ids = torch.tensor(TOKEN_IDS)  # (batch, seq)
# (batch, seq, d_model): row i of the weight for token i
looked_up = embedding(token_ids)
one_hot = F.one_hot(token_ids, VOCAB_SIZE).float()  # (batch, seq, vocab)
# the same numbers, bit for bit
assert torch.equal(looked_up, one_hot @ embedding.weight)
print(f"token ids {tuple(token_ids.shape)} -> embeddings "
      f"{tuple(looked_up.shape)}; table {tuple(embedding.weight.shape)}: "
      f"{embedding.weight.numel():,} parameters")

# The lookup sends gradient only to the rows that were
# looked up: the gradient of every other row is zero.
looked_up.sum().backward()
rows_with_gradient = (embedding.weight.grad.abs().sum(dim=1)
                      .nonzero().flatten().tolist())
assert rows_with_gradient == sorted(set(token_ids.flatten().tolist()))
print(f"rows with a nonzero gradient: {rows_with_gradient} (of {VOCAB_SIZE:,})")

# Learned positions (GPT-2, BERT): a second table, with one row per position,
# added to the token's row.
config = GPT2Config(vocab_size=VOCAB_SIZE, n_positions=CONTEXT, n_embd=D_MODEL,
                    n_layer=1, n_head=12)
# random weights in GPT-2's shapes; only its input layer matters here
gpt2 = GPT2Model(config).eval()
positions = torch.arange(token_ids.shape[1])  # (seq,): 0, 1, 2, 3, 4
# (batch, seq, d_model)
inputs = gpt2.wte.weight[token_ids] + gpt2.wpe.weight[positions]
with torch.no_grad():
    # what the first block reads
    first_hidden = gpt2(token_ids, output_hidden_states=True).hidden_states[0]
assert torch.equal(inputs, first_hidden)  # the same sum, bit for bit
print(f"GPT-2's position table {tuple(gpt2.wpe.weight.shape)}: "
      f"{gpt2.wpe.weight.numel():,} parameters; the first block reads token row "
      "+ position row")
