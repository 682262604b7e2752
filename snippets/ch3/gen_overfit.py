"""A tiny GPT trained too long on too little text: the training loss keeps falling, the validation loss
falls, reaches a minimum and rises again."""

from dataclasses import replace

import matplotlib.pyplot as plt
import torch
import torch.nn.functional as F

from foundations_of_llms.figures import save_light_and_dark
from foundations_of_llms.gpt import GPT, GPTConfig
from foundations_of_llms.plays import TEST_PLAYS, VALIDATION_PLAYS, plays_text
from foundations_of_llms.training import mean_loss

SLICE_CHARS = 1_500  # the first 1,500 characters of the training plays: the opening lines of one play
VALIDATION_CHARS = 4_096  # validation loss on the first 4,096 characters of the validation plays: 128 windows
STEPS, BATCH, LR, BETAS, EVAL_EVERY = 250, 16, 5e-3, (0.9, 0.99), 25  # constant lr, no warm-up, no clipping
torch.set_num_threads(1)  # the same sums in the same order on every machine; and, measured, faster than two

train_text = plays_text(lambda name: name not in VALIDATION_PLAYS | TEST_PLAYS)
chars = sorted(set(train_text))  # the vocabulary: every character of the training text
index = {c: i for i, c in enumerate(chars)}
validation_text = "".join(c for c in plays_text(VALIDATION_PLAYS.__contains__) if c in index)
small = torch.tensor([index[c] for c in train_text[:SLICE_CHARS]])  # the deliberately small training set
validation = torch.tensor([index[c] for c in validation_text[: VALIDATION_CHARS + 1]])
config = GPTConfig(vocab_size=len(chars), n_ctx=32, d_model=48, n_layer=1, n_head=2)


def gen_train_run(train, dropout=0.0, weight_decay=0.0):
    """Train on the characters `train`; every EVAL_EVERY steps measure the loss on the small slice (the
    training loss) and on the validation text. Returns that history and a copy of the best weights."""
    torch.manual_seed(0)  # the same initial weights for every run (dropout has no weights)
    model = GPT(replace(config, dropout=dropout))
    optimizer = torch.optim.AdamW([  # decoupled weight decay on the matrices only, as in train_tiny_gpt.py
        {"params": [p for p in model.parameters() if p.dim() >= 2], "weight_decay": weight_decay},
        {"params": [p for p in model.parameters() if p.dim() < 2], "weight_decay": 0.0}], lr=LR, betas=BETAS,
        fused=True)  # the same AdamW update, computed for all the weights at once: faster on a CPU
    batches = torch.Generator().manual_seed(0)  # the same window starts in the same order, whatever dropout draws
    history, best_weights = {"step": [], "train": [], "validation": []}, None
    for step in range(1, STEPS + 1):
        starts = torch.randint(len(train) - config.n_ctx - 1, (BATCH,), generator=batches)
        windows = torch.stack([train[s : s + config.n_ctx + 1] for s in starts.tolist()])  # (batch, n_ctx + 1)
        loss = F.cross_entropy(model(windows[:, :-1]).flatten(0, 1), windows[:, 1:].flatten())
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        if step % EVAL_EVERY == 0:
            history["step"].append(step)
            history["train"].append(mean_loss(model, small, config.n_ctx))
            history["validation"].append(mean_loss(model, validation, config.n_ctx))
            if history["validation"][-1] == min(history["validation"]):  # the best checkpoint so far
                best_weights = {name: tensor.clone() for name, tensor in model.state_dict().items()}
    return history, best_weights


history, _ = gen_train_run(small)
best = history["validation"].index(min(history["validation"]))
lines = train_text[:SLICE_CHARS].count("\n")
print(f"training text: the first {SLICE_CHARS:,} characters ({lines} lines); "
      f"{STEPS} steps of {BATCH} windows of {config.n_ctx}, about {STEPS * BATCH * config.n_ctx // SLICE_CHARS} "
      f"passes over it")
print(f"model: {config.n_layer} block, d_model {config.d_model}, {sum(p.numel() for p in GPT(config).parameters()):,} "
      f"parameters; loss in nats per character")
print(f"{'step':>5}{'train':>8}{'validation':>12}")
for i, step in enumerate(history["step"]):
    print(f"{step:5}{history['train'][i]:8.3f}{history['validation'][i]:12.3f}" + ("  <- lowest" if i == best else ""))
rise = history["validation"][-1] - history["validation"][best]
print(f"validation: down from {history['validation'][0]:.3f} to {history['validation'][best]:.3f} at step "
      f"{history['step'][best]}, then up by {rise:.3f}; training loss down by "
      f"{history['train'][best] - history['train'][-1]:.3f} over the same steps")
assert history["validation"][0] - history["validation"][best] > 0.3 and rise > 0.2  # falls first, then rises
assert all(a > b for a, b in zip(history["train"], history["train"][1:], strict=False))  # training loss only falls


def gen_draw_curves():
    fig, ax = plt.subplots(figsize=(7, 4), layout="constrained")
    ax.plot(history["step"], history["train"], marker=".", label=f"training loss (its {SLICE_CHARS:,} characters)")
    ax.plot(history["step"], history["validation"], marker=".", label="validation loss (two other plays)")
    ax.axvline(history["step"][best], linestyle=":", color="gray",
               label=f"lowest validation loss (step {history['step'][best]})")
    ax.set(xlabel="step", ylabel="loss (nats per character)", title="Too little text: the validation loss turns up")
    ax.legend(frameon=False)
    return fig


save_light_and_dark(gen_draw_curves, "gen-overfit-curves")
print("saved gen-overfit-curves-light.svg and gen-overfit-curves-dark.svg")
