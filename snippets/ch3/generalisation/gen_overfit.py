"""A tiny GPT trained too long on too little text: the training loss keeps
falling, the validation loss falls, reaches a minimum and rises again."""


import matplotlib.pyplot as plt
import torch

from foundations_of_llms.figures import save_light_and_dark
from foundations_of_llms.generalisation import (
    BATCH,
    SLICE_CHARS,
    STEPS,
    overfit_data,
    overfit_run,
)
from foundations_of_llms.gpt import GPT

# the same sums in the same order on every machine; and, measured, faster than two
torch.set_num_threads(1)

train_text, index, small, validation, config = overfit_data()


history, _ = overfit_run(small, small, validation, config)
best = history["validation"].index(min(history["validation"]))
lines = train_text[:SLICE_CHARS].count("\n")
print(f"training text: the first {SLICE_CHARS:,} characters ({lines} lines); "
      f"{STEPS} steps of {BATCH} windows of {config.n_ctx}, about "
      f"{STEPS * BATCH * config.n_ctx // SLICE_CHARS} passes over it")
print(f"model: {config.n_layer} block, d_model {config.d_model}, "
      f"{sum(p.numel() for p in GPT(config).parameters()):,} parameters; loss in "
      "nats per character")
print(f"{'step':>5}{'train':>8}{'validation':>12}")
for i, step in enumerate(history["step"]):
    print(f"{step:5}{history['train'][i]:8.3f}{history['validation'][i]:12.3f}"
          + ("  <- lowest" if i == best else ""))
rise = history["validation"][-1] - history["validation"][best]
print(f"validation: down from {history['validation'][0]:.3f} to "
      f"{history['validation'][best]:.3f} at step {history['step'][best]}, then "
      f"up by {rise:.3f}; training loss down by "
      f"{history['train'][best] - history['train'][-1]:.3f} over the same steps")
# falls first, then rises
assert history["validation"][0] - history["validation"][best] > 0.3 and rise > 0.2
# training loss only falls
assert all(a > b for a, b in zip(history["train"], history["train"][1:],
                                 strict=False))
# validation minus training
gap = [v - t for t, v in zip(history["train"], history["validation"],
                             strict=True)]
# the figure's two curves move apart at every step
assert all(a < b for a, b in zip(gap, gap[1:], strict=False))
print(f"gap between the curves (validation - training): {gap[0]:+.3f} at step "
      f"{history['step'][0]}, {gap[best]:+.3f} at step {history['step'][best]}, "
      f"{gap[-1]:+.3f} at step {history['step'][-1]}; wider at every measurement")


def gen_draw_curves():
    fig, ax = plt.subplots(figsize=(7, 4), layout="constrained")
    ax.plot(history["step"], history["train"], marker=".",
            label=f"training loss (its {SLICE_CHARS:,} characters)")
    ax.plot(history["step"], history["validation"], marker=".",
            label="validation loss (another play's opening)")
    ax.axvline(history["step"][best], linestyle=":", color="gray",
               label=f"lowest validation loss (step {history['step'][best]})")
    ax.set(xlabel="step", ylabel="loss (nats per character)",
           title="Too little text: the validation loss turns up")
    # under the plot: in it, the dotted line would run through it
    fig.legend(loc="outside lower center", frameon=False)
    return fig


save_light_and_dark(gen_draw_curves, "gen-overfit-curves")
print("saved gen-overfit-curves-light.svg and gen-overfit-curves-dark.svg")
