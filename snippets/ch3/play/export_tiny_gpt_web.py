"""Export chapter 3's tiny GPT for the page that runs it in the browser: its
weights in float16, in a safetensors file (a JSON header with each tensor's
name, shape and byte range, then the numbers), and what PyTorch computes from
exactly those weights for a few prompts: the logits at every position, every
head's attention weights, and the text the seeded sampler writes. The page's
test runs the JavaScript model on the same prompts in Chromium and compares."""

import copy
import json
from pathlib import Path

import torch
from safetensors.torch import load_file, save_file

from foundations_of_llms.attention_maps import tiny_gpt_attention
from foundations_of_llms.play import generate
from foundations_of_llms.training import SHIPPED_MODEL, from_pretrained

CHECKPOINT = SHIPPED_MODEL  # shipped with the course
WEIGHTS = "tiny-gpt-f16.safetensors"
REFERENCE = "tiny-gpt-reference.json"
PROMPTS = ["My lord, ", "The king is ", "What say you"]
# (prompt, new characters, temperature, top-k,
# top-p, seed); top-k 0 is off, T = 0 is greedy
SAMPLES = [
    ("My lord, ", 100, 0.8, 0, 1.0, 1),
    ("The king is ", 100, 1.0, 10, 0.9, 2026),
    ("What say you", 80, 0.0, 0, 1.0, 7),
]

model, chars = from_pretrained(CHECKPOINT)
# tied to wte
state = {name: t for name, t in model.state_dict().items()
         if name != "lm_head.weight"}
config = json.loads((CHECKPOINT / "config.json").read_text())
save_file({name: t.half().contiguous() for name, t in state.items()}, WEIGHTS,
          # one key: same bytes
          metadata={"model": json.dumps({"config": config, "chars": chars},
                                        sort_keys=True)})
size = Path(WEIGHTS).stat().st_size
n_params = sum(t.numel() for t in state.values())
print(f"config.json: {config}")
print(f"{WEIGHTS}: {n_params:,} parameters in float16, {size / 1e6:.2f} MB "
      "(the float32 model.safetensors: "
      f"{(CHECKPOINT / 'model.safetensors').stat().st_size / 1e6:.2f} MB)")

# The reference: the same model with the float16
# weights, computed in float64, as the page computes.
web = copy.deepcopy(model).double()
web.load_state_dict({name: t.double() for name, t in load_file(WEIGHTS).items()},
                    strict=False)
worst = 0.0
prompts = []
for prompt in PROMPTS:
    ids = torch.tensor([[chars.index(c) for c in prompt]])
    with torch.no_grad():
        logits, original = web(ids)[0], model(ids)[0].double()
    worst = max(worst, float((logits - original).abs().max()))
    # (layers, heads, seq, seq)
    _, attention = tiny_gpt_attention(web, chars, prompt)
    rows = [[[row[: i + 1] for i, row in enumerate(head.tolist())]
             for head in layer] for layer in attention]
    prompts.append({"text": prompt,
                    "logits": [[round(z, 6) for z in row]
                               for row in logits.tolist()],
                    "attention": [[[[round(w, 6) for w in row] for row in head]
                                   for head in layer] for layer in rows]})
print("largest change of a logit from float32 to float16 weights, over "
      f"{len(PROMPTS)} prompts: {worst:.3f}")

samples = []
for prompt, length, temperature, top_k, top_p, seed in SAMPLES:
    text = generate(web, chars, prompt, length, temperature, top_k, top_p, seed)
    samples.append({"prompt": prompt, "length": length,
                    "temperature": temperature, "top_k": top_k,
                    "top_p": top_p, "seed": seed, "text": text})
    print(f"\nT = {temperature}, top-k = {top_k or 'off'}, top-p = {top_p}, "
          f"seed = {seed}:")
    print(text)
reference = {"weights": WEIGHTS, "prompts": prompts, "samples": samples}
Path(REFERENCE).write_text(json.dumps(reference, sort_keys=True,
                                      separators=(",", ":")) + "\n",
                           encoding="utf-8")
print(f"\n{REFERENCE}: {Path(REFERENCE).stat().st_size / 1024:.0f} KB")
