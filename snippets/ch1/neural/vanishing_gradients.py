"""How much gradient reaches each earlier
time step: a vanilla RNN against an LSTM."""

import matplotlib.pyplot as plt
import torch
import torch.nn as nn

from foundations_of_llms.figures import save_light_and_dark

HIDDEN = 64
STEPS = 100  # length of the sequence; the gradient starts at its last step
SHOWN = (1, 10, 25, 50, 99)  # steps back to print
torch.manual_seed(0)
# float64: tiny gradients stay above zero
inputs = torch.randn(1, STEPS, HIDDEN, dtype=torch.float64)


def lstm(forget_bias=None):
    """PyTorch's LSTM; optionally with the forget gate's bias set, to start
    with the gate open."""
    torch.manual_seed(1)  # the same random weights for every LSTM
    cell = nn.LSTM(HIDDEN, HIDDEN, batch_first=True, dtype=torch.float64)
    if forget_bias is not None:
        # PyTorch orders each bias vector as input, forget, cell, output gate
        with torch.no_grad():
            cell.bias_ih_l0[HIDDEN : 2 * HIDDEN] = forget_bias / 2
            cell.bias_hh_l0[HIDDEN : 2 * HIDDEN] = forget_bias / 2
    return cell


def gradient_by_step(cell):
    """||d h_T / d x_t||: the norm of the gradient of the last output with
    respect to each input."""
    x = inputs.clone().requires_grad_(True)
    outputs, _ = cell(x)
    outputs[0, -1].sum().backward()
    return x.grad[0].norm(dim=-1).flip(0)  # index k = k steps before the last


torch.manual_seed(1)
cells = {
    "vanilla RNN (tanh)": nn.RNN(HIDDEN, HIDDEN, batch_first=True,
                                 dtype=torch.float64),
    "LSTM, PyTorch's initialisation": lstm(),
    "LSTM, forget-gate bias 1": lstm(forget_bias=1.0),
    "LSTM, forget-gate bias 3": lstm(forget_bias=3.0),
}
norms = {name: gradient_by_step(cell) for name, cell in cells.items()}

print(f"{'steps back':31}" + "".join(f"{k:>10}" for k in SHOWN))
for name, norm in norms.items():
    print(f"{name:31}" + "".join(f"{norm[k].item():>10.1e}" for k in SHOWN))

rnn, default_lstm, open_lstm = (norms[name][50].item()
                                for name in list(cells)[:3])
assert rnn < default_lstm < open_lstm  # the claims the page makes, 50 steps back

# What the figure shows: how far each curve falls, and how straight the vanilla
# RNN's is on the log scale.
orders_lost = {name: (norm[1] / norm[99]).log10().item()
               for name, norm in norms.items()}
print("orders of magnitude lost from 1 to 99 steps back: "
      + "; ".join(f"{name} {lost:.1f}" for name, lost in orders_lost.items()))
lost = list(orders_lost.values())
# the RNN fastest; the larger the bias, the slower
assert lost[0] > 30 and lost == sorted(lost, reverse=True)
steps_back = torch.arange(1, STEPS, dtype=torch.float64)
rnn_log = norms["vanilla RNN (tanh)"][1:].log10()
slope, intercept = torch.linalg.lstsq(
    torch.stack([steps_back, torch.ones_like(steps_back)], dim=1),
    rnn_log[:, None]).solution[:, 0]
off_line = (rnn_log - (slope * steps_back + intercept)).abs().max().item()
print(f"vanilla RNN: within {off_line:.1f} orders of magnitude of a straight "
      f"line from 1 to 99 steps back, losing {-slope:.2f} per step")
bias_3 = norms["LSTM, forget-gate bias 3"].log10()
print("LSTM, forget-gate bias 3: stays within "
      f"{(bias_3.max() - bias_3.min()).item():.1f} orders of magnitude at "
      "every step back")


def draw_gradient_norms():
    fig, ax = plt.subplots(figsize=(7, 4), layout="constrained")
    for name, norm in norms.items():
        ax.plot(range(STEPS), norm, label=name)
    ax.set(yscale="log", xlabel="steps back from the last output",
           ylabel="gradient norm (log scale)",
           title="Gradient reaching earlier inputs, at initialisation")
    ax.legend(frameon=False)
    return fig


save_light_and_dark(draw_gradient_norms, "vanishing-gradients")
print("saved vanishing-gradients-light.svg and vanishing-gradients-dark.svg")
