"""`make bench-nanogpt`: the course's tiny GPT trained by the course's loop with nanoGPT's CPU recipe, on nanoGPT's
own text and split, measured as nanoGPT measures, on the machine at hand; with a checkout of nanoGPT, nanoGPT's
own train.py first, side by side.

    .venv/bin/python tools/nanogpt_bench.py [--data ../shared/data/tinyshakespeare.txt] [--steps 2000]
        [--seeds N] [--nanogpt DIR] [--peak-lr LR] [--nanogpt-shape | --unfused]

The text is Tiny Shakespeare (1,115,394 characters), read from the path given (by default the workplace's
../shared/data/, never committed); its SHA-256 is checked. As nanoGPT's data/shakespeare_char/prepare.py does,
the vocabulary is the sorted set of the file's characters and the first 90 % is the training split, the last
10 % the validation split. The recipe is nanoGPT's for a CPU (config/train_shakespeare_char.py with the README's
overrides: 4 layers, 4 heads, d_model 128, context 64, batch 12, 2,000 iterations, AdamW with betas (0.9, 0.99),
weight decay 0.1, gradient clipping at 1, no dropout, the learning rate warmed up over 100 steps and decayed by
a cosine to a tenth of its peak) except for the peak learning rate, which is the course's (training.PEAK_LR,
3e-3, where nanoGPT's is 1e-3; --peak-lr 1e-3 runs nanoGPT's). It is run by the course's own loop, as
train_tiny_gpt.py runs it: foundations_of_llms.training.train_step and lr_at, AdamW(fused=True) and the model's
fused attention, on two threads.

It prints the validation loss two ways: nanoGPT's estimate_loss (the mean loss of 20 batches of 12 random
windows, in evaluation mode) and the mean over the whole validation split; how far the estimate moves with
other draws of windows (--draws, for the same trained model) and, with --seeds N, with N other training
seeds; the reference figure beside them, 1.8857 (nanoGPT's recipe on this text, measured on a machine of this
kind: ../shared/data/README.md). Then where the time goes: the steps per second; what one evaluation costs, as
nanoGPT's loop and the course's train_tiny_gpt.py each make it; one step phase by phase (data, forward,
backward, clipping, AdamW), by a copy of train_step asserted to compute exactly what it computes; the kernels
(torch.profiler over 50 steps); and, measured in the same run, the steps per second without each of the two
fused calls (the loop as it was before 2026-12-04) and with nanoGPT's model shape in the course's loop (no
biases, the exact GELU).

With --nanogpt DIR, a checkout of nanoGPT (github.com/karpathy/nanoGPT; it is not on PyPI, and none of its code
is in this repository), it first runs nanoGPT's own train.py with its README's CPU command on the same text,
split, machine and threads, in a scratch folder, then the course's loop: the two side by side, one after the
other. nanoGPT's trained checkpoint is loaded into the course's model in nanoGPT's shape (its logits asserted
equal to nanoGPT's model's) and measured exactly as the course's model is, and the two loops' steps per second
are set against each other. --unfused trains the whole run with the loop as it was before 2026-12-04.

The figures on docs/ch3/training.md come mostly from runs of these two commands; the five seeds at nanoGPT's
rate and the speeds before the fused calls come from earlier runs (every log, with what it ran, is listed in
benchmarks/nanogpt/README.md):

    .venv/bin/python tools/nanogpt_bench.py --nanogpt ../nanoGPT --seeds 4   # about 10 minutes
    .venv/bin/python tools/nanogpt_bench.py --nanogpt ../nanoGPT --peak-lr 1e-3
"""

import argparse
import copy
import hashlib
import importlib.util
import math
import os
import pickle
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from torch.profiler import ProfilerActivity, profile

