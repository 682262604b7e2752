"""Exercise: the loss of an untrained GPT's output layer when the tied token
embedding starts at N(0, 1), PyTorch's default for nn.Embedding, instead of
GPT-2's N(0, 0.02^2)."""

import math

import torch
import torch.nn as nn
import torch.nn.functional as F

# GPT-2's vocabulary and the width of the GPT in obj_next_token.py
V, D_MODEL = 50_257, 32
POSITIONS = 1024  # predictions averaged over

torch.manual_seed(0)
final_norm = nn.LayerNorm(D_MODEL)  # at initialisation: gain 1 and bias 0
with torch.no_grad():
    # what reaches the output layer: mean 0, variance 1 over d
    h = final_norm(torch.randn(POSITIONS, D_MODEL))
    targets = torch.randint(V, (POSITIONS,))
    print(f"log V = {math.log(V):.3f} nats; |h|^2 = "
          f"{h.pow(2).sum(-1).mean():.1f} (= d)")
    header = ("embedding", "logit std", "max logit", "p(target) * V", "loss",
              "- log V")
    print(
        " ".join(f"{name:>{width}s}"
                 for name, width in zip(header, (12, 10, 10, 14, 7, 8),
                                        strict=True)))
    for std in (1.0, 0.02):
        # one row per token; also the output layer (tied)
        embedding = torch.randn(V, D_MODEL) * std
        logits = h @ embedding.T  # (POSITIONS, V)
        loss = F.cross_entropy(logits, targets).item()
        p_target = F.softmax(logits, dim=-1)[torch.arange(POSITIONS), targets]
        print(f"{f'N(0, {std}^2)':>12s} {logits.std().item():10.2f} "
              f"{logits.max(-1).values.mean().item():10.1f} "
              f"{(p_target * V).median().item():14.2g} {loss:7.2f} "
              f"{loss - math.log(V):8.2f}")
        if std == 1.0:
            # sqrt(32) = 5.7, as the solution says
            assert abs(logits.std().item() - math.sqrt(D_MODEL)) < 0.1
            assert loss > 2 * math.log(V)  # far above a uniform guess
        else:
            assert abs(loss - math.log(V)) < 0.05  # a near-uniform guess
            # log-sum-exp above log V
            small = torch.logsumexp(logits, dim=-1).mean().item() - math.log(V)
            # sigma^2 / 2, sigma being the logits' standard deviation
            half_variance = 0.02**2 * D_MODEL / 2
            print(f"\nwith N(0, 0.02^2): mean log-sum-exp - log V = {small:.4f}, "
                  f"sigma^2 / 2 = {half_variance:.4f}")
            assert abs(small - half_variance) < 0.001
