"""Fine-tune the course's tiny GPT to a new style with LoRA: a frozen base
model plus trainable low-rank updates B A, written from scratch, trained for a
few seconds on NumPy's own documentation."""

import inspect
import math

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

from foundations_of_llms.plays import VALIDATION_PLAYS, plays_text
from foundations_of_llms.training import (
    SHIPPED_MODEL,
    from_pretrained,
    mean_loss,
    sample_text,
)

CHECKPOINT = SHIPPED_MODEL  # or the folder your run saved
# the loss on the first 4,096 characters of the validation plays: 64 windows
EVAL_CHARS = 4_096
# the last 4,096 characters of NumPy's documentation: never trained on
HELD_OUT_CHARS = 4_096
RANK, ALPHA = 8, 16  # r and alpha: the update is (alpha / r) B A
# AdamW on A and B only: a few seconds on one CPU thread
STEPS, BATCH, LR = 30, 12, 1e-2
PROMPT, SAMPLE_CHARS, TEMPERATURE, SEED = "The ", 120, 0.8, 0


class LoRALinear(nn.Module):
    """A frozen nn.Linear, W x + b, plus a trainable
    low-rank update: W x + b + (alpha / r) B A x."""

    def __init__(self, base, r, alpha):
        super().__init__()
        self.base = base.requires_grad_(False)  # W and b: frozen
        # (r, d_in)
        self.lora_A = nn.Parameter(torch.randn(r, base.in_features)
                                   / math.sqrt(base.in_features))
        # (d_out, r): zero, so B A = 0 at first
        self.lora_B = nn.Parameter(torch.zeros(base.out_features, r))
        self.scale = alpha / r

    def forward(self, x):  # x: (..., d_in)
        # (..., d_out)
        return self.base(x) + self.scale * (x @ self.lora_A.T) @ self.lora_B.T


def numpy_docs():
    """NumPy's own documentation: the docstring of each public function and
    class, in alphabetical order."""
    objects = [getattr(np, name) for name in sorted(dir(np))
               if not name.startswith("_")]
    return "\n\n".join(inspect.cleandoc(o.__doc__) for o in objects
                       if callable(o)
                       and str(getattr(o, "__module__", "")).startswith("numpy")
                       and o.__doc__)


def lora_text_ids(text, index):
    """The characters of `text` that the tiny GPT knows, as a tensor of ids."""
    return torch.tensor([index[c] for c in text if c in index])


# as in training: the same numbers on any number of cores
torch.set_num_threads(1)
base, chars = from_pretrained(CHECKPOINT)  # never changed: the reference
model, _ = from_pretrained(CHECKPOINT)  # gets the adapters
index = {c: i for i, c in enumerate(chars)}
# freeze everything, then add trainable A and B beside each W_QKV and W_O
model.requires_grad_(False)
torch.manual_seed(SEED)
for block in model.h:
    block.attn.c_attn = LoRALinear(block.attn.c_attn, RANK, ALPHA)
    block.attn.c_proj = LoRALinear(block.attn.c_proj, RANK, ALPHA)
trainable = [p for p in model.parameters() if p.requires_grad]
n_full, n_lora = (sum(p.numel() for p in base.parameters()),
                  sum(p.numel() for p in trainable))
print(f"full fine-tuning trains {n_full:,} parameters; LoRA (r = {RANK}) trains "
      f"{n_lora:,}, {n_full / n_lora:.0f}x fewer")

# fixed by the pinned NumPy version, whatever the Python version
docs = lora_text_ids(numpy_docs(), index)
new_train, new_held_out = docs[:-HELD_OUT_CHARS], docs[-HELD_OUT_CHARS - 1 :]
shakespeare = lora_text_ids(plays_text(VALIDATION_PLAYS.__contains__),
                            index)[: EVAL_CHARS + 1]
n_ctx = model.wpe.num_embeddings
probe = new_held_out[: 4 * n_ctx].view(4, n_ctx)  # 4 windows to compare logits on
# B = 0: the adapted model starts as the base model, exactly
assert torch.equal(model(probe), base(probe))

generator = torch.Generator().manual_seed(SEED)
optimizer = torch.optim.AdamW(trainable, lr=LR, weight_decay=0.0)
model.train()
for _ in range(STEPS):
    starts = torch.randint(len(new_train) - n_ctx - 1, (BATCH,),
                           generator=generator)
    # (batch, n_ctx + 1)
    windows = torch.stack([new_train[s : s + n_ctx + 1] for s in starts.tolist()])
    loss = F.cross_entropy(model(windows[:, :-1]).flatten(0, 1),
                           windows[:, 1:].flatten())
    optimizer.zero_grad(set_to_none=True)
    loss.backward()
    optimizer.step()
model.eval()
state = sum(t.numel() for s in optimizer.state.values() for t in s.values()
            if t.dim() > 0)
# two moments per trainable parameter; nothing for the frozen ones
assert state == 2 * n_lora
print(f"after {STEPS} steps of {BATCH} windows: AdamW holds {state:,} numbers of "
      f"state (full fine-tuning would hold {2 * n_full:,})")

frozen = {name: p for name, p in model.named_parameters() if not p.requires_grad}
assert len(frozen) == len(list(base.parameters()))
assert all(torch.equal(p, base.get_parameter(name.replace(".base.", ".")))
           for name, p in frozen.items())
# W + (alpha / r) B A, written into plain nn.Linear layers
merged, _ = from_pretrained(CHECKPOINT)
with torch.no_grad():
    for name, module in model.named_modules():
        # W <- W + (alpha / r) B A, in the plain nn.Linear of `merged`
        if isinstance(module, LoRALinear):
            # (d_out, d_in)
            merged.get_submodule(name).weight += (module.scale * module.lora_B
                                                  @ module.lora_A)
    # float32 rounding only
    torch.testing.assert_close(merged(probe), model(probe), rtol=1e-5, atol=1e-4)
print("asserted: base weights unchanged; merged W + (alpha/r) B A gives the "
      "adapter's logits")

losses = {}  # (before, after) in nats per character
for name, ids in (("NumPy docs, held out", new_held_out),
                  ("Shakespeare, validation", shakespeare)):
    losses[name] = mean_loss(base, ids, n_ctx), mean_loss(merged, ids, n_ctx)
    print(f"{name:>23}: loss {losses[name][0]:.3f} before -> "
          f"{losses[name][1]:.3f} after")

samples = []
for label, m in (("before", base), ("after", merged)):
    text = sample_text(m, chars, PROMPT, SAMPLE_CHARS, TEMPERATURE,
                       torch.Generator().manual_seed(SEED))
    samples.append(text)
    print(f"\n{label}, {SAMPLE_CHARS} characters after {PROMPT!r} (temperature "
          f"{TEMPERATURE}, seed {SEED}):\n{text}")
# same prompt, same random numbers: only the weights differ
assert samples[0] != samples[1]

(new_before, new_after), (old_before, old_after) = losses.values()
assert new_after < new_before and old_after > old_before  # the page says both
change_new, change_old = new_after - new_before, old_after - old_before
print(f"\ntraining {n_lora / n_full:.1%} of the parameters for {STEPS} steps: "
      f"the new style's loss {'fell' if change_new < 0 else 'rose'} by "
      f"{abs(change_new):.3f}, Shakespeare's "
      f"{'fell' if change_old < 0 else 'rose'} by {abs(change_old):.3f}; the "
      "base model is intact")
