"""SGD with momentum, Adam and AdamW in a few lines each, step for step the
same as torch.optim."""

import copy

import torch
import torch.nn as nn

STEPS = 10
# the learning rate of each step: it drops after step 5
LRS = [0.05] * 5 + [0.01] * 5
MOMENTUM = 0.9  # mu
BETA1, BETA2, EPS = 0.9, 0.999, 1e-8  # Adam's defaults (Kingma & Ba 2015)
WEIGHT_DECAY = 0.1  # lambda

torch.manual_seed(0)
# a small regression problem
inputs, targets = torch.randn(64, 8), torch.randn(64, 1)
start_model = nn.Sequential(nn.Linear(8, 16), nn.Tanh(), nn.Linear(16, 1))


def opt_sgd_momentum(p, g, state, t, lr):
    """PyTorch's convention: b_t = mu b_{t-1}
    + g_t (b_1 = g_1), then p <- p - lr b_t."""
    state["b"] = g.clone() if t == 1 else MOMENTUM * state["b"] + g
    p -= lr * state["b"]


def opt_sgd_momentum_sutskever(p, g, state, t, lr):
    """The other convention (Sutskever et al. 2013):
    v_t = mu v_{t-1} - lr g_t, then p <- p + v_t."""
    state["v"] = MOMENTUM * state.get("v", 0) - lr * g
    p += state["v"]


def opt_adam(p, g, state, t, lr):
    """Kingma & Ba (2015), Algorithm 1."""
    # first moment: a running mean of g
    state["m"] = BETA1 * state.get("m", 0) + (1 - BETA1) * g
    # second moment: a running mean of g^2
    state["v"] = BETA2 * state.get("v", 0) + (1 - BETA2) * g**2
    m_hat = state["m"] / (1 - BETA1**t)  # bias correction: m and v start at 0
    v_hat = state["v"] / (1 - BETA2**t)
    p -= lr * m_hat / (v_hat.sqrt() + EPS)


def opt_adamw(p, g, state, t, lr):
    """Loshchilov & Hutter (2019), Algorithm 2, as PyTorch scales it: the decay
    is multiplied by lr."""
    # decoupled: shrink the weights, outside the adaptive step
    p -= lr * WEIGHT_DECAY * p
    opt_adam(p, g, state, t, lr)


def opt_adam_l2(p, g, state, t, lr):
    """Adam on the gradient of loss + (lambda /
    2) ||p||^2: the penalty goes through m and v."""
    opt_adam(p, g + WEIGHT_DECAY * p, state, t, lr)


def opt_race(hand_step, library_optimizer):
    """Take STEPS steps by hand and with the library from the same weights; the
    parameters after each step."""
    # 0: by hand, 1: torch.optim
    models = [copy.deepcopy(start_model) for _ in range(2)]
    optimizer = library_optimizer(models[1].parameters())
    states = [{} for _ in models[0].parameters()]
    history = []
    for t, lr in enumerate(LRS, start=1):
        for model in models:
            model.zero_grad()
            nn.functional.mse_loss(model(inputs), targets).backward()
        with torch.no_grad():
            for p, state in zip(models[0].parameters(), states, strict=True):
                hand_step(p, p.grad, state, t, lr)
        optimizer.param_groups[0]["lr"] = lr
        optimizer.step()
        history.append([torch.cat([p.detach().flatten() for p in m.parameters()])
                        for m in models])
    return history


races = {
    "SGD, momentum 0.9": (opt_sgd_momentum,
                          lambda ps: torch.optim.SGD(ps, lr=LRS[0],
                                                     momentum=MOMENTUM)),
    "Adam": (opt_adam,
             lambda ps: torch.optim.Adam(ps, lr=LRS[0], betas=(BETA1, BETA2),
                                         eps=EPS)),
    "AdamW": (opt_adamw,
              lambda ps: torch.optim.AdamW(ps, lr=LRS[0],
                                           weight_decay=WEIGHT_DECAY)),
    "Adam + L2 penalty": (opt_adam_l2,
                          lambda ps: torch.optim.Adam(ps, lr=LRS[0],
                                                      weight_decay=WEIGHT_DECAY)),
}
for name, (hand_step, library_optimizer) in races.items():
    for hand, library in opt_race(hand_step, library_optimizer):
        # after every one of the STEPS steps
        torch.testing.assert_close(hand, library)
    print(f"{name:18} by hand = torch.optim after each of {STEPS} steps "
          f"(|parameters| {library.norm():.4f})")

# Sutskever's convention takes the same steps while lr is constant, and different
# ones once it changes
torch_sgd = opt_race(*races["SGD, momentum 0.9"])
sutskever = opt_race(opt_sgd_momentum_sutskever, races["SGD, momentum 0.9"][1])
for (_, library), (hand, _) in zip(torch_sgd[:5], sutskever[:5], strict=True):
    torch.testing.assert_close(hand, library)  # steps 1-5, at the first lr
gap = (torch_sgd[-1][1] - sutskever[-1][0]).abs().max().item()
print(f"Sutskever's momentum = torch's for steps 1-5 (lr {LRS[0]}); after the "
      f"drop to lr {LRS[-1]} they part: largest gap in a weight after step "
      f"{STEPS} {gap:.4f}")
assert gap > 1e-3

# Why: two weights at 1.0; the loss pushes the first back and forth (gradient -10,
# +10, ...), the second not at all
final = {}
for name, hand_step in (("AdamW", opt_adamw), ("Adam + L2 penalty", opt_adam_l2)):
    weights, state = torch.ones(2), {}
    for t in range(1, 101):
        hand_step(weights, torch.tensor([10 * (-1.0) ** t, 0.0]), state, t,
                  lr=0.01)
    final[name] = weights
    print(f"{name:18} after 100 steps of lr 0.01: weights {weights[0]:.4f} "
          f"(pushed), {weights[1]:.4f} (idle)")
# decay alone
torch.testing.assert_close(final["AdamW"][1],
                           torch.tensor((1 - 0.01 * WEIGHT_DECAY) ** 100))
# pushed: no decay; idle: crushed
assert final["Adam + L2 penalty"][0] > 1 > 0.5 > final["Adam + L2 penalty"][1]
