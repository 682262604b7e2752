"""Perplexity of two real models on the same held-out Shakespeare:
SmolLM2-135M-Instruct (subword tokens) and the course's tiny GPT (characters).
Per-token perplexities cannot be compared; bits per character can."""

import math

import torch
import torch.nn.functional as F

from foundations_of_llms.models import load_smollm2
from foundations_of_llms.plays import TEST_PLAYS, plays_text
from foundations_of_llms.training import SHIPPED_MODEL, from_pretrained, mean_loss

CHECKPOINT = SHIPPED_MODEL  # or the folder your run saved
# the first 4,096 characters of the test plays, from Twelfth Night
TEXT_CHARS = 4_096


tiny, chars = from_pretrained(CHECKPOINT)
index = {c: i for i, c in enumerate(chars)}
text = "".join(c for c in plays_text(TEST_PLAYS.__contains__)
               if c in index)[:TEXT_CHARS]
# per character
tiny_nats = mean_loss(tiny, torch.tensor([index[c] for c in text]),
                      tiny.wpe.num_embeddings)

tokenizer, smollm2 = load_smollm2()
# (1, tokens); no start token is added
ids = tokenizer(text, return_tensors="pt").input_ids
with torch.no_grad():
    logits = smollm2(ids).logits[0, :-1]  # position t predicts token t + 1
targets = ids[0, 1:]
# -log p(token | all before it)
nll = -F.log_softmax(logits, dim=-1).gather(1, targets[:, None]).squeeze(1)
torch.testing.assert_close(nll.mean(), F.cross_entropy(logits, targets))
# every character after the first token
scored_chars = len(text) - len(tokenizer.decode(ids[0, :1]))
# perplexity = exp(mean negative log-likelihood)
smollm2_ppl = math.exp(nll.mean().item())

print(f"text: {len(text):,} characters; SmolLM2 reads them as {ids.shape[1]:,} "
      f"tokens ({len(text) / ids.shape[1]:.2f} characters per token)")
print(f"{'model':22} {'unit':>10} {'nats/unit':>10} {'perplexity':>11} "
      f"{'bits/char':>10}")
print(f"{'SmolLM2-135M-Instruct':22} {'token':>10} {nll.mean().item():>10.3f} "
      f"{smollm2_ppl:>11.2f} "
      f"{nll.sum().item() / scored_chars / math.log(2):>10.2f}")
print(f"{'tiny GPT (chapter 3)':22} {'character':>10} {tiny_nats:>10.3f} "
      f"{math.exp(tiny_nats):>11.2f} {tiny_nats / math.log(2):>10.2f}")
