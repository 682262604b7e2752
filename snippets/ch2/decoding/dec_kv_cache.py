"""A KV cache for the GPT of this chapter: the same logits as running the whole
sequence again, much sooner."""

import math
import time

import torch
import torch.nn.functional as F

from foundations_of_llms.gpt import GPT, GPTConfig


def cached_attention(attn, x, cache):
    """CausalSelfAttention.forward for the new positions only. Their queries
    attend to the keys and values of every earlier position, kept in `cache`,
    and to their own, which are appended to it."""
    batch, new, d_model = x.shape
    d_k = d_model // attn.n_head
    # (batch, heads, new, d_k)
    queries, keys, values = (t.view(batch, new, attn.n_head, d_k).transpose(1, 2)
                             for t in attn.c_attn(x).split(d_model, dim=-1))
    if cache:
        # (batch, heads, past + new, d_k)
        keys = torch.cat([cache["keys"], keys], dim=2)
        values = torch.cat([cache["values"], values], dim=2)
    cache["keys"], cache["values"] = keys, values
    total = keys.shape[2]
    # (batch, heads, new, past + new)
    scores = queries @ keys.transpose(-2, -1) / math.sqrt(d_k)
    # new query i sees 0..past+i
    causal_mask = (torch.ones(new, total, dtype=torch.bool)
                   .tril(diagonal=total - new))
    weights = F.softmax(scores.masked_fill(~causal_mask, float("-inf")), dim=-1)
    heads = weights @ values  # (batch, heads, new, d_k)
    return attn.c_proj(heads.transpose(1, 2).reshape(batch, new, d_model))


def cached_forward(model, ids, caches):
    """GPT.forward for the new tokens `ids` (batch, new) only, with one cache
    per block (empty at first)."""
    past = caches[0]["keys"].shape[2] if caches[0] else 0
    # positions continue after the past
    x = model.wte(ids) + model.wpe(torch.arange(past, past + ids.shape[1]))
    for block, cache in zip(model.h, caches, strict=True):
        x = x + cached_attention(block.attn, block.ln_1(x), cache)
        x = x + block.mlp(block.ln_2(x))
    return model.lm_head(model.ln_f(x))  # (batch, new, vocab_size)


def gpt_greedy_generate(model, prompt, new_tokens, use_cache):
    """Greedy decoding; returns the generated ids and the logits each step
    chose from, (batch, new_tokens, vocab)."""
    ids, step_logits = prompt, []
    caches = [{} for _ in model.h]
    with torch.no_grad():
        for _ in range(new_tokens):
            # the prompt at the first step, then only the token chosen last
            if use_cache:
                new_ids = ids if not caches[0] else ids[:, -1:]
                logits = cached_forward(model, new_ids, caches)[:, -1]
            else:  # the whole sequence again, every step
                logits = model(ids)[:, -1]
            step_logits.append(logits)
            ids = torch.cat([ids, logits.argmax(dim=-1, keepdim=True)], dim=1)
    return ids[:, prompt.shape[1]:], torch.stack(step_logits, dim=1)


# a long context, where recomputing it costs most
PROMPT_LEN, NEW_TOKENS, BATCH = 256, 48, 1
torch.manual_seed(0)
torch.set_num_threads(1)  # steadier timings on a shared machine
config = GPTConfig(vocab_size=1024, n_ctx=512, d_model=256, n_layer=4, n_head=8)
model = GPT(config).eval()
with torch.no_grad():
    for p in model.parameters():
        if p.dim() == 2:
            # GPT's initialisation of the weight matrices: logits of a usual size
            p.normal_(0.0, 0.02)
prompt = torch.randint(config.vocab_size, (BATCH, PROMPT_LEN))
# a warm-up, so that neither run pays for first calls
gpt_greedy_generate(model, prompt, 4, use_cache=True)

timings = {}
for use_cache in (False, True):
    start = time.perf_counter()
    generated = gpt_greedy_generate(model, prompt, NEW_TOKENS, use_cache)
    timings[use_cache] = generated, time.perf_counter() - start
(ids, logits), seconds = timings[False]
(cached_ids, cached_logits), cached_seconds = timings[True]
assert torch.equal(ids, cached_ids)
torch.testing.assert_close(cached_logits, logits)
print(f"{config}")
print(f"{NEW_TOKENS} tokens after a prompt of {PROMPT_LEN}: the same tokens, and "
      "logits equal (assert_close)")
print(f"  without a cache: {1000 * seconds:.1f} ms")
print(f"  with a KV cache: {1000 * cached_seconds:.1f} ms, "
      f"{seconds / cached_seconds:.1f}x faster")
# a key and a value per layer
cached_floats = 2 * config.n_layer * BATCH * config.n_ctx * config.d_model
print(f"a cache for the whole context: 2 x {config.n_layer} layers x "
      f"{config.n_ctx} positions x {config.d_model} = {cached_floats:,} numbers, "
      f"{4 * cached_floats / 2**20:.1f} MiB in float32")
