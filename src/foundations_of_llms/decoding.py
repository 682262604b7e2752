"""Four ways to choose the next token from a model's logits, taught on
docs/ch2/decoding.md.

    from foundations_of_llms.decoding import (
        choose_by_sampling,
        choose_greedy,
        top_k_logits,
        top_p_logits,
    )
"""

import torch
import torch.nn.functional as F


# --8<-- [start:choose]
def choose_greedy(logits, generator):
    """The most probable token; the generator is not used
    (docs/ch2/decoding.md)."""
    return logits.argmax()


def choose_by_sampling(logits, generator):
    """Draw a token with the probabilities softmax(logits)
    (docs/ch2/decoding.md)."""
    return torch.multinomial(F.softmax(logits, dim=-1), 1, generator=generator)[0]


def top_k_logits(logits, k):
    """Keep the k largest logits; the others become -inf, probability 0
    (docs/ch2/decoding.md)."""
    kth_largest = logits.topk(k).values[-1]
    return logits.masked_fill(logits < kth_largest, float("-inf"))


def top_p_logits(logits, p):
    """Keep the smallest set of most probable tokens whose probabilities add up to
    at least p, the nucleus (docs/ch2/decoding.md)."""
    probs, order = F.softmax(logits, dim=-1).sort(descending=True)
    # probability of the tokens ranked above each one
    before = probs.cumsum(dim=-1) - probs
    remove = torch.zeros_like(logits, dtype=torch.bool)
    remove[order] = before >= p  # the set already reached p without this token
    return logits.masked_fill(remove, float("-inf"))
# --8<-- [end:choose]
