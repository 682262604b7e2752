"""The course package, src/foundations_of_llms/: its own invariants, and each module shown on the page that
teaches it (a page includes it with --8<--, so the page and the package cannot disagree)."""

import ast
import math
import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest
import torch
import torch.nn.functional as F
from conftest import PROJECT

from foundations_of_llms.bpe import END, bpe_segment, train_bpe
from foundations_of_llms.decoding import top_k_logits, top_p_logits
from foundations_of_llms.gpt import GPT, GPTConfig
from foundations_of_llms.neural import rows
from foundations_of_llms.ngrams import count_ngrams, ngrams, perplexity
from foundations_of_llms.plays import TEST_PLAYS, VALIDATION_PLAYS, plays_text
from foundations_of_llms.positions import rope
from foundations_of_llms.scale import decoder_parameters
from foundations_of_llms.training import (
    MIN_LR,
    PEAK_LR,
    WARMUP_STEPS,
    from_pretrained,
    lr_at,
    mean_loss,
    save_pretrained,
)

PACKAGE = PROJECT.root / "src" / "foundations_of_llms"
TAUGHT_ON = {"gpt.py": "docs/ch2/gpt.md", "gpt2.py": "docs/ch2/gpt.md", "plays.py": "docs/offline.md",
             "models.py": "docs/offline.md", "training.py": "docs/ch3/training.md", "ngrams.py": "docs/ch1/ngrams.md",
             "neural.py": "docs/ch1/neural.md", "scale.py": "docs/ch1/scale.md", "bpe.py": "docs/ch2/tokens.md",
             "decoding.py": "docs/ch2/decoding.md", "positions.py": "docs/ch2/embeddings.md",
             "generalisation.py": "docs/ch3/generalisation.md",
             "attention_maps.py": "docs/ch2/attention-explorer.md", "play.py": "docs/ch3/play.md"}
# Pages that show a module beside its translation into another language, as the thing compared, not taught again.
MIRRORED_ON = {"gpt.py": ["docs/ch3/play.md"]}  # the tiny GPT in JavaScript, beside the PyTorch classes
NOT_TAUGHT = {"__init__.py": "the package's docstring", "figures.py": "site plumbing: light and dark SVG files"}


@pytest.mark.page("docs/ch1/scale.md", "docs/ch2/gpt.md")
def test_the_parameter_count_is_the_formula():
    """N = (V + n_ctx) d + L (12 d^2 + 13 d) + 2 d, the formula of docs/ch1/scale.md; the tied output layer adds 0."""
    for config in (GPTConfig(), GPTConfig(vocab_size=78, n_ctx=64, d_model=128, n_layer=4, n_head=4)):
        v, n, d, layers = config.vocab_size, config.n_ctx, config.d_model, config.n_layer
        count = sum(p.numel() for p in GPT(config).parameters())
        assert count == (v + n) * d + layers * (12 * d * d + 13 * d) + 2 * d == decoder_parameters(v, n, d, layers)
    assert sum(p.numel() for p in GPT(GPTConfig(vocab_size=78, d_model=128, n_layer=4)).parameters()) == 811_520


@pytest.mark.page("docs/ch2/gpt.md")
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


@pytest.mark.page("docs/ch3/training.md")
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


@pytest.mark.page("docs/offline.md")
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
        expected = sorted([page, *MIRRORED_ON.get(module, [])])
        assert showing == expected, f"{target} must be shown on {expected} alone; it is shown on {showing}"


def test_every_definition_names_the_page_that_teaches_it():
    for module, page in TAUGHT_ON.items():
        tree = ast.parse((PACKAGE / module).read_text(encoding="utf-8"))
        for node in tree.body:
            if isinstance(node, ast.FunctionDef | ast.ClassDef):
                doc = ast.get_docstring(node) or ""
                assert page in doc.replace("\n", " "), f"{module}: {node.name}'s docstring must name {page}"
        assert page in (ast.get_docstring(tree) or ""), f"{module}'s docstring must name {page}"
        assert (PROJECT.root / page).is_file(), f"{module} names {page}, which does not exist"


@pytest.mark.page("docs/ch1/ngrams.md")
def test_ngram_counts_and_perplexity():
    lines = [["a", "b"], ["b"]]
    assert ngrams(["a", "b"], 2) == [("<s>", "a"), ("a", "b"), ("b", "</s>")]
    grams, histories = count_ngrams(lines, 2)
    assert sum(grams.values()) == sum(len(line) + 1 for line in lines) == sum(histories.values())
    assert math.isclose(perplexity(lines, (grams, histories), 1e9, 4), 4)  # huge k: uniform over V = 4 tokens
    assert perplexity(lines, (grams, histories), 1e-9, 4) < 4  # tiny k: the counts, which fit these lines well


@pytest.mark.page("docs/ch1/neural.md")
def test_rows_make_every_word_after_the_first_a_target_once():
    stream = torch.arange(11)
    inputs, targets = rows(stream, 4)
    assert targets[targets >= 0].tolist() == list(range(1, 11))
    assert torch.equal(inputs.flatten()[:10], stream[:10])


@pytest.mark.page("docs/ch2/tokens.md")
def test_bpe_learns_the_frequent_pair_and_loses_nothing():
    merges = train_bpe({"low": 5, "lower": 2, "newest": 6}, 3)
    assert merges[0] == ("w", "e")  # 2 in lower + 6 in newest: the most frequent pair
    ranks = {pair: rank for rank, pair in enumerate(merges)}
    for word in ("low", "lowest", "unseen"):
        assert "".join(bpe_segment(word, ranks)) == word + END


