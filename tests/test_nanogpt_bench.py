"""`make bench-nanogpt` (tools/nanogpt_bench.py) needs a text that a clone does not have, so the suite cannot
run it. These tests hold its parts to what its figures on docs/ch3/training.md rely on, on random ids: its
phase-by-phase step computes exactly what the course's train_step computes, its what-ifs compute the course's
model or the shape they name, and its estimate is nanoGPT's mean over random windows."""

import nanogpt_bench as bench
import pytest
import torch

from foundations_of_llms.gpt import GPTConfig
from foundations_of_llms.training import mean_loss, train_step

pytestmark = pytest.mark.page("docs/ch3/training.md")

CONFIG = GPTConfig(vocab_size=65, n_ctx=16, d_model=32, n_layer=2, n_head=4)
IDS = torch.randint(65, (2_000,), generator=torch.Generator().manual_seed(0))


def test_the_phase_by_phase_step_is_train_step(monkeypatch):
    """The bench times a copy of train_step's body; that copy must give the same loss and the same weights,
    bit for bit, or its timings describe another computation. The clipping threshold is lowered so that
    clipping acts on these small random gradients (at 1 it would not, and could go missing unseen)."""
    monkeypatch.setattr(bench, "CLIP", 0.01)
    model, optimizer = bench.variant(CONFIG, seed=1)
    twin_model, twin_optimizer = bench.variant(CONFIG, seed=1)
    for step in range(3):
        loss = train_step(model, optimizer, IDS, CONFIG.n_ctx, bench.BATCH, torch.Generator().manual_seed(step),
                          clip=bench.CLIP)
        twin_loss, times = bench.step_in_phases(twin_model, twin_optimizer, IDS, CONFIG.n_ctx,
                                                torch.Generator().manual_seed(step))
        assert torch.equal(loss, twin_loss)
        assert len(times) == len(bench.PHASES) and all(t >= 0 for t in times)
    assert all(torch.equal(a, b) for a, b in zip(model.parameters(), twin_model.parameters(), strict=True))


def test_the_unfused_what_if_is_the_same_model_written_out():
    """The bench trains as train_tiny_gpt.py does, both calls fused; the what-if without them is timed as the
    same model and the same update: its logits equal the course's to rounding, and its AdamW differs only in
    being unfused."""
    course, optimizer = bench.variant(CONFIG, seed=2)
    written_out, unfused = bench.variant(CONFIG, seed=2, fused_adamw=False, fused_attention=False)
    assert all(block.attn.fused for block in course.h) and not any(block.attn.fused for block in written_out.h)
    assert optimizer.defaults["fused"] and not unfused.defaults["fused"]
    assert ({k: v for k, v in optimizer.defaults.items() if k != "fused"}
            == {k: v for k, v in unfused.defaults.items() if k != "fused"})
    ids = IDS[: 2 * CONFIG.n_ctx].view(2, CONFIG.n_ctx)
    torch.testing.assert_close(written_out(ids), course(ids))
    assert not torch.equal(course(ids), bench.variant(CONFIG, seed=3)[0](ids))  # another seed: another model


def test_nanogpt_shape_has_no_biases_and_the_exact_gelu():
    course, _ = bench.variant(CONFIG, seed=4)
    shape, _ = bench.variant(CONFIG, seed=4, nanogpt_shape=True)
    biases = [name for name, _ in course.named_parameters() if name.endswith("bias")]
    assert biases and not [name for name, _ in shape.named_parameters() if name.endswith("bias")]
    assert (sum(p.numel() for p in course.parameters()) - sum(p.numel() for p in shape.parameters())
            == sum(p.numel() for name, p in course.named_parameters() if name.endswith("bias")))
    assert all(block.mlp.gelu.approximate == "none" for block in shape.h)
    assert all(block.mlp.gelu.approximate == "tanh" for block in course.h)


def test_the_estimate_is_a_mean_over_random_windows_near_the_whole_split():
    """nanoGPT's estimate: the same draw gives the same figure, another draw another one, and both lie near
    the mean over every window."""
    model, _ = bench.variant(CONFIG, seed=5)
    first = bench.estimate_loss(model, IDS, CONFIG.n_ctx, torch.Generator().manual_seed(0))
    again = bench.estimate_loss(model, IDS, CONFIG.n_ctx, torch.Generator().manual_seed(0))
    other = bench.estimate_loss(model, IDS, CONFIG.n_ctx, torch.Generator().manual_seed(1))
    assert first == again and first != other
    assert abs(first - mean_loss(model, IDS, CONFIG.n_ctx)) < 0.05


def test_spread_reports_mean_deviation_and_range():
    assert bench.spread([1.0, 2.0, 3.0]) == "mean 2.0000, standard deviation 1.0000, from 1.0000 to 3.0000"


def test_the_bench_refuses_another_text(tmp_path, monkeypatch):
    """Its figures hold for Tiny Shakespeare only: another file is refused by name, before any training."""
    wrong = tmp_path / "input.txt"
    wrong.write_text("not Tiny Shakespeare\n")
    monkeypatch.setattr("sys.argv", ["nanogpt_bench.py", "--data", str(wrong)])
    with pytest.raises(SystemExit, match=r"input\.txt: sha256 [0-9a-f]{64}, expected 86c4e6aa"):
        bench.main()


