"""How much gradient reaches each earlier time step: a vanilla RNN against an LSTM."""

import matplotlib.pyplot as plt
import torch
import torch.nn as nn

from foundations_of_llms.figures import save_light_and_dark

HIDDEN = 64
STEPS = 100  # length of the sequence; the gradient starts at its last step
SHOWN = (1, 10, 25, 50, 99)  # steps back to print
torch.manual_seed(0)
inputs = torch.randn(1, STEPS, HIDDEN, dtype=torch.float64)  # float64: tiny gradients stay above zero


def lstm(forget_bias=None):
    """PyTorch's LSTM; optionally with the forget gate's bias set, to start with the gate open."""
    torch.manual_seed(1)  # the same random weights for every LSTM
    cell = nn.LSTM(HIDDEN, HIDDEN, batch_first=True, dtype=torch.float64)
    if forget_bias is not None:
        with torch.no_grad():  # PyTorch orders each bias vector as input, forget, cell, output gate
            cell.bias_ih_l0[HIDDEN : 2 * HIDDEN] = forget_bias / 2
            cell.bias_hh_l0[HIDDEN : 2 * HIDDEN] = forget_bias / 2
    return cell


def gradient_by_step(cell):
    """||d h_T / d x_t||: the norm of the gradient of the last output with respect to each input."""
    x = inputs.clone().requires_grad_(True)
    outputs, _ = cell(x)
    outputs[0, -1].sum().backward()
    return x.grad[0].norm(dim=-1).flip(0)  # index k = k steps before the last


torch.manual_seed(1)
cells = {
    "vanilla RNN (tanh)": nn.RNN(HIDDEN, HIDDEN, batch_first=True, dtype=torch.float64),
    "LSTM, PyTorch's initialisation": lstm(),
    "LSTM, forget-gate bias 1": lstm(forget_bias=1.0),
    "LSTM, forget-gate bias 3": lstm(forget_bias=3.0),
}
norms = {name: gradient_by_step(cell) for name, cell in cells.items()}

print(f"{'steps back':31}" + "".join(f"{k:>10}" for k in SHOWN))
for name, norm in norms.items():
    print(f"{name:31}" + "".join(f"{norm[k].item():>10.1e}" for k in SHOWN))

rnn, default_lstm, open_lstm = (norms[name][50].item() for name in list(cells)[:3])
assert rnn < default_lstm < open_lstm  # the claims the page makes, 50 steps back


def draw_gradient_norms():
    fig, ax = plt.subplots(figsize=(7, 4), layout="constrained")
    for name, norm in norms.items():
        ax.plot(range(STEPS), norm, label=name)
    ax.set(yscale="log", xlabel="steps back from the last output", ylabel="gradient norm (log scale)",
           title="Gradient reaching earlier inputs, at initialisation")
    ax.legend(frameon=False)
    return fig


save_light_and_dark(draw_gradient_norms, "vanishing-gradients")
print("saved vanishing-gradients-light.svg and vanishing-gradients-dark.svg")
