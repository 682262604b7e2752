"""The tiny GPT of chapter 3 is trained for minutes, so its full run is not repeated by every test run
(`make tiny-gpt` does it; the tests run it for 20 steps, see harness.QUICK_ARGS). These tests check that what
the repository ships is what that full run printed: the checkpoint in docs/models/tiny-gpt/ has the hash the
run printed, and its loss history holds the losses the run printed. tiny_gpt_use.py then recomputes the final
validation loss from the shipped weights."""

import hashlib
import json
import re

import pytest
from conftest import PROJECT

CHECKPOINT = PROJECT.docs / "models" / "tiny-gpt"
FULL_OUTPUT = PROJECT.snippets / "ch3" / "training" / "train_tiny_gpt.out"
pytestmark = pytest.mark.page("docs/ch3/training.md")
STEP_LINE = re.compile(r"step +(\d+): train loss (\d+\.\d+), validation loss (\d+\.\d+)")


def printed_hash(text):
    found = re.search(r"model\.safetensors sha256 ([0-9a-f]{16})", text)
    assert found, f"{PROJECT.rel(FULL_OUTPUT)} does not print the checkpoint's hash; rerun `make tiny-gpt`"
    return found.group(1)


def test_shipped_weights_are_those_the_full_run_saved():
    shipped = hashlib.sha256((CHECKPOINT / "model.safetensors").read_bytes()).hexdigest()[:16]
    assert shipped == printed_hash(FULL_OUTPUT.read_text(encoding="utf-8")), (
        f"{PROJECT.rel(CHECKPOINT)}/model.safetensors is not the checkpoint whose output "
        f"{PROJECT.rel(FULL_OUTPUT)} shows; rerun `make tiny-gpt` and commit both")


def test_shipped_history_holds_the_losses_the_full_run_printed():
    history = json.loads((CHECKPOINT / "history.json").read_text(encoding="utf-8"))
    shipped = [(str(step), f"{train:.3f}", f"{val:.3f}")
               for step, train, val in zip(history["step"], history["train_loss"], history["val_loss"], strict=True)]
    printed = STEP_LINE.findall(FULL_OUTPUT.read_text(encoding="utf-8"))
    assert len(printed) >= 2, f"{PROJECT.rel(FULL_OUTPUT)} shows fewer than two validation measurements"
    assert shipped == printed, f"{PROJECT.rel(CHECKPOINT)}/history.json differs from {PROJECT.rel(FULL_OUTPUT)}"


def test_the_hash_check_fails_on_other_weights():
    assert printed_hash("saved tiny-gpt/ (model.safetensors sha256 0123456789abcdef...)") == "0123456789abcdef"
    shipped = hashlib.sha256((CHECKPOINT / "model.safetensors").read_bytes()).hexdigest()[:16]
    assert shipped != "0123456789abcdef"
