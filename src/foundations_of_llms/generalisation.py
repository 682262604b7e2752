"""The overfitting experiment of docs/ch3/generalisation.md: a tiny GPT trained
too long on too little text.

    from foundations_of_llms.generalisation import overfit_data, overfit_run
"""

from dataclasses import replace

import torch

from foundations_of_llms.gpt import GPT, GPTConfig
from foundations_of_llms.training import (
    character_split,
    decay_groups,
    mean_loss,
    train_step,
)

# --8<-- [start:overfit]
# the first 1,500 characters of the training plays: the opening lines of one play
SLICE_CHARS = 1_500
# validation loss on the first 4,096 characters of the validation plays:
# 128 windows
VALIDATION_CHARS = 4_096
# constant lr, no warm-up, no clipping
STEPS, BATCH, LR, BETAS, EVAL_EVERY = 250, 16, 5e-3, (0.9, 0.99), 25


def overfit_data():
    """The training text, its small slice and the validation ids as tensors, and
    the model's config (docs/ch3/generalisation.md)."""
    train_text, validation_text, chars = character_split()
    index = {c: i for i, c in enumerate(chars)}
    # the deliberately small training set
    small = torch.tensor([index[c] for c in train_text[:SLICE_CHARS]])
    validation = torch.tensor(
        [index[c] for c in validation_text[: VALIDATION_CHARS + 1]])
    config = GPTConfig(vocab_size=len(chars), n_ctx=32,
                       d_model=48, n_layer=1, n_head=2)
    return train_text, index, small, validation, config


def overfit_run(train, small, validation, config, dropout=0.0, weight_decay=0.0):
    """Train on the ids `train`; every EVAL_EVERY steps measure the loss on the
    small slice (the training loss) and on the validation text. Returns that
    history and a copy of the best weights (docs/ch3/generalisation.md)."""
    # the same initial weights for every run (dropout has no weights)
    torch.manual_seed(0)
    model = GPT(replace(config, dropout=dropout))
    optimizer = torch.optim.AdamW(
        decay_groups(model, weight_decay), lr=LR, betas=BETAS,
        fused=True)  # the same AdamW update, computed for all the weights at once
    # the same window starts in the same order, whatever dropout draws
    batches = torch.Generator().manual_seed(0)
    history, best_weights = {"step": [], "train": [], "validation": []}, None
    for step in range(1, STEPS + 1):
        train_step(model, optimizer, train, config.n_ctx, BATCH,
                   generator=batches)
        if step % EVAL_EVERY == 0:
            history["step"].append(step)
            history["train"].append(mean_loss(model, small, config.n_ctx))
            history["validation"].append(
                mean_loss(model, validation, config.n_ctx))
            # the best checkpoint so far
            if history["validation"][-1] == min(history["validation"]):
                best_weights = {name: tensor.clone()
                                for name, tensor in model.state_dict().items()}
    return history, best_weights
# --8<-- [end:overfit]
