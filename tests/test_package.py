"""The course package, src/foundations_of_llms/: its own invariants, and each module shown on the page that
teaches it (a page includes it with --8<--, so the page and the package cannot disagree)."""

import torch
from conftest import PROJECT

from foundations_of_llms.gpt import GPT, GPTConfig
from foundations_of_llms.plays import TEST_PLAYS, VALIDATION_PLAYS, plays_text
from foundations_of_llms.training import from_pretrained, mean_loss, save_pretrained

PACKAGE = PROJECT.root / "src" / "foundations_of_llms"
TAUGHT_ON = {"gpt.py": "docs/ch2/gpt.md", "plays.py": "docs/offline.md", "training.py": "docs/ch3/training.md",
             "models.py": "docs/offline.md"}
NOT_TAUGHT = {"__init__.py": "the package's docstring", "figures.py": "site plumbing: light and dark SVG files"}


def test_the_parameter_count_is_the_formula():
    """N = (V + n_ctx) d + L (12 d^2 + 13 d) + 2 d, the formula of docs/ch1/scale.md; the tied output layer adds 0."""
    for config in (GPTConfig(), GPTConfig(vocab_size=78, n_ctx=64, d_model=128, n_layer=4, n_head=4)):
        v, n, d, layers = config.vocab_size, config.n_ctx, config.d_model, config.n_layer
        count = sum(p.numel() for p in GPT(config).parameters())
        assert count == (v + n) * d + layers * (12 * d * d + 13 * d) + 2 * d, config
    assert sum(p.numel() for p in GPT(GPTConfig(vocab_size=78, d_model=128, n_layer=4)).parameters()) == 811_520


def test_the_model_is_causal():
    """Changing a later token changes no earlier position's logits; changing an earlier one changes later ones."""
    torch.manual_seed(0)
    model = GPT(GPTConfig()).eval()
    ids = torch.randint(512, (1, 16))
    changed = ids.clone()
    changed[0, 10] = (ids[0, 10] + 1) % 512
    with torch.no_grad():
        before, after = model(ids), model(changed)
    assert torch.equal(before[0, :10], after[0, :10])
    assert not torch.allclose(before[0, 10:], after[0, 10:])


def test_a_saved_model_loads_back_exactly(tmp_path):
    torch.manual_seed(0)
    config = GPTConfig(vocab_size=5, n_ctx=8, d_model=16, n_layer=1, n_head=2)
    model, chars = GPT(config).eval(), list("abcde")
    save_pretrained(model, config, chars, tmp_path / "m")
    loaded, loaded_chars = from_pretrained(tmp_path / "m")
    ids = torch.randint(5, (33,))
    assert loaded_chars == chars and not loaded.training
    assert loaded.lm_head.weight is loaded.wte.weight  # still tied after loading
    assert mean_loss(loaded, ids, config.n_ctx) == mean_loss(model, ids, config.n_ctx)


def test_the_split_keeps_validation_and_test_plays_apart():
    assert not VALIDATION_PLAYS & TEST_PLAYS
    validation = plays_text(VALIDATION_PLAYS.__contains__)
    assert validation and "Exeunt" not in validation  # stage directions are dropped


def test_each_module_is_shown_on_the_page_that_teaches_it_and_nowhere_else():
    modules = sorted(p.name for p in PACKAGE.glob("*.py"))
    assert sorted([*TAUGHT_ON, *NOT_TAUGHT]) == modules, f"a module is missing from TAUGHT_ON or NOT_TAUGHT: {modules}"
    for module, page in TAUGHT_ON.items():
        target = f"src/foundations_of_llms/{module}"
        showing = [PROJECT.rel(p) for p in PROJECT.pages()
                   if any(t.split(":")[0] == target for _, t in PROJECT.includes(p))]
        assert showing == [page], f"{target} must be shown on {page} alone; it is shown on {showing}"
