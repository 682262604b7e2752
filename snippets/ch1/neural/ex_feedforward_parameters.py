"""Exercise: account for every parameter of the
feed-forward language model of neural_lms.py."""

import torch.nn as nn

V = 14_125  # the vocabulary that neural_lms.py prints (neural_lms.out)
# the width of every layer, and the words of context the model sees
D_MODEL, WINDOW = 64, 4
# the adaptive softmax of neural_lms.py: head, then two clusters
CUTOFFS, DIV_VALUE = [2000, 6000], 4.0

# the layers of FeedForwardLM in neural_lms.py,
# with the count worked out by hand for each
layers = {
    "embedding table": (nn.Embedding(V, D_MODEL), V * D_MODEL),
    "hidden layer": (nn.Linear(WINDOW * D_MODEL, 4 * D_MODEL),
                     WINDOW * D_MODEL * 4 * D_MODEL + 4 * D_MODEL),
    "projection to 64": (nn.Linear(4 * D_MODEL, D_MODEL),
                         4 * D_MODEL * D_MODEL + D_MODEL),
}
softmax = nn.AdaptiveLogSoftmaxWithLoss(D_MODEL, V, cutoffs=CUTOFFS,
                                        div_value=DIV_VALUE)
# frequent words + one score per cluster
layers["softmax head"] = (softmax.head, D_MODEL * (CUTOFFS[0] + len(CUTOFFS)))
edges = CUTOFFS + [V]
# project down to 64 / 4^i, then score the cluster's words
for i, cluster in enumerate(softmax.tail, start=1):
    small = int(D_MODEL // DIV_VALUE**i)
    layers[f"cluster {i} (words {edges[i - 1]:,}-{edges[i] - 1:,})"] = (
        cluster, D_MODEL * small + small * (edges[i] - edges[i - 1]))

total = 0
for name, (layer, by_hand) in layers.items():
    counted = sum(p.numel() for p in layer.parameters())
    assert counted == by_hand, (name, counted, by_hand)
    total += counted
    print(f"{name:31s} {counted:>9,}")
print(f"{'total':31s} {total:>9,}")
# the feed-forward model's count in the table of
assert total == 1_212_148  # neural_lms.out
print(f"the embedding table is {layers['embedding table'][1] / total:.1%} of the "
      "model")
