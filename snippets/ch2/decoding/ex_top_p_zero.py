"""Exercise: top-p with p = 0. The page's top_p_logits removes every token; the
library keeps the most probable one, which is greedy decoding, as are top-k
with k = 1 and a temperature near 0."""

import torch
import torch.nn.functional as F
from transformers import TopKLogitsWarper, TopPLogitsWarper

from foundations_of_llms.decoding import top_p_logits

torch.manual_seed(0)
logits = torch.randn(10)
greedy = int(logits.argmax())

ours = top_p_logits(logits, 0.0)
assert bool(torch.isinf(ours).all())
print(f"top_p_logits(p=0): {int(torch.isinf(ours).sum())} of {logits.numel()} "
      "logits are -inf")
probs = F.softmax(ours, dim=-1)
print(f"softmax of that: {probs[:3].tolist()} ... (NaN: 0/0)")
try:
    torch.multinomial(probs, 1)
except RuntimeError as error:
    print(f"torch.multinomial raises RuntimeError: {str(error).splitlines()[0]}")
else:
    raise AssertionError("sampling from NaN probabilities should fail")

# min_tokens_to_keep=1 by default
library = TopPLogitsWarper(top_p=0.0)(None, logits[None])[0]
kept = torch.isfinite(library).nonzero().flatten().tolist()
assert kept == [greedy]
# and so for any p below the top token's probability
below_top = 0.99 * float(F.softmax(logits, dim=-1).max())
library = TopPLogitsWarper(top_p=below_top)(None, logits[None])[0]
assert torch.isfinite(library).nonzero().flatten().tolist() == [greedy]
top_1 = TopKLogitsWarper(top_k=1)(None, logits[None])[0]
assert torch.isfinite(top_1).nonzero().flatten().tolist() == [greedy]
cold = F.softmax(logits / 1e-3, dim=-1)  # temperature 0.001
assert int(cold.argmax()) == greedy and float(cold[greedy]) > 0.999
print(f"TopPLogitsWarper(p=0) keeps token {kept[0]}; top-k with k=1 keeps "
      f"{greedy}; at T=0.001 token {greedy} has probability "
      f"{float(cold[greedy]):.4f}: all three are greedy")
