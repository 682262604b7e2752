"""BatchNorm normalises with statistics of the whole batch, padding included;
LayerNorm only with the token's own."""

import torch
import torch.nn as nn
import torch.nn.functional as F

D_MODEL = 8
PADDED_LENGTH = 9
torch.manual_seed(0)

# the sentence we follow: 5 tokens, (seq, d_model)
sentence = torch.randn(5, D_MODEL)
sentence_a = torch.randn(5, D_MODEL)
sentence_b = torch.randn(5, D_MODEL)
# in training mode: mean and variance of each feature over the batch
batch_norm = nn.BatchNorm1d(D_MODEL)
layer_norm = nn.LayerNorm(D_MODEL)  # mean and variance of each token's own vector


def zero_padded(tokens):
    """Zero vectors appended up to PADDED_LENGTH, as a padded batch would hold."""
    return F.pad(tokens, (0, 0, 0, PADDED_LENGTH - len(tokens)))


def normalised_sentence(norm, batch):
    """Normalise a batch of shape (batch, seq, d_model) and return the first
    sentence's 5 real tokens."""
    # (batch * seq, d_model): every token, padding included, is one sample
    flat = batch.flatten(0, 1)
    return norm(flat).view(batch.shape)[0, : len(sentence)]


batches = {  # the first one is the reference; each other one changes one thing
    "with sentence A": torch.stack([sentence, sentence_a]),
    "with sentence B instead": torch.stack([sentence, sentence_b]),
    "alone": sentence.unsqueeze(0),
    f"with sentence A, both padded to {PADDED_LENGTH}":
        torch.stack([zero_padded(sentence), zero_padded(sentence_a)]),
}
with torch.no_grad():
    reference = {norm: normalised_sentence(norm, batches["with sentence A"])
                 for norm in (batch_norm, layer_norm)}
    print(f"{'the same sentence, in a batch':<34} {'BatchNorm change':>16} "
          f"{'LayerNorm change':>16}")
    for label, batch in batches.items():
        changes = [(normalised_sentence(norm, batch)
                    - reference[norm]).abs().max().item()
                   for norm in (batch_norm, layer_norm)]
        print(f"{label:<34} {changes[0]:>16.4f} {changes[1]:>16.4f}")
        torch.testing.assert_close(normalised_sentence(layer_norm, batch),
                                   reference[layer_norm])
        # BatchNorm's output moved with its company
        assert label == "with sentence A" or changes[0] > 0.1
print("(largest absolute change of any of the sentence's normalised values, "
      "against the first batch)")