from foundations_of_llms import training
from foundations_of_llms.gpt import GPT, CausalSelfAttention, GPTConfig
from foundations_of_llms.training import decay_groups, lr_at, mean_loss, train_step

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data" / "tinyshakespeare.txt"
SHA256 = "86c4e6aa9db7c042ec79f339dcb96d42b0075e16b8fc2e86bf0ca57e2dc565ed"
NANOGPT_VAL_LOSS = 1.8857  # nanoGPT's CPU recipe on this text at 2,000 iterations (../shared/data/README.md)
BATCH, EVAL_ITERS, CLIP, WEIGHT_DECAY, BETAS = 12, 20, 1.0, 0.1, (0.9, 0.99)
# nanoGPT's schedule (config/train_shakespeare_char.py, train.py's get_lr): the course's lr_at is scaled to it
NANOGPT_PEAK_LR, NANOGPT_MIN_LR, NANOGPT_WARMUP = 1e-3, 1e-4, 100


def lr_scale_for(peak_lr):
    """What lr_at is multiplied by for a peak of peak_lr. The course's schedule must have nearly nanoGPT's shape
    whatever the course's own peak is (100 warm-up steps, a cosine down to a tenth of the peak; nanoGPT's warm-up
    is (it + 1) / 101 of the peak where lr_at's is (step + 1) / 100, and it reaches its floor a step later), or
    the bench refuses to run."""
    if (training.WARMUP_STEPS != NANOGPT_WARMUP
            or not math.isclose(training.MIN_LR / training.PEAK_LR, NANOGPT_MIN_LR / NANOGPT_PEAK_LR)):
        raise SystemExit(f"lr_at warms up over {training.WARMUP_STEPS} steps to {training.PEAK_LR:g} and decays to "
                         f"{training.MIN_LR:g}: not the shape of nanoGPT's schedule ({NANOGPT_WARMUP} steps, "
                         f"{NANOGPT_PEAK_LR:g} to {NANOGPT_MIN_LR:g}), which the bench would need to scale it to")
    return peak_lr / training.PEAK_LR


@torch.no_grad()
def estimate_loss(model, data, n_ctx, generator):
    """nanoGPT's estimate_loss: the mean loss of EVAL_ITERS batches of BATCH random windows, in eval mode."""
    model.eval()
    losses = []
    for _ in range(EVAL_ITERS):
        starts = torch.randint(len(data) - n_ctx, (BATCH,), generator=generator)
        x = torch.stack([data[s : s + n_ctx] for s in starts.tolist()])
        y = torch.stack([data[s + 1 : s + n_ctx + 1] for s in starts.tolist()])
        losses.append(torch.nn.functional.cross_entropy(model(x).flatten(0, 1), y.flatten()).item())
    model.train()
    return sum(losses) / len(losses)


def redraws(model, validation, n_ctx, seed, count):
    """nanoGPT's estimate of one trained model with `count` other draws of windows (seeds seed + 1, seed + 2,
    ...), as text: their spread and how many reach NANOGPT_VAL_LOSS. nanoGPT's model and the course's are
    measured by this one function."""
    draws = [estimate_loss(model, validation, n_ctx, torch.Generator().manual_seed(seed + 1 + k))
             for k in range(count)]
    return f"{spread(draws)}; {sum(d <= NANOGPT_VAL_LOSS for d in draws)} of {count} at or below {NANOGPT_VAL_LOSS}"


def run_steps(model, optimizer, data, n_ctx, steps, schedule_steps=None, log=False, lr_scale=1.0):
    """`steps` steps of the course's loop with nanoGPT's recipe, the learning rate following lr_at over
    schedule_steps (by default, steps), times lr_scale (see lr_scale_for): the seconds they took."""
    start = time.perf_counter()
    for step in range(steps):
        for group in optimizer.param_groups:
            group["lr"] = lr_scale * lr_at(step, schedule_steps or steps)
        loss = train_step(model, optimizer, data, n_ctx, BATCH, clip=CLIP)
        if log and (step + 1) % 500 == 0:
            print(f"step {step + 1:5}: train loss {loss.item():.4f}  ({time.perf_counter() - start:.1f} s)")
    return time.perf_counter() - start


PHASES = ("data: draw 12 windows", "forward and loss", "backward", "clip the gradient", "AdamW step")


