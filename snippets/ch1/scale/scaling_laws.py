"""Compute-optimal model size from Chinchilla's fitted loss, checked against
Chinchilla itself; a figure."""

import matplotlib.pyplot as plt
import numpy as np

from foundations_of_llms.figures import save_light_and_dark

# Hoffmann et al. 2022, section 3.3: the fitted loss L(N, D) = E + A / N^alpha + B
# / D^beta (nats per token)
E, A, B, ALPHA, BETA = 1.69, 406.4, 410.7, 0.34, 0.28
# the rule of thumb that Hoffmann et al. 2022, Table 3, implies
TOKENS_PER_PARAMETER = 20
# FLOPs, Gopher's budget, which Chinchilla also
# used (Hoffmann et al. 2022, 3.4, Table 3)
GOPHER_BUDGET = 5.76e23
CHINCHILLA = (70e9, 1.4e12)  # parameters, tokens (Hoffmann et al. 2022, Table 1)
# parameters, tokens (Hoffmann et al. 2022, Table 1; Rae et al. 2021)
GOPHER = (280e9, 300e9)


def loss(n_parameters, n_tokens):
    return E + A / n_parameters**ALPHA + B / n_tokens**BETA


def rule_of_thumb(compute):
    """N and D with D = 20 N and C = 6 N D, so C = 120 N^2."""
    n = (compute / (6 * TOKENS_PER_PARAMETER)) ** 0.5
    return n, TOKENS_PER_PARAMETER * n


def fitted_optimum(compute):
    """The N that minimises the fitted loss when D = C / (6 N), found on a fine
    grid of model sizes."""
    sizes = np.logspace(6, 14, 20_001)
    best = sizes[np.argmin(loss(sizes, compute / (6 * sizes)))]
    return best, compute / (6 * best)


n, d = rule_of_thumb(GOPHER_BUDGET)
print(f"Gopher's budget C = {GOPHER_BUDGET:.3g} FLOPs")
print(f"  20 tokens per parameter: N = {n / 1e9:.1f}B, D = {d / 1e12:.2f}T")
print(f"  Chinchilla as trained:   N = {CHINCHILLA[0] / 1e9:.1f}B, D = "
      f"{CHINCHILLA[1] / 1e12:.2f}T")
n_fit, d_fit = fitted_optimum(GOPHER_BUDGET)
print(f"  minimum of the fit:      N = {n_fit / 1e9:.1f}B, D = "
      f"{d_fit / 1e12:.2f}T")
assert abs(n / CHINCHILLA[0] - 1) < 0.02 and abs(d / CHINCHILLA[1] - 1) < 0.02
print(f"fitted loss: Chinchilla {loss(*CHINCHILLA):.3f}, Gopher "
      f"{loss(*GOPHER):.3f} nats/token")
# the smaller model trained on more tokens is predicted to win
assert loss(*CHINCHILLA) < loss(*GOPHER)

# What the figure shows, computed from the curves it draws.
BUDGETS = np.logspace(18, 26, 200)  # the figure's x axis, FLOPs
# one curve each
SIZES = {1e8: "100M", 1e9: "1B", 1e10: "10B", 1e11: "100B", 1e12: "1T"}
optimum = np.array([fitted_optimum(c) for c in BUDGETS])
envelope = loss(optimum[:, 0], optimum[:, 1])  # the dashed compute-optimal curve
print(f"each size against the compute-optimal curve, over C = {BUDGETS[0]:.0e} "
      f"to {BUDGETS[-1]:.0e} FLOPs:")
for size, label in SIZES.items():
    curve = loss(size, BUDGETS / (6 * size))
    # it falls, never below the envelope
    assert (np.diff(curve) < 0).all() and (curve >= envelope - 1e-9).all()
    # the floor its size sets: E + A / N^alpha
    above_floor = curve[-1] - (E + A / size**ALPHA)
    closest = (curve - envelope).argmin()
    gap = curve[closest] - envelope[closest]
    touch = (f"touches it at C = {BUDGETS[closest]:.1e}" if gap < 1e-3
             else f"does not touch it (closest: {gap:.3f} above, at C = "
                  f"{BUDGETS[closest]:.0e})")
    print(f"  N = {label:>4}: {touch}; {above_floor:.3f} above its floor at "
          "the last budget")
for name, (size, tokens) in (("Chinchilla", CHINCHILLA), ("Gopher", GOPHER)):
    budget = 6 * size * tokens
    print(f"{name} lies {loss(size, tokens) - loss(*fitted_optimum(budget)):.3f} "
          "above the compute-optimal curve")


def draw_loss_against_compute():
    fig, ax = plt.subplots(figsize=(7, 4.2), layout="constrained")
    for size, label in SIZES.items():
        ax.plot(BUDGETS, loss(size, BUDGETS / (6 * size)), lw=1.2,
                label=f"N = {label} parameters")
    ax.plot(BUDGETS, envelope, "k--" if plt.rcParams["text.color"] == "black"
            else "w--", lw=2, label="compute-optimal N")
    # the two models in the text's colour, each with its own mark, labelled
    # away from the curves
    ink = plt.rcParams["text.color"]
    for name, (size, tokens), mark, offset in (
            ("Chinchilla", CHINCHILLA, "*", (45, -16)),
            ("Gopher", GOPHER, "s", (-75, 30))):
        point = (6 * size * tokens, loss(size, tokens))
        ax.plot(*point, mark, ms=11 if mark == "*" else 7, color=ink, zorder=3)
        ax.annotate(name, point, textcoords="offset points", xytext=offset,
                    arrowprops={"arrowstyle": "-", "color": ink, "lw": 0.8})
    ax.set(xscale="log", ylim=(1.7, 4.5),
           xlabel="training compute C = 6ND (FLOPs)",
           ylabel="fitted loss (nats/token)",
           title="Chinchilla's fitted loss: each model size against compute")
    ax.legend(frameon=False)
    return fig


save_light_and_dark(draw_loss_against_compute, "scaling-laws")
print("saved scaling-laws-light.svg and scaling-laws-dark.svg")
