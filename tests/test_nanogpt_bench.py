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


def test_fused_attention_computes_the_course_models_logits():
    """The SDPA what-if is timed as the same model: its logits equal the course's to rounding."""
    course, _ = bench.variant(CONFIG, seed=2)
    fused, _ = bench.variant(CONFIG, seed=2, sdpa=True)  # variant asserts it as well
    ids = IDS[: 2 * CONFIG.n_ctx].view(2, CONFIG.n_ctx)
    torch.testing.assert_close(fused(ids), course(ids))
    assert not torch.equal(fused(ids), bench.variant(CONFIG, seed=3)[0](ids))  # another seed: another model


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