def step_in_phases(model, optimizer, data, n_ctx, generator):
    """train_step's work, phase by phase, each timed: (loss, seconds per phase). main checks that it computes
    exactly what train_step computes."""
    times = [time.perf_counter()]
    starts = torch.randint(len(data) - n_ctx - 1, (BATCH,), generator=generator)
    windows = torch.stack([data[s : s + n_ctx + 1] for s in starts.tolist()])
    times.append(time.perf_counter())
    loss = F.cross_entropy(model(windows[:, :-1]).flatten(0, 1), windows[:, 1:].flatten())
    times.append(time.perf_counter())
    optimizer.zero_grad(set_to_none=True)
    loss.backward()
    times.append(time.perf_counter())
    torch.nn.utils.clip_grad_norm_(model.parameters(), CLIP)
    times.append(time.perf_counter())
    optimizer.step()
    times.append(time.perf_counter())
    return loss, [b - a for a, b in zip(times, times[1:], strict=False)]


def variant(config, seed, fused_adamw=True, fused_attention=True, nanogpt_shape=False):
    """A fresh model and optimizer: the course's as train_tiny_gpt.py makes them (AdamW(fused=True), the model's
    fused attention), or a what-if: either written out as the course's loop had them before 2026-12-04, or
    nanoGPT's shape of the model."""
    torch.manual_seed(seed)
    model = GPT(config)
    for module in model.modules():
        if isinstance(module, CausalSelfAttention):
            module.fused = fused_attention or nanogpt_shape  # nanoGPT's model.py: F.scaled_dot_product_attention
        if nanogpt_shape:  # nanoGPT's train.py: bias=False; its MLP: the exact GELU
            if isinstance(module, (torch.nn.Linear, torch.nn.LayerNorm)) and module.bias is not None:
                module.bias = None
            if hasattr(module, "gelu"):
                module.gelu = torch.nn.GELU()
    optimizer = torch.optim.AdamW(decay_groups(model, WEIGHT_DECAY), lr=training.PEAK_LR, betas=BETAS,
                                  fused=fused_adamw)
    return model, optimizer


def steps_per_second(model, optimizer, data, n_ctx, steps):
    """Training steps per second over `steps` steps, after 30 to warm up."""
    for _ in range(30):
        train_step(model, optimizer, data, n_ctx, BATCH, clip=CLIP)
    return steps / run_steps(model, optimizer, data, n_ctx, steps, schedule_steps=2000)


# nanoGPT's README, "quick start", the run for a CPU; --max_iters and --lr_decay_iters follow --steps
NANOGPT_CPU_COMMAND = ("config/train_shakespeare_char.py --device=cpu --compile=False --eval_iters=20 "
                       "--log_interval=1 --block_size=64 --batch_size=12 --n_layer=4 --n_head=4 --n_embd=128 "
                       "--max_iters={steps} --lr_decay_iters={steps} --dropout=0.0")
# and, so that its checkpoint is the model after the last evaluation whether or not that one improved (it saves
# only at evaluations, which changes neither its training nor its random draws):
NANOGPT_SAVE_EVERY_EVALUATION = "--always_save_checkpoint=True"
NANOGPT_FILES = ("train.py", "model.py", "configurator.py", "config/train_shakespeare_char.py")
NANOGPT_EVAL_INTERVAL = 250  # config/train_shakespeare_char.py


def read_nanogpt_log(log, steps):
    """From train.py's output: its validation estimates {step: loss}, and its training steps per second, over
    the iterations that ran no evaluation (an iteration's printed time includes an evaluation made at its
    start, every NANOGPT_EVAL_INTERVAL iterations)."""
    estimates = {int(step): float(loss) for step, loss in
                 re.findall(r"^step (\d+): train loss [\d.]+, val loss ([\d.]+)$", log, re.MULTILINE)}
    times = {int(it): float(ms) / 1000 for it, ms in
             re.findall(r"^iter (\d+): loss [\d.]+, time ([\d.]+)ms", log, re.MULTILINE)}
    if steps not in estimates or len(times) != steps + 1:
        raise SystemExit(f"nanoGPT's train.py did not log {steps} iterations and the estimate at {steps}:\n"
                         + log[-2000:])
    training = [t for it, t in times.items() if it % NANOGPT_EVAL_INTERVAL]
    return estimates, len(training) / sum(training)