def nanogpt_log(steps, estimates, train_ms=10.0, eval_ms=300.0):
    """A log in the format of nanoGPT's train.py (its print calls), for `steps` iterations."""
    lines = []
    for it in range(steps + 1):
        if it % bench.NANOGPT_EVAL_INTERVAL == 0:
            lines.append(f"step {it}: train loss 2.0000, val loss {estimates[it]:.4f}")
        ms = eval_ms if it % bench.NANOGPT_EVAL_INTERVAL == 0 else train_ms
        lines.append(f"iter {it}: loss 2.1000, time {ms:.2f}ms, mfu 0.01%")
    return "number of parameters: 0.80M\n" + "\n".join(lines) + "\n"


def test_nanogpts_log_gives_its_estimates_and_its_training_speed():
    """nanoGPT's speed is read from its own per-iteration times, leaving out the iterations whose time includes
    an evaluation (0, 250 and 500 here): 498 iterations of 10 ms are 100 steps a second, where counting the
    evaluations in would give 85."""
    estimates = {0: 4.1649, 250: 2.4447, 500: 2.3141}
    found, rate = bench.read_nanogpt_log(nanogpt_log(500, estimates), 500)
    assert found == estimates
    assert rate == pytest.approx(100.0)
    with pytest.raises(SystemExit, match="did not log 500 iterations"):  # a run that stopped early
        bench.read_nanogpt_log(nanogpt_log(250, estimates), 500)
    without_last = nanogpt_log(500, estimates).replace("step 500: train loss 2.0000, val loss 2.3141\n", "")
    with pytest.raises(SystemExit, match="the estimate at 500"):  # every iteration, but no estimate at the end
        bench.read_nanogpt_log(without_last, 500)


def nanogpt_names(n_layer):
    """The names in nanoGPT's state_dict for its model with bias=False (written out from its model.py, not
    derived from the course's): what course_from_nanogpt must place."""
    per_layer = ("ln_1.weight", "attn.c_attn.weight", "attn.c_proj.weight", "ln_2.weight", "mlp.c_fc.weight",
                 "mlp.c_proj.weight")
    return (["transformer.wte.weight", "transformer.wpe.weight"]
            + [f"transformer.h.{i}.{name}" for i in range(n_layer) for name in per_layer]
            + ["transformer.ln_f.weight", "lm_head.weight"])


def test_nanogpts_weights_fill_the_course_model_in_its_shape_and_nothing_else():
    """nanoGPT's checkpoint, under nanoGPT's own names, gives the course's model in nanoGPT's shape exactly
    (its lm_head tied, as the course's is). Every tensor must find its place: one missing, or a bias, which
    nanoGPT's shape lacks, is refused rather than left at its initial value."""
    shape, _ = bench.variant(CONFIG, seed=6, nanogpt_shape=True)
    state = dict(zip(nanogpt_names(CONFIG.n_layer), shape.state_dict().values(), strict=True))
    model = bench.course_from_nanogpt(state, CONFIG)
    ids = IDS[: 2 * CONFIG.n_ctx].view(2, CONFIG.n_ctx)
    assert torch.equal(model(ids), shape(ids))
    assert torch.equal(model.h[1].mlp.c_fc.weight, state["transformer.h.1.mlp.c_fc.weight"])
    assert model.lm_head.weight is model.wte.weight
    assert not torch.equal(bench.variant(CONFIG, seed=0, nanogpt_shape=True)[0](ids), shape(ids))  # not by chance
    with pytest.raises(RuntimeError, match="Missing key"):
        bench.course_from_nanogpt({k: v for k, v in state.items() if k != "transformer.ln_f.weight"}, CONFIG)
    with pytest.raises(RuntimeError, match="Unexpected key"):
        bench.course_from_nanogpt({**state, "transformer.ln_f.bias": torch.zeros(CONFIG.d_model)}, CONFIG)


def test_the_bench_refuses_a_folder_that_is_not_nanogpt(tmp_path, monkeypatch):
    (tmp_path / "train.py").write_text("")
    monkeypatch.setattr("sys.argv", ["nanogpt_bench.py", "--nanogpt", str(tmp_path)])
    with pytest.raises(SystemExit, match="not a nanoGPT checkout .*model.py"):
        bench.main()


def test_the_schedule_is_nanogpts_whatever_the_courses_peak(monkeypatch):
    """By default the bench trains with the course's own schedule, lr_at unscaled; --peak-lr 1e-3 gives
    nanoGPT's recipe, its peak 1e-3 and floor 1e-4, whatever the course's own peak; a schedule of another shape
    (here a floor that is not a tenth of the peak) is refused."""
    from foundations_of_llms import training
    assert bench.lr_scale_for(training.PEAK_LR) == 1.0
    for peak in (training.PEAK_LR, 3e-3):
        monkeypatch.setattr(training, "PEAK_LR", peak)
        monkeypatch.setattr(training, "MIN_LR", peak / 10)
        scale = bench.lr_scale_for(bench.NANOGPT_PEAK_LR)
        assert scale * training.lr_at(bench.NANOGPT_WARMUP, 2000) == pytest.approx(bench.NANOGPT_PEAK_LR)
        assert scale * training.lr_at(1999, 2000) == pytest.approx(bench.NANOGPT_MIN_LR)
    monkeypatch.setattr(training, "MIN_LR", 0.0)
    with pytest.raises(SystemExit, match="not the shape of nanoGPT's schedule"):
        bench.lr_scale_for(bench.NANOGPT_PEAK_LR)
