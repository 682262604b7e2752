"""The seeded sampler that the tiny GPT's browser page runs, written the same in
Python and in JavaScript (docs/javascripts/tiny-gpt.js), so that PyTorch and the
page write the same text: taught on docs/ch3/play.md.

    from foundations_of_llms.play import XorShift32, next_distribution, generate
"""

import torch
import torch.nn.functional as F

from foundations_of_llms.decoding import top_k_logits, top_p_logits


# --8<-- [start:xorshift32]
class XorShift32:
    """Marsaglia's 32-bit xorshift generator, shifts (13, 17, 5): the same numbers
    in Python and JavaScript (docs/ch3/play.md)."""
    def __init__(self, seed):
        self.state = (seed & 0xFFFFFFFF) or 1  # a state of 0 would stay 0

    def uniform(self):
        """The next number in [0, 1): the next 32-bit state divided by 2^32."""
        x = self.state
        x ^= (x << 13) & 0xFFFFFFFF
        x ^= x >> 17
        x ^= (x << 5) & 0xFFFFFFFF
        self.state = x
        return x / 2**32
# --8<-- [end:xorshift32]


# --8<-- [start:next_distribution]
def next_distribution(logits, temperature, top_k, top_p):
    """(before, after): softmax(logits / T), and the same after top-k then top-p,
    renormalised; the decoding page's definitions, in float64. T = 0 is greedy:
    all the probability on the first largest logit, and `before` is then
    softmax(logits), the distribution at T = 1 (docs/ch3/play.md)."""
    logits = logits.double()
    if temperature == 0:
        greedy = torch.zeros_like(logits)
        greedy[logits.argmax()] = 1.0
        return F.softmax(logits, dim=-1), greedy
    scaled = logits / temperature
    before = F.softmax(scaled, dim=-1)
    if top_k:
        scaled = top_k_logits(scaled, top_k)
    if top_p < 1:
        scaled = top_p_logits(scaled, top_p)
    return before, F.softmax(scaled, dim=-1)


def draw(probabilities, uniform):
    """The first token whose cumulative probability, in id order, passes the
    uniform number (docs/ch3/play.md)."""
    cumulative = probabilities.cumsum(dim=-1)
    return min(int((cumulative <= uniform).sum()),
               int(probabilities.nonzero().max()))
# --8<-- [end:next_distribution]


# --8<-- [start:generate]
@torch.no_grad()
def generate(model, chars, prompt, length, temperature, top_k, top_p, seed):
    """The prompt and `length` characters more, drawn with the seeded generator.
    The model reads the characters from `start` on; when they outgrow its n_ctx
    positions, the context restarts from the last n_ctx // 2, so that a KV cache
    is rebuilt once every n_ctx // 2 characters rather than at every one
    (docs/ch3/play.md)."""
    n_ctx, index = model.wpe.num_embeddings, {c: i for i, c in enumerate(chars)}
    ids, rng = [index[c] for c in prompt], XorShift32(seed)
    start = max(0, len(ids) - n_ctx)
    for _ in range(length):
        logits = model(torch.tensor([ids[start:]]))[0, -1]
        _, after = next_distribution(logits, temperature, top_k, top_p)
        ids.append(draw(after, rng.uniform()))
        if len(ids) - start > n_ctx:
            start = len(ids) - n_ctx // 2
    return "".join(chars[i] for i in ids)
# --8<-- [end:generate]
