"""Train the course's tiny GPT on Shakespeare, one character at a time, and save
it as a checkpoint. The recipe is nanoGPT's CPU one for character-level
Shakespeare (4 layers, 4 heads, d_model 128, context 64, batch 12, 2,000 steps,
no dropout) with a peak learning rate three times nanoGPT's, which trains
further in those steps (docs/ch3/training.md measures both), on this course's
own split of the plays.

    # the full run: a few minutes on a laptop CPU
    python train_tiny_gpt.py
    # a quick check that everything works
    python train_tiny_gpt.py --steps 20
"""

import argparse
import hashlib
import json
import time
from pathlib import Path

import torch
from tqdm import tqdm

from foundations_of_llms.gpt import GPT, GPTConfig
from foundations_of_llms.training import (
    PEAK_LR,
    character_split,
    decay_groups,
    from_pretrained,
    lr_at,
    mean_loss,
    save_pretrained,
    train_step,
)

BATCH = 12  # windows of n_ctx + 1 characters per step
# AdamW's decoupled decay, on matrices only (not on biases, LayerNorms)
WEIGHT_DECAY = 0.1
BETAS = (0.9, 0.99)
CLIP = 1.0  # the gradient's global norm is clipped to this
EVAL_EVERY = 250  # steps between two validation measurements
# validation loss on the first 16,384 characters
# of the validation plays: 256 windows
EVAL_CHARS = 16_384


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--steps", type=int, default=2000,
                        help="optimiser steps (default: 2000)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, default=Path("tiny-gpt"),
                        help="checkpoint folder")
    args = parser.parse_args()
    torch.manual_seed(args.seed)  # the initial weights and every batch
    # the same sums in the same order, so the same weights, on any number of cores
    torch.set_num_threads(1)

    # the vocabulary: every character of the training text
    train_text, validation_text, chars = character_split()
    index = {c: i for i, c in enumerate(chars)}
    train = torch.tensor([index[c] for c in train_text])
    validation = torch.tensor(
        [index[c] for c in validation_text[: EVAL_CHARS + 1]])
    print(f"characters: train {len(train):,}, vocabulary {len(chars)}; "
          f"validation measured on {EVAL_CHARS:,}")

    config = GPTConfig(vocab_size=len(chars), n_ctx=64, d_model=128, n_layer=4,
                       n_head=4)
    model = GPT(config)
    print(f"{config}\nparameters: {sum(p.numel() for p in model.parameters()):,}")
    # fused: the same update, computed for all the weights at once
    optimizer = torch.optim.AdamW(decay_groups(model, WEIGHT_DECAY), lr=PEAK_LR,
                                  betas=BETAS, fused=True)

    history = {"step": [], "train_loss": [], "val_loss": [], "seconds": []}
    seconds, start = 0.0, time.perf_counter()
    progress = tqdm(range(args.steps), desc="training", unit="step")
    for step in progress:
        for group in optimizer.param_groups:
            group["lr"] = lr_at(step, args.steps)
        # windows from torch's global RNG
        loss = train_step(model, optimizer, train, config.n_ctx, BATCH, clip=CLIP)
        if (step + 1) % EVAL_EVERY == 0 or step + 1 == args.steps:
            seconds = time.perf_counter() - start
            val_loss = mean_loss(model, validation, config.n_ctx)
            for key, value in zip(history, (step + 1, loss.item(), val_loss,
                                            seconds), strict=True):
                history[key].append(value)
            progress.set_postfix(train=f"{loss.item():.3f}",
                                 val=f"{val_loss:.3f}")
            tqdm.write(f"step {step + 1:5}: train loss {loss.item():.3f}, "
                       f"validation loss {val_loss:.3f}  ({seconds:.0f} s)")

    save_pretrained(model, config, chars, args.out)
    (args.out / "history.json").write_text(json.dumps(history, indent=1) + "\n")
    digest = hashlib.sha256(
        (args.out / "model.safetensors").read_bytes()).hexdigest()[:16]
    print(f"trained for {seconds:.1f} s; saved {args.out}/ (model.safetensors "
          f"sha256 {digest}...)")

    # what a reader loads gives exactly the same losses
    reloaded, _ = from_pretrained(args.out)
    assert (mean_loss(reloaded, validation, config.n_ctx)
            == history["val_loss"][-1])


if __name__ == "__main__":
    main()
