"""The tiny GPT's training helpers, taught on docs/ch3/training.md: the character
data, one training step, the loss over a text, saving and loading a checkpoint,
and sampling from it.

    from foundations_of_llms.training import (
        character_split,
        mean_loss,
        train_step,
    )
"""

import json
import math
from dataclasses import asdict
from pathlib import Path

import torch
import torch.nn as nn
import torch.nn.functional as F
from safetensors.torch import load_file, save_file

from foundations_of_llms.gpt import GPT, GPTConfig
from foundations_of_llms.plays import TEST_PLAYS, VALIDATION_PLAYS, plays_text

# The tiny GPT that `make tiny-gpt` trained and the course ships, in a clone of
# the repository (src/ beside docs/).
SHIPPED_MODEL = (Path(__file__).resolve().parents[2]
                 / "docs" / "models" / "tiny-gpt")


# --8<-- [start:characters]
def character_split():
    """The training plays' text, the validation plays' text in its characters, and
    those characters sorted: the vocabulary of chapter 3's character-level models
    (docs/ch3/training.md)."""
    train_text = plays_text(
        lambda name: name not in VALIDATION_PLAYS | TEST_PLAYS)
    chars = sorted(set(train_text))
    index = {c: i for i, c in enumerate(chars)}
    validation_text = "".join(c for c in plays_text(VALIDATION_PLAYS.__contains__)
                              if c in index)
    return train_text, validation_text, chars
# --8<-- [end:characters]


# --8<-- [start:decay_groups]
def decay_groups(model, weight_decay):
    """AdamW's parameter groups: decay on the matrices only, not on biases and
    LayerNorm gains (docs/ch3/training.md)."""
    return [{"params": [p for p in model.parameters() if p.dim() >= 2],
             "weight_decay": weight_decay},
            {"params": [p for p in model.parameters() if p.dim() < 2],
             "weight_decay": 0.0}]
# --8<-- [end:decay_groups]


# --8<-- [start:lr_at]
# the learning rate rises linearly from 0 over these steps ...
WARMUP_STEPS = 100
# ... then follows a cosine from PEAK_LR down to MIN_LR at the last step
PEAK_LR, MIN_LR = 3e-3, 3e-4


def lr_at(step, steps):
    """The tiny GPT's schedule: linear warm-up to PEAK_LR, then cosine decay to
    MIN_LR at the last step (docs/ch3/training.md)."""
    if step < WARMUP_STEPS:
        return PEAK_LR * (step + 1) / WARMUP_STEPS
    progress = (step - WARMUP_STEPS) / max(1, steps - 1 - WARMUP_STEPS)  # 0 -> 1
    return MIN_LR + 0.5 * (PEAK_LR - MIN_LR) * (1 + math.cos(math.pi * progress))
# --8<-- [end:lr_at]


# --8<-- [start:train_step]
def train_step(model, optimizer, data, n_ctx, batch, generator=None, clip=None):
    """One step: draw `batch` windows of n_ctx + 1 ids from data, predict every
    next id, follow the gradient of the mean cross-entropy (its norm clipped to
    `clip`, if given); returns the loss (docs/ch3/training.md)."""
    starts = torch.randint(len(data) - n_ctx - 1, (batch,), generator=generator)
    # (batch, n_ctx + 1)
    windows = torch.stack([data[s : s + n_ctx + 1] for s in starts.tolist()])
    loss = F.cross_entropy(model(windows[:, :-1]).flatten(0, 1),
                           windows[:, 1:].flatten())
    optimizer.zero_grad(set_to_none=True)
    loss.backward()
    if clip is not None:
        nn.utils.clip_grad_norm_(model.parameters(), clip)
    optimizer.step()
    return loss
# --8<-- [end:train_step]


# --8<-- [start:mean_loss]
@torch.no_grad()
def mean_loss(model, ids, n_ctx):
    """Mean cross-entropy (nats per character) over consecutive n_ctx-long windows
    of ids (docs/ch3/training.md)."""
    model.eval()
    rows = (len(ids) - 1) // n_ctx
    inputs = ids[: rows * n_ctx].view(rows, n_ctx)
    targets = ids[1 : rows * n_ctx + 1].view(rows, n_ctx)
    losses = [F.cross_entropy(model(x).flatten(0, 1), y.flatten(),
                              reduction="sum")
              for x, y in zip(inputs.split(64), targets.split(64), strict=True)]
    model.train()
    return torch.stack(losses).sum().item() / targets.numel()
# --8<-- [end:mean_loss]


# --8<-- [start:save_pretrained]
def save_pretrained(model, config, chars, path):
    """Save config.json, model.safetensors and tokenizer.json: all from_pretrained
    needs (docs/ch3/training.md)."""
    path.mkdir(parents=True, exist_ok=True)
    (path / "config.json").write_text(json.dumps(asdict(config), indent=2) + "\n")
    (path / "tokenizer.json").write_text(
        json.dumps({"chars": chars}, ensure_ascii=False) + "\n")
    state = {name: tensor for name, tensor in model.state_dict().items()
             if name != "lm_head.weight"}  # tied
    save_file(state, path / "model.safetensors")
# --8<-- [end:save_pretrained]


# --8<-- [start:from_pretrained]
def from_pretrained(path):
    """Load a saved tiny GPT: (model in eval mode, its list of characters)
    (docs/ch3/training.md)."""
    config = GPTConfig(**json.loads((path / "config.json").read_text()))
    model = GPT(config)
    # lm_head is tied to wte
    model.load_state_dict(load_file(path / "model.safetensors"), strict=False)
    chars = json.loads(
        (path / "tokenizer.json").read_text(encoding="utf-8"))["chars"]
    return model.eval(), chars
# --8<-- [end:from_pretrained]


# --8<-- [start:sample_text]
@torch.no_grad()
def sample_text(model, chars, prompt, length, temperature, generator):
    """Continue `prompt` a character at a time, each drawn from
    softmax(logits / T) (docs/ch3/training.md)."""
    index = {c: i for i, c in enumerate(chars)}
    ids = torch.tensor([[index[c] for c in prompt]])  # (1, seq)
    for _ in range(length):
        # the last n_ctx characters at most
        logits = model(ids[:, -model.wpe.num_embeddings :])[0, -1]
        next_id = torch.multinomial(F.softmax(logits / temperature, dim=-1), 1,
                                    generator=generator)
        ids = torch.cat([ids, next_id[None]], dim=1)
    return "".join(chars[i] for i in ids[0].tolist())
# --8<-- [end:sample_text]
