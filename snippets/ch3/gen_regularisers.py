"""Dropout, weight decay, early stopping and ten times more text, each measured against the same overfitting
baseline: the same initial weights, the same batch order, the same number of steps."""

from dataclasses import replace

import torch
import torch.nn.functional as F

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


DROPOUT, WEIGHT_DECAY, MORE = 0.2, 1.0, 10  # the regularisers tried
PATIENCE = 3  # early stopping: stop after this many evaluations without a new lowest validation loss


def gen_patience_stop(losses, patience):
    """Where early stopping with this patience ends the run, and the evaluation it keeps (indices)."""
    kept = 0
    for i, loss in enumerate(losses):
        kept = i if loss < losses[kept] else kept
        if i - kept == patience:
            return i, kept
    return len(losses) - 1, kept


torch.manual_seed(0)
start = GPT(config).state_dict()
torch.manual_seed(0)  # dropout adds no weights, so every run below starts from these same numbers
with_dropout = GPT(replace(config, dropout=DROPOUT)).state_dict()
assert all(torch.equal(start[name], tensor) for name, tensor in with_dropout.items())
runs = {"baseline (none)": gen_train_run(small),
        f"dropout {DROPOUT}": gen_train_run(small, dropout=DROPOUT),
        f"weight decay {WEIGHT_DECAY}": gen_train_run(small, weight_decay=WEIGHT_DECAY),
        f"{MORE}x the text": gen_train_run(torch.tensor([index[c] for c in train_text[: MORE * SLICE_CHARS]]))}
rows = {}  # run -> (lowest validation loss, its step, final validation loss, final training loss)
for name, (history, _) in runs.items():
    i = history["validation"].index(min(history["validation"]))
    rows[name] = (history["validation"][i], history["step"][i], history["validation"][-1], history["train"][-1])
baseline, best_weights = runs["baseline (none)"]
stop, kept = gen_patience_stop(baseline["validation"], PATIENCE)
early = GPT(config)
early.load_state_dict(best_weights)  # early stopping keeps the baseline's best checkpoint, not its last weights
assert mean_loss(early, validation, config.n_ctx) == min(baseline["validation"]) == baseline["validation"][kept]
rows["early stopping"] = (*rows["baseline (none)"][:2], baseline["validation"][kept], baseline["train"][kept])

print(f"{STEPS} steps on the first {SLICE_CHARS:,} characters (the last row: {MORE * SLICE_CHARS:,}); "
      f"validation loss in nats per character")
print(f"{'run':18}{'lowest':>8}{'at step':>9}{'final':>8}{'train':>8}{'gap':>8}")
for name, (best_loss, step, final_loss, train_loss) in rows.items():
    print(f"{name:18}{best_loss:8.3f}{step:9}{final_loss:8.3f}{train_loss:8.3f}{final_loss - train_loss:8.3f}")
print(f"with a patience of {PATIENCE} evaluations, early stopping ends the baseline at step {baseline['step'][stop]} "
      f"and keeps step {baseline['step'][kept]}")
print(f"decay alone multiplies a matrix by {(1 - LR * WEIGHT_DECAY) ** STEPS:.3f} over {STEPS} steps "
      f"(1 - lr * weight decay per step); GPT-3's weight decay, 0.1, by {(1 - LR * 0.1) ** STEPS:.3f}")
lowest, _, final, _ = rows["baseline (none)"]
changes = {name: (row[0] - lowest, row[2] - final) for name, row in rows.items() if name != "baseline (none)"}
for name, (lowest_change, final_change) in changes.items():
    print(f"{name:18}lowest {lowest_change:+.3f}, final {final_change:+.3f} against the baseline")
ranking = sorted(rows, key=lambda name: rows[name][2])
print("ranked by final validation loss: " + " < ".join(ranking))
assert ranking[0] == f"{MORE}x the text" and changes[ranking[0]][0] < -0.3  # more text: lowest, by far
gap = {name: row[2] - row[3] for name, row in rows.items()}
assert all(final_change < 0 and gap[name] < gap["baseline (none)"]  # every remedy ends lower, with a smaller gap
           for name, (_, final_change) in changes.items())
assert all(abs(changes[name][0]) < 0.05 < -changes[name][1]  # dropout and decay: a similar lowest, a far lower final
           for name in (f"dropout {DROPOUT}", f"weight decay {WEIGHT_DECAY}"))
