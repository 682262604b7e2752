"""A small GPT from torch primitives: pre-LN decoder blocks, learned positions,
a tied output layer."""

import torch

from foundations_of_llms.gpt import GPT, GPTConfig
from foundations_of_llms.scale import decoder_parameters

BATCH, SEQ = 2, 8
torch.manual_seed(0)
config = GPTConfig()
model = GPT(config).eval()
print(config)
ids = torch.randint(config.vocab_size, (BATCH, SEQ))
with torch.no_grad():
    logits = model(ids)
print(f"ids {tuple(ids.shape)} -> logits {tuple(logits.shape)}")

# the tied matrix is counted once
n_params = sum(p.numel() for p in model.parameters())
formula = decoder_parameters(config.vocab_size, config.n_ctx, config.d_model,
                             config.n_layer)
assert n_params == formula
print(f"parameters: {n_params:,} (the formula of chapter 1 gives {formula:,})")
parts = {"token embedding (= output layer)": model.wte,
         "position embedding": model.wpe, "one block": model.h[0],
         "final LayerNorm": model.ln_f}
for name, part in parts.items():
    print(f"  {name:32} {sum(p.numel() for p in part.parameters()):>7,}")

changed = ids.clone()
# a different last token, the same earlier ones
changed[:, -1] = (ids[:, -1] + 1) % config.vocab_size
with torch.no_grad():
    changed_logits = model(changed)
# earlier positions: identical
torch.testing.assert_close(changed_logits[:, :-1], logits[:, :-1], rtol=0, atol=0)
# the last position: changed
assert not torch.equal(changed_logits[:, -1], logits[:, -1])
# (seq,): True where no logit moved
same = (changed_logits == logits).all(dim=(0, 2)).tolist()
print("when only the last token changes, the logits at each position are:")
print("  " + " ".join("same" if s else "CHANGED" for s in same))

# the attention written out, instead of PyTorch's one call: the same logits
for block in model.h:
    block.attn.fused = False
with torch.no_grad():
    written_out = model(ids)
torch.testing.assert_close(written_out, logits)
print("attention written out (fused = False): the same logits, to rounding")
