"""The next-token distribution of the real SmolLM2-135M-Instruct, and four ways
to choose a token from it."""

import matplotlib.pyplot as plt
import torch
import torch.nn.functional as F
from transformers.generation.logits_process import (
    TemperatureLogitsWarper,
    TopKLogitsWarper,
    TopPLogitsWarper,
)

from foundations_of_llms.decoding import (
    choose_by_sampling,
    choose_greedy,
    top_k_logits,
    top_p_logits,
)
from foundations_of_llms.figures import save_light_and_dark
from foundations_of_llms.models import load_smollm2

CONFIDENT = "The capital of France is"
OPEN = "On a rainy afternoon, my favourite thing to do is"
NEW_TOKENS = 16
TEMPERATURE, TOP_K, TOP_P = 0.7, 50, 0.9
# every sampling method draws from a generator started from the same seed
SEED = 0
SHOWN = 5  # most probable tokens printed
RANKS_DRAWN = 300  # tokens in the figure, most probable first


def smollm2_next_token_logits(text):
    """The logits of the token that would follow
    `text`: a vector of vocab_size numbers."""
    with torch.no_grad():
        return model(**tokenizer(text, return_tensors="pt")).logits[0, -1]


def smollm2_continue(choose, text):
    """Pick up to NEW_TOKENS tokens after `text`, each by choose(logits,
    generator); return their ids."""
    generator = torch.Generator().manual_seed(SEED)
    ids = tokenizer(text, return_tensors="pt").input_ids
    new, cache, chosen = ids, None, []
    with torch.no_grad():
        for _ in range(NEW_TOKENS):
            # the library's KV cache: only new tokens are read
            output = model(new, cache=cache, use_cache=True)
            cache = output.cache
            token = choose(output.logits[0, -1], generator)
            chosen.append(token.item())
            if token == tokenizer.eos_token_id:
                break
            new = token.view(1, 1)
    return chosen


# on a shared two-core machine, two threads were several times slower than one
torch.set_num_threads(1)
tokenizer, model = load_smollm2()
for text in (CONFIDENT, OPEN):
    logits = smollm2_next_token_logits(text)  # (vocab_size,)
    probs = F.softmax(logits, dim=-1)  # over the whole vocabulary
    top = probs.topk(SHOWN)
    print(f"after {text!r}:")
    for p, token in zip(top.values.tolist(), top.indices.tolist(), strict=True):
        print(f"  {tokenizer.decode(token)!r:14} {p:.4f}")
    assert top.values.sum() < 1
    nucleus = torch.isfinite(top_p_logits(logits, TOP_P)).sum().item()
    print(f"  top {SHOWN} together: {top.values.sum():.4f}; top-p with p = "
          f"{TOP_P} keeps {nucleus:,} of {len(probs):,} tokens")

# (1, vocab_size) for the library's logits processors; logits are OPEN's now
scores = logits[None]
ids = tokenizer(OPEN, return_tensors="pt").input_ids
torch.testing.assert_close(logits / TEMPERATURE,
                           TemperatureLogitsWarper(TEMPERATURE)(
                               ids, scores.clone())[0])
torch.testing.assert_close(top_k_logits(logits, TOP_K),
                           TopKLogitsWarper(TOP_K)(ids, scores.clone())[0])
torch.testing.assert_close(top_p_logits(logits, TOP_P),
                           TopPLogitsWarper(TOP_P)(ids, scores.clone())[0])
print("temperature, top-k and top-p equal transformers' logits processors "
      "on these logits")

choosers = {
    "greedy": choose_greedy,
    f"sampling, T = {TEMPERATURE}": lambda logits, generator:
        choose_by_sampling(logits / TEMPERATURE, generator),
    f"top-k, k = {TOP_K}": lambda logits, generator:
        choose_by_sampling(top_k_logits(logits, TOP_K), generator),
    f"top-p, p = {TOP_P}": lambda logits, generator:
        choose_by_sampling(top_p_logits(logits, TOP_P), generator),
}
print(f"\n{OPEN!r} + {NEW_TOKENS} tokens at most:")
texts = {}
for name, choose in choosers.items():
    chosen = texts[name] = smollm2_continue(choose, OPEN)
    print(f"  {name:17} {tokenizer.decode(chosen)!r}")
    if name == "greedy":
        with torch.no_grad():
            library = model.generate(ids, max_new_tokens=NEW_TOKENS,
                                     do_sample=False)[0, ids.shape[1]:]
        assert chosen == library.tolist()
top_k_text, top_p_text = (texts[f"top-k, k = {TOP_K}"],
                          texts[f"top-p, p = {TOP_P}"])
shared = next(i for i, (a, b)
              in enumerate(zip(top_k_text, top_p_text, strict=False)) if a != b)
print(f"top-k and top-p share their first {shared} tokens, "
      f"{tokenizer.decode(top_k_text[:shared])!r}, then part")

# What the figure shows: OPEN's distribution at
# three temperatures, most probable token first.
drawn = {temperature: F.softmax(logits / temperature, dim=-1)
         .sort(descending=True).values[:RANKS_DRAWN]
         for temperature in (0.7, 1.0, 1.5)}
print(f"\nthe figure, after {OPEN!r}:")
fall = {}
for temperature, probs_sorted in drawn.items():
    fall[temperature] = (probs_sorted[0] / probs_sorted[-1]).log10().item()
    print(f"  temperature {temperature}: rank 1 {probs_sorted[0]:.4f}, rank "
          f"{RANKS_DRAWN} {probs_sorted[-1]:.2e}, {fall[temperature]:.1f} orders "
          "of magnitude apart")
tops = [probs_sorted[0].item() for probs_sorted in drawn.values()]
assert (tops == sorted(tops, reverse=True)
        and list(fall.values()) == sorted(fall.values(), reverse=True))
print(f"  cuts: top-k at rank {TOP_K}, top-p (T = 1, p = {TOP_P}) at "
      f"rank {nucleus}")


def draw_truncation():
    ranks = torch.arange(1, RANKS_DRAWN + 1)
    fig, ax = plt.subplots(figsize=(7, 4), layout="constrained")
    for temperature, probs_sorted in drawn.items():
        ax.plot(ranks, probs_sorted, label=f"temperature {temperature}")
    ax.axvline(TOP_K, color="gray", linestyle="--",
               label=f"top-k cut, k = {TOP_K}")
    ax.axvline(nucleus, color="gray", linestyle=":",
               label=f"top-p cut at T = 1, p = {TOP_P}")
    ax.set(yscale="log", xlabel="rank of the token",
           ylabel="probability (log scale)",
           title=f"Next token after {OPEN!r}")
    # under the plot: in it, the cuts' vertical lines would run through it
    fig.legend(loc="outside lower center", ncols=2, frameon=False)
    return fig


save_light_and_dark(draw_truncation, "dec-truncation")
print("saved dec-truncation-light.svg and dec-truncation-dark.svg")