def course_from_nanogpt(state, config):
    """nanoGPT's trained weights in the course's model in nanoGPT's shape (variant(nanogpt_shape=True)):
    nanoGPT's names are the course's with "transformer." in front; every tensor must find its place."""
    model, _ = variant(config, 0, nanogpt_shape=True)
    model.load_state_dict({name.removeprefix("transformer."): tensor for name, tensor in state.items()})
    return model


def run_nanogpt(checkout, chars, train, validation, steps, threads):
    """nanoGPT's train.py from `checkout`, run with its README's CPU command on these splits in a scratch
    folder (its data/shakespeare_char files written as its prepare.py writes them): (its log, its wall
    seconds, its checkpoint, its model class)."""
    with tempfile.TemporaryDirectory(prefix="nanogpt-") as folder:
        return run_nanogpt_in(Path(folder), checkout, chars, train, validation, steps, threads)


def run_nanogpt_in(scratch, checkout, chars, train, validation, steps, threads):
    for name in NANOGPT_FILES:
        (scratch / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(checkout / name, scratch / name)
    data = scratch / "data" / "shakespeare_char"
    data.mkdir(parents=True)
    train.numpy().astype(np.uint16).tofile(data / "train.bin")
    validation.numpy().astype(np.uint16).tofile(data / "val.bin")
    with open(data / "meta.pkl", "wb") as f:
        pickle.dump({"vocab_size": len(chars), "itos": dict(enumerate(chars)),
                     "stoi": {c: i for i, c in enumerate(chars)}}, f)
    command = [sys.executable, "train.py", *NANOGPT_CPU_COMMAND.format(steps=steps).split(),
               NANOGPT_SAVE_EVERY_EVALUATION]
    start = time.perf_counter()
    run = subprocess.run(command, cwd=scratch, capture_output=True, text=True,
                         env={**os.environ, "OMP_NUM_THREADS": str(threads)})
    seconds = time.perf_counter() - start
    if run.returncode:
        raise SystemExit(f"{checkout}: nanoGPT's train.py failed ({' '.join(command[1:])}):\n{run.stderr[-3000:]}")
    checkpoint = torch.load(scratch / "out-shakespeare-char" / "ckpt.pt", weights_only=True)
    if checkpoint["iter_num"] != steps:
        raise SystemExit(f"nanoGPT's checkpoint is from iteration {checkpoint['iter_num']}, not {steps}")
    spec = importlib.util.spec_from_file_location("nanogpt_model", scratch / "model.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return run.stdout, seconds, checkpoint, module


def nanogpt_side(args, chars, train, validation, config):
    """Run nanoGPT's own code first and measure its model as the course's is measured: its steps per second."""
    log, wall, checkpoint, module = run_nanogpt(args.nanogpt, chars, train, validation, args.steps, args.threads)
    estimates, rate = read_nanogpt_log(log, args.steps)
    commit = subprocess.run(["git", "-C", str(args.nanogpt), "rev-parse", "--short", "HEAD"],
                            capture_output=True, text=True).stdout.strip() or "not a git checkout"
    print(f"nanoGPT's own train.py ({args.nanogpt}, {commit}), its README's CPU command, the same text, split "
          f"and threads, run first:\n  iterations 0 to {args.steps} in {wall:.1f} s wall "
          f"({args.steps // NANOGPT_EVAL_INTERVAL + 1} evaluations and start-up included; its estimate at "
          f"{args.steps} comes after {args.steps} steps); {rate:.1f} steps/s over the iterations without one")
    print("  its validation estimates: " + ", ".join(f"{loss:.4f} at {step}" for step, loss in estimates.items()))
    nanogpt = module.GPT(module.GPTConfig(**checkpoint["model_args"]))
    nanogpt.load_state_dict(checkpoint["model"])
    model = course_from_nanogpt(checkpoint["model"], config).eval()
    ids = validation[: 2 * config.n_ctx].view(2, config.n_ctx)
    # the same function, to rounding (given targets, nanoGPT's forward returns the logits at every position)
    torch.testing.assert_close(model(ids), nanogpt.eval()(ids, ids)[0])
    estimate = estimate_loss(model, validation, config.n_ctx, torch.Generator().manual_seed(args.seed))
    print(f"  its model, measured as the course's is below: the estimate {estimate:.4f}; with {args.draws} other "
          f"draws {redraws(model, validation, config.n_ctx, args.seed, args.draws)}; the whole validation split "
          f"{mean_loss(model, validation, config.n_ctx):.4f}\n")
    return rate


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--steps", type=int, default=2000)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--seed", type=int, default=1337)  # nanoGPT's seed
    # how far one estimate of 20 random batches can move: the estimate again with this many other draws
    parser.add_argument("--draws", type=int, default=20)
    # how far training itself moves the loss: this many more runs, from seeds 1, 2, ... (a minute or two each)
    parser.add_argument("--seeds", type=int, default=0)
    variant = parser.add_mutually_exclusive_group()
    # train nanoGPT's shape of the model instead (no biases, the exact GELU, fused attention)
    variant.add_argument("--nanogpt-shape", action="store_true")
    # or the course's loop as it was before 2026-12-04: AdamW and the attention written out, for the whole run
    variant.add_argument("--unfused", action="store_true")
    # a checkout of nanoGPT: run its own train.py first, side by side
    parser.add_argument("--nanogpt", type=Path, metavar="DIR")
    # the course's peak learning rate by default; another (and a tenth of it at the end), for example nanoGPT's
    parser.add_argument("--peak-lr", type=float, default=training.PEAK_LR)
    args = parser.parse_args()
    if args.nanogpt and args.steps % NANOGPT_EVAL_INTERVAL:
        raise SystemExit(f"--steps {args.steps} with --nanogpt: nanoGPT estimates the loss every "
                         f"{NANOGPT_EVAL_INTERVAL} iterations, so it has an estimate after a multiple of that only")
    if args.draws < 2:
        raise SystemExit(f"--draws {args.draws}: a spread needs at least 2 draws")
    if args.nanogpt and not all((args.nanogpt / name).is_file() for name in NANOGPT_FILES):
        raise SystemExit(f"--nanogpt {args.nanogpt}: not a nanoGPT checkout (it needs {', '.join(NANOGPT_FILES)})")
    raw = args.data.read_bytes()
    digest = hashlib.sha256(raw).hexdigest()
    if digest != SHA256:
        raise SystemExit(f"{args.data}: sha256 {digest}, expected {SHA256} (Tiny Shakespeare)")
    text = raw.decode("utf-8")
    chars = sorted(set(text))
    index = {c: i for i, c in enumerate(chars)}
    ids = torch.tensor([index[c] for c in text])
    cut = int(0.9 * len(ids))
    train, validation = ids[:cut], ids[cut:]
    print(f"Tiny Shakespeare: {len(text):,} characters, vocabulary {len(chars)}; "
          f"train {len(train):,}, validation {len(validation):,} (nanoGPT's 90/10 split)")

    torch.set_num_threads(args.threads)
    print(machine())  # wall times compare only within one run on one machine
    config = GPTConfig(vocab_size=len(chars), n_ctx=64, d_model=128, n_layer=4, n_head=4)
    nanogpt_rate = nanogpt_side(args, chars, train, validation, config) if args.nanogpt else None
    changes = {"nanogpt_shape": args.nanogpt_shape}
    if args.unfused:
        changes.update(fused_adamw=False, fused_attention=False)
        print("a what-if for the whole run: AdamW unfused and the attention written out (the course's loop before "
              "2026-12-04, not as shipped)")
    if args.nanogpt_shape:
        print("nanoGPT's shape of the model: no biases, the exact GELU, fused attention (not the course's model)")
    lr_scale = lr_scale_for(args.peak_lr)
    print(f"a peak learning rate of {args.peak_lr:g}, decayed to {args.peak_lr / 10:g} ("
          + ("the course's, as train_tiny_gpt.py trains" if args.peak_lr == training.PEAK_LR else "not the course's")
          + ("; nanoGPT's)" if args.peak_lr == NANOGPT_PEAK_LR else f"; nanoGPT's is {NANOGPT_PEAK_LR:g})"))
    # the seed draws the initial weights and every batch, as nanoGPT's does
    model, optimizer = variant(config, args.seed, **changes)
    print(f"{sum(p.numel() for p in model.parameters()):,} parameters; {args.steps} steps of {BATCH} windows "
          f"of {config.n_ctx}, on {args.threads} threads")
    seconds = run_steps(model, optimizer, train, config.n_ctx, args.steps, log=True, lr_scale=lr_scale)

    eval_start = time.perf_counter()
    estimate = estimate_loss(model, validation, config.n_ctx, torch.Generator().manual_seed(args.seed))
    estimate_seconds = time.perf_counter() - eval_start
    eval_start = time.perf_counter()
    whole = mean_loss(model, validation, config.n_ctx)
    whole_seconds = time.perf_counter() - eval_start
    print(f"\ntraining: {seconds:.1f} s, {args.steps / seconds:.1f} steps/s (evaluation excluded)"
          + (f", {args.steps / seconds / nanogpt_rate:.2f} times nanoGPT's {nanogpt_rate:.1f} measured above"
             if nanogpt_rate else ""))
    print(f"validation loss, nanoGPT's estimate ({EVAL_ITERS} batches of {BATCH}): {estimate:.4f}   "
          f"(nanoGPT's recipe on this text: {NANOGPT_VAL_LOSS})")
    print(f"validation loss, the whole validation split:              {whole:.4f}")

    # One estimate is one draw of 240 windows. The same model estimated with other draws shows how far a single
    # estimate, nanoGPT's 1.8857 included, can lie from the whole split's loss.
    print(f"the same model, nanoGPT's estimate with {args.draws} other draws of windows: "
          f"{redraws(model, validation, config.n_ctx, args.seed, args.draws)}")

    # Training itself is one draw too: other seeds give other initial weights and other windows.
    if args.seeds:
        estimates, wholes = [estimate], [whole]
        for seed in range(1, args.seeds + 1):
            other, other_optimizer = variant(config, seed, **changes)
            run_steps(other, other_optimizer, train, config.n_ctx, args.steps, lr_scale=lr_scale)
            estimates.append(estimate_loss(other, validation, config.n_ctx, torch.Generator().manual_seed(seed)))
            wholes.append(mean_loss(other, validation, config.n_ctx))
            print(f"  seed {seed}: nanoGPT's estimate {estimates[-1]:.4f}, the whole split {wholes[-1]:.4f}")
        print(f"seeds {args.seed} and 1 to {args.seeds}, after {args.steps} steps: nanoGPT's estimate "
              f"{spread(estimates)}; the whole split {spread(wholes)}; "
              f"{sum(e <= NANOGPT_VAL_LOSS for e in estimates)} of {len(estimates)} estimates at or below "
              f"{NANOGPT_VAL_LOSS}")

    # Where the time goes. (1) Evaluation: what one measurement costs, in training steps' time. nanoGPT's loop
    # estimates both splits at steps 0, 250, ..., 2,000 (9 times); the course's train_tiny_gpt.py measures
    # 16,384 validation characters (EVAL_CHARS there) after steps 250, 500, ..., 2,000 (8 times).
    nanogpt_evals, course_evals = args.steps // NANOGPT_EVAL_INTERVAL + 1, -(-args.steps // 250)
    step_seconds = seconds / args.steps
    eval_start = time.perf_counter()
    mean_loss(model, validation[: 16_384 + 1], config.n_ctx)
    course_eval = time.perf_counter() - eval_start
    print(f"\none evaluation, in training steps' time: nanoGPT's (both splits, {2 * EVAL_ITERS} batches) "
          f"{2 * estimate_seconds / step_seconds:.0f} steps; train_tiny_gpt.py's (16,384 characters) "
          f"{course_eval / step_seconds:.0f} steps; the whole validation split {whole_seconds / step_seconds:.0f} "
          f"steps. nanoGPT's {nanogpt_evals} add {nanogpt_evals * 2 * estimate_seconds / seconds:.0%} to the "
          f"{seconds:.0f} s of training, train_tiny_gpt.py's {course_evals} add "
          f"{course_evals * course_eval / seconds:.0%}, and {course_evals} of the whole split would add "
          f"{course_evals * whole_seconds / seconds:.0%}.")

    # (2) One step, phase by phase: step_in_phases first shown to compute exactly what train_step computes.
    twin_model, twin_optimizer = copy.deepcopy((model, optimizer))
    phase_loss, _ = step_in_phases(twin_model, twin_optimizer, train, config.n_ctx, torch.Generator().manual_seed(7))
    step_loss = train_step(model, optimizer, train, config.n_ctx, BATCH, torch.Generator().manual_seed(7), CLIP)
    assert torch.equal(phase_loss, step_loss)
    assert all(torch.equal(a, b) for a, b in zip(model.parameters(), twin_model.parameters(), strict=True))
    generator, totals = torch.Generator().manual_seed(8), [0.0] * len(PHASES)
    for _ in range(200):
        _, times = step_in_phases(twin_model, twin_optimizer, train, config.n_ctx, generator)
        totals = [t + dt for t, dt in zip(totals, times, strict=True)]
    print("one training step, phase by phase (200 steps; the same computation as train_step, asserted):")
    for phase, total in zip(PHASES, totals, strict=True):
        print(f"  {phase:22} {1000 * total / 200:6.2f} ms  {total / sum(totals):4.0%}")

    # (3) Which kernels: 50 more steps under the profiler (the model keeps training; the figures above are
    # already printed).
    with profile(activities=[ProfilerActivity.CPU]) as prof:
        for _ in range(50):
            train_step(model, optimizer, train, config.n_ctx, BATCH, clip=CLIP)
    print("\nwhere 50 training steps spend their time (torch.profiler, self CPU time):")
    print(prof.key_averages().table(sort_by="self_cpu_time_total", row_limit=12, max_name_column_width=40))

    # (4) What would make the loop faster: each change measured in this run, in turn, three times (the median
    # is printed), against the course's loop. The last is nanoGPT's model shape in the course's loop (this
    # course's code with nanoGPT's differences, not nanoGPT's train.py: --nanogpt runs that).
    what_ifs = {
        "the course's loop": {},
        "AdamW unfused": {"fused_adamw": False},
        "attention written out (fused = False)": {"fused_attention": False},
        "both: the loop before 2026-12-04": {"fused_adamw": False, "fused_attention": False},
        "nanoGPT's shape: no biases, exact GELU": {"nanogpt_shape": True},
    }
    rates = {name: [] for name in what_ifs}
    for _ in range(3):
        for name, what_if in what_ifs.items():
            rates[name].append(steps_per_second(*variant(config, args.seed, **what_if), train, config.n_ctx, 300))
    base = sorted(rates["the course's loop"])[1]
    print("steps per second, each change in turn (median of 3 runs of 300 steps):")
    for name, measured in rates.items():
        print(f"  {name:46} {sorted(measured)[1]:5.1f}  {sorted(measured)[1] / base:5.2f} x")


def machine():
    """The CPU's name (Linux's /proc/cpuinfo, else platform's), its cores, torch and the kernels it runs."""
    cpuinfo = Path("/proc/cpuinfo")
    names = [line.split(":", 1)[1].strip() for line in cpuinfo.read_text().splitlines()
             if line.startswith("model name")] if cpuinfo.exists() else []
    return (f"machine: {names[0] if names else platform.processor()}, {os.cpu_count()} cores; "
            f"torch {torch.__version__}, kernels {torch.backends.cpu.get_cpu_capability()}")


def spread(values):
    """mean, standard deviation and range of a few losses, as text."""
    mean = sum(values) / len(values)
    deviation = math.sqrt(sum((v - mean) ** 2 for v in values) / (len(values) - 1))
    return f"mean {mean:.4f}, standard deviation {deviation:.4f}, from {min(values):.4f} to {max(values):.4f}"


if __name__ == "__main__":
    main()
