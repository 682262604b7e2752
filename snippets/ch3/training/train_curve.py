"""The tiny GPT's validation curve as a band over three seeds, with nanoGPT's
published CPU figure as a landmark (it was measured on another text)."""

import json

import matplotlib.pyplot as plt

from foundations_of_llms.figures import save_light_and_dark
from foundations_of_llms.training import SHIPPED_MODEL

CHECKPOINT = SHIPPED_MODEL  # what `make tiny-gpt` ships
# one run per seed
HISTORIES = {0: "history.json", 1: "history-seed-1.json",
             2: "history-seed-2.json"}
# nanoGPT README: "about ~3 minutes ... a loss of only 1.88"
NANOGPT_VAL_LOSS, NANOGPT_SECONDS = 1.88, 180

runs = {seed: json.loads((CHECKPOINT / name).read_text())
        for seed, name in HISTORIES.items()}
steps = runs[0]["step"]
# every seed measured at the same steps
assert all(run["step"] == steps for run in runs.values())
low = [min(run["val_loss"][i] for run in runs.values())
       for i in range(len(steps))]
high = [max(run["val_loss"][i] for run in runs.values())
        for i in range(len(steps))]

print(f"{'step':>5} {'seed 0':>7} {'band over 3 seeds':>18} {'seed 0 time':>12}")
for i, step in enumerate(steps):
    print(f"{step:>5} {runs[0]['val_loss'][i]:>7.3f} {low[i]:>9.3f} - "
          f"{high[i]:.3f} {runs[0]['seconds'][i]:>10.0f} s")

within = [i for i, seconds in enumerate(runs[0]["seconds"])
          if seconds <= NANOGPT_SECONDS]
final = runs[0]["val_loss"][-1]
print("\nnanoGPT's CPU run (Tiny Shakespeare): validation loss "
      f"{NANOGPT_VAL_LOSS} in about {NANOGPT_SECONDS} s")
# another text and machine: a landmark, not a result to beat (the page measures
# the two side by side on one text)
print(f"this run, seed 0 (this course's text): {final:.3f} after "
      f"{steps[-1]:,} steps in {runs[0]['seconds'][-1]:.0f} s")
if within:
    i = within[-1]
    print(f"the last measurement within {NANOGPT_SECONDS} s: step {steps[i]:,}, "
          f"validation loss {runs[0]['val_loss'][i]:.3f}")

# What the figure shows, computed from what it draws.
width = [h - lo for lo, h in zip(low, high, strict=True)]
widest = width.index(max(width))
print(f"band over the seeds: at most {width[widest]:.3f} wide (step "
      f"{steps[widest]:,}), {width[-1]:.3f} at the end")
seed_0 = runs[0]["val_loss"]
falls = [before - after for before, after in zip(seed_0, seed_0[1:],
                                                 strict=False)]
assert min(falls) > 0  # seed 0's curve falls at every measurement
fastest = falls.index(max(falls))
print(f"seed 0 falls fastest from step {steps[fastest]:,} to "
      f"{steps[fastest + 1]:,}, by {falls[fastest]:.3f}")
below = next(i for i, loss in enumerate(seed_0) if loss < NANOGPT_VAL_LOSS)
print(f"seed 0 first below nanoGPT's {NANOGPT_VAL_LOSS} at step {steps[below]:,} "
      f"(step {steps[below - 1]:,}: {seed_0[below - 1]:.3f})")


def draw_train_band():
    fig, (ax, spread) = plt.subplots(
        2, 1, figsize=(7, 5.6), sharex=True, layout="constrained",
        gridspec_kw={"height_ratios": [3, 2]})
    ax.fill_between(steps, low, high, alpha=0.3, label="range over seeds 0, 1, 2")
    ax.plot(steps, runs[0]["val_loss"], marker="o", ms=4,
            label="seed 0 (the shipped model)")
    ax.axhline(NANOGPT_VAL_LOSS, color="gray", linestyle="--",
               label=f"nanoGPT README: {NANOGPT_VAL_LOSS} (Tiny Shakespeare, "
                     "another text)")
    ax.set(ylabel="validation loss\n(nats per character)",
           title="The tiny GPT's validation loss: compare your run with the band")
    ax.legend(frameon=False)
    # The band is too narrow to see at the loss's scale: below, each seed's
    # distance from the mean of the three, a thousand times larger.
    mean = [sum(run["val_loss"][i] for run in runs.values()) / len(runs)
            for i in range(len(steps))]

    def thousandths(losses):
        return [1000 * (v - m) for v, m in zip(losses, mean, strict=True)]

    spread.fill_between(steps, thousandths(low), thousandths(high), alpha=0.3)
    for seed, marker in zip(runs, "os^", strict=True):
        spread.plot(steps, thousandths(runs[seed]["val_loss"]), marker=marker,
                    ms=4, label=f"seed {seed}")
    spread.axhline(0, color="gray", linewidth=0.5)
    spread.set(xlabel="step (12 windows of 64 characters each)",
               ylabel="seed minus the mean\n(thousandths)")
    spread.margins(y=0.4)  # room above the curves for the legend
    spread.legend(frameon=False, ncols=3, loc="upper center")
    return fig


save_light_and_dark(draw_train_band, "train-band")
print("\nsaved train-band-light.svg and train-band-dark.svg")
