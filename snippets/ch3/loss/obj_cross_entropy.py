"""Cross-entropy by hand and by PyTorch: its value, its gradient, a uniform
guess, and label smoothing."""

import math
from itertools import pairwise

import torch
import torch.nn.functional as F

WORDS = ["the", "cat", "sat", "on", "mat"]  # a vocabulary of V = 5 tokens
LOGITS = [[1.0, 2.0, 0.5, -1.0, 0.0],  # the model's logits after "the"
          [0.2, -0.5, 2.5, 0.0, 0.3]]  # ... and after "the cat"
TARGETS = ["cat", "sat"]  # the tokens that really came next
EPSILON = 0.1  # label smoothing, the value Szegedy et al. (2016) used
GPT2_VOCAB = 50_257
# gradient descent on one position's logits, to find the optimum
STEPS, LR = 1_000, 1.0
V = len(WORDS)

# The loss by hand: a softmax over the logits,
# then minus the log-probability of the target.
# (positions, V)
probs = [[math.exp(z) / sum(math.exp(v) for v in row) for z in row]
         for row in LOGITS]
nll = [-math.log(p[WORDS.index(target)])
       for p, target in zip(probs, TARGETS, strict=True)]
for p, target, loss in zip(probs, TARGETS, nll, strict=True):
    print(f"p = [{', '.join(f'{x:.4f}' for x in p)}]  target {target!r}: -log p "
          f"= {loss:.4f}")
logits = torch.tensor(LOGITS, requires_grad=True)  # (positions, V)
# (positions,)
targets = torch.tensor([WORDS.index(target) for target in TARGETS])
loss = F.cross_entropy(logits, targets)  # the mean over positions
assert torch.allclose(loss, torch.tensor(sum(nll) / len(nll)))
print(f"mean by hand {sum(nll) / len(nll):.4f}, F.cross_entropy "
      f"{loss.item():.4f}")

# Its gradient with respect to the logits is softmax - one-hot (divided by the
# number of positions).
loss.backward()
expected = (F.softmax(logits, dim=-1)
            - F.one_hot(targets, V)).detach() / len(TARGETS)
assert torch.allclose(logits.grad, expected)
print("gradient, position 2:", [round(g, 4) for g in logits.grad[1].tolist()],
      "= (p - one_hot) / 2")

# A uniform prediction (all logits equal) costs log V, whatever the target.
for vocab_size in (V, GPT2_VOCAB):
    uniform = F.cross_entropy(torch.zeros(1, vocab_size), torch.tensor([0]))
    assert torch.allclose(uniform, torch.tensor(math.log(vocab_size)))
    print(f"uniform over V = {vocab_size:,}: loss {uniform.item():.4f} = log V")

# Label smoothing: the target is (1 - eps) one-hot + eps / V, and the loss is its
# cross-entropy with p.
smoothed = [-sum(((1 - EPSILON) * (k == WORDS.index(target)) + EPSILON / V)
                 * math.log(p[k]) for k in range(V))
            for p, target in zip(probs, TARGETS, strict=True)]
library = F.cross_entropy(logits, targets, label_smoothing=EPSILON)
assert torch.allclose(library, torch.tensor(sum(smoothed) / len(smoothed)))
print(f"label smoothing {EPSILON}: by hand {sum(smoothed) / len(smoothed):.4f}, "
      f"library {library.item():.4f}")

# The optimum: without smoothing there is none (the target's logit pulls away from
# the others for ever); with it the gradient p - q' vanishes at z = log q', where
# the gap is log((1 - eps + eps/V) / (eps/V)).
y, others = WORDS.index("sat"), [k for k in range(V) if k != WORDS.index("sat")]
q_smooth = torch.full((V,), EPSILON / V, dtype=torch.float64)
q_smooth[y] += 1 - EPSILON
# at z = log q' the gradient p - q' is 0
assert torch.allclose(F.softmax(q_smooth.log(), dim=-1), q_smooth)
gap_star = math.log((1 - EPSILON + EPSILON / V) / (EPSILON / V))
gaps = {"one-hot target": [], f"label smoothing {EPSILON}": []}
for q, gap in zip((F.one_hot(torch.tensor(y), V).double(), q_smooth),
                  gaps.values(), strict=True):
    # one position's logits, trained alone
    z = torch.zeros(V, dtype=torch.float64)
    for _ in range(STEPS):
        # a gradient step, with the gradient derived above
        z -= LR * (F.softmax(z, dim=-1) - q)
        gap.append((z[y] - z[others].max()).item())
    print(f"{STEPS:,} steps towards the "
          f"{'smoothed' if q is q_smooth else 'one-hot'} target: p(sat) = "
          f"{F.softmax(z, dim=-1)[y]:.4f}")
for step in (1, 10, 100, 1_000):
    print(f"step {step:5,}: logit gap "
          + ", ".join(f"{name} {gap[step - 1]:.3f}"
                      for name, gap in gaps.items()))
hard, soft = gaps.values()
# converged; still growing
assert abs(soft[-1] - gap_star) < 1e-6 and all(b > a for a, b in pairwise(hard))
print("optimal gap with smoothing: "
      f"log({(1 - EPSILON + EPSILON / V) / (EPSILON / V):.0f}) = {gap_star:.3f}")
