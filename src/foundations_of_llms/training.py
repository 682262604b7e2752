"""The tiny GPT's training helpers, taught on docs/ch3/training.md: the loss over a text, saving and loading a
checkpoint, and sampling from it.

    from foundations_of_llms.training import from_pretrained, mean_loss, sample_text
"""

import json
from dataclasses import asdict

import torch
import torch.nn.functional as F
from safetensors.torch import load_file, save_file

from foundations_of_llms.gpt import GPT, GPTConfig


# --8<-- [start:mean_loss]
@torch.no_grad()
def mean_loss(model, ids, n_ctx):
    """Mean cross-entropy (nats per character) over consecutive n_ctx-long windows of ids (docs/ch3/training.md)."""
    model.eval()
    rows = (len(ids) - 1) // n_ctx
    inputs = ids[: rows * n_ctx].view(rows, n_ctx)
    targets = ids[1 : rows * n_ctx + 1].view(rows, n_ctx)
    losses = [F.cross_entropy(model(x).flatten(0, 1), y.flatten(), reduction="sum")
              for x, y in zip(inputs.split(64), targets.split(64), strict=True)]
    model.train()
    return torch.stack(losses).sum().item() / targets.numel()
# --8<-- [end:mean_loss]


# --8<-- [start:save_pretrained]
def save_pretrained(model, config, chars, path):
    """Save config.json, model.safetensors and tokenizer.json: all from_pretrained needs (docs/ch3/training.md)."""
    path.mkdir(parents=True, exist_ok=True)
    (path / "config.json").write_text(json.dumps(asdict(config), indent=2) + "\n")
    (path / "tokenizer.json").write_text(json.dumps({"chars": chars}, ensure_ascii=False) + "\n")
    state = {name: tensor for name, tensor in model.state_dict().items() if name != "lm_head.weight"}  # tied
    save_file(state, path / "model.safetensors")
# --8<-- [end:save_pretrained]


# --8<-- [start:from_pretrained]
def from_pretrained(path):
    """Load a saved tiny GPT: (model in eval mode, its list of characters) (docs/ch3/training.md)."""
    config = GPTConfig(**json.loads((path / "config.json").read_text()))
    model = GPT(config)
    model.load_state_dict(load_file(path / "model.safetensors"), strict=False)  # lm_head is tied to wte
    chars = json.loads((path / "tokenizer.json").read_text(encoding="utf-8"))["chars"]
    return model.eval(), chars
# --8<-- [end:from_pretrained]


# --8<-- [start:sample_text]
@torch.no_grad()
def sample_text(model, chars, prompt, length, temperature, generator):
    """Continue `prompt` a character at a time, each drawn from softmax(logits / T) (docs/ch3/training.md)."""
    index = {c: i for i, c in enumerate(chars)}
    ids = torch.tensor([[index[c] for c in prompt]])  # (1, seq)
    for _ in range(length):
        logits = model(ids[:, -model.wpe.num_embeddings :])[0, -1]  # the last n_ctx characters at most
        next_id = torch.multinomial(F.softmax(logits / temperature, dim=-1), 1, generator=generator)
        ids = torch.cat([ids, next_id[None]], dim=1)
    return "".join(chars[i] for i in ids[0].tolist())
# --8<-- [end:sample_text]