@pytest.mark.page("docs/ch2/decoding.md")
def test_top_k_and_top_p_keep_what_they_promise():
    torch.manual_seed(0)
    logits = torch.randn(50)
    assert torch.isfinite(top_k_logits(logits, 5)).sum() == 5
    kept = torch.isfinite(top_p_logits(logits, 0.9))
    probs = F.softmax(logits, dim=-1)
    assert probs[kept].sum() >= 0.9 > probs[kept].sum() - probs[kept].min()  # the smallest such set
    assert torch.isfinite(top_p_logits(logits, 1.0)).all()
    assert math.isclose(F.softmax(top_p_logits(logits, 0.9), dim=-1).sum().item(), 1.0, rel_tol=1e-6)


@pytest.mark.page("docs/ch2/embeddings.md")
def test_rope_rotates_and_depends_only_on_the_distance():
    torch.manual_seed(0)
    q, k = torch.randn(2, 1, 8, dtype=torch.float64)
    def score(m, n):
        return (rope(q, torch.tensor([m])) @ rope(k, torch.tensor([n])).T).item()
    assert math.isclose(rope(q, torch.tensor([5])).norm().item(), q.norm().item())
    assert math.isclose(score(2, 5), score(12, 15)) and not math.isclose(score(2, 5), score(5, 2))


@pytest.mark.page("docs/ch3/training.md")
def test_the_learning_rate_schedule():
    assert lr_at(WARMUP_STEPS - 1, 2000) == PEAK_LR and lr_at(0, 2000) == PEAK_LR / WARMUP_STEPS
    assert math.isclose(lr_at(1999, 2000), MIN_LR)
    assert all(lr_at(s, 2000) >= lr_at(s + 1, 2000) for s in range(WARMUP_STEPS - 1, 1999))  # then only falls


def test_no_snippet_or_lab_writes_out_what_the_package_defines():
    """Code is defined once: a snippet or lab that defines a function or class of the package again, or the data's
    location and split, holds a copy that can drift from the page that teaches it; it must import it."""
    package = {}
    for module in sorted(PACKAGE.glob("*.py")):
        tree = ast.parse(module.read_text(encoding="utf-8"))
        package |= {node.name: PROJECT.rel(module) for node in tree.body
                    if isinstance(node, ast.FunctionDef | ast.ClassDef)}
    package |= {name: "src/foundations_of_llms/plays.py"
                for name in ("PLAYS_DIR", "VALIDATION_PLAYS", "TEST_PLAYS", "STAGE_DIRECTION")}
    package |= {name: "src/foundations_of_llms/models.py" for name in ("GGUF_DIR", "GGUF_FILE", "CACHE_ROOT")}
    assert {"GPT", "spoken_lines", "save_light_and_dark", "train_step", "top_p_logits"} <= set(package)
    copies = []
    for script in [*PROJECT.scripts(), *sorted(PROJECT.docs.glob("labs/lab*.py"))]:
        for node in ast.parse(script.read_text(encoding="utf-8")).body:
            names = [node.name] if isinstance(node, ast.FunctionDef | ast.ClassDef) else \
                [t.id for t in getattr(node, "targets", []) if isinstance(t, ast.Name) and t.id.isupper()]
            copies += [f"{PROJECT.rel(script)}:{node.lineno} defines {name}, which {package[name]} defines: import it"
                       for name in names if name in package]
    assert not copies, "\n".join(copies)


@pytest.mark.page("docs/ch1/ngrams.md")
def test_a_copied_snippet_runs_with_the_packages_wheel_alone(tmp_path):
    """The README's way to use an example in a project of one's own: `make wheel`, install the wheel, copy the
    snippet. Here the wheel is built from a copy of the sources and unpacked; the snippet, copied out of the
    repository, runs with the site-packages but without the editable install (-S: no .pth files are read)."""
    source = tmp_path / "source"
    shutil.copytree(PROJECT.root / "src", source / "src", ignore=shutil.ignore_patterns("*.egg-info", "__pycache__"))
    shutil.copy(PROJECT.root / "pyproject.toml", source)
    subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--disable-pip-version-check", "--no-deps",
                    "--no-build-isolation", "-w", str(tmp_path / "dist"), str(source)], check=True)
    [wheel] = (tmp_path / "dist").glob("foundations_of_llms-*.whl")
    modules = {Path(name).name for name in zipfile.ZipFile(wheel).namelist() if name.endswith(".py")}
    assert modules == {p.name for p in PACKAGE.glob("*.py")}, f"{wheel.name} holds {sorted(modules)}"
    zipfile.ZipFile(wheel).extractall(tmp_path / "installed")
    snippet = PROJECT.snippets / "ch1" / "ngrams" / "ngram_perplexity.py"
    project = tmp_path / "project"
    project.mkdir()
    shutil.copy(snippet, project)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(tmp_path / "installed"), sysconfig.get_path("purelib")])}
    where = subprocess.run([sys.executable, "-S", "-c", "import foundations_of_llms as f; print(f.__file__)"],
                           env=env, capture_output=True, text=True, check=True).stdout
    assert where.startswith(str(tmp_path / "installed")), f"the package came from {where}, not from the wheel"
    done = subprocess.run([sys.executable, "-S", snippet.name], cwd=project, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout == snippet.with_suffix(".out").read_text(encoding="utf-8")
