"""Dropout, weight decay, early stopping and ten times more text, each measured
against the same overfitting baseline: the same initial weights, the same batch
order, the same number of steps."""

from dataclasses import replace

import torch

from foundations_of_llms.generalisation import (
    LR,
    SLICE_CHARS,
    STEPS,
    overfit_data,
    overfit_run,
)
from foundations_of_llms.gpt import GPT
from foundations_of_llms.training import mean_loss

# the same sums in the same order on every machine; and, measured, faster than two
torch.set_num_threads(1)

train_text, index, small, validation, config = overfit_data()


DROPOUT, WEIGHT_DECAY, MORE = 0.2, 1.0, 10  # the regularisers tried
# early stopping: stop after this many evaluations
# without a new lowest validation loss
PATIENCE = 3


def gen_patience_stop(losses, patience):
    """Where early stopping with this patience ends the run, and the evaluation
    it keeps (indices)."""
    kept = 0
    for i, loss in enumerate(losses):
        kept = i if loss < losses[kept] else kept
        if i - kept == patience:
            return i, kept
    return len(losses) - 1, kept


torch.manual_seed(0)
start = GPT(config).state_dict()
# dropout adds no weights, so every run below starts from these same numbers
torch.manual_seed(0)
with_dropout = GPT(replace(config, dropout=DROPOUT)).state_dict()
assert all(torch.equal(start[name], tensor)
           for name, tensor in with_dropout.items())
more = torch.tensor([index[c] for c in train_text[: MORE * SLICE_CHARS]])
runs = {"baseline (none)": overfit_run(small, small, validation, config),
        f"dropout {DROPOUT}": overfit_run(small, small, validation, config,
                                          dropout=DROPOUT),
        f"weight decay {WEIGHT_DECAY}": overfit_run(small, small, validation,
                                                    config,
                                                    weight_decay=WEIGHT_DECAY),
        f"{MORE}x the text": overfit_run(more, small, validation, config)}
# run -> (lowest validation loss, its step,
# final validation loss, final training loss)
rows = {}
for name, (history, _) in runs.items():
    i = history["validation"].index(min(history["validation"]))
    rows[name] = (history["validation"][i], history["step"][i],
                  history["validation"][-1], history["train"][-1])
baseline, best_weights = runs["baseline (none)"]
stop, kept = gen_patience_stop(baseline["validation"], PATIENCE)
early = GPT(config)
# early stopping keeps the baseline's best checkpoint, not its last weights
early.load_state_dict(best_weights)
assert (mean_loss(early, validation, config.n_ctx)
        == min(baseline["validation"]) == baseline["validation"][kept])
rows["early stopping"] = (*rows["baseline (none)"][:2],
                          baseline["validation"][kept], baseline["train"][kept])

print(f"{STEPS} steps on the first {SLICE_CHARS:,} characters (the last row: "
      f"{MORE * SLICE_CHARS:,}); validation loss in nats per character")
print(f"{'run':18}{'lowest':>8}{'at step':>9}{'final':>8}{'train':>8}{'gap':>8}")
for name, (best_loss, step, final_loss, train_loss) in rows.items():
    print(f"{name:18}{best_loss:8.3f}{step:9}{final_loss:8.3f}{train_loss:8.3f}"
          f"{final_loss - train_loss:8.3f}")
print(f"with a patience of {PATIENCE} evaluations, early stopping ends the "
      f"baseline at step {baseline['step'][stop]} and keeps step "
      f"{baseline['step'][kept]}")
print("decay alone multiplies a matrix by "
      f"{(1 - LR * WEIGHT_DECAY) ** STEPS:.3f} over {STEPS} steps (1 - lr * "
      "weight decay per step); GPT-3's weight decay, 0.1, by "
      f"{(1 - LR * 0.1) ** STEPS:.3f}")
lowest, _, final, _ = rows["baseline (none)"]
changes = {name: (row[0] - lowest, row[2] - final) for name, row in rows.items()
           if name != "baseline (none)"}
for name, (lowest_change, final_change) in changes.items():
    print(f"{name:18}lowest {lowest_change:+.3f}, final {final_change:+.3f} "
          "against the baseline")
ranking = sorted(rows, key=lambda name: rows[name][2])
print("ranked by final validation loss: " + " < ".join(ranking))
# more text: lowest, by far
assert ranking[0] == f"{MORE}x the text" and changes[ranking[0]][0] < -0.3
gap = {name: row[2] - row[3] for name, row in rows.items()}
# every remedy ends lower, with a smaller gap
assert all(final_change < 0 and gap[name] < gap["baseline (none)"]
           for name, (_, final_change) in changes.items())
# dropout and decay: a similar lowest, a far lower final
assert all(abs(changes[name][0]) < 0.05 < -changes[name][1]
           for name in (f"dropout {DROPOUT}", f"weight decay {WEIGHT_DECAY}"))
