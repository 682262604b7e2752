"""The same GPT, given the weights of the transformers library's GPT-2: the two
compute the same logits."""

import torch

from foundations_of_llms.gpt import GPT, GPTConfig
from foundations_of_llms.gpt2 import gpt2_weights, random_gpt2

BATCH, SEQ = 4, 16
torch.manual_seed(0)
config = GPTConfig()
gpt2 = random_gpt2(config)

ours = GPT(config).eval()
weights = gpt2_weights(gpt2)
assert weights.keys() == ours.state_dict().keys()
ours.load_state_dict(weights)

n_ours = sum(p.numel() for p in ours.parameters())
n_gpt2 = sum(p.numel() for p in gpt2.parameters())
assert n_ours == n_gpt2
print(f"parameters: ours {n_ours:,}, GPT2LMHeadModel {n_gpt2:,}")
print(f"GPT-2's activation: {gpt2.config.activation_function!r}; "
      "output layer tied to the token embedding: "
      f"{gpt2.lm_head.weight is gpt2.transformer.wte.weight}")

ids = torch.randint(config.vocab_size, (BATCH, SEQ))
with torch.no_grad():
    logits = ours(ids)  # (batch, seq, vocab_size)
    expected = gpt2(ids).logits
torch.testing.assert_close(logits, expected)
print(f"logits {tuple(logits.shape)} equal to GPT-2's within float32 rounding "
      "(torch.testing.assert_close)")
print("first four logits at the last position:")
print(f"  ours  {' '.join(f'{v:8.4f}' for v in logits[0, -1, :4].tolist())}")
print(f"  GPT-2 {' '.join(f'{v:8.4f}' for v in expected[0, -1, :4].tolist())}")
